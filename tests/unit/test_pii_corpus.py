"""Recall per PII category and false redactions of ops ids, on the labelled corpus.

``pii_corpus_dev.jsonl`` is what the redactor was tuned on; ``pii_corpus_test.jsonl`` was
written and committed before any tuning and is never tuned on: its figures are the honest
ones (README, reliability section). Both run through the redactor directly and through the
labelling import, which is where a labeller's typing reaches the learned examples and index.
"""

from __future__ import annotations

import json

import pytest

from agent.privacy.redact import redact
from agent.learning.review import parse_labelled
from tests.unit.pii_score import BLIND, DEV, TEST, leaked, load, report, score

#: Held-out recall as measured when the redactor was last changed; a drop is a regression.
TEST_RECALL_FLOOR = {"address": 1.0, "dob": 1.0, "email": 1.0, "name": 1.0, "phone": 1.0, "ssn": 1.0}


def test_dev_corpus_full_recall_and_no_false_redactions(capsys: pytest.CaptureFixture[str]) -> None:
    s = score(load(DEV))
    with capsys.disabled():
        print("\n" + report("dev", s))
    assert not s.misses and not s.false


def test_held_out_corpus_keeps_every_ops_id_and_its_recall(capsys: pytest.CaptureFixture[str]) -> None:
    s = score(load(TEST))
    with capsys.disabled():
        print("\n" + report("test (held out)", s))
    assert not s.false  # no work-order, incident, asset, site number, visit date or time redacted
    assert set(s.total) == set(TEST_RECALL_FLOOR)
    for category, floor in TEST_RECALL_FLOOR.items():
        assert s.recall(category) >= floor, category


#: Recall on the two blind corpora as last measured (2026-12-02, after the dev batches in other writers'
#: styles): far from the 100 % of the corpora written beside the redactor, which is the honest picture of
#: callers nobody wrote a rule for. Raised as the redactor improves; never lowered.
BLIND_RECALL_FLOOR = (
    {"address": 0.81, "dob": 0.95, "email": 0.95, "name": 0.92, "phone": 1.0, "ssn": 0.91},
    {"address": 0.72, "dob": 0.68, "email": 0.86, "name": 0.69, "phone": 0.85, "ssn": 0.90},
)


@pytest.mark.parametrize("which", [0, 1], ids=["blind1", "blind2"])
def test_blind_corpora_keep_every_ops_id_and_do_not_lose_recall(which: int, capsys: pytest.CaptureFixture[str]) -> None:
    s = score(load(BLIND[which]))
    with capsys.disabled():
        print("\n" + report(f"blind {which + 1}", s).splitlines()[0])
    assert not s.false
    for category, floor in BLIND_RECALL_FLOOR[which].items():
        assert s.recall(category) >= floor, category


@pytest.mark.parametrize("path", [DEV, TEST], ids=["dev", "test"])
def test_a_labeller_typing_pii_before_import_is_redacted_too(path) -> None:
    rows = load(path)
    label = {"target": "it_ops", "intent": "incident.create"}
    lines = [json.dumps({"id": f"r{i}", "text": row["text"], "label": label}) for i, row in enumerate(rows)]
    examples, _ = parse_labelled("\n".join(lines), "labels.jsonl")
    assert len(examples) == len(rows)
    imported = {row["text"]: ex.text for row, ex in zip(rows, examples)}
    direct = score(rows)
    missed_directly = {(c, text) for c, text, _, _ in direct.misses}
    for row in rows:
        for item in row["pii"]:
            if (item["category"], row["text"]) not in missed_directly:
                assert not leaked(item["value"], imported[row["text"]]), (row["text"], imported[row["text"]])
        for keep in row["keep"]:
            assert keep in imported[row["text"]]


def test_operations_utterances_pass_through_unchanged() -> None:
    """Every routing-eval utterance and knowledge example is ops talk with no personal data:
    work orders, assets, sites, dates and times. Not one may be touched."""
    root = DEV.parent.parent.parent
    files = [*sorted((root / "tests" / "eval").glob("routing*.jsonl")),
             *sorted((root / "samples" / "knowledge").rglob("*.jsonl"))]
    texts = {json.loads(line)["text"] for f in files for line in f.read_text().splitlines() if line.strip()}
    assert len(texts) > 500
    changed = [(t, redact(t)) for t in texts if redact(t) != t]
    assert changed == []
