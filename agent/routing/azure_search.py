"""Azure AI Search knowledge index: the same interface as the embedded one, hosted.

Documents carry the same two vectors as the embedded index, the hashed TF-IDF
vector (field ``embedding``) and the dense sentence embedding (field ``dense``),
and the same analysed terms (field ``body``), so routing behaves the same and is
calibrated the same way. Article retrieval is one hybrid query (``search_text``
plus a ``VectorizedQuery`` per vector field, fused by the service). Routing
evidence uses a text-only query and one vector-only query per vector field over
the examples; label centroids are computed locally from the examples and their
stored dense vectors, which are read once at open. The vectoriser
state (document frequencies, lexicon) and the calibration are stored in the index
itself as ``kind == "meta"`` documents, so any container can open it.

Uses azure-search-documents 12.0.0 (``SearchClient``, ``SearchIndexClient``).
"""

from __future__ import annotations

import json
from typing import Any, Collection

import numpy as np
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.search.documents import SearchClient
from azure.search.documents.indexes import SearchIndexClient
from azure.search.documents.indexes.models import (
    HnswAlgorithmConfiguration,
    HnswParameters,
    SearchableField,
    SearchField,
    SearchFieldDataType,
    SearchIndex,
    SimpleField,
    VectorSearch,
    VectorSearchProfile,
)
from azure.search.documents.models import VectorizedQuery

from agent.config import Settings
from agent.embeddings import DIM as DENSE_DIM
from agent.embeddings import MODEL_ID, Encoder, shared_encoder
from agent.routing.index import ExampleHits, LabelCentroids, example_id
from agent.routing.knowledge import Example, Knowledge, Passage
from agent.routing.text import HashedTfidf, Lexicon, normalise, terms

#: Azure AI Search caps vector fields at 4096 dimensions; 2048 keeps documents small.
AZURE_DIM = 2048
UPLOAD_BATCH = 500
_SELECT = ["id", "kind", "title", "text", "domain", "target", "intent"]


def _vector_field(name: str, dim: int) -> SearchField:
    return SearchField(
        name=name,
        type=SearchFieldDataType.Collection(SearchFieldDataType.SINGLE),
        searchable=True,
        vector_search_dimensions=dim,
        vector_search_profile_name="switchboard-vector",
    )


def index_definition(name: str, dim: int = AZURE_DIM) -> SearchIndex:
    return SearchIndex(
        name=name,
        fields=[
            SimpleField(name="id", type=SearchFieldDataType.STRING, key=True, filterable=True),
            SimpleField(name="kind", type=SearchFieldDataType.STRING, filterable=True),
            SearchableField(name="title", type=SearchFieldDataType.STRING),
            SearchableField(name="text", type=SearchFieldDataType.STRING),
            SearchableField(name="body", type=SearchFieldDataType.STRING),
            SimpleField(name="domain", type=SearchFieldDataType.STRING, filterable=True),
            SimpleField(name="target", type=SearchFieldDataType.STRING, filterable=True),
            SimpleField(name="intent", type=SearchFieldDataType.STRING, filterable=True),
            _vector_field("embedding", dim),
            _vector_field("dense", DENSE_DIM),
        ],
        vector_search=VectorSearch(
            algorithms=[HnswAlgorithmConfiguration(name="switchboard-hnsw", parameters=HnswParameters(metric="cosine"))],
            profiles=[VectorSearchProfile(name="switchboard-vector", algorithm_configuration_name="switchboard-hnsw")],
        ),
    )


def _quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def cosine_from_score(score: float) -> float:
    """Azure reports cosine vector hits as 1 / (1 + (1 - cos)); undo that."""
    return 2.0 - 1.0 / score if score > 0 else 0.0


