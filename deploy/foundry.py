"""Foundry hosted-agent deployment: build the version definition, create it, wait for it.

Input checking (``parse_env``, ``check_memory``, ``check_cpu``, ``check_agent_name``) and the
definition are pure; the functions that talk to Foundry take an ``AIProjectClient`` so tests
can hand in one built on an azure-core fake transport and see the exact wire requests.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from azure.ai.projects.models import (
    AgentEndpointProtocol,
    ContainerConfiguration,
    HostedAgentDefinition,
    ProtocolVersionRecord,
)

#: The only protocol the container speaks (see docs/protocol.md).
PROTOCOL_VERSION = "1.0.0"
#: What the SDK sends as ``api-version`` (and what the per-agent WebSocket path also requires).
API_VERSION = "v1"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MEMORY = re.compile(r"(?:\d+(?:\.\d+)?)(?:Gi|Mi)\Z")
_CPU = re.compile(r"\d+(?:\.\d+)?\Z")
# Foundry: alphanumeric at both ends, hyphens inside, at most 63 characters.
_AGENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")


class DeployError(Exception):
    """A deployment input or outcome the operator must act on; the message says what to do."""


@dataclass(frozen=True)
class AgentSpec:
    """What ``switchboard deploy agent`` asks Foundry to run."""

    name: str
    image: str
    cpu: str = "1"
    memory: str = "2Gi"
    env: tuple[tuple[str, str], ...] = ()
    description: str | None = None

    def definition(self) -> HostedAgentDefinition:
        return HostedAgentDefinition(
            cpu=self.cpu,
            memory=self.memory,
            environment_variables=dict(self.env),
            container_configuration=ContainerConfiguration(image=self.image),
            protocol_versions=[
                ProtocolVersionRecord(protocol=AgentEndpointProtocol.INVOCATIONS_WS, version=PROTOCOL_VERSION)
            ],
        )

    def request_body(self) -> dict[str, Any]:
        """The JSON body ``create_version`` sends (what ``--dry-run`` prints)."""
        body: dict[str, Any] = {"definition": self.definition().as_dict()}
        if self.description:
            body["description"] = self.description
        return body


def check_agent_name(name: str) -> str:
    if not _AGENT_NAME.match(name):
        raise DeployError(
            f"agent name {name[:80]!r} is not valid: use letters, digits and inner hyphens, "
            "start and end with a letter or digit, at most 63 characters")
    return name


def check_image(image: str) -> str:
    if not image or len(image) > 512 or any(c.isspace() for c in image):
        raise DeployError(f"--image {image[:80]!r} is not a container image reference like "
                          "myregistry.azurecr.io/switchboard:1.0")
    return image


def check_cpu(cpu: str) -> str:
    if not _CPU.match(cpu) or float(cpu) <= 0:
        raise DeployError(f"--cpu {cpu[:40]!r} must be a positive number of cores, like 1 or 0.5")
    return cpu


def check_memory(memory: str) -> str:
    if not _MEMORY.match(memory) or float(memory[:-2]) <= 0:
        raise DeployError(f"--memory {memory[:40]!r} must be a size like 2Gi or 512Mi")
    return memory


def parse_env(pairs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``["K=V", ...]`` -> ordered pairs; a later K wins. Refuses entries without ``=`` or bad names."""
    env: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise DeployError(f"--env {pair[:80]!r} must look like NAME=value")
        if not _ENV_NAME.match(name):
            raise DeployError(f"--env name {name[:80]!r} must be letters, digits and underscores, "
                              "not starting with a digit")
        env[name] = value
    return tuple(env.items())


def websocket_url(project_endpoint: str, agent_name: str, shape: str = "project") -> str:
    """The public ``invocations_ws`` endpoint of a hosted agent (needs an Entra bearer token and,
    on the upgrade, the preview header; see ``agent.wire.client``)."""
    from agent.wire.client import AgentUrlError, foundry_ws_url

    try:
        return foundry_ws_url(project_endpoint, agent_name, shape)
    except AgentUrlError as exc:
        raise DeployError(str(exc)) from None


def create_version(client: Any, spec: AgentSpec) -> Any:
    """Send ``create_version``; returns the SDK's ``AgentVersionDetails``."""
    return client.agents.create_version(spec.name, definition=spec.definition(), description=spec.description)


def wait_until_active(
    client: Any,
    name: str,
    version: str,
    *,
    timeout_s: float = 900.0,
    interval_s: float = 5.0,
    on_status: Callable[[str], None] = lambda status: None,
    sleep: Callable[[float], None] | None = None,
) -> Any:
    """Poll ``get_version`` until ``active``; ``failed``/``deleted`` or the timeout raise DeployError."""
    deadline = time.monotonic() + timeout_s
    while True:
        details = client.agents.get_version(name, version)
        status = status_of(details)
        on_status(status)
        if status == "active":
            return details
        if status in ("failed", "deleting", "deleted"):
            raise DeployError(
                f"agent {name} version {version} is {status}. Details from Foundry: {_extra(details)}. "
                "Check that the image exists and the project's identity can pull it (AcrPull), "
                "then look at the container logs in the Foundry portal.")
        if time.monotonic() >= deadline:
            raise DeployError(f"agent {name} version {version} still {status} after {timeout_s:.0f}s; "
                              "run `switchboard deploy status` later")
        (sleep or time.sleep)(interval_s)


def status_of(details: Any) -> str:
    """``details.status`` as its plain wire value (the SDK gives an enum for known values)."""
    status = details.status
    return str(getattr(status, "value", status) or "unknown")


def _extra(details: Any) -> str:
    """Whatever the service returned beyond the fields we print, for the failure message."""
    known = {"object", "id", "name", "version", "created_at", "definition", "status", "metadata", "description"}
    rest = {k: v for k, v in dict(details).items() if k not in known}
    return json.dumps(rest, default=str)[:2000] if rest else "none"
