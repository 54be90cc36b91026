"""Choosing, opening and building the configured knowledge index.

Embedded (default): one SQLite file under ``settings.data_dir``, built from
``settings.knowledge_dir`` the first time it is needed, and rebuilt at open when
that folder's content changed since the build or when it was built by an older
schema or embedding model. Azure AI Search: used when
``settings.azure_search_endpoint`` is set. A build also takes the examples the
review loop learned (``<data_dir>/learned_examples.jsonl``), so a rebuild never
forgets them, and ends with a calibration fit stored in the index itself.

Several processes may open the same data directory at once (``serve --workers``,
replicas on one volume, a CLI beside a container). Checking and building the embedded
index is done under an exclusive file lock, so it is built once and the others open
what it built; without it two builders replaced the file under each other's open
connection ("attempt to write a readonly database").
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.routing import calibration
from agent.embeddings import MODEL_ID
from agent.routing.embedded import EmbeddedIndex, IndexOutdated
from agent.routing.index import KnowledgeIndex
from agent.routing.knowledge import fingerprint, load_folder

INDEX_FILE = "knowledge.sqlite"
#: Examples learned from reviewed calls (``agent/learning/learned.py`` appends them): part of every build.
LEARNED_FILE = "learned_examples.jsonl"


def embedded_path(settings: Settings) -> Path:
    return settings.data_dir / INDEX_FILE


def learned_path(settings: Settings) -> Path:
    return settings.data_dir / LEARNED_FILE


_held = threading.local()  # the lock files this thread holds: taking one again must not wait on itself


@contextlib.contextmanager
def _building(settings: Settings) -> Iterator[None]:
    """Hold the data directory's index lock (one builder at a time across processes; re-entrant)."""
    path = embedded_path(settings).with_name(INDEX_FILE + ".lock")
    held: set[Path] = _held.__dict__.setdefault("paths", set())
    if path in held:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, also if this process dies
        held.add(path)
        try:
            yield
        finally:
            held.discard(path)


def build_index(settings: Settings, folder: Path | None = None) -> tuple[KnowledgeIndex, dict[str, Any]]:
    """(Re)build the configured index from a knowledge folder; returns it with its calibration report."""
    with _building(settings):
        return _build(settings, folder)


def _build(settings: Settings, folder: Path | None) -> tuple[KnowledgeIndex, dict[str, Any]]:
    source = Path(folder or settings.knowledge_dir)
    knowledge = load_folder(source, [learned_path(settings)])
    if settings.azure_search_endpoint:
        from agent.routing.azure_search import AzureSearchIndex

        index: KnowledgeIndex = AzureSearchIndex.from_settings(settings)
        index.rebuild(knowledge)  # type: ignore[attr-defined]
    else:
        index = EmbeddedIndex.build(embedded_path(settings), knowledge.passages, knowledge.examples, knowledge.lexicon)
    report = calibration.fit(index)
    report["source"] = str(source.resolve())
    report["fingerprint"] = fingerprint(source)
    index.set_meta("calibration", report)
    return index, report


def open_index(settings: Settings) -> KnowledgeIndex:
    """The configured index, built from ``settings.knowledge_dir`` if it does not exist yet."""
    if settings.azure_search_endpoint:
        from agent.routing.azure_search import AzureSearchIndex

        index = AzureSearchIndex.from_settings(settings)
        built_with = (index.get_meta("vectoriser") or {}).get("embedding_model")
        if index.get_meta("calibration") is None or built_with != MODEL_ID:  # unbuilt, or an older version's vectors
            index.close()
            index, _ = build_index(settings)
        return index
    with _building(settings):  # checked and (re)built by one process at a time
        return _open_embedded(settings)


def _open_embedded(settings: Settings) -> KnowledgeIndex:
    path = embedded_path(settings)
    if path.exists():
        try:
            index = EmbeddedIndex.open(path)
        except IndexOutdated:
            return build_index(settings)[0]  # built by an older version: rebuilt from the same folder
        if not _stale(index, settings.knowledge_dir):
            return index
        index.close()
    index, _ = build_index(settings)
    return index


def _stale(index: KnowledgeIndex, folder: Path) -> bool:
    """Built from ``folder``, and the folder has changed since (an index built from elsewhere is kept)."""
    built = index.get_meta("calibration") or {}
    if built.get("source") != str(Path(folder).resolve()):
        return False
    now = fingerprint(folder)
    return now is not None and built.get("fingerprint") != now
