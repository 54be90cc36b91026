"""``switchboard deploy``: the real azure-ai-projects SDK against an azure-core fake transport.

The fake transport records every HTTP request the SDK sends and answers from a script, so
these tests see the exact wire bodies (URL, method, JSON) and drive the polling loop.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from typing import Any, Callable

import pytest
import requests
from azure.ai.projects import AIProjectClient
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._requests_basic import RestRequestsTransportResponse

from agent.cli import build_parser, main
from deploy import commands, foundry

ENDPOINT = "https://acct.services.ai.azure.com/api/projects/ops"
Reply = tuple[int, dict[str, Any] | None]


class FakeCredential:
    def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
        return AccessToken("fake-token", int(time.time()) + 3600)


class FakeTransport(HttpTransport):
    """Answers requests from ``script(method, path) -> (status, json)`` and records them."""

    def __init__(self, script: Callable[[str, str], Reply]) -> None:
        self.script = script
        self.requests: list[Any] = []

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.requests.append(request)
        path = request.url.split("?", 1)[0].removeprefix(ENDPOINT)
        status, body = self.script(request.method, path)
        raw = requests.Response()
        raw.status_code = status
        raw.raw = io.BytesIO(json.dumps(body).encode() if body is not None else b"")
        raw.headers["Content-Type"] = "application/json"
        raw.reason = "fake"
        response = RestRequestsTransportResponse(request=request, internal_response=raw, block_size=4096)
        response.read()
        return response

    def open(self) -> None: ...
    def close(self) -> None: ...
    def __exit__(self, *args: Any) -> None: ...

    def body(self, i: int) -> dict[str, Any]:
        return json.loads(self.requests[i].content)


def version(status: str, v: str = "3") -> dict[str, Any]:
    return {"object": "agent.version", "id": f"switchboard:{v}", "name": "switchboard", "version": v,
            "created_at": 1700000000, "status": status,
            "definition": {"kind": "hosted", "cpu": "1", "memory": "2Gi",
                           "container_configuration": {"image": "acr.io/sb:1"}}}


def client_with(transport: FakeTransport) -> Callable[[str], AIProjectClient]:
    def make(endpoint: str) -> AIProjectClient:
        return AIProjectClient(endpoint, FakeCredential(), allow_preview=True, transport=transport)  # type: ignore[arg-type]
    return make


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["deploy", *argv])


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    # Polling waits 5 s between reads in real life; the fake service needs no waiting.
    monkeypatch.setattr(foundry.time, "sleep", lambda s: None)


@pytest.fixture(autouse=True)
def endpoint_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_AI_PROJECT_ENDPOINT", ENDPOINT)


def polling_script(statuses: list[str]) -> Callable[[str, str], Reply]:
    states = iter(statuses)

    def script(method: str, path: str) -> Reply:
        if method == "POST" and path == "/agents/switchboard/versions":
            return 200, version("creating")
        if method == "GET" and path == "/agents/switchboard/versions/3":
            return 200, version(next(states))
        return 404, {"error": {"code": "not_found", "message": path}}
    return script


def test_create_version_sends_the_hosted_definition_and_polls_until_active(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(polling_script(["creating", "creating", "active"]))
    args = parse("agent", "--image", "acr.io/sb:1", "--cpu", "2", "--memory", "4Gi",
                 "--env", "SWITCHBOARD_SPEECH=local", "--env", "SWITCHBOARD_LOG_LEVEL=DEBUG")
    assert commands.run_agent(args, client_with(transport)) == 0

    create = transport.requests[0]
    assert create.method == "POST"
    assert create.url.startswith(f"{ENDPOINT}/agents/switchboard/versions?")
    assert "api-version=v1" in create.url
    assert create.headers["Authorization"] == "Bearer fake-token"
    assert transport.body(0) == {"definition": {
        "kind": "hosted", "cpu": "2", "memory": "4Gi",
        "environment_variables": {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_LOG_LEVEL": "DEBUG"},
        "container_configuration": {"image": "acr.io/sb:1"},
        "protocol_versions": [{"protocol": "invocations_ws", "version": "1.0.0"}],
    }}
    polls = transport.requests[1:]
    assert [(r.method, r.url.split("?")[0]) for r in polls] == [
        ("GET", f"{ENDPOINT}/agents/switchboard/versions/3")] * 3
    out = capsys.readouterr().out
    assert "status: creating" in out and "status: active" in out
    # The documented public endpoint: one literal path, project and agent in the query.
    assert ("endpoint: wss://acct.services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws"
            "?project_name=ops&agent_name=switchboard\n") in out


def test_the_per_agent_endpoint_shape_is_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(polling_script(["active"]))
    args = parse("agent", "--image", "acr.io/sb:1", "--endpoint-shape", "agent")
    assert commands.run_agent(args, client_with(transport)) == 0
    assert ("endpoint: wss://acct.services.ai.azure.com/api/projects/ops/agents/switchboard/endpoint/"
            "protocols/invocations_ws?api-version=v1\n") in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parse("agent", "--image", "acr.io/sb:1", "--endpoint-shape", "other")


def test_a_project_endpoint_that_is_not_one_is_a_clear_error() -> None:
    with pytest.raises(foundry.DeployError, match="project endpoint must look like"):
        foundry.websocket_url("https://acct.services.ai.azure.com/", "switchboard")


def test_failed_version_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(polling_script(["creating", "failed"]))
    assert commands.run_agent(parse("agent", "--image", "acr.io/sb:1"), client_with(transport)) == 1
    err = capsys.readouterr().err
    assert "version 3 is failed" in err and "AcrPull" in err
    assert len(transport.requests) == 3  # create + two polls, then it stops


def test_polling_gives_up_at_the_timeout() -> None:
    transport = FakeTransport(polling_script(["creating"] * 1000))
    client = client_with(transport)(ENDPOINT)
    with pytest.raises(foundry.DeployError, match="still creating"):
        foundry.wait_until_active(client, "switchboard", "3", timeout_s=0.0)


def test_dry_run_prints_exactly_the_body_the_sdk_sends(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["agent", "--image", "acr.io/sb:2", "--memory", "512Mi", "--cpu", "0.5", "--env", "A=1=2",
            "--description", "nightly"]
    sent = FakeTransport(polling_script(["active"]))
    assert commands.run_agent(parse(*argv), client_with(sent)) == 0
    capsys.readouterr()

    untouched = FakeTransport(polling_script([]))
    assert commands.run_agent(parse(*argv, "--dry-run"), client_with(untouched)) == 0
    out = capsys.readouterr().out
    printed = json.loads(out)
    assert printed == sent.body(0)
    assert printed["definition"]["environment_variables"] == {"A": "1=2"}
    assert untouched.requests == []


def test_dry_run_needs_no_endpoint(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AZURE_AI_PROJECT_ENDPOINT")
    assert main(["deploy", "agent", "--image", "acr.io/sb:1", "--dry-run"]) == 0
    assert '"invocations_ws"' in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--env", "NOEQUALS"], "must look like NAME=value"),
    (["--env", "1BAD=x"], "letters, digits and underscores"),
    (["--env", "BAD NAME=x"], "letters, digits and underscores"),
    (["--memory", "2GB"], "size like 2Gi"),
    (["--memory", "0Gi"], "size like 2Gi"),
    (["--memory", "2Gi; rm -rf /"], "size like 2Gi"),
    (["--cpu", "-1"], "positive number of cores"),
    (["--cpu", "one"], "positive number of cores"),
    (["--name=-bad-"], "not valid"),
    (["--name", "x" * 64], "not valid"),
    (["--name", "a" * 1_000_000], "not valid"),
])
def test_bad_input_is_refused_before_anything_is_sent(argv: list[str], message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(polling_script([]))
    assert commands.run_agent(parse("agent", "--image", "acr.io/sb:1", *argv), client_with(transport)) == 1
    err = capsys.readouterr().err
    assert message in err and len(err) < 400
    assert transport.requests == []


def test_bad_image_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.run_agent(parse("agent", "--image", "has space:1"), client_with(FakeTransport(polling_script([])))) == 1
    assert "container image reference" in capsys.readouterr().err


def test_missing_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AZURE_AI_PROJECT_ENDPOINT")
    transport = FakeTransport(polling_script([]))
    for action in (commands.run_agent, commands.run_status, commands.run_disable):
        argv = ["agent", "--image", "acr.io/sb:1"] if action is commands.run_agent else [action.__name__[4:]]
        assert action(parse(*argv), client_with(transport)) == 1
        assert "AZURE_AI_PROJECT_ENDPOINT" in capsys.readouterr().err
    assert transport.requests == []


def test_plain_http_endpoint_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.run_status(parse("status", "--endpoint", "http://evil.example"),
                               client_with(FakeTransport(polling_script([])))) == 1
    assert "https://" in capsys.readouterr().err


def test_disable_and_enable_post_to_the_agent(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(lambda method, path: (204, None))
    assert commands.run_disable(parse("disable", "--name", "sb-prod"), client_with(transport)) == 0
    assert commands.run_enable(parse("enable", "--name", "sb-prod"), client_with(transport)) == 0
    assert [(r.method, r.url.split("?")[0]) for r in transport.requests] == [
        ("POST", f"{ENDPOINT}/agents/sb-prod:disable"), ("POST", f"{ENDPOINT}/agents/sb-prod:enable")]
    assert "disabled" in capsys.readouterr().out


def test_status_shows_state_version_and_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    def script(method: str, path: str) -> Reply:
        assert method == "GET"
        if path == "/agents/switchboard":
            return 200, {"object": "agent", "id": "a1", "name": "switchboard", "state": "enabled",
                         "configuration_state": "enabled", "versions": {"latest": version("active", "4")}}
        if path == "/agents/switchboard/versions/2":
            return 200, version("failed", "2")
        return 404, None

    transport = FakeTransport(script)
    assert commands.run_status(parse("status"), client_with(transport)) == 0
    out = capsys.readouterr().out
    assert "switchboard (enabled)" in out and "4 (active) image acr.io/sb:1" in out
    assert commands.run_status(parse("status", "--version", "2"), client_with(transport)) == 0
    assert "2 (failed)" in capsys.readouterr().out


def test_service_errors_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeTransport(lambda m, p: (404, {"error": {"code": "NotFound", "message": "no agent named x"}}))
    assert commands.run_status(parse("status", "--name", "x"), client_with(transport)) == 1
    assert "404" in capsys.readouterr().err
    denied = FakeTransport(lambda m, p: (401, {"error": {"code": "Unauthorized", "message": "token expired"}}))
    assert commands.run_disable(parse("disable"), client_with(denied)) == 1
    assert "az login" in capsys.readouterr().err
