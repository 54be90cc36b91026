"""The knowledge index of samples/knowledge, built once per test run and copied into servers' data dirs.

A container with the real brain builds this index in an empty data directory when it starts:
about 6 s of CPU (embedding every passage and example, fitting the calibration) that comes out
the same for every test. Tests of something else start from a copy of one build instead, as
tests/unit/test_coordinator_index.py does; the cold build itself stays tested there and by
test_workers' cold starts (their LocalServers are never seeded).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from agent.config import ConfigError, Settings
from agent.routing.indexes import embedded_path, learned_path, open_index


def build(data_dir: Path) -> Path:
    """Build the default knowledge index in ``data_dir``; returns the index file."""
    settings = Settings(data_dir=data_dir)
    open_index(settings).close()
    return embedded_path(settings)


@functools.cache
def shared_index() -> Path:
    """The default index, built the first time a test of this process needs it (in a folder removed at exit)."""
    folder = tempfile.TemporaryDirectory(prefix="sb-knowledge-")
    atexit.register(folder.cleanup)
    return build(Path(folder.name))


def seeded(data_dir: Path) -> Path:
    """``data_dir`` with a copy of the shared default index, unless it holds an index or learned examples of its
    own (a brain on it would build exactly that index: seconds of CPU for the same file)."""
    settings = Settings(data_dir=data_dir)
    if not embedded_path(settings).exists() and not learned_path(settings).exists():
        seed(data_dir, shared_index())
    return data_dir


def would_build_default(data_dir: Path, env: Mapping[str, str]) -> bool:
    """Whether a server with environment ``env`` (all of it) would build exactly the default index in ``data_dir`` now."""
    try:
        settings = Settings.from_env({**env, "SWITCHBOARD_DATA_DIR": str(data_dir)})
    except ConfigError:
        return False  # the server will refuse to start, which is what such a test checks
    return (settings.brain == "switchboard" and not settings.azure_search_endpoint
            and settings.knowledge_dir.resolve() == Settings().knowledge_dir.resolve()
            # a build takes learned examples too: a data dir that has some gets its own build
            and not embedded_path(settings).exists() and not learned_path(settings).exists())


def seed(data_dir: Path, index: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(index, data_dir / index.name)
