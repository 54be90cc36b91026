"""The knowledge folder, the embedded index (build, search, add_examples), text normalisation,
calibration maths and the `switchboard route` / `index build` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agent.config import REPO_ROOT, Settings
from agent.routing import Coordinator
from agent.routing.calibration import fit_blend, reliability
from agent.routing.embedded import SCHEMA_VERSION, EmbeddedIndex, IndexOutdated, fts_query
from agent.routing.indexes import build_index, embedded_path
from agent.embeddings import DIM, EmbeddingModelMissing, Encoder, shared_encoder
from agent.wheelfiles import package_file
from agent.routing.knowledge import Example, KnowledgeError, load_folder, parse_article, parse_examples
from agent.routing.router import FEATURES
from agent.routing.text import Lexicon, normalise
from agent.contracts.state import CallState

SAMPLES = REPO_ROOT / "samples" / "knowledge"


# --- text ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("spoken,plain", [
    ("um the pump at site, uh, fourteen is like leaking", "the pump at site 14 is leaking"),
    ("I'd like to reset my pass word on the v p n", "id like to reset my password on the vpn"),
    ("work order one oh two three four", "work order 10234"),
    ("pump p forty five twelve", "pump p 4512"),
    ("ticket two double oh one seven", "ticket 20017"),
    ("twelve hundred and five", "1205"),
    ("the the printer, you know, is jammed", "the printer is jammed"),
    ("oh no the wi fi", "oh no the wifi"),
    # A split word's last part with "'s" or a plural "s" is joined too.
    ("the Wi-Fi's down", "the wifi down"), ("two e-mails", "2 email"),
])
def test_spoken_style_is_normalised(spoken: str, plain: str):
    assert normalise(spoken) == plain


def test_lexicon_concepts_become_terms():
    lex = Lexicon({"fault": ["broken", "not working", "crash*"]})
    assert lex.terms("my laptop keeps crashing") == ["kfault"]
    assert lex.terms("outlook is not working") == ["kfault"]
    assert lex.terms("all good") == []


@pytest.mark.parametrize("hostile", ['"OR* NEAR(', "a AND NOT b", "col:val ^2", "x\" OR \"y", "NEAR/3 (a b)"])
def test_fts_queries_quote_every_term(hostile: str):
    q = fts_query(hostile, Lexicon())
    assert q is None or all(part.startswith('"') and part.endswith('"') and part.count('"') == 2
                            for part in q.split(" OR "))


# --- knowledge folder -----------------------------------------------------------------------------
def test_sample_knowledge_base_is_complete():
    kb = load_folder(SAMPLES)
    articles = {p.id.split("#")[0] for p in kb.passages}
    assert len(articles) >= 15
    intents = {e.intent for e in kb.examples}
    assert {"work_order.create", "incident.create", "password.reset", "safety.emergency", "knowledge.howto"} <= intents
    assert {p.domain for p in kb.passages} == {"field_ops", "it_ops"}
    assert kb.lexicon


def test_eval_utterances_are_not_training_examples():
    training = {normalise(e.text) for e in load_folder(SAMPLES).examples}
    rows = [json.loads(line) for line in (REPO_ROOT / "tests" / "eval" / "routing_eval.jsonl").read_text().splitlines()]
    assert len(rows) >= 200
    assert not [r["text"] for r in rows if normalise(r["text"]) in training]


def test_article_sections_become_passages():
    passages = parse_article("---\ntitle: VPN\ndomain: it_ops\n---\nIntro text.\n\n## Reset\nDo this.\n", "vpn")
    assert [(p.id, p.title, p.text) for p in passages] == [("vpn#0", "VPN", "Intro text."), ("vpn#1", "VPN: Reset", "Do this.")]
    heading = parse_article("---\ndomain: field_ops\n---\n# Pumps\nBody.\n", "pumps")
    assert heading[0].title == "Pumps" and heading[0].domain == "field_ops"


@pytest.mark.parametrize("content,message", [
    ("# Title only\nno domain\n", "domain"),
    ("---\ndomain: it_ops\n---\nno title\n", "no title"),
    ("---\ntitle: x\ndomain: finance\n---\nbody\n", "domain"),
    ("---\ntitle: [unclosed\n---\nbody\n", "front matter"),
])
def test_bad_articles_are_refused(content: str, message: str):
    with pytest.raises(KnowledgeError, match=message):
        parse_article(content, "bad")


@pytest.mark.parametrize("line,message", [
    ("{not json", r"x.jsonl:2: not valid JSON"),
    ('["a list"]', "JSON object"),
    ('{"text": "", "target": "it_ops", "intent": "incident.create"}', "non-empty"),
    ('{"text": "hi", "target": "finance", "intent": "incident.create"}', "target"),
    ('{"text": "hi", "target": "it_ops", "intent": "coffee.order"}', "unknown intent"),
    ('{"text": "' + "x" * 2000 + '", "target": "it_ops", "intent": "incident.create"}', "longer than"),
])
def test_bad_example_lines_are_refused_with_file_and_line(line: str, message: str):
    good = '{"text": "my laptop is broken", "target": "it_ops", "intent": "incident.create"}'
    with pytest.raises(KnowledgeError, match=message):
        parse_examples(good + "\n" + line + "\n", "x.jsonl")


# --- embedded index ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("index"))
    index, report = build_index(settings, SAMPLES)
    index.close()
    return settings, report


def test_build_stores_a_calibration_fitted_on_held_out_examples(built):
    settings, report = built
    assert report["examples"] == len(load_folder(SAMPLES).examples)
    assert 0.7 < report["loo_accuracy"] <= 1.0 and 0 <= report["loo_ece"] < 0.15
    index = EmbeddedIndex.open(embedded_path(settings))
    stored = index.get_meta("calibration")
    assert stored["weights"] == list(report["weights"]) and stored["background"] == report["background"]
    assert len(stored["weights"]) == len(FEATURES) and min(stored["weights"]) >= 0 and max(stored["weights"]) > 0
    index.close()


def test_search_fuses_text_and_vectors_over_articles(built):
    index = EmbeddedIndex.open(embedded_path(built[0]))
    hits = index.search("compressor knocking noise", k=3)
    assert hits[0].id.startswith("compressors#") and hits[0].kind == "article"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    examples = index.search("forgot my password", k=3, kind="example")
    assert examples and all(h.kind == "example" for h in examples)
    index.close()


def test_add_examples_without_rebuild_changes_routing_and_survives_reopen(built, tmp_path: Path):
    settings = built[0].with_(data_dir=tmp_path)
    (tmp_path / "knowledge.sqlite").write_bytes(embedded_path(built[0]).read_bytes())
    coordinator = Coordinator.from_settings(settings)
    phrase = "the flibbertigibbet on the zorbulator is wonky"
    assert coordinator.decide(phrase, CallState(session_id="a")).confidence < 0.5
    new = [Example(f"the flibbertigibbet on the zorbulator is {w}", "field_ops", "work_order.create")
           for w in ("wonky", "rattling", "stuck", "off")]
    before = coordinator.index.count("example")
    assert coordinator.index.add_examples(new) == 4
    assert coordinator.index.add_examples(new) == 0  # the same example twice is a no-op
    coordinator.close()

    reopened = Coordinator.from_settings(settings)
    assert reopened.index.count("example") == before + 4
    d = reopened.decide(phrase, CallState(session_id="b"))
    assert (d.target, d.intent) == ("field_ops", "work_order.create")
    reopened.close()


def test_a_failed_build_leaves_the_old_index_in_place(built, tmp_path: Path):
    settings = built[0].with_(data_dir=tmp_path)
    (tmp_path / "knowledge.sqlite").write_bytes(embedded_path(built[0]).read_bytes())
    broken = tmp_path / "broken"
    (broken / "examples").mkdir(parents=True)
    (broken / "examples" / "x.jsonl").write_text('{"text": "ok", "target": "it_ops", "intent": "incident.create"}\n{oops\n')
    with pytest.raises(KnowledgeError, match="x.jsonl:2"):
        build_index(settings, broken)
    index = EmbeddedIndex.open(tmp_path / "knowledge.sqlite")
    assert index.count("example") == len(load_folder(SAMPLES).examples)
    assert not list(tmp_path.glob("*.building-*"))
    index.close()


# --- dense embeddings and the fitted blend ------------------------------------------------------------
def test_the_encoder_gives_unit_vectors_that_put_paraphrases_together():
    v = shared_encoder().encode(["the walk in freezer is not keeping things cold",
                                 "our cold room is warming up", "i need to reset my password", ""])
    assert v.shape == (4, DIM) and np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-4)
    assert not v[3].any()  # nothing said: no direction at all
    # No word in common, same meaning: closer than a different request.
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_a_text_gets_the_same_vector_in_any_batch_and_the_memo_reuses_it():
    texts = ["pump", "the compressor at the north yard trips every time it starts under load", "vpn down"]
    batched = Encoder().encode(texts)
    alone = np.vstack([Encoder().encode([t]) for t in texts])
    assert np.array_equal(batched, alone)  # padding never leaks into a vector
    encoder = Encoder()
    encoder.encode(texts)
    runs: list[int] = []
    real_run = encoder._run
    encoder._run = lambda batch: runs.append(len(batch)) or real_run(batch)  # type: ignore[method-assign]
    again = encoder.encode(texts[::-1] + ["something new"])
    assert runs == [1] and np.array_equal(again[:3], batched[::-1])


def test_missing_model_wheels_fail_with_the_install_command():
    with pytest.raises(EmbeddingModelMissing, match="requirements/models.txt"):
        package_file("no_such_model_package", "model.onnx", EmbeddingModelMissing)


def test_dense_evidence_routes_requests_that_share_no_word_with_any_example(tmp_path: Path):
    field = ["the boiler is making a banging noise", "a pump at the depot is leaking oil",
             "the lift is stuck between floors", "the freezer in the warehouse is too warm"]
    it = ["my laptop will not turn on", "outlook keeps crashing when I open it",
          "the vpn disconnects every few minutes", "i cannot print to the office printer"]
    examples = [Example(t, "field_ops", "work_order.create") for t in field] + [Example(t, "it_ops", "incident.create") for t in it]
    index = EmbeddedIndex.build(tmp_path / "k.sqlite", [], examples)
    for query, label in [("our refrigerator stopped cooling overnight", "field_ops/work_order.create"),
                         ("the elevator doors will not close", "field_ops/work_order.create"),
                         ("a pipe burst in the plant room", "field_ops/work_order.create"),
                         ("email app freezes on startup", "it_ops/incident.create")]:
        hits = index.example_hits(query)
        assert hits.dense[0][0] == label, query
        assert max(hits.dense_centroid, key=lambda h: h[1])[0] == label, query
    assert not index.example_hits("our refrigerator stopped cooling overnight").text  # BM25 has nothing to say
    index.close()


def test_opening_an_index_reads_stored_vectors_and_an_older_index_is_rebuilt(built, tmp_path: Path):
    settings = built[0].with_(data_dir=tmp_path)
    (tmp_path / "knowledge.sqlite").write_bytes(embedded_path(built[0]).read_bytes())
    runs: list[int] = []

    class Counting:  # the real encoder, counting the texts it embeds
        def encode(self, texts: list[str]) -> np.ndarray:
            runs.append(len(texts))
            return shared_encoder().encode(texts)

    index = EmbeddedIndex.open(tmp_path / "knowledge.sqlite", encoder=Counting())  # type: ignore[arg-type]
    assert runs == []  # nothing re-embedded at open
    index.example_hits("the chiller is tripping")
    index.search("the chiller is tripping")
    assert runs == [1]  # one query, embedded once for routing and retrieval
    index.set_meta("schema", SCHEMA_VERSION - 1)
    index.close()
    with pytest.raises(IndexOutdated, match="rebuild"):
        EmbeddedIndex.open(tmp_path / "knowledge.sqlite")
    coordinator = Coordinator.from_settings(settings)  # rebuilt from the knowledge folder
    assert coordinator.index.get_meta("schema") == SCHEMA_VERSION
    coordinator.close()


def test_the_blend_fit_recovers_the_evidence_that_predicts_and_drops_the_rest():
    rng = np.random.default_rng(7)
    n, labels = 400, 5
    ev = rng.uniform(0, 1, size=(n, len(FEATURES), labels))
    logits = 6.0 * ev[:, 3] + 2.0 * ev[:, 1]  # only two kinds of evidence matter
    truth = np.array([rng.choice(labels, p=np.exp(z) / np.exp(z).sum()) for z in logits])
    ev[:, 2] = 1.0 - ev[:, 3]  # a kind that only points the wrong way
    cal, nll = fit_blend(ev, truth)
    w = dict(zip(FEATURES, cal.weights))
    assert w["text"] == 0.0 and all(x >= 0 for x in cal.weights)
    assert 4.5 < w["dense_knn"] < 7.5 and 1.0 < w["centroid"] < 3.0
    ablated, worse = fit_blend(ev, truth, [f != "dense_knn" for f in FEATURES])
    assert dict(zip(FEATURES, ablated.weights))["dense_knn"] == 0.0 and worse > nll


def test_reliability_table_and_ece():
    table, ece = reliability([0.95, 0.95, 0.55, 0.55], [True, True, True, False])
    assert [(b.count, b.accuracy) for b in table] == [(2, 0.5), (2, 1.0)]
    assert ece == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)


# --- commands ----------------------------------------------------------------------------------------
def _run(args: list[str], data_dir: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], input=stdin, env=env,
                          capture_output=True, timeout=120, cwd=REPO_ROOT)


def test_route_command_prints_one_decision_per_line_with_no_server(built, tmp_path: Path):
    (tmp_path / "knowledge.sqlite").write_bytes(embedded_path(built[0]).read_bytes())
    lines = "um the pump at site fourteen is leaking\nI smell gas\n\n\"OR* NEAR(\n\xff\xfe broken bytes\n"
    out = _run(["route"], tmp_path, lines.encode("utf-8") + b"\xff\n")
    assert out.returncode == 0, out.stderr.decode()
    decisions = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(decisions) == 6
    assert all({"target", "intent", "confidence", "action", "alternatives", "reason"} <= d.keys() for d in decisions)
    assert (decisions[0]["target"], decisions[0]["intent"]) == ("field_ops", "work_order.create")
    assert (decisions[1]["target"], decisions[1]["priority"]) == ("human", "emergency")
    assert decisions[2]["action"] == "clarify"
    log = (tmp_path / "decisions.jsonl").read_text().splitlines()
    assert len(log) == 6


def test_index_build_command_reports_and_refuses_bad_folders(tmp_path: Path):
    out = _run(["index", "build", str(tmp_path / "nowhere")], tmp_path)
    assert out.returncode == 2 and b"knowledge folder not found" in out.stderr


def test_an_edited_knowledge_folder_is_rebuilt_at_open_and_learned_examples_are_kept(tmp_path: Path):
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(SAMPLES, kb)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb)
    settings.ensure_data_dir()
    learned = {"text": "the quux valve is wobbling", "target": "field_ops", "intent": "work_order.create"}
    (settings.data_dir / "learned_examples.jsonl").write_text(json.dumps(learned) + "\n")
    c = Coordinator.from_settings(settings)
    count = c.index.count("example")
    assert any(e.text == learned["text"] for _, e in c.index.examples())
    c.close()

    # Unchanged folder: the same index file is opened, not rebuilt.
    stamp = embedded_path(settings).stat().st_mtime_ns
    Coordinator.from_settings(settings).close()
    assert embedded_path(settings).stat().st_mtime_ns == stamp

    extra = {"text": "the blorp meter is blinking red", "target": "field_ops", "intent": "work_order.create"}
    (kb / "examples" / "extra.jsonl").write_text(json.dumps(extra) + "\n")
    c = Coordinator.from_settings(settings)
    assert c.index.count("example") == count + 1
    c.close()


def test_a_label_first_seen_through_add_examples_can_be_routed(tmp_path: Path):
    kb = tmp_path / "kb"
    (kb / "examples").mkdir(parents=True)
    (kb / "examples" / "a.jsonl").write_text("\n".join(json.dumps({"text": t, "target": "it_ops", "intent": "incident.create"})
                                                        for t in ("my laptop is broken", "outlook crashed", "vpn is down")) + "\n")
    c = Coordinator.from_settings(Settings(data_dir=tmp_path / "data", knowledge_dir=kb))
    c.index.add_examples([Example(t, "it_ops", "password.reset")
                          for t in ("I forgot my password", "reset my password", "my password expired")])
    d = c.decide("I forgot my password again", CallState(session_id="x"))
    assert d.intent == "password.reset"
    c.close()


@pytest.mark.parametrize("misheard,intent", [
    ("my pasword has expird and I cant log in", "password.reset"),
    ("the compresser at site twelve is nocking really bad", "work_order.create"),
    ("the printa on floor too is jamd", "incident.create"),
])
def test_recogniser_misspellings_still_route(built, misheard: str, intent: str):
    c = Coordinator.from_settings(built[0])
    assert c.decide(misheard, CallState(session_id="asr")).intent == intent
    c.close()


_HOLD_THE_BUILD_LOCK = """
import sys, time
from pathlib import Path
from agent.config import Settings
from agent.routing.indexes import _building

