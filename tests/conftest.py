"""Shared fixtures: real switchboard servers on loopback, started as subprocesses."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from agent.dev.localserver import LocalServer as Server
from tests.support import knowledge


@pytest.fixture(scope="session")
def seed_knowledge() -> Callable[[Server], Server]:
    """``seed(server)`` (before it starts): give a real-brain server's empty data dir the knowledge index
    built once per run (tests/support/knowledge.py), so it does not spend seconds of CPU building the same one."""

    def seed(server: Server) -> Server:
        if knowledge.would_build_default(server.data_dir, server.env):
            knowledge.seed(server.data_dir, knowledge.shared_index())  # (built by the first that needs it)
        return server

    return seed


@pytest.fixture
def server_factory(tmp_path: Path, seed_knowledge) -> Iterator:
    started: list[Server] = []

    def make(env: dict[str, str] | None = None, *, data_dir: Path | None = None, port: int | None = None) -> Server:
        server = seed_knowledge(Server(data_dir or tmp_path / "data", env, port)).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop(9)


@pytest.fixture
def server(server_factory) -> Server:
    """A container with the placeholder brain and no speech: transport and protocol tests."""
    return server_factory()
