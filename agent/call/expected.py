"""Is the caller's turn a complete answer to what the agent just asked? (pure: no I/O)

People judge the end of a turn with the question in mind: after "Shall I close it?", "Yes." is
a whole turn; after "Which site is it?", "Site four." is. The words-only end of turn
(``agent/speech/completeness.py``, the last-word rules) reads every utterance as a first turn
and holds many such answers to the cap. Here the agent's last words give the kind of answer
expected, derived from the question's grammar, not from a list of the agent's sentences:

- *yes/no*: the last sentence is a question that opens with an auxiliary verb ("Is", "Shall",
  "Do", "Can", "Would", ...) and offers no alternatives (no "or"). Complete (ANSWERED): a yes or
  a no (``agent.brain.entities.yes_no``) with a short tail that does not open a new clause ("Yes,
  that is the one.", "No, leave it open.", not "Yes, but the other thing is"). A yes or no alone
  is BARE_YES_NO: the endpointer ends it after the silence stop, not the short one, because callers
  pause 200-400 ms at the comma of "Yes, | but only if ..." and Whisper writes "Yes." there.
  "Could you tell me ...?", "Can you say that again?" ask the caller to *say* something: they
  are requests, judged as value questions if what is asked for is a value, else no opinion.
- *value*: a "What/Which" question whose asked noun is a kind of value (a number, a site, a
  tag, a code, an id, a priority, a day, a time, an e-mail), "When ...?" (a day or a time),
  "How many/much ...?" (a number). Complete: the transcript holds such a value
  (``entities.number_runs``, ``codes``, ``names_day``, ``hour_said``, ``email``, a priority
  word) and at most ``MAX_OTHER_WORDS`` other words ("It's site twelve.", "P one zero four two"): ANSWERED.
- anything else ("How can I help?", "What do you need?"): no opinion; the words-only judgement
  decides as before.

A transcript that ends as if more is coming (a trailing comma or ellipsis, a last word such as
"and", "but", "the", "at": ``sounds_unfinished``) is never a complete answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from agent.brain import entities
from agent.brain.acts import AUXILIARIES, SAYING  # the yes/no question's grammar, one place
from agent.speech.endpoint import ANSWERED, BARE_YES_NO, sounds_unfinished

YES_NO, VALUE = "yes/no", "value"

#: Kinds of value a question may ask for, by the noun it asks about.
NUMBER_NOUNS = frozenset(
    "number site tag id code reference ref order ticket extension asset incident request job room floor "
    "building unit digits serial".split())
PRIORITY_NOUNS = frozenset("priority urgency severity".split())
TIME_NOUNS = frozenset("day date time when".split())
EMAIL_NOUNS = frozenset("email e-mail mail address".split())
#: Priority levels as callers say them (the value a priority question expects).
PRIORITY_WORDS = frozenset("low medium normal high urgent critical emergency p1 p2 p3 p4".split())
#: Words that open a new clause: a yes/no followed by one has more to say ("yes, but ...", "no, because ...").
CLAUSE_OPENERS = frozenset(
    "but and or so because although though except unless if when while only also plus then".split())
#: Words around a value that add nothing to it ("it's site twelve", "that's the one, please").
FRAME_WORDS = frozenset("it it's its that that's this the a an um uh er erm oh well please thanks thank you".split())
#: A yes/no's tail and a value's company: more words than this and the words-only judgement decides.
MAX_TAIL_WORDS = 4
MAX_OTHER_WORDS = 2
_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_TRAILING = ("...", "…", ",", "-", "—", ";", ":")
@dataclass(frozen=True)
class Question:
    """What the agent asked: its ``kind`` (YES_NO or VALUE) and, for a value, which kinds of value it takes."""

    text: str
    kind: str
    values: frozenset[str] = frozenset()


def last_question(said: str) -> str | None:
    """The agent's last sentence if it is a question (ends with "?"), else None."""
    sentences = [s.strip() for s in _SENTENCE.findall(said or "") if s.strip()]
    if not sentences or not sentences[-1].endswith("?"):
        return None
    return sentences[-1]


def _value_kinds(words: list[str]) -> frozenset[str]:
    kinds = set()
    for w in words:
        if w in NUMBER_NOUNS:
            kinds.add("number")
        if w in PRIORITY_NOUNS:
            kinds.add("priority")
        if w in TIME_NOUNS:
            kinds.add("time")
        if w in EMAIL_NOUNS:
            kinds.add("email")
    return frozenset(kinds)


