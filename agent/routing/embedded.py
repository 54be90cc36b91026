"""Embedded knowledge index: SQLite FTS5 (BM25), dense sentence embeddings and hashed TF-IDF
vectors in numpy.

One SQLite file holds documents, their hashed term counts, their dense embedding
(computed in batches at build, so opening never runs the model over the corpus),
the FTS5 table and a small JSON meta table (calibration, vectoriser state). At
open, both kinds of vectors are loaded as float32 matrices, so a query is one
model run (~5 ms), two matrix-vector products and one FTS5 query. A build writes a new file next to the old one and renames
it into place, so a failed build never leaves a half-written index behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Collection, Iterable

import numpy as np

from agent.embeddings import MODEL_ID, Encoder, shared_encoder
from agent.routing.index import ExampleHits, LabelCentroids, example_id, rrf_fuse
from agent.routing.knowledge import Example, Passage
from agent.routing.text import Features, HashedTfidf, Lexicon, normalise, terms

SCHEMA_VERSION = 2
#: Longest full-text query we send: more terms only slow BM25 without helping.
MAX_QUERY_TERMS = 32

_SCHEMA = """
CREATE TABLE docs (
  id INTEGER PRIMARY KEY,
  doc_id TEXT UNIQUE NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  domain TEXT,
  target TEXT,
  intent TEXT,
  feat_idx BLOB NOT NULL,
  feat_val BLOB NOT NULL,
  dense BLOB NOT NULL
);
CREATE VIRTUAL TABLE docs_fts USING fts5(body, tokenize='unicode61');
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def fts_query(text: str, lexicon: Lexicon) -> str | None:
    """A safe FTS5 OR-query from free text: every term quoted, no operators pass through."""
    seen: list[str] = []
    for t in terms(normalise(text), lexicon):
        if t not in seen:
            seen.append(t)
    # terms() yields only [a-z0-9] words, so quoting cannot be broken out of.
    return " OR ".join(f'"{t}"' for t in seen[:MAX_QUERY_TERMS]) or None


class IndexOutdated(ValueError):
    """The index file was built by an older schema or another embedding model."""


