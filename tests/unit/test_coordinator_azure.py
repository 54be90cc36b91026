"""The Azure AI Search backend at the wire: the real azure-search-documents 12.0.0 SDK
talks to an in-memory fake of the service through an azure-core transport.

We assert the request bodies the SDK really sends (index definition, hybrid query,
uploads, meta documents) and feed back response bodies in the service's JSON shape.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._requests_basic import RestRequestsTransportResponse

from agent.config import Settings
from agent.routing import Coordinator
from agent.routing.azure_search import AZURE_DIM, AzureSearchIndex, cosine_from_score
from agent.routing.embedded import EmbeddedIndex
from agent.embeddings import DIM as DENSE_DIM
from agent.routing.indexes import build_index
from agent.routing.knowledge import Example
from agent.routing.policy import load_policy
from agent.contracts.state import CallState

ENDPOINT = "https://northwind.search.windows.net"
GATE_TIMEOUT_S = 10.0
INDEX = "switchboard-knowledge"


class FakeSearchService(HttpTransport):
    """Just enough of Azure AI Search: index create/delete, upload, lookup, search."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any] | None]] = []
        self.index: dict[str, Any] | None = None
        self.docs: dict[str, dict[str, Any]] = {}
        # A slow service: when set, each search blocks its calling thread until the gate opens.
        self.gate: threading.Event | None = None
        self.gated = 0  # searches that had to wait for the gate
        self.timed_out = 0  # searches whose gate never opened: nothing else ran meanwhile

    # azure-core plumbing
    def open(self) -> None: ...
    def close(self) -> None: ...
    def __exit__(self, *args: Any) -> None: ...

    def send(self, request: Any, **kwargs: Any) -> Any:
        path = request.url.split("?", 1)[0].removeprefix(ENDPOINT)
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, path, body))
        if self.gate is not None and path.endswith("/docs/search.post.search") and not self.gate.is_set():
            self.gated += 1
            if not self.gate.wait(GATE_TIMEOUT_S):
                self.timed_out += 1
        status, reply = self._handle(request.method, path, body)
        raw = requests.Response()
        raw.status_code = status
        raw.raw = io.BytesIO(json.dumps(reply).encode() if reply is not None else b"")
        raw.headers["Content-Type"] = "application/json; odata.metadata=none"
        raw.reason = "fake"
        response = RestRequestsTransportResponse(request=request, internal_response=raw, block_size=4096)
        response.read()
        return response

    def _handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        not_found = (404, {"error": {"code": "ResourceNotFound", "message": "No such resource."}})
        if method == "POST" and path == "/indexes":
            self.index = body
            return 201, body
        if method == "DELETE" and path == f"/indexes('{INDEX}')":
            if self.index is None:
                return not_found
            self.index, self.docs = None, {}
            return 204, None
        if method == "POST" and path == f"/indexes('{INDEX}')/docs/search.index":
            for action in body["value"]:
                doc = {k: v for k, v in action.items() if not k.startswith("@")}
                self.docs[doc["id"]] = {**self.docs.get(doc["id"], {}), **doc}
            return 200, {"value": [{"key": a["id"], "status": True, "errorMessage": None, "statusCode": 200} for a in body["value"]]}
        m = re.fullmatch(rf"/indexes\('{INDEX}'\)/docs\('([^']+)'\)", path)
        if method == "GET" and m:
            doc = self.docs.get(m.group(1))
            return (200, {"text": doc["text"]}) if doc else not_found
        if method == "POST" and path == f"/indexes('{INDEX}')/docs/search.post.search":
            return 200, {"value": self._search(body)}
        return 400, {"error": {"code": "BadRequest", "message": f"unexpected {method} {path}"}}

    def _search(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        docs = [d for d in self.docs.values() if self._matches(d, body.get("filter"))]
        rankings: list[list[tuple[str, float]]] = []
        text = body.get("search")
        if text and text != "*":
            words = set(text.split())
            scored = [(d["id"], float(len(words & set(d["body"].split())))) for d in docs]
            rankings.append(sorted([s for s in scored if s[1] > 0], key=lambda s: -s[1]))
        for vq in body.get("vectorQueries", []):
            q = np.asarray(vq["vector"])
            scored = [(d["id"], 1.0 / (2.0 - float(np.dot(q, d[vq["fields"]])))) for d in docs]
            rankings.append(sorted(scored, key=lambda s: -s[1])[: vq["k"]])
        if not rankings:
            ranked = [(d["id"], 1.0) for d in docs]
        elif len(rankings) == 1:
            ranked = rankings[0]
        else:  # hybrid: reciprocal rank fusion, as the service does
            fused: dict[str, float] = {}
            for ranking in rankings:
                for rank, (doc_id, _) in enumerate(ranking):
                    fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (60 + rank + 1)
            ranked = sorted(fused.items(), key=lambda s: -s[1])
        select = body.get("select", "").split(",") if body.get("select") else None
        out = []
        for doc_id, score in ranked[: body.get("top", 50)]:
            doc = self.docs[doc_id]
            out.append({"@search.score": score, **{k: v for k, v in doc.items() if select is None or k in select}})
        return out

    @staticmethod
    def _matches(doc: dict[str, Any], flt: str | None) -> bool:
        for field, op, value in re.findall(r"(\w+) (eq|ne) '((?:[^']|'')*)'", flt or ""):
            if (doc.get(field) == value.replace("''", "'")) != (op == "eq"):
                return False
        return True

    def searches(self) -> list[dict[str, Any]]:
        return [b for m, p, b in self.requests if p.endswith("/docs/search.post.search")]


def small_knowledge(root: Path) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "examples").mkdir()
    (root / "articles" / "vpn.md").write_text(
        "---\ntitle: VPN tokens\ndomain: it_ops\n---\n## Resetting a VPN token\nAsk IT to resync the token with two codes.\n")
    (root / "articles" / "pumps.md").write_text(
        "---\ntitle: Pumps\ndomain: field_ops\n---\n## Leaking seal\nA dripping shaft seal needs a work order.\n")
    rows = [
        ("the pump at site 7 is leaking", "field_ops", "work_order.create"),
        ("compressor A123 has tripped", "field_ops", "work_order.create"),
        ("the generator will not start", "field_ops", "work_order.create"),
        ("valve V-88 is seized", "field_ops", "work_order.create"),
        ("my laptop is broken", "it_ops", "incident.create"),
        ("the vpn keeps disconnecting", "it_ops", "incident.create"),
        ("outlook is not working", "it_ops", "incident.create"),
        ("my printer is jammed", "it_ops", "incident.create"),
        ("I forgot my password", "it_ops", "password.reset"),
        ("I am locked out of my account", "it_ops", "password.reset"),
        ("reset my password please", "it_ops", "password.reset"),
        ("my token is out of sync", "it_ops", "password.reset"),
    ]
    (root / "examples" / "small.jsonl").write_text(
        "\n".join(json.dumps({"text": t, "target": g, "intent": i}) for t, g, i in rows) + "\n")
    return root