def classify(said: str) -> Question | None:
    """The kind of answer the agent's words ``said`` expect (None: none that this judges)."""
    q = last_question(said)
    if q is None:
        return None
    words = _WORD.findall(q.lower())
    if not words:
        return None
    first = words[0]
    if first in AUXILIARIES:
        rest = [w for w in words[1:] if w != "please"]
        if len(rest) >= 2 and rest[0] == "you" and rest[1] in SAYING:
            kinds = _value_kinds(rest[2:])  # "Could you tell me the site number?": a request for a value
            return Question(q, VALUE, kinds) if kinds else None
        if "or" in words:
            return None  # "Is it the pump, or the fan?", "Shall I try again, or ...?": alternatives, not yes/no
        return Question(q, YES_NO)
    if first == "when":
        return Question(q, VALUE, frozenset({"time"}))
    if first == "how" and len(words) > 1 and words[1] in ("many", "much"):
        return Question(q, VALUE, frozenset({"number"}))
    if first in ("what", "what's", "which"):
        kinds = _value_kinds(words[1:])
        return Question(q, VALUE, kinds) if kinds else None
    return None


def _holds(kind: str, text: str) -> set[int]:
    """Token indexes (``entities.tokens``) of ``text`` that make up a value of ``kind``; empty if none."""
    toks = entities.tokens(text)
    found: set[int] = set()
    if kind == "number":
        for run in entities.number_runs(text):
            found |= set(range(run.start, run.end))
        if entities.codes(text):
            found |= {i for i, t in enumerate(toks) if len(t) == 1 and t.isalpha() or t in entities.LETTER_NAMES
                      or t in entities.DASH_WORDS or any(c.isdigit() for c in t)}
    elif kind == "priority":
        found |= {i for i, t in enumerate(toks) if t in PRIORITY_WORDS}
    elif kind == "time":
        if entities.names_day(text) or entities.hour_said(text)[0] is not None:
            day = {"today", "tonight", "tomorrow", "next", "this", "morning", "afternoon", "evening", "noon",
                   "midday", "lunchtime", "am", "pm", "first", "thing", "end", "of", "day", "week", "in", "days",
                   "before", "after", "lunch", *entities.WEEKDAYS, *entities.MONTHS}
            found |= {i for i, t in enumerate(toks) if re.sub(r"'s$", "", t) in day or any(c.isdigit() for c in t)
                      or t in entities.UNITS or t in entities.TEENS or t in entities.TENS}
    elif kind == "email":
        if entities.email(text):
            found |= {i for i, t in enumerate(toks) if t.isalnum() or t in ("dot", "at", "@", "underscore")}
    return found


def _short_tail(rest: str) -> bool:
    words = _WORD.findall(rest.lower())
    return not words or (len(words) <= MAX_TAIL_WORDS and words[0] not in CLAUSE_OPENERS)


def answers(question: Question | None, transcript: str) -> str | None:
    """ANSWERED if ``transcript`` is a complete answer to ``question`` (a yes/no with its short tail, a value),
    BARE_YES_NO if it is a yes or no alone (the caller may go on after a comma pause: "Yes, | but only if"),
    None: no opinion (the words-only judgement decides, as if nothing was asked)."""
    text = transcript.strip()
    if question is None or not text or text.endswith(_TRAILING) or sounds_unfinished(text):
        return None
    if question.kind == YES_NO:
        said = entities.yes_no(text)
        if said.yes is None or not _short_tail(said.rest):
            return None
        return ANSWERED if _WORD.findall(said.rest.lower()) else BARE_YES_NO
    toks = [t for t in entities.tokens(text) if _WORD.fullmatch(t)]
    kinds = question.values or frozenset({"number", "priority", "time", "email"})
    for kind in kinds:
        value = _holds(kind, text)
        if not value:
            continue
        all_toks = entities.tokens(text)
        other = [t for i, t in enumerate(all_toks) if i not in value and _WORD.fullmatch(t)
                 and t not in FRAME_WORDS and t not in NUMBER_NOUNS | PRIORITY_NOUNS | TIME_NOUNS | EMAIL_NOUNS]
        if toks and len(other) <= MAX_OTHER_WORDS:
            return ANSWERED
    return None


def expectation(said: str) -> Callable[[str], str | None] | None:
    """A check of the caller's next words against what the agent ``said`` (None: it asked nothing this judges)."""
    question = classify(said)
    if question is None:
        return None
    return lambda transcript: answers(question, transcript)
