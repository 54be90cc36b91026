"""Spoken-style text normalisation and the offline text representation.

Callers speak: "um, the pump at site, uh, fourteen is like leaking". Before
retrieval and routing we clean that up (fillers, repeated words, numbers said as
words, common recogniser splits such as "v p n") and turn the result into a
hashed TF-IDF vector over word uni/bigrams and character n-grams. Character
n-grams make the representation tolerant of recogniser misspellings ("pasword",
"compresser"). Hashing keeps it model-free and stable across processes (CRC32,
not Python's salted ``hash``), so indexes built on one machine work on another.

Everything here is pure.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

#: Utterances longer than this are cut before analysis: a caller turn is a few
#: sentences, and a 1 MB string must not cost seconds of hashing.
MAX_ANALYSED_CHARS = 2000

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_NUMBER_WORDS = set(_UNITS) | set(_TEENS) | set(_TENS) | {"hundred", "thousand", "double"}

_FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "mm", "mmm", "eh"}
_FILLER_PHRASES = [("you", "know"), ("i", "mean"), ("sort", "of"), ("kind", "of")]
#: "like" is a filler unless it follows a word that makes it a verb ("I'd like").
_LIKE_VERB_BEFORE = {"would", "id", "wed", "youd", "theyd", "i", "we", "you", "they", "dont", "didnt", "not"}

#: Recogniser splits and spellings of the same thing, joined to one token.
_PHRASE_FIXES: list[tuple[tuple[str, ...], str]] = [
    (("v", "p", "n"), "vpn"), (("vee", "pee", "en"), "vpn"), (("v", "pn"), "vpn"),
    (("wi", "fi"), "wifi"), (("why", "fi"), "wifi"), (("wi", "fye"), "wifi"),
    (("e", "mail"), "email"), (("pass", "word"), "password"), (("pass", "code"), "passcode"),
    (("log", "in"), "login"), (("log", "on"), "login"), (("sign", "in"), "login"),
    (("lap", "top"), "laptop"), (("h", "v", "a", "c"), "hvac"), (("h", "vac"), "hvac"),
    (("work", "orders"), "work order"), (("i", "t"), "it"), (("multi", "factor"), "mfa"),
    (("m", "f", "a"), "mfa"), (("i", "n", "c"), "inc"), (("two", "factor"), "mfa"), (("2", "factor"), "mfa"),
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[a-z0-9]+")


def clean(text: str) -> str:
    """Lower-case, strip control characters and accents, cap the length."""
    text = text[:MAX_ANALYSED_CHARS]
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _CONTROL.sub(" ", text).lower()
    return text.replace("'", "").replace("\u2019", "")


def _drop_fillers(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        pair = tuple(words[i : i + 2])
        if pair in _FILLER_PHRASES:
            i += 2
            continue
        if w in _FILLERS or (w == "like" and (not out or out[-1] not in _LIKE_VERB_BEFORE)):
            i += 1
            continue
        if out and w == out[-1] and not w.isdigit():  # "the the pump", "my my laptop"
            i += 1
            continue
        out.append(w)
        i += 1
    return out


def _fix_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase, joined in _PHRASE_FIXES:
            said = tuple(words[i : i + len(phrase)])
            # Its last word with an "s" too: a plural, or "'s" as ``clean`` writes it ("the wi-fi's down").
            if said == phrase or (len(phrase) > 1 and said[:-1] == phrase[:-1] and said[-1] == f"{phrase[-1]}s"):
                out.extend(joined.split())
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _number_run(words: list[str]) -> str:
    """Digits for a run of number words: "forty five twelve" -> "4512", "one oh one" -> "101"."""
    chunks: list[str] = []
    total, group, last = 0, 0, None
    started = False

    def flush() -> None:
        nonlocal total, group, last, started
        if started:
            chunks.append(str(total + group))
        total, group, last, started = 0, 0, None, False

    repeat = 1
    for w in words:
        if w == "double":
            repeat = 2
            continue
        if w in _UNITS:
            n = _UNITS[w]
            for _ in range(repeat):
                if last == "tens":
                    group += n
                    last = "unit_after_tens"
                else:
                    if last in ("unit", "teen", "unit_after_tens"):
                        flush()
                    group += n
                    last = "unit"
                started = True
            repeat = 1
        elif w in _TEENS or w in _TENS:
            if last in ("unit", "teen", "tens", "unit_after_tens"):
                flush()
            group += _TEENS.get(w, _TENS.get(w, 0))
            last = "teen" if w in _TEENS else "tens"
            started = True
        elif w == "hundred":
            group = (group or 1) * 100
            last, started = "scale", True
        elif w == "thousand":
            total += (group or 1) * 1000
            group, last, started = 0, "scale", True
    flush()
    return "".join(chunks)


def _spoken_numbers(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in _NUMBER_WORDS and not (words[i] == "oh" and (i + 1 >= len(words) or words[i + 1] not in _NUMBER_WORDS)):
            j = i
            while j < len(words) and (words[j] in _NUMBER_WORDS or (words[j] == "and" and j > i and words[j - 1] in ("hundred", "thousand"))):
                j += 1
            digits = _number_run([w for w in words[i:j] if w != "and"])
            out.append(digits or words[i])
            i = max(j, i + 1)
        else:
            out.append(words[i])
            i += 1
    return out


def normalise(text: str) -> str:
    """Spoken-style input to plain words: fillers out, numbers as digits, recogniser splits joined."""
    words = _WORD.findall(clean(text))
    words = _drop_fillers(words)
    words = _fix_phrases(words)
    words = _spoken_numbers(words)
    return " ".join(words)


#: Words that carry no routing signal. Question words and negations stay: "how do I"
#: marks a how-to question, "won't" marks a fault. Placeholder nouns ("the thing", "stuff") stand
#: for anything, so a vague turn must not match the few examples that happen to use them.
STOPWORDS = frozenset("""
a an the i im id ive ill me my mine myself we were our ours us you youre your yours it its itself
is are was be been being am to of in on at by for from with about into and or but so just
please can could would will shall should do does did have has had this these those there theres
yeah yes yep ok okay hi hello hey right well then really very some any
thing things stuff something
""".split())


def stem(word: str) -> str:
    """A deliberately crude suffix strip: enough to meet "leaking"/"leaks"/"leaked" (the router's words, and the
    words a how-to answer shares with its question)."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def compile_phrases(phrases: list[str], *, with_s: bool = False) -> re.Pattern[str] | None:
    """One whole-word regex for a phrase list; ``*`` at a word's end matches any ending. ``with_s``: a phrase's
    last word also matches with an "s" after it, for things named before what they do ("rainwater's pouring
    in" is "rainwaters pouring in" in the spoken forms)."""
    parts = []
    for phrase in phrases:
        words = re.findall(r"[a-z0-9*]+", clean(str(phrase)))
        if words:
            parts.append(r"\s+".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "s?" if with_s and
                                                                  n == len(words) - 1 and w.isalpha() else "")
                                      for n, w in enumerate(words)))
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b") if parts else None


