"""The routing policy file (YAML, edited by the operations team) and its pure checks.

``load_policy`` validates the file and raises ``PolicyError`` naming the key that
is wrong, so a typo fails at start-up rather than mid-call. Phrase lists become
whole-word regular expressions matched on both the raw words and the normalised
text (fillers out, spoken numbers as digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from agent.routing.text import STOPWORDS, clean, compile_phrases, normalise

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PRIORITIES = ("emergency", "high", "normal", "low")
#: Words after a safety word that show it is used on its own ("smoke everywhere", "sparks and
#: smoke", "fire in the plant room"), not as the first part of a thing's name ("fire door").
_GRAMMAR_WORDS = STOPWORDS | frozenset(
    "out off over around round about along up down into onto everywhere all again now here too not no nt dont cant wont "
    "isnt arent its thats "
    "near under behind inside outside through across beside next above below underneath where when "
    "he she they him her his hers them their theirs someone somebody everyone everybody "
    "coming going gone getting got".split()
)
#: Words of degree after a safety word that make it something happening ("bleeding quite a lot", "sparking
#: really badly"), as an adverb in -ly does: a name is never followed by one.
_DEGREE = frozenset("quite very really so too lots loads heavily badly constantly everywhere still".split())
#: Endings of adverbs in -ly; not "-ply" or "-bly": "the emergency supply", "the fire assembly point" name things.
_ADVERB_ENDINGS = ("ally", "ily", "ely", "fully", "ously", "ently", "antly", "edly", "ingly", "ibly", "ably", "rly",
                   "dly", "tly", "sly", "nly", "wly")
#: Words before a safety word that make it a verb ("won't fire", "to spark"), not a hazard.
_VERB_BEFORE = frozenset("to not wont dont doesnt didnt cant cannot will would wouldnt should".split())
#: Words that deny what follows them ("nothing's on fire", "no smell of gas", "it isn't sparking").
_NEGATIONS = frozenset(
    "no not nothing nothings never without none nobody nobodys noone isnt arent wasnt werent aint "
    "hasnt havent hadnt dont doesnt didnt wont cant cannot couldnt neither nor".split()
)
#: Words that may stand between a negation and the safety word it denies ("there isn't any smoke",
#: "no sign of sparks", "no one got hurt"); any other word ends the negation's reach ("can't stop
#: the sparks", "not sure, I think it's on fire").
_NEGATION_REACH = frozenset(
    "a an the any sign signs trace of is are was were be been being its it s there theres thats "
    "one 1 got get getting actually really currently at all even "
    "real actual proper genuine".split()  # "one" is "1" once normalised; "it's not a real fire"
)


#: A conditional before a phrase in its sentence ("if we lose power tonight the works floods"): what would
#: happen, not what is happening.
_SUPPOSED = re.compile(r"(?:^|\s)(\S+\s)?(?:if|unless|in case)\s(?:(?![.;!?](?:\s|$)).)*$")
#: Words before "if" that make it "whether" ("not sure if it's smoke", "no idea if it's a fire"): a doubt, no supposing.
_WHETHER_AFTER = frozenset("sure see check checking know ask asking wonder wondering idea tell me us out".split())


def _supposed(raw: str, start: int) -> bool:
    """Whether the phrase at ``start`` of the raw form stands after a conditional in its sentence."""
    m = _SUPPOSED.search(re.split(r"\s[.;!?](?:\s|$)", raw[:start])[-1])
    return m is not None and (m.group(1) or "").strip() not in _WHETHER_AFTER


def _negated(words_before: list[str], safety: re.Pattern[str]) -> bool:
    """Whether the words just before a safety phrase deny it. A denial reaches over a list of
    hazards joined by "or" ("no smoke or sparks"), not over "and" ("no power and smoke")."""
    for word in reversed(words_before):
        if word in _NEGATIONS:
            return True
        if word not in _NEGATION_REACH and word not in ("or", "nor") and not safety.fullmatch(word):
            return False
    return False


#: Words just before a role that make it the caller's own ("it's the operator", "I'm a representative of").
_SELF_INTRODUCED = re.compile(r"\b(?:it s|its|this is|i m|im|i am|we re|we are)(?: (?:a|an|the|your))?\s*$")
#: Words just before a role that make it where the news came from ("a message from the operator", "according to").
_SOURCE = re.compile(r"\b(?:from|according to)\s*$")
#: Words after a person's phrase that make it the subject of what is told ("the operator can't be there then", "your
#: manager said ...") rather than who is asked for ("put me through to the operator").
_TOLD_OF = frozenset("is was can cant cannot won wont will would says said wants wanted asked told needs reckons thinks "
                     "has had isnt wasnt s doesn doesnt didn didnt".split())


class PolicyError(ValueError):
    """The policy file holds something we cannot use."""


def spoken_forms(text: str) -> tuple[str, str]:
    """The raw words and the normalised words of an utterance, both lower-case. The raw form keeps the marks
    that end a clause (", . ; : ! ?") as words of their own, so a phrase never matches across one and a safety
    word at a clause's end is seen to name nothing ("the switch room is flooding, water's coming in")."""
    return " ".join(re.findall(r"[a-z0-9]+|[,.;:!?]", clean(text))), normalise(text)


