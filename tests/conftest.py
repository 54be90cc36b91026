"""Shared fixtures: real switchboard servers on loopback, started as subprocesses."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from agent.dev.localserver import LocalServer as Server


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator:
    started: list[Server] = []

    def make(env: dict[str, str] | None = None, *, data_dir: Path | None = None, port: int | None = None) -> Server:
        server = Server(data_dir or tmp_path / "data", env, port).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop(9)


@pytest.fixture
def server(server_factory) -> Server:
    """A container with the placeholder brain and no speech: transport and protocol tests."""
    return server_factory()