@pytest.fixture
def service() -> FakeSearchService:
    return FakeSearchService()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_dir=small_knowledge(tmp_path / "kb"),
                    azure_search_endpoint=ENDPOINT, azure_search_index=INDEX, azure_search_api_key="test-key")


def test_build_creates_the_index_with_a_vector_profile_and_uploads_every_document(service, settings, monkeypatch):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    index, report = build_index(settings)

    created = next(b for m, p, b in service.requests if m == "POST" and p == "/indexes")
    fields = {f["name"]: f for f in created["fields"]}
    assert created["name"] == INDEX
    assert fields["id"]["key"] is True
    assert fields["embedding"]["type"] == "Collection(Edm.Single)"
    assert fields["embedding"]["dimensions"] == AZURE_DIM
    assert fields["embedding"]["vectorSearchProfile"] == "switchboard-vector"
    assert created["vectorSearch"]["algorithms"][0]["kind"] == "hnsw"
    assert created["vectorSearch"]["algorithms"][0]["hnswParameters"]["metric"] == "cosine"

    kinds = [d["kind"] for d in service.docs.values()]
    assert kinds.count("example") == 12 and kinds.count("article") == 2
    assert {"meta-vectoriser", "meta-calibration"} <= set(service.docs)
    assert fields["dense"]["dimensions"] == DENSE_DIM and fields["dense"]["vectorSearchProfile"] == "switchboard-vector"
    assert report["examples"] == 12 and max(report["weights"]) > 0.0
    assert all(len(d["embedding"]) == AZURE_DIM for d in service.docs.values() if d["kind"] != "meta")
    assert all(abs(np.linalg.norm(d["dense"]) - 1.0) < 1e-3 for d in service.docs.values() if d["kind"] != "meta")
    index.close()