class AzureSearchIndex:
    #: Every query is a synchronous HTTP request: async callers go through ``Coordinator.decide_async``.
    blocking_io = True

    def __init__(self, search: SearchClient, admin: SearchIndexClient, name: str, encoder: Encoder | None = None) -> None:
        self._search = search
        self._admin = admin
        self.name = name
        self.encoder = encoder or shared_encoder()
        self._last_dense: tuple[str, list[float]] | None = None
        self._vectoriser: HashedTfidf | None = None
        self._examples: list[tuple[str, Example]] | None = None
        self._centroids: LabelCentroids | None = None
        self._dense_centroids: LabelCentroids | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **client_kwargs: Any) -> "AzureSearchIndex":
        """Clients for ``settings.azure_search_endpoint``; key auth if a key is set, else Entra ID.

        ``client_kwargs`` go to both clients (tests pass ``transport=``).
        """
        if not settings.azure_search_endpoint:
            raise ValueError("AZURE_SEARCH_ENDPOINT is not set")
        credential: Any
        if settings.azure_search_api_key:
            credential = AzureKeyCredential(settings.azure_search_api_key)
        else:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        name = settings.azure_search_index
        return cls(
            SearchClient(settings.azure_search_endpoint, name, credential, **client_kwargs),
            SearchIndexClient(settings.azure_search_endpoint, credential, **client_kwargs),
            name,
        )

    # --- building ---------------------------------------------------------------------
    def rebuild(self, knowledge: Knowledge) -> None:
        """Drop and recreate the index, then upload every passage and example."""
        try:
            self._admin.delete_index(self.name)
        except ResourceNotFoundError:
            pass
        self._admin.create_index(index_definition(self.name))
        vec = HashedTfidf(dim=AZURE_DIM, lexicon=Lexicon(knowledge.lexicon))
        rows = [(p.id, p.kind, p.title, p.text, p.domain, None, None) for p in knowledge.passages]
        rows += [(example_id(e), "example", e.text, e.text, None, e.target, e.intent) for e in knowledge.examples]
        feats = [vec.features(normalise(f"{r[2]}\n{r[3]}" if r[1] == "article" else r[3])) for r in rows]
        for f in feats:
            vec.observe(f)
        self._vectoriser = vec
        self.set_meta("vectoriser", {"lexicon": knowledge.lexicon, "df": vec.df.tolist(), "n_docs": vec.n_docs,
                                     "embedding_model": MODEL_ID})
        self._upload(rows)
        self._examples = None

    def _upload(self, rows: list[tuple[Any, ...]]) -> None:
        vec = self.vectoriser
        idf = vec.idf()
        norms = [normalise(f"{title}\n{text}" if kind == "article" else text) for _, kind, title, text, *_ in rows]
        dense = self.encoder.encode(norms)  # batched, like the embedded build
        docs = []
        for (doc_id, kind, title, text, domain, target, intent), norm, dv in zip(rows, norms, dense):
            docs.append({
                "id": doc_id, "kind": kind, "title": title, "text": text, "body": " ".join(terms(norm, vec.lexicon)),
                "domain": domain, "target": target, "intent": intent,
                "embedding": [round(float(x), 6) for x in vec.vector(vec.features(norm), idf)],
                "dense": [round(float(x), 6) for x in dv],
            })
        for start in range(0, len(docs), UPLOAD_BATCH):
            self._search.merge_or_upload_documents(docs[start : start + UPLOAD_BATCH])

    @property
    def vectoriser(self) -> HashedTfidf:
        if self._vectoriser is None:
            state = self.get_meta("vectoriser")
            if state is None:
                raise FileNotFoundError(f"Azure AI Search index {self.name!r} is not built (run `switchboard index build`)")
            vec = HashedTfidf(dim=len(state["df"]), lexicon=Lexicon(state["lexicon"]))
            vec.df[:] = np.asarray(state["df"], dtype=np.float32)
            vec.n_docs = int(state["n_docs"])
            self._vectoriser = vec
        return self._vectoriser

    # --- queries ----------------------------------------------------------------------
    def _analyse(self, query: str) -> tuple[str, list[float], list[float]]:
        """The query's search text, hashed TF-IDF vector and dense embedding."""
        vec = self.vectoriser
        norm = normalise(query)
        text = " ".join(dict.fromkeys(terms(norm, vec.lexicon)))  # only [a-z0-9] words: no query syntax
        last = self._last_dense  # search() and example_hits() usually see the same query in a row
        if last is None or last[0] != norm:
            self._ensure_examples()
            # An indexed example's own words (the calibration fit asks for every one) reuse its stored vector.
            stored = self._dense_by_text.get(norm)
            last = self._last_dense = (norm, stored if stored is not None else self.encoder.encode([norm])[0].tolist())
        return text, vec.vector(vec.features(norm)).tolist(), last[1]

    def search(self, query: str, k: int = 5, kind: str | None = "article") -> list[Passage]:
        text, vector, dense = self._analyse(query)
        depth = max(k * 5, 20)
        results = self._search.search(
            search_text=text or None,
            search_fields=["body"],
            vector_queries=[VectorizedQuery(vector=vector, k_nearest_neighbors=depth, fields="embedding"),
                            VectorizedQuery(vector=dense, k_nearest_neighbors=depth, fields="dense")],
            filter=f"kind eq {_quote(kind)}" if kind else "kind ne 'meta'",
            select=_SELECT,
            top=k,
        )
        return [
            Passage(id=r["id"], title=r["title"], text=r["text"], score=float(r["@search.score"]),
                    kind=r["kind"], domain=r.get("domain") or r.get("target"))
            for r in results
        ]

    def example_hits(self, query: str, k: int = 30, exclude: Collection[str] = ()) -> ExampleHits:
        text, vector, dense = self._analyse(query)
        flt = " and ".join(["kind eq 'example'"] + [f"id ne {_quote(e)}" for e in sorted(exclude)])
        by_text = []
        if text:
            for r in self._search.search(search_text=text, search_fields=["body"], filter=flt,
                                         select=["id", "target", "intent"], top=k):
                by_text.append((f"{r['target']}/{r['intent']}", float(r["@search.score"])))
        by_vector, by_dense = self._nearest(vector, "embedding", flt, k), self._nearest(dense, "dense", flt, k)
        self._ensure_examples()
        assert self._centroids is not None and self._dense_centroids is not None
        rows = [self._example_row[e] for e in exclude if e in self._example_row]
        return ExampleHits(vector=by_vector, text=by_text, centroid=self._centroids.sims(np.asarray(vector, dtype=np.float32), rows),
                           dense=by_dense, dense_centroid=self._dense_centroids.sims(np.asarray(dense, dtype=np.float32), rows))

    def _nearest(self, vector: list[float], field: str, flt: str, k: int) -> list[tuple[str, float]]:
        """(label, cosine) of the k nearest examples by one vector field, best first."""
        found = self._search.search(vector_queries=[VectorizedQuery(vector=vector, k_nearest_neighbors=k, fields=field)],
                                    filter=flt, select=["id", "target", "intent"], top=k)
        return [(f"{r['target']}/{r['intent']}", cosine_from_score(float(r["@search.score"]))) for r in found]

    def _ensure_examples(self) -> None:
        if self._examples is not None:
            return
        found = list(self._search.search(search_text="*", filter="kind eq 'example'",
                                         select=["id", "text", "target", "intent", "dense"]))
        examples = [(r["id"], Example(text=r["text"], target=r["target"], intent=r["intent"])) for r in found]
        vec = self.vectoriser
        idf = vec.idf()
        matrix = np.vstack([vec.vector(vec.features(normalise(e.text)), idf) for _, e in examples]) if examples \
            else np.zeros((0, vec.dim), dtype=np.float32)
        # Queries run in worker threads (Coordinator.decide_async): ``_examples`` is set last, so a
        # concurrent query never sees it without the centroids built from it.
        self._centroids = LabelCentroids(matrix, [e.label for _, e in examples])
        self._example_row = {doc_id: i for i, (doc_id, _) in enumerate(examples)}
        dense = np.asarray([r["dense"] for r in found], dtype=np.float32).reshape(len(found), DENSE_DIM)
        self._dense_centroids = LabelCentroids(dense, [e.label for _, e in examples])
        self._dense_by_text = {normalise(e.text): r["dense"] for (_, e), r in zip(examples, found)}
        self._examples = examples

    def examples(self) -> list[tuple[str, Example]]:
        self._ensure_examples()
        return list(self._examples or [])

    def add_examples(self, examples: list[Example]) -> int:
        known = {doc_id for doc_id, _ in self.examples()}
        rows = {example_id(e): (example_id(e), "example", e.text, e.text, None, e.target, e.intent) for e in examples}
        new = [r for doc_id, r in rows.items() if doc_id not in known]
        if new:
            self._upload(new)
            self._examples = None
        return len(new)

    # --- meta documents ---------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        try:
            doc = self._search.get_document(key=f"meta-{key}", selected_fields=["text"])
        except ResourceNotFoundError:
            return None
        return json.loads(doc["text"])

    def set_meta(self, key: str, value: Any) -> None:
        self._search.merge_or_upload_documents([{"id": f"meta-{key}", "kind": "meta", "title": key, "text": json.dumps(value)}])

    def close(self) -> None:
        self._search.close()
        self._admin.close()
