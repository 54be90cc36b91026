"""``switchboard bench latency --server-cpus``: the server it starts really runs where it was told.

The figures are the benchmark's; here only the placement: every thread of the server process
(and of anything it starts) has the affinity asked for, the client keeps its own, and with
``--compare-unpinned`` the other server is not pinned. The drivers that would speak turns
are replaced by ones that read the server's affinity while it runs.
"""

from __future__ import annotations

import argparse
import os

import psutil
import pytest

from agent.dev.bench import latency

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ALL = os.sched_getaffinity(0)


def _affinities(pid: int) -> set[frozenset[int]]:
    """The affinity of every thread of the process and of its descendants."""
    seen = set()
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        for thread in proc.threads():
            try:
                seen.add(frozenset(os.sched_getaffinity(thread.id)))
            except ProcessLookupError:  # a thread that ended meanwhile
                pass
    return seen


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    latency.add_arguments(parser)
    return parser.parse_args(["--brain", "placeholder", *argv])


def test_cpu_lists_read_like_taskset():
    assert latency.parse_cpus("0") == {0}
    assert latency.parse_cpus("0,1") == {0, 1}
    assert latency.parse_cpus("0-2,5") == {0, 1, 2, 5}
    for bad in ("", "a", "-1", "1-0"):
        with pytest.raises(argparse.ArgumentTypeError):
            latency.parse_cpus(bad)


@pytest.mark.skipif(len(ALL) < 2, reason="needs two CPUs to tell pinned from unpinned")
def test_the_server_started_runs_only_on_the_cpus_asked_for(monkeypatch):
    cpu = min(ALL)
    seen: dict[str, object] = {}

    async def drive(url, sessions_list, turns, rate, seed, server_pid=None, barge_ins=0):
        seen["server"] = _affinities(server_pid)
        seen["client"] = os.sched_getaffinity(0)
        return True

    monkeypatch.setattr(latency, "_run", drive)
    assert latency.run(_args("--server-cpus", str(cpu))) == 0
    assert seen["server"] == {frozenset({cpu})}  # every thread, none left on the other CPU
    assert seen["client"] == ALL


@pytest.mark.skipif(len(ALL) < 2, reason="needs two CPUs to tell pinned from unpinned")
def test_compared_with_an_unpinned_server_only_the_pinned_one_is_pinned(monkeypatch):
    cpu = max(ALL)
    seen: dict[str, set[frozenset[int]]] = {}

    async def compare(servers, sessions, turns, rate, seed, rounds):
        for label, (_, pid) in servers.items():
            seen[label] = _affinities(pid)
        return True

    monkeypatch.setattr(latency, "_compare", compare)
    assert latency.run(_args("--server-cpus", str(cpu), "--compare-unpinned", "--sessions", "1")) == 0
    assert seen == {"unpinned": {frozenset(ALL)}, f"pinned to CPU {cpu}": {frozenset({cpu})}}