def test_hybrid_query_sends_text_and_vector_and_parses_the_service_reply(service, settings, monkeypatch):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    index, _ = build_index(settings)
    service.requests.clear()

    passages = index.search("um how do I reset my v p n token", k=2)

    body = service.searches()[0]
    assert body["search"].split() == ["how", "reset", "vpn", "token"]  # fillers and stopwords gone, "v p n" joined
    assert body["searchFields"] == "body"
    assert body["filter"] == "kind eq 'article'"
    assert body["top"] == 2
    vq, dq = body["vectorQueries"]
    assert vq["kind"] == "vector" and vq["fields"] == "embedding" and vq["k"] == 20
    assert len(vq["vector"]) == AZURE_DIM and abs(np.linalg.norm(vq["vector"]) - 1.0) < 1e-4
    assert dq["kind"] == "vector" and dq["fields"] == "dense" and dq["k"] == 20
    assert len(dq["vector"]) == DENSE_DIM and abs(np.linalg.norm(dq["vector"]) - 1.0) < 1e-3
    assert passages[0].id == "vpn#1" and passages[0].title == "VPN tokens: Resetting a VPN token"
    assert passages[0].kind == "article" and passages[0].domain == "it_ops" and passages[0].score > 0
    index.close()


def test_coordinator_routes_through_azure_and_add_examples_uploads_only_new_ones(service, settings, monkeypatch):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    build_index(settings)[0].close()
    coordinator = Coordinator.from_settings(settings)
    decision = coordinator.decide("uh my lap top is broke", CallState(session_id="az"))
    assert (decision.target, decision.intent) == ("it_ops", "incident.create")

    # The example-evidence queries leave one example out by id, in OData syntax.
    filters = [b["filter"] for b in service.searches()]
    assert "kind eq 'example'" in filters

    before = sum(1 for d in service.docs.values() if d["kind"] == "example")
    added = coordinator.index.add_examples([Example("the chiller is dripping", "field_ops", "work_order.create"),
                                            Example("my laptop is broken", "it_ops", "incident.create")])
    assert added == 1
    assert sum(1 for d in service.docs.values() if d["kind"] == "example") == before + 1
    coordinator.close()