def find(pattern: re.Pattern[str] | None, forms: tuple[str, str]) -> str | None:
    if pattern is None:
        return None
    for form in forms:
        m = pattern.search(form)
        if m:
            return m.group(0)
    return None


@dataclass(frozen=True)
class BusinessHours:
    timezone: ZoneInfo
    days: frozenset[int]
    open: time
    close: time
    after_hours_queue: str
    on_call_queue: str

    def is_open(self, now: datetime) -> bool:
        local = (now if now.tzinfo else now.replace(tzinfo=ZoneInfo("UTC"))).astimezone(self.timezone)
        return local.weekday() in self.days and self.open <= local.time() < self.close


@dataclass(frozen=True)
class Policy:
    low_confidence_threshold: float
    max_clarifications: int
    tool_failure_limit: int
    safety_priority: str
    safety: re.Pattern[str] | None
    safety_except: re.Pattern[str] | None
    safety_in_name_confidence: float
    safety_denied_confidence: float
    person_request: re.Pattern[str] | None
    hours: BusinessHours
    default_priority: str
    priority_by_intent: dict[str, str]
    high_priority: re.Pattern[str] | None
    topic_switch: re.Pattern[str] | None
    topic_switch_confidence: float
    clarify_question: str
    empty_question: str
    intent_names: dict[str, str] = field(default_factory=dict)
    #: Hazardous substances and the words of their release: both in one clause is a hazard ("hypochlorite all
    #: over the floor", "an ammonia leak"); neither is one alone ("we're low on hypochlorite", "the tap's leaking").
    substances: re.Pattern[str] | None = None
    released: re.Pattern[str] | None = None
    #: Water let out near live electrical kit: a liquid and a release word, with one of ``electrics``, in one sentence.
    liquids: re.Pattern[str] | None = None
    electrics: re.Pattern[str] | None = None
    #: Words of danger itself ("dangerous", "hazard"): denied, the caller says the turn is no safety call.
    danger: re.Pattern[str] | None = None

    def safety_hit(self, forms: tuple[str, str]) -> str | None:
        """A safety phrase said outside the routine phrases of the except list, if any."""
        if find(self.safety, forms) is None:
            return None
        # Routine phrases that merely contain a safety word ("smoke detector") do not count,
        # unless another safety word is present too.
        masked = tuple(self.safety_except.sub(" ", f) if self.safety_except else f for f in forms)
        return find(self.safety, masked)  # type: ignore[arg-type]

    def safety_words(self, forms: tuple[str, str]) -> tuple[str | None, str | None, bool]:
        """(hazard, judged, named): a safety phrase used on its own ("smell of gas", "smoke is
        coming", "a fire in the plant room"), else one whose meaning the classifier judges,
        and whether that one only names a thing ("fire door", "emergency lighting").

        A phrase names a thing when a content word follows it directly (not a comma or a full stop, not a grammar word,
        not another safety phrase, not a word ending like a verb, not the end of the turn).
        A denied phrase ("nothing's on fire", "no smell of gas", "won't fire") is no hazard
        either: the rest of the turn is judged without it, like a name. When a verb-like word
        follows ("smoke pouring", "emergency lighting") or a modal comes before ("will spark"),
        its use cannot be told from the words: judged with it.
        """
        let_out = self.substance_released(forms)
        if self.water_on_electrics(forms):
            return "water near electrics", None, False
        if self.safety_hit(forms) is None and let_out is None:
            return None, None, False
        judged, named = None, True
        # A phrase each of whose uses follows a conditional in its sentence: judged by what else is said.
        raw = self.safety_except.sub(" ", forms[0]) if self.safety_except else forms[0]
        uses = [(m.group(0), _supposed(raw, m.start())) for m in self.safety.finditer(raw)]  # type: ignore[union-attr]
        supposed = {phrase for phrase, _ in uses} - {phrase for phrase, after_if in uses if not after_if}
        for phrase, preceding, after in self._safety_uses(forms):
            judged = judged or phrase
            if _negated(preceding, self.safety):  # type: ignore[arg-type]
                continue
            verb_use = (bool(preceding) and preceding[-1] in _VERB_BEFORE) or phrase in supposed
            # A clause that ends on it ("the switch room is flooding, water's coming in") names nothing either.
            ends = not after or after[0][:1] in ",.;:!?" or after[0] in _GRAMMAR_WORDS | _DEGREE \
                or after[0].endswith(_ADVERB_ENDINGS)
            if ends or self.safety.match(" ".join(after)):  # type: ignore[union-attr]
                if not verb_use:
                    return phrase, None, False
                named = False
            elif verb_use or after[0].endswith(("ing", "ed")):
                named = False
        if let_out is not None:
            substance, use = let_out
            if use == "hazard":
                return substance, None, False
            judged = judged or substance  # "the chlorine dosing pump is leaking": what is said of the pump decides
            named = named and use == "named"
        return None, judged, named

    def water_on_electrics(self, forms: tuple[str, str]) -> bool:
        """Water let out near live electrical kit, in one sentence ("water coming in under the door of the
        electrical room, it's all round the transformer"); "the transformer's cooling water pump failed" lets
        nothing out. A denied release is none ("no water getting in")."""
        if self.liquids is None or self.electrics is None or self.released is None:
            return False
        for sentence in re.split(r"\s[.;!?](?:\s|$)", forms[0]):
            liquid, let_out = self.liquids.search(sentence), self.released.search(sentence)
            if liquid and let_out and self.electrics.search(sentence) \
                    and not _negated(sentence[:liquid.start()].split(), self.liquids) \
                    and not _negated(sentence[:let_out.start()].split(), self.released):
                return True
        return False

    def substance_released(self, forms: tuple[str, str]) -> tuple[str, str] | None:
        """A hazardous substance said in one clause with a word of its release, and how: "hazard" ("there's
        hypochlorite all over the floor", "acid has spilt", "a chlorine leak"), "named" when a content word
        follows it directly ("the chlorine store is leaking" is about the store), "judged" when a word that
        may be a verb does ("the chlorine dosing pump is leaking"). A denied one is none ("no chlorine leaking")."""
        if self.substances is None or self.released is None:
            return None
        for clause in re.split(r"\s[,.;:!?](?:\s|$)", forms[0]):
            if not self.released.search(clause) or any(
                    _negated(clause[:r.start()].split(), self.released) for r in self.released.finditer(clause)):
                continue  # nothing let out, or its release denied ("nothing spilt")
            for m in self.substances.finditer(clause):
                if _negated(clause[:m.start()].split(), self.substances):
                    continue  # "no chlorine leaking"
                after = clause[m.end():].split()
                if not after or after[0] in _GRAMMAR_WORDS | _DEGREE or self.released.match(" ".join(after)):
                    return m.group(0), "hazard"
                return m.group(0), "judged" if after[0].endswith(("ing", "ed")) else "named"
        return None

    def danger_denied(self, forms: tuple[str, str]) -> bool:
        """The caller says there is no danger ("nothing dangerous", "it's not serious", "no hazard"), and says
        no word of danger without denying it."""
        if self.danger is None:
            return False
        uses = [_negated(forms[1][:m.start()].split(), self.danger) for m in self.danger.finditer(forms[1])]
        return bool(uses) and all(uses)

    def safety_denied(self, forms: tuple[str, str]) -> bool:
        """The caller denies a safety phrase ("nothing's on fire", "no smell of gas")."""
        return any(_negated(preceding, self.safety) for _, preceding, _ in self._safety_uses(forms))  # type: ignore[arg-type]

    def _safety_uses(self, forms: tuple[str, str]) -> Iterator[tuple[str, list[str], list[str]]]:
        """Each safety phrase outside the except list, with the words before and after it."""
        if self.safety is None:
            return
        for form in forms:
            text = self.safety_except.sub(" ", form) if self.safety_except else form
            for m in self.safety.finditer(text):
                yield m.group(0), text[: m.start()].split(), text[m.end():].split()

    def person_asked(self, forms: tuple[str, str]) -> str | None:
        """A request-for-a-person phrase, unless it is only the first part of a thing's name (a content
        word follows it directly: "the operator workstation", "a representative sample"); an adverb
        after it ("speak to someone urgently") keeps it a request."""
        if self.person_request is None:
            return None
        for form in forms:
            for m in self.person_request.finditer(form):
                after = form[m.end():].split()
                if _SELF_INTRODUCED.search(form[:m.start()]) or _SOURCE.search(form[:m.start()]) \
                        or (after and after[0] in _TOLD_OF):
                    # "it's the operator at North Ridge": who is calling, not who is wanted; nor "the operator can't";
                    # nor "a message from the operator": where the news came from
                    continue
                if not after or after[0] in _GRAMMAR_WORDS or after[0].endswith("ly"):
                    return m.group(0)
        return None

    def without_safety_words(self, normalised: str) -> str:
        """The turn with its safety phrases taken out: what is said about a thing whose name has one."""
        return " ".join((self.safety.sub(" ", normalised) if self.safety else normalised).split())

    def safety_exempted(self, forms: tuple[str, str]) -> bool:
        """A safety word was said, but only inside a routine phrase from the except list."""
        return find(self.safety, forms) is not None and self.safety_hit(forms) is None

    def priority_for(self, intent: str, forms: tuple[str, str]) -> str:
        if find(self.high_priority, forms):
            return "high"
        return self.priority_by_intent.get(intent, self.default_priority)

    def split_at_switch(self, normalised: str) -> tuple[str, str] | None:
        """The words before and after the last topic-switch marker, if at least two come after it."""
        if self.topic_switch is None:
            return None
        last = None
        for m in self.topic_switch.finditer(normalised):
            last = m
        if last is None:
            return None
        head, tail = lead_moved(normalised[:last.start()].strip(" ,.;"), normalised[last.end():].strip())
        return (head, tail) if len(tail.split()) >= 2 else None

    def name_of(self, intent: str) -> str:
        return self.intent_names.get(intent, intent.replace(".", " ").replace("_", " "))

    def either_or(self, first: str, second: str) -> str:
        """The clarifying question between two intents, in the operations team's words."""
        return self.clarify_question.format(first=self.name_of(first), second=self.name_of(second))


