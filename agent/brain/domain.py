"""The domain agents, field_ops and it_ops, in embedded (no LLM) mode.

A routed intent picks a discovered tool; the tool's input schema drives slot filling
(``slots``); the call goes through the shared ``ToolManager``; the result is spoken.
All progress lives in ``CallState.task`` so the next turn can run on another container.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from datetime import datetime
from typing import Any, AsyncIterator, Callable, Iterator, Mapping, Sequence

from agent.contracts.actions import Action, Say
from agent.brain import answers, entities, moves, slots
from agent.brain.mcp_client import ToolError, ToolManager, ToolSpec
from agent.brain.toolrun import ToolOutcome, recent_duplicate, run_tool, ticket_of
from agent.privacy.names import names_in
from agent.routing.text import stem
from agent.contracts.state import CallState

log = logging.getLogger(__name__)
#: Coordinator intents and the tool that serves each (names as the servers publish them).
INTENT_TOOLS: dict[str, tuple[str, str]] = {
    "work_order.create": ("field_ops", "create_work_order"),
    "work_order.status": ("field_ops", "get_work_order"),
    "work_order.note": ("field_ops", "add_work_order_note"),
    "work_order.update": ("field_ops", "update_work_order"),
    "work_order.list": ("field_ops", "list_work_orders"),
    "asset.lookup": ("field_ops", "lookup_asset"),
    "asset.list": ("field_ops", "list_assets"),
    "visit.schedule": ("field_ops", "schedule_visit"),
    "visit.reschedule": ("field_ops", "reschedule_visit"),
    "visit.cancel": ("field_ops", "cancel_visit"),
    "incident.create": ("it_ops", "create_incident"),
    "incident.status": ("it_ops", "get_incident"),
    "incident.comment": ("it_ops", "add_incident_comment"),
    "incident.update": ("it_ops", "update_incident"),
    "incident.escalate": ("it_ops", "escalate_incident"),
    "service_request.create": ("it_ops", "create_service_request"),
    "service_request.cancel": ("it_ops", "cancel_service_request"),
    "service_request.status": ("it_ops", "get_service_request"),
    "password.reset": ("it_ops", "request_password_reset"),
    "access.request": ("it_ops", "request_access"),
}

ANYTHING_ELSE = "Anything else?"
#: How "anything else?" is said, in turn, as it comes round again in one call.
ANYTHING_ELSE_FORMS = (ANYTHING_ELSE, "Is there anything more?", "Anything else I can help with?")
#: A write the caller declined or took back.
NOTHING_SENT = "Okay, I won't do that. Nothing was sent."
NEW_RECORD_PREFIXES = slots.NEW_RECORD_PREFIXES
#: A sentence that says what something is for ("to check the purchase orders", "because I've taken over ...").
_PURPOSE = re.compile(r"^(?:(?:it'?s|that'?s|it is|that is|oh|well|and)\W+)*(?:to|because|cos|so (?:that|i|we)|as i|as we|"
                      r"for (?:the|my|our)|in order to)\b")
_THANKED = re.compile(r"\b(?:thanks|thank you|cheers|appreciate)\b")
#: The fewest words of a sentence after an answer that can say why ("I update the handover sheets every shift").
REASON_WORDS = 4
#: Tools that add to a record (a note, a comment), by the same convention.
NEWS_PREFIXES = ("add_",)
#: Writes that end a record: on one closed already there is nothing left to do, and nothing new to make.
ENDING_PREFIXES = ("cancel_", "close_", "withdraw_")
#: What a new record takes over from the closed one it replaces: where and what, never its state or story.
_NOT_CARRIED = {"status", "priority", "summary", "description", "idempotency_key", "reported_by", "callback_number"}
#: A new record asked for in so many words ("raise a new one", "open another ticket"; "they gave me a new one" is none).
NEW_RECORD = re.compile(r"\b(?:raise|open|log|create|make|start|put in|set up|do)(?: me| us)? (?:a new|another|a fresh)(?: new)? "
                        r"(?:one|job|ticket|work order|incident|request)\b")
#: A record pointed at by what it is about: "the vibration job on intake pump 1", "that ticket", "the job for the aircon".
#: (The words before its kind describe it: no preposition, article or verb of a sentence, "... jams on every job".)
DESCRIBED_RECORD = re.compile(r"\b(?:the|that|this|our|my|his|her|their)((?: (?!(?:on|at|in|for|with|to|from|of|every|each|all|"
                              r"and|or|is|was|are|it|that|a|an|the)\b)[\w'/-]+){0,5}?) (?:job|work order|ticket|incident)\b"
                              r"(?! (?:number|reference)\b)")
#: Another record than the one in hand brought up: "and there was one for the dryer alarm", "the other job".
ANOTHER_RECORD = re.compile(r"\bthere(?:'s| is| was| were) (?:also |another |one more )?(?:one|a job|a ticket|an incident|a work order|"
                            r"a request)\b(?: [\w']+){0,2}? (?:for|on|about|against|with)\b|"
                            r"\bthe other (?:one|job|ticket|incident|work order|request)\b")  # ("another one" is one to make)
#: Words too common to point to a record by ("move the aircon visit to Monday": "aircon" points, "that" does not).
_COMMON_WORDS = {"that", "this", "with", "have", "what", "when", "there", "about", "next", "instead", "please", "could",
                 "would", "just", "then", "they", "them", "their", "were", "will", "from", "wait", "sorry", "good", "okay"}
#: Whether a piece of work was ever done, asked by what was done, not of the record ("was the mechanical seal ever
#: replaced?", "has the filter been changed?"): the words name the work, which may be another record's.
WORK_ASKED = re.compile(r"\b(?:was|were|has|have|had|did)\s+(?:the|a|an|its|their)\s+"
                        r"(?!(?:job|ticket|work order|incident|request|fault|problem|issue|work|one|visit|engineer|"
                        r"technician)\b)((?:[a-z0-9-]+ ){0,4}?[a-z0-9-]+)\s+(?:(?:ever|already|actually|really|been|get|got)\s+)*"
                        r"(?:[a-z]+ed|done|replaced|changed|fixed|swapped|seen to|redone)\b")
#: Trouble back or still there ("locked myself out again", "it's still not printing").
#: ("Again" of the trouble, not of the caller: "it's Tom again".)
AGAIN_OF_FAULT = r"(?:\w+ed|\w+ing|it|fails|happens|stops|trips|goes|gone|down|off|out|up) again"
_BACK_AGAIN = re.compile(rf"\b(?:{AGAIN_OF_FAULT}|still (?:not|no|isn'?t|won'?t|can'?t|doesn'?t|fail\w*|broken|down|off|"
                         r"playing))\b")
#: Someone coming out, asked after ("when are they turning up?", "when's the engineer due?"), not work gone by.
_COMING = re.compile(r"\b(?:com(?:e|es|ing)|turn(?:s|ing)? up|arriv\w*|due|get (?:here|there|out|round)|"
                     r"be (?:here|there|out|round)|visit\w*|booked|attend\w*)\b")
#: Asked to open a closed record again ("can you reopen it").
REOPENED = re.compile(r"\bre-?open(?:ed|ing)?\b|\bopen (?:it|that|this|them) (?:back )?(?:up )?again\b")
#: A fault back ("it's gone again", "dropped below setpoint again") and a thing pointed back at ("that pump").
_AGAIN = re.compile(r"\b(?:again|back)\b")
_POINTED_BACK = re.compile(r"\b(?:that|this|the same|it'?s|it)\b")
#: How near in meaning a caller's description must be to a thing's record to name it, and how much nearer
#: than the next thing: "the air conditioning in the lab" is 0.55 near "hvac Lab climate control", 0.23 the next.
KIND_MEANING_FLOOR = 0.4
KIND_MEANING_MARGIN = 0.15
#: Letters of a long word that stand for it when a caller's words are matched to a record's ("replacement", "replace").
STEM_LETTERS = 6
#: Clauses of what the caller said compared on their own, at most (a rambling caller is not encoded whole).
MAX_MEANING_CLAUSES = 8
#: Things read out for the caller to pick from, at most (more than this is no list for the ear).
MAX_CHOICES = 3
SYSTEM_NAMES = {"field_ops": "field service system", "it_ops": "IT service desk system"}
_TICKET = re.compile(r"\b[A-Z]{2,4}-\d{4,6}\b")


def spoken(text: str) -> str:
    """Ticket numbers in a sentence read out one character at a time."""
    return _TICKET.sub(lambda m: entities.spell_out(m.group(0)), text)


def idempotency_key(state: CallState, tool: str) -> str:
    """Stable per call, task and tool, so a retry (even from another container) reuses it."""
    seed = f"{state.session_id}:{len(state.tool_attempts)}:{tool}:{state.turn_count}"
    return "sb-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


async def fetch_site_names(tools: ToolManager) -> dict[str, int]:
    """Site names from the field-ops server's ``list_sites`` (local or remote), so callers can say
    "Riverside Pumping Station" for site 12. Empty, with a warning, when the server cannot tell."""
    if tools.tool("field_ops", "list_sites") is None:
        log.warning("field_ops has no list_sites tool: sites are understood by number only")
        return {}
    try:
        data = await tools.call("field_ops", "list_sites", {})
    except ToolError as exc:
        log.warning("could not read site names from field_ops: %s", exc.message)
        return {}
    sites = data.get("sites") if isinstance(data, dict) else None
    names: dict[str, int] = {}
    addresses: dict[str, int] = {}
    for site in sites if isinstance(sites, list) else []:
        if isinstance(site, dict) and isinstance(site.get("name"), str) and isinstance(site.get("number"), int):
            names[site["name"][:200]] = site["number"]
            if isinstance(site.get("address"), str):
                addresses[site["address"][:200]] = site["number"]
    return {**_address_names(addresses), **_short_names(names, await _thing_kinds(tools)), **names}


def _address_names(addresses: Mapping[str, int]) -> dict[str, int]:
    """A site by its street or its town ("the River Street pump station", "the Marlow plant"): each part of its address
    without the house number ("12 River Street, Kingsbridge": "River Street", "Kingsbridge") that no other site's
    address shares, kept as a whole name only (``entities.WHOLE_NAME``: "river" alone is no place)."""
    parts: dict[str, set[int]] = {}
    for address, number in addresses.items():
        for part in address.split(","):
            words = [w for w in part.split() if not any(c.isdigit() for c in w)]
            if words and len(" ".join(words)) > 3:
                parts.setdefault(" ".join(words), set()).add(number)
    return {f"{entities.WHOLE_NAME}{part}": numbers.pop() for part, numbers in parts.items() if len(numbers) == 1}


async def _thing_kinds(tools: ToolManager) -> set[str]:
    """The kinds of things the field-ops server lists (its ``list_assets`` filter's options: "pump", "compressor")."""
    spec = tools.tool("field_ops", "list_assets")
    return {str(v).lower() for x in (slots.slots_of(spec.input_schema) if spec is not None else ())
            for v in x.schema.get("enum") or ()}


def _short_names(names: Mapping[str, int], kinds: set[str]) -> dict[str, int]:
    """"the reservoir" for Cedar Falls Reservoir: the last word of a site's name, when no other site's name ends in it,
    it names a kind of place rather than of thing ("the compressor" may be any compressor), and is no stop word."""
    last: dict[str, list[int]] = {}
    for name, number in names.items():
        words = entities.tokens(name)
        if words and len(words[-1]) > 3 and words[-1].isalpha():
            last.setdefault(words[-1], []).append(number)
    stop = {"station", "plant", "site"}  # (a kind many places share)
    return {f"the {w}": numbers[0] for w, numbers in last.items()
            if len(numbers) == 1 and w not in stop and w not in kinds and w.rstrip("s") not in kinds}


#: The offer after a how-to answer that says a person does it.
PUT_THROUGH = "Shall I put you through to them now?"
#: Words a how-to answer may use before the caller can speak again.
HOWTO_WORDS = 30
#: What a sentence written for callers of the kind the caller says they are adds to its nearness ("I'm visiting":
#: "Visitors use NW-Guest ..."): more than a kind asked, as the rest of the article is written for staff.
SUCH_CALLERS_BONUS = 0.4
_STOP = {"the", "and", "for", "you", "your", "with", "how", "what", "can", "does", "that", "this", "from", "are",
         "have", "has", "was", "will", "would", "should", "could", "into", "when", "there", "then", "them"}


def asked_parts(text: str) -> list[str]:
    """The questions of a turn that tells a story first ("I'm standing at a valve ... Where do they put the tag on a
    valve?"), each as it is to be answered: alone, or with the story when it leans on it ("what does that mean?").
    The whole turn when it asks no question, or one question before anything else."""
    sentences = _SENTENCE_END.split(text.strip())
    first = next((i for i, x in enumerate(sentences) if questions_in(x)), len(sentences))
    if first == 0:
        # Asked first, then explained ("How long does a reset link last? Hers expired before she opened it."): what
        # follows is the question's own context, and the turn is answered as said.
        asked = questions_in(text)
        return asked if len(asked) > 1 else [text]
    asked = [q for x in sentences for q in questions_in(x)]
    told = " ".join(x for x in sentences if not questions_in(x))
    # ("When I make a job urgent, how fast does the technician come? How many hours?": a question that leans
    # leans on the one asked just before it too.)
    leant = [" ".join(filter(None, (told, asked[n - 1] if n else ""))) for n in range(len(asked))]
    # Who the caller is ("I'm visiting for a meeting", "I'm a contractor") goes with every question: a visitor's way
    # onto the Wi-Fi is not a staff laptop's.
    who = " ".join(x for x in sentences if not questions_in(x) and _CALLER_IS.search(x.lower()))
    return [f"{who} {q}".strip() if _stands_alone(q) or not lean else f"{lean} {q}"
            for q, lean in zip(asked, leant)] or [text]


#: A caller saying what they are here, not staff with a laptop of ours ("I'm visiting", "I'm a contractor", "I'm new").
_CALLER_IS = re.compile(r"\b(?:i'?m|i am|we'?re|we are)\s+(?:just\s+|only\s+)?(?:an?\s+)?(visit\w*|contractor|supplier|"
                        r"guest|temp|agency|new|new starter|delivery driver|student|intern)")


def _for_such_callers(sentence: str, question: str) -> bool:
    """Is ``sentence`` about callers of the kind the question's caller says they are ("I'm visiting": "Visitors use
    NW-Guest ...")? By the word's stem (all but its ending, at least five letters)."""
    said = _CALLER_IS.search(question.lower())
    role = said.group(1).split()[-1] if said else ""
    key = role[:max(5, len(role) - 3)]
    return len(key) >= 5 and bool(re.search(rf"\b{re.escape(key)}", sentence.lower()))


def _stands_alone(question: str) -> bool:
    """Does ``question`` name its own topic ("where do they put the tag on a valve?"), not lean on what was told
    ("what does that mean?", "how long do I have to wait?", "and on a pump?")?"""
    words = entities.tokens(question.lower())
    return not set(words) & _LEANS_ON_STORY and len({w for w in words if len(w) > 2 and w not in _STOP | _QUESTION_WORDS}) >= 3


_QUESTION_WORDS = {"where", "which", "what", "when", "does", "usually", "normally", "would", "should", "need", "anything",
                   "something", "know", "tell", "there", "they", "their", "before", "after"}
#: Words by which a question leans on the story before it ("what does that mean?", "how do I fix it?"); not "they", which
#: in a how-to is people in general ("where do they put the tag?").
_LEANS_ON_STORY = {"it", "its", "it's", "that", "this"}
#: A question that asks what to do about what was told ("what do I do?", "what am I meant to do?").
_WHAT_TO_DO = re.compile(r"\bwhat (?:do|should|can|could|shall) (?:i|we) do\b|\bwhat (?:am i|are we) (?:supposed|meant) to do\b")


def howto_answer(passages: list[Mapping[str, Any]], question: str = "",
                 similar: Callable[[str, Sequence[str]], Sequence[float]] | None = None) -> tuple[str, str] | None:
    """(answer, article id): of the retrieved article sections (examples are not answers), the sentence
    that answers the question, and the next one if the ear has room. With ``similar`` (sentence meaning)
    every sentence of the sections is weighed, so "how often are they serviced?" finds "serviced every
    4,000 running hours" rather than the section that names the most of the question's nouns; without it,
    the first section's sentence that shares most words with the question."""
    asked = {stem(w) for w in entities.tokens(question) if len(w) > 2 and w not in _STOP}
    if _WHAT_TO_DO.search(question.lower()) and any(":" in str(p.get("title", "")) for p in passages):
        # "..., what do I do?" asks for advice: an article's opening only says what its subject is.
        passages = [p for p in passages if ":" in str(p.get("title", ""))]
    numbers = {run.digits for run in entities.number_runs(question) if len(run.digits) >= 2}
    found: list[tuple[list[str], int, str]] = []  # (sentences, best index, article id)
    scored: list[tuple[float, int, int]] = []  # (score, which section, which sentence)
    for passage in passages:
        sentences = answers.article_sentences(passage)
        if not sentences:
            continue
        # The section's heading says what its sentences answer ("Locked out" for "... before it locks me out").
        heading = {stem(w) for w in entities.tokens(str(passage.get("title", "")).rpartition(":")[2])}
        overlap = [len(asked & ({stem(w) for w in entities.tokens(x)} | heading)) for x in sentences]
        found.append((sentences, overlap.index(max(overlap)), str(passage.get("id", ""))))
        if similar is not None and question:
            meaning = similar(question, sentences)
            # Retrieval's order still counts a little: a later section must mean the question more plainly.
            # A sentence holding what the question word asks for ("how far ahead": "up to 60 days") answers it.
            # So does the item of a list whose label the question names ("as urgent": "Urgent: attended within ...").
            # So does the one that names a number the question names ("the address of site five five": "Site 55, ...").
            scored += [(float(m) + 0.02 * o - 0.03 * len(found) + answers.KIND_BONUS * answers.of_the_kind_asked(question, x)
                        + answers.KIND_BONUS * answers.labelled(x, question) + answers.KIND_BONUS * _names_a_number(x, numbers)
                        + answers.KIND_BONUS * _says_it_can(x, question) + SUCH_CALLERS_BONUS * _for_such_callers(x, question),
                        len(found) - 1, i)
                       for i, (m, o, x) in enumerate(zip(meaning, overlap, sentences))]
    if not found:
        return None
    section, best = (scored and max(scored)[1:]) or (0, found[0][1])
    sentences, _, article = found[section]
    return for_the_ear(" ".join(sentences[best:best + 2]), HOWTO_WORDS), article


def callers_own(new: ToolSpec, record: Mapping[str, Any], opening: str) -> dict[str, str]:
    """The person slots of ``new`` (a record to open in place of a closed one) that are the caller's: the caller is
    the person on the closed ``record`` when they gave its name ("Jonas Berg, asset management. Incident 20006 ...
    it's back", "Hi, Ben Carter in the control room"), so the new one is theirs too. {} when that is not plain."""
    said = {n.lower() for n in names_in(opening)} | ({slots.caller_name(opening).lower()} - {""})
    theirs = [p["id"] for p in record.values() if isinstance(p, dict) and str(p.get("name", "")).lower() in said
              and p.get("id")] if said else []
    return {x.name: theirs[0] for x in slots.slots_of(new.input_schema)
            if x.kind == "user" and len(theirs) == 1 and slots.validate(x, theirs[0]) is None}


def _record_ids(spec: ToolSpec) -> list[slots.Slot]:
    """The ids of the record ``spec`` acts on: its required codes ("work_order_id")."""
    return [x for x in slots.slots_of(spec.input_schema) if x.required and x.kind == "code"]


def _names_a_number(sentence: str, numbers: set[str]) -> bool:
    return any(re.search(rf"(?<![\d.,]){n}(?![\d.,]\d)", sentence) for n in numbers)


#: "Can we move it?": what the caller asks whether they may do, by its verb.
_MAY_WE = re.compile(r"\b(?:can|could|may) (?:i|we) (?:still |just |also )?([a-z]+)")


def _says_it_can(sentence: str, question: str) -> bool:
    """Does ``sentence`` say what ``question`` asks whether the caller may do ("can we move it later on?": "You can
    book, move or cancel a technician visit")?"""
    verb = _MAY_WE.search(question.lower())
    return verb is not None and stem(verb.group(1)) in {stem(w) for w in entities.tokens(sentence.lower())} \
        and bool(re.search(r"\bcan\b", sentence.lower()))


#: Where a second question starts inside a sentence: "... a visit and what times do they come".
_NEXT_QUESTION = re.compile(r"\s+and\s+(?=(?:what|when|where|which|who|how|do|does|can|is|are|will)\b)", re.I)


def questions_in(text: str) -> list[str]:
    """The questions of a turn, one per question mark or "and what ..." joint; statements left out."""
    parts = [q.strip() for x in re.split(r"(?<=\?)\s+", text.strip()) for q in _NEXT_QUESTION.split(x)]
    return [q for q in parts if q and (q.endswith("?") or re.match(
        r"(?:\W*(?:quick question|so|and|ok|okay|also)\W+)*(?:what|when|where|which|who|how|do|does|can|is|are|will)\b",
        q, re.I))]


#: Where a sentence ends: the space after its mark.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: Words of a tool's answer read out before the caller can speak again ("say that again" repeats it).
REPLY_WORDS = 32
#: No reply runs longer than this (issue 18): past it a listener loses the start.
LONGEST_REPLY = 40


def _verbs(tool: ToolSpec) -> set[str]:
    """The words a caller orders ``tool`` by: the first of its name, of its description and of how a read-back
    says it ("cancel", "book", "submit")."""
    return {w.lower() for w in (tool.name.split("_")[0], *tool.description.split()[:1],
                                *slots.describe_tool(tool.name).split()[:1])}


def _intent_of(tool: ToolSpec) -> str | None:
    """The coordinator intent ``tool`` serves, if any."""
    return next((i for i, served in INTENT_TOOLS.items() if served == (tool.server, tool.name)), None)


def _restarted(state: CallState, tool: ToolSpec, intent: str) -> dict[str, Any]:
    """A fresh task for ``tool`` in place of the one under way; the words said so far are still its opening."""
    assert state.task is not None
    return slots.new_task(tool.name, tool.server, intent, state.task["opening"], idempotency_key(state, tool.name))


def for_the_ear(text: str, budget: int = REPLY_WORDS) -> str:
    """Whole sentences of ``text`` up to about ``budget`` words (always the first one). Asides in brackets (a
    record's summary read beside its number) go first when that lets one more sentence in: how far a job got
    tells a caller more than what they reported."""
    said = _whole_sentences(text, budget)
    plain = _ASIDE.sub("", text)
    if plain != text and len(_SENTENCE_END.split(_whole_sentences(plain, budget))) > len(_SENTENCE_END.split(said)):
        return _whole_sentences(plain, budget)
    return said


#: A bracketed aside and the space before it: "Incident INC-20001 (Laptop will not connect to VPN) is ...".
_ASIDE = re.compile(r"\s*\([^()]*\)")


def _whole_sentences(text: str, budget: int) -> str:
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if out and len(" ".join([*out, sentence]).split()) > budget:
            break
        out.append(sentence)
    return " ".join(out)


#: A list's sentences of who is due ("Dev Patel is booked for it tomorrow morning.", "No technician visit is booked ...").
_DUE_SENTENCE = re.compile(r"\bis booked for\b|^No technician visit is booked\b")
#: A question about visits: when someone comes, whether anyone is booked ("when's the technician coming?").
_ASKS_VISIT = re.compile(r"\b(?:visits?|booked|book|coming|due|technicians?|engineers?|anyone|anybody|someone|somebody|"
                         r"schedul\w*)\b")
#: ... or who comes.
_ASKS_WHO_COMES = re.compile(rf"{_ASKS_VISIT.pattern}|\bwho\b")


def _listed_for_the_ear(text: str, budget: int, asked: str = "") -> str:
    """A list's sentences in about ``budget`` words: records said without what is wrong with them (the words from
    the colon to the last comma), the last ones first, until all fit; then cut at a sentence as any reply. Who is due
    goes first when the caller did not ask about visits (``asked``: their words)."""
    forms = _SENTENCE_END.split(text.strip())
    if len(text.split()) > budget and not _ASKS_WHO_COMES.search(asked.lower()):
        forms = [x for x in forms if not _DUE_SENTENCE.search(x)] or forms
    for i in reversed(range(1, len(forms))):
        if len(" ".join(forms).split()) <= budget:
            break
        forms[i] = re.sub(r":[^:]*,\s*(?=[^,]*[.!?]$)", ", ", forms[i])
    return for_the_ear(" ".join(forms), budget)


def asked_for_the_ear(text: str, budget: int = LONGEST_REPLY) -> str:
    """``text`` in at most about ``budget`` words, its closing question kept: the sentences before it are cut
    ("Sorry, that didn't work: <a long reason> ... Shall I try again, or put you through to a person?")."""
    sentences = [x for x in _SENTENCE_END.split(text.strip()) if x]
    if len(text.split()) <= budget or len(sentences) < 2 or not sentences[-1].endswith("?"):
        return text
    question = sentences[-1]
    return f"{for_the_ear(' '.join(sentences[:-1]), budget - len(question.split()))} {question}"


def _only_confirmed(sentence: str, confirmed: Mapping[str, Any]) -> bool:
    """Does ``sentence`` name values (codes, numbers, times) and all of them ones the caller confirmed?"""
    named = {re.sub(r"\W", "", v).upper() for v in re.findall(r"\b[A-Za-z]*-?\d+(?::\d+)?\b", sentence)}
    known = {re.sub(r"\W", "", str(v)).upper() for v in confirmed.values()}
    return bool(named) and named <= known


def result_sentence(spec: ToolSpec, data: Any, write: bool, confirmed: Mapping[str, Any] | None = None,
                    asked: str = "") -> str:
    """What to tell the caller after a tool succeeded: the reference once, grouped for writing down,
    then as much of the server's message as the ear takes in one go. After a read, fields of the record that
    ``asked`` (the caller's words) names and the message leaves out come first ("what make and model is it?":
    "The make is GE. The model is LM6000.")."""
    message = data.get("message") if isinstance(data, dict) else None
    if not write and message and asked:
        named = _fields_asked(data, asked, str(message))
        message = f"{named} {_asked_first(str(message), asked)}" if named else _asked_first(str(message), asked)
    ticket = ticket_of(data)
    confirmed = confirmed or {}
    if write and ticket:
        lead = f"Done. Your reference is {entities.spell_out(ticket)}."
        # The server's message names the ticket again: once is enough, "say that again" repeats it.
        rest = re.sub(rf"\s*\b{re.escape(ticket)}\b", "", message) if message else ""
        # Sentences that only repeat what the caller just confirmed are left out.
        rest = " ".join(x for x in _SENTENCE_END.split(rest) if not _only_confirmed(x, confirmed))
        return for_the_ear(f"{lead} {spoken(rest)}".strip())
    if message and spec.name.startswith("list_"):
        # A list is heard whole where it can be: each record it names, with room left for "Anything else?"; one
        # with no room for what is wrong with it is still named, with how it stands ("..., the compressor C-2101, in
        # progress."), never left out of a count the caller just heard.
        return _listed_for_the_ear(spoken(str(message)), LONGEST_REPLY - len(ANYTHING_ELSE.split()), asked)
    if message:
        return for_the_ear(spoken(str(message)), REPLY_WORDS)
    if isinstance(data, str) and data:
        return spoken(data[:300])
    return "Done." if write else "I found it, but there is nothing to read out."


def _asked_first(message: str, asked: str) -> str:
    """``message`` with its labelled parts that ``asked`` names ("Last service: ..." for "when was it last
    serviced?") said right after what the record is, so the ear's budget keeps them."""
    first, *rest = _SENTENCE_END.split(message.strip())
    stems = {w[:5] for w in entities.tokens(asked.lower()) if len(w) > 3}
    labelled = [x for x in rest if ":" in x and {w[:5] for w in entities.tokens(x.partition(":")[0].lower()) if len(w) > 3} & stems]
    # ... and who is due, for a question about visits ("when's the technician coming?"): "No technician visit is booked".
    due = [x for x in rest if x not in labelled and _DUE_SENTENCE.search(x)] if _ASKS_VISIT.search(asked.lower()) else []
    return " ".join([first, *labelled, *due, *(x for x in rest if x not in labelled and x not in due)])


def _fields_asked(data: Mapping[str, Any], asked: str, message: str) -> str:
    """The record's plain fields (a word, not an id or a count) whose name ``asked`` says and ``message`` does not
    give, as sentences: "The make is GE."."""
    words = set(entities.tokens(asked))
    # (A value written as an identifier is said as words: "in_progress" is "in progress", as the message has it.)
    said = [f"The {key.replace('_', ' ')} is {value.replace('_', ' ')}." for key, value in data.items()
            if isinstance(value, str) and key not in ("message", "description") and not key.endswith(("_id", "_at"))
            and set(key.split("_")) <= words and not re.search(rf"\b{re.escape(value.replace('_', ' '))}\b", message, flags=re.I)]
    return " ".join(said)


def latest_reference(state: CallState, *, made: bool = False) -> str:
    """The last reference the caller was given (a ticket or the hand-over case), as a sentence; ``made``: of a record
    this call made, not one only read out."""
    for attempt in reversed(state.tool_attempts):
        if made and not str(attempt.get("tool", "")).startswith(slots.MAKES_RECORD):
            continue
        ticket = ticket_of(attempt.get("result")) if attempt.get("ok") else None
        if ticket:
            return f"Your reference is {entities.spell_out(ticket)}."
    case_id = (state.handoff or {}).get("case_id")
    return f"Your case number is {entities.spell_case_id(case_id)}." if case_id else ""


def _field(data: Any, name: str, depth: int = 0) -> Any:
    """``name`` in a tool result, at the top or one level down; a nested record gives its number
    ({"site": {"number": 12, ...}} -> 12)."""
    if not isinstance(data, dict) or depth > 1:
        return None
    value = data.get(name)
    if isinstance(value, dict):
        value = value.get("number", value.get("id"))
    if value is not None and not isinstance(value, (dict, list)):
        return value
    for nested in data.values():
        found = _field(nested, name, depth + 1) if isinstance(nested, dict) else None
        if found is not None:
            return found
    return None


#: The new record just offered, asked for ("raise one then", "yes, log it"): the offer says what "one" is.
_OFFER_TAKEN = re.compile(r"\b(?:raise|open|log|create|make|start|put in|set up|do)(?: me| us)? (?:one|it|that|a new one)\b")


def offer_taken(text: str) -> bool:
    """Does ``text`` ask for the new record offered, in so many words ("raise a new one") or by "one" ("raise one then")?"""
    low = text.lower()
    return bool(NEW_RECORD.search(low) or _OFFER_TAKEN.search(low))


def _carried_args(new: ToolSpec, record: Mapping[str, Any]) -> dict[str, Any]:
    """What a new record made by ``new`` takes over from ``record`` (where and what, see ``_NOT_CARRIED``)."""
    return {k: v for k in new.input_schema.get("properties", {}) if k not in _NOT_CARRIED
            and (v := _carried(record, k)) is not None}


def _carried(record: Mapping[str, Any], name: str) -> Any:
    """``name`` in a record as a new record's argument: {"site": {"number": 7}} -> 7 for site, {"asset": {"tag":
    "A701"}} -> "A701" for asset_tag."""
    value = _field(record, name)
    owner, _, part = name.rpartition("_")
    nested = record.get(owner) if owner else None
    return value if value is not None else (nested.get(part) if isinstance(nested, dict) else None)


def records_in(result: Any) -> list[dict[str, Any]]:
    """The records a tool result lists, one level down ({"recent_work_orders": [{...}, ...]})."""
    if not isinstance(result, dict):
        return []
    return [item for value in result.values() if isinstance(value, list) for item in value if isinstance(item, dict)]


def _lookup_candidates(data: Any, field: str) -> list[dict[str, Any]]:
    """Items of a list result that carry ``field`` (or its last word: asset_tag -> tag)."""
    out = []
    for item in records_in(data):
        key = next((k for k in (field, field.rpartition("_")[2]) if isinstance(item.get(k), str)), None)
        if key:
            out.append({**item, "_value": item[key]})
    return out


def _named_kind(item: Mapping[str, Any], words: set[str]) -> bool:
    """Does the caller name what ``item`` is: its type, or the last noun of its description ("Switch room
    chiller" -> chiller)? Records without either (work orders) always may be offered."""
    kinds = _kinds(item)
    singular = {w[:-1] for w in words if w.endswith("s") and len(w) > 3}  # "the pumps at Lakeside"
    return not kinds or bool(kinds & (words | singular))


#: Statuses of a record that is over (a visit moved to another day is "rescheduled": a new one replaced it).
_CLOSED = {"completed", "cancelled", "canceled", "closed", "resolved", "fulfilled", "rejected", "rescheduled"}
#: Of those, the states a record leaves when the caller says it is not fixed after all.
_REOPENABLE = {"resolved"}


def is_closed(item: Mapping[str, Any]) -> bool:
    return str(item.get("status", "")).lower() in _CLOSED


def _nearly_said(value: str, numbers: set[str]) -> bool:
    """Is the number in ``value`` (an id, "WO-10006") one of ``numbers`` with a digit dropped, added or changed
    ("1006", "100006", "10016")? Not the same number: that one is the id itself, taken as said."""
    digits = re.sub(r"\D", "", value)
    def one_off(a: str, b: str) -> bool:
        if len(a) == len(b):
            return sum(x != y for x, y in zip(a, b)) == 1
        short, long_ = sorted((a, b), key=len)
        return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
    return any(one_off(n, digits) for n in numbers)


def _overlap(item: Mapping[str, Any], words: set[str], *, stems: bool = False) -> int:
    """How many of ``words`` the item's own text holds; with ``stems``, a long word's first letters will do
    ("replacement" for "Replace mechanical seal")."""
    text = " ".join(str(v) for k, v in item.items() if isinstance(v, str) and not k.startswith("_"))
    said = {w for w in entities.tokens(text) if len(w) > 2 or w.isdigit()}
    if not stems:
        return len(words & said)
    def stem(w: str) -> str:
        return w[:STEM_LETTERS] if len(w) > STEM_LETTERS else w
    return len({stem(w) for w in words} & {stem(w) for w in said})


def other_work_asked(text: str, record: Mapping[str, Any]) -> bool:
    """Does ``text`` ask whether a piece of work was done ("was the mechanical seal ever replaced?") that ``record``
    says nothing of (the pump's vibration)? Then another record is asked about."""
    asked = WORK_ASKED.search(text.lower())
    words = {w for w in entities.tokens(asked.group(1)) if len(w) > 3} if asked else set()
    return bool(words) and not _overlap(record, words, stems=True)


def _kinds(item: Mapping[str, Any]) -> set[str]:
    """The words that say what kind of thing ``item`` is: its type and the last noun of its description."""
    what = re.sub(r"\(.*?\)|\d+", " ", str(item.get("description") or item.get("name") or "")).split()
    return ({str(item["type"]).lower()} if item.get("type") else set()) | ({what[-1].lower()} if what else set())


class DomainAgent:
    """Embedded dialogue for one domain: slot filling, confirmation, tool call, spoken result."""

    def __init__(self, tools: ToolManager, *, holding_phrase_ms: int = 700,
                 clock: Callable[[], datetime] = datetime.now,
                 site_names: Mapping[str, int] | None = None, failure_limit: int = 2,
                 duplicate_window_s: float = 600.0,
                 similar: Callable[[str, Sequence[str]], Sequence[float]] | None = None) -> None:
        self.tools = tools
        self.similar = similar  # sentence meaning, for choices named in the caller's own words
        self.duplicate_window_s = duplicate_window_s
        self.failure_limit = failure_limit
        self.holding_s = holding_phrase_ms / 1000.0
        self.clock = clock
        self.site_names = dict(site_names or {})  # filled from the server at start-up (``fetch_site_names``)

    def context(self) -> slots.Context:
        return slots.Context(now=self.clock(), site_names=self.site_names, similar=self.similar)

    def spec_for(self, task: Mapping[str, Any]) -> ToolSpec | None:
        return self.tools.tool(task["server"], task["tool"])

    def answers(self, text: str, state: CallState) -> str | None:
        """Does ``text`` answer the open question of the task in progress? (see ``slots.answers``)"""
        if not state.task:
            return None
        if state.task.get("instead") and (offer_taken(text) or entities.yes_no(text).yes is not None):
            return "value"  # "raise a new one", or a yes or no, to "... is completed. Shall I open a work order instead?"
        spec = self.spec_for(state.task)
        fit = slots.answers(state.task, spec.input_schema, text, self.context()) if spec else None
        if fit is None and spec is not None and self._lookup_turn(spec, state.task, text):
            return "value"  # another identifier to look the asked one up by
        if fit is None and spec is not None and self._reader_of_other_id(spec, state.task, text) is not None:
            return "value"  # the id of another kind of record, to look that up instead
        asking = self._asking(state.task) if fit is None and spec is not None else None
        if asking is not None and not state.task.get("confirming") and slots.wrong_shape(asking, text):
            return "value"  # an attempt at the id in the wrong shape: say what was heard, not "can't help"
        return fit

    async def start(self, intent: str, text: str, state: CallState, *,
                    hints: Mapping[str, Any] | None = None) -> AsyncIterator[Action]:
        """Begin work on a freshly routed intent. ``hints``: what a missing id may be looked up by, known
        from elsewhere in the call (the site a request set aside holds)."""
        if intent == "knowledge.howto":
            own = asked_parts(text)
            found = howto_answer(state.passages, own[0] if len(own) == 1 else text, self.similar)
            if found is not None and len(own) > 1:
                # "how far ahead can I book a visit and what times do they come?": each question its answer, its
                # first sentence, in the order asked.
                each = [a for a in (howto_answer(state.passages, q, self.similar) for q in own) if a is not None]
                firsts = list(dict.fromkeys(_SENTENCE_END.split(a[0])[0] for a in each))
                found = (for_the_ear(" ".join(firsts), LONGEST_REPLY), found[1]) if len(firsts) > 1 else found
            if found is None:
                yield Say("I don't have an article on that. I can put you through to someone who knows.")
                return
            state.entities["knowledge_article"] = found[1]  # which article answered, for the case and outcome
            yield Say(found[0])
            if answers.person_per_articles([found[0]], text):
                # "... ask to speak to the IT service desk. A person there reads you the key": the answer is a
                # person, for the caller's own situation, so one is offered ("yes please" takes it).
                state.dialogue["offer"] = "person"
                yield Say(PUT_THROUGH)
                return
            yield Say(ANYTHING_ELSE)
            return
        server, tool = INTENT_TOOLS.get(intent, ("", ""))
        if tool and not await self.tools.ensure(server):
            state.tool_failures += 1
            state.tool_attempts.append({"tool": tool, "server": server, "arguments": {}, "ok": False,
                                        "error": "unavailable: the server is not running", "latency_ms": 0.0,
                                        "ts": time.time()})
            yield Say(f"Sorry, the {SYSTEM_NAMES.get(server, 'system')} isn't available right now. "
                      "I can put you through to a person, or you can try again in a few minutes.")
            return
        spec = self.tools.tool(server, tool) if tool else None
        if spec is None:
            yield Say("I can't do that over the phone yet. I can put you through to a person if you like.")
            return
        spec = self._reader_named_by_id(spec, text)
        state.task = slots.new_task(spec.name, spec.server, intent, text, idempotency_key(state, spec.name))
        if not hints and not slots.is_write(spec.name, spec.annotations) and _POINTED_BACK.search(text.lower()) \
                and not ANOTHER_RECORD.search(text.lower()):
            hints = self._thing_read_last(spec.server, state)  # "is anyone booked to come and look at it?"
        if not hints and not slots.is_write(spec.name, spec.annotations):
            hints = self._place_read_last(spec.server, state)  # "and there was one for the dryer alarm": there too
        if hints:
            state.task["hints"] = dict(hints)
        said = next((t["text"] for t in reversed(state.turns) if t.get("role") == "caller"), text)
        # (Said on any turn of the call: "My employee ID is E10620" given while another request was under way.)
        self._keep_who_calls(spec, said, state)
        for turn in (t["text"] for t in reversed(state.turns) if t.get("role") == "caller" and t["text"] != said):
            self._keep_who_calls(spec, turn, state, own_too=True)
        same = self._same_thing(spec, text, state)
        known = {**same, **state.entities, **self._record_by_its_words(spec, text, state)}
        if ANOTHER_RECORD.search(text.lower()) or self._other_work_asked(spec, text, known, state):
            # not the call's record: the one this turn brings up
            known = {k: v for k, v in known.items()
                     if k not in {x.name for x in slots.slots_of(spec.input_schema) if x.kind == "code"}}
        if spec.name.startswith("list_"):
            # A list by what the turn names ("what's open at Riverside now?"), not also by the thing of an earlier
            # request (its asset would narrow the site's list to one job).
            by = [x for x in slots.slots_of(spec.input_schema) if x.kind in ("site", "code")]
            named = slots.mentioned(by, text, self.context())
            known = {k: v for k, v in known.items() if not named or k in named or k not in {x.name for x in by}}
        heard = slots.prefill(state.task, spec.input_schema, known, self.context(), turn=said, carried=same)
        again = state.dialogue.pop("read_again", None)
        if again and again["tool"] == spec.name:
            # The same look-up with another value: what it was, and what changed.
            state.task["args"].update(again["args"])
            heard.update(again["args"])
        ack = state.task.pop("ack", "")
        if ack:
            yield Say(ack)
        async for action in self._advance(spec, None, state, heard):
            yield action

    @staticmethod
    def _other_work_asked(spec: ToolSpec, text: str, known: Mapping[str, Any], state: CallState) -> bool:
        """Is a look-up asking whether a piece of work was done that the call's record, read or written, says
        nothing of (see ``other_work_asked``)? Then it is asked of another record."""
        if slots.is_write(spec.name, spec.annotations):
            return False
        ids = {x.name for x in slots.slots_of(spec.input_schema) if x.kind == "code"}
        held = {str(v) for k, v in known.items() if k in ids}
        record = next((a["result"] for a in reversed(state.tool_attempts) if a.get("ok") and isinstance(a.get("result"), dict)
                       and held & {str(a["result"].get(k)) for k in ids | {"number"}}), None)
        return bool(held) and record is not None and other_work_asked(text, record)

    def _thing_read_last(self, server: str, state: CallState) -> dict[str, Any]:
        """The thing the last read of ``server`` was about (an asset looked up), as what a record of it is listed by
        (its tag and site): a question about "it" right after looks for the record on that thing. {} otherwise."""
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        data = last.get("result")
        if not (last.get("ok") and last.get("server") == server and isinstance(data, dict) and data.get("tag")
                and (data.get("description") or data.get("name"))):
            return {}
        record = {"asset": data, "site": _field(data, "site")}
        return {k: v for k in self._listed_by(server, ("code", "site")) if (v := _carried(record, k)) is not None}

    def _place_read_last(self, server: str, state: CallState) -> dict[str, Any]:
        """The site of the record or thing ``server`` last returned, as its lists take it: where a record the caller
        describes next is looked for first, when the turn names no place of its own. {} when none."""
        last = next((a for a in reversed(state.tool_attempts) if a.get("ok") and a.get("server") == server), {})
        site = _field(last.get("result"), "site")
        return {name: site for name in self._listed_by(server, ("site",))} if site is not None else {}

    def _listed_by(self, server: str, kinds: tuple[str, ...]) -> list[str]:
        """The filters of ``kinds`` that ``server``'s list tools take ("site", "asset_tag"), sorted."""
        return sorted({x.name for lister in self.tools.tools(server).values() if lister.name.startswith("list_")
                       for x in slots.slots_of(lister.input_schema) if x.kind in kinds})

    def _record_by_its_words(self, spec: ToolSpec, text: str, state: CallState) -> dict[str, Any]:
        """Of the records the caller named by number earlier in the call, the one ``text`` points to by a word said
        beside its number then ("WO-10004, the aircon, this Friday" ... "move the aircon visit to Monday"), when it is
        not the call's latest: {its id field: its number}. {} otherwise."""
        ctx = self.context()
        tool_words = {w for w in re.findall(r"[a-z]+", spec.name) for w in slots.tool_words(w)}
        words = {w for w in entities.tokens(text.lower()) if len(w) > 3 and w.isalpha() and not entities.names_day(w)
                 and w not in tool_words and w not in _COMMON_WORDS}
        found: dict[str, Any] = {}
        for slot in [x for x in slots.slots_of(spec.input_schema) if x.kind == "code" and x.name in state.entities]:
            latest = next((a["result"] for a in reversed(state.tool_attempts) if a.get("ok") and isinstance(a.get("result"), dict)
                           and str(state.entities[slot.name]) in {str(a["result"].get(k)) for k in (slot.name, "number")}), {})
            if words & {w for w in entities.tokens(json.dumps(latest).lower()) if len(w) > 3}:
                continue  # (the words fit the latest record too: that one, as ever)
            for turn in (t["text"] for t in state.turns if t.get("role") == "caller" and t["text"] != text):
                parts = re.split(r"[,.;!?]+", turn)
                for n, part in enumerate(parts):
                    value = slots.parse(slot, part, ctx, asked=False)
                    # (the clause with the number and the ones either side of it: "WO-10004, the aircon, this Friday")
                    near = set(entities.tokens(" ".join(parts[max(n - 1, 0):n + 2]).lower()))
                    if value is not None and value != state.entities.get(slot.name) and words & near:
                        found[slot.name] = value
        return found

    @staticmethod
    def _same_thing(spec: ToolSpec, text: str, state: CallState) -> dict[str, Any]:
        """"Raise a new one" right after a record was read: the new record is for the same thing (its asset
        tag and site, as the read gave them). So is one asked to reopen it, or a fault told again of the thing
        pointed back at ("the flow on that transfer pump's dropped again"). {} for any other turn."""
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        low = text.lower()
        back = NEW_RECORD.search(low) or REOPENED.search(low) or (_AGAIN.search(low) and _POINTED_BACK.search(low))
        if not (last.get("ok") and back and spec.name.startswith(NEW_RECORD_PREFIXES)):
            return {}
        data = last.get("result")
        # A record of the kind the new one makes, read and found closed ("Closed? It's slow again. Open a new
        # ticket then."): the new one is the same problem back, so of the same category too.
        same_kind = spec.name.partition("_")[2] == str(last.get("tool", "")).partition("_")[2] and is_closed(data)
        found = {}
        for slot in slots.slots_of(spec.input_schema):
            if slot.kind in ("code", "site") or (same_kind and slot.kind == "enum" and slot.name not in _NOT_CARRIED):
                value = _field(data, slot.name) or _field(data, slot.name.rpartition("_")[2])
                if value is not None and slots.validate(slot, value) is None:
                    found[slot.name] = value
        return found

    def _reader_named_by_id(self, spec: ToolSpec, text: str) -> ToolSpec:
        """For a look-up, the read tool the caller's identifier belongs to: "what's happening with
        SR-30005" heard as an incident's status is the service request's status, since the id's shape
        says which kind of thing it is. A write, or a turn that fits the routed tool, stays as routed."""
        if slots.is_write(spec.name, spec.annotations) or self._gives_ids(spec, text, asked=False):
            return spec
        readers = self._readers_given(spec, text, asked=False)
        return readers[0] if len(readers) == 1 else spec

    def _gives_ids(self, tool: ToolSpec, text: str, *, asked: bool) -> bool:
        """Is every input ``tool`` needs an id of a set shape, and does ``text`` give each? (``asked``:
        the caller was answering for an id, so digits alone count, see ``slots.parse``.)"""
        return all(s.kind == "code" for s in slots.slots_of(tool.input_schema) if s.required) \
            and self._names_its_record(tool, text, asked=asked)

    def _readers_given(self, spec: ToolSpec, text: str, *, asked: bool) -> list[ToolSpec]:
        """The other read tools of ``spec``'s server whose ids ``text`` gives (see ``_gives_ids``), and another
        server's tools that read a record by a number with letters of its own, when ``text`` says them ("INC-20004"
        asked for a work-order number: the caller's record is an incident)."""
        return [t for server in self.tools.connections for t in self.tools.tools(server).values()
                if t.name != spec.name and not slots.is_write(t.name, t.annotations)
                and (server == spec.server or all(entities.pattern_prefixes(s.schema.get("pattern"))
                                                  for s in slots.slots_of(t.input_schema) if s.required))
                and self._gives_ids(t, text, asked=asked and server == spec.server)]

    def _other_action_ordered(self, spec: ToolSpec, task: Mapping[str, Any], text: str) -> ToolSpec | None:
        """At a read-back, a yes that orders another action ("yes, cancel it" to a visit about to be booked):
        the one other write of the same server named by that verb (the first word of its name or of its
        description: cancel_visit, "Move the booked visit ...") that the tool read back is not named by, and
        that acts on the record the task already names. None for a plain yes or one that says this action."""
        reply = entities.yes_no(text)
        if not task.get("confirming") or reply.yes is not True:
            return None
        said = set(entities.tokens(reply.rest))
        if not said or said & _verbs(spec):
            return None
        known = {k for k, v in task["args"].items() if v not in (None, "")}
        # Only an action on a record the task names already: a new record is no other action on this one.
        ids = {t.name: {x.name for x in slots.slots_of(t.input_schema) if x.required and x.kind == "code"}
               for t in self.tools.tools(spec.server).values()}
        named = [t for t in self.tools.tools(spec.server).values()
                 if t.name != spec.name and slots.is_write(t.name, t.annotations) and said & _verbs(t)
                 and ids[t.name] and ids[t.name] <= known]
        # "Yes, cancel it" to an update whose status is already "cancelled" says this action too, unless the
        # words name the other's thing ("yes, cancel the visit").
        held = {str(v).lower() for v in task["args"].values() if isinstance(v, str) and " " not in v.strip()}
        if any(len(w) >= 4 and v.startswith(w[:5]) for w in said for v in held):
            named = [t for t in named if said & (set(t.name.split("_")) - _verbs(t))]
        return named[0] if len(named) == 1 else None

    def _why_told(self, spec: ToolSpec, state: CallState) -> bool:
        """About to ask why a record needs this action ("Why does it need escalating?") when the caller told
        what is wrong with it earlier in the call, in the turn that named it ("... no email for two days,
        Outlook keeps asking for her password. INC 20003."): that is the reason, read back for the caller
        to change. True when it was filled so."""
        task = state.task or {}
        asking = self._asking(task)
        if not _asks_why(asking) or task.get("why_told"):
            return False
        task["why_told"] = True  # looked for once: an answer the caller gives to the question is theirs
        ids = [s for s in slots.slots_of(spec.input_schema) if s.kind == "code" and task["args"].get(s.name)]
        ctx = self.context()
        for turn in reversed(state.turns):
            said = str(turn.get("text") or "")
            if turn.get("role") != "caller" or said == task.get("opening") or not ids or any(
                    slots.parse(s, said, ctx, asked=False) != task["args"][s.name] for s in ids):
                continue
            why = slots.remark(said, spec.name, ctx, sites=any(s.kind == "site" for s in slots.slots_of(spec.input_schema)))
            if why and slots.validate(asking, why) is None:
                task["args"][asking.name] = why
                return True
            return False
        return False

    def reason_given(self, text: str, state: CallState) -> str:
        """At a read-back, a turn that says what it is for ("To check the purchase orders for parts on my jobs."): the
        reason the task's why field holds, put in its place. What to say for it; "" when the turn is no such reason."""
        task = state.task or {}
        spec = self.spec_for(task) if task.get("confirming") else None
        why = next((x for x in slots.slots_of(spec.input_schema) if _asks_why(x)), None) if spec is not None else None
        said = text.strip()
        if why is None or not _PURPOSE.match(said.lower()) or "?" in said or slots.validate(why, said.rstrip(" .!")) is not None:
            return ""
        task["args"][why.name] = said.rstrip(" .!")
        return "I've put that as the reason."

    def _why_told_with(self, spec: ToolSpec, answered: str | None, text: str, state: CallState) -> bool:
        """About to ask why, when the answer to the question before said why in the sentences after it ("Read and
        write. I update the handover sheets every shift."): those are the reason, read back for the caller to change.
        True when it was filled so."""
        task = state.task or {}
        asking = self._asking(task)
        if not _asks_why(asking) or answered is None or answered == asking.name:
            return False
        # (A sentence that is little but the value answered is no reason, "Read and write."; nor thanks, a question or
        # the value put right, "Sorry, no, not write, read.")
        why = " ".join(x.rstrip(" .!") for x in _SENTENCE_END.split(text.strip())[1:]
                       if len(x.split()) >= REASON_WORDS and not x.rstrip().endswith("?") and entities.yes_no(x).yes is None
                       and not _THANKED.search(x.lower()) and not moves.negates(x))
        if not why or slots.validate(asking, why) is not None:
            return False
        task["args"][asking.name] = why
        return True

    def _reader_of_other_id(self, spec: ToolSpec, task: Mapping[str, Any], text: str) -> ToolSpec | None:
        """Asked for one kind of id in a look-up, the caller gave another ("the asset tag?" - "it was
        one double oh oh three", a work-order number): the one other read tool of the same server
        whose ids, all of them, the answer gives. A write keeps its question (a job number is no tag
        for a new fault), and so does an answer that fits what was asked; but a new record's question
        answered with a record that exists, named so on its own ("the work order is ten thousand and two",
        "it's SR three zero zero zero three"), is about that record: the caller is chasing it."""
        asking = self._asking(task)
        write = slots.is_write(spec.name, spec.annotations)
        if (write and not spec.name.startswith(NEW_RECORD_PREFIXES)) or asking is None \
                or asking.kind not in ("code", "user") or task.get("confirming"):
            return None
        readers = [t for t in self._readers_given(spec, text, asked=not write)  # another id: not the one asked
                   if asking.name not in {s.name for s in slots.slots_of(t.input_schema) if s.required}]
        # "W O ten thousand and two" fits a tag's "a letter and digits" too: an id said with its own letters
        # is that record, not the tag asked for.
        lettered = write and not entities.pattern_prefixes(asking.schema.get("pattern")) and any(
            entities.pattern_prefixes(s.schema.get("pattern")) for t in readers for s in slots.slots_of(t.input_schema)
            if s.required)
        if (not lettered and slots.parse(asking, text, self.context(), asked=not write) is not None) \
                or self.lookup_hints(task, text):  # an id the asked one is looked up by ("the pump is P-4512")
            return None
        # Several read the same id (a work order, its visit's time): the one named after it reads the record.
        own = [t for t in readers if all(re.sub(r"_(id|number|tag)$", "", s.name) in t.name
                                         for s in slots.slots_of(t.input_schema) if s.required)]
        found = own if len(readers) > 1 else readers
        return found[0] if len(found) == 1 else None

    def acts_on_other_record(self, intent: str, text: str, state: CallState) -> bool:
        """A new record's question answered with a record that exists and an order to change it ("I think it's
        WO-10004, can you bump it up to high?", "the job number's WO-10006, can you add that it failed again?"):
        ``intent`` is a write on that record, of the same server, whose every id the answer gives. The caller is
        acting on it, not asking how it stands."""
        spec = self.spec_for(state.task) if state.task else None
        server, name = INTENT_TOOLS.get(intent, ("", ""))
        write = self.tools.tools(server).get(name) if spec is not None and server == spec.server else None
        return write is not None and slots.is_write(write.name, write.annotations) \
            and not write.name.startswith(NEW_RECORD_PREFIXES) \
            and self._reader_of_other_id(spec, state.task, text) is not None and self._names_its_record(write, text, asked=False) \
            and self._tells_what_to_do(write, text)

    def _tells_what_to_do(self, tool: ToolSpec, text: str) -> bool:
        """Does ``text`` give ``tool`` a value beyond the record's id ("... to high priority", "add that it failed
        again"), or say its words come next ("I want to add something to it")? A bare id tells no act."""
        ctx = self.context()
        return (tool.name.startswith("add_") and slots.news_to_come(text)) or any(
            bool(slots.remark(text, tool.name, ctx)) if s.kind == "text" else slots.parse(s, text, ctx, asked=False) is not None
            for s in slots.slots_of(tool.input_schema) if s.kind != "code")

    def _names_its_record(self, tool: ToolSpec, text: str, *, asked: bool) -> bool:
        """Does ``text`` give every id of a set shape ``tool`` acts on (its other inputs may be said later)? (``asked``:
        see ``_gives_ids``.)"""
        ids = [s for s in slots.slots_of(tool.input_schema) if s.required and s.kind == "code"]
        ctx = self.context()
        return bool(ids) and all((v := slots.parse(s, text, ctx, asked=asked)) is not None and slots.validate(s, v) is None
                                 for s in ids)

    def told_more(self, text: str, state: CallState) -> str:
        """At a read-back or a question, the caller's name or more of the story the task's fields take without being named
        (``slots.told_more``): taken, and what to say for it; "" when the turn fills nothing."""
        task = state.task or {}
        spec = self.spec_for(task) if task else None
        if spec is None:
            return ""
        changes, said = slots.told_more(slots.slots_of(spec.input_schema), task["args"], text)
        task["args"].update(changes)
        return said

    def reprompt(self, state: CallState) -> str:
        """The open question of the task in progress, asked again: a value the agent found and offered is offered
        again ("Is it the borehole pump 2, A, five five two?"), not asked for from the start."""
        if state.task and (state.task.get("proposed") or state.task.get("choices")) and state.task.get("offer"):
            return str(state.task["offer"])
        spec = self.spec_for(state.task) if state.task else None
        return slots.reprompt(state.task, spec.input_schema) if spec and state.task else "How can I help?"

    async def _derive(self, spec: ToolSpec, task: dict[str, Any]) -> bool:
        """Fill the slot being asked from a read tool of the same server that needs only what is
        known and returns that field (lookup_asset gives an asset's site; get_visit_eta a booked
        visit's date). Each slot is looked up once per task, once a reader has what it needs (a tag
        given only after the site was asked for still gives the site)."""
        name = task["asking"]
        tried = task.setdefault("derived", [])
        every = slots.slots_of(spec.input_schema)
        fields = [s for s in every if s.kind not in ("code", "key")]
        said = [s for s in fields if s.name in task["args"] and s.name not in task.get("derived_from", {})]
        still = [s for s in fields if s.required and s.name not in task["args"] and s.name != name]
        if name in tried or (slots.is_write(spec.name, spec.annotations)
                             and slots.changes_record(spec.name, every) and not said and not still):
            # A change to a record keeps what the caller does not change ("move it to the afternoon": the
            # same day), but the last value looked up with no change said would change nothing: asked.
            return False
        slot = {s.name: s for s in every}[name]
        for reader in self.tools.tools(task["server"]).values():
            needed = set(reader.input_schema.get("required") or [])
            if reader.name == spec.name or slots.is_write(reader.name, reader.annotations) or not needed \
                    or not needed <= set(task["args"]) or set(reader.input_schema.get("properties", {})) - needed:
                continue
            if name not in tried:
                tried.append(name)
            try:
                data = await self.tools.call(reader.server, reader.name, {k: task["args"][k] for k in needed})
            except ToolError as exc:
                if self._not_found(task, needed, exc):
                    return True  # the task changed (the id is asked for again): the caller hears why
                continue
            value = _field(data, name)
            if value is not None and slots.validate(slot, value) is None:
                task["args"][name] = value
                task.setdefault("derived_from", {})[name] = {k: task["args"][k] for k in needed}
                return True
        return False

    @staticmethod
    def _not_found(task: dict[str, Any], needed: set[str], exc: ToolError) -> bool:
        """The caller's id names nothing the system knows ("No asset with tag V9999"): said back once and
        asked again, since a slip is likelier than new equipment; the same id said again is kept."""
        if exc.kind != "rejected" or len(needed) != 1:
            return False
        name = next(iter(needed))
        value = task["args"].get(name)
        if value is None or value in task.setdefault("unfound", []):
            return False
        task["unfound"].append(value)
        task["args"].pop(name)
        task["derived"] = [d for d in task.get("derived", []) if d != name]
        task["misheard"] = {"slot": name, "say": f"I couldn't find {entities.spell_out(str(value))}."}
        return True

    @staticmethod
    def _underived(task: dict[str, Any]) -> bool:
        """Drop values looked up from ones the caller has since changed ("actually it's the other pump,
        P-4530": the site came from P-4512), so they are looked up again. True when any was dropped."""
        stale = [name for name, source in task.get("derived_from", {}).items()
                 if any(task["args"].get(k) != v for k, v in source.items())]
        for name in stale:
            task["args"].pop(name, None)
            task["derived_from"].pop(name)
            task["derived"].remove(name)
        return bool(stale)

    async def alternative(self, state: CallState) -> AsyncIterator[Action]:
        """Another way to the value the task is asking for, when the caller does not know it or it
        was missed twice (see ``_propose``). Yields nothing when there is none (the brain offers a person)."""
        task = state.task
        question = await self._propose(task) if task else None
        question = question or (self._other_shape(task) or self._propose_option(task) if task else None)
        if not question and task and (question := self._ask_lookup(task)):
            state.dialogue["offer"] = "lookup"  # a plain yes or no answers it
        if question:
            yield Say(f"No problem. {question}")

    def _listers(self, task: Mapping[str, Any]) -> list[ToolSpec]:
        """Read tools of the task's server that list things (``list_work_orders``): where an id is looked up."""
        spec = self.spec_for(task)
        return [t for t in self.tools.tools(task["server"]).values()
                if t.name.startswith("list_") and not slots.is_write(t.name, t.annotations)
                and spec is not None and t.name != spec.name]

    def _keep_who_calls(self, spec: ToolSpec, said: str, state: CallState, *, own_too: bool = False) -> None:
        """Who calls, said with a request that does not take it ("Jonas Berg, E10777. I had a ticket a few weeks
        ago, INC-20006"): kept, as an identity is, for the requests after it that do (the new incident). ``own_too``:
        said on an earlier turn, kept for this request too."""
        own = {x.name for x in slots.slots_of(spec.input_schema)} if not own_too else set()
        ctx = self.context()
        # (Either desk's: "Ben Carter, E11402. The generator ... failed its test", then "and read access to Power BI,
        # same employee ID".)
        for tool in (t for server in self.tools.connections for t in self.tools.tools(server).values()):
            for x in slots.slots_of(tool.input_schema):
                if x.kind == "user" and x.name not in own and x.name not in state.entities \
                        and (value := slots.parse(x, said, ctx, asked=False)) is not None and slots.validate(x, value) is None:
                    state.entities[x.name] = value

    def _lookup_slots(self, task: Mapping[str, Any]) -> list[slots.Slot]:
        """The identifiers a lister filters by (an asset tag, a site) that the caller may know instead."""
        found: dict[str, slots.Slot] = {}
        for lister in self._listers(task):
            for slot in slots.slots_of(lister.input_schema):
                if slot.kind in ("code", "site", "user") and slot.name not in task["args"] \
                        and slot.name != task.get("asking"):
                    found.setdefault(slot.name, slot)
        return list(found.values())

    def _ask_lookup(self, task: dict[str, Any]) -> str | None:
        """Ask, once per task, for another identifier to look the missing one up by."""
        by = self._lookup_slots(task)
        if not by or task.get("lookup") is not None:
            return None
        task["lookup"] = [s.name for s in by]
        names = [s.label for s in by]
        either = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or the {names[-1]}"
        return f"Do you know the {either}? I can look it up."

    def lookup_hints(self, task: Mapping[str, Any], text: str) -> dict[str, Any]:
        """Identifiers the caller gave that the missing id can be looked up by ("the pump is P-4512")."""
        return slots.mentioned(self._lookup_slots(task), text, self.context())

    def about_the_asked(self, intent: str, state: CallState) -> bool:
        """Is ``intent`` about the kind of thing the open question asks an identifier for? Asked for the
        asset tag, "it's unit two" sounds to the router like an asset lookup: it is the caller describing
        the asset, an answer to search with, not a new request."""
        slot = self._asking(state.task) if state.task else None
        noun = intent.split(".")[0]
        return slot is not None and slot.kind == "code" and bool(noun) and slot.name.startswith(noun)

    def _asking(self, task: Mapping[str, Any]) -> slots.Slot | None:
        """The slot the task is asking for, if any."""
        spec = self.spec_for(task)
        return {s.name: s for s in slots.slots_of(spec.input_schema)}.get(task.get("asking") or "") if spec else None

    def _propose_option(self, task: dict[str, Any]) -> str | None:
        """A choice the caller cannot or need not make ("I don't mind"): the schema's default, else the
        first option, offered to take on a yes."""
        asking = self._asking(task)
        options = (asking.schema.get("enum") or []) if asking is not None and asking.kind == "enum" else []
        if asking is None or not options:
            return None
        choice = asking.schema.get("default") if asking.schema.get("default") in options else options[0]
        task["proposed"] = {asking.name: choice}
        task["offer"] = f"Shall I put {str(choice).replace('_', ' ')}?"
        return task["offer"]

    def _other_shape(self, task: dict[str, Any]) -> str | None:
        """The slot takes an e-mail address as well as an id (a person's employee number or address):
        a caller who does not know the one is asked, once, for the other."""
        asking = self._asking(task)
        if asking is None or asking.kind not in ("user", "code") or task.get("other_shape") == asking.name \
                or slots.validate(asking, "someone@example.com") is not None:
            return None
        task["other_shape"] = asking.name
        return "What is your work e-mail address instead?"

    async def _propose(self, task: dict[str, Any], *, choices: bool = True) -> str | None:
        """A lookup for the id being asked: a list tool of the same server whose filters are known
        (taken from the task or from what the caller said: "list_assets" for the site, "list_work_orders"
        for an asset or site) is searched with the caller's words; a single best match is offered
        ("Is it the standby diesel generator, A, one two five?") and taken on a yes."""
        spec = self.spec_for(task)
        asking = self._asking(task)
        if spec is None or asking is None or asking.kind not in ("code", "user"):
            return None
        parts = [task["opening"], task.get("described", ""), *map(str, task["args"].values()),
                 *map(str, task.get("hints", {}).values())]
        said = " ".join(parts)
        # Numbers count as digits on both sides ("unit two" is "unit 2"), each part's own (not run together).
        words = {w for w in entities.tokens(said) if len(w) > 2} | {r.digits for p in parts for r in entities.number_runs(p)}
        ending = entities.id_ending(said)
        for lister in self.tools.tools(task["server"]).values():
            schema = lister.input_schema
            needed = set(schema.get("required") or [])
            if slots.is_write(lister.name, lister.annotations) or lister.name == spec.name \
                    or not lister.name.startswith("list_"):
                continue
            # Found by where and what, not by a state a description happens to name ("stuck half open" is no status
            # filter: the job waiting on an actuator is on hold); open ones are ranked first below anyway.
            where = [s for s in slots.slots_of(schema) if s.kind in ("code", "site", "user")]
            filters = slots.mentioned(where, said, self.context(), verbs=False)
            # Only what says where and what carries over from the task: its other values are the change asked
            # for ("set it to in progress"), not the state the record is in now.
            args = {**filters, **{k: v for k, v in task.get("hints", {}).items() if k in schema.get("properties", {})},
                    **{s.name: task["args"][s.name] for s in where if s.name in task["args"]}}
            if not args or not needed <= set(args):
                continue
            try:
                data = await self.tools.call(lister.server, lister.name, args)
            except ToolError:
                continue
            # A caller chasing something means one still open: closed ones rank after every open one. A thing
            # is only offered when the caller named what it is ("the generator"), not on a shared "room".
            candidates = _lookup_candidates(data, asking.name)
            things: list[dict[str, Any]] = []
            # A number said that is no id of its own ("one oh oh six") is one the caller nearly has: first of all.
            nearly = {r.digits for p in parts for r in entities.number_runs(p) if len(r.digits) >= 3}
            if not spec.name.startswith(NEW_RECORD_PREFIXES) and (
                    not candidates or any(isinstance(c.get("asset"), Mapping) for c in candidates)):
                # Records on things ("the chiller at North Ridge"): only those on a thing of the kind the caller
                # names, when they name one the place has; the only open job there may be on another thing. With
                # none at the place at all, the one thing described ("the noisy box on the workshop roof") has none.
                at = await self._things_at(lister.server, args)
                # (Or the one thing described in other words: "the air con job for in here" is the air conditioning's.)
                things = [t for t in at if _named_kind(t, words)] or self._named_by_meaning(at, said)
                # ("Intake pump two, the seal leak": the one its words fit best, when one does; not when the caller
                # nearly gave a record's number, "job one zero zero one ..., we've switched over to pump two".)
                if len(things) > 1 and not any(_nearly_said(str(c["_value"]), nearly) for c in candidates):
                    overlaps = [_overlap(t, words) for t in things]
                    best = [t for t, n in zip(things, overlaps) if n == max(overlaps)]
                    things = best if len(best) == 1 else things
                # (Nothing listed says no record only from a lister of the records asked for: list_work_orders.)
                if not candidates and (asking.name.removesuffix("_id") not in lister.name or len(things) != 1):
                    continue
                if things:
                    candidates = [c for c in candidates if isinstance(c.get("asset"), Mapping)
                                  and c["asset"].get("tag") in {t.get("tag") for t in things}]
                    if not candidates:
                        return self._none_on(task, spec, things, args)
            named = [c for c in candidates if _named_kind(c, words)] or self._named_by_meaning(candidates, said)
            # (Unless what the caller says of the job fits a closed one clearly better: "the one for the dryer alarm, did
            # that get done?", "the seal replacement on the same pump": the words of what it is on, short words and
            # numbers count for none; then those words rank.)
            told = {w for w in words if len(w) > 3 and not w.isdigit()} - {k for t in things for k in _kinds(t)}
            fit = {id(c): _overlap(c, told, stems=True) for c in named}
            fits = {closed: max((fit[id(c)] for c in named if is_closed(c) == closed), default=0) for closed in (True, False)}
            first = 0 if fits[True] >= fits[False] + 2 else 100
            ranked = sorted(((_overlap(c, words) + fit[id(c)] * (1 if first else 100) + (0 if is_closed(c) else first)
                              + 1000 * _nearly_said(str(c["_value"]), nearly), c) for c in named),
                            key=lambda pair: -pair[0])
            if ending:  # "I only remember it ends in six": only those, however well the others match
                ranked = [(score, c) for score, c in ranked if re.sub(r"\D", "", str(c["_value"])).endswith(ending)]
            unique = len(ranked) == 1 or (ranked and ranked[0][0] > 0 and ranked[1][0] < ranked[0][0])
            if unique and slots.validate(asking, ranked[0][1]["_value"]) is None:
                best = ranked[0][1]
                task["proposed"] = {asking.name: best["_value"]}
                task["proposed_name"] = str(best.get("description") or best.get("name") or best.get("summary") or "")[:80]
                ref = entities.spell_out(best["_value"])
                if best.get("description") or best.get("name"):  # a thing: "Is it the standby generator, A, one two five?"
                    task["offer"] = f"Is it the {str(best.get('description') or best['name'])[:60].lower().rstrip('.')}, {ref}?"
                else:  # a record: its number, then what it is about, as it was logged
                    task["offer"] = f"Is it {ref}: {str(best.get('summary') or '')[:60].lower().rstrip('.')}?".replace(": ?", "?")
                return task["offer"]
            tied = [c for score, c in ranked if score == ranked[0][0] and (c.get("description") or c.get("name"))]
            if choices and 2 <= len(tied) <= MAX_CHOICES and len(tied) == len([r for r in ranked if r[0] == ranked[0][0]]):
                # A few things fit what was said ("the pumps at Lakeside"): name them, the caller picks one.
                task["choices"] = [{"value": c["_value"], "name": str(c.get("description") or c["name"])[:60]}
                                   for c in tied if slots.validate(asking, c["_value"]) is None]
                names = [f"the {c['name'].lower().rstrip('.')}, {entities.spell_out(c['value'])}" for c in task["choices"]]
                task["offer"] = f"Is it {', '.join(names[:-1])}, or {names[-1]}?" if len(names) >= 2 else None
                return task["offer"]
        return None

    async def _things_at(self, server: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The things at the place ``args`` gives (a lister of things that needs only that: the site's assets)."""
        for lister in self.tools.tools(server).values():
            needed = set(lister.input_schema.get("required") or [])
            if not lister.name.startswith("list_") or slots.is_write(lister.name, lister.annotations) \
                    or not needed or not needed <= set(args):
                continue
            try:
                data = await self.tools.call(lister.server, lister.name, {k: args[k] for k in needed})
            except ToolError:
                continue
            things = [t for t in records_in(data) if t.get("tag") and (t.get("description") or t.get("name"))]
            if things:
                return things
        return []

    def _none_on(self, task: dict[str, Any], spec: ToolSpec, things: list[dict[str, Any]],
                 where: Mapping[str, Any]) -> str:
        """No record is on the thing the caller named: said, with a new record for it offered (a yes or "raise
        one then" takes it, ``_new_instead``), its tag and site carried over."""
        kind = task["intent"].partition(".")[0].replace("_", " ")
        thing = things[0] if len(things) == 1 else None
        what = f"the {str(thing.get('description') or thing.get('name')).lower()}, {entities.spell_out(thing['tag'])}" \
            if thing else "that"
        new = self._new_of_kind(spec, task)
        if new is None:
            return f"There's no {kind} for {what}. What is the {kind} number?"
        task["instead"] = {"tool": new.name, "args": _carried_args(new, {**where, "asset": thing}) if thing else {}}
        return f"There's no {kind} for {what}. Shall I {slots.describe_tool(new.name)}?"

    def _named_by_meaning(self, candidates: list[dict[str, Any]], said: str) -> list[dict[str, Any]]:
        """The one thing the caller described in other words than its record's ("the air conditioning in the
        lab" is the "Lab climate control", an hvac): clearly the nearest in meaning, and near enough. [] else."""
        things = [c for c in candidates if c.get("description") or c.get("name")]
        if self.similar is None or not things:
            return []
        names = [f"{c.get('type') or ''} {c.get('description') or c.get('name')}".strip() for c in things]
        # Each clause on its own as well: the one that names the thing is diluted in a long story ("I'm the
        # apprentice at Lakeside. The air conditioning box in the lab is dripping ...").
        clauses = [c for c in re.split(r"[.!?;,]\s+", said) if len(c.split()) >= 3][:MAX_MEANING_CLAUSES]
        # (And what a record is said to be about on its own: "the aircon job" is the aircon's.)
        clauses += [m.group(1).strip() for m in DESCRIBED_RECORD.finditer(said.lower()) if m.group(1).strip()][:1]
        near = [max(scores) for scores in zip(*(self.similar(part, names) for part in [said, *clauses]))]
        order = sorted(range(len(things)), key=lambda i: -near[i])
        second = near[order[1]] if len(order) > 1 else 0.0
        best = near[order[0]]
        return [things[order[0]]] if best >= KIND_MEANING_FLOOR and best - second >= KIND_MEANING_MARGIN else []

    async def continue_task(self, text: str, state: CallState) -> AsyncIterator[Action]:
        """The caller answered the task's question (a value, a yes/no, a correction)."""
        assert state.task is not None
        spec = self.spec_for(state.task)
        if spec is None:
            state.task = None
            yield Say("Sorry, that system is not available right now. I can put you through to a person.")
            return
        ordered = self._other_action_ordered(spec, state.task, text)
        if ordered is not None:
            # "Yes, cancel it" to "I'll schedule a visit ...": that other action, on the same record, read back.
            kept = {k: v for k, v in state.task["args"].items() if k in ordered.input_schema.get("properties", {})}
            # What the caller told for the first (a comment) is why for the other ("escalate it then"): the
            # story goes to its free-text slot when it has no value of its own.
            told = [state.task["args"][s.name] for s in slots.slots_of(spec.input_schema)
                    if s.kind == "text" and state.task["args"].get(s.name)]
            free = [s.name for s in slots.slots_of(ordered.input_schema) if s.kind == "text" and s.required]
            if told and free and free[0] not in kept:
                kept[free[0]] = told[0]
            state.task = _restarted(state, ordered, _intent_of(ordered) or state.task["intent"])
            state.task["args"].update(kept)
            async for action in self._advance(ordered, None, state, {}):
                yield action
            return
        other = self._reader_of_other_id(spec, state.task, text)
        if other is not None:
            # Start afresh on the record the id names; the words said so far describe it too.
            state.task = _restarted(state, other, _intent_of(other) or state.task["intent"])
            # Its id is what the caller was answering: asked for, so the bare number counts.
            state.task["asking"] = next(s.name for s in slots.slots_of(other.input_schema) if s.required)
            async for action in self._advance(other, text, state, {}):
                yield action
            return
        looked_up = False
        async for action in self._look_up(spec, text, state):
            looked_up = True
            yield action
        if looked_up:
            return
        async for action in self._advance(spec, text, state, {}):
            yield action

    def _lookup_turn(self, spec: ToolSpec, task: Mapping[str, Any], text: str) -> dict[str, Any]:
        """The identifiers in ``text`` to look the asked id up by, when the turn gives those and not the id:
        after the caller was asked for one, or unasked when one names no slot of this tool ("I don't know
        the job number, it's the pump A301"). Empty otherwise."""
        if task.get("instead"):
            return {}  # a new record offered is answered first ("log it now, tag's P-4204" takes the offer)
        own = {s.name: s for s in slots.slots_of(spec.input_schema)}
        asking = own.get(task.get("asking") or "")
        if asking is None or asking.kind not in ("code", "user") or task.get("confirming"):
            return {}
        hints = self.lookup_hints(task, text)
        if not hints or not (task.get("lookup") or set(hints) - set(own)) \
                or slots.parse(asking, text, self.context(), asked=True) is not None:
            return {}
        return hints

    async def _look_up(self, spec: ToolSpec, text: str, state: CallState) -> AsyncIterator[Action]:
        """The id asked for was not given but another identifier was ("the pump is P-4512"), after the
        caller was asked for one or unasked when it names no slot of this tool: look the id up by it and
        offer the match. Yields nothing when the turn is not that."""
        task = state.task
        assert task is not None
        hints = self._lookup_turn(spec, task, text)
        if not hints:
            return
        own = {s.name for s in slots.slots_of(spec.input_schema)}
        task["args"].update({k: v for k, v in hints.items() if k in own})
        task["hints"] = {**task.get("hints", {}), **hints}
        task["lookup"] = []  # asked and answered: not asked again in this task
        # What the turn says of the thing is searched with too ("it's for the aeration blower at site three").
        task["described"] = f"{task.get('described', '')} {text}".strip()[:slots.MAX_SPOKEN_TEXT]
        proposal = await self._propose(task)
        if proposal:
            yield Say(proposal)
            return
        state.dialogue["offer"] = "person"
        yield Say("Sorry, I couldn't find it from that. A person can look it up with you. Shall I put you through?")

    async def _advance(self, spec: ToolSpec, text: str | None, state: CallState,
                       heard: dict[str, Any]) -> AsyncIterator[Action]:
        assert state.task is not None
        write = slots.is_write(spec.name, spec.annotations)
        earlier = state.task.pop("duplicate_of", None)
        # Another of the same wants a yes: "thank you" or "no" keeps the one logged.
        if earlier and text is not None and entities.yes_no(text).yes is not True:
            state.task = None
            yield Say(f"Okay, I won't log another. Your reference is still {entities.spell_out(earlier)}.")
            yield Say(ANYTHING_ELSE)
            return
        if state.task.pop("still", None) and text is not None:
            # The answer to "S R, three zero zero, zero one is fulfilled. Shall I still cancel it?".
            still = entities.yes_no(text).yes
            if still is False:
                state.task = None
                yield Say(NOTHING_SENT)
                yield Say(ANYTHING_ELSE)
                return
            if still:
                text = None  # on to what is still to ask; anything else is taken as an answer to it
        instead = state.task.pop("instead", None)
        if instead and text is not None:
            async for action in self._new_instead(spec, instead, text, state):
                yield action
            return
        asking = state.task.get("asking")
        result = slots.step(state.task, spec.input_schema, text, self.context(), write=write)
        if self._underived(state.task):
            heard = {**heard, **result.heard}
            state.task["confirming"] = False
            state.task.pop("read_back", None)  # what was read back has changed underneath: all of it again
            result = slots.step(state.task, spec.input_schema, None, self.context(), write=write)
        if result.action == "ask" and text is not None and self._why_told_with(spec, asking, text, state):
            result = slots.step(state.task, spec.input_schema, None, self.context(), write=write)
        if result.action == "ask" and self._why_told(spec, state):
            result = slots.step(state.task, spec.input_schema, None, self.context(), write=write)
        while result.action == "ask" and state.task.get("asking") and await self._derive(spec, state.task):
            # A value the data already holds is not asked for (the site of a known asset).
            result = slots.step(state.task, spec.input_schema, None, self.context(), write=write)
            result = slots.Step(result.action, result.say, {**heard, **result.heard})
        # Still asking for the same id: an answer that gave other values ("it's booster pump two, medium
        # priority") may describe the thing all the same, so it is searched with too.
        asked_again = text is not None and state.task.get("asking") == asking and asking not in result.heard
        if text is not None and result.action == "ask" and state.task.get("asking") not in result.heard:
            # An answer that is no id may describe the thing ("it's unit two", "it's the outlet valve at
            # Cedar Falls" when asked for the site): search with that too.
            state.task["described"] = f"{state.task.get('described', '')} {text}".strip()[:slots.MAX_SPOKEN_TEXT]
        if result.action == "ask" and (text is None or asked_again or state.task.get("asking") != asking):
            # Before asking for an id (first time, or again), look for it with what the caller said
            # ("the job for pump A123", "it's the outlet valve at Cedar Falls").
            # A few that fit are read out for a look-up, or once the id was asked for and not given; a
            # new fault's first question stays short for the many callers who know the tag.
            proposal = await self._propose(state.task, choices=not write or asked_again)
            if proposal:
                # What was wrong with the answer ("I heard ..., but ...") is still said, before the offer.
                question = slots.reprompt(state.task, spec.input_schema)
                problem = result.say[: -len(question)].strip() if result.say.endswith(question) else ""
                problem = "" if problem.startswith("Sorry, I didn't catch") else problem  # the offer says it better
                if state.task.get("choices") and len(f"{problem} {proposal}".split()) > LONGEST_REPLY:
                    problem = re.sub(r",\s*but\b.*$", ".", problem)  # the choices read out show the shape too
                result = slots.Step("ask", f"{problem} {proposal}".strip(), result.heard)
            if proposal and not write and state.task.get("proposed"):
                # A look-up changes nothing: the one record the caller described is read out at once,
                # by its number and what it is about, so a wrong match is heard and corrected.
                state.task["args"].update(state.task.pop("proposed"))
                state.task.pop("proposed_name", None)
                result = slots.step(state.task, spec.input_schema, None, self.context(), write=write)
        state.entities.update({**heard, **result.heard})
        if result.action == "cancel":
            state.task = None
            yield Say(result.say)
        elif result.action == "confirm" and not earlier and (ticket := self._logged_already(spec, state)):
            # Asked instead of the usual confirmation: a yes makes another one, a no keeps the first.
            state.task["duplicate_of"] = ticket
            yield Say(f"That's already logged as {entities.spell_out(ticket)}. Do you want another one?")
        elif result.action in ("ask", "confirm"):
            if write and not state.task.get("checked") and self._record_named(spec, state.task):
                # Checked once the record is named, before anything more is asked about it ("why are you
                # cancelling it?" for a request fulfilled already wastes the caller's turn).
                state.task["checked"] = True
                closed, record = await self._closed_record(spec, state.task)
                # Closing what is resolved already is a change it takes; any other is refused by the server.
                closes = is_closed(state.task["args"])
                # ... and so is opening a resolved one again ("reopen it": a state of work asked for); resolved is fixed
                # but not yet closed (ITIL), waiting on the caller to say it is.
                reopens = str(record.get("status", "")).lower() in _REOPENABLE and bool(state.task["args"].get("status")) \
                    and not closes
                new = self._new_of_kind(spec, state.task) if closed and not closes and not reopens else None
                if new is not None:
                    # A note, a comment or a change for a closed record: it takes none, a new one is the way on.
                    carried = _carried_args(new, record)
                    # What the caller wanted added is what the new one is about ("the seal they replaced is
                    # dripping again"), not the words that asked to add it.
                    told = next((state.task["args"][x.name] for x in slots.slots_of(spec.input_schema)
                                 if x.kind == "text" and x.required and state.task["args"].get(x.name)), None)
                    about = next((x.name for x in slots.slots_of(new.input_schema) if x.kind == "text" and x.required), None)
                    if told and about:
                        carried[about] = told
                    carried = {**callers_own(new, record, state.task["opening"]), **carried}
                    state.task["instead"] = {"tool": new.name, "args": carried}
                    yield Say(f"{closed} Shall I {slots.describe_tool(new.name)} instead?")
                    return
                if closed and spec.name.startswith(ENDING_PREFIXES):
                    state.task = None  # the server refuses it: said plainly, and nothing more asked
                    yield Say(f"{closed.rstrip('.')} already, so there's nothing to {spec.name.split('_')[0]}.")
                    yield Say(ANYTHING_ELSE)
                    return
                if closed and result.action == "ask":
                    # Nothing more is asked for a change the record may not take until the caller still wants it.
                    state.task["still"] = True
                    yield Say(f"{closed} Shall I still {slots.describe_tool(spec.name)}?")
                    return
                if closed:
                    # "W O, one zero zero, zero nine is completed.": before the caller agrees to it, with the
                    # read-back when the ear has room for both, else only the question.
                    yield Say(closed)
                    if len(f"{closed} {result.say}".split()) > LONGEST_REPLY:
                        result = slots.Step(result.action, f"Shall I still {slots.describe_tool(spec.name)}?", result.heard)
            yield Say(result.say)
        else:
            if result.say:
                yield Say(result.say)  # a value added with the go-ahead, said back as it is sent
            async for action in self._execute(spec, state, write):
                yield action

    def _new_of_kind(self, spec: ToolSpec, task: Mapping[str, Any]) -> ToolSpec | None:
        """The tool that makes a new record of the kind ``task`` writes to ("work_order.note": create_work_order),
        when the write is on that record itself (a note, a comment, a change), not on a thing it holds (a visit)."""
        if spec.name.startswith(ENDING_PREFIXES):
            return None
        kind = str(task.get("intent", "")).partition(".")[0]
        server, tool = INTENT_TOOLS.get(f"{kind}.create", ("", ""))
        reader = next((i for i, (srv, name) in INTENT_TOOLS.items() if srv == spec.server and i.startswith(f"{kind}.")
                       and name.startswith("get_")), None)
        return self.tools.tool(server, tool) if server == spec.server and tool and reader else None

    async def _new_instead(self, spec: ToolSpec, instead: Mapping[str, Any], text: str,
                           state: CallState) -> AsyncIterator[Action]:
        """The answer to "W O, one zero zero, zero nine is completed. Shall I open a work order instead?"."""
        assert state.task is not None
        reply = entities.yes_no(text)
        # ("Whatever you need to do, as long as someone comes back out. Yes, go ahead.": the yes of a later sentence,
        # with no no in the turn.)
        sentences = _SENTENCE_END.split(text.strip())
        replies = [entities.yes_no(x) for x in sentences]
        story = text  # what the new one may be about, told with the answer
        if reply.yes is None and {r.yes for r in replies[1:]} - {None} == {True}:
            first = next(n for n, r in enumerate(replies) if r.yes)
            story = " ".join([replies[first].rest, *sentences[first + 1:]])
            reply = entities.Answer(True, story)
        # A bare yes leaves the story where the caller told it, the turn before ("Go on then, a new one. The dryer alarm
        # keeps coming back, low priority." to "Is it WO-10010?", then "yes" to the new one offered for the closed one).
        callers = [t["text"] for t in state.turns if t.get("role") == "caller"]
        told_before = callers[-2] if len(callers) >= 2 and callers[-2] != state.task.get("opening") else ""
        if reply.yes and len(reply.rest.split()) < 3 and told_before:
            story = told_before
        # ("Can you reopen it?": the record back is what the new one offered does.)
        asked_new = offer_taken(text) or bool(REOPENED.search(text.lower()))
        new = self.tools.tool(spec.server, instead["tool"])
        another = self._names_another_record(spec, text, state.task)  # ("sorry, not five, four": misheard)
        # Giving what the new one needs ("the number on it is G3020", "priority medium, please") goes along with it.
        gives = bool(new is not None and reply.yes is None and not another and slots.mentioned(
            [x for x in slots.slots_of(new.input_schema) if x.kind in ("code", "enum", "site", "user")], text, self.context()))
        if (reply.yes or asked_new or gives) and new is not None:
            # The caller's opening told the story of the closed one: it is the new one's too, as if it had
            # been routed there; where and what carry over from the closed record.
            state.task = _restarted(state, new, _intent_of(new) or state.task["intent"])
            heard = slots.prefill(state.task, new.input_schema, {**state.entities, **instead["args"]},
                                  self.context(), turn=state.task["opening"])
            # What the caller asked to add over the opening's paraphrase, and the closed record's choices (its
            # category) over a guess from the words: prefill carries identities only.
            told = {x.name: instead["args"][x.name] for x in slots.slots_of(new.input_schema)
                    if x.kind in ("text", "enum") and x.name in instead["args"]}
            heard.update(told)
            state.task["args"].update(told)
            # Choices and who or where said with the yes ("yes, raise a new one, high priority", "okay, log a new one
            # then. Jonas Berg, E one oh seven seven seven") are the new one's too.
            chosen = slots.mentioned([x for x in slots.slots_of(new.input_schema) if x.kind in ("enum", "user", "email", "site")],
                                     text if story == text else f"{story} {text}", self.context())
            state.task["args"].update(chosen)
            # What is wrong, told with the yes ("raise one then, it's still not cooling properly"), over the story
            # of the first turn, which asked about it.
            own = slots.paraphrase(story, self.context())
            about = next((x for x in slots.slots_of(new.input_schema) if x.kind == "text" and x.required), None)
            if about is not None and about.name not in told and (reply.yes or asked_new) and len(own.split()) >= 4 \
                    and slots.tells_something(own) \
                    and slots.validate(about, own) is None:
                state.task["args"][about.name] = chosen[about.name] = own
            async for action in self._advance(new, None, state, {**heard, **chosen}):
                yield action
        elif reply.yes is False and not another:
            state.task = None
            yield Say(NOTHING_SENT)
            yield Say(ANYTHING_ELSE)
        elif another:
            # "Sorry, not five, four": the record was misheard or misremembered; the request goes on with the one
            # now named, checked afresh.
            state.task["checked"] = False
            async for action in self._advance(spec, text, state, {}):
                yield action
        else:
            state.task["instead"] = instead
            yield Say(f"Shall I {slots.describe_tool(instead['tool'])} instead?")

    def _names_another_record(self, spec: ToolSpec, text: str, task: Mapping[str, Any]) -> bool:
        """Does ``text`` name a record of the kind ``spec`` acts on other than the one ``task`` holds?"""
        ids = _record_ids(spec)
        said = slots.mentioned(ids, text, self.context())
        for x in ids:
            # (its number alone, as said back to the record just read out: "no, twenty thousand and four")
            alone = slots.parse(x, text, self.context(), asked=True) if x.name not in said else None
            if alone is not None and slots.validate(x, alone) is None:
                said[x.name] = alone
        return any(value != task["args"].get(name) for name, value in said.items())

    @staticmethod
    def _record_named(spec: ToolSpec, task: Mapping[str, Any]) -> bool:
        """Does ``task`` hold the id of the record ``spec`` acts on (its required codes)?"""
        ids = _record_ids(spec)
        return bool(ids) and all(task["args"].get(x.name) for x in ids)

    async def _closed_record(self, spec: ToolSpec, task: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """"W O, one zero zero, zero nine is completed.", and the record: the record a write acts on, when it is
        closed already (read with the server's own reader of that id). ("", {}) when it is open, or no reader says."""
        if spec.name.startswith(NEW_RECORD_PREFIXES):
            return "", {}
        for slot in _record_ids(spec):
            value = task["args"].get(slot.name)
            if not value:
                continue
            for reader, field in self._readers_by_one_id(spec.server):
                if field != slot.name:
                    continue
                try:
                    data = await self.tools.call(reader.server, reader.name, {slot.name: value})
                except ToolError:
                    continue
                if isinstance(data, dict) and is_closed(data):
                    return f"{entities.spell_out(str(value))} is {str(data['status']).replace('_', ' ')}.", data
        return "", {}

    def _logged_already(self, spec: ToolSpec, state: CallState) -> str | None:
        """The ticket of an identical request completed in this call within the window, if any."""
        assert state.task is not None
        args = {k: v for k, v in state.task["args"].items() if k != "idempotency_key"}
        earlier = recent_duplicate(state, spec, args, window_s=self.duplicate_window_s, now=time.time())
        return ticket_of(earlier.get("result")) if earlier else None

    async def _execute(self, spec: ToolSpec, state: CallState, write: bool) -> AsyncIterator[Action]:
        task = state.task
        assert task is not None
        args = {k: v for k, v in task["args"].items() if k != "idempotency_key"}
        key = task["key"] if "idempotency_key" in spec.input_schema.get("properties", {}) else None
        outcome = ToolOutcome()
        async for action in run_tool(self.tools, spec, args, state, outcome, key=key,
                                     holding_s=self.holding_s, write=write):
            yield action
        if outcome.error is not None:
            yield Say(await self._failure_sentence(outcome.error, spec, state))
            return
        state.task = None
        # What was asked: the request's opening, and the turn that sent it ("Is anyone booked to go out to it?" as the
        # answer to "Is it WO-10003?").
        now = next((str(t.get("text", "")) for t in reversed(state.turns) if t.get("role") == "caller"), "")
        opening = str(task.get("opening") or "")
        asked = opening if now in opening else f"{opening} {now}".strip()
        reply = result_sentence(spec, outcome.data, write, args, asked=asked)
        reader = None if write else self._reader_of_open_record(spec, outcome.data, asked, reply)
        if reader is not None:
            # "There's a job on the oil pump, P-4512 ... When are they turning up?": the thing read does not say;
            # its one open record does. (Or the closed one the caller describes: "what happened to that job?")
            more = ToolOutcome()
            async for action in run_tool(self.tools, reader[0], reader[1], state, more, key=None,
                                         holding_s=self.holding_s, write=False):
                yield action
            if more.ok:
                reply = result_sentence(reader[0], more.data, False, reader[1], asked=asked)
        new = None if write else self._new_for_closed(spec, task, outcome.data, asked)
        yield Say(reply)
        if new is not None:
            # "SR-30004. It worked, but I've locked myself out again": the record read is done with, and the
            # trouble is back; a new one of its kind is offered, a yes takes it (``_new_instead``).
            state.task = {**task, "instead": {"tool": new.name, "args": _carried_args(new, outcome.data)}}
            yield Say(f"Shall I {slots.describe_tool(new.name)} instead?")
            return
        yield Say(ANYTHING_ELSE)

    def _new_for_closed(self, spec: ToolSpec, task: Mapping[str, Any], data: Any, asked: str) -> ToolSpec | None:
        """The tool that makes a new record of the kind read, when the record read is closed and the caller says
        the trouble is back or still there; None otherwise. The record's own type names it where a tool of the
        server makes that type ("password_reset": request_password_reset)."""
        if not isinstance(data, dict) or not is_closed(data) or not _BACK_AGAIN.search(asked.lower()) \
                or NEW_RECORD.search(asked.lower()):
            return None
        kind = str(data.get("request_type") or data.get("type") or "")
        typed = [t for t in self.tools.tools(spec.server).values()
                 if kind and t.name.startswith(NEW_RECORD_PREFIXES) and t.name.endswith(f"_{kind}")]
        return typed[0] if len(typed) == 1 else self._new_of_kind(spec, task)

    def _reader_of_open_record(self, spec: ToolSpec, data: Any, asked: str,
                               reply: str) -> tuple[ToolSpec, dict[str, Any]] | None:
        """The reader, with its arguments, of the record a thing's read lists that the caller's question is about,
        when the reply does not answer it: the one whose words the caller used and the reply leaves out ("the
        dryer alarm on C-2103, what happened to that job?": the cancelled one), or, asked when someone comes, the one
        open record. None otherwise."""
        questions = [q for q in re.split(r"(?<=[.!?])\s+", asked) if q.rstrip().endswith("?") or answers.asks_when(q)]
        if not questions or not isinstance(data, dict) or not (data.get("description") or data.get("name")):
            return None
        records = records_in(data)
        told = {w for w in entities.tokens(asked) if len(w) > 3 and not w.isdigit()} - _kinds(data)
        fit = [_overlap(r, told, stems=True) for r in records]
        best = [r for r, n in zip(records, fit) if n == max(fit, default=0) and n >= 2]
        open_ = [r for r in records if not is_closed(r)]
        if len(best) == 1 and str(best[0].get("summary", "")).lower() not in reply.lower():
            record = best[0]
        elif len(open_) == 1 and any(answers.asks_when(q) and _COMING.search(q.lower()) for q in questions) \
                and not any(answers.of_the_kind_asked(q, x) for q in questions for x in _SENTENCE_END.split(reply)):
            record = open_[0]
        else:
            return None
        return next(((reader, {field: record[field]}) for reader, field in self._readers_by_one_id(spec.server)
                     if reader.name != spec.name and record.get(field)), None)

    def _readers_by_one_id(self, server: str) -> Iterator[tuple[ToolSpec, str]]:
        """The server's read tools ("get_") that take one id, each with the name of that id."""
        for reader in self.tools.tools(server).values():
            needed = reader.input_schema.get("required") or []
            if reader.name.startswith("get_") and len(needed) == 1 and not slots.is_write(reader.name, reader.annotations):
                yield reader, needed[0]

    async def _suggested(self, spec: ToolSpec, message: str, state: CallState) -> str:
        """A refusal that names what to do instead ("No visit is booked for WO-10003 to move; book one
        instead."): the server's tool that does it, by the first word of its description ("Book a technician
        visit ..."), becomes the task with the values that fit it, read back or asked for. "" when the
        message suggests nothing a tool of that server does."""
        m = re.search(r"\b([a-z]+) (?:one|it|a new [a-z ]+?|another [a-z ]+?) instead\b", message.lower())
        if m is None or state.task is None:
            return ""
        alike = [t for t in self.tools.tools(spec.server).values()
                 if t.name != spec.name and t.description.lower().startswith(m.group(1))]
        intent = _intent_of(alike[0]) if len(alike) == 1 else None
        if intent is None:
            return ""
        tool = alike[0]
        kept = {k: v for k, v in state.task["args"].items() if k in tool.input_schema.get("properties", {})}
        state.task = _restarted(state, tool, intent)
        # What the caller said for the first is said for this one too ("the seal on A123 is leaking again"),
        # and what the data holds is not asked (the asset's site).
        slots.prefill(state.task, tool.input_schema, state.entities, self.context())
        state.task["args"].update(kept)
        write = slots.is_write(tool.name, tool.annotations)
        step = slots.step(state.task, tool.input_schema, None, self.context(), write=write)
        while step.action == "ask" and state.task.get("asking") and await self._derive(tool, state.task):
            step = slots.step(state.task, tool.input_schema, None, self.context(), write=write)
        return f"Shall I {slots.describe_tool(tool.name)} instead?" if step.action == "confirm" else step.say

    async def _failure_sentence(self, exc: ToolError, spec: ToolSpec, state: CallState) -> str:
        task = state.task
        assert task is not None
        if exc.kind == "rejected":
            offered = await self._suggested(spec, exc.message, state)
            if offered:  # why, without the advice, then the offer: the values said for the first stand
                return f"{spoken(exc.message[:300].split(';')[0].rstrip('.'))}. {offered}"
            # The server's reason is written for a person; ask again for the value it names
            # last ("Asset A123 is at site 12, not site 14." -> the site).
            dropped = _named_last(task["args"], exc.message)
            for name in dropped:
                task["args"].pop(name)
                state.entities.pop(name, None)
            task["confirming"] = False
            step = slots.step(task, spec.input_schema, None, self.context(),
                              write=slots.is_write(spec.name, spec.annotations))
            reason = spoken(exc.message[:300])
            if dropped and step.action == "ask":
                return f"Sorry, that didn't work: {reason} {step.say}"
            state.task = None
            return f"Sorry, that didn't work: {reason} I can put you through to a person if you like."
        system = SYSTEM_NAMES.get(spec.server, "system")
        if state.tool_failures >= self.failure_limit:
            return f"Sorry, the {system} still isn't responding."  # the brain hands over next
        # Keep the task confirmed so "yes, try again" retries it with the same idempotency key.
        task["confirming"] = True
        return (f"Sorry, the {system} isn't responding right now. "
                "Shall I try again, or would you like me to put you through to a person?")


def _asks_why(slot: slots.Slot | None) -> bool:
    """Is ``slot`` the required field of words that asks why ("Why do you need this access?")?"""
    return slot is not None and slot.kind == "text" and slot.required and slot.question.lower().startswith("why")


def _named_last(args: Mapping[str, Any], message: str) -> list[str]:
    """The argument whose value the error message mentions last (as a whole word), if any."""
    found = []
    for name, value in args.items():
        text = str(value)
        if name == "idempotency_key" or not text or len(text) > 80:
            continue
        hits = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(text)}(?!\w)", message, flags=re.I)]
        if hits:
            found.append((hits[-1], name))
    return [max(found)[1]] if found else []