def test_both_backends_find_the_same_evidence_and_route_alike(service, settings, monkeypatch, tmp_path: Path):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    azure, azure_report = build_index(settings)
    embedded, embedded_report = build_index(settings.with_(azure_search_endpoint=None))
    assert isinstance(embedded, EmbeddedIndex)
    assert azure_report["weights"] == pytest.approx(embedded_report["weights"], abs=1e-3)
    # Worded unlike any example: only the dense vectors can tell.
    for query in ("the refrigerator stopped cooling overnight", "cannot remember how to sign on", "email app freezes at startup"):
        a, e = azure.example_hits(query), embedded.example_hits(query)
        assert [label for label, _ in a.dense] == [label for label, _ in e.dense]
        assert [s for _, s in a.dense] == pytest.approx([s for _, s in e.dense], abs=1e-4)
        assert dict(a.dense_centroid) == pytest.approx(dict(e.dense_centroid), abs=1e-4)
    searched = service.searches()[-3:]
    assert {vq["fields"] for body in searched for vq in body.get("vectorQueries", [])} == {"embedding", "dense"}
    azure_route = Coordinator(azure, load_policy(settings.policy_file), None)
    embedded_route = Coordinator(embedded, load_policy(settings.policy_file), None)
    for query in ("the refrigerator stopped cooling overnight", "cannot remember how to sign on"):
        a, e = (c.decide(query, CallState(session_id="same")) for c in (azure_route, embedded_route))
        assert (a.target, a.intent, a.action) == (e.target, e.intent, e.action)
        assert a.confidence == pytest.approx(e.confidence, abs=0.02)
    azure.close()
    embedded.close()


def test_opening_an_unbuilt_azure_index_builds_it(service, settings, monkeypatch):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    coordinator = Coordinator.from_settings(settings)
    assert service.index is not None and "meta-calibration" in service.docs
    assert coordinator.policy.tool_failure_limit == load_policy(settings.policy_file).tool_failure_limit
    coordinator.close()


def test_cosine_is_recovered_from_the_service_score():
    for cos in (1.0, 0.5, 0.0, -0.5):
        assert cosine_from_score(1.0 / (1.0 + (1.0 - cos))) == pytest.approx(cos)


def test_an_azure_index_built_with_other_vectors_is_rebuilt_at_open(service, settings, monkeypatch):
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    index, _ = build_index(settings)
    state = index.get_meta("vectoriser")
    index.set_meta("vectoriser", {**state, "embedding_model": "an-older-model"})
    for doc in service.docs.values():
        doc.pop("dense", None)  # as an index built before dense vectors existed
    index.close()
    coordinator = Coordinator.from_settings(settings)
    assert all(len(d["dense"]) == DENSE_DIM for d in service.docs.values() if d["kind"] != "meta")
    assert coordinator.decide("my laptop is broken", CallState(session_id="re")).intent == "incident.create"
    coordinator.close()


async def test_a_slow_search_leaves_the_event_loop_free_for_other_sessions(service, settings, monkeypatch):
    """While one caller's turn waits on a slow Azure AI Search, another session's audio keeps flowing.

    The fake service holds every search until a coroutine on the event loop (standing in for another
    call's media: 20 ms frames) has run; if the search blocked the loop, that coroutine could not run,
    the gate would time out, and ``timed_out`` would count it.
    """
    real = AzureSearchIndex.from_settings
    monkeypatch.setattr(AzureSearchIndex, "from_settings", classmethod(lambda cls, s: real(s, transport=service)))
    build_index(settings)[0].close()
    coordinator = Coordinator.from_settings(settings)
    assert coordinator.index.blocking_io
    service.gate = threading.Event()
    frames = 0

    async def other_session() -> None:
        nonlocal frames
        while service.gated < 2:  # both turns are inside a slow search...
            await asyncio.sleep(0.02)
            frames += 1
        for _ in range(5):  # ...and this session's frames are still handled meanwhile
            await asyncio.sleep(0.02)
            frames += 1
        service.gate.set()

    first, second, _ = await asyncio.wait_for(asyncio.gather(
        coordinator.decide_async("uh my lap top is broke", CallState(session_id="a")),
        coordinator.decide_async("the pump at site 7 is leaking", CallState(session_id="b")),
        other_session()), 3 * GATE_TIMEOUT_S)
    assert service.gated >= 2 and service.timed_out == 0 and frames >= 5
    assert (first.target, first.intent) == ("it_ops", "incident.create")
    assert (second.target, second.intent) == ("field_ops", "work_order.create")
    coordinator.close()