#: Asking words a switch cue stands inside ("... and can you also put a note on it"): they lead what follows it.
_LEAD_BEFORE_CUE = re.compile(r"(?:\b(?:and|but|so)\s+)?\b((?:(?:can|could|would|will) you|please)(?:\s+please)?)\s*$", re.I)


def lead_moved(head: str, tail: str) -> tuple[str, str]:
    """``head`` and ``tail`` of a turn split at a switch cue, with the asking words the cue stood inside moved to
    the tail: "what's the status on 10003 and can you | put a note on it" is a status check, then "can you put a
    note on it" (the request the asking words lead, which heard without them sounds like a fault told)."""
    lead = _LEAD_BEFORE_CUE.search(head)
    if lead is None or not head[:lead.start()].strip():
        return head, tail
    return head[:lead.start()].strip(" ,.;"), f"{lead.group(1)} {tail}"


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = data.get(key, default)
    if value is None or not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise PolicyError(f"policy: '{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _phrases(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"policy: '{key}' must be a list of phrases")
    return value


def _clock(value: Any, key: str) -> time:
    try:
        return datetime.strptime(str(value), "%H:%M").time()
    except ValueError:
        raise PolicyError(f"policy: business_hours.{key} must be HH:MM, got {value!r}") from None


def parse_policy(data: Any) -> Policy:
    if not isinstance(data, dict):
        raise PolicyError("policy: the file must be a mapping of settings")
    threshold = float(_get(data, "low_confidence_threshold", (int, float)))
    if not 0.0 <= threshold <= 1.0:
        raise PolicyError("policy: 'low_confidence_threshold' must be between 0 and 1")
    switch_confidence = float(_get(data, "topic_switch_confidence", (int, float), 0.8))
    if not 0.0 <= switch_confidence <= 1.0:
        raise PolicyError("policy: 'topic_switch_confidence' must be between 0 and 1")
    safety = _get(data, "safety", dict, {})
    in_name = float(_get(safety, "in_name_confidence", (int, float), 0.0))
    if not 0.0 <= in_name <= 1.0:
        raise PolicyError("policy: 'safety.in_name_confidence' must be between 0 and 1")
    denied = float(_get(safety, "denied_confidence", (int, float), max(in_name, 0.5)))
    if not 0.0 <= denied <= 1.0:
        raise PolicyError("policy: 'safety.denied_confidence' must be between 0 and 1")
    person = _get(data, "person_request", dict, {})
    hours = _get(data, "business_hours", dict)
    prio = _get(data, "priority", dict, {})
    try:
        tz = ZoneInfo(str(hours.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"policy: unknown business_hours.timezone {hours.get('timezone')!r}") from None
    days = hours.get("days", list(_DAYS[:5]))
    if not isinstance(days, list) or any(str(d).lower()[:3] not in _DAYS for d in days):
        raise PolicyError(f"policy: business_hours.days must list days like mon, tue; got {days!r}")
    by_intent = prio.get("by_intent", {}) or {}
    for level in [safety.get("priority", "emergency"), prio.get("default", "normal"), *by_intent.values()]:
        if level not in _PRIORITIES:
            raise PolicyError(f"policy: priority {level!r} is not one of {', '.join(_PRIORITIES)}")
    names = data.get("intent_names", {}) or {}
    if not isinstance(names, dict):
        raise PolicyError("policy: 'intent_names' must map intents to names")
    return Policy(
        low_confidence_threshold=threshold,
        max_clarifications=int(_get(data, "max_clarifications", int, 1)),
        tool_failure_limit=int(_get(data, "tool_failure_limit", int, 2)),
        safety_priority=safety.get("priority", "emergency"),
        safety=compile_phrases(_phrases(safety, "phrases")),
        safety_except=compile_phrases(_phrases(safety, "except")),
        safety_in_name_confidence=in_name,
        safety_denied_confidence=denied,
        substances=compile_phrases(_phrases(safety, "substances"), with_s=True),
        released=compile_phrases(_phrases(safety, "released")),
        liquids=compile_phrases(_phrases(safety, "liquids"), with_s=True),
        electrics=compile_phrases(_phrases(safety, "electrics")),
        danger=compile_phrases(_phrases(safety, "danger")),
        person_request=compile_phrases(_phrases(person, "phrases")),
        hours=BusinessHours(
            timezone=tz,
            days=frozenset(_DAYS.index(str(d).lower()[:3]) for d in days),
            open=_clock(hours.get("open", "00:00"), "open"),
            close=_clock(hours.get("close", "23:59"), "close"),
            after_hours_queue=str(hours.get("after_hours_queue", "callback")),
            on_call_queue=str(hours.get("on_call_queue", "on-call")),
        ),
        default_priority=prio.get("default", "normal"),
        priority_by_intent={str(k): str(v) for k, v in by_intent.items()},
        high_priority=compile_phrases(_phrases(prio, "high_phrases")),
        topic_switch=compile_phrases(_phrases(data, "topic_switch_markers")),
        topic_switch_confidence=switch_confidence,
        clarify_question=str(data.get("clarify_question", "Is it about {first}, or {second}?")),
        empty_question=str(data.get("empty_question", "Sorry, I didn't catch that. What do you need help with?")),
        intent_names={str(k): str(v) for k, v in names.items()},
    )


def load_policy(path: Path) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from None
    return parse_policy(data)