log = Path(sys.argv[2])
with _building(Settings(data_dir=Path(sys.argv[1]))):
    with log.open("a") as f:
        f.write(f"in {time.monotonic()}\\n")
    time.sleep(0.4)
    with log.open("a") as f:
        f.write(f"out {time.monotonic()}\\n")
"""


def test_the_index_build_lock_lets_one_process_build_at_a_time(tmp_path: Path):
    # Workers and replicas on one data directory race to build the index on a cold start; the file
    # lock is what makes it one build (the cold-start test in test_workers.py races real workers once).
    log = tmp_path / "log"
    procs = [subprocess.Popen([sys.executable, "-c", _HOLD_THE_BUILD_LOCK, str(tmp_path / "data"), str(log)],
                              cwd=REPO_ROOT) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    events = [line.split() for line in log.read_text().splitlines()]
    assert [kind for kind, _ in events] == ["in", "out"] * 3  # never two inside at once
    times = [float(t) for _, t in events]
    assert times == sorted(times)


def test_the_index_build_lock_is_reentrant_in_one_thread(tmp_path: Path):
    from agent.routing.indexes import _building

    settings = Settings(data_dir=tmp_path)
    with _building(settings), _building(settings):  # open_index holds it while build_index takes it again
        assert (tmp_path / "knowledge.sqlite.lock").exists()