class Lexicon:
    """Named concepts (groups of words that mean the same for routing), from the knowledge folder.

    Each concept found in a text adds one term ``k<name>``, so evidence carries over
    to synonyms no labelled example uses.
    """

    def __init__(self, concepts: dict[str, list[str]] | None = None) -> None:
        self.concepts = dict(concepts or {})
        self._patterns = []
        for name, phrases in self.concepts.items():
            pattern = compile_phrases(phrases)
            if pattern is not None:
                self._patterns.append(("k" + re.sub(r"[^a-z0-9]", "", name.lower()), pattern))

    def terms(self, normalised: str) -> list[str]:
        return [term for term, pattern in self._patterns if pattern.search(normalised)]


NO_LEXICON = Lexicon()


def terms(normalised: str, lexicon: Lexicon = NO_LEXICON) -> list[str]:
    """Word terms for full-text search and word features: stopwords out, numbers and tags
    abstracted, plus one term per lexicon concept present."""
    out = []
    for w in normalised.split():
        if w in STOPWORDS:
            continue
        if w.isdigit():
            out.append("num")
        elif any(c.isdigit() for c in w):
            out.append("tag")  # asset tags, ticket ids: "a123", "inc4521"
        else:
            out.append(stem(w))
    return out + lexicon.terms(normalised)


def _hash(feature: str, dim: int) -> tuple[int, float]:
    h = zlib.crc32(feature.encode("utf-8"))
    return h % dim, (1.0 if (h >> 31) & 1 == 0 else -1.0)


@dataclass(frozen=True)
class Features:
    """Raw term counts of one text, hashed: indices into the vector and signed counts."""

    indices: np.ndarray  # int32
    values: np.ndarray  # float32


class HashedTfidf:
    """Hashed TF-IDF over word uni/bigrams and character 3-5 grams.

    The first half of the vector holds word features, the second character
    features; each half is normalised on its own and weighted, so long words do
    not drown the word evidence. Document frequencies are kept per bucket and can
    grow when examples are added without a rebuild.
    """

    def __init__(self, dim: int = 4096, char_weight: float = 0.7, lexicon: Lexicon = NO_LEXICON) -> None:
        if dim % 2:
            raise ValueError("dim must be even")
        self.dim = dim
        self.half = dim // 2
        self.char_weight = char_weight
        self.lexicon = lexicon
        self.df = np.zeros(dim, dtype=np.float32)
        self.n_docs = 0

    def features(self, normalised: str) -> Features:
        counts: dict[int, float] = {}
        words = terms(normalised, self.lexicon)
        grams = words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
        for g in grams:
            idx, sign = _hash("w:" + g, self.half)
            counts[idx] = counts.get(idx, 0.0) + sign
        for w in normalised.split():
            if w in STOPWORDS or any(c.isdigit() for c in w):
                continue
            padded = f"<{w}>"
            for n in (3, 4, 5):
                for k in range(len(padded) - n + 1):
                    idx, sign = _hash("c:" + padded[k : k + n], self.half)
                    counts[self.half + idx] = counts.get(self.half + idx, 0.0) + sign
        idx = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        val = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        keep = val != 0
        return Features(idx[keep], val[keep])

    def observe(self, feats: Features) -> None:
        """Count one document in the document frequencies."""
        self.df[feats.indices] += 1.0
        self.n_docs += 1

    def idf(self) -> np.ndarray:
        return (np.log((1.0 + self.n_docs) / (1.0 + self.df)) + 1.0).astype(np.float32)

    def vector(self, feats: Features, idf: np.ndarray | None = None) -> np.ndarray:
        """Unit-length weighted vector for ``feats`` (zero vector when empty)."""
        idf = self.idf() if idf is None else idf
        v = np.zeros(self.dim, dtype=np.float32)
        # Sublinear tf keeps the sign from hashing but damps repeated terms.
        v[feats.indices] = np.sign(feats.values) * (1.0 + np.log(np.abs(feats.values)))
        v *= idf
        for part, weight in ((slice(0, self.half), 1.0), (slice(self.half, self.dim), self.char_weight)):
            norm = float(np.linalg.norm(v[part]))
            if norm > 0:
                v[part] *= weight / norm
        total = float(np.linalg.norm(v))
        return v / total if total > 0 else v

    def matrix(self, feats: list[Features]) -> np.ndarray:
        idf = self.idf()
        if not feats:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.vector(f, idf) for f in feats])
