"""Fit the transcript-completeness model (``agent/speech/completeness.py``) and measure it.

    python -m agent.dev.fit_completeness            # fit, print held-out figures, write completeness.json
    python -m agent.dev.fit_completeness --check    # fit and compare with the committed model's predictions (no write)
    python -m agent.dev.fit_completeness --length-prior 0.5 --out /tmp/c.json   # the refit tried and not kept

Data: the project's request texts and callers' turns, never the phrases ``bench speech`` speaks
(``agent/dev/bench/phrases.py``). Training: the router's labelled examples
(``samples/knowledge/examples/*.jsonl``), ``tests/eval/routing_dev.jsonl`` and the caller turns of
the dev conversations (``tests/eval/conversations/dev/``: answers such as "yes", "E11003", "read
only" are whole turns too); held out: ``tests/eval/routing_eval.jsonl`` and the turns of
``tests/eval/conversations/dev_round*/`` (texts also in training are dropped from it). Each request,
normalised, is a finished sample; each of its word prefixes an unfinished one (a prefix that
is itself a whole request somewhere in the data, or ends where the text has a comma or full stop,
is left out: it may be a finished turn). A request's prefixes share one
unit of weight, and the two classes carry equal total weight, so long requests do not dominate
and the model is not pushed towards "unfinished" by there being ~8 prefixes per request.
Length (``--length-prior``, off by default): every long request gives short prefixes and the corpus's
whole requests are mostly long typed ones (the router's examples: 1 % of one or two words), so the model
learned "few words, unfinished" (held-out turns of one or two words: 90 % below 0.66, of eight or more:
17 %). ``--length-prior S`` scales the prefixes of each length band by (wholes / prefixes) ** S of that
band (0: as the corpus has it; 1: no length prior). 0.5 halved that gap on held-out text but not on
spoken short requests (``bench speech --split fresh``), so it is not used (docs/speech.md).
Fitting: L2-regularised logistic regression by Newton's method (deterministic; ~1 min on a loaded core, nearly
all of it embedding ~13 000 texts twice).
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

from agent.embeddings import MODEL_ID, Encoder
from agent.speech.completeness import WEIGHTS_FILE, decode_weights, design, encode_weights, normalise

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILES = ("samples/knowledge/examples/*.jsonl", "tests/eval/routing_dev.jsonl",
               "tests/eval/conversations/dev/*.yaml")
#: Never ``tests/eval/conversations/test`` nor ``routing_test.jsonl``: the evaluation's unseen part.
HELD_OUT_FILES = ("tests/eval/routing_eval.jsonl", "tests/eval/conversations/dev_round*/*.yaml")
L2 = 1.0
#: Words seen at least this often in the training requests get a weight of their own as a last word.
LAST_WORD_MIN_COUNT = 20
#: Length bands (words) in which ``--length-prior`` balances prefixes against whole requests.
LENGTH_BANDS = (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20)
#: ``--check`` compares predictions on this many held-out samples, not all: the held-out part grows with every
#: eval round (55 000 samples at round 40, four times the training set), and a refit's drift shows on any share.
CHECK_SAMPLES = 3000


def texts(patterns: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """Request texts (``text`` of a .jsonl line) and caller turns (``turns`` of a conversation .yaml)."""
    import yaml

    out = []
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if "/test/" in path.as_posix():
                raise ValueError(f"{path}: the evaluation's test part stays unseen")
            if path.suffix == ".jsonl":
                out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            else:
                for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                    out += [t for t in conversation.get("turns", []) if isinstance(t, str)]
    return out


def requests(raw: list[str], exclude: set[str] = frozenset()) -> list[tuple[str, tuple[int, ...]]]:
    """Normalised requests, deduplicated, without those in ``exclude``; each with the word counts at
    which the caller's own text closes a clause (a comma or full stop: "outlook keeps crashing, I'm E11003")."""
    seen, out = set(exclude), []
    for text in raw:
        words = normalise(text)
        if words and words not in seen:
            seen.add(words)
            clauses, n = [], 0
            for token in text.split():
                n += len(normalise(token).split())
                if token[-1:] in ",.;:!?" and n:
                    clauses.append(n)
            out.append((words, tuple(clauses)))
    return out


