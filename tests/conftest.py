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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with slow tests (speech models, real audio, the completeness refit) run first. Whole files go to one
    worker (``--dist loadfile --no-loadscope-reorder``, Makefile), so the long ones start at once and the many
    short ones fill in at the end, instead of a three-minute file starting last on one worker while the other
    idles. Among them, the one allowed the longest (its largest timeout mark) first. Each file keeps its order."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    longest: dict[Path, float] = {}
    for item in items:
        mark = item.get_closest_marker("timeout")
        longest[item.path] = max(longest.get(item.path, 0.0), float(mark.args[0]) if mark and mark.args else 0.0)
    items.sort(key=lambda item: (item.path not in slow, -longest[item.path] if item.path in slow else 0.0))
