"""Labelled review records back into routing: ``<data_dir>/learned_examples.jsonl`` and the index.

The JSONL file (same ``{"text", "target", "intent"}`` format as the knowledge
folder's ``examples/*.jsonl``) is the durable record and is written first, so a
failure while updating the index loses nothing: run the import again (adding an
example twice is a no-op in both places).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.config import Settings
from agent.routing.coordinator import Coordinator
from agent.routing.index import example_id
from agent.routing.indexes import learned_path
from agent.routing.knowledge import Example, parse_examples
from agent.learning.review import parse_labelled

@dataclass(frozen=True)
class ImportReport:
    labelled: int
    unlabelled: int
    new_in_file: int
    new_in_index: int
    file: Path


def append_examples(path: Path, examples: list[Example]) -> int:
    """Append the examples not already in ``path``; fsync'd; returns how many were new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = {example_id(e) for e in parse_examples(path.read_text(encoding="utf-8"), str(path))} if path.exists() else set()
    fresh: list[Example] = []
    for e in examples:
        if example_id(e) not in seen:
            seen.add(example_id(e))
            fresh.append(e)
    if fresh:
        data = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in fresh).encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    return len(fresh)


def import_labelled(settings: Settings, content: str, source: str) -> ImportReport:
    """Parse labelled lines (all or nothing), record them, and add them to the knowledge index."""
    examples, unlabelled = parse_labelled(content, source)
    path = learned_path(settings)
    new_in_index = 0
    if examples:
        # Open (and if need be build) the index before the file gains the new lines:
        # a build reads the learned file, and the count below must say what this import added.
        coordinator = Coordinator.from_settings(settings)
        try:
            new_in_index = coordinator.index.add_examples(examples)
        finally:
            coordinator.close()
    new_in_file = append_examples(path, examples)
    return ImportReport(len(examples), unlabelled, new_in_file, new_in_index, path)
