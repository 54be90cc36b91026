"""Slot filling driven by a tool's JSON input schema.

Pure: no I/O. The task in progress is a plain dict kept in ``CallState.task`` so a
call can resume on another container:
``{"tool", "server", "intent", "args", "asking", "confirming", "key", "opening"}``.

Required fields become questions (the field's description is the question), fields
the caller mentions are taken whenever they are heard, in any order and several per
sentence, answers are parsed with ``entities`` according to the field's type and
pattern and validated against the schema, and every write is confirmed first.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

from jsonschema import Draft202012Validator

from agent.brain import entities
from agent.brain import moves
from agent.privacy.names import names_in

Kind = Literal["key", "enum", "boolean", "datetime", "email", "user", "site", "integer", "number", "code", "text"]

#: Longest free-text answer we pass on; the server has its own limit, this one keeps a
#: pasted megabyte out of the confirmation sentence and the call state.
MAX_SPOKEN_TEXT = 2000

#: Read-only tools run without confirmation; recognised by MCP annotations or by name.
READ_PREFIXES = ("get_", "lookup_", "list_", "search_", "find_", "check_")
#: Tools that make a new record, by the same convention.
NEW_RECORD_PREFIXES = ("create_", "request_")

_ENUM_SYNONYMS = {
    "urgent": ("urgent", "critical", "emergency", "asap", "right away"),
    "high": ("high", "important", "quickly", "soon as possible"),
    "medium": ("medium", "normal", "moderate", "standard"),
    "low": ("low", "whenever", "no rush", "not urgent"),
    # A job is closed by completing it: "close it off" where the states say "completed".
    # Access levels in the words people use for them.
    "read": ("read", "read only", "read-only", "view", "viewing", "view only", "just viewing", "look at"),
    "write": ("write", "edit", "editor", "editing", "read and write", "read-write", "modify", "update", "updating",
              # the work that needs it ("put files into the team site", "I can't save anything there")
              "save", "saving", "upload", "uploading", "put files", "add files", "make changes"),
    "admin": ("admin", "administrator", "full control", "admin rights"),
    "completed": ("complete", "close it", "close it off", "close the job", "close the work order", "close that",
                  "close off", "close out"),
    # A job opened again is open ("can you reopen the work order?").
    "open": ("open", "reopen", "re-open", "open it again", "open it back up"),
}
#: The state a record opened again is in, where none is called open: the first of these its states have.
_REOPENED_AS = ("in_progress", "new")
#: Option words that also describe things other than the slot ("a high reading", "low pressure", "other
#: people"): said unasked they count only next to the slot's label or on their own.
_ENUM_WORDS = {"high", "low", "medium", "normal", "moderate", "standard", "important", "quickly", "soon as possible",
               "critical", "emergency", "other", "general"}


@dataclass(frozen=True)
class Context:
    """What parsing needs besides the words: the time now and known site names."""

    now: datetime
    site_names: Mapping[str, int] = field(default_factory=dict)
    #: Meaning-similarity of a text to each of several phrases (cosine, -1..1), for an answer that names
    #: a choice in its own words ("the microphone on my headset died" is hardware). None: words only.
    similar: Callable[[str, Sequence[str]], Sequence[float]] | None = None


@dataclass(frozen=True)
class Slot:
    name: str
    schema: dict[str, Any]
    required: bool

    @property
    def kind(self) -> Kind:
        s, name = self.schema, self.name.lower()
        if name == "idempotency_key":
            return "key"
        if "enum" in s or "const" in s:
            return "enum"
        typ = s.get("type")
        if typ == "boolean":
            return "boolean"
        if s.get("format") in ("date-time", "date") or re.search(r"(^|_)(when|date|time|window|start|at)($|_)", name):
            return "datetime"
        if s.get("format") == "email" or "email" in name:
            return "email"
        if re.search(r"(^|_)user(_?name|_?id)?$|login", name):
            return "user"
        if "site" in name and typ in ("integer", "number"):
            return "site"
        if typ in ("integer", "number"):
            return "integer" if typ == "integer" else "number"
        if s.get("pattern") or re.search(r"(tag|_id|number|code)$", name):
            return "code"
        return "text"

    @property
    def label(self) -> str:
        words = self.name.replace("_", " ")
        return re.sub(r"\bid\b", "number", words)

    @property
    def _described(self) -> tuple[str, str]:
        """The field's description as its first sentence (the question) and the rest."""
        parts = re.split(r"(?<=[.?!])\s", (self.schema.get("description") or "").strip(), maxsplit=1)
        return parts[0], parts[1] if len(parts) > 1 else ""

    @property
    def meanings(self) -> dict[Any, list[str]]:
        """What each option covers, in the words of the field's description after its question
        ("... or other? Hardware: a laptop, printer or headset. Software: ..."): option -> its name
        and each thing listed. Empty when the server describes no option."""
        options = {str(o).lower().replace("_", " "): o for o in self.schema.get("enum") or [] if isinstance(o, str)}
        found: dict[Any, list[str]] = {}
        for name, gloss in re.findall(r"([A-Za-z][A-Za-z _-]*?):\s*([^.?!]+)", self._described[1]):
            option = options.get(name.strip().lower().replace("_", " "))
            if option is not None:
                items = [i.strip() for i in re.split(r"[,;]", gloss) if i.strip()]
                found[option] = [name.strip().lower(), *items]
        return found

    @property
    def hours(self) -> dict[Any, tuple[int, int]]:
        """Options the question gives clock hours for ("morning (8 to 12), afternoon (12 to 5)"): option ->
        (from, to) on a 24-hour clock, read in order through the day. Empty when it gives none."""
        options = {str(o).lower(): o for o in self.schema.get("enum") or [] if isinstance(o, str)}
        found: dict[Any, tuple[int, int]] = {}
        latest = 0
        for name, start, end in re.findall(r"([a-z]+) \((\d{1,2}) to (\d{1,2})\)", self._described[0].lower()):
            start, end = int(start), int(end)
            start += 12 if start < latest else 0  # "12 to 5" after "8 to 12" is the afternoon
            end += 12 if end <= start else 0
            latest = start
            if name in options:
                found[options[name]] = (start, end)
        return found

    @property
    def question(self) -> str:
        first = self._described[0]
        if first.lower().startswith("optional"):
            first = ""
        if first.endswith("?"):
            return first
        if first:
            return f"What's {first[0].lower()}{first[1:].rstrip('.')}?"
        return f"What's the {self.label}?"


def slots_of(schema: Mapping[str, Any]) -> list[Slot]:
    """The fields of a tool's input schema, in schema order, with nullable unions unwrapped."""
    required = set(schema.get("required") or [])
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        out.append(Slot(name, _unwrap(prop), name in required))
    return out