def samples(sentences: list[tuple[str, tuple[int, ...]]], wholes: set[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, label 1 finished / 0 unfinished, weight). A prefix that ends where the text closes a clause
    may be a whole turn said with a pause after it, so it is neither."""
    xs, ys, ws = [], [], []
    for s, clauses in sentences:
        words = s.split()
        xs.append(s), ys.append(1), ws.append(1.0)
        prefixes = [p for p in (" ".join(words[:k]) for k in range(1, len(words)) if k not in clauses)
                    if p not in wholes]
        for p in prefixes:
            xs.append(p), ys.append(0), ws.append(1.0 / len(prefixes))
    return xs, np.array(ys, dtype=np.float64), np.array(ws, dtype=np.float64)


def length_balanced(texts: list[str], y: np.ndarray, w: np.ndarray, strength: float) -> np.ndarray:
    """Weights with the prefixes of each length band scaled by (wholes / prefixes) ** ``strength`` of that band."""
    if strength == 0:
        return w
    bands = np.digitize([len(t.split()) for t in texts], LENGTH_BANDS)
    out = w.copy()
    for band in np.unique(bands):
        here = bands == band
        whole, prefix = w[here & (y == 1)].sum(), w[here & (y == 0)].sum()
        if whole > 0 and prefix > 0:
            out[here & (y == 0)] *= (whole / prefix) ** strength
    return out


def check_share(texts: list[str], y: np.ndarray, n: int = CHECK_SAMPLES) -> tuple[list[str], np.ndarray]:
    """The ``n`` samples whose texts hash lowest: chosen by content, so a new round only adds the few of its
    texts that hash below the rest, and the check costs the same however many rounds there are."""
    keep = sorted(sorted(range(len(texts)), key=lambda i: (zlib.crc32(texts[i].encode()), i))[:n])
    return [texts[i] for i in keep], y[keep]


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2, iters: int = 50) -> np.ndarray:
    x = x.astype(np.float64)
    w = w.copy()
    w[y == 1] *= w[y == 0].sum() / w[y == 1].sum()  # the two classes weigh the same
    b = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ b)))
        grad = x.T @ (w * (p - y)) + reg * b
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        b -= step
        if np.abs(step).max() < 1e-7:
            break
    return b


def scores(p: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, float]:
    """"Unfinished" = p below ``threshold``: its precision and recall over prefixes, and the share of
    whole requests called unfinished (what would be a false hold)."""
    said, unfinished = p < threshold, y == 0
    tp = float((said & unfinished).sum())
    return {"threshold": threshold, "precision": tp / max(1.0, float(said.sum())),
            "recall": tp / max(1.0, float(unfinished.sum())),
            "finished_called_unfinished": float((said & ~unfinished).sum()) / max(1.0, float((~unfinished).sum()))}


class _EachTextOnce:
    """The encoder with every distinct text embedded once for the whole fit: tails repeat across samples, and
    ``--check`` designs the held-out samples twice; the encoder's own memo is far smaller than the corpus."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder, self._seen = encoder, {}

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        for start in range(0, len(new), 2048):
            chunk = new[start:start + 2048]
            self._seen.update(zip(chunk, self._encoder.encode(chunk)))
        return np.stack([self._seen[t] for t in texts]) if texts else self._encoder.encode([])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m agent.dev.fit_completeness")
    ap.add_argument("--check", action="store_true", help="refit and compare with the committed weights")
    ap.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    ap.add_argument("--length-prior", type=float, default=0.0,
                    help="take this much of the corpus's length prior out (0: none, the committed fit; 1: all)")
    args = ap.parse_args(argv)

    train = requests(texts(TRAIN_FILES))
    held = requests(texts(HELD_OUT_FILES), exclude={t for t, _ in train})
    wholes = {t for t, _ in train} | {t for t, _ in held}
    xs, y, w = samples(train, wholes)
    hx, hy, _ = samples(held, wholes)
    if args.check:
        hx, hy = check_share(hx, hy)
    counts: dict[str, int] = {}
    for t, _ in train:
        for word in t.split():
            counts[word] = counts.get(word, 0) + 1
    last_words = sorted(word for word, n in counts.items() if n >= LAST_WORD_MIN_COUNT)
    encoder = _EachTextOnce(Encoder())
    weights = fit(design(encoder, xs, last_words), y, length_balanced(xs, y, w, args.length_prior))
    p = 1.0 / (1.0 + np.exp(-(design(encoder, hx, last_words).astype(np.float64) @ weights)))
    figures = [scores(p, hy, t) for t in (0.2, 0.3, 0.5, 0.7)]
    print(f"train: {len(train)} requests, {len(xs)} samples; held out: {len(held)} requests, {len(hx)} samples")
    for f in figures:
        print(f"  unfinished below {f['threshold']:.1f}: precision {f['precision']:.1%}, recall {f['recall']:.1%}, "
              f"whole requests called unfinished {f['finished_called_unfinished']:.1%}")
    meta = {
        "model": "logistic regression over MiniLM embeddings of the text and its last 3 words, and its last word",
        "encoder": MODEL_ID, "l2": L2, **({"length_prior": args.length_prior} if args.length_prior else {}), "fitted_by": "python -m agent.dev.fit_completeness",
        "train_files": list(TRAIN_FILES), "train_requests": len(train), "train_samples": len(xs),
        "held_out_files": list(HELD_OUT_FILES), "held_out_requests": len(held),
        "held_out": [{k: round(v, 4) for k, v in f.items()} for f in figures],
    }
    if args.check:
        # Predictions, not raw weights: requests added to the data since the fit move the weights a little
        # and should not fail the check; a broken fit or model moves the predictions a lot.
        committed = json.loads(args.out.read_text(encoding="utf-8"))
        old = decode_weights(committed["weights"]).astype(np.float64)
        old_x = design(encoder, hx, committed["last_words"]).astype(np.float64)
        before = 1.0 / (1.0 + np.exp(-(old_x @ old)))
        gap = float(np.mean(np.abs(before - p)))
        agree = float(np.mean((before < 0.66) == (p < 0.66)))
        print(f"held-out samples: mean |p refit - p committed| {gap:.4f}, same side of 0.66 {agree:.1%}")
        return 0 if gap < 0.03 and agree > 0.95 else 1
    args.out.write_text(json.dumps({**meta, "last_words": last_words, "weights": encode_weights(weights)}, indent=1)
                        + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
