"""The knowledge folder: markdown articles and labelled example requests.

Layout (documented for operators in docs/routing.md)::

    articles/*.md      front matter (title, domain) or a first "# " heading as title;
                       "## " sections become separately retrievable passages
    examples/*.jsonl   one {"text", "target", "intent"} object per line
    lexicon.yaml       optional concepts: {name: [synonym, phrase, ...]} (see text.Lexicon)

Parsing is pure (``parse_article``, ``parse_examples``); ``load_folder`` reads files.
Malformed input raises ``KnowledgeError`` naming the file and line, and nothing is
half-loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

TARGETS = ("field_ops", "it_ops", "human")
DOMAINS = ("field_ops", "it_ops")
INTENTS = (
    "work_order.create", "work_order.status", "work_order.note", "work_order.update", "work_order.list", "asset.lookup", "asset.list", "visit.schedule", "visit.reschedule", "visit.cancel",
    "incident.create", "incident.status", "incident.comment", "incident.update", "incident.escalate",
    "service_request.create", "service_request.status", "service_request.cancel", "password.reset", "access.request",
    "human.request", "safety.emergency", "smalltalk.goodbye", "smalltalk.offtopic", "knowledge.howto",
)
MAX_EXAMPLE_CHARS = 1000


class KnowledgeError(ValueError):
    """The knowledge folder holds something we cannot use."""


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of knowledge: an article section or a labelled example."""

    id: str
    title: str
    text: str
    score: float = 0.0
    kind: str = "article"  # article | example
    domain: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Example:
    """A caller request labelled with where it should go."""

    text: str
    target: str
    intent: str

    @property
    def label(self) -> str:
        return f"{self.target}/{self.intent}"


def validate_example(data: Any, where: str) -> Example:
    if not isinstance(data, dict):
        raise KnowledgeError(f"{where}: expected a JSON object, got {type(data).__name__}")
    text, target, intent = data.get("text"), data.get("target"), data.get("intent")
    if not isinstance(text, str) or not text.strip():
        raise KnowledgeError(f"{where}: 'text' must be a non-empty string")
    if len(text) > MAX_EXAMPLE_CHARS:
        raise KnowledgeError(f"{where}: 'text' is longer than {MAX_EXAMPLE_CHARS} characters")
    if target not in TARGETS:
        raise KnowledgeError(f"{where}: 'target' must be one of {', '.join(TARGETS)}; got {target!r}")
    if intent not in INTENTS:
        raise KnowledgeError(f"{where}: unknown intent {intent!r}")
    return Example(text=text.strip(), target=target, intent=intent)


def parse_examples(content: str, source: str = "<examples>") -> list[Example]:
    out = []
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KnowledgeError(f"{source}:{n}: not valid JSON ({exc.msg})") from None
        out.append(validate_example(data, f"{source}:{n}"))
    return out


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def parse_article(content: str, article_id: str) -> list[Passage]:
    """Split an article into passages: the intro and each "## " section."""
    meta: dict[str, Any] = {}
    m = _FRONT.match(content)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{article_id}: bad front matter ({exc})") from None
        if not isinstance(loaded, dict):
            raise KnowledgeError(f"{article_id}: front matter must be key: value lines")
        meta = loaded
        content = content[m.end():]
    title = meta.get("title")
    body_lines = []
    for line in content.splitlines():
        if title is None and line.startswith("# "):
            title = line[2:].strip()
            continue
        body_lines.append(line)
    if not title:
        raise KnowledgeError(f"{article_id}: no title (front matter 'title:' or a '# ' heading)")
    domain = meta.get("domain")
    if domain not in DOMAINS:
        raise KnowledgeError(f"{article_id}: 'domain' must be one of {', '.join(DOMAINS)}; got {domain!r}")

    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body_lines:
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line)
    passages = []
    for n, (heading, lines) in enumerate(sections):
        text = "\n".join(lines).strip()
        if not text:
            continue
        passages.append(Passage(
            id=f"{article_id}#{n}",
            title=f"{title}: {heading}" if heading else str(title),
            text=text,
            kind="article",
            domain=domain,
        ))
    return passages


def parse_lexicon(content: str, source: str = "lexicon.yaml") -> dict[str, list[str]]:
    try:
        data = yaml.safe_load(content) or {}
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) for w in v) for v in data.values()
    ):
        raise KnowledgeError(f"{source}: expected 'concept: [word, phrase, ...]' lines")
    return {str(k): list(v) for k, v in data.items()}


@dataclass(frozen=True)
class Knowledge:
    passages: list[Passage]
    examples: list[Example]
    lexicon: dict[str, list[str]]


def _source_files(path: Path) -> list[Path]:
    files = sorted((path / "articles").glob("*.md")) + sorted((path / "examples").glob("*.jsonl"))
    return files + [f for f in [path / "lexicon.yaml"] if f.exists()]


def fingerprint(path: Path) -> str | None:
    """A hash of everything ``load_folder`` reads (None when the folder is missing)."""
    path = Path(path)
    if not path.is_dir():
        return None
    digest = hashlib.sha256()
    for f in _source_files(path):
        digest.update(str(f.relative_to(path)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def load_folder(path: Path, extra_examples: Sequence[Path] = ()) -> Knowledge:
    """Read every article, example file and the lexicon under ``path``, plus ``extra_examples`` files."""
    path = Path(path)
    if not path.is_dir():
        raise KnowledgeError(f"{path}: knowledge folder not found")
    passages: list[Passage] = []
    for f in sorted((path / "articles").glob("*.md")):
        passages.extend(parse_article(f.read_text(encoding="utf-8"), f.stem))
    examples: list[Example] = []
    for f in sorted((path / "examples").glob("*.jsonl")):
        examples.extend(parse_examples(f.read_text(encoding="utf-8"), str(f.relative_to(path))))
    for f in extra_examples:
        if f.exists():
            examples.extend(parse_examples(f.read_text(encoding="utf-8"), str(f)))
    if not examples:
        raise KnowledgeError(f"{path}: no labelled examples under examples/*.jsonl")
    lexicon_file = path / "lexicon.yaml"
    lexicon = parse_lexicon(lexicon_file.read_text(encoding="utf-8")) if lexicon_file.exists() else {}
    return Knowledge(passages, examples, lexicon)