def _unwrap(prop: Mapping[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {"type": "null"}]`` (an Optional field) -> X, keeping the description."""
    variants = [v for v in prop.get("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1:
        merged = {**variants[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
        return merged
    return dict(prop)


def is_write(tool_name: str, annotations: Mapping[str, Any] | None = None) -> bool:
    """Does calling the tool change something (so the caller must confirm first)?"""
    if annotations and annotations.get("readOnlyHint") is not None:
        return not annotations["readOnlyHint"]
    return not tool_name.startswith(READ_PREFIXES)


# --- parsing one value ------------------------------------------------------------------

#: Words after which a caller says a value again, meaning the new one ("no, that's Jonas's, mine's E11199").
_SELF_CORRECTION = re.compile(r"\b(?:sorry|no|i mean|actually|hang on|rather|mine'?s|my mistake|correction)\b[,.]?\s+")


#: Words besides the value a restatement may have ("site thirty", "W O ten thousand and two").
RESTATED_WORDS = 2
#: A repair before a day or time said again ("no later than Friday" is none: "no" counts only as a word of its own).
_WHEN_REPAIR = re.compile(r"\b(?:actually|sorry|i mean|rather|make (?:it|that)|on second thoughts?|scratch that|"
                          r"no(?=\s*[,.;:!\u2013\u2014-]))\b")
#: A value said again as what the thing is, after a self-correction: "it's ten thousand and two".
_SAID_AGAIN_AS = re.compile(r"(?:^|[.,;!?]\s*)(?:it'?s|it is|that'?s|the right one'?s|the right one is|it should be|"
                       r"should be|i mean|make (?:it|that))\s+([^.,;!?]+)", re.I)


#: A greeting that leads the turn, by the time of day ("Morning.", "good afternoon all, it's Sam"): it names no time.
_GREETING_LEAD = re.compile(r"^\W*(?:good\s+)?(?:morning|afternoon|evening)\b(?:\s+(?:all|there|love|mate|folks|guys|team))?"
                            r"(?=\s*[,.!;:]|\s+(?:hi|hello|it'?s|this is|i|i'm|we|we're|my|can|could|just|quick|sorry)\b)", re.I)


def parse(slot: Slot, text: str, ctx: Context, *, asked: bool, verbs: bool = True) -> Any:
    """The value for ``slot`` in ``text``, or None.

    ``asked`` is True when the caller is answering this slot's question: then a bare
    number or free text counts; otherwise a value must be recognisable on its own
    (a site needs the word "site", a code must match the pattern).
    """
    kind, s = slot.kind, slot.schema
    if kind == "key":
        return None
    if not asked:
        text = _GREETING_LEAD.sub(lambda m: " " * len(m.group(0)), text)  # "Morning. Can you ...": a greeting, no time
    if kind in ("code", "user", "email", "site"):
        # "site twelve, sorry, no, site seven": a value said again after a self-correction is the one meant.
        cues = list(_SELF_CORRECTION.finditer(text.lower()))
        corrected = parse(slot, text[cues[-1].end():], ctx, asked=asked) if cues else None
        if corrected is None and cues and parse(slot, text[:cues[-1].start()], ctx, asked=asked) is not None:
            # "site fifty-four, no, fifty-five": right after a value, the repair says the new one alone; or a
            # sentence or two on, as what it is ("..., no wait, that's the old one. It's ten thousand and two").
            # Either way the words are little besides the value: "no, it's been three weeks" repairs nothing.
            after = text[cues[-1].end():]
            said = [re.split(r"[.,;!?]", after)[0]] + [
                m.group(1) for m in _SAID_AGAIN_AS.finditer(" ".join(re.split(r"(?<=[.!?])\s+", after)[:2]))]
            corrected = next((v for v in (parse(slot, x, ctx, asked=True) for x in said
                                          if len(entities.words_besides_numbers(x)) <= RESTATED_WORDS) if v is not None), None)
        if corrected is not None:
            return corrected
    if kind == "enum":
        chosen = _enum(slot, text, asked=asked, verbs=verbs)
        if chosen is None and slot.hours:  # "after lunch", "at two": the window the question says holds it
            hour, _ = entities.hour_said(text)
            chosen = next((o for o, (a, b) in slot.hours.items() if hour is not None and a <= hour < b), None)
            if chosen is not None or hour is not None:
                return chosen
        # A question back ("what are the slots you do?") asks about the options: it picks none by meaning.
        return nearest_option(slot, text, ctx) if chosen is None and asked and not text.rstrip().endswith("?") else chosen
    if kind == "boolean":
        return entities.yes_no(text).yes if asked else None
    if kind == "datetime":
        if s.get("format") == "date" and not asked and not entities.names_day(text):
            return None  # "morning" answers a time window, it does not move the day
        # "The day after tomorrow. Actually no, tomorrow is better": the day said after the repair is the one meant.
        # (Only a day named after it: "scrap that, Thursday was right, but make it the evening" puts the window right.)
        after = text[max((c.end() for c in _WHEN_REPAIR.finditer(text.lower())), default=len(text)):]
        moment = (entities.when(after, ctx.now) if entities.names_day(after) else None) or entities.when(text, ctx.now)
        if moment is None:
            return None
        return moment.date().isoformat() if s.get("format") == "date" else moment.isoformat(timespec="minutes")
    if kind == "code" and not asked:
        # "I'm Ben Carter in the control room, E11402": who calls, never the tag of a thing, whatever shape it fits.
        # (A code after the name in the shape of the slot's own examples may be the thing's: "I'm Sam, pump A124".)
        name = caller_name(text).lower()
        lengths = {len(re.sub(r"\D", "", e)) for e in s.get("examples") or [] if isinstance(e, str)}
        for code in _codes_of_who_calls(text, name) if name and lengths else ():
            if len(re.sub(r"\D", "", code)) not in lengths:
                text = re.sub(rf"\b{re.escape(code)}\b", " ", text, flags=re.I)
    if kind in ("email", "user", "code"):
        return _patterned(slot, text, asked=asked)
    if kind == "site":
        found = entities.site(text, ctx.site_names)
        if found is None and asked:
            found = entities.first_number(text)
        return found
    if kind in ("integer", "number"):
        return entities.first_number(text) if asked else None
    if asked:
        clean = text.strip()
        if kind == "text" and (dictated := DICTATED.match(clean)):
            clean = dictated.group(1).strip()  # "Say: starter battery replaced ...": what is said after how
        elif kind == "text" and (told := _words_told([slot], clean)) is not None:
            clean = told[1]  # "the comment is the courier can pick it up ...": what it is
        reply = entities.yes_no(clean)
        # A bare "yes" or "no" ("yes, please"), or a yes that only says the action again ("yes, cancel it",
        # "yeah go ahead"), is no description (the question was open): ask again, never store "yes".
        rest = moves.leftover(reply.rest).strip(" .!?,").lower()
        again = entities.yes_no(reply.rest)  # "yes, correct": a yes said twice
        said_nothing = not rest or (reply.yes is True and _POINTING_BACK.fullmatch(
            reply.rest.strip(" .!?,").lower()) is not None) or (
            reply.yes is not None and again.yes is not None and not moves.leftover(again.rest).strip(" .!?,"))
        if _COURTESY.fullmatch(rest):
            return None  # "thanks", "okay then": manners, no words for the record
        return clean if clean and not (reply.yes is not None and said_nothing) else None
    return None


#: A reply that is only manners or an acknowledgement: nothing to write down.
_COURTESY = re.compile(r"(?:(?:thanks|thank you|thankyou|cheers|ta|ok|okay|right|alright|all right|sure|great|lovely|cool|fine|"
                       r"good|perfect|brilliant|then|very much|so much|mate|love)[\s,.!]*)+")


def _words_told(slots: list[Slot], text: str) -> tuple[Slot, str] | None:
    """(field, words) when ``text`` gives a field of words in full: dictated ("Say: starter battery replaced this
    morning", for the one required such field) or named ("the comment is the courier comes on Thursday")."""
    said = text.strip()
    dictated = DICTATED.match(said)
    texts = [s for s in slots if s.kind == "text" and s.required]
    named = _FIELD_SAID.match(said) if not dictated else None
    field = next((s for s in slots if s.kind == "text" and named and named.group(1).lower()
                  in (s.name.lower(), s.label.lower().rsplit(" ", 1)[-1])), None)
    told = (texts[0], dictated.group(1)) if dictated and len(texts) == 1 else (field, named.group(2)) if field and named else None
    if told is None or validate(told[0], told[1].strip(" .")) is not None:
        return None
    return told[0], told[1].strip(" .")


def _words_added(slots: list[Slot], args: Mapping[str, Any], text: str) -> dict[str, str] | None:
    """{field: its words and more} when ``text`` adds to the one required field of words held ("oh and, sorry,
    add that the suction hose is split", "can you also mention it's the second time"); None otherwise."""
    more = _ADDED.match(text.strip())
    return _appended(slots, args, more.group(1).strip(" .")) if more is not None else None


def _appended(slots: list[Slot], args: Mapping[str, Any], words: str) -> dict[str, str] | None:
    """{field: its words; ``words``} for the one required field of words held, when the result is valid; else None."""
    texts = [s for s in slots if s.kind == "text" and s.required and args.get(s.name)]
    if len(texts) != 1:
        return None
    joined = f"{str(args[texts[0].name]).rstrip(' .')}; {words}"
    return {texts[0].name: joined} if validate(texts[0], joined) is None else None


def told_more(slots: list[Slot], args: Mapping[str, Any], text: str) -> tuple[dict[str, str], str]:
    """What a turn at a read-back that names no field and asks for nothing fills: who calls, for an optional
    "who is ..." field left empty ("It's Tom Reyes, E11003."), and the rest of the turn, when it tells more of
    the story, added to the one required field of words held ("It's stopping me doing the month-end close").
    ({field: value}, what to say for it); ({}, "") when it fills nothing."""
    changes: dict[str, str] = {}
    name = caller_name(text)
    for slot in slots:
        if slot.kind == "text" and not slot.required and not args.get(slot.name) and name \
                and re.search(r"\bwho is\b", str(slot.schema.get("description", "")), re.I) and validate(slot, name) is None:
            changes[slot.name] = name
    story = without_introduction(text).strip(" ,.")
    if (dictated := DICTATED.match(story)) is not None:
        story = dictated.group(1).strip(" ,.")  # "and note that nobody goes in without a permit": what is to be written
    if len(story.split()) >= 4 and "?" not in story and not moves.asks(story) and (dictated or tells_something(story)):
        changes.update(_appended(slots, args, f"{story[:1].lower()}{story[1:]}") or {})
    thanks = f"Thanks, {name.split()[0]}." if name and changes else ""
    added = "I've added that." if any(s.required for s in slots if s.name in changes) else ""
    return changes, " ".join(x for x in (thanks, added) if x)


#: More words for a field, asked for at the read-back ("and add that ...", "also mention ...", "put in that ...").
_ADDED = re.compile(r"^(?:(?:oh|ah|and|also|sorry|um|uh|er|actually|wait|one more thing)\W+)*"
                    r"(?:(?:can|could) you |please |just )?(?:also )?(?:add|mention|include|put in|say as well)"
                    r"(?: (?:to it|in there|on there|as well|too))?(?: that)?\W+(?!(?:to|on|in|onto|into)\b)(.{8,})$", re.I)
#: A field of words named before what it holds ("the comment is ...", "note: ...", "the reason's that ...").
_FIELD_SAID = re.compile(r"^(?:(?:the|my|our|a)\s+)?([a-z]+)(?:'s|\s+is|\s+should (?:say|be)|\s+says|\s+reads|\s+would be|"
                         r"\s*:)\s+(?:that\s+)?(.{4,})$", re.I)
#: An order that only points back at what is under way: "cancel it", "add that", "go ahead", "do it now".
_POINTING_BACK = re.compile(r"(?:(?:please|just) )?(?:\w+ (?:it|that|this|them)|go ahead|go on|carry on)"
                            r"(?: (?:please|now|then|for me))*")


#: Words that set a value ("it should be high", "change it to low") rather than describe something.
_SETTING = re.compile(r"(?:(?:^|\s)(?:it|that|this|priority)\s+(?:should be|should have been|needs to be|has to be)|"
                      r"(?:make|call|mark) (?:it|that|this|them|those|both|them both|them all|all of them|each of them|each)|"
                      r"set it to|set that to|change it to|change that to|put it (?:as|at|down as)|bump it (?:up )?to|"
                      r"raise it to|lower it to|drop it to|"
                      # a value offered as a question: "is high alright?", "how about medium?"
                      r"^\s*(?:is|how about|what about|can it be|could it be|can we (?:make it|go with|have))|"
                      r"^\s*(?:can|could) (?:we|you) (?:make it|go with|put it (?:as|at|down as)))\s*$")
#: A value said as where a change takes it: "can you bump the aircon job 10004 up to high", "drop the printer
#: ticket down to low". The change verb is the caller's; "the reading went up to high" changes nothing.
_CHANGED_TO = re.compile(r"\b(?:bump|bumped|raise|lift|lower|drop|change|set|move|upgrade|downgrade|escalate|increase|"
                         r"reduce|push|knock|put)\b.*\b(?:up |down |back )?(?:to|as)\s*$")
#: Words before a thing's name that make an option word after them describe the thing ("the new tablet").
_OWNING = {"the", "my", "our", "his", "her", "their", "your"}
#: Words after an option word that are no noun it could describe ("the new is fine", "my high please").
_NOT_A_NOUN = {"is", "was", "are", "were", "and", "or", "please", "then", "now", "for", "to", "as", "one", "ones", "if",
               "so", "but", "too", "again", "already", "thanks", "instead", "of", "on", "in", "at", "with", "from", "by",
               "after", "before", "until", "till", "slot", "one's", "'s", "would", "will", "should", "works", "suits",
               "any", "ok", "okay", "fine", "good", "all", "still", "not", "keeps", "has", "had", "does", "did", "do"}
#: Words that deny what follows them in their clause ("they didn't say it was urgent", "I wouldn't call it high").
_NEGATIONS = {"don't", "dont", "doesn't", "didn't", "didnt", "never", "without", "wasn't", "wouldn't", "aren't"}
#: Words that deny the next value said after them in their clause, and no other ("neither is urgent", "none of them
#: are urgent", but "nothing urgent, low priority" is low).
_NONE_OF = re.compile(r"\b(?:neither|none|nothing)\b")
#: Where a clause ends before a value: a mark, or a word that starts the next thought ("it didn't work so urgent please").
_CLAUSE_BEFORE = re.compile(r"[,.!?;:]|\b(?:so|because|but|and|then|though|although)\b")
#: What may follow a value said on its own: "low's fine", "medium will do", "high please".
_VALUE_THEN = re.compile(r"^\s*(?:'s|is|will do|would do|would be|is fine|'s fine|fine|ok|okay|alright|all right|then|please|thanks|"
                         r"thank you|priority|is ok|'ll do|one)(?:\s+(?:fine|ok|okay|please|thanks|then|by me|for me))*\b")


#: A value kept as it is: "leave the job open", "keep it at medium".
_KEPT = re.compile(r"\b(?:leave|leaving|keep|keeping)\b(?:\s+[\w']+){0,4}?\s*(?:as|at)?\s*$|"
                   # how a record is, told ("there's a job open already", "I've got a ticket in progress for it")
                   r"\b(?:there'?s|there is|i'?ve got|we'?ve got|i have|we have)\s+(?:already\s+)?(?:a|an|one)\s+"
                   r"(?:job|ticket|work order|incident|request)(?:\s+(?:already|still))?\s*$")
#: A reason given for a value: "high because the dosing's off". What follows is a clause of its own.
_REASON_LEAD = re.compile(r"^\s*(?:because|'?cause|cos|coz|as|since)\b")
#: A value said and judged enough: "low's fine", "medium will do then". What follows is a clause of its own.
_VALUE_JUDGED = re.compile(r"^\s*(?:'s|is)?\s*(?:fine|ok|okay|alright|all right|will do|would do|'ll do|does me)\b")
#: Where a new clause starts in words run together: a yes ("high yeah log it"), or a subject pronoun and its verb
#: ("... we can manage", "it's fine").
#: (A pronoun with its verb may go on with an article: "high its the whole floor".)
_NEW_CLAUSE = re.compile(r"\b(?:(?:yes|yeah|yep|yup|okay|ok)\b|(?:(?:i|we|they|you|he|she|it|that|there)\s+(?=[a-z])(?!(?:and|or|to|for|the|a|an)\b))|"
                         r"(?:(?:i|we|they|you|he|she|it|that|there)'[a-z]+|its|thats|theres|im|ive|weve|theyre)\s+"
                         r"(?=[a-z])(?!(?:and|or|to|for)\b))")
#: Words that cannot be the thing an option word describes: "medium I should think", "high really".
#: Words that stand for what is still to be said ("add something to an existing work order"): no news yet.
_VAGUE = {"something", "anything", "stuff", "thing", "things", "existing", "info", "information", "details", "more", "bit"}
_NO_NOUN = {"i", "i'd", "i'm", "i'll", "it", "it's", "its", "thats", "theres", "we", "you", "he", "she", "they", "is", "was", "are", "be", "then",
            "really", "surely", "probably", "maybe", "perhaps", "though", "too", "now", "today", "as", "if", "but", "and",
            "or", "so", "because", "since", "at", "by", "to", "for", "with", "think", "reckon", "guess", "suppose",
            "should", "would", "will", "could", "can", "if", "not", "no", "yes", "yeah", "please", "thanks", "enough"}


def option_words(choices: Iterable[Slot]) -> set[str]:
    """The words the options of ``choices`` are said in, their names and the words people use for them."""
    options = {str(o).lower() for c in choices for o in c.schema.get("enum") or []}
    phrases = options | {w for o in options for w in _ENUM_SYNONYMS.get(o, ())}
    return {w for p in phrases for w in re.findall(r"[a-z']+", p.replace("_", " "))}


def _enum(slot: Slot, text: str, *, asked: bool, strict: bool = False, verbs: bool = True) -> Any:
    """The option ``text`` names; the last one named wins ("high, no, urgent"), a negated one never
    does ("critical, not medium"). Unasked, a word counts only when it can mean nothing but this
    slot: a phrase that only names the slot ("urgent", "no rush"), a word next to the slot's own
    label ("high priority"), or a clause that is little but the value ("..., make it high"). So a symptom
    ("the pressure reading is high") never sets the priority. ``strict``: every option word needs that
    (a value the call holds already is not changed by a word in a description: "..., the crews can't
    see the network" keeps the category). ``verbs``: a state may be named by its verb ("close it"), which
    a filter for finding records must not take from the request ("cancel the visit on the pump job")."""
    s = slot.schema
    options = s.get("enum") or [s.get("const")]
    low = text.lower()
    # An option written as an identifier ("power_bi") is said as words ("power bi").
    phrases = [(str(o).lower().replace("_", " "), o) for o in options if isinstance(o, str)]
    phrases += [(w, o) for o in options for w in _ENUM_SYNONYMS.get(str(o).lower(), ())]
    lowered = [str(o).lower() for o in options]
    if "open" not in lowered and (active := next((options[lowered.index(o)] for o in _REOPENED_AS if o in lowered), None)):
        # Where no state is called open, one opened again is back being worked on (an incident: in progress).
        phrases += [(w, active) for w in _ENUM_SYNONYMS["open"] if w != "open"]
    # A state is asked for by its verb: "close it" is closed, "resolve", "complete", "cancel" likewise.
    if verbs:
        phrases += [(p[:-3] if p.endswith("lled") else p[:-1], o) for p, o in list(phrases) if re.fullmatch(r"[a-z]+ed", p)]
    # Longest first, each span used once: "not urgent" is low before "urgent" can be urgent.
    taken: list[tuple[int, int, Any, str]] = []
    for phrase, option in sorted(phrases, key=lambda p: -len(p[0])):
        # (A time of day may be said as a habit: "mornings are best for us".)
        for m in re.finditer(rf"\b{re.escape(phrase)}{'s?' if slot.hours else ''}\b", low):
            if not any(a < m.end() and m.start() < b for a, b, _, _ in taken):
                taken.append((m.start(), m.end(), option, phrase))
    label = {w for w in re.findall(r"[a-z]+", slot.label.lower()) if len(w) > 2}
    if asked and not taken:
        ordinal = _ordinal(low, len(options))
        if ordinal is not None:
            return options[ordinal]  # "the second one": options in the order the question lists them
    kept, labelled, ruled_out = [], set(), set()
    # ("no rush" is a value, no repair word)
    unvalued = list(low)
    for a, b, _, _ in taken:
        unvalued[a:b] = " " * (b - a)
    unvalued = "".join(unvalued)
    for start, end, option, phrase in taken:
        before = re.findall(r"[a-z']+", low[:start])[-2:]
        after = re.findall(r"[a-z']+", low[end:])[:2]
        near = re.findall(r"[a-z']+", re.split(r"[,.;!?]", low[:start])[-1])[-1:] + \
            re.findall(r"[a-z']+", re.split(r"[,.;!?]", low[end:])[0])[:1]
        if label & set(near) and not _REPAIRED_LATER.search(unvalued[end:]):
            labelled.add(option)  # "medium priority": next to the slot's name, in its own clause, not taken back
        if before[-1:] and (before[-1] in ("not", "isn't", "than") or before == ["instead", "of"]
                            or before in (["not", "just"], ["not", "only"])
                            or (before[-1] == "the" and before[-2:-1] == ["not"])):
            ruled_out.add(option)
            continue  # the value the caller does not mean ("update them, not just look at them", "not the morning")
        if phrase.startswith("not ") and any(o != option and (0 <= start - b <= 2 or 0 <= a - end <= 2) for a, b, o, _ in taken):
            continue  # "it's medium, not urgent", "not urgent, high": the other value named beside, and this one ruled out
        if not asked and before[-1:] and before[-1] in ("i", "we", "you", "they", "he", "she") \
                and (not verbs or re.search(r"ed$", low[start:end])):
            # "every time I open a work order": what the caller does, no state asked for; "you closed INC-20007 for
            # it": what was done, no state asked for either
            continue
        if slot.hours and entities.gone_by(before):
            continue  # "it make very big noise since the morning", "all morning": a time gone by, no choice
        if slot.hours and entities.ruled_out(low[:start], low[end:]):
            ruled_out.add(option)
            continue  # "the afternoon is better, morning we are busy", "I'm busy in the morning": the time that will not do
        if set(re.findall(r"[a-z']+", _CLAUSE_BEFORE.split(low[:start])[-1])[-5:]) & _NEGATIONS:
            continue  # "I don't need to edit anything", "they didn't say it was urgent": not that one either
        denied = [m.end() for m in _NONE_OF.finditer(_CLAUSE_BEFORE.split(low[:start])[-1])]
        clause_at = start - len(_CLAUSE_BEFORE.split(low[:start])[-1])
        if denied and not any(clause_at + denied[-1] <= a < start for a, _, _, _ in taken):
            ruled_out.add(option)
            continue
        if _KEPT.search(low[:start]):
            continue  # "leave the job itself open": the value it has, kept, is no value asked for
        if _NAMES_WHAT_FOLLOWS.match(low[end:]) and (entities.email(low[end:]) or entities.user_id(low[end:])):
            continue  # "my email is tom dot reyes at ...": the name of the address given, no choice
        if not asked and before[-1:] and before[-1] in ("my", "your", "his", "her", "their") \
                and (entities.email(low[end:]) or entities.user_id(low[end:])):
            continue  # "can you use my email? it's grace.kim@...": the address given, no choice either
        if not asked and (before[-1:] in (["a"], ["an"]) or (before[-1:] == ["the"] and after[:1] and
                                                           re.fullmatch(r"ones?(?:'s)?", after[0]))) and not (label & set(after)):
            continue  # "stores gave me a new one", "the new one's fine": the word describes a thing ("a high priority" names its slot)
        noun = re.match(r" ([a-z]+)\b(?!')", low[end:])  # (the word straight after, no mark between)
        if not asked and before[-1:] and before[-1] in _OWNING and noun and noun.group(1) not in _NOT_A_NOUN \
                and noun.group(1) not in label:
            continue  # "the new tablet won't connect", "my high-vis": a word of a thing, between its determiner and its noun
        if not asked and (strict or phrase in _ENUM_WORDS) and not (label & {*before, *after}) \
                and not (before[-1:] == ["as"] and not re.match(r"\s*[a-z]", low[end:])):  # "put a job in as high"
            # Its own clause: ", medium" or "make it high", not "the reading is high".
            # (In a transcript without commas, "so" and "but" start a clause: "... it's getting bigger so i'd say high";
            # so does a repair: "... priority medium no sorry make that high".)
            said_before = re.split(r"[,.;!?]|\b(?:so|but|sorry|actually|correction|i mean|my mistake)\b", low[:start])[-1]
            tail = re.split(r"[,.;!?]", low[end:])[0]
            head = _SETTING.sub("", said_before)  # "it should be high", "make it low": said as the value
            if not moves.leftover(head) and re.match(r"\s*for\b", tail):
                tail = ""  # "low for the docking station": the value, then what it is for
            if _VALUE_JUDGED.match(tail) or (_REASON_LEAD.match(tail) and not moves.leftover(head)):
                # "low's fine nobody's in the lab till Monday", "... doesn't need to be high anymore medium will do":
                # a value said and judged enough is a clause of its own, whatever comes before or after it.
                kept.append((start, option))
                continue
            tail = _VALUE_THEN.sub("", tail)  # "low's fine", "medium will do"
            following = re.findall(r"[a-z']+", tail)[:1]
            if following and following[0] not in _NO_NOUN and moves.leftover(following[0]):
                continue  # a word describing the next one ("the emergency generator"), not a value
            if not moves.leftover(head):
                # A value leading its clause in a transcript without commas: what follows from the first
                # "we ..." or "it ..." on is a clause of its own ("uh low i suppose we can manage with the spare").
                tail = _NEW_CLAUSE.split(tail, maxsplit=1)[0]
            if len(moves.leftover(f"{head} {tail}").split()) > 1 and not (_CHANGED_TO.search(said_before) and not moves.leftover(tail)):
                continue
        kept.append((start, option))
    if ruled_out and {o for _, o in kept} - ruled_out:
        # "Not the morning, Friday afternoon. I've got the safety walk in the morning": the value ruled out is not
        # meant anywhere else in the turn either.
        kept = [(at, o) for at, o in kept if o not in ruled_out]
    if len({o for _, o in kept}) > 1:
        # Several options: the last one said right after a repair ("in the evening, no, sorry, afternoon, the
        # site's locked in the evening"); with no repair, the one said as wanted ("afternoon ideally, we've got
        # a shutdown in the morning") when only one is; else the last named.
        repaired = [(at, o) for at, o in kept if _after_repair(low, at)]
        if repaired:
            return max(repaired)[1]
        # ... or the one said as what it becomes ("make it tomorrow afternoon, the site's locked up in the morning").
        made = {o for at, o in kept if _MADE_INTO.search(_clause_at(low, at)[:at - max(low.rfind(x, 0, at) for x in ",.;!?") - 1])}
        if len(made) == 1:
            return made.pop()
        # ... or the one said with the slot's own name ("medium priority, no rush": the rest says how it feels).
        if len(labelled & {o for _, o in kept}) == 1:
            return (labelled & {o for _, o in kept}).pop()
        wanted = {o for at, o in kept if _PREFERRED.search(_clause_at(low, at))}
        if len(wanted) == 1:
            return wanted.pop()
        # ... or the one in the sentence that asks ("can we move it to the morning instead? we've got a delivery
        # in the afternoon": the other sentence gives the reason).
        asking = {o for at, o in kept if _ASKING.search(_sentence_at(low, at))}
        if len(asking) == 1:
            return asking.pop()
    return max(kept)[1] if kept else None


#: Words that make a value what something becomes, before it in its clause ("make it ...", "change that to ...").
_MADE_INTO = re.compile(r"\b(?:make|made|change|changed|switch|move|moved|set|put)\s+(?:it|that|this|them)\b")
#: Words that mark a value as the one wanted, in its clause.
_PREFERRED = re.compile(r"\b(?:ideally|preferably|prefer|preferred|best|better|if possible|would suit|suits|works? "
                        r"(?:best|better|for (?:me|us))|please)\b")


#: A repair after a value: what follows it may put the value right ("write access. sorry, no, not write, read").
_REPAIRED_LATER = re.compile(r"\b(?:no|not|sorry|actually|wait|rather|correction|i mean|instead)\b")
_REPAIR_WORDS = {"no", "sorry", "actually", "wait", "rather", "correction", "i", "mean", "hang", "on", "my", "mistake",
                 "oh", "er", "um"}


def _after_repair(low: str, at: int) -> bool:
    """Is the value at ``at`` said right after a repair ("..., no, sorry, afternoon", "no, actually high"):
    only repair words between it and the clause before, and at least one of them?"""
    pieces = [p.split() for p in re.split(r"[,.;!?]", low[:at])]
    if pieces[-1] and not set(pieces[-1]) <= _REPAIR_WORDS:
        return False  # "make it afternoon": said as the value, no repair
    seen = bool(pieces[-1])
    for words in reversed(pieces[:-1]):
        # (The value taken back is part of the repair: "no, sorry, not urgent, high", or where it stood once taken out.)
        if not words:
            continue
        if not (set(words) <= _REPAIR_WORDS or (words[0] == "not" and len(words) <= 3)):
            break
        seen = True
    return seen


#: A request in a sentence: a question put to the line, or "please".
_ASKING = re.compile(r"\b(?:can|could|would|will) (?:you|we|i|somebody|someone)\b|\bplease\b|\?")


def _sentence_at(low: str, at: int) -> str:
    """The sentence of ``low`` around position ``at``, with its closing mark."""
    start = max(low.rfind(x, 0, at) for x in ".;!?")
    ends = [i for i in (low.find(x, at) for x in ".;!?") if i >= 0]
    return low[start + 1:min(ends) + 1 if ends else len(low)]


def _clause_at(low: str, at: int) -> str:
    """The clause of ``low`` around position ``at`` (between commas or sentence ends)."""
    start = max(low.rfind(x, 0, at) for x in ",.;!?")
    ends = [i for i in (low.find(x, at) for x in ",.;!?") if i >= 0]
    return low[start + 1:min(ends) if ends else len(low)]


#: How much nearer in meaning than the next option an answer must be to one, and how near at least,
#: before it is taken as that option; the read-back still lets the caller change it.
NEAREST_MARGIN = 0.03
NEAREST_FLOOR = 0.15
#: ... and how near to a thing an option covers: a turn that names its thing is 0.35-0.7 near it, one about
#: something else ("the historian trends have frozen") under 0.2. The read-back shows the choice.
MEANING_FLOOR = 0.3
#: Words from which a text is judged clause by clause for its meaning (an opener, not a short answer).
LONG_TEXT_WORDS = 10


def nearest_option(slot: Slot, text: str, ctx: Context) -> Any:
    """The option an answer in the caller's own words means ("a new headset" for hardware), by
    sentence meaning. Never for a scale (a priority is said, not guessed from a description:
    issue 18), nor for an answer with no content words ("yes", "hmm")."""
    options = [o for o in slot.schema.get("enum") or [] if isinstance(o, str)]
    rest = entities.yes_no(text).rest.lower()
    # "Yes, send it" orders the request; it says nothing of what kind it is.
    order = " ".join(re.findall(r"[a-z']+", rest))
    content = [] if _POINTING_BACK.fullmatch(order) else [w for w in re.findall(r"[a-z]+", rest) if len(w) > 2]
    if ctx.similar is None or len(options) < 2 or not content \
            or any(o.lower() in _ENUM_SYNONYMS for o in options):
        return None
    # Clause by clause: in a long opener one clause says what it is about ("can I order a new headset"),
    # and the others ("the ear cushion has fallen apart") only blur a whole-sentence meaning.
    found: list[tuple[float, Any]] = []
    clauses = [_PREAMBLE.sub(" ", c.lower()).strip() for c in re.split(r"[,.;!?]+", text)] \
        if len(text.split()) >= LONG_TEXT_WORDS else []  # a short answer is one clause; "it's low priority" no topic
    # Each option by its name, or, where the server says what an option covers, by the nearest
    # thing it lists ("a printer that won't print" is near "printer", far from the word "hardware").
    meanings = slot.meanings
    if meanings:
        options = [o for o in options if o in meanings]
        if len(options) < 2:
            return None
    phrases = [(i, p) for i, o in enumerate(options) for p in meanings.get(o, [o.replace("_", " ")])]
    # Of a clause, where the thing is says nothing of what kind of problem it has ("the computer in the pump station
    # control cabin is dead": a computer, however near "locked out" a cabin sounds).
    for part in [_without_numbers_said(text), *[_PLACE_IN_SUBJECT.sub(" ", c) for c in clauses if len(c.split()) >= 3]]:
        near = ctx.similar(part, [p for _, p in phrases])
        scores = [max(x for (i, _), x in zip(phrases, near) if i == n) for n in range(len(options))]
        ranked = sorted(range(len(options)), key=lambda i: -scores[i])
        best, second = scores[ranked[0]], scores[ranked[1]]
        if best >= (MEANING_FLOOR if meanings else NEAREST_FLOOR) and best - second >= NEAREST_MARGIN:
            found.append((best - second, options[ranked[0]]))
        if meanings and found:
            return found[0][1]  # the things an option lists are matched one by one: the whole turn decides
    return max(found, key=lambda f: f[0])[1] if found else None  # the clause that tells the options apart best


#: A phrase of place between a thing and its verb: "the computer [in the Millbrook pump station control cabin] is".
_PLACE_IN_SUBJECT = re.compile(r"(?<=[a-z]) (?:in|at|inside|outside|near|behind|beside|up at|down at|over at) "
                               r"(?:the|a|an|our|my|this|that|their) (?:[\w'-]+ ){0,5}?"
                               r"(?=(?:is|are|was|were|has|have|had|keeps?|won'?t|isn'?t|aren'?t|can'?t|doesn'?t|don'?t|"
                               r"went|died|stopped|started)\b)", re.I)


def _without_numbers_said(text: str) -> str:
    """``text``'s words without the numbers said in it and a letter leading one ("... on my laptop please e one one
    two three four"): an id read out means nothing of what the request is, and blurs what the rest means."""
    toks = entities.tokens(text)
    gone = {i for run in entities.number_runs(text) for i in range(run.start, run.end)}
    gone |= {i - 1 for i in gone if i > 0 and i - 1 not in gone and len(toks[i - 1]) == 1 and toks[i - 1].isalpha()}
    kept = [t for i, t in enumerate(toks) if i not in gone]
    return " ".join(kept) if len(kept) >= 3 else text


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
             "fifth": 4, "5th": 4}


def _ordinal(low: str, count: int) -> int | None:
    """The option a caller picks by its place in the list read to them ("the second one", "the last")."""
    words = re.findall(r"[a-z0-9]+", low)
    if len(words) > 4:
        return None  # a sentence ("it's the first time it has happened") is not a pick from a list
    if "last" in words:
        return count - 1
    found = [_ORDINALS[w] for w in words if w in _ORDINALS]
    return found[0] if len(found) == 1 and found[0] < count else None


#: Words that introduce the caller's own id ("I'm E11402", "my employee number is ...").
_IDENTITY_LEAD = re.compile(r"\b(?:i'?m|i am|my (?:employee |staff |user )(?:id|number|no)(?: is|'s)?|my id(?: is|'s)?|"
                            r"employee(?: id| number)?)\s+(.{1,40})")


def _codes_of_who_calls(text: str, name: str = "") -> list[str]:
    """The codes said where the caller says who they are ("I'm Aiko Tanaka, E10620"); with ``name`` (lower case), only
    after that name."""
    found = [c for m in _IDENTITY_LEAD.finditer(text.lower()) if m.group(1).startswith(name) for c in entities.codes(m.group(1))]
    at = text.lower().find(name) if name else -1
    if at >= 0:  # ("Hi, Liam from IT, E11234.": the sentence of the name, a few words on)
        found += [c for c in entities.codes(re.split(r"[.;!?]", text[at + len(name):at + len(name) + 30])[0]) if c not in found]
    return found


def _said_right_after(words: str) -> str:
    """The code said right after an introduction ("E11402", "e one one four oh two"), or "" when the
    words go on about something else ("I'm at site twelve, the pump A123 ...")."""
    clause = re.split(r"[,.;!?]", words, maxsplit=1)[0]
    toks = entities.tokens(clause)
    first = toks[0] if toks else ""
    starts_code = len(first) == 1 or re.match(r"[a-z]-?\d", first) or first in entities.LETTER_NAMES
    return clause if starts_code else ""


def _patterned(slot: Slot, text: str, *, asked: bool) -> str | None:
    """A code, id or address: every reading of ``text`` that could be one, first that fits the pattern.

    Unasked, only self-evident forms count (an e-mail address, a code with its letters);
    asked, digits alone take the pattern's one prefix ("one oh two three four" -> WO-10234)
    and a bare word may be a login name.
    """
    pattern = slot.schema.get("pattern")
    prefixes = entities.pattern_prefixes(pattern)
    candidates: list[str | None] = [entities.email(text), *entities.codes(text, prefixes)]
    if pattern and pattern.startswith(r"^\+?[0-9]"):
        candidates.append(_phone(text, asked=asked))  # a phone number: digits only, said in groups
    if asked:
        if len(prefixes) == 1:
            # Digits said with other letters are another kind of id ("SR-30005" is no incident number).
            other = {re.sub(r"\D", "", c) for c in entities.codes(text) if not c.upper().startswith(prefixes[0])}
            candidates += [prefixes[0] + run.digits for run in entities.number_runs(text) if run.digits not in other]
        if slot.kind == "user" or not pattern:
            candidates.append(entities.user_id(text))
    if slot.kind == "code":
        # "I'm E11402": who is calling, never the equipment's tag, whatever the shape allows.
        mine = {re.sub(r"\W", "", c).upper() for m in _IDENTITY_LEAD.finditer(text.lower())
                for c in entities.codes(_said_right_after(m.group(1)))}
        candidates = [c for c in candidates if not c or re.sub(r"\W", "", c).upper() not in mine]
    fitting = [m for c in candidates if c and (m := entities.match_code(c, pattern))]
    # Of several codes that fit, one as long as the field's examples ("A301" beside "E11234": tags are A123 or
    # P-4512; a staff number fits the pattern only by its width).
    lengths = {len(re.sub(r"\D", "", e)) for e in slot.schema.get("examples") or [] if isinstance(e, str)}
    shaped = [m for m in fitting if len(re.sub(r"\D", "", m)) in lengths] if slot.kind == "code" and lengths else []
    chosen = (shaped or fitting)[:1]
    return _like_examples(chosen[0], slot.schema.get("examples") or [], pattern) if chosen else None


#: Where a caller gives a number to ring ("my number is ...", "call me back on ...").
_PHONE_CUE = re.compile(r"\b(?:(?:my|our) (?:phone |mobile |contact )?number(?:'s| is)?|(?:phone|mobile|callback|contact) "
                        r"number(?:'s| is)?|call me(?: back)? on|ring me(?: back)? on|reach me on|get me on|"
                        # "if the engineer needs me, I'm on +1 555 0199" (the digits that must follow make it a number)
                        r"(?:i'?m|i am|we'?re|we are) (?:always |usually )?on(?= (?:\+|\d|oh |zero |double |one |two |three |four |"
                        r"five |six |seven |eight |nine )))\s+")
#: Digits of a phone number at the least (a short one is an extension or a room).
PHONE_DIGITS = 7


def _phone(text: str, *, asked: bool) -> str | None:
    """A phone number said in groups ("oh seven seven double oh, nine double one, four five six"): the number
    runs after a cue (anywhere when asked), joined while only pauses come between them."""
    low = text.lower()
    cue = _PHONE_CUE.search(low)
    if cue is None and not asked:
        return None
    said = low[cue.end():] if cue else low
    toks = entities.tokens(said)
    digits, end = "", None
    for run in entities.number_runs(said):
        if end is not None and any(t.isalpha() for t in toks[end:run.start]):
            break  # words between: the number has ended
        digits, end = digits + run.digits, run.end
    return digits if len(digits) >= PHONE_DIGITS else None


def _like_examples(code: str, examples: list[Any], pattern: str | None) -> str:
    """Write a code the way the schema's examples do: "P4512" -> "P-4512" when P-4512 is one."""
    letters = re.match(r"[A-Za-z]+", code)
    for example in examples:
        if letters and isinstance(example, str) and example.upper().startswith(letters.group(0).upper()):
            plain = code.replace("-", "")
            styled = f"{plain[:letters.end()]}-{plain[letters.end():]}" if "-" in example else plain
            return styled if entities.match_code(styled, pattern) == styled else code
    return code


def validate(slot: Slot, value: Any) -> str | None:
    """None when ``value`` fits the slot's schema, else a short reason for the caller."""
    errors = list(Draft202012Validator(slot.schema).iter_errors(value))
    if not errors:
        return None
    err = errors[0]
    if err.validator == "maxLength":
        return f"that is too long for the {slot.label}"
    if err.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"that is not a valid {slot.label}"
    if err.validator == "pattern":
        return f"that doesn't look like a {slot.label}"
    return f"I couldn't use that as the {slot.label}"


#: How far ahead a date may be, as a field's description says it ("A date like 2026-12-01, up to 60 days ahead.").
_HORIZON = re.compile(r"\bup to (\d+) days ahead\b")


def beyond_horizon(slot: Slot, value: Any, ctx: Context) -> str | None:
    """A short reason when ``value`` is a date further ahead than the field's description allows, else None: said
    when heard, not after the read-back and a refusal from the server."""
    limit = _HORIZON.search(str(slot.schema.get("description", "")))
    if slot.kind != "datetime" or limit is None or not isinstance(value, str):
        return None
    try:
        day = datetime.fromisoformat(value).date()
    except ValueError:
        return None
    days = int(limit.group(1))
    return f"that's more than {days} days ahead" if (day - ctx.now.date()).days > days else None


def _beyond_horizon_dropped(slots: list[Slot], heard: dict[str, Any], ctx: Context) -> tuple[str, str] | None:
    """(field, reason) for a date in ``heard`` further ahead than its field allows ("the 15th of March", 98 days
    ahead), taken out of ``heard``; None when there is none."""
    for slot in slots:
        if slot.name in heard and (reason := beyond_horizon(slot, heard[slot.name], ctx)) is not None:
            del heard[slot.name]
            return slot.name, reason
    return None


# --- one turn of the dialogue ---------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """What to do after a caller turn: ask, confirm, run the tool, or drop the task."""

    action: Literal["ask", "confirm", "execute", "cancel"]
    say: str = ""
    #: Values taken from this turn (for ``CallState.entities``).
    heard: dict[str, Any] = field(default_factory=dict)


def new_task(tool: str, server: str, intent: str, opening: str, key: str) -> dict[str, Any]:
    return {"tool": tool, "server": server, "intent": intent, "args": {}, "asking": None,
            "confirming": False, "key": key, "opening": opening[:MAX_SPOKEN_TEXT]}


def answers(task: Mapping[str, Any], schema: Mapping[str, Any], text: str, ctx: Context) -> str | None:
    """Does ``text`` answer the task's open question (so it must not be routed afresh)?

    "value": a typed value, a yes/no or a correction was heard; "free": the open question
    takes free text, so anything fits (a clear change of topic should still win); None: no.
    """
    ctx = _at_read_back(task, ctx)
    slots = {s.name: s for s in slots_of(schema)}
    reply = entities.yes_no(text)
    if moves.negates(text):
        body, negated = moves.split_negated(text)
        if _replacing(list(slots.values()), task["args"], body, negated, ctx) or (
                task.get("confirming") and _text_correction(list(slots.values()), task["args"], text, ctx)):
            return "value"  # "not three, thirty": a correction of a value the task holds (or of its description)
    if task.get("choices") and _chosen(task["choices"], text) is not None:
        return "value"
    if task.get("confirming") and _restated(list(slots.values()), task["args"], text, ctx):
        return "value"
    if task.get("confirming") and reply.yes is None and _later_yes(text) is True:
        return "value"  # "because we're working blind. yes, escalate it"
    if task.get("confirming") and (_words_told(list(slots.values()), text)
                                   or _words_added(list(slots.values()), task["args"], text)):
        return "value"  # "Say: starter battery replaced ..." at a note's read-back: what it should say; "add that ..."
    if task.get("confirming") or task.get("proposed"):
        return "value" if reply.yes is not None or mentioned(slots.values(), text, ctx) \
            or (task.get("proposed") and names_thing(str(task.get("proposed_name") or ""), text)) else None
    asking = slots.get(task.get("asking") or "")
    if asking is not None and asking.kind == "text":
        # ("thanks" is manners, no words for the record: the question stands)
        return "free" if text.strip() and not _COURTESY.fullmatch(text.strip(" .!?,").lower()) else None
    if asking is not None and parse(asking, reply.rest if reply.yes is False else text, ctx, asked=True) is not None:
        return "value"
    return "value" if mentioned(slots.values(), text, ctx) else None


def _at_read_back(task: Mapping[str, Any], ctx: Context) -> Context:
    """``ctx`` for a turn at the read-back: sites by their full names only. A short name ("the depot") said then is
    more often a place talked about ("is there parking at the depot?") than a change to the site read back."""
    if not task.get("confirming") or not any(k.startswith(entities.SHORT_NAME) for k in ctx.site_names):
        return ctx
    return dataclasses.replace(ctx, site_names={k: v for k, v in ctx.site_names.items()
                                                if not k.startswith(entities.SHORT_NAME)})


def changes_held(task: Mapping[str, Any], schema: Mapping[str, Any], text: str, ctx: Context) -> bool:
    """Does ``text`` name a value the task holds another of (said as a value, or in place of one negated)?"""
    slots = slots_of(schema)
    body, negated = moves.split_negated(text) if moves.negates(text) else (text, [])
    found = {**mentioned(slots, body, ctx), **_replacing(slots, task["args"], body, negated, ctx)}
    return any(k in task["args"] and task["args"][k] != v for k, v in found.items())


def _later_yes(text: str) -> bool | None:
    """True when a sentence or clause after the first is a yes and none is a no ("..., we're working blind. yes,
    escalate it", "medium's fine, yes, go ahead"); None otherwise."""
    later = [entities.yes_no(p).yes for p in re.split(r"(?<=[.!?,;])\s+", text)[1:] if p.strip()]
    return True if True in later and False not in later else None


def _chosen(choices: list[Mapping[str, Any]], text: str) -> Any:
    """The one of ``choices`` (read out as "the X, or the Y?") that ``text`` picks: by its place
    ("the second one") or by naming it ("borehole pump two"). None when it picks none or several."""
    if not choices:
        return None
    place = _ordinal(text.lower(), len(choices))
    if place is not None:
        return choices[place]["value"]
    named = [c["value"] for c in choices if names_thing(c["name"], text)]
    return named[0] if len(named) == 1 else None


def names_thing(name: str, text: str) -> bool:
    """Does ``text`` name the thing called ``name`` that the agent offered (every word of its name, or two of them
    at least, and its numbers), without a no? "It's the standby generator, there's only the one" answers "Is it
    the standby generator, G-2120?"; "it's intake pump two" answers "Is it the main raw-water intake pump 2?"."""
    words = {w for w in entities.tokens(name) if len(w) > 3 and w.isalpha()}
    numbers = {r.digits for r in entities.number_runs(name)}
    # "not the standby one" names it not; "I don't know the tag. It's intake pump two" names it in the other sentence.
    body = " ".join(moves.split_negated(x)[0] if moves.negates(x) else x for x in re.split(r"(?<=[.!?])\s+", text))
    said = words & set(entities.tokens(body))
    return bool(said) and (said == words or len(said) >= 2) \
        and numbers <= {r.digits for r in entities.number_runs(body)} and entities.yes_no(text).yes is not False


def options_named(slot: Slot, text: str) -> list[str]:
    """Every option of a choice ``text`` names by its own word, in the order of the choice ("what's the
    difference between high and urgent?" -> ["high", "urgent"]); a question about them sets none."""
    low = text.lower()
    return [str(o) for o in slot.schema.get("enum") or [] if isinstance(o, str)
            and re.search(rf"\b{re.escape(o.lower().replace('_', ' '))}\b", low)]


def mentioned(slots: Any, text: str, ctx: Context, *, verbs: bool = True) -> dict[str, Any]:
    """Values the caller named without being asked ("site fourteen", "asset A123"); ``verbs``: see ``_enum``."""
    found = {}
    for slot in slots:
        if slot.kind in ("key", "text", "integer", "number", "boolean"):
            continue
        value = parse(slot, text, ctx, asked=False, verbs=verbs)
        if value is not None and validate(slot, value) is None:
            found[slot.name] = value
    return found


def prefill(task: dict[str, Any], schema: Mapping[str, Any], known: Mapping[str, Any], ctx: Context,
            *, turn: str = "", carried: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fill slots from the opening utterance and from entities heard earlier in the call. ``turn``: the
    whole caller turn when the opening is one of two requests in it; who is calling and where ("..., I'm
    E10533") belong to both. ``carried``: values of any kind taken from a record the new one repeats, used
    where the opening says none (before a choice is guessed from its words)."""
    slots = slots_of(schema)
    # A change is told by what things become: what they are now ("the technician booked for tomorrow morning,
    # can we move it") is no value for it.
    said = as_wanted(task["opening"]) if changes_record(task["tool"], slots) else task["opening"]
    heard = mentioned(slots, said, ctx)
    if (too_far := _beyond_horizon_dropped(slots, heard, ctx)) is not None:
        task["misheard"] = {"slot": too_far[0], "say": f"Sorry, {too_far[1]}."}  # said with the question, not booked
    if turn and turn != task["opening"]:
        identities = [s for s in slots if s.kind in ("site", "user", "email") and s.name not in heard]
        heard.update(mentioned(identities, turn, ctx))
    for slot in slots:
        prefixes = entities.pattern_prefixes(slot.schema.get("pattern"))
        if slot.kind not in ("code", "user") or slot.name in heard or len(prefixes) != 1:
            continue
        # "the job ten thousand and two": an opener's number in exactly the shape of a
        # one-prefix id is that id; one said in another shape ("my ID is E1048", "work order
        # 104") is reported with the question.
        value = _patterned(slot, task["opening"], asked=True) if slot.kind == "code" else None
        if value is not None and validate(slot, value) is None:
            heard[slot.name] = value
        elif re.search(rf"\b{re.escape(slot.label.rsplit(' ', 1)[0])}\b", task["opening"], flags=re.I) \
                or _lettered(task["opening"], prefixes):
            task["misheard"] = {"slot": slot.name, "say": wrong_shape(slot, task["opening"]) or ""}
    for slot in slots:
        # Only identities carry over between tasks (who, where, which ticket); a priority or
        # a date belongs to the request it was said for.
        if slot.name not in heard and slot.name in known and slot.kind in ("code", "site", "user", "email"):
            if validate(slot, known[slot.name]) is None:
                heard[slot.name] = known[slot.name]
        elif slot.name not in heard and slot.name in (carried or {}) and validate(slot, carried[slot.name]) is None:  # type: ignore[index]
            heard[slot.name] = carried[slot.name]  # type: ignore[index]
    # "at site twenty four, no sorry, not twenty four, forty two": a value taken back in the opener itself.
    taken_back = list(re.finditer(r"\b(?:not|isn'?t|wasn'?t|instead of|rather than)\b", task["opening"].lower()))
    if taken_back:
        body, negated = moves.split_negated(task["opening"][taken_back[-1].start():])
        heard.update(_replacing(slots, heard, body, negated, ctx))
        # Said back, so the caller hears which one was taken ("site fifty five, no, sixty eight": "Site 68 then.").
        # (A choice taken back is named, not guessed by meaning: "not taking no for an answer" takes back no time.)
        took = [slot for slot in slots if slot.kind != "text" and slot.name in heard
                and any(parse(slot, n, ctx, asked=slot.kind != "enum") not in (None, heard[slot.name]) for n in negated)]
        # "one zero zero zero one, no, not zero one, zero six": part of an id; but a number a value of its own took
        # back ("site seventeen, no, not seventeen, seven. ... A702") is none of the id's.
        took += [slot for slot in slots if slot.kind == "code" and slot.name in heard and slot not in took and not any(
            s.kind != "code" for s in took) and any(entities.number_runs(n) for n in negated)]
        task["ack"] = _together(_acknowledge(slot, heard[slot.name]) for slot in slots if slot in took)
    acting = changes_record(task["tool"], slots)
    for slot in slots:
        # An optional choice nobody names (an incident's category) is read from what the problem is
        # about ("the VPN keeps dropping": network); the read-back lets the caller change it. A required
        # one is asked unless the server says what each option covers: a bare label's meaning is too
        # loose to guess ("I need to request something" is nearest to access, "a visit tomorrow" to
        # morning). Not for a change to a record, where a choice is what the caller wants changed, or not.
        if slot.kind == "enum" and (not slot.required or slot.meanings) and slot.name not in heard and not acting:
            value = nearest_option(slot, task["opening"], ctx)
            if value is not None:
                heard[slot.name] = value
    # The opening sentence describes the problem: use it for the first required free-text field. A tool
    # that acts on an existing record ("cancel request 30002, I don't need it any more") takes only what
    # the caller adds about it: the reason or the note, not the request or the story of the first call.
    own_site = any(s.kind == "site" for s in slots)
    for slot in slots:
        # "Who is reporting the problem?" (optional): the caller, when they said who they are.
        if slot.kind == "text" and not slot.required and slot.name not in heard \
                and re.search(r"\bwho is\b", str(slot.schema.get("description", "")), re.I) \
                and (name := caller_name(task["opening"])) \
                and name.lower() not in " ".join(ctx.site_names).lower():  # "Harbor Road here": where, not who
            if validate(slot, name) is None:
                heard[slot.name] = name
    for slot in slots:
        if slot.kind == "text" and slot.required and len(task["opening"].split()) >= 4:
            summary = remark(task["opening"], task["tool"], ctx, sites=own_site) if acting or slot.question.lower().startswith(
                "why") else paraphrase(without_questions(task["opening"]), ctx, slot.question)
            if not acting and _RECORD_FOR.search(task["opening"].lower()) and not tells_something(summary):
                summary = ""  # "raise a job for the rooftop unit on the workshop" names a thing: what is wrong is asked
            if summary and validate(slot, summary) is None:
                heard.setdefault(slot.name, summary)
            break
    for slot in slots:
        # A change to a record keeps why it changes when the caller said it ("the room's hit thirty eight
        # degrees now, can you make it urgent"): the optional note that asks why.
        if acting and slot.kind == "text" and not slot.required and slot.name not in heard \
                and re.search(r"\bwhy\b", str(slot.schema.get("description", "")), flags=re.I):
            why = remark(task["opening"], task["tool"], ctx, [s for s in slots if s.kind == "enum"], sites=own_site)
            if why and validate(slot, why) is None:
                heard[slot.name] = why
            break
    task["args"].update(heard)
    return heard


#: A record asked to be made, said after it ("a job raised"): no part of the problem.
_MADE = r"(?: (?:raised|logged|opened|created|put in|submitted|booked|done))"
#: Clauses that only ask for something or greet; what is left of the opener is the problem.
_PREAMBLE = re.compile(
    # (a greeting to open the call, with how the caller addresses the agent: "morning love", "hiya mate")
    r"^(?:hiya|morning|afternoon|evening)(?: (?:love|dear|mate|pal|darling|there))?\b|"
    r"\b(?:hi|hello|hey|hiya)(?: (?:love|dear|mate|pal|darling|there))\b|"
    r"\b(?:hi|hello|hey|good (?:morning|afternoon|evening)|yes|yeah|please|thanks|ah|go on then|(?:right|ok|okay) then|(?:a |another )?new one|"
    r"(?:(?:i|we)(?:'ve| have)? got )?(?:two|three|a couple of|couple of|a few) (?:things|questions|issues|problems)(?: for you)?|"
    r"i'?m (?:calling|ringing|phoning)(?: about| because| to)?|(?:i|we) (?:need|want|would like|'?d like) to "
    r"(?:report|log|raise|open|create|book|tell you about)|(?:can|could|would) you (?:open|log|raise|create|send)|"
    r"(?:(?:i|we) |^)need (?:a|an|someone)|(?:open|log|raise|create|report) (?:a|an)|"
    r"(?:a|an|another)(?: new| second| other)? (?:work order|ticket|job|technician|engineer|fault|problem|issue)(?: with| on| for)?" + _MADE + "?|"
    r"someone to (?:come|look)(?: out| at it)?|there'?s (?:a problem|an issue|a fault)(?: with)?|"
    r"(?:new )?(?:work order|ticket|job)" + _MADE + r"?|it'?s urgent|urgently|asap|as soon as possible|(?:high|low|medium) priority|priority (?:high|low|medium|urgent)|"
    # Story lead-ins: what the caller saw is the problem, not that they saw it.
    r"right so|so basically|basically|anyway|(?:i|we) (?:was|were) (?:reporting|calling about|ringing about|telling you about)|"
    r"i'?m (?:calling|ringing) back(?: about)?|(?:i|we) (?:called|rang|phoned)(?: you)?(?: earlier| before| yesterday)?(?: about)?|(?:i|we)(?: just)? (?:noticed|saw|found|heard|spotted|think|reckon)(?: that)?|"
    r"can you get someone to (?:look at|check|fix) it|not urgent|"
    # The cue of a second request: "while I've got you, my laptop ..." is about the laptop.
    r"while (?:i'?ve got|i have got|i have|i'?ve) you|another thing|one more thing|on another note|as well as that)\b")
#: A clause about what the caller was doing ("I was doing my rounds this morning"): no part of the problem.
_CALL_ITSELF = (rf"^(?:{moves.ANNOUNCES})$|"
                r".*\b(?:on the phone|cut off|got disconnected|line dropped|it'?s me again)\b|"
                # who sent them to the line ("the site lead told me to ring this number", "reception gave me this number")
                r".*\b(?:told|asked|said for|wanted) (?:me|us) to (?:ring|call|phone|contact|try)(?: (?:this|the|you|here|your)\b.*)?$|"
                r".*\bgave (?:me|us) (?:this|the|your) (?:number|line)\b")
#: Why the caller rings, before what about ("I am calling for the pump ...", "we're ringing about ..."): no news.
CALLING_ABOUT = re.compile(r"\b(?:(?:i am|i'?m|we are|we'?re)\s+)?(?:just\s+)?(?:calling|ringing|phoning)\s+"
                           r"(?:for|about|regarding|re|in regard to|with regard to)\s+")
_NARRATIVE = re.compile(r"^(?:i|we) (?:was|were|am|are|'m|'re) \w+ing\b|^(?:i'm|we're) \w+ing\b|" + _CALL_ITSELF)
#: The call itself, never a reason or news ("I got cut off", "two things"); what the caller is doing may be
#: the reason ("I'm building the board pack and have to change the reports").
_ABOUT_THE_CALL = re.compile(_CALL_ITSELF)
#: Who is calling ("this is Maria Lopez", "name's Carl"): with a name in it, no part of the problem.
_INTRODUCTION = re.compile(r"^(?:this is|it'?s|i'?m|i am|my name(?:'s| is)|name'?s)\b")
_VALUE_LEAD = {"site", "tag", "asset", "number", "no", "id", "-", "dash"}
_PLACE_LEAD = {"at", "on", "in", "for", "the"}
_THING_LEAD = {"to", "for", "on", "with", "about", "at", "of"}
#: The letters of the line's ids said as a word ("INC two double oh oh two", "S R", "W O").
_ID_WORDS = {"inc", "sr", "wo", "vis", "incident", "request", "ticket", "reference", "ref"}
_DANGLING = {"the", "a", "an", "this", "that", "on", "of", "and", "or", "is", "since", "with", "at", "to", "in", "for", "when",
             "where", "because", "while", "as",
             "from", "but", "so", "it", "its", "my", "our", "your", "their", "every", "each", "very", "really", "which", "can",
             "could", "would",
             "will", "you", "please", "also", "i", "we", "i've", "i'm", "i'd", "we've", "we're", "we'd", "it's",
             "there's"}
#: Words that make a clause the predicate of the one before ("the booster pump, ..., was making a noise").
#: Who a clause that says something of its own is about ("I have to annotate them too").
_SUBJECTS = {"i", "we", "they", "he", "she", "you", "it", "i'm", "we're", "they're", "it's", "i've", "we've", "i'd"}
#: English past forms that do not end in "-ed", as things that happened are told ("the operator reset it", "the hose
#: split", "it blew a fuse"): a closed class, not a list of phrases.
#: (Not those that are also requests' words: "set", "put", "cut", "made", "sent".)
_IRREGULAR_PAST = {"reset", "broke", "went", "came", "blew", "froze", "fell", "ran", "shut", "split", "burst", "lost",
                   "stuck", "caught", "threw", "wore", "tore", "bent", "spun", "began"}
_AUXILIARIES = {"is", "was", "are", "were", "has", "had", "have", "keeps", "kept", "won't", "isn't", "wasn't",
                "can't", "doesn't", "didn't", "will", "started", "stopped", "been", "being", "got", "gone"}
#: Words that only stress a thing said again ("no dial tone at all", "it's still dead, completely").
_SAID_AGAIN = {"all", "at", "still", "completely", "totally", "really", "again", "just", "even", "whatsoever", "no", "not"}
#: What a clause that only gives a priority calls it ("a medium problem", "high priority job").
_VALUE_NOUNS = {"is", "a", "problem", "issue", "priority", "one", "job", "ticket", "please", "really", "quite"}
#: Words a short summary keeps: long enough to say what is wrong, short enough to read back.
SUMMARY_WORDS = 10
#: Words past ``SUMMARY_WORDS`` that a summary keeps rather than cut its last clause short.
SUMMARY_OVERRUN = 2
#: Words that open a clause saying only where something is ("in the control room", "out at the depot").
_WHERE_WORDS = {"in", "at", "on", "inside", "outside", "near", "by", "out", "down", "up", "over"}


#: Words that start a phrase of place ("on the second floor", "at the operations centre").
_PLACE_PREPOSITIONS = {"on", "at", "in", "near", "by", "behind", "outside", "inside", "beside", "above", "below", "under",
                       "opposite"}
_DETERMINERS = {"the", "a", "an", "our", "my", "their", "this", "that"}


#: What a problem sounds like, for picking the clause of a long opener that tells it.
_FAULT = "what is wrong with the equipment or system"
FAULT_MARGIN = 0.05


#: Words that start a new sentence in a recogniser's unpunctuated run ("... wifi anymore it pops up saying ...").
_SENTENCE_SUBJECTS = {"it", "its", "it's", "i", "i'm", "im", "my", "our", "we", "we're", "there", "there's", "they", "they're"}
#: Words after which such a word goes on the same sentence ("plug in at my desk", "says that it", "to my").
_LEADS_ON = _PLACE_PREPOSITIONS | _DETERMINERS | {"to", "of", "for", "with", "from", "about", "than", "and", "or", "but",
                                                  "so", "if", "when", "because", "as", "that", "think", "says", "said"}


#: How a record stands, said of it ("the ticket was marked resolved", "they closed the job"): no part of the problem.
_RECORD_STATE = re.compile(r"\b(?:ticket|job|work order|incident|request|call)s?\b(?: [\w']+){0,2}? (?:was|were|got|has been|have been|"
                           r"is|'s)(?: (?:marked|set|put down|put|flagged))?(?: as)? (?:resolved|closed|completed|done|finished|"
                           r"cancelled|fixed)\b|\b(?:closed|resolved|completed|cancelled) (?:the|my|our) (?:ticket|job|work order|"
                           r"incident|request)\b")
#: Words of a clause about the record, not the problem: the line's acts on it and the words around them.
_ABOUT_THE_RECORD = frozenset(
    "raise raised log logged do done did put report reported opened create created book booked make made send sent "
    "it one that this them can could would will you please now then so oh just already yet again nobody no one anyone "
    "someone somebody anybody has have had been was were is i we me us for in up it's its ever never".split())


#: A request put to the line, up to its object ("can you do it now", "could you send someone").
_ASKS_THE_LINE = re.compile(r"(?:can|could|would|will) you (?:please )?\w+(?: (?:it|one|that|this|them|someone|somebody))?"
                            r"(?: (?:now|then|please|today|for (?:me|us)))*\b", re.I)


def _run_on_apart(clause: str) -> list[str]:
    """A recogniser's long run with no punctuation ("my laptop wont join the wifi anymore it pops up saying certificate
    expired my employee number is ..."), cut where a new subject starts a sentence; ``[clause]`` when short."""
    words = clause.split()
    # (A request put to the line runs on into the news: "can you do it now its losing prime" tells "its losing prime".)
    said = clause.strip()
    asked = _ASKS_THE_LINE.match(said)
    news = said[asked.end():].split() if asked else []
    if news and news[0].lower() in _SENTENCE_SUBJECTS:
        return [said[:asked.end()], " ".join(news)]
    if len(words) <= 2 * SUMMARY_WORDS:
        return [clause]
    parts, start = [], 0
    for k in range(1, len(words)):
        if words[k].lower() in _SENTENCE_SUBJECTS and words[k - 1].lower() not in _LEADS_ON and k - start >= 3:
            parts.append(" ".join(words[start:k]))
            start = k
    return [*parts, " ".join(words[start:])]


#: Words that start a phrase after a noun, inside a subject ("the chiller for the switch room").
_AFTER_ITS_NOUN = {"for", "of", "in", "on", "at", "from", "by", "near", "behind", "under", "beside", "outside", "inside"}


def _shortened(words: list[str]) -> list[str]:
    """A clause too long for a summary loses its phrases of place, first to last, before anything else:
    "the printer on the second floor at the operations centre's run out of toner" keeps what happened."""
    words = list(words)
    i = 1
    while len(words) > SUMMARY_WORDS and i < len(words) - 1:
        if words[i] in _PLACE_PREPOSITIONS:
            j = i + 1 + (words[i + 1] in _DETERMINERS)
            end = j
            while end < len(words) and end - j < 2 and words[end] not in _PLACE_PREPOSITIONS | _AUXILIARIES | _DANGLING:
                end += 1
            if end - j == 2 and end < len(words) and words[end] in _AFTER_A_VERB:
                end -= 1  # ("Outlook on my laptop crashes every time ...": the word before "every" is what it does)
            if end > j and end < len(words):  # something is said after the place
                del words[i:end]
                continue
        i += 1
    # Still too long: the subject keeps its head noun ("the fuel gas booster compressor has ..." -> "the compressor
    # has ..."), so what happened, at the end, is kept.
    # A clause inside the subject ends it earlier: "the weekly test email we send out keeps ..." -> "the email keeps";
    # so does a phrase after its noun: "the chiller for the switch room is ..." -> "the chiller is".
    verb = next((k for k, w in enumerate(words) if w in _AUXILIARIES), None)
    if len(words) > SUMMARY_WORDS and verb is not None and verb >= 3 and words[0] in _DETERMINERS:
        inner = next((k for k in range(2, verb) if words[k] in _SUBJECTS or words[k] in _AFTER_ITS_NOUN), verb)
        words = [words[0], words[inner - 1], *words[verb:]]
    return words


#: What a caller does at a place, the place left out ("i manage", "we look after", "i'm the duty engineer at").
_WHAT_I_DO = re.compile(r"(?:i|we)(?:'m|'re| am| are)? (?:(?:manage|run|look after|supervise|oversee|cover|work(?: at| in| for)?|"
                        r"(?:the |a )?(?:[a-z-]+ )?(?:manager|supervisor|engineer|operator|lead|technician)(?: at| for| of)?))|"
                        # where they are, the place taken out ("I'm [at Stonebridge] today")
                        r"(?:i'm|we're|i am|we are)(?: (?:here|there|out|over|up|down|based|on site))?"
                        r"(?: today| tonight| now| this (?:morning|afternoon|evening|week))?")
#: Jobs a caller introduces themselves by ("the shift supervisor", "the office admin").
_ROLE = (r"(?:admin|administrator|supervisor|manager|lead|engineer|operator|technician|receptionist|foreman|forewoman|"
         r"controller|coordinator|co-ordinator|officer|clerk|planner|caretaker|cleaner|secretary|assistant|warden|guard|"
         r"attendant|fitter|electrician|contractor|inspector|superintendent|head|chief|director|pa)")
#: "it's Ben Carter in the control room": a lead then a name (not "it's the pump", "it's leaking", "I'm locked").
_CALLER_NAMED = re.compile(r"^(?:this is|it'?s|i'?m|i am|my name(?:'s| is)|name'?s)\s+(?!(?:the|my|our|a|an|this|that|"
                           r"your|not|just|still|so|very|really|afraid|sorry|about|on|at|in|off|out|back|"
                           # words of a state, not a name: "it's been two days", "it's all down", "it's got worse"
                           r"been|being|had|got|gone|now|also|only|all|again|always|never|no|nothing|over|here|there)\b)"
                           r"(?![a-z'-]*(?:ing|ed)\b)(?!(?:broken|down|dead|stuck|gone)\b)"
                           r"[a-z'-]+(?: [a-z'-]+)?"
                           # their role ("kev the shift lead out at ...", "anna one of the operators here")
                           r"(?: (?:the|a|an|one of the)(?: (?!(?:is|are|was|were|has|have|had|keeps|won'?t|wont|isn'?t|isnt|"
                           r"can'?t|cant|doesn'?t|doesnt|not)\b)[a-z'-]+){1,3}(?= (?:from|in|at|with|here|on)\b))?"
                           r"(?: (?:out |over |down |up )?(?:from|in|at|with|here|on)\b.*)?$"
                           # or only by their job ("this is the night supervisor", "it's the riverside control room
                           # admin"); after "it's" the job needs a word of its own before it: "it's the engineer" may
                           # be who the call is about
                           rf"|^(?:(?:this is|i'?m|i am) (?:the|your|a|an|one of the)(?: [a-z'-]+){{0,4}}|"
                           rf"it'?s (?:the|your|one of the)(?: [a-z'-]+){{1,4}}) {_ROLE}s?"
                           r"(?: (?:again|here|(?:out |over |down |up )?(?:from|in|at|with|on|for)\b.*))?$")

#: A clause that is only the caller's job, with where or which shift before it ("hi, Eastgate shift lead.", "night
#: supervisor here"): who calls, told in place of a name. (Not "need an electrician": no verb or article before it.)
_JOB_ONLY = re.compile(rf"^(?:(?!(?:the|a|an|my|our|your|need|needs|want|wants|send|get|book|call|it|its|it's|is|was|no|not|"
                       rf"and|or|but|can|could|please)\b)[a-z'-]+ ){{1,3}}{_ROLE}s?(?: here| speaking)?$")


#: Words that start what is said after an introduction run on without a pause ("its tom from finance my
#: outlook wont open"): a subject, or what a sentence starts with.
_SUBJECT_START = {"my", "our", "the", "it", "its", "it's", "there", "there's", "we", "i", "this", "that", "he", "she",
                  "they", "someone", "somebody", "nobody", "no", "can", "could"}


#: Words that make the words after an introduction tell something, with the recogniser's forms of them.
_TELLING = _AUXILIARIES | {"not", "wont", "isnt", "cant", "doesnt", "didnt", "wasnt", "hasnt", "never", "keeps", "says"} \
    | _IRREGULAR_PAST


#: A record asked for a thing ("raise a job for the rooftop unit", "a ticket about my laptop"): what follows
#: names the thing; it may say nothing of what is wrong with it.
_RECORD_FOR = re.compile(r"\b(?:job|ticket|work ?order|incident|call-?out)\s+(?:for|on|about)\s+(?:the|my|our|a|an|this|that)\b")
#: Words that say how a thing is, when no verb does ("the printer, jammed again", "pump two dead").
_STATES = {"broken", "dead", "down", "faulty", "noisy", "stuck", "blocked", "hot", "warm", "cold", "loose", "bust",
           "knackered", "leaky", "off", "out", "flat", "cracked", "jammed", "tripped", "gone", "missing", "slow",
           "wrong", "fault", "error", "alarm", "leak", "problem", "issue", "not"}


def tells_something(summary: str) -> bool:
    """Does a summary say what is wrong, not only name a thing ("the rooftop unit on the workshop")? A verb, a
    word of state, or a word of fault in it."""
    words = entities.tokens(summary.lower())
    if measured(summary):
        return True  # a reading told ("the room hit 31 degrees")
    return any(w in _TELLING or w in _STATES or w.endswith(("ed", "n't", "'s", "'re", "'ve", "'d", "'ll", "s'"))
               or (w.endswith("ing") and not _names_a_kind(words, i)) for i, w in enumerate(words))


#: Words that follow a verb, never a noun's describing word ("humming all night", "cutting out again").
_AFTER_A_VERB = {"all", "again", "out", "off", "up", "down", "away", "every", "each", "constantly", "badly", "loudly"}


def _names_a_kind(words: list[str], at: int) -> bool:
    """Is the "-ing" word at ``words[at]`` a kind of thing inside a noun phrase ("the portable dewatering pump",
    "the cooling tower"), not what a thing is doing ("the pump's tripping", "the fan humming all night")? A
    determiner a few words before it with only describing words between, and a word of content after it."""
    if at + 1 >= len(words) or words[at + 1] in _NO_NOUN | _DETERMINERS | _PLACE_PREPOSITIONS | _AFTER_A_VERB:
        return False
    for back in range(at - 1, max(-1, at - 4), -1):
        if words[back] in _DETERMINERS:
            return True
        if words[back] in _TELLING or words[back] in _STATES or words[back].endswith(("ing", "ed", "n't", "'s")):
            return False
    return False


def introduction_apart(clause: str) -> list[str]:
    """``clause`` as its introduction and what follows it, when a recogniser's transcript runs a name on
    into the problem ("its tom reyes from finance e one one oh oh three outlook wont open at all"): the
    name, where they call from (up to three words) and an id said after them are the introduction; the
    rest is a clause of its own. ``[clause]`` when it is no introduction or nothing follows it."""
    plain = _PREAMBLE.sub(" ", clause.lower()).strip()
    named = bool(_CALLER_NAMED.match(plain))
    if not named and not _INTRODUCTION.match(plain):
        return [clause]
    toks = [t for t in entities.tokens(plain) if t not in (",", "-")]
    starts = {run.start: run.end for run in entities.number_runs(" ".join(toks))}

    def an_id(j: int) -> bool:  # "one one oh oh three", "e one one oh oh three"
        return j in starts or (j + 1 in starts and len(toks[j]) == 1 and toks[j].isalpha())

    i = 2 if toks[:2] in (["this", "is"], ["i", "am"], ["my", "name"]) else 1
    i += toks[i:i + 1] in (["is"], ["'s"])
    name_end = next((j for j in range(i, min(i + 2, len(toks))) if toks[j] in _PLACE_LEAD | {"from", "with", "here"}
                     or an_id(j) or toks[j:j + 2] == ["one", "of"]), min(i + 2, len(toks)))
    # Their job with no article, then where they are ("ben carter control room admin at the operations centre ...").
    job = next((j for j in range(name_end, min(name_end + 3, len(toks) - 1)) if re.fullmatch(_ROLE + "s?", toks[j])
                and toks[j + 1] in {"from", "in", "at", "with", "on", "here"}), None)
    job = job if job is not None and not set(toks[i:job]) & (_AUXILIARIES | _SUBJECT_START | _TELLING) else None
    named = named or (job is not None and name_end > i)
    if not named and not (name_end > i and an_id(name_end) and not any(
            t in _DETERMINERS | _SUBJECT_START | _AUXILIARIES or t.endswith(("ing", "ed")) for t in toks[i:name_end])):
        return [clause]  # "it's the pump ...", "I'm locked out ...": no name; "it's dev patel e one oh ...": one
    i = name_end if job is None else job + 1
    # Their role, up to where they are ("kev the shift lead out at eastgate", "anna one of the operators here").
    role = next((j for j in range(i + 1, min(i + 6, len(toks))) if toks[j] in {"from", "in", "at", "with", "on", "here"}
                 or an_id(j)), None) if toks[i:i + 1] in (["the"], ["a"], ["an"], ["one"]) else None
    if role is not None and not any(t in _TELLING | _SUBJECT_START - _DETERMINERS - {"one"} or t.endswith(("ing", "ed"))
                                    for t in toks[i + 1:role]):
        i = role - (toks[role - 1] in {"out", "over", "down", "up"})
        i += toks[i:i + 1] in (["out"], ["over"], ["down"], ["up"])
    if i < len(toks) and toks[i] in {"from", "in", "at", "with", "on"}:
        i += 1 + (toks[i + 1:i + 2] and toks[i + 1] in _DETERMINERS)
        place = i
        # The word after "the" is the place's own even when it could start a sentence ("from the it team").
        while i < len(toks) and i - place < 3 and i not in starts and (
                toks[i] not in _SUBJECT_START | _AUXILIARIES or (i == place and toks[i - 1] in _DETERMINERS)):
            i += 1
    elif toks[i:i + 1] == ["here"]:
        i += 1
    while an_id(i) or (i + 1 in starts and (toks[i] in entities.LETTER_NAMES or toks[i] in _VALUE_LEAD)):
        i = starts.get(i) or starts[i + 1]  # the caller's id ("e one one oh oh three")
    rest = toks[i:]
    if len(rest) < 3 or not set(rest) & (_TELLING | {"need", "needs", "want", "wants"}):  # tells, or asks
        return [clause]
    return [" ".join(toks[:i]), " ".join(rest)]


#: A value said as how a record stands ("booked for tomorrow morning", "scheduled on Friday", "it's been on hold
#: for a week"), up to the request.
_CURRENT_VALUE = re.compile(r"\b(?:booked|scheduled|arranged|planned|due|set up|currently|(?:it'?s|has|have|had) been|there(?:'s| is) (?:already|still)|(?:was|were|been|got|is|it'?s) "
                            r"(?:marked|set|put down|put|left|flagged|showing)(?: (?:as|to))?)(?: in)?(?: (?:for|on|at))?\b"
                            r"[^,.;!?]*?(?=\s+(?:can|could|would|will|but|and|so|please|i|we)\b|[,.;!?]|$)", re.I)


#: A state said to hold already or still ("a job for it is open already", "it's still on hold").
_STILL_VALUE = re.compile(r"\b(?:is|are|was|'s)\s+(?:(?:already|still)\s+(?:[\w-]+\s+)?[\w-]+|(?:[\w-]+\s+)?[\w-]+\s+(?:already|still))\b",
                          re.I)


#: A message the caller had, and what it says, up to the end of its sentence ("I had an email: Your incident INC-20004
#: is on hold pending courier.", "the text said the visit is tomorrow"): someone else's words of how things stand.
_MESSAGE = r"(?:email|e-mail|text|message|notice|notification|letter)s?"
_REPORTED = re.compile(rf"(?:\b(?:i|we)(?: have|'ve)? (?:had|got|received|have|get) (?:an?|the|this|that) {_MESSAGE}\b[^:.!?]{{0,40}}?"
                       rf"(?::|\bsaying\b|\b(?:that|which) says\b)|\b(?:the|this|that|an?|their|your) {_MESSAGE} (?:says?|said|reads?)"
                       rf"\b:?)\s*(?:quote[:,]?\s*)?[^.!?]*[.!?]?", re.I)


def reported_apart(text: str) -> str:
    """``text`` without the messages it reports (``_REPORTED``): what is left is the caller's own."""
    return _REPORTED.sub(" ", text)


def as_wanted(text: str) -> str:
    """``text`` without what a record is said to be now ("it's been on hold for a week", "a job is open already", or
    what a message the caller had says of it): what is left tells what it should become."""
    return _STILL_VALUE.sub(" ", _CURRENT_VALUE.sub(" ", reported_apart(text)))


def changes_record(tool: str, slots: list[Slot]) -> bool:
    """Does ``tool`` change a record the caller names (move a visit, close an incident), rather than
    make one (a work order, a request, a first visit)? What such a tool is given is the change wanted."""
    return any(s.kind == "code" and s.required for s in slots) and not tool.startswith(MAKES_RECORD)


#: Tools that make a record rather than act on one.
MAKES_RECORD = (*NEW_RECORD_PREFIXES, "schedule_")


#: A caller who names themselves: "it's Priya Shah", "this is Sam", or a name said first with where they
#: are calling from ("Priya Shah from the depot", "Sam here"), that one only as said, capitalised.
_SAYS_NAME = re.compile(r"^(?:this is|it'?s|i'?m|i am|my name(?:'s| is)|name'?s)\s+(?!(?:the|my|our|a|an|this|that|your|not|"
                        r"just|still|so|very|really|afraid|sorry|about|on|at|in|off|out|back|calling|ringing|phoning|"
                        r"locked|having|getting|trying|looking|after|from|with|here)\b)((?-i:[A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?))"
                        r"(?=$| (?:from|in|at|with|here|on|again)\b)", re.I)
_NAME_FIRST = re.compile(r"^(?!(?:The|My|Our|This|That|Your|It|We|I|A|An|Hi|Hello|Morning)\b)"
                         r"([A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?) (?:from|at|in|here|on|with)\b")


#: Words of the caller's own, never said in "Priya Shah from the depot": after a thing's name, what it does.
_OWN_WORDS = {"i", "my", "me", "we", "our", "us", "it", "it's"}


def caller_name(text: str) -> str:
    """The name a caller gives for themselves in ``text`` ("Hi, Priya Shah from the depot ..." -> "Priya
    Shah"); "" when none."""
    for clause in re.split(r"[,.;!?]+", text):
        plain = re.sub(r"^\W*(?:(?:hi|hello|hiya|hey|morning|afternoon|evening|good (?:morning|afternoon|evening)|"
                       r"yes|yeah|right|ok|okay)\b\W*)+", "", clause.strip(), flags=re.I)
        m = _SAYS_NAME.match(plain) or _NAME_FIRST.match(plain)
        # "Pump Two from the north bank is off" says something of a thing: a name is said with no verb.
        # ("Outlook on my laptop crashes": the caller's own things after it, no name.)
        if m and not (m.re is _NAME_FIRST and (set(entities.tokens(plain)) & _AUXILIARIES
                                               or set(entities.tokens(plain[m.end():])) & _OWN_WORDS)):
            return " ".join(w[:1].upper() + w[1:] for w in m.group(1).split())
    return ""


def without_introduction(text: str) -> str:
    """``text`` without the clauses that only say who is calling ("hi, it's Ben Carter in the control room,
    E one one four oh two. ..."): a name introduced, or an id on its own. "" when nothing else is said."""
    kept = []
    for clause in re.split(r"(?<=[,.;!?])\s+", text):
        plain = _PREAMBLE.sub(" ", clause.lower()).strip(" ,.;!?")
        if not plain or (_INTRODUCTION.match(plain) and (names_in(clause) or _CALLER_NAMED.match(plain))) \
                or entities.only_codes(plain):
            continue
        kept.append(clause)
    return " ".join(kept).strip()


#: A clause that only says which thing it is not ("it's not the printer", "not the laptop").
_THING_TAKEN_BACK = re.compile(r"^(?:(?:it|that)(?:'s| is)\s+|its\s+|thats\s+)?not\s+(?:the|my|our|a|an|that|this)\s+"
                               r"(?:[a-z-]+\s*){1,3}$")


#: Clauses that say how urgent it is not, what the caller cannot name or what their job is, never what is wrong
#: ("it isn't an emergency", "no rush", "I don't know the technical name", "I manage the asset management team").
_NOT_THE_PROBLEM = re.compile(
    r"^(?:(?:it|this|that|it's|its|that's|thats)\s+)?(?:(?:is|was|'s)\s+)?(?:isn'?t|is not|not|no|nothing)\s+(?:an?\s+|that\s+|too\s+)?"
    r"(?:emergency|urgent|critical|rush|hurry|panic|big deal)\b|"
    r"^(?:i|we) (?:don'?t|do not|dont) (?:know|remember) (?:the |its |what (?:it'?s|it is|they'?re|they are) )?"
    r"(?:\w+ )?(?:name|called|tag|number|model|id)\b|"
    # how the caller finds telling it ("I don't quite know how to describe it")
    r"^(?:i|we) (?:don'?t|do not|dont) (?:quite |really |even )?know how to (?:describe|explain|say|put)\b|"
    # where the caller rings from, said as who they are ("it's the Riverside control room")
    r"^(?:it'?s|this is|we'?re|we are) (?:the |)(?:[\w-]+ ){0,3}(?:control room|office|depot|workshop|yard|gatehouse|reception|"
    r"desk|plant room|site office|control centre|ops room)$|"
    # the caller apologising or asking leave ("I'm sorry, I've got two things, if that's all right")
    r"^(?:i'?m|i am) (?:so |very |really |terribly |awfully )?sorry$|^if (?:that'?s|it'?s|that is|it is) (?:all right|alright|ok|okay)$|"
    # the request put as a question of what the line does ("is that something you can request for me?")
    r"^(?:is|would|could|will) (?:that|this|it) (?:be )?(?:something|anything|a thing) (?:you|you guys|the desk)\b|"
    # what the caller's job is ("I manage the asset management team", "I look after facilities at the centre")
    r"^(?:i|we) (?:manage|run|lead|head|look after|work (?:in|for|with)) (?:the |our |a |all the )?(?:[\w&-]+ ){0,3}?"
    r"(?:team|department|dept|office|group|unit|facilities|site|sites|building|buildings|section)\b(?:$| (?:at|for|in|on|here)\b)|"
    # a thing said to be all right ("the headset's fine", "the old one is working ok")
    r"^(?:the |my |our |that |this )?(?:[\w-]+ ){0,3}?[\w-]+(?:'s| is| are|'re) (?:fine|ok|okay|all right|alright|"
    r"working(?: fine| ok)?)$")
#: Words that judge a value said, not a problem ("medium is fine").
_ALL_RIGHT = {"fine", "ok", "okay", "good", "grand", "alright", "enough", "perfect", "right"}


#: A sentence that asks the line something ("Is that something to worry about?", "What does that usually mean?"),
#: not a request put as a question ("Can you log it?").
_ASKS_A_QUESTION = re.compile(r"^(?:and |so |but |right |okay )*(?:is|are|was|were|does|do|did|what|how|why|when|where|who|"
                                r"which|should|shall|will|would|could) (?!you\b|i\b|we\b|someone\b|somebody\b)", re.I)


def without_questions(text: str) -> str:
    """``text`` without the sentences that only ask something of the line, when something is left to summarise:
    the fault told, not "is that something to worry about?"."""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", text.strip()) if x]
    told = [x for x in sentences if not (x.endswith("?") and _ASKS_A_QUESTION.match(x))]
    return " ".join(told) if told and len(" ".join(told).split()) >= 4 else text


#: The question a changed read-back ends on ("Priority high then. Shall I go ahead?"); a caller's go-ahead said with
#: the change sends it at once (``SwitchboardBrain._sent_as_told``).
GO_AHEAD = "Shall I go ahead?"


#: "two a.m.": a time's dots, no sentence's end ("two am").
_CLOCK_DOTS = re.compile(r"\b([ap])\.\s?m\.", re.I)


def paraphrase(opening: str, ctx: Context, asked: str = "") -> str:
    """The problem in the caller's opener, short: greetings and requests ("I need a technician")
    and the values that have slots of their own (asset tag, site, priority) are left out, and
    whole clauses are kept up to ``SUMMARY_WORDS`` words, never a word cut in half."""
    clauses, places = [], []
    sites = " ".join(ctx.site_names).lower()
    opening = _without_introduction_sentence(_CLOCK_DOTS.sub(r"\1m", opening), sites)
    # ("Because I've got two more for you: booster pump 2, A702, is cavitating": the count is no part of it.)
    opening = moves.announcement(opening)[1] or opening
    # What the caller took back ("I'd like a new headset. Actually, scratch that, what I really need is a dock") is
    # no part of the problem; what follows the last taking back is.
    back = [m for m in _RESTATED.finditer(opening.lower())]
    if back and len(opening[back[-1].end():].split()) >= 4:
        opening = opening[back[-1].end():].lstrip(" ,.;:!-\u2013\u2014")
    # The caller's name, found in the whole opening or said on its own after a greeting ("Good afternoon, Priya Shah,
    # ..."): a clause that is only that tells nothing.
    callers = {n.lower() for n in names_in(opening) if n.lower() not in sites} | ({caller_name(opening).lower()} - {""})
    greeting = r"^\W*(?i:(?:hi|hello|hiya|hey|morning|afternoon|evening|good (?:morning|afternoon|evening))\W+)"
    greeted = re.match(greeting + r"+([A-Z][a-z'-]+ [A-Z][a-z'-]+)\s*[,.]", opening) or re.match(
        # (no greeting: what follows says who they are, "Aiko Tanaka, I'm up at the reservoir")
        greeting + r"*([A-Z][a-z'-]+ [A-Z][a-z'-]+)\s*[,.]\s*(?i:i'?m\b|i am\b|here\b|from\b|this is\b|e ?\d|"
                   r"[a-z]+ (?:team|management|department|desk|room|crew|shift)\b)", opening)
    callers |= {greeted.group(1).lower()} if greeted and greeted.group(1).lower() not in sites else set()
    place_words = set(entities.tokens(sites))
    # Clauses end at punctuation (a colon too, not in a time), where "and" starts a new subject ("... this
    # morning and I noticed ...") and at a repair ("... priority medium no sorry make that high").
    # (Of a clause that runs on from who calls, the part after them: the introduction is no problem.)
    # (A request put to the line starts a clause of its own: "oh so nobody raised it can you do it now ...".)
    for said in (part for said in re.split(r"[,;.!?]+|:(?!\d)|\band (?=(?:i|we|it|the|there)\b)|\bno\W+(?:sorry|actually|wait)\b|"
                                           r"\b(?=(?:can|could|would|will) you\b)", opening, flags=re.I)
                 for run in introduction_apart(said)[-1:] for part in _run_on_apart(run)):
        clause = said.lower()
        if (state := _RECORD_STATE.search(clause)) is not None:
            # How a record of it stands ("my desk phone ticket was marked resolved", "you closed the job last week but
            # the flow has dropped again") is no part of the problem; what follows a "but" after it is.
            but = re.search(r"\bbut\b", clause[state.end():])
            if but is None:
                continue
            said = said[state.end() + but.end():]
            clause = said.lower()
        # Why the caller rings is no part of the problem; what it is about, after it, is ("I am calling for the
        # pump A552 at site twelve it is making a grinding noise").
        plain = CALLING_ABOUT.sub("", _PREAMBLE.sub(" ", clause).strip())
        # Names are found in the words as said: "Priya Shah from the depot" is a name, "priya shah" may not be.
        # A site's name is no person's ("its lakeside water treatment site fifty five ...").
        named = {n for n in names_in(said) | names_in(plain) if n.lower() not in sites} or bool(caller_name(said))
        # "not seventeen"; "it's not the printer": a thing taken back is no part of the problem
        taken_back = (plain.startswith("not ") and entities.only_codes(plain[4:])) or bool(_THING_TAKEN_BACK.match(plain))
        if _ASIDE.fullmatch(plain) or taken_back or _NARRATIVE.match(plain) or _CALLER_NAMED.match(plain) \
                or plain.strip(" ,.") in callers \
                or _JOB_ONLY.match(plain) or _PHONE_CUE.search(plain) or (named and (_INTRODUCTION.match(plain)
                                                          or not set(entities.tokens(plain)) & _AUXILIARIES)):
            continue  # a story of the call itself, or who is calling ("it's Ben Carter from the control room")
        if _NOT_THE_PROBLEM.match(plain):
            continue
        words = without_values(plain, ctx.site_names)
        words = [w for w in words if w not in (",",)]
        words = _hyphens_rejoined(words)
        if _WHAT_I_DO.fullmatch(" ".join(w for w in words if w not in place_words)):
            continue  # what the caller does, the place taken out ("I manage Riverside"): who calls, no problem
        if len(words) > 1 and words[0] in _AUXILIARIES and set(words[1:]) <= _ALL_RIGHT:
            continue  # a value judged ("medium priority is fine"), the value taken out
        if words and set(words) <= _ABOUT_THE_RECORD:
            continue  # the record itself, made or not ("nobody raised it", "can you do it now"): no part of the problem
        has = len(words) > 1 and words[0] == "it's" and (words[1] in ("got", "gone", "been") or words[1].endswith("ed"))
        if clauses and not set(clauses[-1]) & _AUXILIARIES and len(words) > 2 and (
                (words[0] in ("it", "mine") and words[1] in _AUXILIARIES) or (words[0] == "it's" and words[1].endswith("ing"))
                or has):
            # "The booster pump at Millbrook. It's making that racket again": the thing, then what it does, one
            # sentence ("the booster pump is making that racket again"), not a thing and a clause cut for room.
            # ("My desk phone, it's got no dial tone": "it's" is "it has".)
            clauses[-1] = clauses[-1] + (["has"] if has else ["is"] if words[0] == "it's" else []) + words[1:]
            continue
        if clauses and set(words) - _DANGLING - _SAID_AGAIN <= {w for c in clauses for w in c}:
            continue  # said again ("... it's got no dial tone. No dial tone at all."): told once is enough
        while words and words[0] in ("and", "but", "so", "also", "then", "it's", "its", "which", "that", "okay", "ok", "well",
                                     "um", "uh", "er", "erm", "oh", "yeah"):
            words = words[1:]
        here = words.index("here") if "here" in words[1:4] else 0
        if here and not set(words[:here]) & _SUBJECT_START and (here + 1 == len(words) or words[here + 1] in _SUBJECT_START):
            words = words[here + 1:]  # "stonebridge here, the compressor ...": where the caller is, as a greeting
        if len(words) > 1 and words[0] in ("im", "i'm", "were", "we're") and words[1] in _DETERMINERS \
                and set(words[2:]) & _AUXILIARIES:
            words = words[1:]  # "I'm [at the operations centre], the big chiller ...": the place is taken out already
        # "the tag is", "the tag's" once the tag is taken out
        said_to = len(words)  # (where the caller stopped: "aren't coming on" ends there, "jamming on every job" not)
        while words and (words[-1] in _DANGLING | _VALUE_LEAD or re.sub(r"'s$", "", words[-1]) in _VALUE_LEAD) \
                and not _state_after_verb(words, whole=len(words) == said_to):
            words = words[:-1]
        # (Nor one that only says which record: "about job ten thousand and nine".)
        if len(words) >= 2 and set(entities.words_besides_numbers(_SETTING.sub(" ", " ".join(words)))) - _DANGLING \
                - _VALUE_NOUNS - _ENUM_WORDS - {"urgent", "about", "regarding", "re"}:
            # Only where it is ("in the control room"): a problem told elsewhere comes first.
            (places if words[0] in _WHERE_WORDS and not tells_something(" ".join(words)) else clauses).append(
                _shortened(words))  # not a clause that only gives the priority ("is medium problem", "make that high")
    clauses = clauses or places
    if ctx.similar is not None and len(clauses) > 1 and sum(map(len, clauses)) > SUMMARY_WORDS:
        # Too much to keep it all: the clause that sounds most like a fault goes first ("I keep mixing them
        # up. gas turbine two is throwing a low lube oil pressure alarm" is about the alarm).
        # (Or, asked for by its field, the clause nearest that question: "What exactly are you asking for?" of a
        # service request is "I need a proper headset", not the noise in the control room that is why.)
        near = list(ctx.similar(asked or _FAULT, [" ".join(c) for c in clauses]))
        # Only a clause that says something is so ("the pump has lost its prime"), not a bare thing.
        told = [i for i, c in enumerate(clauses) if set(c) & _AUXILIARIES] or [0]
        # (Of clauses nearly as close as the closest, the first said: "the pump has lost its prime and the flow
        # alarm is on" leads with the pump.)
        best = next(i for i in told if max(near[j] for j in told) - near[i] < FAULT_MARGIN)
        if near[best] - near[0] >= FAULT_MARGIN:  # nearly as close: the caller's own order stands
            # (A clause led by its verb goes with the thing it is said of: "the lab climate control, H-5530, | isn't
            # holding temperature".)
            lead = best - 1 if best and _verb_led(clauses[best]) and not set(clauses[best - 1]) & _AUXILIARIES else best
            clauses = [*clauses[lead:best + 1], *clauses[:lead], *clauses[best + 1:]]
    out: list[str] = []
    for words in clauses:
        verb = _verb_led(words)
        if out and not verb and (len(words) <= 3 or (words[0] in _DETERMINERS and not tells_something(" ".join(out + words)))) \
                and not set(words) & _AUXILIARIES and not _state_after_verb(words):
            # an aside after the subject ("the pump, the first one, was ..."; "the wireless, the internet without the
            # cable, keeps dropping out"): the subject named again, nothing told yet
            continue
        if out and len(out) + len(words) > SUMMARY_WORDS and not (verb and len(out) < SUMMARY_WORDS // 2):
            break
        out += ([] if verb or not out else ["and"]) + words  # "the pump, was making a noise" is one sentence
    # (A clause a word or two over is said whole: "... from a drip to a proper" cut short says less than "spray".)
    cut = len(out) if len(out) <= SUMMARY_WORDS + SUMMARY_OVERRUN else SUMMARY_WORDS
    return " ".join(_without_dangling(out[:cut], whole=cut >= len(out)))  # "... is high since this" reads as cut off


def _verb_led(words: list[str]) -> bool:
    """Does a clause start with its verb, said of the thing in the clause before ("the pump, | was making a noise",
    "gas compressor unit 2, C-2102, | tripped on high discharge temperature")?"""
    return words[0] in _AUXILIARIES or bool(re.fullmatch(r"[a-z]{3,}(?:ed|ing)", words[0]))


#: A name as written: two or three capitalised words ("Tom Reyes", "Grace Kim").
_WRITTEN_NAME = re.compile(r"^\W*(?:(?:hi|hello|morning|afternoon|evening)\W+)?(?:[A-Z][a-z'-]+ ){1,2}[A-Z][a-z'-]+\b")


def _without_introduction_sentence(opening: str, sites: str) -> str:
    """``opening`` without a first sentence that only says who calls: a written name, then where from or an id,
    no verb ("Tom Reyes, finance, E one one double oh three. The big printer ..."). Such a sentence is no problem."""
    first, mark, rest = opening.partition(". ")
    lead = _WRITTEN_NAME.match(first)
    if not mark or lead is None or lead.group(0).strip(" ,").lower() in sites:
        return opening
    words = entities.tokens(first.lower())
    if set(words) & _AUXILIARIES or any(w.endswith(("ing", "ed")) or "'" in w for w in words) or len(words) > 12:
        return opening
    return rest


def _hyphens_rejoined(words: list[str]) -> list[str]:
    """``words`` with a word the tokens split at its hyphen one word again ("start - up", "six - monthly")."""
    words = list(words)
    for i in range(len(words) - 2, 0, -1):
        if words[i] == "-" and words[i - 1].isalnum() and words[i + 1].replace("'", "").isalnum():
            words[i - 1:i + 2] = [f"{words[i - 1]}-{words[i + 1]}"]
    return words


def _state_after_verb(words: list[str], *, whole: bool = False) -> bool:
    """Does ``words`` end on a state said of its subject ("the alarm's on", "the light is on", "the fans aren't coming
    on", when that is where the caller stopped: ``whole``), not on a word that leads into something cut off ("the
    pump on", "keeps jamming on [every job]")?"""
    return len(words) > 1 and words[-1] == "on" and (
        words[-2] in _AUXILIARIES or words[-2].endswith("'s") or (whole and words[-2].endswith("ing")))


def _without_dangling(words: list[str], *, whole: bool = False) -> list[str]:
    """``words`` without the words at the end that lead into something cut off ("... this morning and"). ``whole``:
    nothing was cut off after them."""
    while words and words[-1].lower().rstrip(",;:") in _DANGLING and not _state_after_verb(words, whole=whole):
        words = words[:-1]
    return words


#: A clause retelling the earlier call ("I rang last week about the pump"): it names the record, it is
#: no reason and no news.
_RETOLD = re.compile(r"^(?:(?:hi|hello|hey|yes|yeah|so|right|well)\b\W*)*(?:(?:i|we)(?: have|'ve| had|'d)? "
                     r"(?:asked|called|rang|phoned|reported|logged|raised|requested|put in|opened|booked|emailed|"
                     r"spoke|was on|were on)|(?:it'?s|this is) (?:me|about)|about (?:my|the|our)|"
                     # "I've got a ticket open for the cracked screen": the record the call is about, no news
                     r"(?:i|we)(?: have|'ve)? (?:got|have) (?:a|an|the|my|our) (?:[a-z]+ )?(?:ticket|job|request|incident|"
                     r"work order|case) (?:open|in|logged|raised)|there'?s (?:a|an) (?:ticket|job|request|incident|work order) "
                     r"(?:open|in|logged|raised))\b")
#: Words that only name a record or point back to it ("incident twenty thousand and three", "that one").
_RECORD_WORDS = {"incident", "request", "ticket", "work", "order", "job", "number", "reference", "case", "visit",
                 "service", "it", "that", "this", "one", "the", "my", "our", "is", "its", "it's", "for", "about",
                 "please", "just", "to", "add", "say", "ref"}


#: Other words callers use for a word of a tool's name ("stick a note on it" adds one; "cancel the engineer" cancels
#: the visit; a note and a comment are one thing).
TOOL_WORD_KIN = {
    "add": ("put", "stick", "leave", "pop", "write", "make", "drop", "log", "attach", "include"),
    "note": ("comment",), "comment": ("note",),
    "visit": ("engineer", "technician", "tech", "appointment", "callout", "call-out", "booking"),
    # (as said of a record, in the clause that names it: "that AutoCAD request, SR-30002, bin it")
    "cancel": ("bin", "scrap", "ditch", "withdraw", "call off"),
    # (of a visit, said with it: "move the aircon visit to Monday", "rebook the engineer"; "shift" is the night's)
    "reschedule": ("move", "rebook"),
}


#: Trades that come out: a visit only as what is done to ("cancel the fitter", "book an electrician"); as who did
#: something ("our electrician found a tripped breaker, cancel the job") they are no visit.
TRADES = ("fitter", "electrician", "plumber", "contractor", "sparky")


def tool_words(word: str) -> tuple[str, ...]:
    """``word`` of a tool's name and the words callers use for it."""
    return (word, *TOOL_WORD_KIN.get(word, ()))


#: What leads from the asking to the news ("add [a note to job 10006 saying] it failed again", "put a note [on it
#: that] the pressure's back").
_POINTER = re.compile(r"^(?:(?:(?:to|on|in|for) (?:it|them)|that|this|a|an|the|my|our|to|on|in|for|note|comment|ticket|incident|request|"
                      r"job|work order|number|saying|because|as|since|please|[a-z]*-?\d[\w-]*)(?=[\s,]|$)[\s,]*)+")


#: A number with its unit ("hit 31 degrees", "down to 2 bar"): a reading told, never which record.
_UNITS = (r"degrees?|°|percent|%|bar|psi|volts?|amps?|mm|cm|metres?|meters?|hours?|hrs|minutes?|mins|litres?|liters?|kw|hz|"
          r"rpm")
_MEASURED_DIGITS = re.compile(rf"\d\s*(?:{_UNITS})\b", re.I)
_UNIT_WORD = re.compile(_UNITS, re.I)


def measured(text: str) -> bool:
    """Does ``text`` give a reading ("hit 31 degrees", "thirty-one degrees"), a number that is news, not an id?"""
    if _MEASURED_DIGITS.search(text):
        return True
    toks = entities.tokens(text)
    return any(run.end < len(toks) and _UNIT_WORD.fullmatch(toks[run.end]) for run in entities.number_runs(text))


#: After a word, what makes it the name of a value said next ("email is ...", "email address: ...").
_NAMES_WHAT_FOLLOWS = re.compile(r"\s*(?:address\s*)?[.…,]*\s*(?:it'?s|it is|is|'s|:)\s")
#: Words a number after them is the name of, news to keep ("fault code 1446", "error 809", "bay 3").
_NAMING_NUMBERS = frozenset("code error fault alarm event message model version build port extension ext room bay floor "
                            "line channel gate door platform".split())
#: Words read out between "quote" and "unquote" (or "end quote"): the words to pass on, whatever is said around them.
_QUOTED = re.compile(r"\bquote\b[:,]?\s+(.+?)[\s,.]*\b(?:unquote|end (?:of )?quote)\b", re.I | re.S)
#: A clause that only stops to think ("oh hang on", "sorry", "wait").
_ASIDE = re.compile(r"\W*(?:(?:oh|ah|um|er|erm|sorry|hang on|hold on|wait|right|ok|okay|actually|no)\W*)+")


#: The most words of a thing's name said beside a record's number ("WO-10001, intake pump one").
APPOSITION_WORDS = 6
#: News announced, not told, at the end of the opener: "I want to add something to the job", "can you pass him a
#: message?", "I want add information for the technician".
_NEWS_TO_COME = re.compile(r"\b(?:add|tell|pass|give|leave|put|send)\b(?: (?!(?:that|it|this|those|these)\b)[\w']+){0,3}? "
                           r"(?:something|some (?:info(?:rmation)?|news|"
                           r"details?)|information|info|a (?:message|note|comment|few words))(?: (?:to|on|for|in) (?:the |this |that |my |"
                           r"our |him|her|them)?(?:[\w-]+)?(?: [\w-]+)?)?\W*$")


def news_to_come(text: str) -> bool:
    """Does ``text`` end by announcing words to add, not yet told ("I want to add something to the job")?"""
    return bool(_NEWS_TO_COME.search(text.lower()))


def remark(opening: str, tool: str, ctx: Context, values: Sequence[Slot] = (), *, sites: bool = True) -> str:
    """What the caller adds about a record in the opener (a reason, news for a note): the clauses that do
    not only ask for the action ("please cancel it"), name the record or retell the first call; of a clause
    that asks for it, what follows the asking ("add that it's making a new noise"). "" when nothing is left."""
    # Its verb ("cancel", "escal(ate|ating)", "add"); of a tool acting on a record, its other words but the
    # record's too ("put a note on job 10005, the pump ..." asks in "note" as "add that ..." does in "add"). A
    # tool that makes a record names what it makes ("request access to the sharepoint site") after its verb.
    if tool.startswith("add_") and news_to_come(opening):
        # "... I want to add something to the job.", "Can you pass him a message?": the words come next, unless they
        # were told before a note is asked for on the record ("the actuator came to our stores this morning. Could you
        # put a note on the job?"); a message for a person is still to come.
        *before, ask = re.split(r"(?<=[.!?])\s+", opening.strip())
        on_record = bool(re.search(r"\b(?:note|comment)\b", ask.lower())) and not re.search(r"\b(?:him|her|them)\b", ask.lower())
        told = remark(" ".join(before), tool, ctx, values, sites=sites) if before and on_record else ""
        return told if tells_something(told) else ""
    opening = _CLOCK_DOTS.sub(r"\1m", opening)
    if (quoted := _QUOTED.search(opening)) is not None:
        opening = quoted.group(1)  # "my supervisor forwarded me this, quote: ... unquote": what is passed on
    else:
        opening = reported_apart(opening)  # "I had an email: your incident is on hold ...": how it stands, no news
    first, *rest = tool.split("_")
    acting = [w for w in rest if w not in _RECORD_WORDS] if not tool.startswith(MAKES_RECORD) else []
    # (The other words of what it acts on count too, "a note" for a comment; another verb would match the news.)
    verb = "(?:" + "|".join([first[:5], *(k[:5] for w in acting for k in tool_words(w))]) + ")"
    kept: list[str] = []
    # A question ("has it been approved yet?") is no reason and no news; one that asks for the action is the
    # request put politely, and what follows the asking is news ("can you add that it still fails?").
    # (The asking may follow what is told, after a comma: "the touch has stopped working now, can you add that?")
    told = " ".join(s for s in re.split(r"(?<=[.!?])\s+", opening.lower())
                    if not s.strip().endswith("?") or (any(moves.asks(c) for c in re.split(r",\s*", s))
                                                       and (re.search(rf"\b{verb}", s) or DICTATED.search(s))))
    name = caller_name(opening).lower()  # "Jonas Berg from asset management": who calls, never the reason
    # A clause ends at "but" too: "it's down as low | but it's thirty two degrees in there" tells two things; one
    # with no subject of its own goes on with the same one ("it cranked but never fired").
    # In words run together the ask may come last ("... the whole control room is blind can you escalate it"):
    # what comes before it is a clause of its own, and who calls, run on into it, is told apart.
    parts = re.split(r"[,;.!?:]+|\bbut\b(?= (?:i|i'?m|im|i'?ve|ive|we|it|it'?s|its|they|they'?re|theyre|he|she|there|there'?s|theres|the|this|that|"
                     r"that'?s|thats|my|our)\b)|\b(?:(?:so|and) )?(?=(?:please|can you|could you|would you|i need you|i want you|"
                     r"i'd like you)\b)", told)
    after_record = False  # (the clause before named a record by its number)
    fragments: list[str] = []  # clauses too short to tell anything alone, after the one that asks
    asked_before = False
    for clause in (c for part in parts for c in introduction_apart(part)):
        whole = clause  # (as said, before the asking is cut off it)
        if (dictated := DICTATED.match(clause.strip())) is not None:
            clause = dictated.group(1)  # "tell them I tested it ...": what is passed on
        greeted = _PREAMBLE.sub(" ", clause).strip()  # (without the greeting: "hi, Eastgate shift lead")
        if _RETOLD.match(clause.strip()) or _ABOUT_THE_CALL.match(clause.strip()) or mentioned(values, clause, ctx) \
                or _ASIDE.fullmatch(clause) or _CALLER_NAMED.match(greeted) or _JOB_ONLY.match(greeted) \
                or (name and greeted.startswith(name)):
            continue  # the first call's story, the call itself, the change asked for ("I said medium"), who calls
        if moves.asks(clause) and not re.search(rf"\b{verb}", clause):
            # The request itself ("can I get write access to maximo") is no reason; what it is for may be.
            # ... or its second "to" ("I need to get into Power BI to see the asset reports").
            # ... or a sentence of its own on what the caller must do ("I need to raise work orders from the control
            # room"), when it is not the getting in itself ("I need to get into Power BI").
            purpose = re.search(r"^\W*(?:i|we) (?:need|have|want) to\s+(?!(?:get|have|access|use|log|sign|be|go|see)\b)"
                                r"((?!.*\b(?:access|permission|account|log ?in|login)\b)\w.+)$", clause) \
                or re.search(r"\b(?:for|because|so that|so (?:i|we) can|as|in order to)\s+(.+)$", clause) \
                or re.search(r"\bto\b.*\bto\s+(\w.+)$", clause)
            if purpose is None:
                continue
            clause = purpose.group(1)
        asks = list(re.finditer(rf"\b{verb}\w*", clause))
        asked_before = asked_before or bool(asks)
        if asks:
            after = clause[asks[-1].end():].strip()
            if tool.startswith("add_") and not _NEWS_LEAD.search(after) and not tells_something(after):
                continue  # "add a note to the job for the emergency generator at Harbor Road": which job, no news
            lead = _NEWS_LEAD.search(after)
            dictated_after = after[lead.end():].strip() if lead else ""
            if tool.startswith("add_") and lead and not _POINTED_AT.match(dictated_after) and tells_something(dictated_after):
                kept.clear()  # "... cracked screen. Add a comment that I need it by Friday.": the words dictated, from
                fragments.clear()  # here on, not the story told before them
            clause = _POINTER.sub("", after)
        toks = entities.tokens(CALLING_ABOUT.sub(" ", clause))  # ("I am calling about WO-10005" tells nothing)
        named, after_record = after_record, False
        # (A small number is no record's: "its in bay three by the wash down" tells where.)
        if any(len(run.digits) >= 3 for run in entities.number_runs(clause)) and not measured(clause) and not any(
                t in _TELLING | {"i", "we", "they", "he", "she"} or t.endswith(("ed", "ing", "n't")) for t in toks):
            after_record = True
            continue  # "its riverside control room the intake pump one job w o one oh oh oh one": which record, no news
        if named and tool.startswith("add_") and whole == clause and not tells_something(clause) \
                and len(clause.split()) <= APPOSITION_WORDS:
            continue  # "about WO-10001, intake pump one": the record's other name, no news
        words = without_values(clause, ctx.site_names, sites=sites, tags=tool.startswith("add_"))
        in_runs = {i for run in entities.number_runs(clause) for i in range(run.start, run.end)}
        content = [w for i, w in enumerate(entities.tokens(clause))
                   if i not in in_runs and w not in _RECORD_WORDS and w not in _DANGLING | _NO_NOUN | _VAGUE and w in words]
        if len(content) >= 2 and len(words) >= 3:
            reading = measured(clause)  # (a reading keeps its number: "hit 31 degrees")
            joined = _hyphens_rejoined(words)
            # (A site kept where the record has none of its own keeps its number: "not from site 14".)
            # (Words passed on keep a number no record has: "the gate code is 7391".)
            kept.append(" ".join(w for i, w in enumerate(joined) if reading or not w.isdigit()
                                 or (tool.startswith("add_") and len(w) < entities.RECORD_DIGITS)
                                 or (i and (joined[i - 1] == "site" or joined[i - 1] in _NAMING_NUMBERS))))
        elif content and asked_before:  # (the reason comes after the ask: "escalate INC 20003. two days. can't work.")
            fragments.append(" ".join(words))
    # Which thing it is ("the control room air con at Riverside", "emergency generator at harbor road") is no news
    # for a note, and no reason beside a clause that tells one.
    # (An instruction for whoever comes tells as much: "they should ask for Priya Shah at the gatehouse".)
    telling = [k for k in kept if tells_something(k) or _INSTRUCTS.search(k)]
    # Told in fragments only ("escalate INC-20003. two days. can't work."): together they are the reason.
    together = ", ".join(fragments)
    if not kept and len(together.replace(",", " ").split()) >= 3 and (tells_something(together) or len(fragments) >= 2):
        return together[:MAX_SPOKEN_TEXT]
    return ", ".join(telling or kept)[:MAX_SPOKEN_TEXT]


#: What whoever comes must or should do, in words passed on.
_INSTRUCTS = re.compile(r"\b(?:should|must|needs? to|has to|have to|ought to|mustn'?t|shouldn'?t)\b")


def without_values(clause: str, site_names: Mapping[str, int], *, sites: bool = True, things: bool = False,
                   tags: bool = False) -> list[str]:
    """``clause`` as words, without the codes, site numbers and site names in it. A site name is a run
    of its words that holds its own first word or two of its words: "the compressor" describes the
    equipment, it is not Eastgate Compressor Station. ``sites`` False keeps sites: for a record that has
    no site of its own, where it happened is part of what is told ("tested the VPN from site twelve").
    ``things`` also takes out the thing said to be at a place ("to the oil pump at North Ridge"): what is
    asked of it is in the other words. ``tags`` keeps the codes of things ("A124", not a ticket's "WO 10001")
    for words passed on, which no field of the record holds."""
    names = [[w for w in entities.tokens(name) if len(w) > 2] for name in site_names if not name.startswith(entities.SHORT_NAME)]
    site_words = {w for words in names for w in words}
    heads = {words[0] for words in names if words}
    toks = entities.tokens(clause)
    runs = {r.start: r for r in entities.number_runs(clause)}
    drop: set[int] = set()
    tag: dict[int, str] = {}  # (``tags``: where a tag kept stands, as it is written)
    for start, run in runs.items():
        j = start
        while j > 0 and (toks[j - 1] in _VALUE_LEAD | _ID_WORDS or toks[j - 1] in entities.LETTER_NAMES
                         or (len(toks[j - 1]) <= 2 and toks[j - 1].isalpha()
                                                         and toks[j - 1] not in ("is", "it", "at", "on", "to", "in"))):
            j -= 1
        if j == start or (not sites and "site" in toks[j:start]):
            continue  # a plain number ("12 bar") is part of the description
        lead = [t for t in toks[j:start] if t not in ("-", "dash")]
        if tags and lead and all(len(t) == 1 and t.isalpha() for t in lead) and len(run.digits) < entities.RECORD_DIGITS:
            tag[j] = "".join(lead).upper() + ("-" if len(lead) < start - j else "") + run.digits
            drop.update(range(j + 1, run.end))
            continue  # "the standby pump A124 is running fine now", in a note: which other thing is news
        while j > 0 and toks[j - 1] in _PLACE_LEAD:
            j -= 1
        drop.update(range(j, run.end))
    i = 0
    while i < len(toks):
        if sites and toks[i] in site_words and toks[i] not in ("pump", "pumps"):
            j, k = i, i
            # ("the Millbrook pump station": the site, said short; "the Millbrook pump" is a thing there.)
            while k < len(toks) and (toks[k] in site_words or toks[k] in ("station", "works", "plant")
                                     or toks[k:k + 2] == ["pump", "station"]):
                k += 1
            while j > 0 and toks[j - 1] in _PLACE_LEAD:
                j -= 1
            named = heads & set(toks[i:k]) or len({t for t in toks[i:k] if t in site_words}) >= 2
            if named and (j < i or k - i >= 2):
                drop.update(range(j, k))
                if things:
                    drop.update(range(_thing_before(toks, j), j))
            i = k
        else:
            i += 1
    return [tag.get(n, t) for n, t in enumerate(toks) if n not in drop]


def _thing_before(toks: list[str], at: int) -> int:
    """Where the thing named just before ``at`` starts: a determiner at most three words back ("the oil
    pump"), with the word that leads to it ("to", "for"); ``at`` itself when there is none."""
    for j in range(at - 1, max(at - 5, -1), -1):
        if toks[j] in _DETERMINERS:
            return j - 1 if j > 0 and toks[j - 1] in _THING_LEAD else j
        if toks[j] in _DANGLING or not toks[j].isalpha():
            break
    return at


def _held_choices_kept(slots: list[Slot], args: Mapping[str, Any], found: dict[str, Any], said: str) -> dict[str, Any]:
    """``found`` without the held choices (of ``slots``) that ``said`` only names in passing: a choice
    the call holds changes when the new one is said as a value, not in a description or a question, or beside
    another value being changed ("the day after tomorrow in the afternoon")."""
    kinds = {slot.name: slot.kind for slot in slots}
    changing = any(kinds.get(k) not in (None, "enum", "text") and args.get(k) != v for k, v in found.items())
    return {k: v for k, v in found.items()
            if changing or not any(slot.name == k and slot.kind == "enum" and k in args
                                   and _enum(slot, said, asked=False, strict=True) is None for slot in slots)}


def reprompt(task: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    """The task's open question again (after a turn that could not be used at all)."""
    if task.get("confirming"):
        return confirmation(task["tool"], slots_of(schema), task["args"])
    asking = {s.name: s for s in slots_of(schema)}.get(task.get("asking") or "")
    if asking is None and task.get("changing"):
        return _change_question(task, slots_of(schema))
    return asking.question if asking else "Could you say that again?"


def _change_question(task: Mapping[str, Any], slots: list[Slot]) -> str:
    """"What should I change: site, asset tag or summary?": the values read back, by name."""
    names = [s.label for s in slots if s.name in task["args"] and s.kind != "key"]
    return f"What should I change: {_or_list(names)}?" if names else "What should I change?"


def step(task: dict[str, Any], schema: Mapping[str, Any], text: str | None, ctx: Context,
         *, write: bool) -> Step:
    """Advance ``task`` (mutated in place) with the caller's ``text`` (None: just look at it).

    A value said with the one it replaces negated ("critical, not medium") counts as the
    first; a value that replaces one already taken is acknowledged ("Site 14 then.");
    an answer that cannot be used says what was heard when that helps. (A question
    asked a third time in a row is replaced by another way in ``brain``.)
    """
    ctx = _at_read_back(task, ctx)
    slots = slots_of(schema)
    by_name = {s.name: s for s in slots}
    heard: dict[str, Any] = {}
    problem = ""
    before = dict(task["args"])
    if text is not None:
        body, negated = moves.split_negated(text) if moves.negates(text) else (text, [])
        replaced = _replacing(slots, task["args"], body, negated, ctx)
        heard.update(replaced)
        reply = entities.yes_no(body)
        if task.get("confirming") and reply.yes is True and _QUALIFIED.match(reply.rest):
            reply = entities.Answer(False, reply.rest)  # "yes, but the site's wrong" is no yes to send it
        if task.get("confirming"):
            told = _words_told(slots, text) if not heard and not mentioned(slots, text, ctx) else None
            if told:  # "Say: ...", "the comment is ...": the field's words, as said ("instead" in them is no correction)
                task["args"][told[0].name] = told[1]
                return Step("confirm", f"Got it. {confirmation(task['tool'], slots, task['args'])}", {told[0].name: told[1]})
            added = _words_added(slots, task["args"], text) if not heard else None
            if added:  # "oh and, sorry, add that the suction hose is split": more of the field's words
                task["args"].update(added)
                return Step("confirm", f"Added. {confirmation(task['tool'], slots, task['args'])}", added)
            if negated and not heard:
                heard.update(_text_correction(slots, task["args"], text, ctx))
            restated = _restated(slots, task["args"], text, ctx) if not heard else {}
            if restated:  # the problem put again: that is the change (no yes is in it)
                task["args"].update(restated)
                return Step("confirm", f"Got it. {confirmation(task['tool'], slots, task['args'])}", restated)
            if reply.yes is True and not reply.rest.strip(" .!") and not heard:
                return Step("execute")
            said = reply.rest if reply.yes is not None else body
            changed = {**_held_choices_kept(slots, task["args"], mentioned(slots, said, ctx), said), **heard}
            if reply.yes is None:  # "editor, so I can change the work orders. yes, submit it": a yes said later
                reply = entities.Answer(_later_yes(body), reply.rest)
            if reply.yes is True:  # a value said back as it was read ("yes, urgent, that's right") changes nothing
                changed = {k: v for k, v in changed.items() if task["args"].get(k) != v}
            if reply.yes is True and not changed:
                return Step("execute")
            if reply.yes is True and not set(changed) & set(task["args"]):
                # "Medium's fine, yes, go ahead": a value the read-back did not hold, added with the yes to send
                # it. It is said back as it goes; a value read back and changed is read back again first.
                ack = _together(_acknowledge(by_name[k], v, added=True) for k, v in changed.items() if k in by_name)
                task["args"].update(changed)
                return Step("execute", ack, changed)
            if not changed:
                named = _named_slot(slots, body, task["tool"])
                if named is not None:
                    return _change(task, named, body, slots)
                if reply.yes is None:
                    # Neither a yes, a no nor a value: the read-back still stands, ask about it again, briefly.
                    return Step("confirm", f"Sorry, I didn't follow. Shall I go ahead and {describe_tool(task['tool'])}?")
                task["confirming"] = False
                task["asking"] = None
                task["changing"] = True
                return Step("ask", _change_question(task, slots))
            heard.update(changed)
        else:
            asking = by_name.get(task.get("asking") or "")
            chosen = _chosen(task.pop("choices", None) or [], body)  # "the second one", "pump two"
            if chosen is not None and asking is not None:
                heard[asking.name] = chosen
            proposed = task.pop("proposed", None)  # a value the agent found and offered ("Is it A123?")
            if proposed and (reply.yes is True or (reply.yes is None and names_thing(str(task.get("proposed_name") or ""), body))):
                heard.update(proposed)  # "yes", or the thing offered named back ("it's the standby generator")
                if write and reply.yes is True and changes_record(task["tool"], slots) and set(task["args"]) <= set(proposed) \
                        and ordered_with_reasons(task["tool"], reply.rest, slots, ctx) \
                        and not [s for s in slots if s.required and s.kind != "key"
                                                                       and s.name not in {**task["args"], **proposed}]:
                    # "Yes, cancel it please" to "Is it W O 10002: the oil pump?": the record was just read out and
                    # the act ordered with the yes; reading it back again would ask the same thing twice.
                    task["args"].update(proposed)
                    task.pop("proposed_name", None)
                    return Step("execute", heard=dict(proposed))
            task.pop("proposed_name", None)
            changing = task.pop("changing", False)
            if asking is None and task["args"]:
                named = _named_slot(slots, body)  # the answer to "What should I change?"
                if named is not None:
                    return _change(task, named, body, slots)
                if changing and not mentioned(slots, body, ctx) and (
                        orders(task["tool"], body) or changes_nothing(body)):
                    # "Yes please go ahead" or "nothing, it's fine" to "What should I change?": the "no" before it
                    # was about something else; what was read back stands.
                    return Step("execute")
            body = reply.rest if reply.yes is False else body
            # "Is my email any good?" while the id is asked: the category held stays network.
            heard.update(_held_choices_kept([s for s in slots if s is not asking], task["args"],
                                            _not_taken_back(by_name, mentioned(slots, body, ctx), body, negated, ctx), body))
            if negated and asking is not None and asking.kind != "text" and asking.name not in task["args"] \
                    and asking.name not in replaced:
                # "It's site thirteen. No, not thirteen, thirty.": the answer, said and taken back in one turn, is the
                # value said after; the one taken back still stands first in the words.
                instead = _said_instead(asking, body, negated, ctx)
                if instead is not None:
                    heard[asking.name] = instead
            # A code heard for another slot ("A one two four") is not also a bare number for this one.
            if replaced and asking is not None and asking.kind == "text":
                # A value put right answers a question of words only with a clause that says something of its own
                # ("make that write access, not read, I have to annotate them too"); "sorry, not five, four. the
                # cracked tablet one" says which record.
                body = " ".join(c for c in re.split(r"(?<=[,.;!?])\s+", body) if not entities.number_runs(c)
                                and not mentioned(slots, c, ctx) and set(entities.tokens(c.lower())) & _SUBJECTS)
            if asking is not None and asking.name not in heard and not (heard and asking.kind in ("site", "integer", "number", "enum")) \
                    and (body.strip() or not replaced):
                value = parse(asking, body, ctx, asked=True)
                if isinstance(value, str) and len(value) > MAX_SPOKEN_TEXT:
                    problem = f"Sorry, that is too long for the {asking.label}."
                elif value is not None:
                    reason = validate(asking, value)
                    if reason:
                        problem = f"Sorry, {reason}."
                    else:
                        heard[asking.name] = value
                elif proposed and reply.yes is False and not body.strip(" .!"):
                    problem = "Okay."  # "no" to the value offered: nothing was misheard
                elif not heard:  # a number taken for another slot ("not thirty, thirteen") is no misheard tag
                    problem = wrong_shape(asking, body) or way_asked_about(asking, body) \
                        or f"Sorry, I didn't catch {'your ID' if asking.kind == 'user' else 'the ' + asking.label}."
        if (too_far := _beyond_horizon_dropped(slots, heard, ctx)) is not None:
            problem = f"Sorry, {too_far[1]}."  # and the day asked again
        # A changed value is said back; so is any value in a correction ("urgent, not low"),
        # even one the call had not taken before.
        # (Of a correction, the values of the kind taken back: "site seventeen, no, seven. Booster pump two, A702"
        # says back the site, not the tag.)
        corrected = {k for k in heard if k in by_name and any(
            parse(by_name[k], n, ctx, asked=by_name[k].kind not in ("code", "user", "email", "enum")) is not None for n in negated)}
        ack = _together(_acknowledge(by_name[k], v, added=k not in task["args"]) for k, v in heard.items()
                       if k in by_name and (k in corrected or k in task["args"]) and task["args"].get(k) != v)
        problem = f"{ack} {problem}".strip()
        task["args"].update(heard)
        task["confirming"] = False
    missing = [s for s in slots if s.required and s.kind != "key" and s.name not in task["args"]]
    places = [s for s in slots if s.kind in ("site", "code")]
    if not write and not missing and places and not any(s.required for s in slots) \
            and not any(s.name in task["args"] for s in places):
        missing = places[:1]  # a read of things by a site or a tag, none given ("have we got any open jobs?"): which
    misheard = task.pop("misheard", None) if text is None else None
    if misheard and any(m.name == misheard["slot"] for m in missing):
        problem = f"{problem} {misheard['say']}".strip()
    if missing:
        task["asking"] = missing[0].name
        # A problem that ends in its own question ("Yes, your email will do. What is it?") asks it.
        return Step("ask", problem if problem.endswith("?") else f"{problem} {missing[0].question}".strip(), heard)
    choices = [s for s in slots if not s.required and s.kind == "enum"]
    if write and not task.get("read_back") and changes_record(task["tool"], slots) \
            and not any(s.name in task["args"] for s in choices) \
            and (named := _named_slot(choices, task.get("opening", ""))) is not None:
        # "I want to change the priority on work order 10006": the field is named, its new value still to come.
        task["asking"] = named.name
        return Step("ask", named.question, heard)
    task["asking"] = None
    if not write:
        return Step("execute", heard=heard)
    task["confirming"] = True
    if task.get("read_back") and heard:
        # The caller has heard the whole read-back once: after that only what changed is said back.
        # (A value said again as it was, "make it tomorrow afternoon" for tomorrow, is no change to say back.)
        said = _together(_acknowledge(by_name[k], v, added=k not in before) for k, v in heard.items()
                         if k in by_name and before.get(k) != v) or "Got it."
        return Step("confirm", f"{said} {GO_AHEAD}", heard)
    task["read_back"] = True
    return Step("confirm", f"{problem} {confirmation(task['tool'], slots, task['args'])}".strip(), heard)


def orders(tool: str, text: str) -> bool:
    """Does ``text`` order the act of ``tool`` outright ("cancel it please", "go ahead", "can you log it?")? Its verb
    (for a new record, a verb that makes one), or a go-ahead, on "it", asked or told, and nothing else beside it."""
    verb = tool.split("_")[0]
    verbs = f"{verb}|{_MAKING_VERBS}" if tool.startswith(NEW_RECORD_PREFIXES) else verb
    low = text.lower().strip(" .!?")
    return bool(re.fullmatch(rf"(?:(?:yes|yeah|please|then|just|ok|okay|so)\W+)*(?:(?:can|could|would|will) you(?: please| just)? )?"
                             rf"(?:{verbs}|go ahead(?: and (?:{verbs}))?|do)(?: it| that)?(?: now| for me)?"
                             r"(?:\W+(?:please|then|thanks|thank you))*", low))


#: Said of a record offered, to say it is the one ("that's the one", "that's it", "the very one").
_THE_ONE = re.compile(r"^(?:(?:yes|yeah|yep|right|correct|exactly)\W+)*(?:that'?s (?:the one|it|right|correct|the job|the "
                      r"one I mean)|(?:the )?very one|that one)\W+", re.I)


def ordered_with_reasons(tool: str, text: str, slots: list[Slot], ctx: Context) -> bool:
    """Does ``text`` order the act of ``tool`` (``orders``) in its first sentence, after saying the record offered is
    the one, and only tell why in the rest ("That's the one, cancel it. The permit's been withdrawn.")? A question
    or a value in the rest is more than a reason."""
    first, *rest = re.split(r"(?<=[.!?])\s+", text.strip())
    told = " ".join(rest)
    return orders(tool, _THE_ONE.sub("", first)) and "?" not in told and not mentioned(slots, told, ctx)


#: Verbs that make a new record, whatever the tool is called ("log it", "put it in").
_MAKING_VERBS = r"log|raise|open|submit|file|send|lodge|put (?:it|that) in|put in"


#: An answer to "What should I change?" that changes nothing.
_NOTHING_TO_CHANGE = re.compile(r"^\W*(?:(?:no|nothing|none|sorry|oh)\W+)*(?:nothing|none of it|it'?s (?:all )?(?:fine|good|"
                                r"right|correct)|(?:that'?s |it'?s )?all (?:fine|good|correct|right)|no changes?)\b")


def changes_nothing(text: str) -> bool:
    """Is ``text`` an answer to "What should I change?" that changes nothing ("nothing, it's all fine")?"""
    return bool(_NOTHING_TO_CHANGE.search(text.lower()))


#: What starts the news after the ask for a note ("add that ...", "a comment saying ...", "a note: ...").
_NEWS_LEAD = re.compile(r"^(?:that|saying|says|to say|reading)\b|\b(?:that|saying|to say)\b|:")
#: After "that", what shows it points back at what was told ("add that on to the job", "add that to INC 20001"),
#: not a clause of words to add ("add a comment that I need it by Friday").
_POINTED_AT = re.compile(r"(?:on|to|onto|into|in|for|with|as|too|please|up|there|as well|in there|on there)\b|$")
#: Words given to be written down, after how they are put ("Say: ...", "tell them I tested it ...", "put down that
#: ...", "it should say ...").
DICTATED = re.compile(r"(?:(?:and |also |and also |oh and )?(?:can you |could you |please |just )?(?:say|write|put(?: down)?|tell them|"
                       r"let (?:them|him|her|the [\w-]+(?: [\w-]+)?) know|"
                       r"note|it should say|make it say)\b"
                       # ("could you put on it that ...", "add to the job that ...")
                       r"(?:\s+(?:on|onto|to|in|into) (?:it|that|this|the [\w-]+))?[:,]?\s+(?:that\s+)?)(.{8,})$", re.I)
#: After a yes, words that take it back in part: a change is coming, nothing is to be sent yet.
_QUALIFIED = re.compile(r"(?:but|except|apart from|although|though|however|only thing|one thing)\b")


def wrong_shape(slot: Slot, text: str) -> str | None:
    """What was heard and the shape expected, when a code was heard but does not fit its pattern:
    "I heard one zero zero one, but a work order number looks like W O, one zero two three four."."""
    if slot.kind not in ("code", "user"):
        return None
    runs = entities.number_runs(text)
    if not runs or len(runs[-1].digits) > entities.MAX_DIGITS:
        return None
    lettered = _lettered(text, entities.pattern_prefixes(slot.schema.get("pattern")))
    if not lettered and len(runs[-1].digits) < 3 and not entities.codes(text):
        return None  # "it's been two days": a small number on its own is no attempt at an id
    # "I'm Aiko Tanaka, E10620": who calls, no attempt at a request number (the id after a name said after "I'm").
    theirs = {re.sub(r"\D", "", c) for c in _codes_of_who_calls(text)} if slot.kind == "code" else set()
    if not lettered and runs[-1].digits in theirs:
        return None
    heard = entities.spell_out(lettered[0] if lettered else runs[-1].digits)
    example = next((e for e in slot.schema.get("examples") or [] if isinstance(e, str)), None)
    if example is None and slot.kind == "user":
        example = next(iter(re.findall(r"\b[A-Z]\d{3,6}\b", slot.schema.get("description") or "")), None)
    like = f" looks like {entities.spell_out(example)}" if example else " has a different shape"
    noun = "ID" if slot.kind == "user" else slot.label  # "user" names the field, not what is said for it
    article = "an" if noun[:1].lower() in "aeio" or noun == "ID" else "a"
    said = len(re.sub(r"\D", "", lettered[0] if lettered else runs[-1].digits))
    fixed = re.search(r"(?:\[0-9\]|\\d)\{(\d+)\}", slot.schema.get("pattern") or "")  # "[0-9]{5}": always five
    needed = int(fixed.group(1)) if fixed else said
    if example and said != needed:
        # A digit missed or one too many is the usual slip: the count says which.
        return (f"I heard {heard}. That's {_COUNTS.get(said, said)} digit{'s' if said != 1 else ''}; {article} {noun} has "
                f"{_COUNTS.get(needed, needed)}, like {entities.spell_out(example)}.")
    return f"I heard {heard}, but {article} {noun}{like}."


def way_asked_about(slot: Slot, text: str) -> str | None:
    """"Yes, your work email address will do. What is it?": the answer to a question back ("is my email
    any good?") about one of the ways the slot's question offers ("your employee ID or your work email
    address"). None when the turn asks nothing of the kind."""
    questions = [q for q in re.split(r"(?<=[.!?])\s+", text) if q.strip().endswith("?")]
    if not questions:
        return None
    asked = set(re.findall(r"[a-z]{4,}", questions[-1].lower()))
    ways = re.split(r"\s+or\s+", re.sub(r"\s*\([^)]*\)", "", slot.question.rstrip("?")))
    if len(ways) < 2:
        return None
    ways[0] = re.sub(r"^(?:what|which) (?:is|are)\s+", "", ways[0], flags=re.I)
    named = [w for w in ways if asked & set(re.findall(r"[a-z]{4,}", w.lower()))]
    return f"Yes, {named[0]} will do. What is it?" if len(named) == 1 else None


_COUNTS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _lettered(text: str, prefixes: list[str]) -> list[str]:
    """Codes in ``text`` that start with one of the id's own letters ("E1048" for an E10482-style id)."""
    return [c for c in entities.codes(text, prefixes) if prefixes and c.upper().startswith(tuple(prefixes))]


def _replacing(slots: list[Slot], args: Mapping[str, Any], body: str, negated: list[str],
               ctx: Context) -> dict[str, Any]:
    """"Not three, thirty": the negated value names the slot it is in now, so the rest of the turn
    is that slot's new value even when it could not be recognised on its own (a bare number)."""
    found: dict[str, Any] = {}
    for part in negated:
        for slot in slots:
            if slot.kind == "datetime" and slot.schema.get("format") == "date" and not entities.names_day(part):
                continue  # "not morning" takes back a time window, never the day (which "morning" may land on)
            # "not five, four. twenty thousand and four": with the whole id said, its last digit alone names it.
            whole = parse(slot, body, ctx, asked=True) if slot.kind in ("code", "user") else None
            fewest = 1 if whole is not None and whole != args.get(slot.name) and validate(slot, whole) is None else 2
            if slot.name in args and slot.kind != "text" and (parse(slot, part, ctx, asked=True) == args[slot.name]
                                                             or _same_digits(slot, part, args[slot.name], fewest)):
                value = parse(slot, body, ctx, asked=True)
                if value == args[slot.name]:
                    value = _said_instead(slot, body, negated, ctx)  # the old value said again, as a reason
                if value is None and _same_digits(slot, part, args[slot.name]):
                    value = _with_digits(slot, args[slot.name], body)
                if value is not None and value != args[slot.name] and validate(slot, value) is None:
                    found[slot.name] = value
                break
    return found


def _not_taken_back(by_name: Mapping[str, Slot], found: dict[str, Any], body: str, negated: list[str],
                    ctx: Context) -> dict[str, Any]:
    """``found`` without a value the turn takes back ("it's site thirteen. no, not thirteen, thirty" while site 30 is
    held already: not 13): the value said instead where there is one, else none."""
    out = dict(found)
    for name, value in found.items():
        slot = by_name.get(name)
        if slot is not None and any(parse(slot, part, ctx, asked=True) == value for part in negated):
            instead = _said_instead(slot, body, negated, ctx)
            if instead is None:
                out.pop(name)
            else:
                out[name] = instead
    return out


def _said_instead(slot: Slot, body: str, negated: list[str], ctx: Context) -> Any:
    """The value ``body`` gives ``slot`` besides the ones taken back in ``negated``: of its clauses, the last that
    holds another valid value ("it's site thirteen. no, not thirteen, thirty": 30; "not the morning, Friday
    afternoon, I've got the safety walk in the morning": afternoon). None when there is no such value."""
    loose = slot.kind != "enum"  # (a choice is named, never guessed by meaning from a clause of something else)
    taken = {parse(slot, p, ctx, asked=loose) for p in negated} - {None}
    others = [v for piece in re.split(r"[,.;!?]", body) if (v := parse(slot, piece, ctx, asked=loose)) is not None
              and v not in taken and validate(slot, v) is None]
    return others[-1] if taken and others else None


def _text_correction(slots: list[Slot], args: Mapping[str, Any], said: str, ctx: Context) -> dict[str, Any]:
    """"It's diesel, not coolant" at the read-back: a word of the description put right. The word taken back
    is replaced where the description has it, or the correction is added to it."""
    low = said.lower()
    pairs = [(m.group(1), m.group(2)) for m in re.finditer(r"\b([a-z][\w-]+),? not (?:the |a |an )?([a-z][\w-]+)\b", low)]
    pairs += [(m.group(2), m.group(1)) for m in re.finditer(  # "not coolant, it's diesel": new second
        r"\bnot (?:the |a |an )?([a-z][\w-]+),? (?:it'?s |but |rather )?(?:the |a |an )?([a-z][\w-]+)\b", low)]
    # "not visio, make it power bi desktop": the words it is made, up to the clause's end.
    pairs[:0] = [(m.group(2).strip(), m.group(1)) for m in re.finditer(
        r"\bnot (?:the |a |an )?([a-z][\w-]+),? (?:make it|make that|change it to|change that to|it should be) "
        r"(?:the |a |an )?([a-z][\w-]*(?: [a-z][\w-]*){0,2})(?=$|[,.;!?])", low)]
    values = [x for x in slots if x.kind != "text"]
    # "Can you make it urgent? No, sorry, high, not urgent." at a note's read-back: a priority put right, for
    # another act on the record, though the note takes none.
    setting = bool(re.search(r"\b(?:make|set|change|put|bump|raise|lower|drop|knock) (?:it|that|this)\b", low)) \
        or "priority" in low
    pairs = [(new, old) for new, old in pairs if not (setting and {new, old} <= _ENUM_WORDS | {"urgent"})
             and not {new, old} & (_NO_NOUN | _DANGLING) and moves.leftover(new)
             and not mentioned(values, new, ctx) and not mentioned(values, old, ctx)
             and not any(_enum(x, w, asked=True) is not None for x in values if x.kind == "enum" for w in (new, old))]
    if not pairs:
        return {}  # "critical, not medium" is a value's correction, not the description's
    new, old = pairs[0]
    for slot in slots:
        if slot.kind == "text" and isinstance(args.get(slot.name), str):
            held = args[slot.name]
            fixed = re.sub(rf"\b{re.escape(old)}\b", new, held, flags=re.I) if re.search(
                rf"\b{re.escape(old)}\b", held, flags=re.I) else f"{held}, {new} not {old}"
            return {slot.name: fixed} if validate(slot, fixed) is None else {}
    return {}


#: The caller takes back how they put the problem and says it again ("sorry, I said that wrong. ...").
_RESTATED = re.compile(r"\b(?:i said (?:that|it) wrong|i put (?:that|it) wrong|(?:that'?s|that is) not (?:quite )?(?:right|what i "
                       r"meant)|what i meant (?:was|is)|i meant(?: to say)?|let me (?:rephrase|put it another way|start again)|"
                       r"scratch that|i got that wrong)\b[\s,.;:!-]*")


def _restated(slots: list[Slot], args: Mapping[str, Any], said: str, ctx: Context) -> dict[str, Any]:
    """At the read-back, "sorry, I said that wrong. they ring fine, it's that every call cuts out": the
    description said again replaces the one held (as a short paraphrase). {} without that cue, or when
    what follows is a value (a site, a tag) rather than a description."""
    cues = list(_RESTATED.finditer(said.lower()))
    if not cues:
        return {}
    rest = said[cues[-1].end():]
    values = [x for x in slots if x.kind != "text"]
    # Its longest clause: "they ring fine, it's that every call cuts out" puts the old claim right first.
    summary = max((paraphrase(c, ctx) for c in re.split(r"[,;.!?]+", rest)), key=lambda p: len(p.split()), default="")
    if len(summary.split()) < 3 or mentioned(values, rest, ctx):
        return {}
    for slot in slots:
        if slot.kind == "text" and slot.required and isinstance(args.get(slot.name), str):
            return {slot.name: summary} if validate(slot, summary) is None else {}
    return {}


def _same_digits(slot: Slot, said: str, held: Any, fewest: int = 2) -> bool:
    """A code named by its digits alone ("not four five oh three" for P-4503): callers drop the letters,
    and may name only its last digits, at least ``fewest`` ("one zero zero zero one, no, not zero one, zero six")."""
    runs = entities.number_runs(said)
    digits = re.sub(r"\D", "", str(held))
    return slot.kind in ("code", "user") and len(runs) == 1 and bool(digits) and (
        runs[0].digits == digits or (len(runs[0].digits) >= fewest and digits.endswith(runs[0].digits)))


def _with_digits(slot: Slot, held: Any, body: str) -> str | None:
    """The held code with the digits of ``body`` in place of its own ("..., four five three oh" -> P-4530)."""
    runs = entities.number_runs(body)
    if len(runs) != 1:
        return None
    letters = re.match(r"[A-Za-z]+-?", str(held))
    digits = re.sub(r"\D", "", str(held))
    said = runs[0].digits
    if len(said) < len(digits):  # only its last digits: those change
        said = digits[:len(digits) - len(said)] + said
    candidate = (letters.group(0) if letters else "") + said
    return _like_examples(candidate, slot.schema.get("examples") or [], slot.schema.get("pattern"))


def _together(acks: Iterable[str]) -> str:
    """Values said back in one sentence ("Thursday 10 December, evening then."), not one "then" each."""
    said = [a.removesuffix(" then.") for a in acks if a]
    values = [a for a in said if a != "Got it."]
    lead = "Got it. " if len(values) < len(said) else ""
    if not values:
        return lead.strip()
    return f"{lead}{', '.join(values)} then."  # capitals kept: "Evening, Thursday 10 December then." (heard alike)


def values_said(choices: list[Slot], text: str, ctx: Context) -> str:
    """The choices ``text`` names, said back with what they are ("priority high"); "" when it names none."""
    found = mentioned(choices, text, ctx)
    return ", ".join(_acknowledge(x, found[x.name], added=True).removesuffix(" then.").lower()
                     for x in choices if x.name in found)


def _acknowledge(slot: Slot, value: Any, *, added: bool = False) -> str:
    """"Site 14 then.": a corrected value said back, so the caller knows it was taken ("Critical,
    not medium" -> "Urgent then."); a value added to the read-back says what it is ("Priority high then.")."""
    if slot.kind == "text":
        return "Got it."
    shown = entities.spell_out(str(value)) if slot.kind == "code" else \
        entities.spoken_moment(str(value)) if slot.kind == "datetime" else str(value)
    if slot.kind in ("site", "integer", "number") or added:
        shown = f"{slot.label} {shown}"
    return f"{shown[0].upper()}{shown[1:]} then."


def _named_slot(slots: list[Slot], text: str, tool: str = "") -> Slot | None:
    """The slot a caller names to change it ("the summary", "change the description", "the site"). The act's own
    verb names none ("can you escalate it?" is not "which incident should be escalated?")."""
    words = set(re.findall(r"[a-z]+", text.lower())) - {w for w in words_of_act(tool)}
    for slot in slots:
        if slot.kind != "key" and set(slot.label.split()) <= words:
            return slot
    stems = {w[:6] for w in words if len(w) >= 6} - {w[:6] for w in words_of_act(tool) if len(w) >= 6}
    for slot in slots:  # the long words of its question, by stem ("describe the problem" -> "the description")
        # The things its options cover ("a replacement headset") do not name the field: then only its question.
        asked = (slot._described[0] if slot.meanings else slot.schema.get("description") or "").lower()
        if slot.kind != "key" and not asked.startswith("optional") and \
                stems & {w[:6] for w in re.findall(r"[a-z]+", asked) if len(w) >= 6}:
            return slot
    return None


def words_of_act(tool: str) -> list[str]:
    """The verb of ``tool``'s name, as said in its forms ("escalate_incident": escalate, escalated, escalating)."""
    verb = tool.split("_")[0] if tool else ""
    return [verb, f"{verb}d", f"{verb}s", f"{verb.rstrip('e')}ing", f"{verb}ed"] if len(verb) > 2 else []


def _change(task: dict[str, Any], slot: Slot, text: str, slots: list[Slot]) -> Step:
    """The caller named a slot to change: take the new free text when they said it, else ask for it."""
    if slot.kind == "text":
        m = re.search(r"\b(?:is|be|say|says|to|as|should read)\b\s+(.+)$", text, flags=re.I)
        value = m.group(1).strip(" .") if m else ""
        if len(value.split()) >= 2 and validate(slot, value) is None:
            task["args"][slot.name] = value
            task["confirming"] = True
            task["asking"] = None
            return Step("confirm", f"Got it. {confirmation(task['tool'], slots, task['args'])}", {slot.name: value})
    task["args"].pop(slot.name, None)
    task["confirming"] = False
    task["asking"] = slot.name
    return Step("ask", slot.question)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def confirmation(tool: str, slots: list[Slot], args: Mapping[str, Any]) -> str:
    """"I'll open a work order: site 12, asset tag A, one two three, priority high. Is that right?"

    Free text is read back whole when it is short and by its first words when not, cut
    between words.
    """
    parts = []
    for slot in slots:
        if slot.name not in args or slot.kind == "key":
            continue
        value = args[slot.name]
        if slot.kind == "code":
            shown = entities.spell_out(str(value))
        elif slot.kind == "datetime":
            shown = entities.spoken_moment(str(value))
        elif slot.kind == "text":
            words = str(value).split()
            shown = " ".join(words)  # (as ``paraphrase`` keeps it: a word or two over rather than a cut)
            if len(words) > SUMMARY_WORDS + SUMMARY_OVERRUN:
                # Cut where a listener hears a pause: at the last clause end when that keeps half of it, else not
                # after "and" or "the" ("... this morning and and so on", "i don't need it any more, i've").
                cut = " ".join(words[:SUMMARY_WORDS]).rstrip(",;:.")
                end = max(cut.rfind(","), cut.rfind(";"))
                cut = cut[:end] if end > 0 and len(cut[:end].split()) >= SUMMARY_WORDS // 2 else cut
                shown = " ".join(_without_dangling(cut.split())) + " and so on"
        else:
            shown = str(value).replace("_", " ")  # an option written as an identifier is said as words: "power bi"
        parts.append(f"{slot.label} {shown}")
    detail = f": {', '.join(parts)}" if parts else ""
    return f"I'll {describe_tool(tool)}{detail}. Is that right?"


_VERBS = {"create": "open a", "open": "open a", "cancel": "cancel the", "request": "submit a",
          "escalate": "escalate the", "schedule": "schedule a", "update": "update the", "add": "add a",
          "close": "close the", "reset": "reset the", "reschedule": "move the"}


def describe_tool(tool: str) -> str:
    """A spoken phrase for what a write tool does: create_work_order -> "open a work order"."""
    verb, _, noun = tool.partition("_")
    noun = noun.replace("_", " ") or verb
    if verb == "request":
        phrase = f"submit a {noun} request"
    else:
        phrase = f"{_VERBS.get(verb, verb)} {noun}"
    return re.sub(r"\ba (?=[aeiou])", "an ", phrase)
