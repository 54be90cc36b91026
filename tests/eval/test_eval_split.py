"""The evaluation split stays honest: the fixed test part, the dev part, the older eval set and
the router's training examples share no identical or near-identical sentence, and the two
parts cover the same labels in about the same proportions.

These checks are about the data, not about routing quality: the test part is scored by
``python -m tests.eval.score tests/eval/routing_test.jsonl`` and is no pass/fail gate yet.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEST, DEV = HERE / "routing_test.jsonl", HERE / "routing_dev.jsonl"
CONVERSATIONS = HERE / "conversations"
TARGETS = {"field_ops", "it_ops", "human"}
#: Token-set similarity at or above which two sentences count as the same sentence reworded.
NEAR = 0.8


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def near_duplicates(left: list[str], right: list[str]) -> list[tuple[str, str]]:
    """Pairs (one from each list) whose word sets overlap by at least ``NEAR`` (Jaccard)."""
    right_tokens = [(_tokens(r), r) for r in right]
    pairs = []
    for text in left:
        a = _tokens(text)
        for b, other in right_tokens:
            if a and b and len(a & b) / len(a | b) >= NEAR:
                pairs.append((text, other))
    return pairs


def _example_texts() -> list[str]:
    return [row["text"] for path in sorted((ROOT / "samples/knowledge/examples").glob("*.jsonl"))
            for row in _rows(path)]


def _conversation_openers(part: str) -> list[str]:
    return [conv["turns"][0] for path in sorted((CONVERSATIONS / part).glob("*.yaml"))
            for conv in yaml.safe_load(path.read_text()) if isinstance(conv["turns"][0], str)]


def test_near_duplicate_measure_catches_rewordings_and_spares_different_requests() -> None:
    assert near_duplicates(["The pump at site 12 is leaking!"], ["the pump at site 12 is leaking"])
    assert near_duplicates(["pump at site twelve is leaking badly"], ["the pump at site twelve is leaking badly"])
    assert not near_duplicates(["the pump at site twelve is leaking"], ["my laptop will not start"])


def test_sizes_and_labels() -> None:
    test, dev = _rows(TEST), _rows(DEV)
    assert len(test) >= 250 and len(dev) >= 150
    for row in test + dev:
        assert set(row) <= {"text", "target", "intent", "current"}, row
        assert row["target"] in TARGETS and row["text"].strip(), row
        if "current" in row:
            assert row["current"]["target"] in TARGETS, row


def test_both_parts_have_the_same_label_mix() -> None:
    test, dev = Counter(r["intent"] for r in _rows(TEST)), Counter(r["intent"] for r in _rows(DEV))
    assert set(test) == set(dev)
    n_test, n_dev = sum(test.values()), sum(dev.values())
    for intent in test:
        # Within four points of each other: a dev score means something for the test part.
        assert abs(test[intent] / n_test - dev[intent] / n_dev) < 0.04, intent


@pytest.mark.parametrize(("left", "right"), [("test", "dev"), ("test", "examples"), ("dev", "examples"),
                                             ("test", "routing_eval"), ("dev", "routing_eval")])
def test_no_sentence_is_shared_between_parts(left: str, right: str) -> None:
    texts = {
        "test": [r["text"] for r in _rows(TEST)] + _conversation_openers("test"),
        # dev_round*: dev conversations written blind, each folder scored on fresh stores of its own.
        "dev": [r["text"] for r in _rows(DEV)] + [t for part in ("dev", *(f"dev_round{n}" for n in range(4, 82)))
                                                   for t in _conversation_openers(part)],
        "examples": _example_texts(),
        "routing_eval": [r["text"] for r in _rows(HERE / "routing_eval.jsonl")],
    }
    # Only the eval sentence is shown: the training examples stay unread by whoever writes the sets.
    assert not [a for a, _ in near_duplicates(texts[left], texts[right])]


@pytest.mark.parametrize("part", ["test", "dev"])
def test_no_sentence_repeats_inside_a_part(part: str) -> None:
    texts = [r["text"] for r in _rows(HERE / f"routing_{part}.jsonl")]
    repeated = [a for a, b in combinations(texts, 2) if near_duplicates([a], [b])]
    assert not repeated