class EmbeddedIndex:
    """The default knowledge index; see the module docstring."""

    #: A new query costs a model run (about 5 ms of CPU, more on a busy machine; onnxruntime
    #: releases the GIL): async callers decide from a worker thread, off the audio loop.
    blocking_io = True

    def __init__(self, path: Path, conn: sqlite3.Connection, encoder: Encoder | None = None) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()
        self.encoder = encoder or shared_encoder()
        dim = int(self.get_meta("dim") or 4096)
        self.vectoriser = HashedTfidf(dim=dim, lexicon=Lexicon(self.get_meta("lexicon")))
        self._load()

    # --- opening and building -------------------------------------------------------
    @classmethod
    def open(cls, path: Path, encoder: Encoder | None = None) -> "EmbeddedIndex":
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no knowledge index (run `switchboard index build`)")
        conn = sqlite3.connect(str(path), check_same_thread=False)
        version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        model = conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        if version is None or json.loads(version[0]) != SCHEMA_VERSION or model is None or json.loads(model[0]) != MODEL_ID:
            conn.close()
            raise IndexOutdated(f"{path}: index schema is not version {SCHEMA_VERSION} with {MODEL_ID} vectors; rebuild it")
        return cls(path, conn, encoder)

    @classmethod
    def build(cls, path: Path, passages: list[Passage], examples: list[Example],
              lexicon: dict[str, list[str]] | None = None, dim: int = 4096,
              encoder: Encoder | None = None) -> "EmbeddedIndex":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".building-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(str(tmp))
        try:
            conn.executescript(_SCHEMA)
            vec = HashedTfidf(dim=dim, lexicon=Lexicon(lexicon))
            rows = [(p.id, p.kind, p.title, p.text, p.domain, None, None) for p in passages]
            rows += [(example_id(e), "example", e.text, e.text, None, e.target, e.intent) for e in examples]
            _insert(conn, vec, encoder or shared_encoder(), rows)
            _put_meta(conn, {"schema": SCHEMA_VERSION, "dim": dim, "lexicon": lexicon or {}, "embedding_model": MODEL_ID})
            conn.commit()
        except BaseException:
            conn.close()
            tmp.unlink(missing_ok=True)
            raise
        conn.close()
        os.replace(tmp, path)
        return cls.open(path, encoder)

    def _load(self) -> None:
        rows = self._conn.execute(
            "SELECT id, doc_id, kind, title, text, domain, target, intent, feat_idx, feat_val, dense FROM docs ORDER BY id"
        ).fetchall()
        self._rowids = [r[0] for r in rows]
        self._docs = [
            {"doc_id": r[1], "kind": r[2], "title": r[3], "text": r[4], "domain": r[5], "target": r[6], "intent": r[7]}
            for r in rows
        ]
        feats = [Features(np.frombuffer(r[8], dtype=np.int32), np.frombuffer(r[9], dtype=np.float32)) for r in rows]
        self.vectoriser.df[:] = 0
        self.vectoriser.n_docs = 0
        for f in feats:
            self.vectoriser.observe(f)
        self._feats = feats
        self._matrix = self.vectoriser.matrix(feats)
        self._dense = np.vstack([np.frombuffer(r[10], dtype=np.float32) for r in rows]) if rows \
            else np.zeros((0, 1), dtype=np.float32)
        self._idf = self.vectoriser.idf()
        self._by_rowid = {rowid: i for i, rowid in enumerate(self._rowids)}
        self._by_doc_id = {d["doc_id"]: i for i, d in enumerate(self._docs)}
        self._by_text = {normalise(d["text"]): i for i, d in enumerate(self._docs) if d["kind"] == "example"}
        kinds = np.array([d["kind"] for d in self._docs])
        self._kind_rows = {k: np.flatnonzero(kinds == k) for k in ("article", "example")}
        self._kind_rows[None] = np.arange(len(self._docs))  # type: ignore[index]
        # Per-kind copies stored term-major: a query has ~100 non-zero terms, so gathering those
        # rows and summing is ~100x cheaper than a dense product (and never wakes BLAS threads).
        self._kind_terms = {k: np.ascontiguousarray(self._matrix[rows].T) for k, rows in self._kind_rows.items()}
        self._kind_dense = {k: np.ascontiguousarray(self._dense[rows]) for k, rows in self._kind_rows.items()}
        self._example_rows = self._kind_rows["example"]
        self._last_query: tuple[str, np.ndarray] | None = None
        self._last_dense: tuple[str, np.ndarray] | None = None
        self._labels = [f"{d['target']}/{d['intent']}" if d["kind"] == "example" else "" for d in self._docs]
        example_labels = [self._labels[i] for i in self._example_rows]
        self._centroids = LabelCentroids(self._matrix[self._example_rows], example_labels)
        self._dense_centroids = LabelCentroids(self._dense[self._example_rows], example_labels)
        self._centroid_row = {int(r): n for n, r in enumerate(self._example_rows)}

    # --- queries ----------------------------------------------------------------------
    def query_vector(self, query: str) -> np.ndarray:
        last = self._last_query  # search() and example_hits() usually see the same query in a row
        if last is not None and last[0] == query:
            return last[1]
        v = self.vectoriser.vector(self.vectoriser.features(normalise(query)), self._idf)
        self._last_query = (query, v)
        return v

    def query_dense(self, query: str) -> np.ndarray:
        """The query's sentence embedding (cached for the last query, like ``query_vector``)."""
        last = self._last_dense
        if last is not None and last[0] == query:
            return last[1]
        norm = normalise(query)
        i = self._by_text.get(norm)
        # An indexed example's own words (the calibration fit asks for every one) reuse its stored vector.
        v = self._dense[i] if i is not None else self.encoder.encode([norm])[0]
        self._last_dense = (query, v)
        return v

    def _text_hits(self, query: str, kind: str | None, limit: int) -> list[tuple[int, float]]:
        match = fts_query(query, self.vectoriser.lexicon)
        if match is None:
            return []
        with self._lock:
            rows = self._conn.execute(
                "SELECT rowid, bm25(docs_fts) FROM docs_fts WHERE docs_fts MATCH ? ORDER BY bm25(docs_fts) LIMIT ?",
                (match, limit * 4 if kind else limit),
            ).fetchall()
        out = []
        for rowid, score in rows:
            i = self._by_rowid.get(rowid)
            if i is not None and (kind is None or self._docs[i]["kind"] == kind):
                out.append((i, -float(score)))  # FTS5 bm25 is "lower is better"
        return out[:limit]

    def _vector_hits(self, qv: np.ndarray, kind: str | None, limit: int, exclude: Collection[int] = (),
                     dense: bool = False) -> list[tuple[int, float]]:
        rows = self._kind_rows[kind]  # type: ignore[index]
        if rows.size == 0 or not qv.any():
            return []
        if dense:
            sims = self._kind_dense[kind] @ qv  # type: ignore[index]
        else:
            nz = np.flatnonzero(qv)
            sims = qv[nz] @ self._kind_terms[kind][nz]  # type: ignore[index]
        if exclude:
            sims[np.isin(rows, list(exclude))] = -1.0
        if limit < sims.size:
            top = np.argpartition(-sims, limit)[:limit]
            top = top[np.argsort(-sims[top], kind="stable")]
        else:
            top = np.argsort(-sims, kind="stable")
        return [(int(rows[t]), float(sims[t])) for t in top if sims[t] > 0]

    def search(self, query: str, k: int = 5, kind: str | None = "article") -> list[Passage]:
        if not self._docs or kind not in self._kind_rows:
            return []
        depth = max(k * 5, 20)
        by_vector = self._vector_hits(self.query_vector(query), kind, depth)
        by_text = self._text_hits(query, kind, depth)
        by_dense = self._vector_hits(self.query_dense(query), kind, depth, dense=True)
        fused = rrf_fuse([[self._docs[i]["doc_id"] for i, _ in hits] for hits in (by_vector, by_text, by_dense)], k)
        out = []
        for doc_id, score in fused:
            d = self._docs[self._by_doc_id[doc_id]]
            out.append(Passage(id=doc_id, title=d["title"], text=d["text"], score=round(score, 6), kind=d["kind"], domain=d["domain"] or d["target"]))
        return out

    def example_hits(self, query: str, k: int = 30, exclude: Collection[str] = ()) -> ExampleHits:
        left_out = [self._by_doc_id[e] for e in exclude if e in self._by_doc_id]
        qv = self.query_vector(query)
        vector = [(self._labels[i], s) for i, s in self._vector_hits(qv, "example", k, left_out)]
        skip = set(left_out)
        text = [(self._labels[i], s) for i, s in self._text_hits(query, "example", k + len(skip)) if i not in skip][:k]
        held = [self._centroid_row[i] for i in left_out]
        centroid = self._centroids.sims(qv, held)
        dv = self.query_dense(query)
        dense = [(self._labels[i], s) for i, s in self._vector_hits(dv, "example", k, left_out, dense=True)]
        return ExampleHits(vector=vector, text=text, centroid=centroid, dense=dense,
                           dense_centroid=self._dense_centroids.sims(dv, held))

    # --- updates ------------------------------------------------------------------------
    def add_examples(self, examples: list[Example]) -> int:
        rows = [(example_id(e), "example", e.text, e.text, None, e.target, e.intent) for e in examples if example_id(e) not in self._by_doc_id]
        rows = list({r[0]: r for r in rows}.values())
        if rows:
            with self._lock:
                _insert(self._conn, self.vectoriser, self.encoder, rows)
                self._conn.commit()
            self._load()
        return len(rows)

    def examples(self) -> list[tuple[str, Example]]:
        return [
            (d["doc_id"], Example(text=d["text"], target=d["target"], intent=d["intent"]))
            for d in self._docs
            if d["kind"] == "example"
        ]

    def get_meta(self, key: str) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        with self._lock:
            _put_meta(self._conn, {key: value})
            self._conn.commit()

    def count(self, kind: str | None = None) -> int:
        return sum(1 for d in self._docs if kind is None or d["kind"] == kind)

    def close(self) -> None:
        self._conn.close()


def _insert(conn: sqlite3.Connection, vec: HashedTfidf, encoder: Encoder, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    norms = [normalise(f"{title}\n{text}" if kind == "article" else text) for _, kind, title, text, *_ in rows]
    dense = encoder.encode(norms)  # batched: the build's main cost
    for (doc_id, kind, title, text, domain, target, intent), norm, dv in zip(rows, norms, dense):
        f = vec.features(norm)
        cur = conn.execute(
            "INSERT INTO docs (doc_id, kind, title, text, domain, target, intent, feat_idx, feat_val, dense)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (doc_id, kind, title, text, domain, target, intent, f.indices.tobytes(), f.values.tobytes(), dv.tobytes()),
        )
        conn.execute("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)", (cur.lastrowid, " ".join(terms(norm, vec.lexicon))))


def _put_meta(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        [(k, json.dumps(v)) for k, v in values.items()],
    )
