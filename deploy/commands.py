"""``switchboard deploy``: run the container image as a Foundry hosted agent.

``deploy agent`` creates a new agent version (``invocations_ws`` 1.0.0), waits until it is
active and prints the WebSocket endpoint; ``--dry-run`` prints the request body instead.
``deploy status`` and ``deploy disable`` inspect and switch off the agent. The project
endpoint comes from ``AZURE_AI_PROJECT_ENDPOINT`` (or ``--endpoint``); the credential is
``DefaultAzureCredential`` (``az login``, a managed identity, or ``AZURE_CLIENT_*``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

DEFAULT_NAME = "switchboard"

#: Builds an ``AIProjectClient`` for an endpoint; tests pass one with a fake transport.
ClientFactory = Callable[[str], Any]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deploy", help="deploy the container as a Foundry hosted agent")
    dsub = p.add_subparsers(dest="deploy_command", metavar="ACTION", required=True)

    agent = dsub.add_parser("agent", help="create a new hosted-agent version and wait until it is active")
    agent.add_argument("--image", required=True, help="container image, e.g. myacr.azurecr.io/switchboard:1.0")
    agent.add_argument("--cpu", default="1", help="cores (default 1)")
    agent.add_argument("--memory", default="2Gi", help="memory, e.g. 2Gi or 512Mi (default 2Gi)")
    agent.add_argument("--env", action="append", default=[], metavar="K=V",
                       help="environment variable for the container (repeatable)")
    agent.add_argument("--description", help="version description")
    agent.add_argument("--dry-run", action="store_true", help="print the request body and send nothing")
    agent.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for 'active' (default 900)")
    agent.add_argument("--no-wait", action="store_true", help="return after create_version")
    _common(agent)
    _shape(agent)
    agent.set_defaults(func=run_agent)

    status = dsub.add_parser("status", help="show the agent's state and a version's provisioning status")
    status.add_argument("--version", help="a version (default: the latest)")
    _common(status)
    _shape(status)
    status.set_defaults(func=run_status)

    disable = dsub.add_parser("disable", help="stop the agent accepting new sessions (existing ones drain)")
    _common(disable)
    disable.set_defaults(func=run_disable)

    enable = dsub.add_parser("enable", help="let a disabled agent accept sessions again")
    _common(enable)
    enable.set_defaults(func=run_enable)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", default=DEFAULT_NAME, help=f"agent name (default {DEFAULT_NAME})")
    p.add_argument("--endpoint", help="Foundry project endpoint (default $AZURE_AI_PROJECT_ENDPOINT)")


def _shape(p: argparse.ArgumentParser) -> None:
    from agent.wire.client import SHAPES

    p.add_argument("--endpoint-shape", choices=SHAPES, default=SHAPES[0],
                   help="which documented invocations_ws URL to print: 'project' (one path, project_name and "
                        "agent_name in the query; default) or 'agent' (per-agent path with api-version=v1)")


def open_client(endpoint: str) -> Any:
    """The real client: Entra credential from the environment, preview features on (hosted agents)."""
    from azure.ai.projects import AIProjectClient
    from azure.identity import DefaultAzureCredential

    return AIProjectClient(endpoint, DefaultAzureCredential(), allow_preview=True)


def _endpoint(args: argparse.Namespace) -> str:
    from agent.config import Settings
    from deploy.foundry import DeployError

    endpoint = args.endpoint or Settings.from_env().foundry_project_endpoint
    if not endpoint:
        raise DeployError("no Foundry project endpoint: set AZURE_AI_PROJECT_ENDPOINT "
                          "(https://<account>.services.ai.azure.com/api/projects/<project>) or pass --endpoint")
    if not endpoint.startswith("https://"):
        raise DeployError(f"the project endpoint must be an https:// URL, got {endpoint[:80]!r}")
    return endpoint


def _guarded(action: Callable[[], int]) -> int:
    """Operator errors and service errors become one clear line on stderr and exit code 1."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    from deploy.foundry import DeployError

    try:
        return action()
    except DeployError as exc:
        print(f"deploy: {exc}", file=sys.stderr)
    except ClientAuthenticationError as exc:
        print(f"deploy: not signed in to Azure or no access to the project ({exc.message}); "
              "run `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET", file=sys.stderr)
    except HttpResponseError as exc:
        print(f"deploy: Foundry answered {exc.status_code}: {exc.message}", file=sys.stderr)
    return 1


def run_agent(args: argparse.Namespace, client_factory: ClientFactory = open_client) -> int:
    from deploy import foundry

    def act() -> int:
        spec = foundry.AgentSpec(
            name=foundry.check_agent_name(args.name),
            image=foundry.check_image(args.image),
            cpu=foundry.check_cpu(args.cpu),
            memory=foundry.check_memory(args.memory),
            env=foundry.parse_env(args.env),
            description=args.description,
        )
        if args.dry_run:
            # The request line goes to stderr so stdout is the JSON body alone (pipe it to jq).
            print(f"POST {{endpoint}}/agents/{spec.name}/versions?api-version={foundry.API_VERSION}",
                  file=sys.stderr)
            print(json.dumps(spec.request_body(), indent=2))
            return 0
        endpoint = _endpoint(args)
        client = client_factory(endpoint)
        created = foundry.create_version(client, spec)
        print(f"created {spec.name} version {created.version} (status {foundry.status_of(created)})")
        if not args.no_wait:
            foundry.wait_until_active(client, spec.name, created.version, timeout_s=args.timeout,
                                      on_status=lambda s: print(f"  status: {s}", flush=True))
        url = foundry.websocket_url(endpoint, spec.name, args.endpoint_shape)
        print(f"endpoint: {url}")
        print(f"try it:   switchboard samples web --agent '{url}'")
        return 0

    return _guarded(act)


def run_status(args: argparse.Namespace, client_factory: ClientFactory = open_client) -> int:
    from deploy import foundry

    def act() -> int:
        name = foundry.check_agent_name(args.name)
        endpoint = _endpoint(args)
        client = client_factory(endpoint)
        agent = client.agents.get(name)
        latest = agent.versions.latest
        version = client.agents.get_version(name, args.version) if args.version else latest
        image = (dict(version.definition).get("container_configuration") or {}).get("image", "?")
        print(f"agent:    {agent.name} ({getattr(agent.state, 'value', agent.state)})")
        print(f"version:  {version.version} ({foundry.status_of(version)}) image {image}; latest is {latest.version}")
        print(f"endpoint: {foundry.websocket_url(endpoint, name, args.endpoint_shape)}")
        return 0

    return _guarded(act)


def _switch(args: argparse.Namespace, client_factory: ClientFactory, enable: bool) -> int:
    from deploy import foundry

    def act() -> int:
        name = foundry.check_agent_name(args.name)
        client = client_factory(_endpoint(args))
        (client.agents.enable if enable else client.agents.disable)(name)
        print(f"{name}: {'enabled' if enable else 'disabled (live sessions drain; no new ones)'}")
        return 0

    return _guarded(act)


def run_disable(args: argparse.Namespace, client_factory: ClientFactory = open_client) -> int:
    return _switch(args, client_factory, enable=False)


def run_enable(args: argparse.Namespace, client_factory: ClientFactory = open_client) -> int:
    return _switch(args, client_factory, enable=True)
