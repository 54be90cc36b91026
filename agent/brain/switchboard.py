"""SwitchboardBrain: the coordinator, the domain agents and the human hand-over, wired together.

Per caller turn: the coordinator decides; a safety word, a request for a person or too
many failed tools hand over at once; a turn that answers the task in progress continues
it (so "site fourteen" is never routed afresh); anything else is recorded and routed,
which is also how a caller switches topic mid-call. Every piece of per-call state lives
in ``CallState``; the brain itself holds only shared, per-process things (index, tool
server connections), so a call can continue on another container.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from datetime import datetime
from functools import partial
from typing import Any, AsyncIterator, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from agent.contracts.actions import Action, CallerInput, EndCall, HandoffEvent, RouteEvent, Say, ToolEvent
from agent.brain import acts, answers, entities, grammar, languages, moves, slots
from agent.brain.domain import (AGAIN_OF_FAULT, ANOTHER_RECORD, ANYTHING_ELSE, ANYTHING_ELSE_FORMS, DESCRIBED_RECORD,
                                INTENT_TOOLS, LONGEST_REPLY, NEW_RECORD, NEW_RECORD_PREFIXES, NEWS_PREFIXES, NOTHING_SENT,
                                REOPENED, REPLY_WORDS, WORK_ASKED, DomainAgent, asked_parts, callers_own,
                                fetch_site_names, for_the_ear, is_closed, latest_reference, offer_taken,
                                other_work_asked, questions_in, records_in, spoken)
from agent.brain.mcp_client import SERVERS, ToolError, ToolManager
from agent.routing.policy import lead_moved
from agent.routing.router import without
from agent.routing.text import normalise, stem
from agent.config import Settings
from agent.call.keypad import digits_expected
from agent.contracts.state import CallState
from agent.privacy.names import names_in

GREETING = "Hello, you've reached the operations help line. How can I help you today?"
#: Below this calibrated confidence an unclear turn is off-topic: no either/or question, the line's purpose.
OFF_TOPIC_CONFIDENCE = 0.35
#: ... unless this much of the router's belief is on one desk's requests: unsure which of them, but not lost
#: ("can we shift Dev's visit for job ten thousand and two": moving or cancelling a visit, or the job's status).
ONE_DESK_CONFIDENCE = 0.6
#: Said when the reference is asked for at a read-back, before anything is made.
NO_REFERENCE_YET = "There's no reference yet: you get one once it's done."
#: A follow-up question is short and leans on the one before ("and how long does it run for?").
FOLLOW_UP_WORDS = 12
#: What each place further down the retrieved sections costs an answer from it (as ``howto_answer`` weighs them).
SECTION_RANK_COST = 0.03
_LEANING = {"it", "its", "it's", "that", "this", "they", "them", "those", "one"}
#: Sections searched for the further ones of an article that answer a question of a kind (about a tenth of them all).
DEEPER_SECTIONS = 12
#: How near (MiniLM cosine) a sentence of the nearest article section must be to the turn for that section to say
#: which kind of record the turn needs.
SECTION_SURE = 0.6
#: How sure the router must be of a long turn's request sentence on its own to let it decide the turn.
REQUEST_SENTENCE_CONFIDENCE = 0.7
#: What the line can do, said for "help" and when a turn is not something it handles.
CAPABILITIES = "I can log faults, check jobs and IT tickets, reset passwords, or find you a person."
#: Help at a read-back and at a question of a task: what the caller can say there.
HELP_CONFIRMING = "You can say yes to send it, or tell me what to change. You can also ask for a person."
HELP_ASKING = "You can answer, say you don't know, or ask for a person."
#: What the caller is talking to, said when they ask ("is this a robot?").
IDENTITY = "I'm the help line's automated assistant. Ask for a person at any time and I'll put you through."
#: ... said before the request that came with the question ("Am I talking to a machine? My laptop ...").
IDENTITY_FIRST = "I'm the help line's automated assistant."
#: ... and when they ask whether a person sees what they say.
READ_BY = "The team that handles it reads what you tell me."
OFFER_PERSON = "Sorry, this isn't working. I can put you through to a person who can help. Would you like that?"
#: ... and when the caller does not have what was asked for.
OFFER_PERSON_UNKNOWN = "No problem. A person can help you find it. Shall I put you through?"
#: What a caller asking for a reference no one gave on this call does not know.
EARLIER_REFERENCE = "the reference from an earlier call"
#: The same, to a caller asking for a reference they were given on an earlier call.
OFFER_PERSON_EARLIER = "I can't look that up from here, but a person can. Shall I put you through?"
#: Hand-overs that skip everything else, even a task half done.
URGENT_HITS = ("safety", "person_request", "tool_failures")
#: How sure the coordinator must be that a non-answer mid-task is a new request.
SWITCH_CONFIDENCE = 0.8
#: ... and that an answer to a free-text question is really a change of topic.
FREE_SWITCH_CONFIDENCE = 0.6
#: Longer than anyone says in one turn: refused before parsing, so a pasted megabyte costs nothing.
MAX_TURN_CHARS = 4000
#: How likely the router must find what a caller wants done with a record they named, or it is its status.
WANTED_CONFIDENCE = 0.2
#: How likely the router must find a write on the record just read for a follow-up turn to be taken as it.
FOLLOW_UP_CONFIDENCE = 0.15
#: Sentences of a turn, and one that asks (for a status question said without a question mark).
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
#: A clause that points back at what was just said: "it's ...", "that was ...", "they ...".
_POINTS_BACK = re.compile(r"^\W*(?:(?:and|but|so|now)\s+)?(?:it|it'?s|its|that|that'?s|this|they|they'?re|he|she)\b")
#: A question in question order inside a turn a recogniser wrote without a question mark ("got a tag here h ten
#: eleven what is it and which site is it on"); "I don't know what it is" is in the order of a statement.
_QUESTION_ORDER = re.compile(r"\b(?:what|which|where|who|when|how)(?: [a-z']+){0,2}? (?:is|are|was|were|does|do|did|can|will|has|have) "
                             r"(?:it|this|that|they|he|she|we|you|i)\b|"
                             r"\b(?:what|which|where|who|when|how)'s (?:its|it|the|this|that|my|your|our|their)\b")
#: Whether there is someone ("is anyone ...", "are somebody ..." as a recogniser hears it).
_ANYONE = r"(?:(?:is|are) (?:anyone|anybody|someone|somebody)|(?:if|whether) (?:anyone|anybody|someone|somebody) (?:is|'s))"
#: Asking which records there are ("any open jobs", "what's outstanding", "how many work orders are live").
_RECORDS_ASKED = re.compile(r"\b(?:any|anything|what'?s|what|which|how many|list|everything)\b(?: [\w']+){0,4}? "
                            r"(?:open|outstanding|live|pending|logged|in progress|on hold|jobs|work orders)\b|"
                            # (asked by the records' name alone: "open jobs there then", "outstanding work orders at site 21")
                            r"(?:^|[.!?,]\s+)(?:[\w']+\s+){0,2}?(?:open|outstanding|live|pending) (?:jobs|work orders)\b|"
                            # (whether someone is on it: the jobs open on it say)
                            rf"\b{_ANYONE}(?: already)? (?:working on|looking at|looking into|dealing with|assigned to|on|fixing|repairing|"
                            r"seeing to|sorting)\b|"
                            # (whether it is known: reported already)
                            r"\b(?:does|do|did) (?:anyone|anybody|someone|somebody|you) (?:already )?know (?:about|of)\b")
#: Asking what work a place has, or who is due there ("have we got any work on the go at Cedar Falls?", "is anybody from
#: field service due at North Ridge in the next few days?"): its jobs, and their visits, say.
_WORK_AT_PLACE = re.compile(r"\bany (?:work|jobs?)\b|^(?:is|are) (?:there )?(?:anyone|anybody|someone|somebody|any technicians?|"
                            r"any engineers?)\b(?: [\w']+){0,3}? (?:due|booked|scheduled|coming|going out|expected|visiting)\b")
#: One of the records read, by what it is about: "the historian one", "the tablet ticket".
_ONE_BY_WORDS = re.compile(r"\bthe ((?:[\w'-]+ ){1,3}?)(?:one|ticket|request|job|incident)\b")
#: ... unless it is one asked to be made ("can you raise the job for it").
_MADE_BEFORE = re.compile(r"\b(?:raise|open|log|create|put in|book in|set up|make)(?: me| us)?(?: [\w'/.-]+){0,3}$")
#: A choice told as a change to what is there: "bump it up to high", "make it urgent", "set it to in progress".
_CHANGE_ASKED = re.compile(r"\b(?:bump|make|set|put|move|raise|push|change|upgrade|escalate|take)\b(?: [\w']+){0,2}? "
                           r"(?:up|down|to|it|that|this|the job|them)\b|\b(?:bump|put|move|take|knock|push)(?: [\w'-]+){0,6}? (?:up|down) to\b|"
                           r"\b(?:upgrade|downgrade|lower|increase)\b")
#: Asking about a place itself: its number, its address, where it is.
_PLACE_ASKED = re.compile(r"\b(?:site number|number (?:for|of)|address|postcode|post code|where (?:is|'s) (?:the|it)|whereabouts is|"
                          r"located|directions|how do (?:i|we) get to|(?:which|what) (?:road|street|avenue|town|part of town) "
                          r"(?:is|it'?s|are))\b")
#: "Are there ...", "have we got ...": asked without a mark or a question word first.
_THERE_ASKED = re.compile(r"\b(?:(?:are|is) there|(?:have|do) (?:we|you|i))\b")
#: Where a sentence starts in words a recogniser ran together: "... it started fine so we don't need the engineer",
#: "... the oil pump job one zero zero zero two we need to cancel it", "... incident i n c two zero zero zero two can you add ...".
#: (Not after a word that reports what follows: "add a comment that I need it by Friday", "tell them we need ...".)
_RUN_ON = re.compile(r"(?<!\bthat)(?<!\bsay)(?<!\bsays)(?<!\bsaying)(?<!\bsaid)(?<!\btell them)(?<!\btell him)(?<!\btell her)"
                     r"\s+(?=so\s+(?:i|we|you|can|could|please)\b|(?:i|we)\s+(?:need|want|would like|'?d like)\b|"
                     r"(?:can|could|would) you\b)", re.I)
#: Where an ask may end and what it is about begin: a sentence end, a colon or a semicolon.
_REQUEST_CLAUSE = re.compile(r"(?<=[.!?:;])\s+")
_LEAD = re.compile(r"^(?:(?:so|and|but|ok|okay|right|roughly|just|sorry|um|er|oh|actually|also|and roughly|quick (?:question|one)|"
                   r"first(?:ly)?|second(?:ly)?|third(?:ly)?|"  # "two things first ... and second whats happening with ..."
                   r"hi|hiya|hello|hey|morning|afternoon|evening|good (?:morning|afternoon|evening)|love|mate|there|"
                   r"(?:one more|another|a) question)\b[\s,:]*)+")
#: A case put before the question about it ("if i put a work order in as urgent how quickly does somebody come
#: out"): the question is what follows.
_CONDITION_FIRST = re.compile(r"^(?:if|once|say|suppose|supposing|let'?s say)\b.*?\b(?=(?:how|what|where|why|who)\b)")
#: A question that wants to know something: how to, what it means, how long, why.
#: What a thing told of usually means ("what does that usually mean?").
_WHAT_IT_MEANS = r"what (?:does|would|could) (?:that|it|this)(?: (?:usually|normally|generally|typically))? (?:mean|be)\b"
_INFO_QUESTION = re.compile(rf"(?:how (?:do|does|can|should|long|often|much|many|come|quickly|soon|fast|late|early|far(?! along| on))|"
                            # who does what, in general ("who signs off access requests?", "who decides how urgent ...?")
                            r"who (?:signs? (?:it |them |these |those )?off|approves?|authori[sz]es?|decides?|sets?|picks? up|"
                            r"deals? with|handles?|is responsible for)\b|"
                            # what the caller can use meanwhile ("is there anything I can borrow in the meantime?")
                            r"is there (?:anything|something|a spare|a loan [\w-]+) (?:i|we) (?:can|could) (?:borrow|use)\b|"
                            r"(?:can|could) (?:i|we) borrow\b|"
                            # what holds as a rule, checked ("is it right that urgent jobs get someone within four hours?")
                            r"(?:is it|is that|am i) (?:right|true|correct|the case|right in thinking)(?: to say)? that\b|"
                            r"what (?:hours|times?|days) (?:do|does|are|is|can|could)|"
                            # what a message or a sign is about ("if the VPN says authentication failed, what's that usually about?")
                            r"what(?:'?s| is) (?:that|it|this)(?: (?:usually|normally|generally|typically))? (?:about|mean|down to)\b|"
                            rf"{_WHAT_IT_MEANS}|"
                            # the step to take first ("what's the first thing to check?")
                            r"what(?:'s| is| are| would be) the (?:first |best |next |usual |main )?(?:thing|things|step|steps) (?:to|i|we)\b|"
                            # which of a kind to use ("which network should she pick on her laptop?")
                            r"which (?:[\w-]+ ){1,2}(?:should|do|does|would) (?:i|we|she|he|they|you|people|staff|guests?|"
                            r"(?:my|our|the|a|an|your) [\w-]+) "
                            r"(?!(?:book|log|raise|report|escalate|cancel|chase)\b)\w+|"
                            # when a thing's routine happens ("when does the weekly test run?"); when a person or a
                            # record comes is that record's status
                            r"when (?:does|do) (?:the|a|an|our|your) (?:[\w-]+ ){0,2}(?!(?:technician|engineer|contractor|fitter|"
                            r"electrician|tech|man|guy|person|visit|job|ticket|work order|request|incident)s?\b)[\w-]+ "
                            r"(?:run|happen|take place|start|go|get done|come round)|"
                            r"what (?:does|do|should|am|are we|"
                            r"happens|(?:is|are|'s) the (?:[\w-]+ ){0,2}(?:procedures?|process|rules?|polic(?:y|ies)|requirements?)\b)|where (?:do|does|can|should) (?:i|we|you|they)|"
                            r"where (?:am i|are we) (?:supposed|meant) to|where(?:abouts)?(?: \w+){0,4} (?:would|will|do|can|should) (?:i|we|you)(?: (?:actually|usually|normally|generally))? (?:find|look for|spot)|"
                            r"where(?:'s| is| are)(?: [\w-]+){1,5} (?:usually |normally |typically |generally )?(?:fixed|located|found|kept|fitted|mounted|attached|stuck)\b|"
                            r"why (?:does|do|is|am|are|won'?t|can'?t)|is (?:that|it) (?:a big deal|serious|normal|bad|ok)|"
                            # where a kind of thing usually is ("... the asset tag on a valve, where is it usually?")
                            r".*\bwhere(?:'s| is| are| would) (?:it|they|them|that|the [\w-]+)(?: be)? (?:usually|normally|typically|generally)\b|"
                            # a fix asked for before a ticket ("... is there a trick?", "anything I can try?")
                            r".*\b(?:is there|are there|do you know) (?:a|any) (?:trick|way|fix|workaround|tricks|tips?)\b|"
                            r".*\b(?:anything|something) (?:i|we) (?:can|could) (?:do|try)\b|"
                            r".*\bwhat (?:else )?(?:do|can|could|should|must) (?:i|we) (?:do|try)\b|"
                            # clipped ("... can't get in. what now?", "mailbox full, can't send. fix?")
                            r"(?:so |and )?(?:what now|now what|fix|any fix|how to fix(?: it| that| this)?)\W*$|"
                            # what something of a kind has in general ("what's the minimum length for a new password?")
                            r"what(?:'s| is| are)(?: the)? (?:[\w-]+ ){1,3}(?:for|of|on) (?:a|an|any)\b)")
#: Asking whether to take a step of their own ("do I just reset it again?", "should we leave it running?", "is it safe
#: to restart it?"): advice the articles give, not a request of the line (calling, booking or logging is one).
_ADVICE = re.compile(r"^(?:(?:should|shall) (?:i|we) (?:just |still |now |not )?|(?:do|can) (?:i|we) just |"
                     r"is it (?:ok|okay|safe|alright|all right|fine) (?:to|if (?:i|we)) |"
                     # a step of their own on the thing ("can I put a bar on the handwheel to free it?")
                     r"(?:can|could|may) (?:i|we) (?=\w+ (?:a|an|the|some) [\w-]+ (?:on|in|to|into|under|onto|against)\b))"
                     r"(?!(?:ring|call|phone|book|raise|log|report|open|send|get|have|give|tell|put (?:a|an|the) "
                     r"(?:job|ticket|request|note|call|work order|comment)|add|make|change|move|cancel)\b)\w+")
#: The most words an unpunctuated advice question at the end of a turn is taken from.
ADVICE_WORDS = 7
#: A question of what is required of the caller or someone they send ("is there anything I need to sort out
#: before I go?", "does he need to bring anything?"): the articles answer it, whatever the router heard.
_REQUIRED_QUESTION = re.compile(
    # "does getting access to a shared mailbox need my manager to approve it?": the subject is a thing done, not
    # the call ("do you need my number?", "does it need a part?" ask about what is under way)
    r"^(?:does|do|will|would) (?!(?:you|it|he|she|they|we|i|this|that|my|your)\b)(?:[\w']+ ){1,8}(?:need|needs|require|requires)\b|"
    r"\b(?:(?:is there )?anything (?:i|we|you|he|she|they|the \w+) (?:need|needs|has|have|ought|should|must)(?: to)?|"
    r"(?:do|does|would|will) (?:i|we|he|she|they|the \w+|a \w+) (?:need|have) to|"
    r"(?:am i|are we|is he|is she|are they) (?:supposed|meant|expected) to)\b")
#: Such a question in question order ("do they need anything special to get on site"), which shows it even in a
#: recogniser's transcript without a question mark.
_REQUIRED_ASKED = re.compile(r"\b(?:do|does|would|will) (?:i|we|he|she|they|the \w+|a \w+) (?:need|require) anything\b")
#: A request supposed, not made ("if I ask for access to a system, who has to approve it?", "what happens if we
#: report a fault out of hours?"): with a wh-question, it asks how things go, which the articles answer.
_SUPPOSED = re.compile(r"\bif (?:i|we|you|he|she|they|someone|somebody|anyone|a \w+)(?: \w+){0,2}? (?:ask|asks|want|wants|need|"
                       r"needs|request|requests|put|puts|apply|applies|raise|raises|log|logs|report|reports|book|books|"
                       r"order|orders|make|makes|open|opens|create|creates|submit|submits|send|sends)\b")
_WH_WORD = re.compile(r"\b(?:who|what|how|which|where|when)\b")
#: Thanks or a hedge run on before a question, unpunctuated ("thanks and roughly how long for a low one").
_THANKS_LEAD = re.compile(r"^(?:(?:thanks|thank you|cheers|great|lovely|ok|okay|right|and|so|roughly|approximately|just|"
                          # (acknowledgements before the next question: "OK, good. Will somebody ring me?")
                          r"good|fine|perfect|brilliant|alright|all right|fair enough|got it|understood|i see)\b[\s,]*)+")
#: A question run on after thanks, unpunctuated ("thanks and roughly how long for a low one").
_ASKED_INSIDE = re.compile(r"\bhow (?:long|soon|quickly|much|many|often|far)\b|"
                           r"\b(?:what|which|when|where|who) (?:is|are|does|do|did|will|would|should|can)\b")
#: A request put as a question of what the line does ("is that something you can request for me?").
_SOMETHING_YOU_DO = re.compile(r"\b(?:something|anything|a thing) (?:you|you guys|the desk|it) (?:can|could|would)\b")
#: A question of what a request takes ("does that need approval?", "will I have to sign anything?"): how it is done,
#: never how a record stands.
_WHAT_IT_TAKES = re.compile(r"^(?:and |so |but )?(?:does|do|will|would|is) (?:that|it|this|i|we|he|she|they|there)\b"
                            r"(?: \w+)?? (?:need|needs|require|requires|have to|has to|got to|be needing)\b")
#: How a condition opens a sentence ("if ...", "and in case ...").
_CONDITION_OPENS = r"^(?:and |but |so )?(?:if|what if|in case|should) "
#: A condition said before the question ("if they can't make it on the day, ...").
_LEADING_CONDITION = re.compile(_CONDITION_OPENS + r"[^,?]+,\s*")
#: A question of what may be done should something happen ("if they can't make it on the day, can we move it later
#: on?", "if it gets worse, can I ring back?"): what is possible then, not a request now. (A condition on the one
#: asked, "if you could", "if possible", "if that's ok", is only polite.)
_IF_THEN_CAN = re.compile(_CONDITION_OPENS + r"(?!(?:you|possible|poss|that'?s|it'?s (?:ok|okay|alright|"
                          r"possible|not too))\b)[^,?]{3,},\s*(?:can|could|would|will|do|does|is|am|are|should) (?:i|we|they|it|he|she|"
                          r"that|someone|somebody)\b[^?]*\?$")
#: A question about things of a kind in general, not the one just read: "normally", "usually", or the kind with
#: "a" ("how long would a low priority ticket take?", "do you ever send an engineer on a Sunday?").
_IN_GENERAL = re.compile(r"\b(?:normally|usually|generally|typically|in general|on average|as a rule|tend to|ever)\b|"
                         r"\b(?:a|an|any)\s+(?:[\w-]+\s+){0,2}(?:tickets?|incidents?|jobs?|work orders?|requests?|visits?)\b|"
                         # ("the target time for a medium one": one of a kind, said by its choice)
                         r"\b(?:for|with|on) (?:a|an) (?:low|medium|high|urgent|critical|priority \w+)(?: priority)? ones?\b")
#: One thing in place of another: "can we do Monday instead", "rather move it".
_INSTEAD = re.compile(r"\b(?:instead|rather|in its place)\b")
#: A person booked to come ("can you book him back in on Friday?", "book someone out for Monday").
_BOOKED_IN = re.compile(r"\b(?:book|get|send|have)(?: me| us)? (?:him|her|them|someone|somebody|anyone|anybody|an? [a-z]+)(?: back)? "
                        r"(?:in|out|over|round|down|up|here|there|along|on site|to (?:site|us|the site))\b|"
                        r"\b(?:someone|somebody|a technician|an engineer|a tech)(?: back)?(?: out (?:on|by|for)?)? ?(?:this|next|tomorrow|"
                        r"today|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
#: The kinds of record a caller asks to be made ("raise a job", "log a ticket", "put a request in").
_RECORD_KINDS = ("job", "ticket", "work order", "workorder", "work-order", "incident", "fault", "call-out", "callout", "request")
#: Words that make a record, before its kind ("raise me a new job") or after it ("a ticket opened").
_MAKES = r"(?:raise|log|open|create|put in|submit|make|start|report|set up|book in|book)"
_MADE = r"(?:raised|logged|opened|created|put in|submitted|made|started|set up|booked)"


def _made_by_kind(low: str, names: Sequence[str], loosely: bool, told: bool = False) -> bool:
    """Whether ``low`` asks for a new record called one of ``names`` by a word that makes one ("open an incident",
    "need a work order raised", "I want a new job"), or wants one and asks nothing of it ("need a work order");
    ``loosely``, any wish for one ("I need a service request"); ``told`` (the agent just said to make one), "the"
    one too ("please make the ticket")."""
    kind = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    wish = r"(?:need|want|like|get|submit|ask for|do)\b(?: [\w']+){0,2}?"
    article = "(?:a|an|another|the|that)" if told else "(?:a|an|another)"
    # (the kind may be said with what it is: "raise a field job", "log an IT ticket")
    return bool(re.search(rf"\b{_MAKES}(?: me| us)?(?: [\w']+){{0,2}}? {article}(?: new)?(?: [\w'-]+)?? {kind}\b", low)
                or re.search(rf"\bput (?:me |us )?(?:a|an|another)(?: new)? {kind} in\b", low)
                or re.search(rf"\b{wish} (?:a|an|another)(?: new)? {kind} {_MADE}\b", low)
                or re.search(rf"\b{wish} (?:a new|another) {kind}\b", low)
                # "need a work order", "I want a job for the pump": one wanted, with nothing after that asks of it.
                or re.search(rf"\b(?:need|want|like|get)(?: me| us)? (?:a|an) {kind}(?= *(?:$|[,.;:!?]|(?:for|on|about|please|to)\b))",
                             low)
                or (loosely and re.search(rf"\b{wish} (?:a|an|new) {kind}\b", low)))


#: Asking to be told what something holds: "read me the latest note", "tell me what the comment says".
_TELL_ME = re.compile(r"\b(?:read|tell|give) (?:me|us) (?:out |back )?(?:the|what|its|their|that|any)\b|"
                      r"\bread (?:out|back) (?:the|what)\b|\bwhat (?:does|did|do) (?:the|that|its|their) (?:[\w-]+ ){0,3}say\b|"
                      r"\bwhat(?:'s| is| was) (?:the )?(?:latest|last) (?:note|comment|update)\b")
#: A question that asks for something to be told, not done ("when will it be done?", "what's it at?").
_WH_QUESTION = re.compile(r"(?:when|what|where|who|whose|which|how|why)\b")
#: A question of when something will happen ("when's he coming?", "what time will they be here?").
_WHEN_QUESTION = re.compile(r"(?:when|what time|what day|how (?:long|soon) (?:until|till|before))\b"
                            # ... not a clause of time ("when I pick up the handset there's no noise at all", "when the
                            # engineer comes can he ..."), its verb straight after its subject, with no question mark after
                            r"(?!(?=[^?]*$) (?:i|we|you|they|he|she|it|someone|somebody|anyone|people|everyone|"
                            r"(?:the|my|our|a|an) [a-z']+) "
                            r"(?!(?:will|would|can|could|is|are|was|were|do|does|did|has|have|should|'s|'re)\b)[a-z']+)")
#: A question whether something was done about it ("did anybody ever fix it?", "has someone been out to it yet?"):
#: asked of a job that may exist, never of a new fault.
_DONE_QUESTION = re.compile(r"(?:did|has|have|had|was|were)\s+(?:any(?:one|body)|some(?:one|body)|it|they|that|this|he|she|"
                            r"the (?:job|work|fault|problem))\b.*\b(?:ever|yet|fix\w*|sort\w*|repair\w*|look\w* at|"
                            r"been (?:out|done|seen)|dealt with|done|signed off|sign(?:ed)? it off|finished|completed|closed (?:off|out))\b|"
                            # (or whether it stands so now: "INC-20007. Is that closed?", "is it sorted yet?")
                            r"(?:is|are)\s+(?:it|they|that|this|the (?:job|ticket|fault|problem))\s+(?:\w+\s+)?"
                            r"(?:closed|done|finished|fixed|sorted|resolved|complete|completed)\b")
#: A question for a person or a time ("who do I chase?", "when's he coming?").
_WHO_OR_WHEN = re.compile(r"(?:who|whom|whose|when)\b")
#: A question about what is usual, which the articles answer ("what hours do your engineers work?").
_HABIT_QUESTION = re.compile(r"\bwhat (?:hours|times|days) (?:do|does)\b|\b(?:usually|normally|typically|generally)\b")
_REQUEST_QUESTION = re.compile(r"(?:can|could|would|will) you\b|(?:can|could|may) (?:i|we)\b|please\b|"
                               # someone sent asked for: "could a technician come out tomorrow?", "can someone look at it?"
                               r"(?:can|could) (?:someone|somebody|anyone|anybody|(?:a|an|the|your|one of your) [a-z]+) "
                               r"(?:come|pop|get out|look|have a look|take a look|fix|sort)\b")
#: A sentence that says what the caller needs ("I need a replacement", "we'd like someone out").
_NEED = re.compile(r"^(?:\W*(?:so|and|but|well|just|really|now)\W+)*(?:i|we) (?:(?:don'?t|do not|no longer|won'?t|will not) )?"
                   r"(?:need|want|would like|'?d like)\b")
#: A thing asked for: "I need a proper headset ...", "we'd like another monitor".
_A_THING_NEEDED = re.compile(_NEED.pattern + r" (?:a|an|another|some|new|one of)\b")
#: A question asked inside a statement; the question is what follows ("... when he's coming").
_INDIRECT_QUESTION = re.compile(r"(?:\b(?:need to know|want to know|like to know|wants to know|wondering|tell me|find out|let me know|"
                                r"(?:is|are|was|were|'s|'re) asking|asked me|"  # ("my tech's asking what asset T-1402 is")
                                r"no idea|checking|(?:nobody|no one|no-one) (?:has |had )?(?:told|tells) (?:me|us))\s+"
                                # "I don't know where it is": what a look-up tells (not "... what's wrong": a fault)
                                r"|\b(?:don'?t|do not) know\s+(?=where|which))"
                                r"((?:when|whether|if|where|what|which|who|how)\b(?:(?!\s(?:because|'?cos|since|as|so)\b)[^.?!,;])*)")
_QUESTION = re.compile(r"(?:when|what|where|why|who|whose|which|how|has|have|is|was|were|did|does|any|anything|anyone|anybody|"
                       r"whats|wheres|hows|whos)\b")  # (a recogniser writes "whats" for "what's")
#: How "Shall I go ahead?" is said as it comes round again in a row (each a yes/no question: ``acts.yes_no_question``).
GO_AHEAD_FORMS = (slots.GO_AHEAD, "Shall I send it now?", "Is it good to go?")
#: A yes with at most this many words after it that starts a task is an order to do it ("yes, close it").
GO_AHEAD_WORDS = 4
#: Words (stems) an article's answer must share with a question nothing the line does fits, to be said for it: one
#: shared word ("is the car park open?": "The status is open, ...") is chance, and a place named is no topic.
ARTICLE_SHARED_STEMS = 2
#: Said when the caller announces several things before saying any.
GO_ON = "Sure. Go ahead with the first one."
#: The offer of the second request when the first one's result leaves no room to name it.
SHORT_OFFER = "Shall we do the other thing you mentioned now?"
#: Words of a finished request's result said before the next one's read-back when it has no reference sentence.
LATER_RESULT_WORDS = 10
#: Greetings, left out with names when telling whether a clause asks for anything ("hi, Grace Kim, asset management").
_GREETING = re.compile(r"\b(?:hi|hello|hey|hiya|morning|afternoon|evening|good (?:morning|afternoon|evening))\b", re.I)
#: The caller asks for both of two requests at once ("log both of them", "medium for both").
_BOTH = re.compile(r"\b(?:both|all of them|the two of them|each of them|the pair of them)\b|"
                   r"\b(?:that one|this one|the other one|the second one|that|the other|the second) (?:too|as well)\b")
#: A second new record asked for while the first is read back: "another job for that", "a separate ticket for the dock".
_ANOTHER_NEW = re.compile(r"\b(?:another|a second|a separate|a new|one more) (?:one|job|ticket|work order|incident|request)\b")
#: Words that open another matter ("and the printer's jammed too", "also, ...", "another thing: ...").
_MORE_TO_TELL = re.compile(r"(?:(?:please|thanks|thank you|cheers|great|lovely|ok|okay)\W+)*"
                           r"(?:and|also|oh|plus|another|separately|one more|while)\b")
#: A fault told before that is not put right ("it still fails", "no better", "it's worse", "it's gone again").
_NOT_FIXED = re.compile(rf"\b(?:still|no better|(?:got|getting|gone) worse|worse than|{AGAIN_OF_FAULT})\b")
#: A caller telling of an earlier call or ticket ("I rang on Monday about ...", "it's me again, I reported ...").
_EARLIER_CALL = re.compile(r"(?:^|[.!?]\s+)(?:\S+\s+){0,6}?(?:(?:i|we) (?:called|rang|phoned|reported|logged|raised|put in|"
                           r"asked for)|(?:i|we) (?:was|were) (?:told|promised)|(?:they|you|someone|somebody) (?:said|told|"
                           r"promised)|"
                           # ... or someone else's earlier report ("our supervisor reported the generator failing ...")
                           r"(?:my|our|the) (?:[\w-]+ ){1,2}(?:called|rang|phoned|reported|logged|raised|put in))\b")
#: Adding words to a record, the words after it ("add that ...", "can you also add: ...", "add saying ...", "can you
#: add to INC-20004 that ...").
_ADD_THAT = re.compile(r"^(?:(?:and|also|oh|ok|okay|right|yes|yeah|please|can you|could you)\W+)*(?:also\s+)?add\s*"
                       r"(?:(?:on)?to (?:[\w-]+ ){1,4}?)?(?:that\b|saying\b|:)")
#: Who is calling and from where ("hello, Olivia Grant from operations", "it's Sam at the depot"): no request.
_WHO_CALLS = (r"^(?:(?:hi|hello|hey|morning|afternoon|good (?:morning|afternoon|evening))\W+"
              r"(?:(?:this is|it'?s|i'?m|i am|my name is|name'?s) )?|(?:this is|it'?s|i'?m|i am|my name is|name'?s) )"
              r"(?!(?:the|my|our|a|an|this|that|your)\b)(?:(?![a-z'-]*ing\b)[a-z'-]+ ){0,2}(?![a-z'-]*ing\b)[a-z'-]+ ")
_INTRODUCTION = re.compile(_WHO_CALLS + r"from (?:the )?(?:[a-z'-]+ ?){1,3}$")
#: Who is calling, then where they are ("this is Priya at Riverside Pumping Station, site 12"): the place, judged
#: as "I'm at ..." is.
_WHO_AT = re.compile(_WHO_CALLS + r"(?:here )?(?:at|from|in) ([^.?!]*)$")
#: The caller telling of an earlier call or report ("I rang on Monday about", "we got cut off, I was reporting").
_TOLD_BEFORE = re.compile(r"\b(?:(?:i|we) (?:called|rang|phoned|reported|logged|raised)|(?:i|we) (?:was|were) "
                          r"(?:reporting|calling about|ringing about|logging)|(?:got|were) cut off)\b")
#: A record pointed at, not named ("add to it", "put that on the job", "on the same ticket").
_POINTS_AT_IT = re.compile(r"\b(?:to|on|onto|in|into|for|with) (?:it|that|this|the same|the job|the ticket|the work order)\b|"
                           r"\b(?:add|put|note|log|stick|make|bump|move|change|escalate|close|cancel) (?:it|that)\b")
#: What is left of "yes, that's all correct" once the yes is taken: agreement with what was said, nothing more.
_CONFIRMED = re.compile(r"(?:(?:that|it|thats|its)?\s*(?:'s|is|s)?\s*)?(?:all |quite |absolutely |exactly )?(?:correct|right)"
                        r"(?: (?:thanks|thank you|cheers))?")
#: A request said before, pointed at by a word of it: "the Maximo one", "the docking station request".
_THE_ONE = re.compile(r"\bthe ([a-z][\w'-]*(?: [a-z][\w'-]*)?) (?:one|request|job|ticket|thing|fault|issue|problem)\b")
#: The most words a turn pointing at a request said before has ("yes, please put in the Visio one as well").
POINTER_WORDS = 10
#: A fault told as gone ("it connects fine now", "it's stopped doing it", "it sorted itself out"): nothing to report,
#: news for the record it was reported on.
_GONE_NOW = re.compile(r"\b(?:(?:works?|working|connects?|connecting|prints?|printing|fine|ok|okay|all right|alright)"
                       r"(?: fine| ok| okay| properly| normally)? (?:now|again)|(?:stopped|stops) (?:doing (?:it|that)|happening)|"
                       r"(?:fixed|sorted|cleared|resolved) itself|(?:has|'s|is) (?:gone away|cleared up|sorted itself))\b")
#: A word that makes a clause say something: an auxiliary, a modal, a verb of wanting or a participle.
#: "there" as a place ("open jobs there", "send someone out there"), not "there is", "is there" or "hi there".
_THERE_PLACE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bhi )(?<!\bhello )(?<!\bhey )"
                          r"(?<!\bup )(?<!\bin )(?<!\bdown )(?<!\bunder )(?<!\binside )(?<!\bbehind )"
                          r"(?<!\byou're )(?<!\byoure )(?<!\byou are )(?<!\bstill )(?<!\byou )"  # ("while you're there", "still there?")
                          r"(?<!\bget )(?<!\bgets )(?<!\bgot )(?<!\barrive )(?<!\barrives )"  # ("when they get there": on arrival)
                          r"(?<!\bit )\bthere\b"  # ("leave it there": a point in the call, not a place)
                          r"(?!\s*(?:is|are|was|were|'s|s|'re|has|have|had|will|'ll|might|may|must|should|could|seems?|"
                          r"used|isn'?t|aren'?t|wasn'?t|weren'?t)\b)")
#: The things just named, asked for in the plural ("which ones?", "what ones have we got?", "list them").
_WHICH_ONES = re.compile(r"\b(?:which|what) ones\b|\bhow many\b|\blist (?:them|those|the lot)\b")
#: What a record is asked for by a noun alone ("and status of INC 20003", "progress on WO-10002").
_STATUS_NOUN = re.compile(r"\b(?:status|progress|update|news)\b")
_VERB = re.compile(r"\b(?:is|are|was|were|be|been|am|has|have|had|do|does|did|can|could|will|would|shall|should|may|might|"
                   r"must|need|needs|want|wants|got|get|keeps?|stopped|won'?t|can'?t|isn'?t|doesn'?t|didn'?t|[a-z]+ing|"
                   r"[a-z]{3,}ed)\b|[a-z]'s\b|'re\b|'ve\b|'ll\b|"
                   # a present tense after its subject ("whenever I open a job it shuts down")
                   r"\b(?:i|we|they|he|she|it)\s+(?!(?:the|a|an|and|or|too|also|just|all|both)\b)[a-z]{2,}\b")
#: The question just answered, asked of another thing ("And on a pump?", "What about the compressors?").
_ANOTHER_THING = re.compile(r"^(?:(?:ah|oh|ok|okay|right|i see|cool|great|thanks|ta)\W+)*"
                            r"(?:and|what about|how about|and what about|and how about)\b")
#: Asked whether something is so ("tell me if anyone's booked", "do you know whether it's been fixed").
_WHETHER = re.compile(r"\b(?:tell me|let me know|do you know|can you (?:tell me|check|see)|could you (?:tell me|check|see)|"
                      r"i (?:want|need) to know|wondering|find out)\s+(?:if|whether)\b")
#: Asked whether an act was done already ("did the escalation on my ticket go through?", "has it been approved?").
_DONE_ASKED = re.compile(r"\b(?:did|has|have) (?:[\w']+ ){0,6}?(?:go|gone) through\b|\b(?:has|have|was|were) (?:it|that|they|"
                         r"this|the \w+) (?:been |actually been )?(?:escalated|cancell?ed|canceled|approved|done|booked|"
                         r"moved|sorted|processed|actioned|raised|logged)\b(?! (?:it|that|please)\b)|"
                         rf"\b(?:{_ANYONE}|(?:is|are) (?:an engineer|a technician)) (?:booked|scheduled|due)\b")
#: Which thing is meant, said as "the ... one" ("the air conditioning one", "that VPN one"): no news; "one" starting
#: a number ("the job one oh oh four") is not it.
_WHICH_ONE = re.compile(r"\b(?:the|that|this)\s+(?:[a-z'-]+\s+){1,3}?ones?\b(?!\s+(?:oh|zero|one|two|three|four|five|"
                        r"six|seven|eight|nine|double|triple|\d))")
#: Verbs of asking after a record's progress ("I'm chasing incident 20030", "any update on ...").
_CHASING = re.compile(r"\b(?:chas(?:e|es|ing)|follow(?:ing)? up|check(?:ing)? (?:on|up on|in on)|any (?:news|update|progress)|"
                      r"where (?:it|that|things) (?:is|are|stands?))\b")
#: A question of where a record stands ("can you tell me where my ticket INC-20003 is at?", "how's the pump job
#: getting on?", "what's happening with SR 30002?"): its status, whatever else the words sound like.
# (A recogniser's "whats", "hows" and "wheres" too.)
_STANDING = re.compile(r"\bwhere(?:(?:'?s| is| are)(?:\s+[\w'-]+){1,6}?|(?:\s+[\w'-]+){1,6}?(?:'s|\s+is|\s+are))\s+(?:at|up to)"
                       r"(?=\s*(?:$|[?.!,;]|now\b|right now\b|at the moment\b|with\b|please\b))|\bwhere are (?:we|things) (?:at |up to )?with\b|"
                       r"\bhow(?:'?s| is| are)(?:\s+[\w'-]+){1,5}?\s+(?:going|getting on|coming along)\b|"
                       # asked inside a sentence: "could you tell me how the job on the intake pump is going?"
                       r"\bhow (?:the|my|our|that|this|it)\b(?:\s+[\w'-]+){0,8}?(?:'s|\s+is|\s+are)\s+(?:going|getting on|coming along)\b|"
                       r"\bwhat(?:'?s| is) (?:happening|going on) (?:with|on)\b|"
                       # ("I want to know what's being done", "what are you doing about it?": the work on it so far)
                       r"\bwhat(?:'?s| is| are| has| have)(?: been| being)+ done\b|\bwhat (?:are|is) (?:you|they|anyone|anybody|someone|somebody) "
                       r"(?:doing|going to do) (?:about|with)\b|"
                       # ("I want to know about my complaint, INC 20001", "I ask about my request")
                       r"\b(?:know|hear|find out|ask|asking|enquire|enquiring|inquire|inquiring) about (?:my|our|the|this|that)\b")
#: Words that join the items of a list of numbers: "SR 30005 and 30004", "10001, 10002 and also 10004".
_LIST_JOINS = {"and", ",", "&", "also", "plus", "then", "or", "number", "no", "the"}
#: Asking what comes after a request is done: "what happens now?", "will someone call me?", "does someone ring me first
#: or just turn up?".
_NEXT_STEPS = re.compile(r"\bwhat happens (?:now|next|after (?:this|that))\b|\bwhat(?:'s| is) next\b|\bwhat now\b|"
                         r"\b(?:will|does|do|would) (?:someone|somebody|anyone|anybody|they|a person|an engineer|a technician|"
                         r"the team|the engineer|the technician) (?:\w+ )?(?:call|ring|phone|contact|get back to|email|text) (?:me|us)\b")
#: A question about how a record stands now: who comes or has it, whether anyone is booked, how far it got.
_STANDS_NOW = re.compile(r"\b(?:booked|visits?|coming|come (?:out|and|round|over)|engineers?|technicians?|tech|"
                       r"anyone|anybody|someone|somebody|status|progress|happening|"
                       r"who(?:'s| has| is)? (?:\w+ )?(?:got|on|dealing|working|looking|handling))\b")
#: Something told as not working: "can't get our printing out", "nothing comes up", "it won't start", "it's dead".
_BROKEN_TOLD = re.compile(r"\b(?:can'?t|cannot|won'?t|isn'?t|doesn'?t|didn'?t|not) (?:\w+ ){0,2}(?:work|working|start|print|"
                          r"printing|connect|load|open|come|coming|get|turn|switch|log|send|save|sync|respond|responding)\b|"
                          r"\bnothing (?:comes?|happens|prints?|works|loads)\b|"
                          r"\b(?:stopped|broken|broke|failed|failing|crashed|frozen|froze|dead|keeps? (?:dropping|crashing|failing))\b")
#: How soon a record will be seen to: "how long will it take now?", "how quickly will they get to it?".
_HOW_SOON = re.compile(r"\bhow (?:long|soon|quickly|fast)\b(?! (?:ago|have i|do i|does it take to))|"
                       r"\bwhen (?:will|would|might|should) (?:it|they|someone|somebody|anyone|an engineer|a technician)\b")
#: Where one request may end and another begin, when no switch cue says so: a conjunction or a new sentence.
_CLAUSE_BOUNDARY = re.compile(r"(?:,\s*|\s)and(?: then)?\s|[.;!?]\s+|,\s*(?:plus|while)\s", re.I)
#: The next of the requests a caller counted, at a clause boundary: "and second, ...", "secondly", "the other thing is".
_NEXT_ONE = re.compile(r"(?:[.;!?,]\s*|\s)(?:and\s+)?(?:second(?:ly)?|third(?:ly)?|the (?:second|other|next) (?:thing|one|question)|"
                       r"another thing|next)\b", re.I)
#: Boundaries tried per turn (each costs two router decisions), and the words a request needs at least.
MAX_SPLITS = 4
#: Requests kept from one turn started one after the other without being offered (reads the caller named).
MAX_STARTED = 4
#: How deep a turn's parts are split again into parts (each level costs up to ``MAX_SPLITS`` more boundaries).
MAX_NESTED = 2
MIN_CLAUSE_WORDS = 4
#: Digits a number after a record's kind has at least to be taken as its number misheard ("job one zero zero one").
NEAR_NUMBER_DIGITS = 3
_THANKS = re.compile(r"\b(?:thanks|thank you|cheers|ta|lovely|brilliant|great|perfect)\b")
#: "That's everything": at a read-back, all of it is right.
_ALL_SAID = re.compile(r"\b(?:that'?s (?:everything|all|it|the lot)\b(?! (?:wrong|off|incorrect))|nothing (?:else|more)\b(?! (?:is|was) )|"
                       r"that(?:'?ll| will) (?:be all|do)\b|that'?s me(?: done| sorted)?\b|(?:all|i'?m|we'?re) done\b(?! with (?:it|that|this)))")
#: What a yes to "anything else?" may carry and still only say there is more: "yes, actually, one more thing".
#: Words around a value given again for a look-up ("sorry, I meant ..., not ...", "what about ... instead?").
_READ_AGAIN_WORDS = {"sorry", "meant", "mean", "what", "about", "instead", "actually", "then", "there", "please",
                     "rather", "wait", "hang", "hold", "oops", "should", "have", "said", "same"}
#: Words that say where a caller is, around the place ("I'm calling from ...", "we're over at ... here").
_WHEREABOUTS = {"hello", "hiya", "morning", "afternoon", "evening", "calling", "ringing", "phoning", "here", "over",
                "down", "just", "currently", "right", "now", "today", "this", "from", "site", "there"}
#: Words that say what the caller does at a place ("I manage Riverside", "duty supervisor at Stonebridge"): who they are.
_ROLE_WORDS = {"manage", "manager", "managing", "supervise", "supervisor", "look", "looks", "after", "charge", "duty",
               "shift", "lead", "engineer", "technician", "operator", "coordinator", "work", "works", "based", "the",
               "team", "boss", "foreman", "planner", "controller", "assistant", "head"}
#: Where the caller is, said of themselves ("hi, I'm down at ...", "we're over at ...", "calling from ...").
_WHERE_I_AM = re.compile(r"^(?:(?:hi|hiya|hello|hey|(?:good )?(?:morning|afternoon|evening)|yeah|so|right|excuse me)\W+)*"
                         r"(?:i'?m|i am|we'?re|we are|"
                         r"(?:i'?m |i am )?(?:calling|ringing|phoning)(?: you)?)\s+(?:(?:out|down|up|over|based|currently|just|"
                         r"here)\s+)*(?:at|in|on|from)\b([^.?!]*)$")
#: Words that tell how something is, not where ("is", "won't", "keeps").
_STATE_WORDS = {"is", "are", "was", "were", "has", "have", "had", "keeps", "won't", "can't", "isn't", "doesn't", "not",
                "no", "broken", "down", "off", "dead"}
#: A turn that only thanks ("cheers", "ok thank you very much").
_ONLY_THANKS = re.compile(r"(?:(?:ok|okay|right|oh)\W+)?(?:thanks|thank you|cheers|ta|many thanks)"
                          r"(?:\W+(?:very much|a lot|mate|love))?\W*")
#: A word of praise then thanks ("great, thanks", "lovely, cheers", "perfect thank you").
_PRAISE_THEN_THANKS = re.compile(r"^(?:oh |ok |okay |right )?(?:great|lovely|perfect|brilliant|fantastic|excellent|super|"
                                 r"smashing|wonderful|champion|nice one|cool|ace|ok|okay|alright|all right|right|fine)"
                                 r"\W+(?:\w+\W+)?(?:thanks|thank you|cheers|ta)\b")
_MORE_WORDS = {"please", "actually", "one", "more", "thing", "there", "is", "something", "else", "another", "yeah", "sure"}
#: A record the caller points at: "my work order", "the aircon job", "that ticket" ("raise a job" makes one).
_RECORD_NOUN = re.compile(r"\b(?:my|the|that|this|our|same|his|her|their)\s+(?:[\w'-]+\s+){0,3}?"
                          r"(?:work ?orders?|jobs?|tickets?|incidents?|requests?|cases?|call-?outs?)\b")
#: An order to send what is being made ("yes, log it", "go ahead", "put it through").
_GO_AHEAD = re.compile(r"\b(?:go ahead|log it|send it|raise it|book it|submit it|file it|do it|put it (?:through|in)|"
                       r"get it (?:done|logged|booked))\b")
_GOODBYE = re.compile(r"\b(bye|goodbye|bye bye|cheerio|ta ta|that'?s all|that is all|nothing else|no thanks|no thank you|"
                      r"i'?m done|that'?s everything|(?:i'?ll |we'?ll |let'?s )?leave it (?:there|at that)|that'?ll do|"
                      r"that will do)\b(?! (?:correct|right|fine|good|ok|okay|true)\b)")


class Agent(Protocol):
    """What the brain needs from a domain agent (embedded ``DomainAgent`` or ``LlmAgent``)."""

    site_names: dict[str, int]  # site name -> number, read from the field-ops server at start-up
    def answers(self, text: str, state: CallState) -> str | None: ...
    def acts_on_other_record(self, intent: str, text: str, state: CallState) -> bool: ...
    def reason_given(self, text: str, state: CallState) -> str: ...
    def start(self, intent: str, text: str, state: CallState, *,
              hints: Mapping[str, Any] | None = None) -> AsyncIterator[Action]: ...
    def continue_task(self, text: str, state: CallState) -> AsyncIterator[Action]: ...
    def reprompt(self, state: CallState) -> str: ...
    def alternative(self, state: CallState) -> AsyncIterator[Action]: ...


class SwitchboardBrain:
    """Implements ``agent.contracts.brain.Brain``."""

    def __init__(self, coordinator: Any, tools: ToolManager, handoff: Any, agent: Agent,
                 *, open_coordinator: Callable[[], Any] | None = None,
                 similar: Callable[[str, Sequence[str]], Sequence[float]] | None = None) -> None:
        self.coordinator = coordinator  # None until start() when ``open_coordinator`` is given
        self._open_coordinator = open_coordinator
        self.tools = tools
        self.handoff = handoff
        self.agent = agent
        self.similar = similar  # sentence meaning, for a yes said in words no list holds (``acts``)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SwitchboardBrain":
        from agent.routing.coordinator import Coordinator
        from agent.routing.policy import load_policy
        from agent.handoff.service import HandoffService

        tools = ToolManager.from_settings(settings)
        limit = load_policy(settings.policy_file).tool_failure_limit
        agent: Agent
        from agent.embeddings import shared_encoder

        # The router's sentence encoder (one per process) also reads choices and a yes said in the caller's words.
        similar = shared_encoder().similarity
        if settings.azure_openai_endpoint and settings.azure_openai_deployment:
            from agent.brain.llm import AzureModelClient, LlmAgent

            agent = LlmAgent(tools, AzureModelClient.from_settings(settings),
                             holding_phrase_ms=settings.holding_phrase_ms, failure_limit=limit,
                             duplicate_window_s=settings.duplicate_window_s)
        else:
            agent = DomainAgent(tools, holding_phrase_ms=settings.holding_phrase_ms, failure_limit=limit,
                                duplicate_window_s=settings.duplicate_window_s, similar=similar)
        # The knowledge index is opened in start(), not here: on a new sandbox's first start it is
        # built (seconds of CPU), and nothing on the way to the greeting needs it.
        return cls(None, tools, HandoffService(settings), agent,
                   open_coordinator=partial(Coordinator.from_settings, settings), similar=similar)

    async def start(self) -> None:
        if self.coordinator is None and self._open_coordinator is not None:
            self.coordinator, _ = await asyncio.gather(asyncio.to_thread(self._open_coordinator), self.tools.start())
        else:
            await self.tools.start()
        self.agent.site_names.update(await fetch_site_names(self.tools))

    async def close(self) -> None:
        await self.tools.close()
        await self.handoff.close()
        if self.coordinator is not None:
            self.coordinator.close()

    async def greet(self, state: CallState) -> AsyncIterator[Action]:
        yield Say(GREETING)

    def keypad_length(self, state: CallState) -> int | None:
        """The digits the slot being asked for takes (a work-order number: five), if fixed."""
        task = state.task
        spec = self.tools.tool(task["server"], task["tool"]) if task and task.get("asking") else None
        if spec is None:
            return None
        asked = next((s for s in slots.slots_of(spec.input_schema) if s.name == task["asking"]), None)  # type: ignore[index]
        return digits_expected(asked.schema) if asked is not None else None

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        async for action in self._respond(turn, state):
            if isinstance(action, Say) and action.text == ANYTHING_ELSE:
                # Asked after each thing done: in other words each time, so a caller with three things to do
                # does not hear the same question three times.
                asked = sum(t.get("role") == "agent" and t.get("text") in ANYTHING_ELSE_FORMS for t in state.turns)
                action = dataclasses.replace(action, text=ANYTHING_ELSE_FORMS[asked % len(ANYTHING_ELSE_FORMS)])
            elif isinstance(action, Say) and action.text.endswith(GO_AHEAD_FORMS[0]):
                # A caller changing one value a turn ("site thirteen, no, thirty", "urgent, not medium") hears each
                # taken back, and the go-ahead asked in other words each time round, not the same sentence again.
                said = [t.get("text", "") for t in state.turns if t.get("role") == "agent" and not t.get("filler")]
                running = next((n for n, x in enumerate(reversed(said)) if not x.endswith(GO_AHEAD_FORMS)), len(said))
                form = GO_AHEAD_FORMS[running % len(GO_AHEAD_FORMS)]
                action = dataclasses.replace(action, text=action.text[:-len(GO_AHEAD_FORMS[0])] + form)
            yield action

    async def _respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        # ("... work order one zero zero one two, sorry no, one zero zero one four": the one put right is not heard.)
        # ("... what I must do?": a question said in a statement's order is read in a question's.)
        text = entities.dtmf_digits(turn.text) if turn.kind == "dtmf" else grammar.inverted(entities.repaired(turn.text))
        if languages.foreign(turn.language, turn.turn) and not state.task:
            async for action in self._other_language(str(turn.language), state):
                yield action
            return
        # ("Yes, go ahead with that one too" to a read-back while another waits is kept whole: it accepts both.)
        both = bool(state.dialogue.get("later") and _BOTH.search(text.lower()))
        if not both and self.similar is not None and entities.yes_no(text).yes is None \
                and acts.yes_no_question(self._last_said(state, "")) and acts.assents(text, self.similar):
            text = "yes"  # "go for it" to "Shall I go ahead?": a yes in words no list holds
        elif not both and (state.task or {}).get("confirming") and not state.task.get("duplicate_of") and (
                slots.orders(str(state.task.get("tool", "")), text)
                or (_ONLY_THANKS.fullmatch(text.strip().lower()) and not self._last_said(state, "").startswith("Sorry"))):
            # At the read-back ("Do you want another one?" is none), the act asked for ("can you escalate it?"), or
            # "thanks": it was heard, and nothing was said against it (after "Sorry, I didn't follow" something was,
            # that was not understood).
            text = "yes"
        if self._asks_of_the_offered(text, state):
            text = "yes"  # "Is anyone booked to go out to it?" to "Is it WO-10003: ...?": that one, read
        if len(text) > MAX_TURN_CHARS:
            yield Say("Sorry, that was far too long for me to take in.")
            yield Say(self.agent.reprompt(state) if state.task else "Could you say it in a sentence or two?")
            return
        text = self._place_pointed_back(text, state)
        later = state.dialogue.get("later")
        options_before = state.dialogue.pop("options_of", None)  # the choice a question just before was about
        if later and state.task and _BOTH.search(text.lower()):
            # "Yes, log both", "medium for both": the second request is accepted now, with what was said for both.
            # With a yes or a go-ahead ("yes, go ahead with both") the second is as good as sent once read back.
            sent = entities.yes_no(text).yes is True or bool(_GO_AHEAD.search(text.lower()))
            # Only a value said for both joins the second's words: "yes, do both" is no comment for it.
            said = f"{later['text']}. {text}" if self._takes(later["intent"], text, self._context()) else later["text"]
            state.dialogue["later"] = later = {**later, "text": said, "accepted": True, "go_ahead": sent}
        if later and later.get("once") and state.dialogue.get("offer") == "later" and not state.task:
            ordered = entities.yes_no(text)
            others = [i for i in INTENT_TOOLS if INTENT_TOOLS[i][0] == later["target"] and i != later["intent"]]
            if ordered.yes is not False and ordered.rest.strip() and self._names_a_tool(ordered.rest, others):
                # "Yeah, cancel it" to "shall I add that as a note?": another act ordered on what was told, heard
                # with it (the record's number and the news are there).
                state.dialogue.pop("later")
                state.dialogue.pop("offer", None)
                text = f"{later['text'].rstrip(' .')}. {ordered.rest.strip()}"
        afresh = moves.after_restart(text) if state.task else ""
        if afresh:
            # "Sorry, start again. It's not my password at all, the VPN says ...": the request so far is dropped
            # and the words after the start-over are a new request.
            state.task, text = None, afresh
        if not state.task and not state.dialogue.get("clarify") and await self._only_announces(text, state):
            # "I've got three things for you tonight": nothing to act on yet, so the caller is asked to go on.
            yield Say(GO_ON)
            return
        unknown, told = moves.admission(text) if not state.task and not state.dialogue.get("clarify") else ("", text)
        if unknown and len(_content_words(" ".join(slots.without_values(told, self.agent.site_names)))) >= 3:
            # "The lab aircon at Lakeside has packed in and I don't know the asset number" is a fault, not a
            # look-up: the request is heard without the admission, which is kept for the question it answers.
            text, state.dialogue["unknown"] = told, unknown
        earlier = moves.classify(text, in_task=False) in (moves.Move("repeat", "reference"), moves.Move("repeat", "made")) \
            and not state.task \
            and not latest_reference(state)
        if earlier:
            # "What was the reference you gave me?" with none given on this call: one from an earlier call.
            state.dialogue["unknown"] = EARLIER_REFERENCE
        told_before = ""
        if not state.task:
            text = _without_desk_doubt(text)  # ("Not sure if I want you or the field lot. The PC in the cabin is dead.")
        # (One of the records read in the call, pointed at so, is that record: "who's got the historian one?")
        if not state.task and not state.dialogue.get("clarify") and not state.dialogue.get("later") \
                and self._one_read_of_several(text, state) is None and (told_before := self._one_told_before(text, state)):
            # "Yes, log the Maximo one" after "... And Maximo's crawling again": the request told earlier in the call,
            # in the caller's own words (what it is about is there, not in "the Maximo one"), with what is asked now.
            text = f"{told_before.rstrip(' .')}. {moves.leftover(entities.yes_no(text).rest).strip() or text}"
        # Being new ("it's my first week", "I've just joined the field team") is who calls, not the request: it sounds
        # like asking for access or equipment, so the router hears the turn without it.
        decision = await self.coordinator.decide_async(_without_being_new(text) if not state.task else text, state)
        after_lost = state.dialogue.pop("lost_turn", None) == state.turn_count - 1
        if decision.policy_hits == ["low_confidence_repeat"] and after_lost:
            # Unsure again right after "Sorry, I can't help there ... What do you need?": that was no question between
            # two requests, so a request of the line's, even an unsure one, gets its own turn; nothing the line
            # does again is a person's.
            again = await self.coordinator.decide_async(text, dataclasses.replace(state, low_confidence_turns=0))
            decision = decision if self._lost(again) else again
        if state.dialogue.get("clarify") and not state.task and (no := entities.yes_no(text)).yes is False \
                and len(_content_words(no.rest)) >= 2:
            # "No, I just need a new badge" to "is it about X, or Y?": neither; what follows the no is the request,
            # heard without the no that answered the question.
            decision = dataclasses.replace(await self.coordinator.decide_async(no.rest, state), utterance=decision.utterance)
        if any(h.startswith("person_request") for h in decision.policy_hits) and (rest := _after_retraction(text)):
            # "Should I be talking to an actual person about this? Ah no, forget it, you're here now. The tag's
            # A552.": the person asked for is taken back in the same turn; what follows is the turn.
            text = rest
            decision = dataclasses.replace(await self.coordinator.decide_async(text, state), utterance=decision.utterance)
        # What the turn asks done with a record it names by its own number, if it names one (used twice below).
        named = self._done_with_id(text) if not state.task else None
        if decision.action == "route" and decision.intent.endswith(".status") and not state.task \
                and not self._names_its_ids(decision.intent, text, self._context()) \
                and (read := self._read_by_id(text)) is not None and read["intent"] != decision.intent:
            # "WO-10006, what's happening with it?" heard as an incident's status: the id's own letters say which
            # kind of record it is.
            decision = dataclasses.replace(decision, target=read["target"], intent=read["intent"])
        elif decision.action in ("route", "clarify") and named is not None \
                and (named["intent"] != decision.intent or decision.action == "clarify") \
                and (self._reads_unnamed(decision.intent, text) or INTENT_TOOLS[named["intent"]][1].startswith(NEWS_PREFIXES)
                     and (decision.intent.endswith(".status") or decision.action == "clarify")
                     and (_PASS_ON.search(text.lower()) or slots.news_to_come(text))):
            # "... about WO-10001, intake pump one. I want to add something to the job." heard as a look-up of the
            # pump: the record named by its own number is what the turn is about, and what it asks done with it;
            # "job WO-10006 ... could you give him a message?" heard as its status asks for words passed on.
            decision = dataclasses.replace(decision, action="route", **named,
                                           reason=f"{decision.reason} A record is named by its number.")
        if _person_only_guessed(decision) and not state.task:
            # Who is calling ("hi, it's Ben Carter in the control room") is no request for a person: what the
            # rest of the turn asks for decides, when there is a rest.
            rest = slots.without_introduction(text)
            if rest and rest != text:
                again = await self.coordinator.decide_async(rest, state)
                if again.intent != "human.request":
                    decision = again
        if _person_only_guessed(decision) and named is not None:
            # "I want to know about my complaint, I N C two zero zero zero one": a record named by its own number is
            # what the call is about; the person only the classifier heard gives way to it.
            decision = dataclasses.replace(decision, action="route", policy_hits=[], priority="normal", **named,
                                           reason=f"{decision.reason} A record is named by its number.")
        if _person_only_guessed(decision) and not _wants_anything(text) and not moves.names_people(text):
            # "Because my colleague gave me one. I don't need it.": a turn that asks nothing and names no one to talk
            # to is told, not a person asked for; the router's other readings decide.
            decision = self._decided_without(dataclasses.replace(decision, policy_hits=[h for h in decision.policy_hits
                                                                                       if not h.startswith("person_request")]),
                                             text, lambda intent: intent == "human.request", "Asks for no one") or decision
        if "person_request:classifier" in decision.policy_hits and answers.asks_done_alone(text):
            # "Can I do it myself next time without ringing you?" sounds like the desk, and asks to need no one: the
            # how-to it is, from the router's other readings.
            decision = self._decided_without(dataclasses.replace(decision, policy_hits=[]), text,
                                             lambda intent: intent == "human.request", "Asks what the caller can do alone") \
                or decision
        if "first_of_two" in decision.policy_hits:
            # "I'm out at the Riverside pumping station and my laptop won't turn on": where the caller is, then
            # the request; the place alone is no first request.
            parts = self.coordinator.policy.split_at_switch(normalise(text))
            if parts and self._only_where(parts[0]):
                decision = dataclasses.replace(await self.coordinator.decide_async(parts[1], state), utterance=decision.utterance)
        if "safety:classifier" in decision.policy_hits:
            # "Cedar Falls reservoir": a place's name is no hazard. An emergency only the classifier heard must
            # still be one without the turn's places and codes.
            placeless = " ".join(slots.without_values(text, self.agent.site_names))
            if placeless != " ".join(entities.tokens(text)):
                again = await self.coordinator.decide_async(placeless, state)
                if again.intent != "safety.emergency":
                    decision = dataclasses.replace(again, utterance=decision.utterance)
        decision = self._not_goodbye(decision, text) or decision
        found = self._record_without_number(decision, state.dialogue["unknown"], text) \
            if state.dialogue.get("unknown") and decision.action in ("route", "clarify") else None
        decision = found or decision
        offer = state.dialogue.get("offer")
        fit = self.agent.answers(text, state) if state.task else None
        topic = str((state.task or {}).get("intent", "")).replace(".", " ").replace("_", " ")
        move = moves.classify(text, in_task=bool(state.task or state.dialogue.get("clarify")),
                              offer=None if offer == "lookup" and fit == "value" else offer,  # "yes, it's P-4512"
                              topic=topic,
                              free_text=fit == "free", answered=fit == "value", changes=self._changes_held(text, state))
        if offer == "later" and (state.dialogue.get("later") or {}).get("once") and (move is None or move.kind != "accept") \
                and not entities.only_codes(_content_text(text)):
            # News offered as a note once: another request or a no leaves it; the record's number said again
            # ("oh sorry, it's one zero zero zero one") is no answer to it, and a yes next turn takes nothing.
            state.dialogue.pop("later")
            state.dialogue.pop("offer", None)
        if earlier and found is not None:
            move = None  # no reference of this call to say again: the record is looked for
        elif earlier:
            state.dialogue.pop("unknown", None)
        reply = entities.yes_no(text)
        if move is None and not state.task and moves.asks_line(text) and not (
                decision.action == "route" and decision.intent in INTENT_TOOLS
                and decision.confidence >= REQUEST_SENTENCE_CONFIDENCE) \
                and not (_NEXT_STEPS.search(text.lower()) and _last_done(state) and state.tool_attempts):
            # (Not what comes after a request just done: "will someone ring me back on that number, or is it just for
            # the record?" asks about it, answered below.)
            # "Is this the right number for computer problems?": what the line does, unless a clear request follows.
            move = moves.Move("help", "line")
        if move is None and offer == "later" and state.dialogue.get("later") and (reply.yes is True or (
                reply.yes is None and (self._takes(state.dialogue["later"]["intent"], text, self._context())
                                       or self._record_number_for(state.dialogue["later"]["intent"], text)
                                       or (_tells_only(text) and not self._another_request(decision, state))
                                       # ("And the monitor request?": the other thing, named)
                                       or (_about(text, state.dialogue["later"]["text"])
                                           and not self._another_request(decision, state))))):
            # "Yes, and it's low priority" to "shall we do that now?": yes, with more for that request; so is
            # an answer that just gets on with it ("site fourteen, it's passing when closed, high priority", or
            # why it is needed: "I'm covering the control room trends for the outage review").
            later = state.dialogue["later"]
            state.dialogue["later"] = {**later, "text": f"{later['text']}. {reply.rest}"}
            move = moves.Move("accept")
        pending = state.dialogue.get("clarify")
        if pending and not state.task and not pending.get("again") and self._only_who(text) \
                and not self._settles(text, state):
            # "Liam Murphy, E11234" to "is it about X, or Y?": who calls, kept for the request, chooses neither;
            # the question is put again, once (a second such answer is left to the router, as any other).
            state.dialogue["clarify"] = {**pending, "text": f"{pending['text']}. {text}", "again": True}
            ctx = self._context()
            for option in pending["options"]:
                spec = self._spec_of(option["intent"])
                for slot in slots.slots_of(spec.input_schema) if spec else []:
                    value = slots.parse(slot, text, ctx, asked=True)
                    if value is not None and slots.validate(slot, value) is None:
                        state.entities.setdefault(slot.name, value)  # for whichever request it turns out to be
            question = (pending.get("question") or "What do you need?").rpartition(": ")[2]
            yield Say(f"Thanks. {question[:1].upper()}{question[1:]}")
            return
        urgent = [h for h in decision.policy_hits if h.startswith(URGENT_HITS)]
        # A person-request the router heard gives way to a move the words make plainly ("I don't know my
        # employee number", "am I talking to a real person?"); one only the classifier guessed gives way to a
        # value the task takes ("high. name's Carl, shift operator") and, when less sure than a topic switch
        # needs, to a free-text answer to the question asked ("I maintain the handover page"): safety and
        # failed tools never do.
        not_person = move is None or move.kind != "person"
        only_classifier = all(h == "person_request:classifier" for h in urgent)
        guessed = decision.confidence < self.coordinator.policy.topic_switch_confidence and only_classifier
        gives_way = (move is not None and not_person and all(h.startswith("person_request") for h in urgent)) or (
            fit == "free" and not_person and guessed) or (fit == "value" and not_person and only_classifier) or (
            # "Will somebody get here today?" at a read-back asks about the request, not for a person.
            bool((state.task or {}).get("confirming")) and not_person and only_classifier and _questions_only(text)) or (
            # "Let's say high, the switch room needs it": an answer to the question asked, with no safety word, that
            # only sounds a little like one.
            fit == "value" and not_person and urgent == ["safety:classifier"]
            and decision.confidence < self.coordinator.policy.topic_switch_confidence)
        if decision.action == "handoff" and only_classifier and urgent and move is None and not state.task \
                and (said := self._answer_from_result(decision, text, state)):
            # "Will someone ring me about it?" right after a ticket is raised asks about it, not for a person.
            yield Say(said)
            return
        if decision.action == "handoff" and urgent and not gives_way:
            async for action in self._record_and_hand_over(decision, state):
                yield action
            return
        if (state.handoff or {}).get("status") == "transfer_failed" and entities.yes_no(text).yes is not None:
            async for action in self._callback_answer(entities.yes_no(text).yes, state):
                yield action
            return
        state.dialogue.pop("offer", None)
        if move is not None:
            state.dialogue.pop("clarify", None)  # a move answers the either/or question too ("no, leave it")
            then = _asked_after_leaving(text, topic) if move.kind in ("cancel", "decline") else ""
            if then:
                # "Actually no, leave it. Just tell me if anyone's booked to come out for it.": the request is
                # dropped, then what is asked after it is a turn of its own, in place of "anything else?".
                async for action in self._apply(move, state, offer):
                    if not (isinstance(action, Say) and action.text == ANYTHING_ELSE):
                        yield action
                async for action in self.respond(dataclasses.replace(turn, text=then, kind="text"), state):
                    yield action
                return
            if move.kind == "dont_know" and state.task is not None:
                # "I can't see any number, it's the heating and cooling thing on the roof": what else they say
                # describes the thing, searched with for the other way to it.
                state.task["described"] = f"{state.task.get('described', '')} {text}".strip()[:slots.MAX_SPOKEN_TEXT]
            rest = self._besides_the_line(text, state) if move.kind in ("help", "identity") and not state.task else ""
            if rest:
                # "Is this the automated line? Doesn't matter. Can you tell me where WO-10003 is at?": the question
                # about the line answered in a breath (what it is) or not at all (what it does: they know what they
                # want), then the request.
                if move.kind == "identity":
                    yield Say(READ_BY if move.about == "reads" else IDENTITY_FIRST)
                async for action in self.respond(dataclasses.replace(turn, text=rest, kind="text"), state):
                    yield action
                return
            applied = self._apply(move, state, offer)
            if move.kind in ("dont_know", "help", "identity", "repeat"):
                # What these end on is asked again under the strike limit too: an "I'm not sure" to an
                # alternative that is the same question ("No problem. Is it the booster pump?") is a strike,
                # and so is a question the caller has had to hear a third time ("sorry?", "what?").
                applied = self._guarded(applied, state)
            async for action in applied:
                yield action
            return
        explained = self._options_explained(text, state, decision, options_before)
        if explained:
            # "What's the difference between high and urgent?": what each means, then the open question again.
            yield Say(explained)
            again = self._resume(state) if state.task else ANYTHING_ELSE
            if len(f"{explained} {again}".split()) > LONGEST_REPLY:
                # No room for a whole read-back after the answer: its question, short ("say that again" has it all).
                last = _SENTENCE.split(again.strip())[-1]
                again = slots.GO_AHEAD if last == "Is that right?" else last
            yield Say(again)
            return
        clarifying = bool(state.dialogue.get("clarify"))
        chosen = self._clarified(text, state, decision) if not state.task else None
        no_but_all_said = self._no_but_all_said(text, state)
        if chosen is not None:
            decision = dataclasses.replace(self.coordinator.decide(chosen["text"], state), action="route",
                                           target=chosen["target"], intent=chosen["intent"])
            text = chosen["text"]
        elif not (clarifying and entities.number_runs(text)) and (  # "yeah, one oh oh oh six, that's it": a number
                self._is_goodbye(decision, text, state) or self._yes_and_goodbye(text, state)
                or no_but_all_said):
            # "That's everything, bye" or "cheers, bye" to "Is that right?": all of it right, said on the way
            # out with no word against it. ("No thanks, bye" is a no: nothing is sent.)
            all_said = bool(state.task and state.task.get("confirming") and reply.yes is None
                            and (_ALL_SAID.search(text.lower()) or _THANKS.search(text.lower())))
            all_said = all_said or no_but_all_said
            if state.task and (all_said or (reply.yes is True and self.agent.answers(text, state) == "value")):
                # "Yes, that's all, bye" at a read-back: submit first, then close.
                done = False
                async for action in self.agent.continue_task("yes" if all_said else text, state):
                    done = done or (isinstance(action, ToolEvent) and action.status == "ok")
                    if not (isinstance(action, Say) and action.text == ANYTHING_ELSE):
                        yield action
                if not done:  # not submitted (the server refused a value, or it failed): the call goes on
                    return
                async for action in self._asked_and_left(state):
                    yield action
                if state.task is not None:
                    return  # (a change promised straight after is read back: the call goes on)
            self.coordinator.record(decision, state)
            yield route_event(decision)
            state.task = None
            yield Say("Thank you for calling. Goodbye.")
            yield EndCall("caller said goodbye")
            return
        handed_over = False
        if state.task and state.task.get("confirming") and reply.yes is False:
            state.task["declined"] = True  # a no to the read-back: a later "no, that's all" sends nothing
        if later and state.task and "accepted" not in later:
            # "High for the turbine, medium for the compressor": each part goes to the request it names.
            parts = [p for p in re.split(r"\s*(?:[,;]|\band\b)\s*", text) if p.strip()]
            theirs = [p for p in parts if _about(p, later["text"]) and not _about(p, state.task.get("opening", ""))]
            if theirs and len(theirs) < len(parts) and all(_about(p, state.task.get("opening", "")) or p in theirs
                                                          or not _content_words(p) for p in parts):
                state.dialogue["later"] = later = {**later, "text": f"{later['text']}. {'. '.join(theirs)}"}
                text = ", ".join(p for p in parts if p not in theirs)
                fit = self.agent.answers(text, state)
        if state.task and not state.task.get("confirming") and _GO_AHEAD.search(text.lower()):
            state.task["go_ahead"] = True  # said before the read-back: see the thanks after it below
        ask_next = ""
        if state.task and state.task.get("confirming") and not later and reply.yes is None \
                and str(state.task.get("tool", "")).startswith(NEW_RECORD_PREFIXES) and _ANOTHER_NEW.search(text.lower()) \
                and not moves.negates(text) and len(_content_words(text)) >= MIN_CLAUSE_WORDS:
            # "And while you're at it, the rooftop unit is dripping. Another job for that, low priority." at the first one's
            # read-back: a second request, with its own values, taken after the first (whose read-back stands).
            state.dialogue["later"] = {"text": text, "target": state.task["server"], "intent": state.task["intent"]}
            replies = self._say(f"I'll take that one straight after. {self._resume(state)}")
        elif state.task and state.task.get("confirming") and not later and reply.yes is not True \
                and (other := self._act_on_another_record(text, state)) is not None:
            # "Oh wait, Friday's no good. Move the aircon visit to next Monday afternoon instead." at a new job's
            # read-back: an act named in full on another record, taken straight after (the read-back stands).
            # (Its values said back with the question open, so one yes sends both, as for a second act on one record.)
            doing = self._keep_next_on_record({"text": text, **other, "accepted": True, "promised": True}, text, state)
            replies = self._say(f"{doing} {self._resume(state)}")
        elif self._yes_to_more(text, state):
            # "Yes" to "anything else?" says there is more, not what: ask for it, route nothing.
            replies = self._say("Sure. What else can I help with?")
        elif self._only_confirms(text, state):
            replies = self._say("Good. Anything else I can help with?")
        elif state.task and fit is None and reply.yes is None and not state.task.get("confirming") \
                and not state.task.get("changing") and _tells_only(text) and not moves.asks(text) \
                and not _OWN_PLAN.search(text.lower()) and not _ALL_SAID.search(text.lower()) \
                and not self._tool_named_in_full([decision.intent], text) \
                and (noted := self.agent.told_more(text, state)):
            # "I already removed and re-added the account twice, still nothing." to "What is your employee ID?": more
            # of the story, however the router heard it (a new request is asked for, not told in the past): kept with
            # the request, then its question again.
            replies = self._say(f"{noted} {self._resume(state)}")
        elif state.task and fit is None and reply.yes is None and (reason := self.agent.reason_given(text, state)):
            # "To check the purchase orders for parts on my jobs." at an access request's read-back: its reason.
            replies = self._say(f"{reason} {self._resume(state)}")
        elif later and state.task and "accepted" not in later and _about(text, later["text"]) \
                and not _about(text, state.task.get("opening", "")) and fit != "value":
            # "Medium for the docking station" while the first request is open: kept for the second one.
            state.dialogue["later"] = {**later, "text": f"{later['text']}. {text}"}
            replies = self._say(f"I'll keep that for the other request. {self._resume(state)}")
        elif state.task and reply.yes is None and (side := await self._side_read(decision, text, state, fit)) is not None:
            # "Hang on, any open jobs at the depot?" while a request is open: read, then the open question again.
            replies = self._replay(side)
        elif state.task and fit is None and reply.yes is None and (aside := self._aside(decision, text, state)):
            # "Who has to sign it off?" at the read-back of an access request: answered, then the open question.
            replies = self._say(f"{aside} {self._resume(state)}")
        elif state.task and reply.yes is None and (fit is None or not (state.task.get("instead") or self._choice_it_takes(text, state))) \
                and (after := self._next_on_record(decision, text, state, routed=not moves.negates(text)) if (
                    self._off_topic(decision, text, state) or self._continues_task(decision, text, state)
                    # (heard as words to add, or an act on the record being made; another act ordered on the record
                    # read back is that act in its place: "I want it escalated" to a comment's read-back)
                    or (decision.action == "route" and (INTENT_TOOLS.get(decision.intent, ("", ""))[1].startswith(NEWS_PREFIXES)
                                                        or str(state.task.get("tool", "")).startswith(NEW_RECORD_PREFIXES))))
                    else None):
            # "Can you make it high priority too?" at the read-back of a comment on that incident: no answer to it
            # and no new request in its place, but another act on the same record, kept to follow the one read
            # back (the call's record by then). Its values said back with the question that is open, one yes sends
            # both ("Okay, priority high straight after. Shall I go ahead ...?").
            replies = self._say(f"{self._keep_next_on_record(after, text, state)} {self._resume(state)}")
        elif state.task and self._off_topic(decision, text, state):
            # Mid-task, a turn that is no answer and nothing the line does: say so, ask again.
            # ("Just the visit. Keep the work order open ..." at the read-back of a visit's cancel is about it, no
            # other errand: taken as heard. "It's Tom Reyes. It's stopping the month-end close." at a read-back
            # is who calls and more of the story: taken into the task.)
            heard = self.agent.told_more(text, state) or (
                "Got it." if self._about_the_task(text, state) else "Sorry, I can't help there.")
            replies = self._say(f"{heard} {self._resume(state)}")
        elif state.task and state.task.get("confirming") and fit is None and entities.yes_no(text).yes is None \
                and not state.task.get("duplicate_of") and (  # "Do you want another one?" is no read-back
                (decision.intent.startswith("smalltalk.") and state.task.get("go_ahead")) or _ALL_SAID.search(text.lower())):
            # "Yes, log it" before the read-back, then "thanks" after it: the go-ahead stands, nothing changed.
            # "That's it, thanks" to the read-back: all of it is right.
            replies = self.agent.continue_task("yes", state)
        elif state.task and state.task.get("changing") and fit is None \
                and (reply.yes is True or _GO_AHEAD.search(text.lower()) or slots.changes_nothing(text)):
            # "Yes please go ahead" to "What should I change?": the task's own step says whether anything changes.
            replies = self.agent.continue_task(text, state)
        elif state.task and decision.intent.startswith("smalltalk.") and fit is None:
            # "Thank you", "great" mid-task: no answer and no new request, so the open question stands.
            replies = self._say(self._resume(state))
        elif state.task and (ask_next := self._request_after_yes(reply, state)):
            # "Yes. And book a technician for tomorrow evening." to a read-back: the yes sends it, then the request
            # after it is a turn of its own, in place of "anything else?" (below).
            replies = self.agent.continue_task("yes", state)
        elif state.task and self._continues_task(decision, text, state):
            # "Medium - he can use the handset. How long will it take to fix?": the value taken, the question answered.
            # (A yes sends it first; the question is then a turn of its own, below.)
            asked = self._asked_beside_a_value(text, state) if fit == "value" and reply.yes is None else ""
            if fit == "value" and reply.yes is None and not asked \
                    and (after := self._next_on_record(decision, text, state)) is not None:
                # "Medium. And can you get someone out next Monday morning?": the value taken, the visit kept to follow.
                asked = self._keep_next_on_record(after, text, state)
            sends = fit == "value" and state.task.get("confirming") and reply.yes is not False \
                and bool(_GO_AHEAD.search(text.lower()))
            replies = self.agent.continue_task(text, state)
            if sends:
                # "Uh, medium I guess, yeah go ahead" to the read-back: the change said back, then sent as told.
                replies = self._sent_as_told(replies, state)
            if asked:
                replies = self._led_by(Say(asked), replies)
        else:
            replies = self._route(decision, text, state, one_request=chosen is not None or bool(told_before),
                                  settled=found is not None)
        task_before = state.task
        # "Yes. And when's the engineer coming?" to a read-back: the yes sends it, then the question is a turn of
        # its own, answered in place of "anything else?".
        asked_after = _asked_after_yes(reply.rest) if (state.task or {}).get("confirming") and reply.yes is True else ""
        asked_after = asked_after or ask_next
        sent, result, last = False, [], None
        async for action in self._guarded(replies, state):
            sent = sent or (isinstance(action, ToolEvent) and action.status == "ok")
            if asked_after and sent and isinstance(action, Say) and not action.filler:
                result.append(action.text)  # said with the answer, in the room it leaves
                continue
            if last is not None:
                yield last
                last = None
            if isinstance(action, Say) and not action.filler:
                last = action  # held: a question it ends on is not asked when a person takes over now
                continue
            yield action
            handed_over = handed_over or isinstance(action, HandoffEvent)
        if last is not None:
            failing = state.tool_failures >= self.coordinator.policy.tool_failure_limit and not state.handoff
            told = " ".join(x for x in _SENTENCE.split(last.text) if not x.rstrip().endswith("?")) if failing else last.text
            if told.strip():
                yield dataclasses.replace(last, text=told.strip())
        if handed_over:
            return
        if result:
            # (Not when the request asked for after it starts now: "That's right, book it. Who'll be coming?" before
            # the visit asked for with the job, whose booking says who.)
            starting = bool(state.dialogue.get("start_later"))
            then = [a async for a in self.respond(dataclasses.replace(turn, text=asked_after, kind="text"), state)] \
                if state.task is None and not starting else []
            room = LONGEST_REPLY - len(" ".join(a.text for a in then if isinstance(a, Say) and not a.filler).split())
            said = " ".join(t for t in result if t != ANYTHING_ELSE or not then)
            yield Say(for_the_ear(said, max(room, 0)))
            for action in then:
                yield action
            if not starting:
                return
        if state.task is not None and state.task is not task_before and state.task.get("confirming") \
                and reply.yes is True and len(_SENTENCE.split(reply.rest.strip())[0].split()) <= GO_AHEAD_WORDS:
            state.task["go_ahead"] = True  # "Yes, close it." read back: a "thanks" after it is no new question
        for _ in range(MAX_STARTED):
            room = state.dialogue.pop("later_room", None)
            if not state.dialogue.pop("start_later", False) or self._later_reached(state):
                break
            asked, ran = (state.dialogue.get("later") or {}).get("text", ""), False
            async for action in self._apply(moves.Move("accept"), state, "later"):
                ran = ran or (isinstance(action, ToolEvent) and action.status == "ok")
                if room is not None and ran and isinstance(action, Say) and not action.filler and action.text != ANYTHING_ELSE:
                    # No room for all of it: the part that answers what was asked ("when is the technician coming
                    # for WO-10006?": who comes when), even a little over the room (it is what they rang to hear),
                    # else as much as fits.
                    if len(action.text.split()) > room:
                        answer = self._from_last_result(asked, state, one_of_kind=True)
                        short = answer if answer and len(answer.split()) <= max(room, LATER_RESULT_WORDS * 2) \
                            else for_the_ear(action.text, max(room, 0))
                        action = dataclasses.replace(action, text=short)
                    room = None  # (the result's first sentence only)
                yield action
        if state.tool_failures >= self.coordinator.policy.tool_failure_limit and not state.handoff:
            async for action in self._hand_over(
                state, reason=f"{state.tool_failures} tool attempts failed", trigger="tool_failures",
                priority=_last_priority(state),
            ):
                yield action

    async def _side_read(self, decision: Any, text: str, state: CallState, fit: str | None) -> list[Action] | None:
        """Mid-task, a question that reads something else in full ("any open jobs at the depot?", "what's the status
        of WO-10003?"): read with the open request set aside, what it says, then the open question again. A read
        changes nothing, so the request waits as it was. None when the turn asks no such thing, or the read needs
        more than the turn gives (then it is no aside, and the turn goes the usual way). ``fit``: what the turn is
        to the open question (``DomainAgent.answers``): an answer to it is no aside, unless it asks for records in
        the plural, which no question of one request wants."""
        task = state.task or {}
        if not (_asks_to_know(text) or _RECORDS_ASKED.search(text.lower())):
            return None  # ("can you add a note that pump A124 ...?" asks for an act, not to know)
        # (However the router heard it: records or things asked for in the plural are a list, whatever the desk.)
        listed = self._listed_by_place(dataclasses.replace(decision, action="clarify"), text)
        listed = listed and dataclasses.replace(listed, action="route")
        read = self._read_by_id(text) if listed is None and fit is None else None
        # (Heard as a new fault, a question whether one is logged is how its record stands: "the sludge pump,
        # anything open on that?")
        side = listed or (dataclasses.replace(decision, action="route", target=read["target"], intent=read["intent"])
                          if read is not None else self._status_asked(decision, text, state)
                          or self._described_asked(decision, text) or decision)
        offered = task.get("confirming") or task.get("proposed") or task.get("choices")
        if fit == "value" and not (listed and offered):
            return None  # (an answer to a question for a value goes to the request: "it's for C-2101, what's open on that?")
        # A record asked about by what it is on ("where are we on the backwash valve job?"): read only if the
        # description fits one record (below), so the router need only be as sure as of a change of topic.
        described = fit is None and listed is None and read is None
        # (... and less sure still when the words point at another record than the one in hand: "the intake pump job")
        sure = (OFF_TOPIC_CONFIDENCE if self._describes_another(text, state) else FREE_SWITCH_CONFIDENCE) \
            if described else SWITCH_CONFIDENCE
        if side.action != "route" or side.intent not in INTENT_TOOLS or side.intent == task.get("intent") \
                or not INTENT_TOOLS[side.intent][1].startswith(slots.READ_PREFIXES) \
                or (side is decision and decision.confidence < sure) \
                or (fit == "free" and listed is None and read is None):
            return None
        needed = [x for x in self._slots_of(side.intent) if x.required]
        if (needed and not described and set(slots.mentioned(needed, text, self._context())) != {x.name for x in needed}) \
                or (not needed and listed is None):
            return None  # (a list was found by what the turn names: the place or thing it is of)
        held, current = state.task, dict(state.current or {})
        # The caller's place, as the request holds it, is where a record described by its thing is looked for.
        place = self._place_of(held) if described and held else {}
        out: list[Action] = []
        # A record described by its thing is looked for on that thing first, not on the call's record ("and borehole
        # pump 2, anything logged against it?" while the valve's job is read back): the call's record after that.
        ids = {x.name for x in self._slots_of(side.intent) if x.kind == "code"}
        known = dict(state.entities)
        for fresh in ([True, False] if described else [False]):
            state.task, state.current, out = None, {} if fresh else dict(current), []
            if fresh:
                state.entities = {k: v for k, v in known.items() if k not in ids}
            try:
                async for action in self.agent.start(side.intent, text, state, hints=place):
                    out.append(action)
                # (That the thing has none is an answer too; the new one offered with it waits for the request.)
                none_on = bool(described and state.task and state.task.get("instead"))
                done = none_on or (state.task is None and any(isinstance(a, ToolEvent) and a.status == "ok" for a in out))
            finally:
                state.task, state.current = held, current
                if fresh:
                    state.entities = {**known, **{k: v for k, v in state.entities.items() if k not in ids}}
            if done:
                break
        if not done:
            return None  # (a record only described, and no one record fits: it is asked for the usual way)
        if none_on and isinstance(out[-1], Say):
            out[-1] = Say(" ".join(_SENTENCE.split(out[-1].text.strip())[:-1]) or out[-1].text)
        said = [a for a in out if not (isinstance(a, Say) and a.text in ANYTHING_ELSE_FORMS)]
        words = sum(len(a.text.split()) for a in said if isinstance(a, Say) and not a.filler)
        again = self._resume(state)
        if words + len(again.split()) > LONGEST_REPLY:
            again = _SENTENCE.split(again.strip())[-1]  # its question alone
        return [route_event(side), *said, Say(f"Now, back to your request. {again}" if words + len(again.split()) + 5
                                               <= LONGEST_REPLY else again)]

    def _described_asked(self, decision: Any, text: str) -> Any | None:
        """A question about a record pointed at by what it is about ("and the intake pump job, has anybody been
        booked for that one?"), heard as an act on one: how that record stands, by its desk's status check."""
        options = [decision.intent, *(o["intent"] for o in decision.alternatives or [])] \
            if decision.action == "clarify" else [decision.intent] if decision.action == "route" else []
        specs = [x for x in map(self._spec_of, options) if x is not None]
        status = _status_of(specs[0].server) if specs else None
        # (Heard as an act on a record, or unsure between its status and something else: "is there a visit booked on
        # the compressor unit 1 low pressure job?" between a status check and an asset's look-up.)
        # (A choice only the act takes asks for the act: "could he come in the afternoon instead?")
        choices = [x for spec in specs if slots.is_write(spec.name, spec.annotations)
                   for x in slots.slots_of(spec.input_schema) if x.kind in ("enum", "datetime")]
        if status is None or not (slots.is_write(specs[0].name, specs[0].annotations)
                                  or (decision.action == "clarify" and status in options)) \
                or not _asks_to_know(text) or _REQUEST_QUESTION.search(text.lower()) \
                or slots.mentioned(choices, text, self._context()) \
                or not (any(m.group(1) for m in DESCRIBED_RECORD.finditer(text.lower())) or ANOTHER_RECORD.search(text.lower())):
            return None
        return dataclasses.replace(decision, action="route", intent=status, target=specs[0].server,
                                   reason=f"{decision.reason} Asks how a record it describes stands.")

    def _describes_another(self, text: str, state: CallState) -> bool:
        """Does ``text`` point at a record by words the request in hand was not told in ("the intake pump job" at the
        read-back of a change to the aircon's), or bring up another one ("there was one for the dryer alarm")?"""
        low = text.lower()
        if ANOTHER_RECORD.search(low):
            return True
        task = state.task or {}
        known = set(entities.tokens(" ".join([str(task.get("opening", "")), str(task.get("described", "")),
                                              *map(str, task.get("args", {}).values()), str(task.get("proposed_name", ""))])))
        return any(set(_content_words(m.group(1))) - known for m in DESCRIBED_RECORD.finditer(low) if m.group(1))

    def _records_of_a_place(self, text: str, server: str) -> bool:
        """Does ``text`` ask which records a place of ``server`` has ("have we got anything open at Stonebridge?")?"""
        return bool(_RECORDS_ASKED.search(text.lower())) and bool(self._place_of({"server": server, "opening": text}))

    def _place_of(self, task: Mapping[str, Any]) -> dict[str, Any]:
        """Where the request ``task`` is: its site as an argument or a hint, else as its opening names it (a change to
        a job takes no site, yet "Lakeside water treatment. The job on the backwash valve ..." says where)."""
        sites = {x.name: x for i, (server, _) in INTENT_TOOLS.items() if server == task.get("server")
                 for x in self._slots_of(i) if x.kind == "site"}
        given = {k: v for k, v in {**task.get("hints", {}), **task.get("args", {})}.items() if k in sites}
        return given or slots.mentioned(list(sites.values()), str(task.get("opening", "")), self._context())

    @staticmethod
    async def _led_by(first: Action, rest: AsyncIterator[Action]) -> AsyncIterator[Action]:
        yield first
        async for action in rest:
            yield action

    def _asked_beside_a_value(self, text: str, state: CallState) -> str:
        """The answer to a question asked after a value in the same turn ("Medium. How long will it take to fix?"),
        from the articles of the task's desk, searched with the request and the value just said. "" when the turn
        asks no such question or the articles hold no clear answer."""
        task = state.task or {}
        questions = [x for x in _SENTENCE.split(text.strip())[1:] if x.rstrip().endswith("?")
                     and _INFO_QUESTION.match(_LEAD.sub("", x.strip().lower()))]
        if not questions or self._names_a_record(questions[-1]):
            return ""
        # (Searched with the values the request holds, which the answer may turn on, before its story, which may be of
        # another article's topic: "his headset crackles" is no article of target times.)
        spec = self.tools.tool(str(task.get("server", "")), str(task.get("tool", "")))
        choices = [x for x in slots.slots_of(spec.input_schema) if x.kind == "enum"] if spec else []
        values = {**{x.name: task["args"][x.name] for x in choices if x.name in task.get("args", {})},
                  **slots.mentioned(choices, text, self._context())}
        held = _choices_in_words(values)
        return (self._answer_from_articles(questions[-1], str(task.get("intent", "")), held) if held else "") \
            or self._answer_from_articles(questions[-1], str(task.get("intent", "")), str(task.get("opening", "")))

    @staticmethod
    async def _replay(actions: list[Action]) -> AsyncIterator[Action]:
        for action in actions:
            yield action

    def _asks_of_the_offered(self, text: str, state: CallState) -> bool:
        """Is ``text`` a question about the record a look-up just offered ("Is it WO-10003: ...?" answered "is anyone
        booked to go out to it?")? It takes the offer: a read changes nothing, and the read answers it."""
        task = state.task or {}
        spec = self._spec_of(str(task.get("intent", ""))) if task.get("proposed") and not task.get("confirming") else None
        return spec is not None and not slots.is_write(spec.name, spec.annotations) and _asks_to_know(text) \
            and bool(set(entities.tokens(text.lower())) & _LEANING) and not entities.codes(text) \
            and entities.yes_no(text).yes is None

    def _place_pointed_back(self, text: str, state: CallState) -> str:
        """``text`` with a place it points back to ("open jobs there then", after the caller named the reservoir) said
        by its name: the site the caller named last in this call. Unchanged when it names a site itself, or no
        earlier turn named one."""
        names = self.agent.site_names
        there = _THERE_PLACE.search(text.lower())
        if there is None or not names or entities.site(text, names) is not None \
                or (state.task and not (_RECORDS_ASKED.search(text.lower()) or _asks_a_question(text))):
            return text  # (mid-request, "there" in an answer is where the thing is: "I can't get up there")
        said = [t.get("text", "") for t in state.turns if t.get("role") == "caller"]
        if said and said[-1] == text:
            said = said[:-1]  # (this turn, recorded before it is answered)
        site = next((n for x in reversed(said) if (n := entities.site(x, names)) is not None), None)
        if site is None:
            return text
        return f"{text[:there.start()]}at {self._site_name(site)}{text[there.end():]}"

    def _site_name(self, number: int | None) -> str:
        """Site ``number``'s full name ("Cedar Falls Reservoir", not its short form "the reservoir"); "" when unknown."""
        return max((k for k, v in self.agent.site_names.items() if v == number and not k.startswith(entities.WHOLE_NAME)),
                   key=len, default="")

    async def _only_announces(self, text: str, state: CallState) -> bool:
        """Does the turn only say that several things are coming (with a greeting or who is calling around it),
        and ask for none of them yet? A request, a person asked for or a safety word said with it is heard."""
        announced, rest = moves.announcement(text)
        if not announced:
            return False
        if not _content_words(rest):
            return True
        if self._names_a_ticket(rest):
            return False  # the things themselves are named ("three jobs at once: WO-10001, WO-10003 and WO-10005")
        heard = await self.coordinator.decide_async(rest, state)
        if heard.action == "handoff" and any(h != "person_request:classifier" for h in heard.policy_hits):
            return False
        sentences = [x for x in _SENTENCE.split(rest) if len(_content_words(x)) >= 2]
        for sentence in sentences if len(sentences) > 1 else []:
            said = await self.coordinator.decide_async(sentence, state)
            if said.action == "route" and said.intent in INTENT_TOOLS:
                return False  # the things themselves follow ("Two things. The printer jams ... And what's happening ...")
        # Who is calling is heard as a person asked for or as chat; a request, even one the router is unsure
        # of between one desk's requests, is a request.
        return (heard.intent not in INTENT_TOOLS and heard.intent != "knowledge.howto") or self._lost(heard)

    async def _guarded(self, actions: AsyncIterator[Action], state: CallState) -> AsyncIterator[Action]:
        """The turn's replies as they come, unless they end on a question already asked
        ``STRIKE_LIMIT`` times in a row: then the agent's other way to get the answer, or a
        person, is offered instead of asking again. Only the last sentence is held back."""
        held: Say | None = None
        said = 0  # words said so far this turn
        async for action in actions:
            if isinstance(action, Say) and action.text == ANYTHING_ELSE and not state.dialogue.get("later") \
                    and state.dialogue.get("queued"):
                # One of a turn of three or more is done: the next one told is the one kept now.
                state.dialogue["later"] = _queued(state.dialogue.pop("queued"))
            later = state.dialogue.get("later") or {}
            if isinstance(action, Say) and action.text == ANYTHING_ELSE and (later.get("accepted") or self._reads_named(later)):
                # The caller asked for both, or the second only reads a record they named ("... And what's happening
                # with WO-10003?"), which nothing is risked by: the second one starts now.
                if held is not None and later.get("read_with"):
                    # Sent with this one's yes, no read-back in between: this result is told, with room for the other's.
                    held = dataclasses.replace(held, text=for_the_ear(
                        held.text, LONGEST_REPLY - LATER_RESULT_WORDS - len(ANYTHING_ELSE.split())))
                elif held is not None:  # its read-back follows at once: of this result, the reference is enough
                    ref = next((x for x in _SENTENCE.split(held.text) if "reference" in x.lower()), None)
                    # (of a record read, what it was asked for: "when's the technician coming for WO-10002?")
                    if ref is None:
                        answer = self._from_last_result(state.dialogue.get("asking", ""), state, one_of_kind=True)
                        short = for_the_ear(held.text, LATER_RESULT_WORDS)
                        ref = f"{short} {answer}" if answer and answer not in short else short
                    held = dataclasses.replace(held, text=ref)
                state.dialogue["start_later"] = True
                if not later.get("accepted"):
                    # (A read asked for nothing first: its result has the room this turn's reply has left, "Anything
                    # else?" after it.)
                    state.dialogue["later_room"] = \
                        LONGEST_REPLY - said - len(held.text.split() if held else []) - len(ANYTHING_ELSE.split())
                continue
            if isinstance(action, Say) and action.text == ANYTHING_ELSE and state.dialogue.get("later"):
                action = Say(self._offer_later(state))  # the first request is done: offer the second
                if held is not None and len(f"{held.text} {action.text}".split()) > REPLY_WORDS:
                    # No room for both whole: the result keeps what it had room for before an offer (the
                    # arrival a status check was asked for), and the offer is said short (its own when it has one).
                    action = Say(state.dialogue["later"].get("short") or SHORT_OFFER)
                    held = dataclasses.replace(held, text=for_the_ear(held.text, LONGEST_REPLY - len(action.text.split())))
            if held is not None:
                said += len(held.text.split())
                yield held
                held = None
            if isinstance(action, Say) and not action.filler:
                held = action
            else:
                yield action
            if isinstance(action, HandoffEvent):
                return
            if isinstance(action, ToolEvent) and action.status == "ok":
                # Something was done: what is asked next is no strike ("anything else?" after each of three
                # status checks in a row is no loop).
                state.dialogue.update(question="", strikes=0)
                if state.task is not None:
                    state.task.pop("asked_times", None)
        # The same question is a strike, whatever else was said in between; a read-back that changed is not.
        if held is not None and moves.question_of([held.text]):
            state.dialogue["asked"] = _SENTENCE.split(held.text.strip())[-1]
        question = _question_key(state, moves.question_of([held.text] if held else []))
        count = moves.strikes(state.dialogue.get("question", ""), int(state.dialogue.get("strikes", 0)), question)
        count = _tallied(state, question, count)
        state.dialogue.update(question=question, strikes=count)
        if count <= moves.STRIKE_LIMIT:
            if held is not None:
                yield held
            return
        if state.dialogue.get("offered") == question or (held is not None and held.text in (OFFER_PERSON, OFFER_PERSON_UNKNOWN)):
            # Another way was offered for this very question and the answers still miss, or the offer of a
            # person is what the caller cannot answer: a person.
            async for action in self._hand_over(state, reason=f"The caller could not answer: {held.text if held else ''}"[:200],
                                                trigger="strikes", priority=_last_priority(state)):
                yield action
            return
        state.dialogue["offered"] = question
        said = []
        async for action in self._another_way(state):
            said += [action.text] if isinstance(action, Say) else []
            yield action
        # The other way is asked once now: asked twice more without an answer, it too gives way.
        other = _question_key(state, moves.question_of(said[-1:]))
        _tallied(state, other, 1 if other else 0)
        state.dialogue.update(question=other, strikes=1 if other else 0)

    async def _another_way(self, state: CallState, offer: str = OFFER_PERSON) -> AsyncIterator[Action]:
        """The task's other way to get what it asks (another identifier, a lookup by name), else a person. An
        other way that ends on a question already asked to the limit is no other way: a person instead."""
        other = [a async for a in self.agent.alternative(state)] if state.task else []
        asked = _question_key(state, moves.question_of([a.text for a in other if isinstance(a, Say)][-1:]))
        if other and int((state.task or {}).get("asked_times", {}).get(asked, 0)) < moves.STRIKE_LIMIT:
            for action in other:
                yield action
            return
        state.dialogue["offer"] = "person"
        yield Say(offer)

    async def _apply(self, move: moves.Move, state: CallState, offer: str | None) -> AsyncIterator[Action]:
        """A universal move: the same in every state and in both agent modes."""
        if move.kind == "accept" and offer == "later":
            later = state.dialogue.pop("later")
            if later.get("then"):
                state.dialogue["queued"] = later["then"]  # offered, or started, when this one is done
            spec = self._spec_of(later["intent"])
            if spec is not None and spec.name.startswith(NEW_RECORD_PREFIXES):
                # A second new record told on its own is on a thing of its own ("and the rooftop unit is dripping, another
                # job for that"): the first one's thing is not carried to it unless its words name it.
                ids = self._ids_of(later["intent"])
                named = slots.mentioned(ids, later["text"], self._context())
                state.entities = {k: v for k, v in state.entities.items() if k in named or k not in {x.name for x in ids}}
            decision = dataclasses.replace(self.coordinator.decide(later["text"], state), action="route",
                                           target=later["target"], intent=later["intent"])
            state.dialogue["asking"] = later["text"]  # (what this one asks, for its result told short)
            started = [a async for a in self._guarded(self._route(decision, later["text"], state, one_request=True,
                                                                  settled=bool(later.get("instead") or later.get("unless"))), state)]
            state.dialogue.pop("asking", None)
            if (later.get("once") or later.get("read_with")) and not later.get("instead") and state.task is not None \
                    and state.task.get("confirming"):
                # "Shall I add that as a comment?" was its read-back, or it was said back with the one before:
                # the yes to it sends it.
                for action in started:
                    if not isinstance(action, Say):
                        yield action
                # The one before's reference, and the record it acted on, were just said: once is enough.
                args = (state.tool_attempts[-1].get("arguments") or {}) if state.tool_attempts else {}
                told = {latest_reference(state)} | {f"Your reference is {entities.spell_out(str(v))}." for v in args.values()
                                                    if isinstance(v, str) and re.fullmatch(r"[A-Z]+-?\d+", v)}
                async for action in self.agent.continue_task("yes", state):
                    if isinstance(action, Say) and not action.filler and action.text != ANYTHING_ELSE:
                        rest = re.sub(r"^Done\.\s*", "", " ".join(x for x in _SENTENCE.split(action.text) if x not in told))
                        action = dataclasses.replace(action, text=rest or action.text)
                    yield action
                return
            for action in started:
                yield action
            if state.task is not None and later.get("go_ahead"):
                state.task["go_ahead"] = True
        elif move.kind == "accept" and offer == "lookup":
            state.dialogue["offer"] = "lookup"
            yield Say("Go ahead.")
        elif move.kind == "decline" and offer == "lookup":
            async for action in self._another_way(state, OFFER_PERSON_UNKNOWN):  # no other identifier either
                yield action
        elif move.kind in ("accept", "person"):
            async for action in self._hand_over(state, reason="The caller accepted a person when the call could not go on.",
                                                trigger="person_request", priority=_last_priority(state)):
                yield action
        elif move.kind == "repeat" and move.about in ("reference", "made") and not latest_reference(state) \
                and (state.task or {}).get("confirming"):
            # Asked for the reference of what is only read back so far: there is none until it is sent.
            yield Say(NO_REFERENCE_YET)
            yield Say(self._resume(state))
        elif move.kind == "repeat":
            yield Say(self._last_said(state, move.about))
        elif move.kind == "restart":
            state.task = None
            yield Say("Okay, let's start again. How can I help?")
        elif move.kind in ("help", "identity"):
            # Help in a task says what can be said to the question open now; outside one, what the line does.
            task = state.task or {}
            helps = (HELP_CONFIRMING if task.get("confirming") else HELP_ASKING) if task and not move.about \
                else CAPABILITIES
            yield Say(helps if move.kind == "help" else f"Yes, I'm here. {IDENTITY}" if move.about == "there"
                      else f"{READ_BY} {IDENTITY}" if move.about == "reads" else IDENTITY)
            yield Say(self._resume(state))
        elif move.kind == "cancel":
            dropped = state.task is not None
            state.task = None
            yield Say(NOTHING_SENT if dropped else "Okay, I'll leave it.")
            yield Say(ANYTHING_ELSE)
        elif move.kind == "decline":
            state.task = None
            later = state.dialogue.pop("later", None) or {}
            yield Say("Okay, I'll leave that for now.")
            if later.get("then"):  # (the next thing of a turn of three is offered still)
                state.dialogue["later"] = _queued(later["then"])
                yield Say(self._offer_later(state))
                return
            yield Say(ANYTHING_ELSE)
        elif move.kind == "dont_know" and (state.task or {}).get("proposed") and (state.task or {}).get("proposed_name"):
            # "No idea what the tag is" to "Is it the instrument air compressor, C-2103?": the one thing that fits
            # what they told is taken, so they need no tag; the read-back shows it before anything is sent.
            yield Say("No problem.")
            async for action in self.agent.continue_task("yes", state):
                yield action
        elif move.kind == "dont_know" and (state.task or {}).get("confirming"):
            yield Say(f"No problem. {self._resume(state)}")  # nothing is being asked but the read-back
        elif move.kind == "dont_know":
            async for action in self._another_way(state, OFFER_PERSON_UNKNOWN):
                yield action
        if move.kind in ("restart", "cancel", "decline"):  # a new start; hearing a question again is not one
            state.dialogue.update(question="", strikes=0, offered=None)

    def _request_after_yes(self, reply: entities.Answer, state: CallState) -> str:
        """At a read-back, what a yes goes on to ask for when it is a request of its own ("Yes, go ahead. And he
        needs read access to Power BI"), not a change to what is read back: its words, or ""."""
        if not (state.task or {}).get("confirming") or reply.yes is not True:
            return ""
        rest = " ".join(s.strip() for s in _SENTENCE.split(reply.rest.strip()) if s.strip()
                        and not (_GO_AHEAD.search(s.lower()) and len(_content_words(s)) <= GO_AHEAD_WORDS))
        more = bool(_MORE_TO_TELL.match(rest.strip().lower()))
        rest = _POLITE_LEAD.sub("", rest.strip())
        if len(_content_words(rest)) < 3 or self.agent.answers(rest, state) is not None:
            return ""
        # A request of another kind than the one read back, that does something: more of the same story ("yes, I've
        # held the power button down, nothing") or the thing said again ("yeah the sludge pump, that's the one") is
        # no second request.
        if not (more or _wants_anything(rest) or entities.codes(rest) or self._switch_cues(rest)):
            return ""  # ("Yes. The night shift can't see any trends.": why, told; nothing asked, nothing new named)
        heard = self.coordinator.decide(rest, state)
        spec = self._spec_of(heard.intent) if heard.action == "route" else None
        return rest if spec is not None and heard.intent != state.task.get("intent") \
            and slots.is_write(spec.name, spec.annotations) else ""

    async def _sent_as_told(self, replies: AsyncIterator[Action], state: CallState) -> AsyncIterator[Action]:
        """The task's step after a change at its read-back; when it only asks to go ahead again, the change is said
        back and sent (the caller said to go ahead with it)."""
        held = [action async for action in replies]
        last = held[-1] if held else None
        if state.task is None or not state.task.get("confirming") or not isinstance(last, Say) \
                or not last.text.endswith(slots.GO_AHEAD):
            for action in held:
                yield action
            return
        for action in held[:-1]:
            yield action
        if changed := last.text[: -len(slots.GO_AHEAD)].strip():
            yield Say(changed)
        async for action in self.agent.continue_task("yes", state):
            yield action

    def _resume(self, state: CallState) -> str:
        """The open question again after an aside, short: a read-back just heard is not read again."""
        task = state.task or {}
        if task.get("duplicate_of"):
            return f"It's already logged as {entities.spell_out(task['duplicate_of'])}. Do you want another one?"
        if task.get("confirming") and task.get("tool"):
            return f"Shall I go ahead and {slots.describe_tool(task['tool'])}?"
        return self.agent.reprompt(state) if task else state.dialogue.get("asked") or "What do you need?"

    @staticmethod
    def _last_said(state: CallState, about: str) -> str:
        """What the agent said last (everything since the caller's previous turn), or the reference."""
        reference = (about == "made" and latest_reference(state, made=True)) or latest_reference(state)
        if about in ("reference", "made") and reference:
            return reference
        caller_turns = [i for i, t in enumerate(state.turns) if t.get("role") == "caller"]
        start = caller_turns[-2] if len(caller_turns) >= 2 else (caller_turns[-1] if caller_turns else 0)
        end = caller_turns[-1] if caller_turns else len(state.turns)
        said = [t["text"] for t in state.turns[start:end] if t.get("role") == "agent" and not t.get("filler")]
        if len(said) > 1 and said[-1] in ANYTHING_ELSE_FORMS:
            said = said[:-1]  # what was said, again; "anything else?" once more would only ask it a third time
        return " ".join(said) or GREETING

    def _off_topic(self, decision: Any, text: str, state: CallState) -> bool:
        """A sentence of its own (not a yes, a no or a stray code) that neither answers nor routes, or that
        the router knows as off-topic. At a read-back only a yes, a no or a change is expected, so there
        any turn the router cannot place is one."""
        unsure = decision.confidence < OFF_TOPIC_CONFIDENCE or bool((state.task or {}).get("confirming"))
        return ((decision.action != "route" and unsure) or decision.intent == "smalltalk.offtopic") \
            and entities.yes_no(text).yes is None and len(text.split()) >= 3 \
            and self.agent.answers(text, state) is None and not entities.only_codes(text)

    @staticmethod
    def _lost(decision: Any) -> bool:
        """Nothing the line does comes close: off-topic, or an unsure guess whose alternatives are spread
        over the desks rather than among one desk's requests."""
        if decision.intent == "smalltalk.offtopic":
            return True
        if decision.action != "clarify" or decision.confidence >= OFF_TOPIC_CONFIDENCE:
            return False
        desk = decision.confidence + sum(a["confidence"] for a in decision.alternatives if a["target"] == decision.target)
        return decision.target not in SERVERS or desk < ONE_DESK_CONFIDENCE

    @staticmethod
    async def _say(text: str) -> AsyncIterator[Action]:
        yield Say(text)

    def _continues_task(self, decision: Any, text: str, state: CallState) -> bool:
        task = state.task or {}
        fit = self.agent.answers(text, state)
        new_request = decision.action == "route" and decision.intent != task.get("intent")
        switch = new_request and "topic_switch" in decision.policy_hits and decision.confidence >= FREE_SWITCH_CONFIDENCE
        if fit == "value":
            # Another record's id with an order to change it, however sure the router is of the order: that act.
            # (Unsure between reading that record and changing it, the change is routed and judged on its words.)
            guesses = [decision.intent, *(a.get("intent") for a in decision.alternatives if decision.action != "route")]
            return not any(g and g != task.get("intent") and self.agent.acts_on_other_record(g, text, state)
                           for g in guesses)
        if fit == "free":
            # An open question takes statements; a new request there is put as one, or cued ("also ...").
            return not (switch and (bool(self._switch_cues(text)) or moves.asks(text)))
        # Not an answer: a clear new request re-routes; anything else re-asks the question. A bare
        # identifier is a misheard answer, never a new request, however sure the router is.
        if entities.only_codes(text) or (new_request and not switch and self.agent.about_the_asked(decision.intent, state)):
            return True
        return not (switch or (new_request and decision.confidence >= SWITCH_CONFIDENCE))

    @staticmethod
    def _yes_and_goodbye(text: str, state: CallState) -> bool:
        """"Yes, that's it, bye" to a read-back, however the router heard it: submit, then close."""
        task = state.task or {}
        return bool(task.get("confirming") or task.get("pending")) and entities.yes_no(text).yes is True \
            and bool(_GOODBYE.search(text.lower()))

    @staticmethod
    def _no_but_all_said(text: str, state: CallState) -> bool:
        """"No, that's all" or "no, that's it" to a read-back answers the "anything else?" the caller expected after it:
        no word against what was read back, nothing to change, so it stands ("no thanks, bye" declines it), unless the
        caller called it off on the way ("actually, cancel that, I'll check with finance")."""
        task = state.task or {}
        return bool(task.get("confirming")) and entities.yes_no(text).yes is False and bool(_ALL_SAID.search(text.lower())) \
            and not moves.negates(text) and not entities.number_runs(text) and not _called_off_before(state)

    @staticmethod
    def _yes_to_more(text: str, state: CallState) -> bool:
        last = _agents_last_line(state)
        reply = entities.yes_no(text)
        # Only a yes, or a yes and a go-ahead ("yes please, go ahead": I have more); "yes, close it" is a request.
        rest = _GO_AHEAD.sub(" ", moves.leftover(reply.rest).lower())
        # "Great, thanks" praises what was done and thanks for it: a close, not a yes to more.
        praise = bool(_PRAISE_THEN_THANKS.match(text.strip().lower()))
        return not state.task and last.endswith(ANYTHING_ELSE_FORMS) and reply.yes is True and not praise \
            and set(re.findall(r"[a-z']+", rest)) <= _MORE_WORDS

    @staticmethod
    def _only_confirms(text: str, state: CallState) -> bool:
        """"Yes, that's all correct" to "anything else?": the caller agrees with what was just said, which asks
        for nothing and takes no leave; the question stands."""
        last = _agents_last_line(state)
        reply = entities.yes_no(text)
        return not state.task and last.endswith(ANYTHING_ELSE_FORMS) and reply.yes is True \
            and bool(_CONFIRMED.fullmatch(re.sub(r"[^\w' ]+", " ", reply.rest.lower()).strip()))

    def _is_goodbye(self, decision: Any, text: str, state: CallState) -> bool:
        said_bye = bool(_GOODBYE.search(text.lower()))
        if not said_bye and self._read_again(text, state) is not None:
            return False  # "no sorry, Millbrook" to "anything else?" after a look-up: that look-up, put right
        if decision.intent == "smalltalk.goodbye" and decision.action == "route":
            return said_bye or (not state.task and not self._yes_to_more(text, state) and not self._only_confirms(text, state))
        last = _agents_last_line(state)
        if not state.task and last.endswith(ANYTHING_ELSE_FORMS) and said_bye \
                and not re.sub(r"[^\w']+", " ", _THANKS.sub(" ", _GOODBYE.sub(" ", _LEAD.sub("", text.strip().lower())))).strip():
            return True  # "OK, leave it there. Thanks.": nothing but a leave-taking, however the router heard it
        # "No" to "anything else?" ends the call.
        return not state.task and last.endswith(ANYTHING_ELSE_FORMS) and entities.yes_no(text).yes is False \
            and len(entities.yes_no(text).rest.split()) <= 3

    async def _route(self, decision: Any, text: str, state: CallState, *,
                     one_request: bool = False, settled: bool = False) -> AsyncIterator[Action]:
        """``one_request``: the words are known to be one request (an answer to "is it X or Y?" with
        what came before it, or the second of two kept for later), never split in two. ``settled``: what the
        request is was told by the words themselves (a record asked about without its number), so no other
        reading of the turn applies."""
        if state.task and decision.action == "route":
            topic = str(state.task.get("intent", "request")).split(".")[0].replace("_", " ")
            # A new record left for an act on one that exists ("it's WO-10004, bump it up to high"): none is made.
            new = str(state.task.get("tool", "")).startswith(slots.NEW_RECORD_PREFIXES) \
                and decision.intent.split(".")[0] == topic.replace(" ", "_")
            yield Say(f"Okay, no new {topic} then." if new else f"Okay, I'll leave the {topic} for now.")
            state.task = None
        if settled and decision.action == "route":
            self.coordinator.record(decision, state)
            yield route_event(decision)
            async for action in self._start(decision, text, state):
                yield action
            return
        read = self._read_by_id(text) if decision.action == "handoff" and decision.policy_hits == ["low_confidence_repeat"] \
            else None
        if read is not None:
            # Unclear twice, but this turn names a record of one kind ("... it's I N C two zero zero zero two"):
            # reading it is the way on, not a person.
            decision = dataclasses.replace(decision, action="route", target=read["target"], intent=read["intent"])
        elif decision.action == "handoff" and decision.policy_hits == ["low_confidence_repeat"]:
            # ... or asks about a place the articles describe ("can you tell me the address of the Lakeside plant?").
            decision = self._place_asked(dataclasses.replace(decision, action="clarify"), text) or decision
        if decision.action == "handoff":
            async for action in self._record_and_hand_over(decision, state):
                yield action
            return
        decision = self._listed_by_place(decision, text) or self._place_asked(decision, text) or decision
        after_howto = self._request_after_howto(text, state) if not one_request else None
        if after_howto is not None:
            decision, text, one_request = *after_howto, True
        # A request kept from before (the second of two) is what it was; only a new turn can ask for a change.
        change = self._change_asked(decision, text, state) if decision.action in ("route", "clarify") \
            and not one_request else None
        if change is not None:
            decision = dataclasses.replace(decision, action="route", target=change["target"], intent=change["intent"])
        if change is None and decision.action in ("route", "clarify"):
            decision = self._told_what_it_holds(decision, text) or self._fault_told_of_a_thing(decision, text, state) \
                or self._asked_of_read_record(decision, text) or decision
        asks_how = change is None and after_howto is None and decision.action in ("route", "clarify") \
            and self._asks_how(decision, text)
        if asks_how:
            # (A request after a how-to answer was decided with the question it leans on: it asks no question now.)
            # "The VPN says token out of sync, what am I meant to do?": a question answered from the articles.
            decision = dataclasses.replace(decision, action="route", intent="knowledge.howto")
        lost = self._lost(decision)
        if lost and decision.intent != "smalltalk.offtopic":
            decision = self._desk_by_values(decision, text) or decision
            lost = self._lost(decision)
        elif decision.action == "clarify" and not state.task \
                and (other := self._desk_by_values(decision, text, times=False)) is not None \
                and other.target != decision.target:
            # Unsure, leaning to one desk on its words ("every time I open a work order in Maximo the whole thing closes
            # on me"), but a choice only the other desk takes is named (Maximo is an IT system): that desk.
            decision = other
        read = self._done_with_id(text) if lost else None
        if read is not None:
            # "What is hotel one zero one one?": an id of one kind is that record, read, unless the turn asks for
            # something else done with it ("add a comment to INC 20002: the vendor comes at two").
            decision = dataclasses.replace(decision, action="route", **read)
        again = self._read_again(text, state) if not one_request else None
        if again is not None:
            decision = dataclasses.replace(decision, action="route", target=again["target"], intent=again["intent"])
            state.dialogue["read_again"] = {"tool": INTENT_TOOLS[again["intent"]][1], "args": again["args"]}  # for the task
        elif (one := self._one_listed(text, state) or self._one_read_of_several(text, state)) is not None:
            # "Why's that one on hold?" after a list that named one record: that record read in full (its notes say).
            decision = dataclasses.replace(decision, action="route", target=one["target"], intent=one["intent"])
            text = f"{text} {one['id']}"
        elif self._asks_about_read(decision, text, state):
            # "is that definitely the morning?": what was read holds it; the part that answers, or all of it again.
            yield Say(self._from_last_result(text, state, one_of_kind=True) or self._last_said(state, ""))
            return
        reader = self._read_to_answer(decision, text, state)
        if reader is not None:
            # "Has anyone been booked to come and look at it yet?" after a note was added: the record read says.
            decision = dataclasses.replace(decision, action="route", target=reader[0], intent=reader[1],
                                           reason=f"{decision.reason} Asks how the record just changed stands.")
        answer = self._answer_from_result(decision, text, state) if reader is None else ""
        if answer:
            yield Say(answer)  # "who approves it?": the part of the result that answers, said or not
            return
        # (A request known to be one of its own, the second of two or one pointed at, is no more of what was just read.)
        follow = self._write_after_read(decision, text, state) \
            if decision.action in ("route", "clarify") and change is None and not one_request else None
        if follow is not None:
            decision, text = follow
        elif decision.action == "route":
            if not one_request and not asks_how:  # (what the question tells first is its own story, no request)
                decision, text = self._keep_second_request(decision, text, state)
            # (A request kept from a turn of two is what it was: a value in the words kept with it is the other's.)
            logged = self._write_by_its_values(decision.intent, decision.alternatives, text) if not one_request else None
            if logged is not None:
                decision = dataclasses.replace(decision, target=logged["target"], intent=logged["intent"])
        elif decision.action == "clarify" and not one_request and change is None and not state.task:
            # The router may be unsure because the turn holds two requests: two clear ones at a clause
            # boundary settle it (the first now, the other offered after). An id that settles it comes first,
            # unless the two are for different desks (a fault to log, then an IT ticket to check).
            named = self._named_by_id(decision, text, state)
            first, words, later = self._split_two(decision, text, state)
            # (... or unless the first names its act in full: "put a note on WO-10003 that ..., and tell me where we
            # are with WO-10001" is the note, then the other's status, whatever the two numbers together settle.)
            if later is not None and (named is None or later["target"] != first.target
                                      or self._tool_named_in_full([first.intent], words) is not None
                                      or self._needs_what_it_makes(first.intent, later["intent"], later["text"])):
                decision, text, state.dialogue["later"] = first, words, later
        if follow is None and not one_request and decision.action in ("route", "clarify") and not state.dialogue.get("later"):
            both = self._records_to_read(text)
            if both:
                # "INC 20004, and the AutoCAD install, SR 30002": two tickets to hear about, read one after the other.
                decision = dataclasses.replace(decision, action="route", target=both[0]["target"], intent=both[0]["intent"])
                state.dialogue["later"] = {"text": text, **both[1], "accepted": True,
                                           "then": [{"text": text, **x, "accepted": True} for x in both[2:]]}
                state.dialogue["asking"] = text  # (asked of each: "... and when each of them was last serviced?")
        if follow is None and decision.action in ("route", "clarify") and not state.dialogue.get("later"):
            decision = self._status_asked(decision, text, state) or decision  # one request: what does it ask?
            decision = self._change_to_described(decision, text) or (
                decision.action == "clarify" and self._described_asked(decision, text)) or decision
            # ("my manager asked me to chase up a ticket, INC-20003", heard as an escalation: how it stands)
            decision = self._standing_asked(decision, text) or decision
            decision = self._desk_but_for_places(decision, text, state) or decision
            decision = self._whether_asked(decision, text) or decision
            decision = self._record_misheard(decision, text, state) or decision
            decision = self._thing_wanted_with_its_choice(decision, text) or decision
        if decision.action in ("clarify", "route") and decision.confidence < REQUEST_SENTENCE_CONFIDENCE \
                and not state.task and follow is None and change is None and after_howto is None:
            # (A request after a how-to answer was decided with the question it leans on already.)
            decision = self._request_sentence(decision, text, state) or decision
        if not state.task and not state.tool_attempts and follow is None:
            # "I need a proper headset with noise cancelling": a thing wanted is a new request, whatever act on a
            # record (cancel) a word of its description drew the router to; that act needs a record, none is named.
            decision = self._a_thing_needed(decision, text) or decision
        if decision.action in ("clarify", "route") and not state.task and change is None:
            # The words name it, whatever else was heard; or the article section that is plainly about what they
            # told says which record to ask for ("... Ask for a service request to clear it.").
            decision = self._kind_asked_for(decision, text) or self._kind_the_section_says(decision, text) or decision
        if follow is None and decision.action in ("route", "clarify") and not state.task:
            decision = self._unfounded_change(decision, text, state) or decision
        if follow is None and change is None and not state.task and decision.action in ("route", "clarify"):
            found = await self._number_found(decision, text, state)
            if found is not None:
                self._news_with_read(decision, found["intent"], text, state)
                decision = dataclasses.replace(decision, action="route", target=found["target"], intent=found["intent"])
        reading = decision.action == "route" and decision.intent.endswith(".status")
        if decision.action == "clarify" or reading:
            # Unsure between readings, one of whose tools the caller names in full ("it needs escalating again"): it.
            # So is a record read, when an act on that record is named ("that AutoCAD request, SR-30002, bin it"; "my
            # access request ..." names the record's kind, no new one).
            # ("Update my ticket" names no act: a caller's update may be news or a change.)
            whole = self._tool_named_in_full([i for i in dict.fromkeys([decision.intent, *(
                a["intent"] for a in decision.alternatives)]) if i in INTENT_TOOLS
                and not INTENT_TOOLS[i][1].startswith("update_")
                and not (reading and (INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES) or not self._ids_of(i)))], text)
            if whole is not None:
                decision = dataclasses.replace(decision, action="route", target=INTENT_TOOLS[whole][0], intent=whole)
        if decision.action == "clarify":
            # Unsure between a look-up and a write: an id of one kind, or a choice only the write takes, settles it.
            named = self._named_by_id(decision, text, state)
            if named is not None:
                self._news_with_read(decision, named["intent"], text, state)
                decision = dataclasses.replace(decision, action="route", target=named["target"], intent=named["intent"])
                # "... job w o one oh oh oh one, can you add a note to it": the record settles the desk; the turn
                # may still ask for something done with it.
                decision = self._asked_of_read_record(decision, text) or decision
            decision = self._settled(decision, text)
        if decision.action == "clarify" and not state.task:
            decision = self._off_topic_but_for_places(decision, text) or decision
        if decision.action == "clarify":
            decision = await self._made_or_changed(decision, text)
        if decision.action == "clarify" or (decision.action == "route" and decision.intent.endswith(".status")
                                             and slots.as_wanted(text) != text):
            decision = self._news_or_status(decision, text, state)
        if decision.action == "clarify":
            decision = self._asked_of_last_record(decision, text, state) or self._act_on_last_record(decision, text, state) \
                or decision
        if decision.action == "clarify" and not state.task and not state.routes:
            decision = self._asked_of_things(decision, text, state) or decision
        earlier = self._howto_asked_before(decision, text, state) or self._read_record_leaned_on(decision, text, state)
        if earlier:
            # "and how long does it run for?" right after a how-to answer: about the same thing, so the
            # articles are searched with the question before it. "And on a pump?" is that question again, of
            # another thing, whatever the router made of the fragment.
            again = self.coordinator.decide(f"{earlier} {text}", state)
            decision = dataclasses.replace(decision, passages=again.passages, **(
                {} if decision.intent == "knowledge.howto" else
                {"action": "route", "intent": "knowledge.howto", "target": state.routes[-1]["target"]}))
        asked = questions_in(text) if decision.intent == "knowledge.howto" and decision.target in SERVERS else []
        if len(asked) > 1:
            # Two questions in a turn ("how far ahead can I book a visit and what times do they come?"): each one's
            # own sections too, which the whole turn's search may rank below the first question's.
            own = [p for q in asked for p in self.coordinator.passages(normalise(q), decision.target)]
            decision = dataclasses.replace(decision, passages=list({p.id: p for p in [*decision.passages, *own]}.values()))
        if decision.intent == "knowledge.howto" and decision.target in SERVERS:
            decision = dataclasses.replace(decision, passages=self._of_the_kind_asked(decision.passages, text))
        person, made = self._person_per_articles(decision, text, state)
        if person:
            # "My laptop is asking for a BitLocker recovery key": the articles say a person does this, so no
            # ticket is opened for it; the caller is passed to that desk (the request's) with what they told.
            state.current = {"target": decision.target, "intent": made}
            async for action in self._record_and_hand_over(dataclasses.replace(
                    decision, action="handoff", intent=made, policy_hits=["articles:person"],
                    reason=f'The articles say a person does this: "{person}"'), state):
                yield action
            return
        if decision.intent == "knowledge.howto" and decision.action == "route" and not state.task \
                and not state.dialogue.get("later") and (need := self._need_beside_question(text, state)) is not None:
            # "I need Visio installed on my laptop. How long does that normally take?": the question answered, then
            # the need it came with started (its first question in place of "anything else?").
            state.dialogue["later"] = {**need, "accepted": True}
        self.coordinator.record(decision, state)
        yield route_event(decision)
        if self._lost(decision) and not state.task and _asks_a_question(text) \
                and len(_words_stemmed(answer := self._answer_from_articles(text, "", "")) & _words_stemmed(" ".join(
                    slots.without_values(text, self.agent.site_names)))) >= ARTICLE_SHARED_STEMS:
            # "Can you read me today's visitor wifi code?": nothing the line does, but an article says how it is done
            # ("Reception gives out the daily guest code; IT cannot read it over the phone.").
            yield Say(answer)
            yield Say(ANYTHING_ELSE)
            return
        if self._lost(decision):
            # Nothing this line does comes close: say what it does instead of guessing between two.
            # One reply, so a third time round it is replaced whole by another way (see ``_guarded``).
            state.dialogue["lost_turn"] = state.turn_count  # see ``respond``: a request after it is heard afresh
            yield Say(f"Sorry, I can't help there. {CAPABILITIES} What do you need?")
            return
        if decision.action == "clarify":
            other = [a for a in decision.alternatives if a["intent"] != decision.intent][:1]  # as the question names
            options = [{"target": decision.target, "intent": decision.intent}, *other]
            question = decision.clarify_question or "Could you tell me a bit more about what you need?"
            state.dialogue["clarify"] = {"text": text, "question": question,
                                         "options": [{"target": o["target"], "intent": o["intent"]} for o in options]}
            yield Say(question)
            return
        async for action in self._start(decision, text, state):
            yield action

    def _asked_of_things(self, decision: Any, text: str, state: CallState) -> Any | None:
        """Still unsure of the call's first request: the turn without the thing it names, the thing's place and
        codes ("we don't need the tech coming out to the oil pump at North Ridge anymore"). Those could belong
        to any request and pull towards a fault or a look-up; what is asked of them is in the other words.
        None unless those alone are a clear request. (Later in a call, what was said before settles more.)"""
        bare = slots.without_values(text, self.agent.site_names, things=True)
        if len(_content_words(" ".join(bare))) < 3 or len(bare) == len(slots.without_values(text, self.agent.site_names)):
            return None  # (no thing said to be at a place: its codes alone may be what settles it, "my ticket, INC ...")
        again = self.coordinator.decide(" ".join(bare), state)
        return dataclasses.replace(again, utterance=decision.utterance) if again.action == "route" else None

    def _person_per_articles(self, decision: Any, text: str, state: CallState) -> tuple[str, str]:
        """For a new record about to be opened, the article sentence that says a person does what the caller
        describes (``answers.person_per_articles``), and that request (when unsure whether it was a how-to, the
        other reading). ("", "") when none does, or a request is already under way."""
        if state.task or decision.action not in ("route", "clarify"):
            return "", ""
        # Unsure between a how-to and a new record ("my laptop's asking for a BitLocker key, I need it now"), both
        # end at that person when the articles say so: the caller is not asked which they meant.
        options = [decision.intent, *([a["intent"] for a in decision.alternatives[:1]] if decision.action == "clarify" else [])]
        specs = [self._spec_of(i) for i in options]
        made = next((i for i, s in zip(options, specs) if s is not None and s.name.startswith(NEW_RECORD_PREFIXES)), None)
        if made is None or not all(i == "knowledge.howto" or (s is not None and s.name.startswith(NEW_RECORD_PREFIXES))
                                   for i, s in zip(options, specs)):
            return "", ""
        return answers.person_per_articles([p.text for p in decision.passages if getattr(p, "kind", "") == "article"],
                                           text), made

    async def _start(self, decision: Any, text: str, state: CallState) -> AsyncIterator[Action]:
        """The request decided: options asked about answered, then its first question or read-back, unless it
        asks for what the caller said they do not have (then the other way to it)."""
        explained, text = self._options_asked_with(decision.intent, text)
        explained = explained or self._asked_with_request(decision, text)
        if explained:
            yield Say(explained)  # answered first; then the request's own question or read-back
        if decision.intent == "knowledge.howto":
            # The articles nearest each question too, after those nearest the whole story it was told in.
            found = [p.to_dict() for q in asked_parts(text) if q != text for p in self.coordinator.passages(q, decision.target)]
            state.passages = list({p["id"]: p for p in [*state.passages, *found]}.values())
            # (A site named in the question itself, not in the story before it: "A126 at Riverside has seized. Can I put a
            # bar on the handwheel?" asks about valves, not about Riverside.)
            asked = " ".join(x for x in _SENTENCE.split(text) if x.strip().endswith("?"))
            name = self._site_name(entities.site(asked or text, self.agent.site_names)).lower()
            if name:  # (the sections about the site asked of first: "the address of site five five")
                state.passages.sort(key=lambda p: name not in str(p.get("text", "")).lower())
        unknown = state.dialogue.pop("unknown", "")
        question: Say | None = None
        async for action in self.agent.start(decision.intent, text, state):
            if unknown and isinstance(action, Say) and not action.filler:
                if question is not None:
                    yield question
                question = action  # the last thing said may ask what the caller said they do not know
                continue
            yield action
        if question is not None and _asks_for(state, unknown):
            offer = OFFER_PERSON_EARLIER if unknown == EARLIER_REFERENCE else OFFER_PERSON_UNKNOWN
            async for action in self._another_way(state, offer):  # not asked for what they lack
                yield action
        elif question is not None:
            yield question

    def _asked_with_request(self, decision: Any, text: str) -> str:
        """A request that ends on a question about it ("Order a replacement laptop for Hannah ... And does that
        need her manager's approval?"): what the desk's articles say, searched with the request. "" when the
        last sentence asks for something, names a record, or the articles hold no clear answer."""
        spec = self._spec_of(decision.intent)
        sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()]
        if decision.action != "route" or spec is None or len(sentences) < 2 or not spec.name.startswith(NEW_RECORD_PREFIXES):
            return ""  # (a question beside a record that exists asks about it: its status, not the articles)
        question = sentences[-1]
        if not _only_asks(question) or self._names_a_record(question) or answers.asks_done_alone(question):
            return ""  # ("..., so could you book a visit for tomorrow evening?" is the request itself)
        if _WHAT_THAT_IS.match(question.strip()):
            question = f"{sentences[-2].strip()} {question}"  # "They said to get a work order. What even is that?"
        return self._answer_from_articles(question, decision.intent, " ".join(sentences[:-1]))

    @staticmethod
    def _about_the_task(text: str, state: CallState) -> bool:
        """Does a turn at a read-back name what the act read back is done to ("just the visit" at "I'll cancel the
        visit: ...")?"""
        task = state.task or {}
        if not task.get("confirming") or not task.get("tool"):
            return False
        # The read-back's object ("cancel the visit": visit; "open a work order": work order), said whole or by
        # two of its words together, never one word of several ("order me a taxi" is not "a work order").
        thing = [w for w in entities.tokens(slots.describe_tool(task["tool"]))[1:] if w not in ("a", "an", "the")]
        said = f" {' '.join(entities.tokens(text.lower()))} "
        parts = [thing] if len(thing) == 1 else [thing[i:i + 2] for i in range(len(thing) - 1)]
        return any(f" {' '.join(p)} " in said for p in parts)

    @staticmethod
    def _another_request(decision: Any, state: CallState) -> bool:
        """Is the turn clearly a request other than the one offered next ("my printer's broken as well")?"""
        later = state.dialogue.get("later") or {}
        return decision.action == "route" and decision.intent in INTENT_TOOLS \
            and decision.intent != later.get("intent") and decision.confidence >= SWITCH_CONFIDENCE

    def _of_the_kind_asked(self, passages: list[Any], text: str) -> list[Any]:
        """``passages``, with the further sections of the first one's article that hold what the question's words
        ask for ("how quickly": "within 4 hours") when none kept does: "if I put a work order in as urgent, how
        quickly does somebody come out?" is nearest the section on raising one, its article's priorities answer."""
        def holds(p: Any) -> bool:
            return any(answers.of_the_kind_asked(text, x) for x in answers.article_sentences(p.to_dict()))
        article = passages[0].id.partition("#")[0] if passages else ""
        # (Held by another article's section is not enough: the first is the question's topic.)
        if not passages or any(holds(p) for p in passages if p.id.partition("#")[0] == article):
            return passages
        # (Searched with the article's title too: its sections, not the question's other topics.)
        title = passages[0].title.partition(":")[0]
        deeper = [p for p in self.coordinator.index.search(normalise(f"{title}. {text}"), k=DEEPER_SECTIONS)
                  if p.id.partition("#")[0] == article and holds(p) and p.id not in {x.id for x in passages}]
        return [*passages, *deeper]

    def _desk_but_for_places(self, decision: Any, text: str, state: CallState) -> Any | None:
        """"The printer in the Westfield depot office is showing a fuser error ... I'm E10850": the site's name
        (and the codes) pull the router to the field desk; heard without them, it is clearly another desk's
        request: that one. None otherwise (a pump at a site is the field desk's either way)."""
        if state.task or decision.target not in SERVERS:
            return None
        # (A record's number or a thing's tag is the desk's own evidence, no mere place; but a tag only says which
        # thing: "pump A124 at North Ridge is making a right racket, can you get it looked at?" is still a fault.)
        tagged = self._names_a_record(text)
        if tagged and any(_ticket_number(s) for i in INTENT_TOOLS if INTENT_TOOLS[i][0] == decision.target
                          for s in self._ids_of(i) if self._names_its_ids(i, text, self._context())):
            return None
        heard = self._heard_without_places(text)
        if not heard or heard[0].target not in SERVERS \
                or heard[0].confidence < ONE_DESK_CONFIDENCE or heard[0].intent not in INTENT_TOOLS:
            return None
        if (tagged or heard[0].target == decision.target) and not self._read_heard_for_new_record(decision, heard[0], text):
            return None
        return dataclasses.replace(decision, action="route", target=heard[0].target, intent=heard[0].intent,
                                   confidence=heard[0].confidence,
                                   reason=f"{decision.reason} Without its places and codes: "
                                          f"{self.coordinator.policy.name_of(heard[0].intent)}.")

    def _read_heard_for_new_record(self, decision: Any, heard: Any, text: str) -> bool:
        """Is ``decision`` a look-up that a new record of its desk, heard clearly without the turn's places and
        codes, replaces ("i am calling for the pump of site twelve, the number two pump, it make very big noise
        ..., please to send somebody": the thing at its place sounds like a look-up; what is told is a fault)?
        Not in a turn that asks a question or tells of an earlier call ("is anyone coming out to the oil pump?
        It keeps tripping" asks after a job that may exist)."""
        spec, wanted = self._spec_of(decision.intent), self._spec_of(heard.intent)
        low = text.lower()
        return spec is not None and wanted is not None and not slots.is_write(spec.name, spec.annotations) \
            and wanted.name.startswith(NEW_RECORD_PREFIXES) and not _asks_to_know(text) \
            and not (_TOLD_BEFORE.search(low) or _CHASING.search(low) or _EARLIER_CALL.search(low))

    def _whether_asked(self, decision: Any, text: str) -> Any | None:
        """"Just tell me if anyone's booked to come out for it": asked whether something is so, heard as the act
        that would make it so (booking a visit). Only asked: the record's status is read. None otherwise."""
        spec = self._spec_of(decision.intent)
        low = text.lower()
        if spec is None or not slots.is_write(spec.name, spec.annotations) \
                or not (_WHETHER.search(low) or _DONE_ASKED.search(low)) \
                or _REQUEST_QUESTION.search(_DONE_ASKED.sub(" ", _WHETHER.sub(" ", low))):
            return None
        ids = self._id_names(decision.intent)
        status = self._reader_of(decision.target, ids) if ids else None
        return None if status is None else dataclasses.replace(
            decision, action="route", intent=status, reason=f"{decision.reason} Asks whether it is so: its status.")

    def _status_asked(self, decision: Any, text: str, state: CallState) -> Any | None:
        """A turn that describes a problem and asks how it is going ("I called about the oil pump at North
        Ridge tripping. When is somebody coming out?", "... SR-30003, has it been approved yet?"): what the
        caller asks decides, so the record's status is read, not a new one opened. Taken when the question
        on its own sounds like a status check and the whole turn like a new request of one desk: then that
        desk's status check. None otherwise."""
        spec = self._spec_of(decision.intent)
        if decision.action == "clarify" and decision.alternatives and (
                spec is None or decision.intent.endswith(".status")
                or (not slots.is_write(spec.name, spec.annotations)
                    and (_DONE_QUESTION.search(text.lower()) or _RECORDS_ASKED.search(text.lower())))):
            # Unsure between a how-to (no tool) or a status check and a new fault: the fault is the request the
            # question may turn into a status check. (So is a look-up of a thing, asked whether work was done or
            # is logged: "the borescope inspection on turbine 1, was it done?", "pump 1, is anything logged on it?")
            spec = self._spec_of(decision.alternatives[0]["intent"])
        if spec is None or not (spec.name.startswith(NEW_RECORD_PREFIXES) or decision.action == "clarify"
                                and _status_of(spec.server) in [o["intent"] for o in decision.alternatives[:1]]):
            return None  # only a request that makes something new (a cancel or an escalation names its record)
        server, ctx = spec.server, self._context()
        decision = dataclasses.replace(decision, target=server)
        status = _status_of(server)
        # A new request never names a record that exists already ("my request SR-30001, is that done?"):
        # the caller is asking about it; what they want done with it, if the router heard it, else its status.
        own = set(spec.input_schema.get("properties", {}))
        named = [i for i in INTENT_TOOLS if INTENT_TOOLS[i][0] == server and self._ids_of(i) and i != decision.intent
                 and all(s.name not in own and _ticket_number(s) for s in self._ids_of(i))
                 and self._names_its_ids(i, text, ctx) and not (i.endswith(".update") and self._changes_nothing(i, text))]
        if named and not NEW_RECORD.search(text.lower()):  # ("... replaced on WO-10007. Raise a new job": the new one)
            # Unless another is clearly asked for, a turn that asks nothing tells news for the record: for the
            # tool that adds to a record (the servers' "add_" naming). "It still fails" is no new fault.
            news = next((i for i in named if INTENT_TOOLS[i][1].startswith(NEWS_PREFIXES)), None)
            only_tells = _tells_only(text)
            intent = self._wanted_with_record(named, status, text, ctx, news if only_tells else None)
            if intent == status and news is not None and only_tells:
                self._offer_news(news, text, state)
            return dataclasses.replace(decision, action="route", intent=intent,
                                       reason=f"{decision.reason} Names a record that exists: {self.coordinator.policy.name_of(intent)}.")
        sentences = [q.strip() for q in _SENTENCE.split(text) if q.strip()]
        # The last question asked, wherever it stands ("when's somebody coming out to that oil pump? It went
        # again at teatime."): news after it does not unask it.
        last_asked = next((x for x in reversed(sentences) if x.endswith("?")), "") or next(
            (x for x in reversed(sentences) if _WHEN_QUESTION.match(_LEAD.sub("", x.lower()))), "")  # unpunctuated
        if not last_asked and not re.search(r"[.!?]", text) and (standing := _STANDING.search(text.lower())):
            last_asked = text[standing.start():]  # unpunctuated, the question is where it asks how it stands
        # (Clauses end at a comma, a colon, or at a dash written between words: "..., G-6802 - has it got anything open
        # on it?", "one more: have we got anything open on ...?")
        asked = [c.strip() for c in re.split(r",\s*|:\s+|\s+[-–—]\s+", last_asked)] if last_asked else []
        questions = [c for c in asked if _QUESTION.match(c.lower())]
        # A question put as a statement: "I need to know when your bloke's turning up", "tell me if it's done".
        questions += [m.group(1) for m in _INDIRECT_QUESTION.finditer(text.lower())][-1:]
        if status is not None and not questions and _CHASING.search(text.lower()) and not _wants_anything(text):
            # "I'm checking on the job for the switch room chiller. My colleague said he'd reported it.": chasing,
            # said without a question and asking for nothing, is how it is going.
            return dataclasses.replace(decision, action="route", intent=status,
                                       reason=f"{decision.reason} Chasing: {self.coordinator.policy.name_of(status)}.")
        low = text.lower()
        if status is not None and not questions and _EARLIER_CALL.search(low) and _NOT_FIXED.search(low) \
                and not _wants_anything(text) and not NEW_RECORD.search(low):
            # "I rang yesterday about my laptop not getting on the VPN. ... I've tested from site and it still
            # fails": the fault told before, not fixed, is news for the record that call made.
            news = self._news_for(status)
            if news is not None:
                return dataclasses.replace(decision, action="route", intent=news,
                                           reason=f"{decision.reason} Told before, still not fixed: "
                                                  f"{self.coordinator.policy.name_of(news)}.")
        if status is None or not questions or _SOMETHING_YOU_DO.search(questions[-1].lower()) \
                or _WHAT_IT_TAKES.match(_LEAD.sub("", questions[-1].lower())):
            return None  # ("Is that something you can request for me?" asks for the request told.)
        alone = self.coordinator.decide(questions[-1], state)
        # "I was reporting the compressor ... did that go through?": a question after telling of an earlier
        # call is about what that call made, however short the question.
        earlier = bool(_TOLD_BEFORE.search(text.lower()))
        # A new fault never asks when: "when's somebody coming out to that oil pump?" asks how its job is going,
        # however much of the fault the question carries; what usually happens is a how-to.
        when = (bool(_WHEN_QUESTION.match(questions[-1].lower())) and not _HABIT_QUESTION.search(questions[-1].lower())) \
            or bool(_DONE_QUESTION.match(questions[-1].lower()) or WORK_ASKED.match(questions[-1].lower())) \
            or bool(_RECORDS_ASKED.search(f"{last_asked} {questions[-1]}".lower()))  # (nor whether anybody ever fixed it, or is on it)
        if not earlier and not when and (not alone.intent.endswith(".status") or alone.confidence < OFF_TOPIC_CONFIDENCE):
            return None
        return dataclasses.replace(decision, action="route", intent=status, confidence=alone.confidence,
                                   reason=f"{decision.reason} Asked how it is going: {self.coordinator.policy.name_of(status)}.")

    @staticmethod
    def _howto_asked_before(decision: Any, text: str, state: CallState) -> str:
        """The caller's previous question when this how-to question follows a how-to answer and leans on
        it ("and how long's it got to be?": a pronoun or a leading "and", few words); "" otherwise."""
        if not state.routes or state.routes[-1]["intent"] != "knowledge.howto":
            return ""
        last = (_sentences(text) or [text])[-1].strip().lower()
        fragment = bool(_ANOTHER_THING.match(last)) and last.endswith("?") and not _VERB.search(last) \
            and len(entities.tokens(last)) <= FOLLOW_UP_WORDS
        if decision.intent != "knowledge.howto" and not fragment:
            return ""
        words = entities.tokens(text)
        if not fragment and (len(words) > FOLLOW_UP_WORDS
                             or not (set(words) & _LEANING or words[:1] in (["and"], ["also"], ["so"]))):
            return ""
        callers = [t["text"] for t in state.turns if t.get("role") == "caller"]
        return callers[-2] if len(callers) >= 2 else ""

    def _read_record_leaned_on(self, decision: Any, text: str, state: CallState) -> str:
        """What the record just read is about, when this how-to question leans on it ("how long do these normally
        take?" after an access request was read: access requests); "" otherwise."""
        read = self._just_read(state) if decision.intent == "knowledge.howto" else None
        result = read[0].get("result") if read is not None else None
        summary = result.get("summary") if isinstance(result, dict) else None
        # (A condition said first is no topic of its own: "if they can't make it on the day, can we move it?")
        words = entities.tokens(_LEADING_CONDITION.sub("", text.lower()))
        if len(words) > FOLLOW_UP_WORDS or not set(words) & (_LEANING | {"these"}) or decision.intent != "knowledge.howto":
            return ""
        if isinstance(summary, str):
            return summary
        # ... or, right after a record was written, its kind and how it now stands ("how long have they got to sort it
        # now?" after an escalation: an incident, priority high).
        done, last = _last_done(state), (state.tool_attempts[-1] if state.tool_attempts else {})
        written = self._spec_of(done[0]["intent"]) if done and not state.task and last.get("ok") else None
        if written is None or not slots.is_write(written.name, written.annotations) or not isinstance(last.get("result"), dict):
            return ""
        choices = {x.name for x in slots.slots_of(written.input_schema) if x.kind == "enum"} | {"priority", "status"}
        stands = _choices_in_words({k: v for k, v in last["result"].items() if k in choices and isinstance(v, str)})
        return f"{self.coordinator.policy.name_of(done[0]['intent'])}. {stands}".strip(" .")

    def _request_after_howto(self, text: str, state: CallState) -> tuple[Any, str] | None:
        """Right after a how-to answer, a request that leans on it ("Did that already. Can you log it for someone
        to look at?") is for the problem asked about: decided with the question before it, as the most likely
        new record of those readings (the how-to was answered already). None otherwise."""
        # ("raise one"; "please make the ticket" once the answer said to report one: the one it told of)
        advised = _made_by_kind(self._last_said(state, "").lower(), _RECORD_KINDS, loosely=True)
        made = _made_by_kind(text.lower(), _RECORD_KINDS, loosely=False, told=advised) or offer_taken(text)
        if state.task or not state.routes or state.routes[-1]["intent"] != "knowledge.howto" \
                or not (set(entities.tokens(text)) & _LEANING or made) \
                or not (_REQUEST_QUESTION.search(text.lower()) or _GO_AHEAD.search(text.lower()) or made):
            return None  # (leaning on it, or a new record asked for: "... nothing happens, can you log a ticket"; "do it";
            # "raise a job for an electrician then")
        callers = [t["text"] for t in state.turns if t.get("role") == "caller"]
        if len(callers) < 2:
            return None
        # An act on a record this call holds, named in full ("can you add a comment that the crack's spreading?"
        # after a how-to about the ticket read before it): on that record, not a new one for the question's problem.
        held = [i for i, (_, tool) in INTENT_TOOLS.items() if not tool.startswith(NEW_RECORD_PREFIXES)
                and (ids := self._id_names(i)) and all(x in state.entities for x in ids)
                and (x := self._spec_of(i)) is not None and slots.is_write(x.name, x.annotations)]
        named = self._tool_named_in_full(held, text) if not made else None
        if named is not None:
            decision = self.coordinator.decide(text, state)
            return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[named][0], intent=named,
                                       reason=f"{decision.reason} Asks for {self.coordinator.policy.name_of(named)}, "
                                              f"on the record this call holds."), text
        joined = f"{callers[-2]} {text}"
        again = self.coordinator.decide(joined, state)
        readings = [{"target": again.target, "intent": again.intent, "confidence": again.confidence}, *again.alternatives]
        # ("Raise a job for it then" asks for a new record in so many words: the likeliest new record of the readings,
        # after "the valve has seized, can I put a bar on it?" the story may sound like news for a job.)
        tool = next((r for r in readings if r["intent"] in INTENT_TOOLS
                     and (not made or INTENT_TOOLS[r["intent"]][1].startswith(NEW_RECORD_PREFIXES))), None)
        if tool is None or not INTENT_TOOLS[tool["intent"]][1].startswith(NEW_RECORD_PREFIXES):
            return None
        # What is wrong is what the caller told, not how they asked to fix it ("it stopped syncing this morning").
        told = " ".join(x for x in _SENTENCE.split(callers[-2].strip()) if not _questions_only(x)) \
            or _story_before_advice(callers[-2])  # (with or without "?")
        decision = dataclasses.replace(again, action="route", target=tool["target"], intent=tool["intent"],
                                       confidence=tool["confidence"],
                                       reason=f"{again.reason} Asked after the how-to answer: the same problem.")
        # The kind of record the answer told them to ask for ("Ask for a service request to clear it.") is the one,
        # however unlikely a new record sounded in the question the answer was for.
        told_kind = self._kind_asked_for(decision, self._last_said(state, ""))
        if told_kind is None and tool["confidence"] < OFF_TOPIC_CONFIDENCE and not made:
            return None
        return told_kind or decision, f"{told or callers[-2]} {text}"

    def _request_sentence(self, decision: Any, text: str, state: CallState) -> Any | None:
        """A long turn the router is unsure of, whose last request sentence is clear on its own ("... about the
        air con job, the number's ten thousand and four. can I get an engineer booked in?"): what that sentence
        asks, when it is for the desk the whole turn was about. A sentence that leans on the one before ("can you
        cancel it?") is judged with it. None otherwise."""
        sentences = _sentences(text)
        # ("how far ahead can I book a visit?" asks to know, not for a booking: "can I" after the question word)
        asking = [i for i, x in enumerate(sentences) if (_REQUEST_QUESTION.search(x.lower()) or _NEED.match(x.lower()))
                  and not _INFO_QUESTION.match(_LEAD.sub("", x.strip().lower()))]
        if not asking or (decision.intent in INTENT_TOOLS and self._tool_named_in_full([decision.intent], sentences[asking[-1]])):
            return None  # (the sentence names the act already decided: "I need INC-20002 escalated, the historian")
        leaning = self._ask_leaning(decision, sentences[asking[-1]])
        if leaning is not None:
            return leaning
        if len(sentences) < 2:
            return None
        i = asking[-1]
        # An act on a record the turn names is not turned into a new record by what its request sentence tells
        # ("INC-20004 ... The touch has now stopped working completely, can you add that to it?").
        on_named = decision.intent in INTENT_TOOLS and not INTENT_TOOLS[decision.intent][1].startswith(NEW_RECORD_PREFIXES) \
            and bool(self._ids_of(decision.intent)) and self._names_its_ids(decision.intent, text, self._context()) \
            and not NEW_RECORD.search(text.lower())
        for words in [sentences[i], *([" ".join(sentences[i - 1:i + 1])] if i else [])]:
            alone = self.coordinator.decide(words, state)
            alone = self._listed_by_place(alone, words) or alone  # judged alone by the rules the whole turn was
            if on_named and alone.intent in INTENT_TOOLS and INTENT_TOOLS[alone.intent][1].startswith(NEW_RECORD_PREFIXES):
                continue
            if alone.action == "route" and alone.target == decision.target and alone.confidence >= REQUEST_SENTENCE_CONFIDENCE:
                return dataclasses.replace(decision, action="route", intent=alone.intent, confidence=alone.confidence,
                                           reason=f"{decision.reason} The request sentence asks: "
                                                  f"{self.coordinator.policy.name_of(alone.intent)}.")
        return None

    def _ask_leaning(self, decision: Any, sentence: str) -> Any | None:
        """A short ask at the end that leans on what came before ("the technician coming for the oil pump job,
        ten thousand and two, can we move that?"): the clause says what is wanted, its sentence what it is about.
        Each alone is unsure; the request both make likely (their probabilities multiplied) decides, when
        it is clear and for the desk the whole turn was about. None otherwise."""
        clauses = [c.strip() for c in re.split(r",\s*", sentence) if c.strip()]
        ask = clauses[-1] if len(clauses) > 1 else ""
        words = entities.tokens(ask)
        if not ask or len(words) > FOLLOW_UP_WORDS or not set(words) & _LEANING or not _REQUEST_QUESTION.search(ask.lower()):
            return None
        router = self.coordinator.router
        about = {s.intent: s for s in router.classify(sentence)}
        joint = {s.intent: s.confidence * about[s.intent].confidence for s in router.classify(ask) if s.intent in about}
        total = sum(joint.values())
        best = max(joint, key=joint.__getitem__) if total > 0 else None
        if best is None or joint[best] / total < REQUEST_SENTENCE_CONFIDENCE or about[best].target != decision.target:
            return None
        return dataclasses.replace(decision, action="route", intent=best, confidence=joint[best] / total,
                                   reason=f"{decision.reason} The ask at the end, with what it is about: "
                                          f"{self.coordinator.policy.name_of(best)}.")

    def _wanted_with_record(self, named: list[str], status: str | None, text: str, ctx: slots.Context,
                            news: str | None = None) -> str:
        """Which of ``named`` (what can be done with a record the caller named) the turn asks for; when none is
        likely enough, ``news`` (a turn that only tells something) or else its ``status`` check. Ranked among
        those only, by the whole turn and by what follows the record's number, where callers say what they want
        ("..., work order 10006. Just to add, it failed again this morning"), or in the clause that names it ("add a note to work order 10001: the
        standby pump is carrying the load"): among all requests the story of the fault drowns the ask."""
        whole = self._tool_named_in_full(named, text)
        if whole is not None:
            return whole  # its tool named in so many words ("I want to add a note to WO 10007 ..."): asked for
        adding = [i for i in named if INTENT_TOOLS[i][1].startswith("add_")]
        if len(adding) == 1 and (_adds_that(text) or _PASS_ON.search(text.lower())):
            # "can you add to INC-20004 that the crack has spread": words added to it; "can you pass him a message?",
            # "I want to tell them something": words for whoever works on it
            return adding[0]
        if status is not None and (_asks_how_it_stands(text) or any(
                _DONE_QUESTION.match(_LEAD.sub("", c.strip().lower())) for c in re.split(r"[,;:]\s*|(?<=[.!?])\s+", text))):
            # "can you tell me where my ticket INC-20003 is at?", "my manager asked me to chase up INC-20003", "job
            # 10012 on the transfer pump, was that actually signed off?"
            return status
        if status is not None and not _asks_to_know(text) and any(
                _REQUEST_QUESTION.search(lead := _LEAD.sub("", x.strip().lower())) or _NEED.match(lead) for x in _SENTENCE.split(text)):
            # "I want a technician at Riverside Monday morning for WO-10001": asked for, a choice only one act on the
            # record takes (a visit's time of day) is that act, not the record read out. ("I rang yesterday ..., it
            # failed again this morning" asks for nothing: a time gone by.)
            by_values = self._write_by_its_values(status, [{"target": INTENT_TOOLS[i][0], "intent": i} for i in named], text)
            if by_values is not None:
                return by_values["intent"]
        clauses = [c for c in re.split(r"(?<=[.!?,;:])\s+", text) if c.strip()]
        at = next((n for n, c in enumerate(clauses) if any(self._names_its_ids(i, c, ctx) for i in named)), None)
        tail = " ".join(clauses[at + 1:]) if at is not None else ""
        head = clauses[at] if at is not None else ""
        if at and not clauses[at - 1].rstrip().endswith((".", "!", "?")) and len(_content_words(head)) < 2:
            head = f"{clauses[at - 1]} {head}"  # "call off the visit for the pump job, | WO 10001.": its sentence
        # The clause counts alone when it asks for something: by a tool's own word ("cancel SR 30002") or as a
        # request ("can you bump the aircon job 10004 up to high"); "I rang about work order 10003" does neither.
        asks = self._names_a_tool(head, named) or bool(_REQUEST_QUESTION.search(head.lower()))
        head = head if at is not None and len(clauses) > 1 and asks else ""
        # Each sentence after it alone too: "the AutoCAD install. I don't need it any more." asks in its last.
        after = _sentences(tail) if len(_sentences(tail)) > 1 else []
        if len(clauses) == 1 and len(_sentences(text)) > 1:
            after = _sentences(text)[1:]  # no marks at all: "... job one zero zero zero two we need to cancel it ..."
        score: dict[str, float] = {}
        for part in [text] + [p for p in (tail, head, *after) if len(p.split()) >= 3]:
            for s in self.coordinator.router.classify(part):
                if s.intent in named:
                    score[s.intent] = score.get(s.intent, 0.0) + s.confidence
        best = max(score, key=score.__getitem__) if score else None
        if best is not None and (score[best] >= WANTED_CONFIDENCE or status is None):
            return best
        return news or status or named[0]

    def _standing_asked(self, decision: Any, text: str) -> Any | None:
        """A turn that asks where a record it names stands ("can you tell me where my Outlook ticket INC-20003 is
        at?"), heard as another act on it or unsure: its desk's status check. None otherwise."""
        status = _status_of(decision.target)
        if status is None or (decision.intent == status and decision.action == "route") \
                or decision.action not in ("route", "clarify") \
                or not _asks_how_it_stands(text) \
                or not self._names_its_ids(status, text, self._context()) \
                or self._tool_named_in_full([decision.intent], text) is not None:
            return None
        return dataclasses.replace(decision, action="route", intent=status)

    def _names_a_tool(self, clause: str, intents: list[str]) -> bool:
        """Does ``clause`` say what one of the tools for ``intents`` does, by a word of its name that is not its
        record's ("put a note on job 10001": add_work_order_note; "cancel SR 30002")? "I rang about work order
        10003" says none. The words are the servers' own."""
        own = {w for i in intents for s in self._ids_of(i) for w in re.findall(r"[a-z]+", s.label.lower())}
        named = {w for i in intents if (spec := self._spec_of(i)) is not None for w in str(spec.name).split("_")}
        return bool(set(entities.words_besides_numbers(clause.lower())) & (named - own - {"get", "list", "lookup"}))

    def _desk_by_values(self, decision: Any, text: str, *, times: bool = True) -> Any | None:
        """A turn the router cannot place between the desks that tells something and names a choice only one
        desk's tools take ("the asset health dashboard in Power BI has been blank since yesterday": Power BI is an
        IT system): the router's best reading on that desk. None otherwise."""
        if not _tells_only(text):
            return None
        ctx, named, held = self._context(), {}, {}
        for intent, (server, _) in INTENT_TOOLS.items():
            # (``times`` False: a time of day is no desk's, "since this morning" is when it started.)
            choices = [s for s in self._slots_of(intent) if s.kind == "enum" and (times or not s.hours)]
            for choice in choices:
                held.setdefault(choice.name, set()).add(server)
            named.setdefault(server, set()).update(slots.mentioned(choices, text, ctx, verbs=False) if choices else {})
        # (A choice both desks take, a priority, tells neither.)
        desks = {server for server, names in named.items() if any(len(held[n]) == 1 for n in names)}
        if len(desks) != 1:
            return None
        desk = desks.pop()
        best = next((a for a in [{"target": decision.target, "intent": decision.intent}, *decision.alternatives]
                     if a["target"] == desk and a["intent"] in INTENT_TOOLS), None)
        return dataclasses.replace(decision, action="route", target=desk, intent=best["intent"]) if best else None

    def _choice_it_takes(self, text: str, state: CallState) -> bool:
        """Does ``text`` say a value the task under way takes other than its free text ("make it high" to a change,
        not to a note, which only takes words)?"""
        return bool(slots.mentioned([s for s in self._slots_of(str((state.task or {}).get("intent", ""))) if s.kind != "text"],
                                    text, self._context()))

    def _keep_next_on_record(self, after: dict[str, Any], text: str, state: CallState) -> str:
        """Keep ``after`` (see ``_next_on_record``) to follow the request open, and what to say for it: the values it
        was given said back, so one yes sends both ("Okay, priority high straight after.")."""
        ctx = self._context()
        told = slots.values_said(self._change_choices(after["intent"]), text, ctx)
        needed = [x for x in self._slots_of(after["intent"]) if x.required and x.kind not in ("code", "user", "key")]
        noted = ""
        words = slots.remark(text, INTENT_TOOLS[after["intent"]][1], ctx) \
            if INTENT_TOOLS[after["intent"]][1].startswith(NEWS_PREFIXES) else ""
        if not told and words:
            # "... the gate code is 2580. Can you make sure that's on the job?": the words to add, said back.
            kind = re.sub(r"\s+(?:number|id|reference)$", "", self._ids_of(after["intent"])[0].label.lower())
            told = f"straight after, I'll add to the {kind}: {words}"
        elif not told and needed and set(slots.mentioned(needed, text, ctx)) == {x.name for x in needed}:
            # "Wednesday morning for the visit please. And note that nobody goes in without a permit": all the
            # other act takes, said back with the open question; the rest of the turn is more for this one.
            told = f"{self.coordinator.policy.name_of(after['intent'])} straight after: {slots.values_said(needed, text, ctx)}"
            rest = [x for x in _SENTENCE.split(text) if not slots.mentioned(needed, x, ctx)]
            noted = self.agent.told_more(" ".join(rest), state) if rest else ""
        state.dialogue["later"] = {**after, "read_with": True} if told else after
        told = told or "I'll do that"
        doing = told if "straight after" in told else f"{told} straight after"
        doing = f"Okay, {noted.removesuffix('.')}, and {doing}." if noted and noted != "Got it." else f"Okay, {doing}."
        return doing

    def _next_on_record(self, decision: Any, text: str, state: CallState, *, routed: bool = False) -> dict[str, Any] | None:
        """At the read-back of an act on a record, a turn asking for another act on the same record that the one
        read back cannot do ("make it high priority" while a comment is read back: a value only the other tool
        takes, or that tool named in full; ``routed``: or that the router heard clearly): that act, as a request
        accepted to follow. None otherwise."""
        task = state.task or {}
        intent, ctx = task.get("intent", ""), self._context()
        ids = self._id_names(intent)
        if _INSTEAD.search(text.lower()):
            return None  # ("can we do Monday instead?" at a cancel's read-back: in its place, not after it)
        # (or at the question whether it is the record found for it: "Is it WO-10001: pump vibrating ...?")
        held = {**(task.get("proposed") or {}), **(task.get("args") or {})}
        # (or, at the read-back of a new record, an act on it once made: "Wednesday morning for the visit please")
        making = str(task.get("tool", "")).startswith(NEW_RECORD_PREFIXES)
        if not (task.get("confirming") or task.get("proposed")) or not ids or not (making or ids <= set(held)) \
                or decision.action not in ("route", "clarify") or state.dialogue.get("later"):
            return None
        server = INTENT_TOOLS.get(intent, ("", ""))[0]
        on_record = [i for i in INTENT_TOOLS if self._needs_what_it_makes(intent, i, text)] if making else \
            [i for i in INTENT_TOOLS if i != intent and INTENT_TOOLS[i][0] == server
             and self._id_names(i) == ids and not INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES)]
        heard = [decision.intent, *(a["intent"] for a in decision.alternatives)][:3]
        others = [i for i in heard if i in on_record]
        own = {s.name for s in self._slots_of(intent)}
        takes = [i for i in others if slots.mentioned(
            [s for s in self._slots_of(i) if s.kind not in ("code", "user") and s.name not in own], text, ctx)]
        if making:
            # ("Medium. And can you get someone out next Monday morning?": a visit for the job, named by what it is
            # and when, however the router heard the turn.)
            takes += [i for i in on_record if i not in takes and self._names_its_thing(i, text) and self._choices_said(i, text)]
        # A tool named in full is that act, however the router heard the rest ("add a note that the standby pump
        # is making a noise too" sounds like a new fault).
        chosen = self._tool_named_in_full(on_record, text) or (takes[0] if takes else None)
        # (Heard by the router alone, only a write that the turn gives words for: "the job's ten thousand and two" to
        # "Is it WO-10002?" is the record, said.)
        # (Words to add only: another act ordered at a read-back, "I want it escalated", is that act in its place.)
        routed = routed and INTENT_TOOLS.get(decision.intent, ("", ""))[1].startswith(NEWS_PREFIXES) \
            and len(_content_words(" ".join(slots.without_values(text, self.agent.site_names)))) >= 3
        if chosen is None and routed and decision.action == "route" and decision.intent in on_record:
            chosen = decision.intent  # "And put on the job that the gate code is 7391" at a visit's read-back
        news = [i for i in on_record if INTENT_TOOLS[i][1].startswith(NEWS_PREFIXES)]
        if chosen is None and routed and len(news) == 1 and slots.DICTATED.match(_LEAD.sub("", text.strip().lower())):
            chosen = news[0]  # (words dictated for it, however the router heard them: "oh and put on the job that ...")
        if chosen is None or any(str(v) != str(held.get(s.name)) for s in self._ids_of(chosen)
                                 if (v := slots.parse(s, text, ctx, asked=False)) is not None):
            return None  # (another record named by its number is a request of its own)
        if INTENT_TOOLS[chosen][1].startswith(NEWS_PREFIXES) and any(
                x.kind == "text" and not x.required and _thing_of(chosen) in x.name
                and held.get(x.name) for x in self._slots_of(intent)):
            return None  # words to add, where the act read back holds a note of its own already: more for that one
        return {"text": text, "target": server, "intent": chosen, "accepted": True}

    def _without_words_to_add(self, text: str) -> str:
        """``text`` without the sentence of words it asks to be added to a record ("add a note to it: the valve has
        jammed half open", the note named in full): a choice said in them is what is written, no change asked."""
        nouns = {w for i, (_, tool) in INTENT_TOOLS.items() if tool.startswith(NEWS_PREFIXES) and self._names_whole_tool(text, i)
                 for w in tool.split("_")[1:]}
        # (The words after the note's own noun: "put it up to high" after "add that as a comment" is a change.)
        dictated = next((m for m in slots.DICTATED.finditer(text)
                         if nouns & set(entities.tokens(text[m.start():m.start(1)]))), None)
        if dictated is None:
            return text
        end = _SENTENCE.search(text, dictated.start(1))
        return text[:dictated.start(1)] + (text[end.end():] if end else "")

    def _tool_named_in_full(self, intents: list[str], text: str) -> str | None:
        """The one of ``intents`` whose tool ``text`` names in every word ("add a note": add_work_order_note), or
        None when none or several are."""
        named = [i for i in intents if self._names_whole_tool(text, i)]
        return self._taking_all_said(named[0], intents, text) if len(named) == 1 else None

    def _act_on_another_record(self, text: str, state: CallState) -> dict[str, Any] | None:
        """At the read-back of a new record, a change named in full ("move the aircon visit to Monday") that can only be
        of a record that exists already, not of the one being made: that change, as a request to keep. None otherwise."""
        task = state.task or {}
        if not str(task.get("tool", "")).startswith(NEW_RECORD_PREFIXES):
            return None
        acts = [i for i, (server, tool) in INTENT_TOOLS.items() if server == task.get("server") and self._ids_of(i)
                and tool != task.get("tool") and not tool.startswith(NEW_RECORD_PREFIXES)
                and (spec := self._spec_of(i)) is not None and slots.is_write(spec.name, spec.annotations)
                and not self._needs_what_it_makes(str(task.get("intent", "")), i, text)]
        named = self._tool_named_in_full(acts, text)
        return {"target": INTENT_TOOLS[named][0], "intent": named} if named else None

    def _taking_all_said(self, intent: str, intents: list[str], text: str) -> str:
        """``intent``, unless a scale choice said with it ("add that as a note and make it urgent") is one its tool does
        not take, and another write of ``intents`` takes that and everything ``intent``'s tool takes: that one (the
        update, with its note and priority). What is asked is done whole, not a part of it dropped."""
        mine = {x.name for x in self._slots_of(intent)}
        scales = [x for i in intents for x in self._slots_of(i) if x.kind == "enum" and not x.meanings and x.name not in mine]
        # (Said as what the record is to become, in a clause with a verb that sets it: "jammed half open" is no status.)
        said = {k for part in re.split(r"[,.;!?]|\band\b", text) if _SETS.search(part.lower())
                for k in slots.mentioned(scales, part, self._context())}
        for other in intents if said else []:
            spec, theirs = self._spec_of(other), {x.name for x in self._slots_of(other)}
            if other != intent and spec is not None and slots.is_write(spec.name, spec.annotations) \
                    and not spec.name.startswith(NEW_RECORD_PREFIXES) and mine | said <= theirs:
                return other
        return intent

    def _names_whole_tool(self, clause: str, intent: str) -> bool:
        """Does ``clause`` say every word of the name of ``intent``'s tool besides its record's ("cancel" and "visit"
        for cancel_visit, in "the visit for job 10002, we need to cancel it")?"""
        spec = self._spec_of(intent)
        # (The record's own words: its id's label, and its kind when its id is said: "SR-30002, bin it".)
        own = {w for s in self._ids_of(intent) for w in re.findall(r"[a-z]+", s.label.lower())}
        kind = set(intent.partition(".")[0].split("_"))
        if kind & own and self._names_its_ids(intent, clause, self._context()):
            own |= kind  # (a visit is no kind of work order: "WO-10001, cancel it" does not name its visit)
        wanted = set(str(spec.name).split("_")) - own - {"get", "list", "lookup"} if spec is not None else set()
        # Each word of the name, or a word callers use for it ("stick a note on it", "cancel the engineer").
        said = [w for w in entities.words_besides_numbers(clause.lower())
                for w in (w, *(k for k, kin in slots.TOOL_WORD_KIN.items() if w in kin))]
        acts = "|".join(re.escape(x) for w in wanted - {"visit"} for x in slots.tool_words(w))
        if acts and re.search(rf"\b(?:{acts})\w*\s+(?:the |a |an |our |my |your |that |this )?(?:{'|'.join(slots.TRADES)})s?\b",
                              clause.lower()):
            said.append("visit")  # "cancel the fitter for WO-10013"
        if len(wanted) == 1:
            # One word ("escalate", "update") names it only as a verb on its object: "escalate it please", not
            # "any update on my ticket".
            # Or said to be wanted done to it: "it needs escalating again", "can it be escalated".
            verb = next(iter(wanted))
            stem = verb.removesuffix("e")
            verbs = "|".join(map(re.escape, slots.tool_words(verb)))  # "bin it" is cancelling it
            return bool(re.search(rf"\b(?:{verbs})\w*\s+(?:it|this|that|them|the|my|our|his|her|their)\b|"
                                  rf"\b(?:needs?|wants?)\s+{stem}ing\b|\b(?:be|been|get|getting|got)\s+(?:it\s+)?{stem}e?d\b|"
                                  # "I need INC-20002 escalated", "can I have the visit for WO-10004 cancelled"
                                  rf"\b(?:need|want|have|get)\s+(?:[\w-]+\s+){{1,5}}?{stem}e?d\b",
                                  clause.lower()))
        return len(wanted) > 1 and all(any(w.startswith(x) for w in said) for x in wanted)

    def _write_after_read(self, decision: Any, text: str, state: CallState) -> tuple[Any, str] | None:
        """Right after a look-up ("A125 is the standby generator ..."), a turn that is no request of its
        own but a choice only a write of the same system takes ("low priority, it's just its service"):
        that write, about the thing just looked up (its words and this turn's). Right after a write on a record,
        only an act on it asked for in words or one the router is unsure of. None otherwise."""
        done = _last_done(state)
        spec = self._spec_of(done[0]["intent"]) if done and not state.task else None
        if spec is None:
            return None
        server, ctx = spec.server, self._context()
        own_request = decision.action == "route" and decision.intent in INTENT_TOOLS and \
            bool(self._ids_of(decision.intent)) and self._names_its_ids(decision.intent, text, ctx)
        if slots.is_write(spec.name, spec.annotations):
            # Right after a write on a record ("... priority high. Done."), an act on it asked for in words, or one the
            # router is unsure of ("and can you add a note that it now takes four minutes to close?"): on that record.
            asked = self._write_on_record(done[0]["intent"], decision, text, state) \
                if not own_request and self._id_names(done[0]["intent"]) and not _asks_to_know(text) else None
            if asked is None or not (asked.get("named") or decision.action == "clarify"):
                return None
            return dataclasses.replace(decision, action="route", target=asked["target"], intent=asked["intent"]), text
        writes = [{"target": done[0]["target"], "intent": i} for i, (srv, _) in INTENT_TOOLS.items() if srv == server]
        # A question ("is that definitely the morning?") asks about what was read; it states no choice.
        chosen = None if own_request or _questions_only(text) else self._write_by_its_values(done[0]["intent"], writes, text)
        routed = self._spec_of(decision.intent) if decision.action == "route" else None
        if chosen is not None and chosen["intent"] != decision.intent and routed is not None \
                and routed.name.startswith(NEW_RECORD_PREFIXES) and decision.confidence >= REQUEST_SENTENCE_CONFIDENCE:
            chosen = None  # a clear new request of another kind ("Liam needs read access to Maximo"): that one
        new = f"{done[0]['intent'].partition('.')[0]}.create"
        if new not in INTENT_TOOLS and not own_request and _RAISE_IT.search(text.lower()) and _none_open(state):
            # "oh so nobody raised it, can you do it now?" after a look-up of a thing with no open record: a new one
            # for it, by the desk's tool that makes one on what was looked up by (the asset's tag).
            read = {k for k, v in (state.tool_attempts[-1].get("arguments") or {}).items() if v not in (None, "")}
            new = next((i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server and tool.startswith(NEW_RECORD_PREFIXES)
                        and read & {x.name for x in self._slots_of(i)}), new)
            if new in INTENT_TOOLS:
                return dataclasses.replace(decision, action="route", target=server, intent=new), text
        if NEW_RECORD.search(text.lower()) and not own_request and INTENT_TOOLS.get(new, ("",))[0] == server:
            # "That job's finished, but the noise is back. Open a new one please": a new record of the kind just
            # read, whatever a note's words in the turn drew the router to; this turn tells the new one, and what
            # it is on carries over from the one read.
            return dataclasses.replace(decision, action="route", target=server, intent=new), text
        asked = self._write_on_record(done[0]["intent"], decision, text, state) if not own_request else None
        if asked is not None and (chosen is None or asked.get("named")
                                  or _heard(decision, asked["intent"]) > _heard(decision, chosen["intent"])):
            # Asked for in words ("stick a note on it: it's worse this morning"), not only implied by a value
            # the turn happens to hold: the words win. This turn alone is the request; the number carries over.
            state.entities.update(asked.get("ids", {}))  # (the open job an asset's look-up named, when it is on that)
            return dataclasses.replace(decision, action="route", target=asked["target"], intent=asked["intent"]), text
        if chosen is None:
            return None
        if NEW_RECORD.search(text.lower()):  # "raise a new one, it's a slow drip": this turn tells the new one
            return dataclasses.replace(decision, action="route", target=chosen["target"], intent=chosen["intent"]), text
        before = next((t["text"] for t in state.turns if t.get("role") == "caller" and t.get("turn") == done[0]["turn"]), "")
        # (Less what this turn says again otherwise: "admin access, SR-30006?" read, then "read-only access instead".)
        choices = [x for x in self._slots_of(chosen["intent"]) if x.kind == "enum"]
        now = set(slots.mentioned(choices, text, ctx))
        before = " ".join(x for x in _SENTENCE.split(before) if not now & set(slots.mentioned(choices, x, ctx)))
        return dataclasses.replace(decision, action="route", target=chosen["target"], intent=chosen["intent"]), \
            f"{before}. {text}".strip(". ")

    def _asks_how(self, decision: Any, text: str) -> bool:
        """Is the turn a question of how, what or why ("how long do I have to wait?", "what does it mean
        if ...?") that names no record, heard by the router as a request it could also answer from the
        articles? A request does something; such a question wants to know something."""
        # The router must see a how-to among its readings, unless it is unsure of every reading or the question
        # asks what is usual ("what times do the technicians come out?").
        # (A how-to the router only guessed at, unsure, is one too when the words ask to know.) A turn that is
        # nothing but such questions ("how late do the visits go on?") asks to know, whatever the router heard.
        if INTENT_TOOLS.get(decision.intent, ("", ""))[1].startswith("list_"):
            return False  # "how many generators have we got at Stonebridge?": its list says, not an article
        # (A sentence that only leads in, "Quick question.", is none.)
        # (A lead-in said before a colon is none either: "policy question first: how far ahead ...?")
        whole = [y for x in _REQUEST_CLAUSE.split(text) if (y := _LEAD.sub("", x.strip().lower())).strip(" .,!:")]
        if len(whole) == 1 and _WHAT_IT_IS.match(whole[0]) and not self._names_a_record(text):
            return True  # "What's a work order?", "what does escalating mean?": what the articles say one is

        # (Unpunctuated, as a recogniser writes it, the question is the turn's last words: "... ive reset it twice now
        # should i just reset it again".)
        bare = _story_before_advice(text) != text
        if whole and ((_ADVICE.match(whole[-1]) and whole[-1].endswith("?")) or bare) and decision.intent != "knowledge.howto":
            # "Booster pump A702 won't start, the relay's tripped again. Do I just reset it?": the thing named is what
            # the advice is about; a ticket's number would make it a question about that ticket.
            return not any(_ticket_number(x) and slots.mentioned([x], text, self._context())
                           for i in INTENT_TOOLS for x in self._ids_of(i))
        if whole and ((_SUPPOSED.search(whole[-1]) and _WH_WORD.search(whole[-1])) or _IF_THEN_CAN.match(whole[-1])
                      or answers.asks_done_alone(whole[-1])) \
                and decision.intent != "knowledge.howto":
            return not self._names_a_record(text)
        # ("how far ahead can I book a visit?" asks how far: "can I" inverted after the question word is no request;
        # "can you log a ticket", "please" or a sentence led by "can I" is one)
        # (A sentence that only tells why, "We're planning a shutdown.", asks nothing beside the question.)
        # (Nor a lead-in with no verb: "policy question first:", "Stonebridge control.")
        asked = [x for x in whole if _INFO_QUESTION.match(x) or x.rstrip().endswith("?")
                 or (not _tells_only(x) and _VERB.search(x))]
        only_asks = bool(asked) and all(_INFO_QUESTION.match(x) and not _REQUEST_QUESTION.match(x)
                                        # ("how far ahead can you book a technician?": inverted after the question word)
                                        and not re.search(r"(?:^|[,;:]\s*)(?:so |and |but |then )?(?:can|could|would|will) you\b|"
                                                          r"\bplease\b", x) for x in asked)
        if whole and ((_REQUIRED_QUESTION.search(whole[-1]) and whole[-1].endswith("?")) or _REQUIRED_ASKED.search(whole[-1])) \
                and decision.intent != "knowledge.howto":
            return not self._names_a_record(text)  # "is there anything I need to sort out before I turn up?"
        if (decision.intent == "knowledge.howto" and decision.action != "clarify") \
                or decision.intent == "smalltalk.goodbye" or (decision.intent.endswith(".status") and not _in_general(text)) \
                or ("knowledge.howto" not in [a["intent"] for a in decision.alternatives] and decision.action != "clarify"
                    and not _HABIT_QUESTION.search(text.lower()) and not only_asks):
            return False
        sentences = [_CONDITION_FIRST.sub("", _LEAD.sub("", s.strip().lower()))
                     for s in re.split(r"(?<=[.!?,:;])\s+", text) if s.strip()]
        if not any(_INFO_QUESTION.match(s) for s in sentences):
            return False
        return not self._names_a_record(text)

    def _read_by_id(self, text: str) -> dict[str, Any] | None:
        """The one look-up whose record ``text`` names by an id recognisable on its own (letters and digits
        in its shape: "hotel one zero one one" is asset H1011). None when none or several fit."""
        ctx, found = self._context(), []
        # "Grace Kim, E10850. The dashboard ...": an id in the shape of the caller's own is who calls, no record.
        theirs = {_plain_id(v) for i in INTENT_TOOLS for s in self._slots_of(i) if s.kind == "user"
                  and (v := slots.parse(s, text, ctx, asked=False)) is not None}
        for intent, (server, _) in INTENT_TOOLS.items():
            spec, ids = self._spec_of(intent), self._ids_of(intent)
            if spec is None or not ids or slots.is_write(spec.name, spec.annotations):
                continue
            values = [slots.parse(s, text, ctx, asked=False) for s in ids]
            if all(v is not None and _plain_id(v) not in theirs for v in values):
                found.append({"target": server, "intent": intent})
        # "I N C two zero zero zero two" also fits "a letter and digits" (an asset tag): the id whose own
        # letters were said is the one meant.
        lettered = [f for f in found if all(entities.pattern_prefixes(s.schema.get("pattern")) for s in self._ids_of(f["intent"]))]
        found = lettered if len(found) > 1 and len(lettered) == 1 else found
        return found[0] if len(found) == 1 else None

    def _reads_unnamed(self, intent: str, text: str) -> bool:
        """Is ``intent`` a look-up by ids ``text`` does not name (a thing described, "intake pump one")?"""
        spec = self._spec_of(intent)
        return spec is not None and not slots.is_write(spec.name, spec.annotations) and bool(self._ids_of(intent)) \
            and not INTENT_TOOLS[intent][1].startswith("list_") and not self._names_its_ids(intent, text, self._context())

    def _done_with_id(self, text: str) -> dict[str, Any] | None:
        """What ``text`` asks done with the record its id names on its own: read, unless it asks for something else
        done with it (a comment, an escalation). None when no id names one record."""
        read = self._read_by_id(text)
        if read is None:
            return None
        same = [i for i in INTENT_TOOLS if INTENT_TOOLS[i][0] == read["target"] and self._ids_of(i)
                and self._id_names(i) == self._id_names(read["intent"])
                and not INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES)]  # a new record is not done *with* it
        return {"target": read["target"], "intent": self._wanted_with_record(same, read["intent"], text, self._context())}

    def _same_record_read(self, unsure: Any, other: Any, text: str) -> dict[str, Any] | None:
        """A number said with a question any desk's records could answer ("what's the status on ten thousand and
        three"), beside a clear request of one desk about it ("and can you also put a note on it"): the record is
        that desk's, so the question is its look-up. None when no such look-up is among the readings."""
        if not entities.numbers(text) or other.action != "route":
            return None
        readings = [{"target": unsure.target, "intent": unsure.intent}, *unsure.alternatives]
        for reading in readings:
            spec = self._spec_of(reading["intent"])
            if reading["target"] == other.target and reading["intent"] != other.intent and spec is not None \
                    and self._ids_of(reading["intent"]) and not slots.is_write(spec.name, spec.annotations) \
                    and self._id_names(reading["intent"]) & self._id_names(other.intent):
                return {"target": reading["target"], "intent": reading["intent"]}
        return None

    def _record_said_for_both(self, named: str, pointing: str, its: str, other: str) -> bool:
        """Does ``named`` (asking for ``its``) name the record that ``pointing`` (asking for ``other`` of the same
        kind of record) points back at ("what's the status on ten thousand and three | and can you put a note on
        it")? Then ``named`` comes first, as said, and the other is done on the record it named."""
        ctx = self._context()
        return bool(self._id_names(its)) and self._id_names(its) == self._id_names(other) \
            and (bool(entities.numbers(named)) or self._names_its_ids(its, named, ctx)) \
            and not entities.numbers(pointing) and not self._names_its_ids(other, pointing, ctx) \
            and re.search(r"\b(?:it|that one|this one|them)\b", pointing.lower()) is not None

    def _change_asked(self, decision: Any, text: str, state: CallState) -> dict[str, Any] | None:
        """A change to a record ("close incident 20008, it's working now", "make it urgent" right after
        work order 10013 was read): a turn that says what a record becomes, about a record it names or the
        one just read. Told by the change said, not by the router, whose examples of changes would draw in
        every request that says a priority. A priority said beside a new thing (an asset tag, a site) is that
        new request's. None otherwise."""
        if NEW_RECORD.search(text.lower()) or (_made_by_kind(text.lower(), _RECORD_KINDS, loosely=False)
                                               and not self._names_a_ticket(text)):
            # "raise a new one, medium", "raise a field job please: ..." (no record named): a new record, whatever is
            # said of the old one
            return None
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        if REOPENED.search(text.lower()) and last.get("ok") and isinstance(last.get("result"), dict) \
                and is_closed(last["result"]):
            return None  # "can you reopen it" of the closed record just read out: a new one for its thing
        sentences = [_LEAD.sub("", x.strip().lower()) for x in _SENTENCE.split(text) if x.strip()]
        if sentences and all(_WH_QUESTION.match(x) for x in sentences):
            return None  # "when will my high priority job get done?": the priority tells which job, it changes none
        ctx = self._context()
        done = _last_done(state) if not state.task else []
        routed = self._spec_of(decision.intent)  # the router's best reading, sure of it or not
        routed_change = routed is not None and slots.is_write(routed.name, routed.annotations) \
            and not routed.name.startswith(NEW_RECORD_PREFIXES)
        read_ids = self._id_names(done[0]["intent"]) if done else None
        # "Can you bump that job up to high?" after an asset was read with its one open job: that job.
        held = self._open_record_read(state) if done else {}
        # "Oh, I said medium, it should be high" right after it was written: the record just made.
        made = self._spec_of(done[0]["intent"]) if done else None
        made = made if made is not None and made.name.startswith(NEW_RECORD_PREFIXES) \
            and last.get("tool") == made.name and last.get("ok") else None
        # (Said only in a question is no change: "WO-10005. Is that still stuck on hold?"; nor is how it stands.)
        wanted = slots.as_wanted(" ".join(_told(self._without_words_to_add(text))))
        for intent, (server, _) in INTENT_TOOLS.items():
            choices = self._change_choices(intent)
            said = slots.mentioned(choices, wanted, ctx) if choices else {}
            if not said:
                continue
            ids = self._id_names(intent)
            if not slots.mentioned(choices, text, ctx, verbs=False) and any(
                    self._names_whole_tool(text, other) for other, (srv, _) in INTENT_TOOLS.items()
                    if srv == server and other != intent and self._id_names(other) == ids):
                continue  # "the visit for job 10002, we need to cancel it": the verb is cancel_visit's, said with its visit
            raising = [other for other, (srv, _) in INTENT_TOOLS.items() if srv == server and other != intent
                       and self._id_names(other) == ids and (spec := self._spec_of(other)) is not None
                       and "priority" in spec.description.lower() and self._names_whole_tool(text, other)]
            if raising and not set(said) - {"priority"} and self._names_its_ids(intent, text, ctx):
                # "Escalate it, and I want it at high priority": the escalation it names, which raises the priority;
                # then the priority asked, unless the escalation reached it.
                state.dialogue["later"] = {"text": text, "target": server, "intent": intent, "accepted": True,
                                           "unless": said}
                return {"target": server, "intent": raising[0]}
            # Pointed at in words ("that job", "the ticket"): a choice alone after a look-up logs the thing looked up.
            # ... or by "that one", "it", when what was looked up takes no such change itself and the turn names no
            # other thing ("they'd like that one bumped up to urgent" after an asset with its one open job).
            in_read = bool(ids) and ids <= set(held) and not self._names_its_ids(intent, text, ctx) \
                and (bool(_RECORD_NOUN.search(text.lower())) or (
                    bool(set(entities.tokens(text)) & _LEANING) and not entities.codes(text)
                    and not any(self._id_names(i) == read_ids and bool(self._change_choices(i))
                                for i, (srv, _) in INTENT_TOOLS.items() if srv == server)))
            if routed_change and routed.server == server and self._id_names(decision.intent) == ids \
                    and not (in_read and decision.intent == intent) \
                    and (decision.action == "route" or (decision.intent != intent and not set(
                        slots.mentioned(choices, text, ctx, verbs=False)) - {s.name for s in self._change_choices(decision.intent)})):
                # The router heard a change of its own to such a record: "cancel the visit for WO 10002". Unsure of
                # one that cannot take a value said in so many words (a comment, for "can you drop it to medium?"),
                # it did not. Unsure of this very change (against another desk's), the record pointed at settles it.
                continue
            just_made = made is not None and made.server == server and all(i in state.entities for i in ids)
            if not (self._names_its_ids(intent, text, ctx) or read_ids == ids or just_made or in_read):
                continue
            if not self._names_its_ids(intent, text, ctx) and self._names_a_ticket(text):
                continue  # "and that AutoCAD request, SR-30002, cancel it" after an incident: that request's
            if self._names_its_ids(intent, text, ctx) and all(
                    entities.codes(x) and not self._names_its_ids(intent, x, ctx)
                    for x in _SENTENCE.split(text) if slots.mentioned(choices, x, ctx)):
                continue  # "G-2120 is weeping diesel, medium priority. And where's INC 20003?": the other thing's
            if not set(said) - {"priority"}:
                # Only a priority: a change unless the sentence that says it also tells of a new thing.
                # (A new thing of either desk's: "booster pump 2, A702, has a drip, put it down as low" right after an
                # incident was logged is a field job.)
                new = [spec for i in INTENT_TOOLS
                       if (spec := self._spec_of(i)) is not None and spec.name.startswith(NEW_RECORD_PREFIXES)]
                own = [s for spec in new for s in slots.slots_of(spec.input_schema)
                       if s.kind in ("code", "site") and s.name not in ids]
                # When the record is only the one just done, not named, a new thing anywhere in the turn is what
                # the priority is for ("A new fault. The chiller H1420 is alarming. High priority.").
                told = [x for x in _SENTENCE.split(text) if slots.mentioned(choices, x, ctx)] \
                    if self._names_its_ids(intent, text, ctx) else [text]
                if any(slots.mentioned(own, x, ctx) for x in told):
                    continue
            if in_read:
                state.entities.update({k: held[k] for k in ids})  # the job the read named, for the change
            return self._asked_outright(intent, text, state) or {"target": server, "intent": intent}
        return None

    def _open_record_read(self, state: CallState) -> dict[str, str]:
        """The ids of records the last read named one open of each ({"work_order_id": "WO-10003"} from an asset
        read with its one open job); a kind with none or several open is left out."""
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        result = last.get("result") if last.get("ok") else None
        seen: dict[str, set[str]] = {}
        for item in records_in(result):
            if is_closed(item):
                continue
            for key, value in item.items():
                if key.endswith("_id") and isinstance(value, str):
                    seen.setdefault(key, set()).add(value)
        own = set(last.get("arguments", {}))  # the record read itself is no other record it names
        return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1 and k not in own}

    def _asked_outright(self, intent: str, text: str, state: CallState) -> dict[str, Any] | None:
        """Another change to the same record that a request sentence of the turn asks for in so many words
        ("It's been on hold for days. Please escalate it.": the state told is how it is, the ask is what to
        do), when the router is sure of that sentence alone. None otherwise."""
        asking = [x for x in _SENTENCE.split(text.strip()) if _REQUEST_QUESTION.search(x.lower()) or _NEED.match(x.lower())]
        if not asking:
            return None
        alone = self.coordinator.decide(asking[-1], state)
        spec = self._spec_of(alone.intent) if alone.action == "route" else None
        if spec is None or alone.intent == intent or alone.confidence < REQUEST_SENTENCE_CONFIDENCE \
                or not slots.is_write(spec.name, spec.annotations) or self._id_names(alone.intent) != self._id_names(intent):
            return None
        return {"target": alone.target, "intent": alone.intent}

    def _change_choices(self, intent: str) -> list[slots.Slot]:
        """The choices of a change to a record (a write whose every field but the record's id is optional:
        a status, a priority), or [] when ``intent`` is no such change."""
        spec = self._spec_of(intent)
        if spec is None or not slots.is_write(spec.name, spec.annotations):
            return []
        fields = slots.slots_of(spec.input_schema)
        if any(s.required and s.kind not in ("code", "key") for s in fields):
            return []
        return [s for s in fields if s.kind == "enum" and not s.required]

    def _just_read(self, state: CallState) -> tuple[dict[str, Any], Any] | None:
        """(the tool attempt, its tool) when the last thing done, with no request under way, was a look-up whose
        answer the caller has just heard; None otherwise."""
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        done = _last_done(state)
        spec = self.tools.tool(str(last.get("server", "")), str(last.get("tool", ""))) if last else None
        if state.task or not last.get("ok") or not done or done[0].get("turn") != last.get("turn") or spec is None \
                or slots.is_write(spec.name, spec.annotations):
            return None
        return last, spec

    def _read_again(self, text: str, state: CallState) -> dict[str, Any] | None:
        """Right after a look-up, a turn that only gives other values for what it was looked up with ("sorry, I
        meant Millbrook, not Riverside", "what about site seven?"): the same look-up again, as a route with the
        look-up's arguments, those values put in. None otherwise."""
        read = self._just_read(state)
        last, spec = read if read is not None else ({}, None)
        intent = next((i for i, st in INTENT_TOOLS.items() if st == (spec.server, spec.name)), None) if spec else None
        if intent is None:
            return None
        kept, _ = moves.split_negated(text)
        given = {k: v for k, v in slots.mentioned(self._slots_of(intent), kept, self._context()).items()
                 if k in last.get("arguments", {})}
        places = {w for name in self.agent.site_names if not name.startswith(entities.SHORT_NAME)
                  for w in entities.tokens(name.lower())}
        rest = {w for w in slots.without_values(kept, self.agent.site_names) if len(w) > 3 and w.isalpha()}
        if not given or given.items() <= last["arguments"].items() or rest - _READ_AGAIN_WORDS - places:
            return None
        return {"target": spec.server, "intent": intent, "args": {**last["arguments"], **given}}

    def _one_listed(self, text: str, state: CallState) -> dict[str, Any] | None:
        """Right after a list that named one record, a question about it ("why's that one on hold?", "what's
        happening with it?") that the list does not answer: that record's own reader, with its id. None otherwise."""
        read = self._just_read(state)
        if read is None or not read[1].name.startswith("list_") or not _asks_to_know(text) or self._names_a_record(text) \
                or not set(entities.tokens(text.lower())) & _LEANING:
            return None
        result = read[0].get("result")
        message = str(result.get("message", "")) if isinstance(result, dict) else ""
        # (the ones the caller heard: the message's, "nothing open, but one job is not finished: WO-10005"; else the
        # records found)
        named = set(re.findall(r"\b[A-Z]{2,3}-\d{5}\b", message)) \
            or {str(v) for r in records_in(result) for k, v in r.items() if k.endswith("_id")}
        found = {(intent, x) for intent, slot in self._ticket_readers() for x in named if slots.validate(slot, x) is None}
        if len(found) != 1:
            return None  # (none, or several: which one is asked, the caller says)
        intent, record = found.pop()
        return {"target": INTENT_TOOLS[intent][0], "intent": intent, "id": record}

    def _one_read_of_several(self, text: str, state: CallState) -> dict[str, Any] | None:
        """After several records were read in the call, a question about one of them by what it is about ("who's got
        the historian one?", "which team has the tablet ticket?"): that record's own reader, with its id, when the
        words fit it alone. None otherwise."""
        low = text.lower()
        phrases = [m.group(1) for m in _ONE_BY_WORDS.finditer(low)]
        if not phrases or not _asks_to_know(text) or self._names_a_record(text):
            return None
        readers = dict(self._ticket_readers())
        seen: dict[str, tuple[str, set[str]]] = {}
        for attempt in state.tool_attempts:
            result = attempt.get("result") if attempt.get("ok") else None
            for intent, slot in readers.items():
                value = result.get(slot.name) if isinstance(result, dict) else None
                if isinstance(value, str) and slots.validate(slot, value) is None:
                    about = " ".join(str(v) for k, v in result.items() if isinstance(v, str) and k != "message")
                    seen[value] = (intent, set(_content_words(about)))
        words = set().union(*(_content_words(p) for p in phrases))
        fits = [(record, intent) for record, (intent, about) in seen.items() if words & about]
        if len(seen) < 2 or len(fits) != 1:
            return None
        record, intent = fits[0]
        return {"target": INTENT_TOOLS[intent][0], "intent": intent, "id": record}

    @staticmethod
    def _other_work_than_read(text: str, state: CallState) -> bool:
        """Is a piece of work asked about that the record last read says nothing of (``other_work_asked``)?"""
        last = state.tool_attempts[-1] if state.tool_attempts else {}
        return bool(last.get("ok")) and isinstance(last.get("result"), dict) and other_work_asked(text, last["result"])

    def _asks_about_read(self, decision: Any, text: str, state: CallState) -> bool:
        """Right after a record was read out, a question that names nothing new ("is that definitely the
        morning? roughly what time") and asks for nothing the line does but that record's business: it asks
        about what was just said, so that is said again, never taken as a booking or a new request."""
        done = _last_done(state)
        spec = self._spec_of(done[0]["intent"]) if done and not state.task else None
        if spec is None or slots.is_write(spec.name, spec.annotations) or not _questions_only(text, self._last_said(state, "")):
            return False
        if self._names_a_record(text) or self._names_another_place(text, state):
            return False  # another record or place named: a question about that one
        if self._records_of_a_place(text, spec.server) or ANOTHER_RECORD.search(text.lower()) \
                or self._other_work_than_read(text, state):
            # the records of a place ("have we got anything open at Stonebridge?"): a list, not this one; another
            # record brought up ("and there was one for the dryer alarm, did that get done?", "has the seal been
            # replaced?" after the vibration job): that one
            return False
        if _IN_GENERAL.search(text.lower()):
            return False  # "how long would a low priority ticket normally take?": about any, the articles answer
        other = self._spec_of(decision.intent) if decision.action == "route" else None
        if other is not None and slots.is_write(other.name, other.annotations) and _REQUEST_QUESTION.search(text.lower()):
            return False  # "can you book someone for Thursday evening?": an act asked for on the record, no question of it
        return other is None or decision.intent == "smalltalk.offtopic" or (
            other.server == spec.server and self._id_names(decision.intent) == self._id_names(done[0]["intent"]))

    def _options_explained(self, text: str, state: CallState, decision: Any, before: dict[str, str] | None) -> str:
        """A question about options of a choice ("what's the difference between high and urgent?", "what does
        urgent mean?"), or at a read-back when the chosen one comes ("will somebody get here today?" of a high
        priority): what the articles say of each, the desk's own. In a task, its tool's choices; outside one,
        the choices of the desk's tools when the question asks what or when ("how quickly does someone come out
        for a high priority job?"), and of the choice a question just before was about ("and if I put it down as
        medium?"). A question naming one option without asking what it is ("is high alright?") gives that value
        instead. "" otherwise."""
        task = state.task or {}
        sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()] or [text]
        # The question is the last sentence; what comes before may only be said around it ("sorry, my English is not
        # so good."), not ask for something.
        if not _questions_only(sentences[-1]) or any(_asks_something(x) for x in sentences[:-1]) \
                or (not task and self._names_a_record(text)) or self._describes_another(text, state):
            return ""  # ("is my high one WO 10001 done?", "and the intake pump job, has anybody been booked?")
        if task.get("confirming") and len(sentences) > 1 and entities.yes_no(text).yes is True:
            return ""  # "Yes, go ahead. And what hours can they come?": the yes sends it, the question comes after
        if task.get("tool"):
            spec = self.tools.tool(task.get("server", ""), task["tool"])
            choices = [(spec, s) for s in slots.slots_of(spec.input_schema) if s.kind == "enum"] if spec else []
        else:
            # (The router unsure which desk, the one of the request just done: "roughly how long for a low one?")
            done = _last_done(state)
            last_desk = INTENT_TOOLS.get(done[0]["intent"], ("",))[0] if done and decision.action == "clarify" else ""
            desk = (before or {}).get("server") or last_desk or decision.target
            choices = [(t, s) for t in self.tools.tools(desk).values() if slots.is_write(t.name, t.annotations)
                       for s in slots.slots_of(t.input_schema) if s.kind == "enum"] if desk in SERVERS else []
            choices.sort(key=lambda c: (before or {}).get("slot") != c[1].name)  # the one asked about first
        # "If I make a high priority work order, how many hours ...?": the question after the supposing.
        # ("Before you do, how quickly does a high one get looked at?": what leads in before the comma too.)
        lead = re.sub(r"^(?:if|when|say|before|after|once|while|just so|out of interest|by the way)\b[^,?]*,\s*", "",
                      _LEAD.sub("", sentences[-1].strip().lower()))
        lead = _THANKS_LEAD.sub("", lead)
        last = state.tool_attempts[-1] if not task and state.tool_attempts else {}
        result = last.get("result") if isinstance(last.get("result"), dict) else {}
        for spec, slot in choices:
            # (Named in the question itself: "Medium - he can use the handset. How long will it take?" gives a value,
            # then asks about the request.)
            named = slots.options_named(slot, sentences[-1])
            chosen = task.get("args", {}).get(slot.name)
            followed = bool(before) and before.get("slot") == slot.name and bool(named)
            # Outside a task one option is a choice only with the choice named ("a high priority job"): "how do I
            # connect to the VPN?" asks about the VPN, not about the systems one may ask access to.
            # (Or an option the record just made or read holds: "how long for a low one?" right after a low priority job.)
            held = {(last.get("arguments") or {}).get(slot.name), result.get(slot.name)}
            choice = bool(task) or bool(set(entities.tokens(slot.name.replace("_", " "))) & set(entities.tokens(text))) \
                or bool(set(named) & held)
            asked_of = bool(named) and choice and bool(
                re.match(r"(?:what(?:'?s)?|how|which|why)\b", lead) or (not task and answers.asks_when(text)))
            if not named and task.get("confirming") and answers.asks_when(text) and chosen in slot.schema.get("enum", []):
                named = [chosen]
            elif not named and task.get("confirming") and answers.asks_when(text) and chosen is None \
                    and not slot.required and slot.schema.get("enum") and not slots.options_named(slot, text):
                # "Before I say, how quickly would somebody get out to it?" with no priority chosen yet: each option's.
                named = [str(o) for o in slot.schema["enum"]]
            elif not (len(named) >= 2 or followed or asked_of):
                continue
            said, article = self._options_said(spec, slot, named, text)
            if said:
                state.dialogue["options_of"] = {"server": spec.server, "slot": slot.name}
                state.entities.setdefault("knowledge_article", article)  # an answer from the articles resolves a call
                return said
        return ""

    def _options_said(self, spec: Any, slot: slots.Slot, named: list[str], question: str) -> tuple[str, str]:
        """(what the articles of ``spec``'s desk say of each of ``named`` (options of ``slot``), for the ear; the
        article's id), or ("", "")."""
        # Searched with the choice's name and options too: the section that lists them is the one to read.
        query = f"{question} {slot.name}: {', '.join(map(str, slot.schema.get('enum', [])))}"
        said, article = answers.options_answer(named, [p.to_dict() for p in self.coordinator.passages(query, spec.server)])
        return (for_the_ear(said), article) if said else ("", "")

    def _options_asked_with(self, intent: str, text: str) -> tuple[str, str]:
        """A request that ends on a question about a choice it takes ("... isn't heating at all. Before you
        log it, what's the difference between high and urgent?"): (what the articles say of those options,
        the request without the question), so the question names no value. ("", text) otherwise."""
        spec = self._spec_of(intent)
        sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()]
        if len(sentences) == 1 and ", " in text:
            # One sentence, the question its last clause: "V0310 won't open past halfway, what's the
            # difference between high and urgent?"
            head, _, tail = text.strip().rpartition(", ")
            sentences = [head, tail] if re.match(r"(?:what|how|which|why)\b", _LEAD.sub("", tail.lower())) else sentences
        if spec is None or len(sentences) < 2 or not sentences[-1].endswith("?"):
            return "", text
        question = sentences[-1]
        lead = _LEAD.sub("", re.split(r",\s*", question.lower())[-1])
        for slot in [s for s in slots.slots_of(spec.input_schema) if s.kind == "enum"]:
            named = slots.options_named(slot, question)
            if len(named) >= 2 or (named and re.match(r"(?:what|how|which|why)\b", lead)):
                said, _ = self._options_said(spec, slot, named, question)
                if said:  # each option to its first clause: the request's read-back follows in the same breath
                    said = " ".join(re.split(r",\s", x)[0].rstrip(".") + "." for x in _SENTENCE.split(said) if x.strip())
                    return said, " ".join(sentences[:-1])
        return "", text

    def _names_another_place(self, text: str, state: CallState) -> bool:
        """Does ``text`` name a site or a tag other than the one the last tool that served was given ("which
        pumps are at Lakeside?" after the list of site 14)?"""
        served = next((a for a in reversed(state.tool_attempts) if a.get("ok")), None)
        spec = self.tools.tool(served["server"], served["tool"]) if served else None
        if spec is None:
            return False
        places = slots.mentioned([s for s in slots.slots_of(spec.input_schema) if s.kind in ("site", "code")], text,
                                 self._context())
        return any(str(v) != str((served.get("arguments") or {}).get(k)) for k, v in places.items())

    def _read_to_answer(self, decision: Any, text: str, state: CallState) -> tuple[str, str] | None:
        """Right after a write on a record, a question about how that record stands that the write's result does
        not answer ("has anyone been booked to come and look at it yet?" after a note): (server, the intent that
        reads that record), to read it afresh. None otherwise."""
        done = _last_done(state)
        spec = self._spec_of(done[0]["intent"]) if done and not state.task else None
        if spec is None or not slots.is_write(spec.name, spec.annotations) \
                or not (_STANDS_NOW.search(text.lower()) or _asks_how_it_stands(text)) \
                or _HOW_SOON.search(text.lower()) or _NEXT_STEPS.search(text.lower()) \
                or not _questions_only(text, self._last_said(state, "")) or self._names_a_record(text) \
                or self._names_another_place(text, state) or self._from_last_result(text, state, one_of_kind=True):
            return None
        ids = self._id_names(done[0]["intent"]) or {f"{spec.name.partition('_')[2]}_id"}
        reader = self._reader_of(spec.server, ids)
        return (spec.server, reader) if reader is not None and all(i in state.entities for i in ids) else None

    def _answer_from_result(self, decision: Any, text: str, state: CallState) -> str:
        """Right after a request was done, a question that names nothing new and asks for nothing else the
        line does ("who approves it, sorry?", "which phone did you send it to?"): the clause of the server's
        whole message that answers it, the part cut for the ear included. "" when none does."""
        done = _last_done(state)
        if state.task or not done or not state.tool_attempts or not _questions_only(text, self._last_said(state, "")):
            return ""
        if self._names_a_record(text) or self._names_another_place(text, state) \
                or (decision.intent == "knowledge.howto" and _IN_GENERAL.search(text.lower())) \
                or (INTENT_TOOLS.get(decision.intent, ("", ""))[1].startswith("list_") and _RECORDS_ASKED.search(text.lower())) \
                or self._records_of_a_place(text, INTENT_TOOLS.get(done[0]["intent"], ("",))[0]) \
                or ANOTHER_RECORD.search(text.lower()) or self._other_work_than_read(text, state):
            # another record or place named, records of a kind in general ("how long does a high one take?"), or a
            # place's records asked for ("what work orders are open at Riverside now?"): more than the one just done
            return ""
        # "Is anyone working on it?" leans on what was just said; "who do I chase?" asks for a person or a time
        # the result may hold.
        leans = bool(set(entities.tokens(text)) & _LEANING) or bool(_WHO_OR_WHEN.match(_LEAD.sub("", text.strip().lower())))
        # ... unless the request it is heard as can be done with what the call holds ("what's the status of that
        # work order?" right after it was made: read it afresh).
        doable = all(i in state.entities for i in self._id_names(decision.intent)) if decision.intent in INTENT_TOOLS else False
        # A question that only asks to know is no write, however it sounds ("is thirty-one actually too hot for the
        # equipment?" heard as a new fault).
        spec = self._spec_of(decision.intent)
        # ("Is anyone booked to come?" asks how a record stands: the readings below find it.)
        # (Nor is one that asks for it anywhere: "Well, can you book someone for ..., in the evening?")
        wonders = spec is not None and slots.is_write(spec.name, spec.annotations) and not re.search(_ANYONE, text.lower()) \
            and not _REQUEST_QUESTION.search(text.lower()) and (_asks_to_know(text) or answers.asks_done_alone(text))
        if decision.action == "route" and decision.intent != done[0]["intent"] and (not leans or doable) and not wonders \
                and decision.confidence >= REQUEST_SENTENCE_CONFIDENCE and decision.intent != "smalltalk.offtopic":
            return ""  # a clear request of its own ("what's the status of my other ticket?")
        told = next((t["text"] for t in state.turns if t.get("role") == "caller" and t.get("turn") == done[0]["turn"]), "")
        last = _last_result(state)
        # ("How long is low, then?" names the choice it asks about: the choices' own explanation answers it.)
        named = any(slots.options_named(x, text) for x in self._slots_of(done[0]["intent"]) if x.kind == "enum")
        next_steps = bool(_NEXT_STEPS.search(text.lower()))
        if next_steps or (_HOW_SOON.search(text.lower()) and isinstance(last.get("priority"), str)
                          and not named and not self._from_last_result(text, state, one_of_kind=True)):
            # "What happens now, will someone call me?": who has it, and how soon its priority gets it seen to (the
            # articles' target), which is what the line knows; not a person put on to say it. "How long will it take
            # now it's escalated?": that target, for the priority it has now.
            who = f"{last['assignment_group']} has it." \
                if isinstance(last.get("assignment_group"), str) and next_steps else ""
            priority = f"a {last['priority']} priority one " if isinstance(last.get("priority"), str) else "it "
            # The articles' line for its priority ("Low: planned within 10 working days."), else their answer, searched
            # with how the record stands, not its story: "it's leaking round the shaft" is no target time.
            desk = INTENT_TOOLS.get(done[0]["intent"], ("",))[0]
            line = answers.options_answer([str(last["priority"])], [p.to_dict() for p in self.coordinator.passages(
                f"how soon is {priority}seen to", desk)])[0] if isinstance(last.get("priority"), str) else ""
            when = spoken(line) if line else self._answer_from_articles(f"how soon is {priority}seen to?",
                                                                         done[0]["intent"], self._stands(state))
            if who or when:
                return " ".join(x for x in (who, when) if x)
        # (Off the line's topics, a question is about the result only when it points back to it: "who will it be?")
        said = self._from_last_result(text, state, one_of_kind=decision.intent != "smalltalk.offtopic"
                                      or bool(set(entities.tokens(text)) & _LEANING))
        # (Unsure between the other desk's requests only: of this desk's, the readings below settle which.)
        elsewhere = decision.action == "clarify" and decision.target != INTENT_TOOLS.get(done[0]["intent"], ("",))[0]
        if said or not (decision.action == "handoff" or self._lost(decision) or wonders or elsewhere):
            return said
        # Not in the result, and nothing the line does fits it alone ("will someone ring me about it?") or the router
        # is unsure what it asks for ("when would the cartridge get to us?" after a toner request): the
        # articles of the request just done, searched with what the caller told for it and how the record now
        # stands ("how soon will they pick it up now?" of an incident made urgent: the target for urgent).
        return self._answer_from_articles(text, done[0]["intent"], f"{told} {self._stands(state)}".strip())

    def _need_beside_question(self, text: str, state: CallState) -> dict[str, Any] | None:
        """The new record a turn asks for in a sentence of its own beside its how-to question ("I need Visio
        installed on my laptop." before "How long does that normally take?"), when that sentence alone is clearly
        such a request: {"text", "target", "intent"}. None otherwise ("if I order toner, when does it come?" needs
        nothing yet)."""
        for sentence in _SENTENCE.split(text.strip()):
            plain = _LEAD.sub("", sentence.strip().lower())
            if sentence.rstrip().endswith("?") or _CONDITION_FIRST.match(plain) or _NEED.match(plain) is None:
                continue
            alone = self.coordinator.decide(sentence, state)
            spec = self._spec_of(alone.intent)
            if alone.action == "route" and spec is not None and spec.name.startswith(NEW_RECORD_PREFIXES) \
                    and alone.confidence >= REQUEST_SENTENCE_CONFIDENCE:
                return {"text": sentence, "target": alone.target, "intent": alone.intent}
        return None

    def _besides_the_line(self, text: str, state: CallState) -> str:
        """The sentences of a turn that asks about the line itself that are a request of their own ("... Doesn't
        matter. I'm on shift at Eastgate, can you tell me where WO-10003 is at?"), joined; "" when the rest is only
        greetings, asides and more about the line."""
        rest = [x for x in _SENTENCE.split(text.strip()) if x.strip() and moves.classify(x, in_task=False) is None
                and not moves.asks_line(x) and (len(_content_words(x)) >= 2 or self._names_a_record(x))]
        if not rest:
            return ""
        said = " ".join(rest)
        heard = self.coordinator.decide(said, state)
        # (A clear request, or a record named: "I'm covering the front desk this week" asks for nothing.)
        wanted = (heard.action == "route" and (heard.intent in INTENT_TOOLS or heard.intent == "knowledge.howto")
                  and heard.confidence >= REQUEST_SENTENCE_CONFIDENCE) or self._names_a_record(said)
        return said if wanted else ""

    def _stands(self, state: CallState) -> str:
        """How the record the last tool call returned stands, in words ("priority high, status on hold"); "" when
        it returned none."""
        done, last = _last_done(state), _last_result(state)
        server = INTENT_TOOLS.get(done[0]["intent"], ("",))[0] if done else ""
        choices = {x.name for t in self.tools.tools(server).values() for x in slots.slots_of(t.input_schema)
                   if x.kind == "enum"} if server in SERVERS else set()
        return _choices_in_words({k: v for k, v in last.items() if k in choices and isinstance(v, str)})

    def _asked_of_last_record(self, decision: Any, text: str, state: CallState) -> Any | None:
        """Right after a record was read or written, a question that names no other record and leaves the router
        unsure between requests ("what time is the technician due?" after a note on a job): a question asks, so
        it is that record's status, when that is one of the readings. None otherwise."""
        done = _last_done(state)
        if state.task or not done or not _questions_only(text) or self._names_a_record(text):
            return None
        kind = self._id_names(done[0]["intent"])
        readings = [decision.intent, *(a["intent"] for a in decision.alternatives)]
        status = next((i for i in readings if i.endswith(".status") and kind and self._id_names(i) == kind), None)
        if status is None or status == done[0]["intent"]:
            return None  # (just read out: reading it again answers nothing new)
        return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[status][0], intent=status,
                                   reason=f"{decision.reason} A question about the record just handled: its status.")

    def _act_on_last_record(self, decision: Any, text: str, state: CallState) -> Any | None:
        """Right after a record was made, read or changed, an act on "it" that names no other record ("oh, and can you
        add to it that the relay's been reset twice?"), heard as that act however unsure: that act, on that record.
        None otherwise (a new record or a read is no act on it)."""
        done = _last_done(state)
        if state.task or not done or self._names_a_record(text) or not _POINTS_AT_IT.search(text.lower()):
            return None
        kind = str(done[0]["intent"]).partition(".")[0]
        # The likeliest reading that acts on a record of that kind ("put on it that the isolator's locked off" may sound
        # like a password first): pointed at, it is that record's.
        for intent in [decision.intent, *(a["intent"] for a in decision.alternatives)][:2]:
            spec = self._spec_of(intent)
            if spec is not None and slots.is_write(spec.name, spec.annotations) \
                    and not spec.name.startswith(NEW_RECORD_PREFIXES) and intent.partition(".")[0] == kind:
                return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[intent][0], intent=intent,
                                           reason=f"{decision.reason} An act on the record just handled.")
        return None

    @staticmethod
    def _one_told_before(text: str, state: CallState) -> str:
        """The sentence of an earlier caller turn that a short request points at by a word of it ("yes, put in the Visio
        one", "log the Maximo one"): the one sentence naming every word the pointer names beside "the ... one". ""
        when the turn points at nothing so, or at more than one sentence."""
        m = _THE_ONE.search(text.lower())
        if m is None or len(text.split()) > POINTER_WORDS:
            return ""
        named = [w for w in entities.tokens(m.group(1)) if len(w) >= 3]
        if not named or any(c.isdigit() for w in named for c in w):
            return ""  # ("bump the A123 one up to urgent" names its thing by its tag: a request of its own)
        found = [x for turn in _earlier_caller_turns(state) for x in _SENTENCE.split(turn)
                 if all(re.search(rf"\b{re.escape(w)}", x.lower()) for w in named)]
        return _LEAD.sub("", found[0].strip()) if len(set(found)) == 1 else ""

    def _aside(self, decision: Any, text: str, state: CallState) -> str:
        """In a task, a question about it that no answer to the open question holds and that asks for nothing
        else ("who has to sign it off?", "how long does that usually take?"): what the task desk's articles say,
        searched with what the request is about. "" when it names a record, asks for a new request the router
        is sure of, or the articles hold no clear answer."""
        task = state.task or {}
        if not _questions_only(text) or self._names_a_record(text):
            return ""
        # What the caller may do alone ("can I reset it myself next time?") asks for no request however sure the
        # router, and names what it is about ("change my password myself"), not the request under way.
        alone = answers.asks_done_alone(text)
        if decision.action == "route" and decision.intent in INTENT_TOOLS and decision.intent != task.get("intent") \
                and decision.confidence >= SWITCH_CONFIDENCE and not alone:
            return ""
        about = "" if alone else str(task.get("opening", ""))
        return self._answer_from_articles(text, str(task.get("intent", "")), about)

    def _answer_from_articles(self, question: str, intent: str, told: str) -> str:
        """The sentence of the articles of ``intent``'s desk that answers ``question``, found with what the
        request is about (its kind and what the caller ``told``: a question asked on the way rarely names
        its topic). Sections are taken in the order found, so the nearest topic answers first; "" when
        none clearly does."""
        about = f"{self.coordinator.policy.name_of(intent)}. {told}" if intent else told
        # A question that leans on what came before ("how long does that take?") means it with what it is about.
        leans = bool(set(entities.tokens(question)) & _LEANING)
        # (With the first article's further sections that hold what the question asks for, as a how-to is answered.)
        desk = INTENT_TOOLS.get(intent, ("",))[0]
        sections = self._of_the_kind_asked(self.coordinator.passages(f"{question} {about}".strip(), desk), question)
        if not leans:
            # A question that stands on its own ("what times do your technicians visit?") may be about another topic
            # than the story told: the sections nearest it alone as well, after those.
            sections += [p for p in self.coordinator.passages(question, desk) if p.id not in {x.id for x in sections}]
        found = [(said, score - SECTION_RANK_COST * rank) for rank, passage in enumerate(sections)
                 for said, score in [answers.scored_answer(
                     question, answers.article_sentences(passage.to_dict()), getattr(self.agent, "similar", None),
                     about if leans else "", heading=str(getattr(passage, "title", "")))] if said]
        # A later section's answer of the kind the question asks ("how long ...": "within one working day") before a
        # nearer one's that only shares its words ("once she approves it": "Your line manager approves it"); else the
        # best answer, a section whose heading the question names counting ("does that need approving?": "Approval").
        return spoken(max(found, key=lambda f: (answers.of_the_kind_asked(question, f[0]), f[1]))[0]) if found else ""

    def _listed_by_place(self, decision: Any, text: str) -> Any | None:
        """A question of which records a place or a thing has ("are there any open jobs at the Eastgate compressor
        station?", "any open work orders on the switch room chiller, H one four two oh?"), heard as anything but a
        write, naming no record of its own: the list for it, by the server's list tool that takes that place or
        thing. None otherwise."""
        spec, low = self._spec_of(decision.intent), text.lower()
        # (Heard as no desk's at all, "what's open at Riverside at the moment?" is a list all the same when it asks
        # for records in so many words.)
        anywhere = (decision.target not in SERVERS or spec is None) and bool(_RECORDS_ASKED.search(low))
        # ("Is anyone booked at North Ridge this week?" sounds like a booking; it asks whether one is.)
        work_asked = any(_WORK_AT_PLACE.search(_LEAD.sub("", x.strip())) for x in _SENTENCE.split(low))
        if (spec is None and decision.intent != "knowledge.howto" and not anywhere) \
                or (decision.target not in SERVERS and not anywhere) \
                or (spec is not None and slots.is_write(spec.name, spec.annotations) and decision.action == "route"
                    and not work_asked) \
                or not (_asks_something(text) or _THERE_ASKED.search(low) or _RECORDS_ASKED.search(low)):
            return None  # (a how-to heard for "how many generators have we got at ...?" is a list too)
        ctx, fitting = self._context(), []
        for intent, (server, tool) in INTENT_TOOLS.items():
            if (server != decision.target and not anywhere) or not tool.startswith("list_"):
                continue
            by = [s for s in self._slots_of(intent) if s.kind in ("site", "code")]
            taken = {s.name for s in by}
            # A record named by its own number ("work order 10001") is read by it, not listed.
            if not slots.mentioned(by, text, ctx) or any(
                    set(slots.mentioned(self._ids_of(i), text, ctx)) - taken for i in INTENT_TOOLS if self._ids_of(i)):
                continue
            fitting.append(intent)
        # Of the lists of that place, the one whose things are asked for ("what generators have we got at
        # Stonebridge?": its assets of that kind), else the first (records: "anything outstanding at site 21?").
        listed = next((i for i in fitting if self._things_asked(i, low)),
                      fitting[0] if fitting and (_RECORDS_ASKED.search(low) or work_asked) else None)
        if listed is None:
            return None
        return dataclasses.replace(decision, action="route", intent=listed, target=INTENT_TOOLS[listed][0],
                                   reason=f"{decision.reason} Asked what a place or thing has: {self.coordinator.policy.name_of(listed)}.")

    def _things_asked(self, intent: str, low: str) -> bool:
        """Does ``low`` ask which things a list tool lists, in the plural: by the noun of its name ("list_assets":
        "any assets") or a kind its filters take ("pumps", "generators")?"""
        spec = self._spec_of(intent)
        if spec is None:
            return False
        options = [v for s in self._slots_of(intent) for v in s.schema.get("enum", []) if isinstance(v, str)]
        nouns = {INTENT_TOOLS[intent][1].removeprefix("list_").replace("_", " ")}
        nouns |= {f"{v}es" if v.endswith(("s", "x", "ch", "sh")) else f"{v}s" for v in options}
        alternatives = "|".join(re.escape(n.lower().replace("_", " ")) for n in sorted(nouns))
        # (Asked by which one there is, too: "which generator do they have at Eastgate?")
        kinds = "|".join(re.escape(v.lower()) for v in options)
        # (The things said first and asked after: "generators at Stonebridge. which ones?")
        return bool(re.search(rf"\b(?:any|what|which|how many|list|all)\b(?: [\w']+){{0,4}}? (?:{alternatives})\b", low)
                    or (re.search(rf"\b(?:{alternatives})\b", low) and _WHICH_ONES.search(low))
                    or (kinds and re.search(rf"\b(?:which|what) (?:{kinds})\b(?! is (?:it|that|this)\b)", low)))

    def _kind_the_section_says(self, decision: Any, text: str) -> Any | None:
        """A new record of one kind, when the article section nearest the turn is plainly about what the caller told
        (a sentence of it at least ``SECTION_SURE`` near) and tells them to ask for another kind ("Moving the
        Authenticator app to a new phone needs the old registration cleared. Ask for a service request to clear
        it.", for a turn the router heard as a password reset): that kind. None otherwise."""
        spec = self._spec_of(decision.intent) if decision.action == "route" else None
        similar = getattr(self.agent, "similar", None)
        if spec is None or not spec.name.startswith(NEW_RECORD_PREFIXES) or not decision.passages or similar is None \
                or _asks_a_question(text):
            return None  # (a question asked is answered as it is heard: "is there a loan laptop I can get?")
        section = decision.passages[0].to_dict()
        sentences = answers.article_sentences(section)
        if not sentences or max(similar(text, sentences)) < SECTION_SURE:
            return None
        return self._kind_asked_for(decision, " ".join(sentences))

    def _kind_asked_for(self, decision: Any, text: str) -> Any | None:
        """A new record asked for by its kind in so many words, heard as something else: the kind asked for.
        Heard as another new record of the same desk ("I need a service request to clear my old Authenticator
        registration", a password reset), any wording that wants one will do; heard as a look-up or a change of a
        record ("need a work order raised", "could you open an incident for me"), only words that make one do,
        and a kind's other name ("job", "ticket") too, for the desk heard. None otherwise."""
        spec = self._spec_of(decision.intent)
        if spec is None:
            return None
        ctx = self._context()
        named = {(n, str(v)) for i in INTENT_TOOLS if self._ids_of(i) for n, v in slots.mentioned(self._ids_of(i), text, ctx).items()}
        making = spec.name.startswith(NEW_RECORD_PREFIXES)
        low = text.lower()
        for intent, (server, tool) in INTENT_TOOLS.items():
            verb, _, kind = tool.partition("_")
            if intent == decision.intent or verb != "create" or not kind or (making and server != spec.server):
                continue
            made = self._spec_of(intent)
            own = slots.slots_of(made.input_schema) if made is not None else []
            theirs = {str(v) for v in slots.mentioned(own, text, ctx).values()}
            if made is None or {n for n, v in named if v not in theirs} - {x.name for x in own}:
                # A record named ("a work order for WO 10003") is no new one; a thing's tag is its value. (A code the
                # new one takes as its own, "for Jonas Berg, E10777", read as a tag too, names no other record.)
                continue
            name = kind.replace("_", " ")
            # (Heard as another new record, only the full name tells them apart: an access request is a request too.)
            names = next((n for n in entities.KIND_NAMES.values() if n[0] == name), (name,)) \
                if server == spec.server and not making else (name,)
            if _made_by_kind(low, names, loosely=making):
                return dataclasses.replace(decision, action="route", target=server, intent=intent,
                                           reason=f"{decision.reason} A {name} asked for by name.")
        return None

    def _place_asked(self, decision: Any, text: str) -> Any | None:
        """A question about a place itself ("what's the site number for Stonebridge generating station?", "what's
        the address of the depot?"), naming no id: the articles say where the sites are. None otherwise."""
        spec = self._spec_of(decision.intent)
        if decision.intent == "knowledge.howto" or not _PLACE_ASKED.search(text.lower()) or not _asks_something(text) \
                or (spec is not None and spec.name.startswith(NEW_RECORD_PREFIXES) and decision.action == "route") \
                or self._names_a_record(text):
            return None  # "the pump at Riverside is leaking, what's the address?": a fault to log first; a record named
        # The desk whose tools take a site, for a turn the router gave to neither desk.
        site = next(((INTENT_TOOLS[i][0], s) for i in INTENT_TOOLS for s in self._slots_of(i) if s.kind == "site"), None)
        if site is None or not slots.mentioned([site[1]], text, self._context()):
            return None
        desk = decision.target if decision.target in SERVERS else site[0]
        # Searched with the site's own name ("site five five" is Lakeside's number, not the depot's 42 Westfield
        # Avenue), and the sections that name it first.
        number = slots.mentioned([site[1]], text, self._context())[site[1].name]
        name = self._site_name(number)
        passages = self.coordinator.passages(f"{normalise(text)} {name}".strip(), desk)
        if name:
            # Only the lines that name it, when any does ("drop a parcel at the Westfield depot, what's the address?" is
            # not answered by another site's line that sounds nearer to a parcel), its own entry (with its number) first.
            def naming(line: str) -> bool:
                return name.lower() in line.lower()

            def entry(line: str) -> bool:
                return naming(line) and re.search(rf"\b(?:site )?{number}\b,", line, re.I) is not None
            passages = _lines_kept(passages, entry) or _lines_kept(passages, naming) or passages
        return dataclasses.replace(decision, action="route", intent="knowledge.howto", target=desk, passages=passages)

    def _unfounded_change(self, decision: Any, text: str, state: CallState) -> Any | None:
        """A change of a record the turn gives no ground for is no reading of it: none of the record's kind
        pointed at (by number, by a record's name: "my work order", "the ticket", or as the one just handled:
        "feeder breaker B-1402 is getting hot, high priority" is a fault that names its priority), or nothing
        said to change it to ("I'm ringing back about incident 20001"; a priority inside a question asks:
        "when is my urgent one getting sorted?"). Then the router's other readings decide, their probabilities
        taken without the changes'. None when the change stands or the router did not hear one."""
        # Routed, the change is the reading; unsure, it is one of the two asked between (any later reading is
        # left to what settles the doubt: "C-2101, medium priority" is a fault by its priority, not a look-up).
        heard = [decision.intent, *[a["intent"] for a in decision.alternatives[:1 if decision.action == "clarify" else 0]]]
        update = next((i for i in heard if i.endswith(".update")), None)
        spec = self._spec_of(update) if update else None
        if spec is None or not self._ids_of(update):
            return None
        ctx, low, done = self._context(), text.lower(), _last_done(state)
        handled = bool(done) and done[0]["intent"] in INTENT_TOOLS  # "no, critical, not medium" right after it
        pointed = bool(slots.mentioned(self._ids_of(update), text, ctx)) or bool(_RECORD_NOUN.search(low)) \
            or bool(DESCRIBED_RECORD.search(low)) or handled
        if pointed and (not self._changes_nothing(update, text) or self._field_to_change(update, text)):
            return None
        why = "nothing said to change it to" if pointed else "no record named to change"
        return self._decided_without(decision, text, lambda intent: intent.endswith(".update"), f"No change meant ({why})")

    def _field_to_change(self, intent: str, text: str) -> bool:
        """Does ``text`` ask to change a field of ``intent``'s record by its name, its new value still to come
        ("I want to change the priority on work order 10006")?"""
        fields = [s.name for s in self._slots_of(intent) if not s.required and s.kind == "enum"]
        return any(re.search(rf"\b(?:change|update|alter|set|raise|lower|bump|adjust)\b(?: [\w']+){{0,3}}? {f}\b",
                             text.lower()) for f in fields) and not _questions_only(text)

    def _decided_without(self, decision: Any, text: str, drop: Callable[[str], bool], why: str) -> Any | None:
        """``decision`` made again from the router's readings of ``text`` that ``drop`` leaves, their
        probabilities conditional on the dropped ones not being meant: routed when the best is sure enough,
        else the either/or question. None when no reading is left."""
        rest = without(self.coordinator.router.classify(text), drop)
        if not rest:
            return None
        best, policy = rest[0], self.coordinator.policy
        share, others = best.confidence, [s.to_dict() for s in rest[1:4]]
        sure = share >= policy.low_confidence_threshold or not others
        question = None if sure else policy.either_or(best.intent, others[0]["intent"])
        hits = [h for h in decision.policy_hits if h != "low_confidence"] + ([] if sure else ["low_confidence"])
        return dataclasses.replace(decision, action="route" if sure else "clarify", target=best.target,
                                   intent=best.intent, confidence=share, alternatives=others,
                                   clarify_question=question, policy_hits=hits,
                                   reason=f"{decision.reason} {why}: {policy.name_of(best.intent)} ({share:.0%}).")

    def _not_goodbye(self, decision: Any, text: str) -> Any | None:
        """A goodbye the router only guessed ("yes, add that on for Liam to see": 73 %) in a turn that says
        no goodbye and names what one of the line's tools does: that request, from the router's other
        readings; so is a question after thanks ("Great, thank you. Does he need anything sorted from our side?").
        None otherwise: the call ends only when the caller meant it to."""
        if decision.intent != "smalltalk.goodbye" or _GOODBYE.search(text.lower()) \
                or not (_asks_something(text) or _QUESTION_ORDER.search(text.lower()) or _ASKED_INSIDE.search(text.lower())
                        or self._names_a_tool(text, [i for i in INTENT_TOOLS if self._spec_of(i) is not None])):
            return None
        return self._decided_without(decision, text, lambda intent: intent.startswith("smalltalk."),
                                     "No goodbye said, and a request named")

    async def _number_found(self, decision: Any, text: str, state: CallState) -> dict[str, Any] | None:
        """A record number said without its kind ("status 10003", "where's ten thousand and five at", "you can
        close twenty thousand and four"), when the router is unsure or lost, or heard a request that needs a
        record it cannot tell: each kind of record is looked up by it, and when exactly one kind has it, the
        turn is about that record (its status, or what the turn asks done with it). None otherwise."""
        spec = self._spec_of(decision.intent)
        unsure = decision.action == "clarify" or self._lost(decision)
        needs_one = spec is not None and not spec.name.startswith(NEW_RECORD_PREFIXES) and bool(self._ids_of(decision.intent))
        makes_one = spec is not None and spec.name.startswith(NEW_RECORD_PREFIXES)
        if not (unsure or needs_one or makes_one) or self._names_a_record(text):
            return None
        said = _bare_record_numbers(text)
        if len(said) != 1:
            return None
        found: list[tuple[str, str, str]] = []  # (intent, id slot, value)
        for intent, slot in self._ticket_readers():
            pattern = slot.schema.get("pattern")
            value = entities.match_code(f"{entities.pattern_prefixes(pattern)[0]}{said[0]}", pattern)
            if value is None:
                continue
            try:
                await self.tools.call(*INTENT_TOOLS[intent], {slot.name: value})
            except ToolError:
                continue  # no such record of this kind
            found.append((intent, slot.name, value))
        if len(found) != 1:
            return None
        status, slot, value = found[0]
        server = INTENT_TOOLS[status][0]
        named = [i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server and self._id_names(i) == {slot}
                 and not tool.startswith(NEW_RECORD_PREFIXES)]
        state.entities[slot] = value  # the number, with its kind, for the request it starts
        if decision.action == "route" and decision.intent in named:
            return {"target": server, "intent": decision.intent}  # heard already: only its record was missing
        wanted = self._wanted_with_record(named, status, text, self._context())
        if makes_one and wanted == status:
            # Heard as a fault to log, told with a value only a change takes ("... put it up to urgent").
            wanted = (self._write_by_its_values(status, [{"target": server, "intent": i} for i in named], text)
                      or {"intent": status})["intent"]
        if makes_one and not unsure and ((wanted == status and not _CHASING.search(text.lower()))
                                         or (wanted != status and self._changes_nothing(wanted, text))):
            # A new fault told with a number in it: only a change said outright, or chasing the record ("I'm
            # chasing my access request, thirty thousand and three"), is about that record.
            return None
        return {"target": server, "intent": wanted}

    def _changes_nothing(self, intent: str, text: str) -> bool:
        """Does ``text`` say nothing a change of ``intent``'s record would become (no status or priority, no
        "reopen"), or say it only inside a question ("when is my urgent one getting sorted?")?"""
        spec = self._spec_of(intent)
        choices = [s for s in slots.slots_of(spec.input_schema) if not s.required and s.kind == "enum"] if spec else []
        # (Said in a sentence that asks is no change: "Fine. And WO-10011, is that closed out?"; nor is how it stands:
        # "it's been on hold for a week".)
        return not any(slots.mentioned(choices, slots.as_wanted(x), self._context()) or REOPENED.search(x.lower())
                       for x in _told(text))

    def _names_a_record(self, text: str) -> bool:
        ctx = self._context()
        return any(self._ids_of(i) and slots.mentioned(self._ids_of(i), text, ctx) for i in INTENT_TOOLS)

    def _names_a_ticket(self, text: str) -> bool:
        """Does ``text`` name a ticket by its number (SR-30002, WO 10003), not only a person's or a thing's id?"""
        ctx = self._context()
        return any(slots.mentioned([x for x in self._ids_of(i) if _ticket_number(x)], text, ctx) for i in INTENT_TOOLS)

    def _from_last_result(self, question: str, state: CallState, *, one_of_kind: bool = False) -> str:
        """The clause of the last tool result's message that answers ``question``, spoken; "" when none does.
        ``one_of_kind``: the question is about that result (see ``answers.answer``)."""
        message = _last_result(state).get("message")
        return spoken(answers.answer(question, answers.clauses(str(message)), getattr(self.agent, "similar", None),
                                     one_of_kind=one_of_kind)) if message else ""

    def _write_on_record(self, read_intent: str, decision: Any, text: str, state: CallState) -> dict[str, Any] | None:
        """Right after a record was read out ("WO 10003 is in progress ..."), a turn that asks for something
        done to a record of that kind ("add that it's making a new noise", "escalate it") and names no other
        thing: that write, on the record just read. The router may hear the news as a new fault; a new fault
        names its equipment or site, this turn names nothing. None otherwise."""
        read = self._id_names(read_intent)
        ctx = self._context()
        said = slots.mentioned(self._ids_of(read_intent), text, ctx)
        last = state.tool_attempts[-1].get("arguments", {}) if state.tool_attempts else {}
        if any(str(v) != str(last.get(k)) for k, v in said.items()) or ANOTHER_RECORD.search(text.lower()) \
                or (not said and self._names_a_ticket(text)):
            # "and work order 10005", "there was one for the dryer alarm", "and that AutoCAD request, SR-30002, cancel
            # it" after an incident: another record, in its own right
            return None
        # The router's best reading counts when it only guessed too ("can you add a comment that ...", 48 %).
        options = [{"target": decision.target, "intent": decision.intent, "confidence": decision.confidence},
                   *decision.alternatives] if decision.action in ("route", "clarify") else list(decision.alternatives)
        top = self._spec_of(decision.intent)
        server = self._spec_of(read_intent).server
        if read and top is not None and top.server != server and slots.is_write(top.name, top.annotations) \
                and not top.name.startswith(NEW_RECORD_PREFIXES) and not self._names_a_record(text):
            # "Yes please, add that" heard as a note on a work order, right after an incident was read: the same
            # act on the record just read, by the verb of its tools' names ("add_": add_incident_comment).
            verb = top.name.split("_")[0]
            same = [i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server and tool.split("_")[0] == verb
                    and self._id_names(i) == read]
            return {"target": server, "intent": same[0]} if len(same) == 1 else None
        if not read or top is None or top.server != server:
            return None
        own = [s for s in slots.slots_of(top.input_schema) if s.kind in ("code", "site") and s.name not in read]
        if top.name.startswith(NEW_RECORD_PREFIXES) and slots.mentioned(own, text, ctx):
            return None  # "the chiller C-4410 is leaking too": a new thing
        # The ask is often a short clause before the news ("can you stick a note on it: vibration's up
        # ..."), which drowns it in the whole turn: that clause is heard on its own as well.
        clauses = _REQUEST_CLAUSE.split(text)
        for clause in clauses if len(clauses) > 1 else []:
            if _REQUEST_QUESTION.search(clause.lower()) or _NEED.match(clause.strip().lower()):
                options += [s.to_dict() for s in self.coordinator.router.classify(clause)]
        # Its tool named in so many words ("please add a comment i tested from site twelve ..."), however the
        # news after it sounds to the router.
        acts = [i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server
                and self._id_names(i) == read and not tool.startswith(NEW_RECORD_PREFIXES)]
        # A thing looked up takes no such act, but the one open record the look-up named does ("Right, same job
        # then. Just add to it that it's now tripping out" after an asset with one open job): on that record.
        held = {} if any((x := self._spec_of(i)) is not None and slots.is_write(x.name, x.annotations) for i in acts) \
            else self._open_record_read(state)
        if held:
            acts = [i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server
                    and self._id_names(i) == set(held) and not tool.startswith(NEW_RECORD_PREFIXES)]
        said = self._tool_named_in_full(acts, text)
        # ... or its verb with the news after it ("add that the control room hit 31 degrees"): the one act adding.
        adding = [i for i in acts if INTENT_TOOLS[i][1].startswith("add_")]
        if said is None and len(adding) == 1 and _adds_that(text):
            said = adding[0]
        if said is not None and (spec := self._spec_of(said)) is not None and slots.is_write(spec.name, spec.annotations):
            return {"target": server, "intent": said, "named": True, **({"ids": held} if held else {})}
        for option in options:
            spec = self._spec_of(option["intent"])
            if spec is None or spec.server != top.server or spec.name.startswith(NEW_RECORD_PREFIXES) \
                    or not slots.is_write(spec.name, spec.annotations) or option["confidence"] < FOLLOW_UP_CONFIDENCE:
                continue
            if self._id_names(option["intent"]) == read:
                return {"target": option["target"], "intent": option["intent"]}
        return None

    def _choices_said(self, intent: str, words: str) -> bool:
        """Do ``words`` give a choice ``intent``'s tool needs that only tools acting on its thing take (a visit's day or
        time of day), not the thing's other tools' choices (a priority)?"""
        choices = [s for s in self._slots_of(intent) if s.kind in ("enum", "datetime") and s.required
                   and all(s.name not in {t.name for t in self._slots_of(i)} for i in INTENT_TOOLS
                           if _thing_of(i) != _thing_of(intent))]
        return bool(choices) and bool(slots.mentioned(choices, words, self._context()))

    @staticmethod
    def _names_its_thing(intent: str, words: str) -> bool:
        """Do ``words`` name the thing ``intent``'s tool acts on, or a word callers use for it ("a technician": a visit)?"""
        thing = _thing_of(intent)
        # (A person booked or sent to come is a visit: "can you get someone out next Monday?")
        return bool(thing) and (bool(re.search(rf"\b(?:{'|'.join(map(re.escape, slots.tool_words(thing)))})s?\b", words.lower()))
                                or (thing == "visit" and bool(_BOOKED_IN.search(words.lower()))))

    def _thing_wanted_with_its_choice(self, decision: Any, text: str) -> Any | None:
        """A thing a tool of the desk makes, asked for by a word callers use for it, with a choice only such a tool
        takes ("I need a technician at Riverside for intake pump A123 ... Tomorrow afternoon if you can", "can you
        book him back in on Friday? Mornings are best"): that tool's request, whatever the story around it sounded
        like. Not over a new record the router heard clearly (a fault to log comes first; its visit follows it).
        None otherwise."""
        spec = self._spec_of(decision.intent)
        if decision.action not in ("route", "clarify") or (
                decision.action == "route" and spec is not None and (slots.is_write(spec.name, spec.annotations)
                                                                     or decision.confidence >= REQUEST_SENTENCE_CONFIDENCE)):
            return None
        low = text.lower()
        # (Asked to know, not for the thing: "I need to know when the engineer is coming".)
        wanted = [x for x in _sentences(low) if (_REQUEST_QUESTION.search(_LEAD.sub("", x))
                                                 or (_NEED.match(_LEAD.sub("", x)) and not _NO_NEED.match(_LEAD.sub("", x)))
                                                 or _BOOKED_IN.search(x)) and not _WHEN_QUESTION.match(_LEAD.sub("", x))
                  and not _INDIRECT_QUESTION.search(x) and not _asks_to_know(x)]
        # (A time said of what is not needed gives no booking its day: "we don't need the technician tomorrow.
        # Can you cancel the visit?")
        timed = " ".join(x for x in _sentences(low) if not moves.negates(x) and not _NO_NEED.match(_LEAD.sub("", x))
                         and not re.search(r"\b(?:don'?t|do not|no longer|won'?t) need\b", x))
        found = [intent for intent, (server, _) in INTENT_TOOLS.items()
                 if server == decision.target and (other := self._spec_of(intent)) is not None
                 and slots.is_write(other.name, other.annotations) and self._ids_of(intent)
                 and any(self._names_its_thing(intent, x) for x in wanted) and self._choices_said(intent, timed)]
        if not found:
            return None
        thing = _thing_of(found[0])
        if decision.intent not in found and _thing_of(decision.intent) == thing:
            return None  # another act on the same thing heard (a cancel): not this one
        others = [i for i in INTENT_TOOLS if i not in found and _thing_of(i) == thing]
        # What the router hears in the sentences that ask for the thing.
        tops = [top[0].intent for x in wanted if self._names_its_thing(found[0], x)
                and (top := self.coordinator.router.classify(x))]
        if self._tool_named_in_full(others, text) is not None or set(tops) & set(others):
            return None  # ... or named, or heard in the sentence that asks: "so can you call that visit off?"
        heard = [i for i in tops if i in found]
        chosen = self._tool_named_in_full(found, text) or (heard[0] if heard else found[0])
        if decision.intent in found:
            # Heard already, unsure: which of them, "book" or "move", the record settles; it alone, it is.
            if any(a["intent"] in found for a in decision.alternatives[:1]):
                return None
            chosen = decision.intent
        return dataclasses.replace(decision, action="route", intent=chosen,
                                   confidence=max(decision.confidence, REQUEST_SENTENCE_CONFIDENCE),
                                   reason=f"{decision.reason} Asks for {self.coordinator.policy.name_of(chosen)}, with its time.")

    def _change_to_described(self, decision: Any, text: str) -> Any | None:
        """A new record heard where the caller points at one that exists by what it is about, and asks for a choice only
        a change to a record takes ("the vibration job on intake pump 1, please make it urgent", "the emergency
        generator job: I want a technician out Thursday afternoon"): that change, its record found by the description.
        A new record is brought up with "a" ("there's a leak"), one that exists with "the" and its kind. None
        otherwise."""
        options = [decision.intent] + [o["intent"] for o in decision.alternatives or []] \
            if decision.action == "clarify" else [decision.intent]
        # (Or unsure between desks, the one whose place the turn names: "Riverside. The aircon job, make it high".)
        desks = [x.server for x in map(self._spec_of, options) if x is not None and (
            x.name.startswith(NEW_RECORD_PREFIXES) or (decision.action == "clarify" and self._place_of(
                {"server": x.server, "opening": text})))]
        new = next((spec for i, (server, tool) in INTENT_TOOLS.items() if desks and server == desks[0]
                    and tool.startswith(NEW_RECORD_PREFIXES) and (spec := self._spec_of(i)) is not None), None)
        low = text.lower()
        # (An act on a record among the router's readings that takes no choice is its own, said by its verb: "cancel
        # the visit on the oil pump job".)
        acts = [x for x in map(self._spec_of, options) if x is not None and slots.is_write(x.name, x.annotations)
                and not x.name.startswith(NEW_RECORD_PREFIXES)]
        if new is None or any(x.server == new.server and not [s for s in slots.slots_of(x.input_schema) if s.kind == "enum"]
                              for x in acts) \
                or NEW_RECORD.search(low) or self._names_a_ticket(text) or not any(
                not _MADE_BEFORE.search(low[max(0, m.start() - 30):m.start()]) for m in DESCRIBED_RECORD.finditer(low)):
            return None
        own = {s.name for s in slots.slots_of(new.input_schema)}
        ctx = self._context()
        # The choice is asked for, not told of ("somebody cancelled the last job for it" is the story).
        asking = " ".join(x for x in _SENTENCE.split(text) if _asks_something(x) or _CHANGE_ASKED.search(x.lower()))
        # (The router's own readings of an act first: "move the visit ... to Thursday afternoon" is a move, not a booking.)
        for intent, (server, tool) in sorted(INTENT_TOOLS.items(), key=lambda item: item[0] not in options):
            spec = self._spec_of(intent)
            if server != new.server or spec is None or not slots.is_write(spec.name, spec.annotations) \
                    or tool.startswith(NEW_RECORD_PREFIXES) or not any(_ticket_number(x) for x in self._ids_of(intent)):
                continue
            # (Only a choice the new record takes as well counts when it is told as a change: "bump it up to high".)
            choices = [x for x in slots.slots_of(spec.input_schema) if x.kind == "enum"
                       and (x.name not in own or _CHANGE_ASKED.search(asking.lower()))]
            if slots.mentioned(choices, asking, ctx):
                return dataclasses.replace(decision, action="route", target=server, intent=intent,
                                           reason=f"{decision.reason} A record that exists, described, and a change to it: "
                                                  f"{self.coordinator.policy.name_of(intent)}.")
        return None

    def _write_by_its_values(self, read_intent: str, options: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
        """A look-up (``read_intent``) heard in a turn that states a choice only a write of the same system
        takes ("compressor C-2101 is surging, medium priority": a priority is given to a fault being logged,
        never to a look-up): the first such write among ``options``. None otherwise."""
        spec = self._spec_of(read_intent)
        if spec is None or slots.is_write(spec.name, spec.annotations) \
                or (spec.name.startswith("list_") and _RECORDS_ASKED.search(text.lower())):
            return None  # (records asked for in so many words: "what's open at Riverside, before the ten o'clock?")
        own = {s.name for s in slots.slots_of(spec.input_schema)}
        ctx = self._context()
        # A new record never names one that exists: "my access request for the GIS, thirty thousand and three" says
        # which record by its choice, it asks for no new one.
        named = any(_ticket_number(s) for s in self._ids_of(read_intent)) and self._names_its_ids(read_intent, text, ctx)
        # A new record first: "C-6820 is leaking oil, low priority, and where is WO 10005" gives the priority
        # to the fault told, not to the job asked about; a change to a record is asked for in words of its own.
        options = sorted(options, key=lambda o: not (self._spec_of(o["intent"]) is not None
                                                     and self._spec_of(o["intent"]).name.startswith(NEW_RECORD_PREFIXES)))
        found: list[tuple[int, dict[str, Any]]] = []
        for option in options:
            other = self._spec_of(option["intent"])
            if other is None or other.server != spec.server or not slots.is_write(other.name, other.annotations) \
                    or (named and other.name.startswith(NEW_RECORD_PREFIXES)):
                continue
            choices = [s for s in slots.slots_of(other.input_schema) if s.kind == "enum" and s.name not in own]
            if said := slots.mentioned(choices, text, ctx):
                found.append((len(said), {"target": option["target"], "intent": option["intent"]}))
        # (Of two new records, the one more of whose choices are said: "read-only access to the VPN" is an access
        # request's system and level, not an incident because "access" is one of its categories.)
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def _named_by_id(self, decision: Any, text: str, state: CallState) -> dict[str, Any] | None:
        """Of the options the router is unsure between, the one whose tool needs an identifier the caller
        named ("incident two zero zero zero three, any progress"): an id of that shape, with its letters
        or its name said, settles the request. The request just done is an option too, and there the
        number alone will do ("and the other one, 10003" after a work order's status). None unless
        exactly one option takes it."""
        ctx = self._context()
        done = _last_done(state) if not state.task and not state.handoff else []
        last = {"target": done[0]["target"], "intent": done[0]["intent"]} if done else None
        named = []
        options = [o for o in [last, {"target": decision.target, "intent": decision.intent}, *decision.alternatives] if o]
        for option in [o for i, o in enumerate(options) if o["intent"] not in [p["intent"] for p in options[:i]]]:
            option = {"target": option["target"], "intent": option["intent"]}
            spec = self._spec_of(option["intent"])
            for slot in slots.slots_of(spec.input_schema) if spec else []:
                if not (slot.required and slot.kind in ("code", "user")):  # "I'm E11402": only IT knows the caller
                    continue
                value = slots.parse(slot, text, ctx, asked=True)
                said = option == last or slots.parse(slot, text, ctx, asked=False) is not None or \
                    re.search(rf"\b{re.escape(slot.label.rsplit(' ', 1)[0])}\b", text, flags=re.I)
                if value is not None and said and slots.validate(slot, value) is None:
                    named.append({**option, "value": re.sub(r"[^A-Z0-9]", "", str(value).upper()), "kind": slot.kind,
                                  "own": slots.parse(slot, text, ctx, asked=False) is not None})
                    break
        # One id that may be a person's or a thing's ("Nora Ali, E11300": an employee id, or a tag by its shape "a letter
        # and digits") is the person's: the person id's shape is its own, the tag's is anything's.
        named = [o for o in named if not (o["kind"] == "code" and any(p["value"] == o["value"] and p["kind"] == "user"
                                                                        for p in named))]
        # An id said with its kind's letters or name before it ("Incident two zero zero zero six") outranks one
        # whose kind is only named elsewhere in the turn ("Maximo's work order screen").
        if any(o["own"] for o in named):
            named = [o for o in named if o["own"]]
        # "S R three zero zero zero five" is SR-30005, not also a tag R30005: a value inside another's is not said.
        named = [{"target": o["target"], "intent": o["intent"]} for o in named
                 if not any(o["value"] != p["value"] and o["value"] in p["value"] for p in named)]
        if len(named) == 1:
            return named[0]
        # Several take it ("incident 20003, any progress": its status or a comment), but of the two the
        # caller is asked between (its status or a password reset) it fits one: that one.
        # A write is not taken so from a question ("is it not on your system? G3020"): that asks to read it.
        pair = [decision.intent, *[a["intent"] for a in decision.alternatives[:1]]]
        fitting = [o for o in named if o["intent"] in pair]
        if len(fitting) == 2 and len(pair) == 2:
            # Both take it ("... it still fails. Can you add that to INC 20001?": a comment or its status): what
            # is done with the record, by the words around it, when they name the write clearly enough.
            status = next((o["intent"] for o in fitting if o["intent"].endswith(".status")), None)
            other = next(o["intent"] for o in fitting if o["intent"] != status)
            naming = [x for x in _SENTENCE.split(text) if x.strip() and self._names_its_ids(status, x, ctx)] if status else []
            if naming and all(_only_asks(x) for x in naming) \
                    and (not other.endswith(".update") or self._changes_nothing(other, text)):
                return next(o for o in fitting if o["intent"] == status)  # "WO-10011, is that closed out?": asked
            wanted = self._wanted_with_record([o["intent"] for o in fitting], status, text, ctx)
            clear = bool(status) and wanted != status and self._names_a_tool(text, [wanted])  # "add" said, say
            return next((o for o in fitting if o["intent"] == wanted), None) if clear else None
        others = [o["intent"] for o in named if o["intent"] not in pair]
        if len(fitting) == 1 and fitting[0]["intent"].endswith(".status") and others:
            # The pair's reading is the record's status, but more can be done with it than the pair holds ("...,
            # can you bump the aircon job 10004 up to high": a change the story left third): what the words around
            # the record ask for decides among all that take it.
            wanted = self._wanted_with_record([fitting[0]["intent"], *others], fitting[0]["intent"], text, ctx)
            if wanted != fitting[0]["intent"]:
                return next(o for o in named if o["intent"] == wanted)
        if len(fitting) != 1 or len(pair) != 2:
            return None
        writes = {o["intent"]: slots.is_write(spec.name, spec.annotations) for o in named
                  if (spec := self._spec_of(o["intent"])) is not None}
        # A request put as a question with the write's own verb asks for the write ("Can you add that it still
        # fails?"); "can you check INC 20003?" still asks to read.
        verb = str(getattr(self._spec_of(fitting[0]["intent"]), "name", "")).split("_")[0]
        asked = not all(writes.values()) and any(
            x.strip().endswith("?") and not (_REQUEST_QUESTION.search(x.lower()) and re.search(rf"\b{verb}\b", x.lower()))
            for x in _SENTENCE.split(text))
        return None if asked and writes.get(fitting[0]["intent"], False) else fitting[0]

    def _records_to_read(self, text: str) -> list[dict[str, Any]]:
        """Tickets named by their numbers, letters said ("INC 20004 ... SR 30002", "WO-10001, WO-10003 and
        WO-10005"), each only to be heard about: their status checks, in the order named. [] when fewer than two
        are named, or when the turn asks for something else done with any."""
        ctx, found = self._context(), []
        # "Grace Kim, E10850. ...": the caller's own id is who calls, no thing to look up.
        for theirs in {str(v) for i in INTENT_TOOLS for s in self._slots_of(i) if s.kind == "user"
                       and (v := slots.parse(s, text, ctx, asked=False)) is not None}:
            text = re.sub(re.escape(theirs), " ", text, flags=re.I)
        toks = entities.tokens(text)
        for intent in [i for i in INTENT_TOOLS if i.endswith(".status") or i.endswith(".lookup")]:
            ids = self._ids_of(intent)
            if len(ids) != 1:
                continue
            values = [slots.parse(s, text, ctx, asked=False) for s in ids]
            if all(v is not None for v in values):
                same = [i for i in INTENT_TOOLS if self._ids_of(i) and self._id_names(i) == self._id_names(intent)]
                if self._wanted_with_record(same, intent, text, ctx) != intent:
                    return []
                read = {"target": INTENT_TOOLS[intent][0], "intent": intent}
                listed = self._listed_of_kind(ids, values[0], text)
                if len(listed) > 1:
                    # "the status on two requests, S R 300 03 and S R 300 06": all of one kind, each after the first
                    # read by its own number.
                    found += [(start, end, {**read, "value": value} if n else read) for n, (value, start, end) in enumerate(listed)]
                    continue
                digits = re.sub(r"\D", "", str(values[0]))
                run = next((r for r in entities.number_runs(text) if r.digits.endswith(digits)), None)
                found.append((run.start if run else len(toks), run.end if run else len(toks), read))
        # Things are looked up only when no record is named (a thing's tag beside a record's number is that record's
        # thing, "work order one double oh oh one, the A123 intake pump"; one number heard two ways, "in c two zero
        # zero zero one", is the record), and only when asked what they are ("Can you tell me what T-1401, T-1402 and
        # V-1410 are?"), not when their records are asked for ("any jobs on pump A 123? and on A 124?").
        things = _asks_something(text) and not _RECORDS_ASKED.search(text.lower())
        found = [f for f in found if not f[2]["intent"].endswith(".lookup")] or (found if things else [])
        if len(found) < 2:
            return []
        found.sort(key=lambda x: x[0])
        reads = [found[0][2]]
        asked = toks[found[-1][1]:]  # what is asked of all, after the last: "... and SR-30003. Where are they all?"
        for (_, before, _), (start, end, read), later in zip(found, found[1:], [*found[2:], None]):
            # (Each after the first is read by its own number: one listed with others of its kind, else the words since
            # the one before.)
            if "value" in read:
                own = [str(read.pop("value")), *asked]
            else:  # (the last one's words run on to the end, what is asked of all with them)
                own = toks[before:later[0]] + asked if later is not None else toks[before:]
            reads.append({**read, "text": " ".join(own)})
        return reads

    def _listed_of_kind(self, ids: list[slots.Slot], first: str, text: str) -> list[tuple[str, int, int]]:
        """The records of ``first``'s kind that ``text`` lists ("SR 30005 and three oh oh oh four"), in the order
        said, as (value, start, end) in tokens: each number with the words since the one before, a bare number taken
        when it has as many digits as the first (said once, the letters stand for all)."""
        ctx, found, toks = self._context(), [], entities.tokens(text)
        width, since, listed = len(re.sub(r"\D", "", first)), 0, False
        for run in entities.number_runs(text):
            between, part, since = toks[since:run.start], " ".join(toks[since:run.end]), run.end
            value = slots.parse(ids[0], part, ctx, asked=False)
            # (A bare number only straight after one of the kind, joined as a list: "... five and three oh oh oh
            # four"; "Ben Carter, E11402" is who calls.)
            if value is None and listed and len(run.digits) == width and set(between) <= _LIST_JOINS:
                value = slots.parse(ids[0], " ".join(toks[run.start:run.end]), ctx, asked=True)
            listed = value is not None
            if value is not None and value not in [v for v, _, _ in found]:
                found.append((value, run.start, run.end))
        return found

    def _keep_second_request(self, decision: Any, text: str, state: CallState) -> tuple[Any, str]:
        """Two requests in one turn ("... leaking, and also where is my work order"): the router took
        the first (``first_of_two``) or, mid-call, the one after the switch cue; the other one is kept
        to offer when this one is done. Without a cue, the turn is tried at its clause boundaries
        ("the pump is leaking at the seal, and the transformer is humming"): two parts that each route
        clearly to something the line does, for different desks or the same request for different
        things, are two requests in the order said. Returns the decision and the words of the one to do now
        (an id or a site said anywhere in the turn is the caller's for both, see ``prefill``)."""
        cues = self._switch_cues(text)
        if not cues:
            if state.task:
                return decision, text
            first, words, later = self._split_two(decision, text, state)
            if later is not None:
                state.dialogue["later"] = later
            return first, words
        if not state.task and moves.SEVERAL.search(text.lower()):
            # Counted ("Three quick ones. ... While I have you, ... And can you ..."): the turn is split at each of
            # its boundaries, a cue only one of them.
            first_one, words, later = self._split_two(decision, text, state)
            if later is not None:
                state.dialogue["later"] = later
                return first_one, words
        first = "first_of_two" in decision.policy_hits
        before, after = lead_moved(re.sub(r"\s+(?:and|but|so)$", "", text[:cues[-1][0]].strip(" ,.;"), flags=re.I),
                                   text[cues[-1][1]:].strip(" ,.;"))
        # The part the router did not hear is kept: after the cue when it heard the first of two, else the one
        # before, unless that is the one it heard ("my dock's stopped charging, and while I'm on, what's ...").
        # (The part after the cue only when it asks something of its own: "and my whole team can't work, it's INC
        # 20001" tells more of the first.)
        tried = ((after, before),) if first else ((before, after),) + (((after, before),) if moves.asks(after) else ())
        for other, now in tried:
            if len(other.split()) >= 3 and not self._only_where(other):
                second = self.coordinator.decide(other, state)
                # An act on a record named in full ("could you also stick a note on it"), whatever the router heard of
                # what it says, is that act on the record of the other part.
                acts = [i for i, (srv, _) in INTENT_TOOLS.items() if srv == decision.target and i != decision.intent
                        and self._id_names(i) and self._id_names(i) == self._id_names(decision.intent)]
                act = self._tool_named_in_full(acts, other) if self._ids_of(decision.intent) else None
                if act is not None:
                    second = dataclasses.replace(second, action="route", target=decision.target, intent=act)
                # "what's happening with S R three zero zero zero two": that record, read.
                read = (self._read_by_id(other) or self._same_record_read(second, decision, other)) \
                    if second.action != "route" else None
                if read is not None:
                    second = dataclasses.replace(second, action="route", target=read["target"], intent=read["intent"])
                if second.action == "route" and second.intent != decision.intent and second.intent in INTENT_TOOLS:
                    if self._record_said_for_both(other, now, second.intent, decision.intent):
                        # The record it names is the one the other part acts on ("... on it"): that part first.
                        state.dialogue["later"] = {"text": now, "target": decision.target, "intent": decision.intent}
                        return second, other
                    state.dialogue["later"] = self._kept(second, other, state)
                    return decision, now
        if state.task:
            return decision, text
        # A cue that splits nothing ("Two things while I've got you. The dosing pump ... And when was ..."): the
        # clause boundaries, as without one.
        first_one, words, later = self._split_two(decision, text, state)
        if later is not None:
            state.dialogue["later"] = later
        return first_one, words

    def _switch_cues(self, text: str) -> list[tuple[int, int]]:
        """Where the policy's switch cues ("while I've got you") stand in ``text``, as (start, end). The cues
        are written without apostrophes, as the router reads them, so they are looked for in the text without
        them and mapped back."""
        switch = self.coordinator.policy.topic_switch
        if switch is None:
            return []
        kept = [i for i, c in enumerate(text) if c not in "'’"]
        plain = "".join(text[i] for i in kept).lower()
        # A one-word cue after the verb of its clause is an adverb of it ("the generator is now also showing fault
        # 1446"), no switch; "..., and also my laptop", "could you also stick a note on it" are.
        return [(kept[m.start()], kept[m.end() - 1] + 1) for m in switch.finditer(plain) if m.end() > m.start()
                and (" " in m.group(0).strip() or not _BEING.search(re.split(r"[.,;:!?]|\b(?:and|but)\b", plain[:m.start()])[-1]))]

    def _each_of_a_list(self, text: str, state: CallState) -> tuple[Any, str, dict[str, Any]] | None:
        """A counted list of things after what is wanted for them ("I need three things for her: a laptop, a headset,
        and Visio installed on the laptop"): each thing with those words is a request of its own, in the order said,
        when each is clearly heard as one. The first's decision and words, and the others kept in turn; None otherwise."""
        m = _LISTED.search(text)
        items = [x.strip(" ,") for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group("items")) if x.strip(" ,")] if m else []
        if not 2 <= len(items) <= MAX_STARTED or any(len(x.split()) > LIST_ITEM_WORDS for x in items):
            return None
        # The clause that says what is wanted ("I've a new starter on Monday and | I need three things for her"), each
        # thing where the count stood: "I need a laptop for her".
        lead = m.group("lead")
        verb = _WANTED.search(lead)
        lead = lead[max(lead.rfind(",", 0, verb.start()), lead.rfind(" and ", 0, verb.start()), -1) + 1:].strip(" ,")
        lead = lead.removeprefix("and ").strip()
        parts = [moves.SEVERAL.sub(x, lead, count=1) if moves.SEVERAL.search(lead) else f"{lead} {x}" for x in items]
        heard = [self.coordinator.decide(p, state) for p in parts]
        if any(d.action != "route" or d.intent not in INTENT_TOOLS for d in heard):
            return None
        kept = [{"text": p, "target": d.target, "intent": d.intent} for p, d in zip(parts[1:], heard[1:])]
        return dataclasses.replace(heard[0], policy_hits=[*heard[0].policy_hits, "first_of_two"]), \
            parts[0], _queued(kept)  # (who calls is taken from the whole turn, see ``_keep_who_calls``)

    def _kept(self, decision: Any, text: str, state: CallState, *, counted: bool = False, **flags: Any) -> dict[str, Any]:
        """The request to keep for later: ``decision`` on ``text``, unless ``text`` holds more than one (a turn of
        three things: "... While I have you, when's the technician coming for WO-10002? And can you bump WO-10006 up
        to urgent"): then its first, with the others queued after it (``then``), each offered in turn."""
        first, words, more = self._split_two(decision, text, state, counted=counted, kept_as=decision)
        if more is None:
            return {"text": text, "target": decision.target, "intent": decision.intent, **flags}
        return _queued([{"text": words, "target": first.target, "intent": first.intent, **flags}, *_in_turn(more)])

    def _split_two(self, decision: Any, text: str, state: CallState, *, counted: bool = False, depth: int = 0,
                   kept_as: Any = None) -> tuple[Any, str, dict[str, Any] | None]:
        """See ``_keep_second_request``: the first clause boundary that leaves two clear requests, as the first's
        decision and words and the second to keep for later (with any more the second's words hold queued after
        it); (decision, text, None) when there is none. ``counted``: the caller said before how many there are.
        ``kept_as``: the request ``text`` was kept as, settled by the words around it (see ``_kept``)."""
        ctx = self._context()
        threshold = self.coordinator.policy.low_confidence_threshold
        # Sentence ends first: "..., is stiff and won't close fully, low priority. And where are we with ...?" is two
        # requests at its full stop, not at its first "and".
        # A boundary the caller numbered ("... onto the bench. The tag is H4201. And second, could you ...") comes
        # before any other.
        bounds = sorted(_CLAUSE_BOUNDARY.finditer(text), key=lambda m: (not _NEXT_ONE.match(text[m.start():]),
                                                                        not re.match(r"[.;!?]", m.group(0))))
        counted = counted or bool(moves.SEVERAL.search(text.lower()))
        listed = self._each_of_a_list(text, state) if counted else None
        if listed is not None:
            return listed
        for boundary in bounds[:MAX_SPLITS]:
            before, after = text[:boundary.start()].strip(" ,.;"), text[boundary.end():].strip(" ,.;")
            before += "?" if boundary.group(0).startswith("?") else ""  # (a question stays one: "Are there any open jobs?")
            after = self._kind_carried(before, after)
            if len(re.findall(r"[\w']+", _without_names(before))) < MIN_CLAUSE_WORDS or len(after.split()) < MIN_CLAUSE_WORDS \
                    or before.split()[-1].lower() == after.split()[0].lower() or _EARLIER_CALL.search(before.lower()) \
                    or _inside_a_number(before, after) or _inside_a_list(before, after) \
                    or _INTRODUCTION.match(_without_trailing_codes(before).lower()) \
                    or len(_content_words(" ".join(slots.without_values(before, ctx.site_names)))) < 2 \
                    or self._only_where(before) or self._only_where_after_who(before) or self._only_choices(before):
                # "over and over" joins no clauses; "I rang last week about ...", "hello, Olivia Grant from
                # operations", "hi, Grace Kim, asset management", "riverside pumping station here" and "I'm at
                # Riverside, in the control room" are no request of their own
                continue
            # (Counted, the first request starts after the count: "Nora Ali from IT, at Stonebridge. Two things. The
            # comms room switch has died ...": who calls and where is no part of what the first is about.)
            count = moves.SEVERAL.search(before.lower()) if counted else None
            judged = before[count.end():].strip(" ,.;:") if count else before
            if len(judged.split()) < MIN_CLAUSE_WORDS:
                continue  # ("..., site 12. Two things. | Intake pump two ...": the first is still to come)
            unsure, tail = self.coordinator.decide(before, state), self.coordinator.decide(after, state)
            if judged != before and unsure.action != "route":
                unsure = self.coordinator.decide(judged, state)  # (heard clearly whole, the whole stands)
            # ("The computer in the Millbrook pump station control cabin is completely dead. No lights, ...": the
            # site's name pulls the first part to the field desk; heard without it, it is the second's request.)
            unsure = self._desk_but_for_places(unsure, before, state) or unsure
            # ("Millbrook, site 7. Are there any open jobs on site at the moment? | Because I've got two more ...")
            unsure = self._listed_by_place(unsure, before) or unsure
            standing = self._standing_asked(tail, after)  # (asked in so many words: clear enough)
            # ("... call it medium. I'd like a visit on Friday afternoon.": a visit asked for with its time)
            standing = standing or self._thing_wanted_with_its_choice(tail, after)
            tail = standing or tail
            inner = None
            if counted and depth < MAX_NESTED and tail.action != "route":
                # ("Two faults: ... G-6802, | and the cooling fans on T-6810 aren't coming on. Oh, and did the borescope
                # inspection ever get done?": counted, the second is the first of what follows, heard on its own.)
                second, words, more = self._split_two(tail, after, state, counted=True, depth=depth + 1)
                if more is not None:
                    inner = _queued([{"text": words, "target": second.target, "intent": second.intent}, *_in_turn(more)])
                    tail = dataclasses.replace(second, policy_hits=[h for h in second.policy_hits if h != "first_of_two"])
            lead = re.split(r"[,;.!?]", after)[0]
            if tail.action == "route" and tail.intent.endswith(".status") and self._ids_of(tail.intent) \
                    and not self._names_its_ids(tail.intent, after, ctx) and (read := self._read_by_id(after)) is not None:
                # "..., and a request for AutoCAD, SR-30002. Where are they at?" heard as the first's kind: the one named.
                tail = dataclasses.replace(tail, target=read["target"], intent=read["intent"])
            if tail.action != "route" and moves.asks(lead) and (read := self._read_by_id(lead)) is not None:
                # "..., and can you tell me where S R three zero zero zero five is, the ...": that record, read.
                tail = dataclasses.replace(tail, action="route", target=read["target"], intent=read["intent"],
                                           confidence=max(tail.confidence, threshold))
            # A first request its values settle is clear enough when the second is for the other desk.
            # (A change with no record to change is no reading of a part that asks for a new one: "..., can you raise a
            # job, urgent priority".)
            made = _made_by_kind(before.lower(), _RECORD_KINDS, loosely=False)
            head = self._settled((made and self._unfounded_change(unsure, before, state)) or unsure, before, told=False)
            head = self._act_named_in_full(head, before, before)
            # (Or the whole turn was heard as an act on a record only the first part names: "INC-20005 ... says resolved
            # but it's dead again. Reopen it please. | And I need a password reset while you're at it.")
            # (Not when the second part points back to the record: "... no dial tone. | Reopen it please" is the act;
            # "while you're at it" points at nothing.)
            settled = kept_as or (decision if decision.action == "route" and self._ids_of(decision.intent)
                                  and self._names_its_ids(decision.intent, before, ctx)
                                  and not self._names_its_ids(decision.intent, after, ctx)
                                  and not _points_back(after)
                                  and not _ON_IT.search(after.lower()) else None)  # ("Can you stick that on the job?")
            if settled is not None and head.action == "clarify" and self._id_names(settled.intent) and any(
                    self._id_names(i) == self._id_names(settled.intent) for i in [head.intent, *(a["intent"] for a in head.alternatives[:1])]):
                # The words kept for a request already settled (a note on the record named before, "Put a note on it
                # that ... And is there anything open on H-1420?"): their first part, unsure alone, is that request.
                acts = [i for i in INTENT_TOOLS if self._id_names(i) == self._id_names(settled.intent)
                        and not INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES)]
                head = dataclasses.replace(head, action="route", target=settled.target, confidence=max(head.confidence, threshold),
                                           intent=self._tool_named_in_full(acts, before) or settled.intent)  # ("put a note")
            # ("Two things about WO-10001: what's the status on it, and can you add a note that ...": the record is
            # said once, for both.)
            tail = self._act_named_in_full(tail, after, text)
            needing = [i for i in [tail.intent, *(a["intent"] for a in tail.alternatives[:1])]
                       if self._needs_what_it_makes(head.intent, i, after) and self._names_its_thing(i, after)
                       and self._choices_said(i, after) and not _asks_to_know(after) and not _INDIRECT_QUESTION.search(after.lower())]
            if tail.action == "clarify" and len(needing) == 1:
                # "..., the seal's started weeping. I'd like a visit on Friday afternoon.": a booking or a move, for a
                # record only now being made: a booking.
                tail = dataclasses.replace(tail, action="route", intent=needing[0], target=INTENT_TOOLS[needing[0]][0],
                                           confidence=max(tail.confidence, threshold))
            # A look-up is asked for; a first part that only tells ("The generator for the data room had its test this
            # morning and ...") is the story of what comes next, whatever it names.
            if _made_by_kind(before.lower(), _RECORD_KINDS, loosely=False) and not slots.paraphrase(before, ctx):
                continue  # "I need a job raised please. Booster pump two, A702, the seal's weeping": what it is for follows
            if self._only_told(head.intent, before) or _TAKEN_BACK.search(before):
                continue  # (nor is a first part the caller took back: "the chiller, H1420, is... actually, no, scratch that")
            if any(_INFO_QUESTION.match(_LEAD.sub("", x.strip().lower())) for x in _SENTENCE.split(before)) \
                    and not self._names_a_record(before):
                continue  # "Who decides how urgent a ticket is, anyway?": a question of how things work, no act of its own
            # (A part the caller leads with a switch, "And while I have you, what's the latest on INC-20001?", is
            # another matter, whatever record it names.)
            switched = any(at <= len(_LEAD_IN.match(after).group(0)) for at, _ in self._switch_cues(after))
            if (not switched and self._story_of_named_record(head.intent, before, tail.intent, after)) \
                    or self._new_one_asked_beside_old(head.intent, tail.intent, after) \
                    or self._story_with_its_record(head.intent, before):
                continue
            clear = all(d.action == "route" and d.intent in INTENT_TOOLS and (
                d.confidence >= threshold or d is standing or (d is not unsure and head.target != tail.target)
                # (the caller counted them, and the first's own words settled it: "Three quick ones. Backup generator
                # G-3020 ... I need a work order for that, high priority. While I have you, ...")
                or (d is head and head is not unsure and counted)) for d in (head, tail))
            # ("Two faults for you. Intake pump two, A124, ... medium priority. And the discharge valve, A126, ...": the
            # caller counted them, and the second is the same request for another thing, however unsure of it alone.)
            clear = clear or (counted and head.action == "route" and head.intent in INTENT_TOOLS and head.confidence >= threshold
                              and tail.intent == head.intent and self._different_things(head.intent, before, after, ctx, by_kind=True))
            # ("Two things. The comms room switch has died ... And the compressor next door, C-6820, has an oil weep":
            # counted, the second clearly one desk's and the first unsure but best heard as the other desk's: two.)
            if not clear and counted and head.action == "clarify" and head.intent in INTENT_TOOLS and tail.action == "route" \
                    and tail.intent in INTENT_TOOLS and tail.confidence >= threshold and head.target != tail.target:
                head, clear = dataclasses.replace(head, action="route"), True
            # ("Two faults: there's a small oil weep on ... G-6802, and the cooling fans on T-6810 aren't coming on":
            # counted, the first unsure between the second's request and another, for a thing of its own: the same.)
            if not clear and counted and head.action == "clarify" and tail.action == "route" and tail.intent in INTENT_TOOLS \
                    and tail.confidence >= threshold and tail.intent in [head.intent, *(a["intent"] for a in head.alternatives[:1])] \
                    and self._different_things(tail.intent, before, after, ctx, by_kind=True):
                head = dataclasses.replace(head, action="route", target=tail.target, intent=tail.intent)
                clear = True
            # ("Two faults ... Oh, and did the borescope inspection on turbine 1 ever get done?": counted, a question
            # after a clear request is a look-up of its own, however unsure which.)
            spec = self._spec_of(tail.intent)
            question = not clear and counted and head.action == "route" and head.intent in INTENT_TOOLS \
                and head.confidence >= threshold and tail.action == "clarify" and spec is not None \
                and not slots.is_write(spec.name, spec.annotations) and after.rstrip().endswith("?")
            if question:  # (a record described, not named: found by what it says when its turn comes)
                tail, clear = dataclasses.replace(tail, action="route", confidence=threshold), True
            # ("And where's INC-20003 up to?" asks about a record it names, which is enough of a request;
            # "Tag C4202, at site fourteen" only says which thing.)
            # A clause with no verb that names no record is no request of its own ("Jonas Berg again, asset
            # management" says who calls; "status of WO 10003" names its record).
            # (An id after who calls is theirs: "Jonas Berg, asset management, E one oh seven seven seven".)
            verbless = not _VERB.search(_without_names(before).lower()) \
                and not (self._ids_of(head.intent) and self._names_its_ids(head.intent, _without_trailing_codes(before), ctx)) \
                and not self._names_a_tool(_without_names(before), [head.intent])  # ("reset password for E11003")
            # A second clause led by a pronoun tells more of the first thing ("..., the oil pump. It's running fine
            # again after the reset"), unless it names a record of its own.
            onward = bool(_POINTS_BACK.match(after.lower())) and not (self._ids_of(tail.intent) and entities.codes(after))
            # A record said after the request that needs it ("I need to cancel a technician visit. Work order one
            # zero zero zero two."), with nothing asked of it, is that request's: one request.
            its_record = bool(self._id_names(head.intent) & self._id_names(tail.intent)) \
                and not self._names_its_ids(head.intent, before, ctx) and self._names_its_ids(head.intent, after, ctx) \
                and not _VERB.search(_without_names(after).lower()) and not moves.asks(after)
            # ("Two things on WO-10005. Put a note on it ... And book a fitter for tomorrow": the record said once for
            # both, when the caller counted what they have.)
            # (Or pointed back to: "Cancel tomorrow's visit on WO-10002 ... Put a note on it that ...".)
            shared = (counted or bool(_ON_IT.search(after.lower()))) and bool(self._id_names(tail.intent)) \
                and self._id_names(tail.intent) <= self._id_names(head.intent) and self._names_its_ids(head.intent, before, ctx)
            # ("... can you get a work order in, high priority, and get someone out today": the record the first makes
            # is the one the second needs.)
            shared = shared or self._needs_what_it_makes(head.intent, tail.intent, after)
            if not clear or verbless or onward or its_record or not (self._names_its_ids(tail.intent, after, ctx) or shared or question) \
                    or (len(_content_words(after)) < 2 and not (self._ids_of(tail.intent) and (moves.asks(after) or _STATUS_NOUN.search(after.lower())))) \
                    or (head.intent == tail.intent and not self._different_things(head.intent, before, after, ctx, by_kind=counted)):
                continue
            if not counted and self._told_as_one(head, tail, before, after):
                continue  # ("Hi, two things. ...": the caller said there is more than one; each clear request is one)
            # A choice said in the second part that only the first request takes is the first's ("..., and the flow's
            # dropped, can you get a work order in, high priority, and get someone out today": the job's priority).
            theirs = {x.name for x in self._slots_of(tail.intent)}
            # (A scale only: "read access" in the second part is its own kind of request, no category of the first.)
            mine = [x for x in self._slots_of(head.intent) if x.kind == "enum" and x.name not in theirs and not x.meanings]
            if (moved := slots.values_said(mine, after, ctx)) and not slots.mentioned(mine, before, ctx):
                before = f"{before}, {moved}"
            # (An act asked for on the record the first makes, by what it makes, "I'd like a visit on Friday", is
            # asked for already: it follows without being offered.)
            made_for = self._needs_what_it_makes(head.intent, tail.intent, after) and self._names_its_thing(tail.intent, after)
            if made_for:
                # ("I need a job raised and ideally someone out on Thursday morning": the job asked for is the first.)
                parts = re.split(r",\s*|\s+and\s+", after)
                asked = [n for n, p in enumerate(parts[:-1]) if _made_by_kind(p.lower(), _RECORD_KINDS, loosely=False)]
                if asked:
                    after = after[after.index(parts[asked[-1] + 1], len(", ".join(parts[:asked[-1] + 1]))):]
            kept = self._kept(tail, after, state, counted=counted, **({"accepted": True} if made_for else {})) \
                if inner is None else inner
            # The first part may hold more than one request too, split at a boundary tried later ("Backup generator
            # ..., I need a work order for that. While I have you, when's the technician coming for WO-10002? | And
            # can you bump WO-10006 up to urgent"): its first is done now, the rest kept before the second's.
            first, words, more = self._split_two(head, before, state, counted=counted, depth=depth + 1) \
                if not made_for and depth < MAX_NESTED else (head, before, None)
            if more is not None:
                head, before, kept = first, words, _queued([*_in_turn(more), *_in_turn(kept)])
            return dataclasses.replace(head, policy_hits=[*head.policy_hits, "first_of_two"]), before, kept
        return decision, text, None

    def _story_of_named_record(self, head: str, before: str, tail: str, after: str) -> bool:
        """Is ``before`` a fault only told ("the control room is at thirty-one degrees tonight"), heard as a new
        record of a kind that ``after`` then names one of by its number ("WO-10004 for the aircon: bump it to
        high")? Then it is that record's story, not a second request."""
        ctx = self._context()
        if not _new_beside_other(head, tail) or not self._names_its_ids(tail, after, ctx) \
                or (self._ids_of(head) and self._names_its_ids(head, before, ctx)) \
                or _made_by_kind(before.lower(), _RECORD_KINDS, loosely=True) or NEW_RECORD.search(after.lower()):
            return False
        if _GONE_NOW.search(f"{before} {after}".lower()):
            # "My Outlook that kept asking for the password? Well, it's stopped doing it. INC-20003, you can close it":
            # a fault told as gone is none to report.
            return True
        if _asks_something(before) or self._problem_kinds_differ(head, before, after):
            return False  # (nor a story of another kind of problem: "My desk phone's dead ... Also, my Outlook ticket ...")
        # Of the kind the story would make, or said to have been reported ("Outlook keeps asking for my password. I
        # reported it already, INC-20003, ... I want it escalated"): the record's story, whatever it sounds like.
        kind = head.partition(".")[0]
        return any(n.removesuffix("_id") == kind for n in self._id_names(tail)) \
            or bool(_TOLD_BEFORE.search(after.lower()) or _POINTS_BACK.match(after.lower()))

    def _story_with_its_record(self, head: str, before: str) -> bool:
        """Is ``before``, heard as a new record, a fault told beside the number of a record of that kind that
        exists ("about the generator that failed its weekly test, WO-10006. I want the tech out tomorrow")? The
        record is named so that what follows is done with it: no new one, unless asked for in so many words."""
        kind, ctx = head.partition(".")[0], self._context()
        return head in INTENT_TOOLS and INTENT_TOOLS[head][1].startswith(NEW_RECORD_PREFIXES) \
            and not NEW_RECORD.search(before.lower()) and not _made_by_kind(before.lower(), _RECORD_KINDS, loosely=False) \
            and any(i.partition(".")[0] == kind and self._ids_of(i) and not self._id_names(i) & self._id_names(head)
                    and self._names_its_ids(i, before, ctx) for i in INTENT_TOOLS)

    def _new_one_asked_beside_old(self, head: str, tail: str, after: str) -> bool:
        """Does ``after`` ask for a new record of the kind ``head`` makes ("It was replaced on WO-10007 ... Raise a new
        job, high priority"), heard as a change to the old one it tells of? Then it is the same request."""
        return _new_beside_other(head, tail) and bool(NEW_RECORD.search(after.lower())) \
            and self._tool_named_in_full([tail], after) is None

    def _only_told(self, intent: str, words: str) -> bool:
        """Is ``intent`` a read that ``words`` never ask for (no question, request or need, no status asked)?"""
        spec = self._spec_of(intent)
        return spec is not None and not slots.is_write(spec.name, spec.annotations) \
            and not _asks_something(words) and not _STATUS_NOUN.search(words.lower())

    def _needs_what_it_makes(self, first: str, second: str, words: str) -> bool:
        """Does the ``second`` request make something else for the kind of record the ``first`` makes (a visit for the
        job being raised)? A change or a note to that record is said with it, no request of its own ("..., high
        priority")."""
        ids, kind = self._id_names(second), first.partition(".")[0]
        return first in INTENT_TOOLS and second in INTENT_TOOLS and INTENT_TOOLS[first][1].startswith(NEW_RECORD_PREFIXES) \
            and not slots.changes_record(INTENT_TOOLS[second][1], self._slots_of(second)) \
            and INTENT_TOOLS[first][0] == INTENT_TOOLS[second][0] and bool(ids) \
            and all(n.removesuffix("_id") == kind for n in ids) and kind not in INTENT_TOOLS[second][1] \
            and not self._names_its_ids(second, words, self._context())  # (a record of its own named: that one)

    def _told_as_one(self, head: Any, tail: Any, before: str, after: str) -> bool:
        """Are two clear requests for one desk (see ``_split_two``) one request told in two, by how the second
        stands to the first?"""
        if head.target != tail.target:
            return False
        first, second, ctx = INTENT_TOOLS[head.intent][1], INTENT_TOOLS[tail.intent][1], self._context()
        if first.startswith(NEW_RECORD_PREFIXES) and head.confidence < SWITCH_CONFIDENCE and self._ids_of(tail.intent) \
                and _REQUEST_QUESTION.search(after.lower()):
            # "We've got a permit freeze at North Ridge this week. Can you cancel the technician visit for work
            # order 10002?": an unsure "fault" before an act asked for on a record is why it is asked.
            return True
        if first.startswith(NEW_RECORD_PREFIXES) and second.startswith(slots.READ_PREFIXES) and not moves.asks(after) \
                and _tells_only(after):
            # "The system's down for the whole control room. I think there's a ticket already, INC-20002": a
            # record told of, with nothing asked of it, is the one the trouble is about; one request. ("And status
            # of INC 20003" tells nothing: a request put in two words.)
            return True
        if second.startswith(NEWS_PREFIXES) and first.startswith(NEW_RECORD_PREFIXES):
            # "The booster pump is banging again. Can you stick a note on job 10009?": the fault told is what the note
            # says, one request; unless each names its own thing ("Gas compressor unit 2, C-2102, tripped ... Raise
            # that as high please. And put a note on WO-10003 that ...").
            return not (self._ids_of(head.intent) and self._names_its_ids(head.intent, before, ctx)
                        and self._ids_of(tail.intent) and self._names_its_ids(tail.intent, after, ctx))
        # Without a cue, two clauses for one desk are one request told in two ("my password ran out and I can't get
        # onto anything", "my headset has died, I'd like a replacement"), unless the second names a record of its
        # own ("..., and when is work order 10002 due"), or each part asks for something of its own ("I need admin access
        # to GIS ..., and reset my password while you're at it"; "INC-20005 ... Reopen it please. And I need a password
        # reset": the first acts on the record it names).
        on_record = bool(self._ids_of(head.intent)) and self._names_its_ids(head.intent, before, ctx)
        # ("reset my password"; not a part that points back, "I need it for the site layout drawings": a reason)
        asked = (_asks_something(after) or self._names_a_tool(after, [tail.intent])) \
            and not _points_back(after)
        people = [{str(v) for v in slots.mentioned([x for x in self._slots_of(d.intent) if x.kind == "user"], words, ctx).values()}
                  for d, words in ((head, before), (tail, after))]
        if all(people) and people[0] != people[1]:
            return False  # ("Hannah Weiss, E11050. SAP throws ... Also Tom Reyes on my team, E11003, needs ...": two people)
        return head.intent != tail.intent and not self._ids_of(tail.intent) \
            and not ((on_record or _asks_something(before)) and asked)

    def _settled(self, decision: Any, text: str, *, told: bool = True) -> Any:
        """An unsure decision between a look-up and a write that a choice only the write takes settles
        ("G-2120 is weeping diesel, medium priority": a fault to log, not an asset to look up), as that write.
        ``told``: a turn that only tells settles it as the new record too (not for a part of a turn: "I started in
        the control room last Monday" tells no fault of its own)."""
        if decision.action != "clarify" or not decision.alternatives:
            return decision
        top = {"target": decision.target, "intent": decision.intent}
        other = {"target": decision.alternatives[0]["target"], "intent": decision.alternatives[0]["intent"]}
        makes = [o for o in (top, other) if (spec := self._spec_of(o["intent"])) is not None
                 and spec.name.startswith(NEW_RECORD_PREFIXES)]
        if _made_by_kind(text.lower(), _RECORD_KINDS, loosely=False) and len(makes) == 1:
            # "I need to raise a job for the rooftop unit, tag H4201": a new record asked for in so many words.
            return dataclasses.replace(decision, action="route", target=makes[0]["target"], intent=makes[0]["intent"])
        reads = [o for o in (top, other) if (spec := self._spec_of(o["intent"])) is not None and spec.name.startswith("get_")]
        if told and len(makes) == 1 and len(reads) == 1 and makes[0]["target"] == reads[0]["target"] and _tells_only(text) \
                and not self._names_a_record(text):
            # "The chiller at the operations centre has packed in and the offices are roasting": between a new
            # record and how one stands, a turn that asks nothing and names no record can only be the new one.
            return dataclasses.replace(decision, action="route", target=makes[0]["target"], intent=makes[0]["intent"])
        named = self._write_by_its_values(top["intent"], [other], text) or self._write_by_its_values(other["intent"], [top], text) \
            or _kind_the_articles_say(decision.passages[:1], makes if len(makes) == 2 else [])
        return decision if named is None else dataclasses.replace(decision, action="route", target=named["target"],
                                                                 intent=named["intent"])

    def _record_misheard(self, decision: Any, text: str, state: CallState) -> Any | None:
        """"It's about job one zero zero one at Riverside. Vibration's up to twelve ...": a kind of record named
        with a number not in its shape. The turn is about a record of that kind, heard as a new one or unsure:
        its status, whose question says what was heard and the shape wanted; news told is offered after."""
        spec = self._spec_of(decision.intent)
        if state.task or decision.action not in ("route", "clarify") or self._names_a_record(text) or (
                decision.action == "route" and (spec is None or not spec.name.startswith(NEW_RECORD_PREFIXES))):
            return None
        toks = entities.tokens(text.lower())
        runs = {r.start: r for r in entities.number_runs(text)}
        for intent, slot in self._ticket_readers():
            server = INTENT_TOOLS[intent][0]
            pattern = slot.schema.get("pattern")
            prefix = entities.pattern_prefixes(pattern)[0]
            for name in (n.split() for n in entities.KIND_NAMES.get(prefix.upper(), ())):
                for i in (i for i in range(len(toks)) if toks[i:i + len(name)] == name):
                    at = i + len(name) + (toks[i + len(name):i + len(name) + 1] in (["number"], ["no"]))
                    # (A number of a digit or two after the kind is none of its: "can I request one?", "log one".)
                    if at in runs and len(runs[at].digits) >= NEAR_NUMBER_DIGITS \
                            and entities.match_code(f"{prefix}{runs[at].digits}", pattern) is None:
                        news = self._news_for(intent)
                        if news is not None and _tells_only(text):
                            self._offer_news(news, text, state)
                        return dataclasses.replace(decision, action="route", target=server, intent=intent)
        return None

    def _only_choices(self, said: str) -> bool:
        """Does ``said`` only give a choice on a scale (a priority) for what was told before it ("Neither is urgent,
        call them both medium")? Then it is no request of its own."""
        scales = [s for i in INTENT_TOOLS for s in self._slots_of(i) if s.kind == "enum" and not s.meanings]
        if not slots.mentioned(scales, said, self._context()):
            return False
        labels = {w for s in scales for w in re.findall(r"[a-z]+", s.label.lower())}
        rest = [w for w in entities.tokens(said.lower()) if w not in slots.option_words(scales) | labels]
        return not _content_words(" ".join(rest)) - _CHOOSING

    def _only_where(self, said: str) -> bool:
        """Does ``said`` only greet and say where the caller is ("hi, I'm out at the Riverside pumping station")?"""
        words = slots.without_values(said, self.agent.site_names)
        if len(words) == len(entities.tokens(said)):
            return False  # no place named
        # "I'm at Riverside pumping station, site twelve, in the control room": said of the caller, nothing of a thing.
        where = _WHERE_I_AM.match(said.strip().lower())
        return not _content_words(" ".join(words)) - _WHEREABOUTS or (
            where is not None and not set(entities.tokens(where.group(1))) & _STATE_WORDS)

    def _only_where_after_who(self, said: str) -> bool:
        """Does ``said`` only say who calls and where they are ("Good morning, this is Priya at Riverside Pumping
        Station, site 12")?"""
        who = _WHO_AT.match(said.strip().lower())
        if who is not None and self._only_where(f"i'm at {who.group(1)}"):
            return True
        # "Morning, Olivia Grant, I manage Riverside, site 12": a name, a role and a place, nothing of a thing.
        named = _without_names(said)
        rest = slots.without_values(named, self.agent.site_names)
        place_words = {w for name in self.agent.site_names for w in entities.tokens(name)}
        return named != _GREETING.sub(" ", said) and len(rest) < len(entities.tokens(named)) \
            and not _content_words(" ".join(rest)) - _WHEREABOUTS - _ROLE_WORDS - place_words

    def _heard_without_places(self, said: str, *, always: bool = False) -> list[Any]:
        """The router's readings of ``said`` without its places and codes; [] when it names none (the router heard
        it all already), unless ``always``."""
        words = " ".join(slots.without_values(said, self.agent.site_names))
        if not always and words == " ".join(entities.tokens(said)):
            return []
        return self.coordinator.router.classify(words)

    def _off_topic_but_for_places(self, decision: Any, text: str) -> Any | None:
        """"What's the weather like up at North Ridge today?": the site's name pulls the router towards the field
        desk, unsure between its requests. Heard without the places and codes, off-topic: off-topic it is. So is
        a turn whose one question is off-topic on its own, with only why it is asked around it ("do you know what
        the weather's doing tomorrow? We've got an outdoor job on.")."""
        sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()]
        questions = [x for x in sentences if x.rstrip().endswith("?")]
        asked = questions[0] if len(questions) == 1 and len(sentences) > 1 \
            and not any(_asks_something(x) for x in sentences if x not in questions) else None
        for said in [text, *([asked] if asked else [])]:
            heard = self._heard_without_places(said, always=said is not text)
            if heard and heard[0].intent == "smalltalk.offtopic":
                return dataclasses.replace(decision, target=heard[0].target, intent="smalltalk.offtopic",
                                           confidence=heard[0].confidence)
        return None

    def _fault_told_of_a_thing(self, decision: Any, text: str, state: CallState) -> Any | None:
        """A look-up of a thing heard in a turn that asks nothing and tells how the thing is ("Booster pump two,
        A seven oh two. The discharge pressure's way too high, it's reading nine bar"): a fault to log, by the
        tool of its server that makes a record for that thing. Not right after something was read or done (the
        turn goes on about that), nor a turn that says what the caller lacks. None otherwise."""
        spec = self._spec_of(decision.intent)
        ids = self._id_names(decision.intent)
        # (A "please" alone asks nothing: "hello please i am calling for the pump A552 ... it make noise".)
        if spec is None or slots.is_write(spec.name, spec.annotations) or not ids or _TELL_ME.search(text.lower()) \
                or state.task or _last_done(state) or moves.admission(text)[0] \
                or not _tells_only(re.sub(r"\bplease\b", " ", text)) \
                or not slots.mentioned(self._ids_of(decision.intent), text, self._context()):
            return None
        makes = [i for i, (srv, tool) in INTENT_TOOLS.items() if srv == spec.server and tool.startswith(NEW_RECORD_PREFIXES)
                 and ids <= {s.name for s in self._slots_of(i)}]
        return dataclasses.replace(decision, action="route", intent=makes[0]) if len(makes) == 1 else None

    def _asked_of_read_record(self, decision: Any, text: str) -> Any | None:
        """A record heard as to be read, in a turn that asks for something done with it ("WO 10005, the new
        actuator arrived this morning. Can you put a note on the job so the fitter knows?"): the story around the
        number sounds like a status check, the request does not. What the turn asks for of that record, ranked
        as for any named record (``_wanted_with_record``); None when that is the reading, or nothing is asked."""
        ctx = self._context()
        if decision.action != "route" or not decision.intent.endswith(".status") \
                or not any(_REQUEST_QUESTION.search(x.lower()) for x in _SENTENCE.split(text)) \
                or not self._names_its_ids(decision.intent, text, ctx):
            return None
        same = [i for i in INTENT_TOOLS if self._ids_of(i) and self._id_names(i) == self._id_names(decision.intent)
                and not INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES)]
        wanted = self._wanted_with_record(same, decision.intent, text, ctx)
        return None if wanted == decision.intent else dataclasses.replace(decision, intent=wanted)

    def _told_what_it_holds(self, decision: Any, text: str) -> Any | None:
        """"Could you read me the latest note on work order 10005?": asked to be told what a record holds (read
        me, tell me, what does it say), heard as adding to it. The record is read; its latest note is in what
        is read out. None when the turn gives something to add ("add a note saying ...") or is no such turn."""
        spec = self._spec_of(decision.intent)
        low = text.lower()
        if spec is None or not spec.name.startswith(NEWS_PREFIXES) or not _TELL_ME.search(low) \
                or re.search(r"\b(?:add|put|stick|pop|saying|says that|log)\b", low):
            return None
        reader = self._reader_of(spec.server, self._id_names(decision.intent))
        return dataclasses.replace(decision, action="route", intent=reader) if reader else None

    def _offer_news(self, news: str, text: str, state: CallState) -> None:
        """"About my VPN ticket, 20001. I tried it this morning; it dropped again after an hour": how the record
        stands is read, and what they told is offered next as a note or comment on it (``news``), once."""
        if not state.dialogue.get("later"):
            kind = INTENT_TOOLS[news][1].rsplit("_", 1)[-1]  # add_incident_comment: a comment
            state.dialogue["later"] = {"text": text, "target": INTENT_TOOLS[news][0], "intent": news, "once": True,
                                       "offer": f"Shall I add what you told me to it as a {kind}?",
                                       "short": f"Shall I add that as a {kind}?"}

    def _news_for(self, status: str) -> str | None:
        """The intent that adds words to the record ``status`` reads (its server's "add_" tool on the same ids)."""
        return next((i for i, (srv, tool) in INTENT_TOOLS.items() if srv == INTENT_TOOLS[status][0]
                     and tool.startswith(NEWS_PREFIXES) and self._id_names(i) == self._id_names(status)), None)

    def _news_with_read(self, decision: Any, settled: str, text: str, state: CallState) -> None:
        """Unsure what to do, of a record its number settles as to be read, in a turn that only tells ("On the SCADA
        historian incident, two zero zero zero two, the trends have stopped for Stonebridge as well"): what was told
        is offered next as news for it (``_offer_news``)."""
        if decision.action != "clarify" or not settled.endswith(".status") or not _tells_only(text):
            return
        news = self._news_for(settled)
        # (Only when there is news: "and the other one is ten oh oh five, the backwash valve" names the record.)
        told = [c for c in slots.remark(text, INTENT_TOOLS[news][1], self._context()).split(", ")
                if not any(len(run.digits) >= 3 for run in entities.number_runs(c))] if news is not None else []
        if news is not None and slots.tells_something(", ".join(told)):
            self._offer_news(news, text, state)

    def _news_or_status(self, decision: Any, text: str, state: CallState) -> Any:
        """Unsure between reading a record the turn names and adding to it, in a turn that only tells something:
        read, with the news offered after (``_offer_news``). ``decision`` otherwise."""
        options = [decision.intent, *(a["intent"] for a in decision.alternatives)][:2]
        status = next((i for i in options if i.endswith(".status")), None)
        news = next((i for i in options if INTENT_TOOLS.get(i, ("", ""))[1].startswith(NEWS_PREFIXES)), None)
        # A record told as it stands, and more ("my desk phone ticket was marked resolved, but it has no dial tone
        # again"): the more is news for it, whatever else was heard, and its number is asked for.
        stands = status is not None and slots.as_wanted(text) != text
        # ... and so is a fault told of a record named ("no dial tone again. I had a ticket for it before, INC-20005"),
        # unsure between reading it and a new one of its kind: read, a closed one's new one offered with the story.
        made = status is not None and any(INTENT_TOOLS.get(i, ("", ""))[0] == INTENT_TOOLS[status][0]
                                          and INTENT_TOOLS[i][1].startswith(NEW_RECORD_PREFIXES) for i in options)
        if (stands or made) and news is None:
            news = self._news_for(status)
        if status is None or news is None or self._id_names(status) != self._id_names(news) \
                or not (stands or self._names_its_ids(status, text, self._context())) or not _tells_only(text):
            return decision
        self._offer_news(news, text, state)
        return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[status][0], intent=status)

    def _record_without_number(self, decision: Any, unknown: str, text: str = "") -> Any | None:
        """A caller without a record's number ("I never wrote the job number down", "I don't have the reference")
        is asking about a record already made: its status, found by what they say about it. The kind is the one
        named ("job": work orders), or for a reference of no kind the one the router heard. None otherwise."""
        spec = self._spec_of(decision.intent)
        if decision.action == "route" and spec is not None and self._ids_of(decision.intent) \
                and not spec.name.startswith(NEW_RECORD_PREFIXES):
            return None  # "the visit needs cancelling, I haven't got the job number": that, found another way
        said = unknown.lower()
        kinds = {p for p, names in entities.KIND_NAMES.items() if any(re.search(rf"\b{n}\b", said) for n in names)}
        if not kinds and not re.search(r"\b(?:reference|ref)\b", said):
            return None
        for intent, slot in self._ticket_readers():
            prefixes = set(entities.pattern_prefixes(slot.schema.get("pattern")))
            if (prefixes & kinds) if kinds else intent.split(".")[0] == decision.intent.split(".")[0]:
                # Asked to do something to it by the tool's own word ("can you add to the job that ..."): that, on the
                # record found; else its status.
                acts = [i for i in INTENT_TOOLS if (w := self._spec_of(i)) is not None and slots.is_write(w.name, w.annotations)
                        and not w.name.startswith(NEW_RECORD_PREFIXES) and self._id_names(i) == self._id_names(intent)]
                named = [i for i in acts if self._names_a_tool(text, [i])]
                wanted = named[0] if len(named) == 1 else intent
                return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[wanted][0], intent=wanted)
        return None

    async def _made_or_changed(self, decision: Any, text: str) -> Any:
        """Unsure between making a thing for a record the caller names and changing the one it has ("can we
        shift the technician visit on work order 10002 to Friday?": book one, or move it?): the record, read,
        tells. When it lists one of that thing still current, the turn changes it; when it lists none, it makes
        one. ``decision`` as it was when it is no such pair or the record cannot be read. (Heard clearly, the
        request stands: a move with nothing booked is told so by the server, and a booking replaces one.)"""
        if decision.action != "clarify" or decision.intent not in INTENT_TOOLS:
            return decision
        others = [a["intent"] for a in decision.alternatives if a["intent"] != decision.intent][:1]
        pair = [decision.intent, *(i for i in others if self._make_and_change(decision.intent, i))]
        if len(pair) != 2:
            return decision
        specs = [self._spec_of(i) for i in pair]
        changing = [slots.changes_record(spec.name, slots.slots_of(spec.input_schema)) for spec in specs]
        things = {spec.name.split("_", 1)[-1] for spec in specs}  # schedule_visit, reschedule_visit: visits
        ids = self._ids_of(pair[0])
        values = slots.mentioned(ids, text, self._context())
        reader = self._reader_of(INTENT_TOOLS[pair[0]][0], set(values))
        if reader is None or set(values) != {s.name for s in ids}:
            return decision
        try:
            record = await self.tools.call(*INTENT_TOOLS[reader], values)
        except ToolError:
            return decision  # no such record: the question stands
        held = record.get(f"{things.pop()}s") if isinstance(record, dict) else None
        if not isinstance(held, list):
            return decision
        current = any(isinstance(item, dict) and not is_closed(item) for item in held)
        chosen = pair[changing.index(current)]
        return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[chosen][0], intent=chosen)

    def _make_and_change(self, one: str, other: str) -> bool:
        """Do ``one`` and ``other`` make and change the same thing of the same record, given the same values
        (schedule_visit and reschedule_visit: a work order, a date, a window)? Not cancel_visit: it takes less."""
        a, b = self._spec_of(one), self._spec_of(other)
        if a is None or b is None or INTENT_TOOLS[one][0] != INTENT_TOOLS[other][0] or not self._id_names(one) \
                or a.name.split("_", 1)[-1] != b.name.split("_", 1)[-1]:
            return False
        required = [{s.name for s in slots.slots_of(x.input_schema) if s.required} for x in (a, b)]
        changing = {slots.changes_record(x.name, slots.slots_of(x.input_schema)) for x in (a, b)}
        return required[0] == required[1] and changing == {True, False}

    def _changes_held(self, text: str, state: CallState) -> bool:
        """Does the turn give a value the task in progress holds another of ("scrap that, Thursday was right")?"""
        task = state.task or {}
        spec = self.tools.tool(task.get("server", ""), task.get("tool", "")) if isinstance(task.get("args"), dict) else None
        return spec is not None and slots.changes_held(task, spec.input_schema, text, self._context())

    def _spec_of(self, intent: str) -> Any:
        """The tool that serves ``intent`` (a ``ToolSpec``), or None when none does or its server has none."""
        server, tool = INTENT_TOOLS.get(intent, ("", ""))
        return self.tools.tool(server, tool) if tool else None

    def _context(self) -> slots.Context:
        return slots.Context(now=datetime.now(), site_names=self.agent.site_names)

    def _slots_of(self, intent: str) -> list[slots.Slot]:
        spec = self._spec_of(intent)
        return slots.slots_of(spec.input_schema) if spec is not None else []

    def _ids_of(self, intent: str) -> list[slots.Slot]:
        """The ids (codes) the tool for ``intent`` needs: a work order's number, an asset's tag."""
        spec = self._spec_of(intent)
        return [s for s in slots.slots_of(spec.input_schema) if s.required and s.kind == "code"] if spec else []

    def _act_named_in_full(self, decision: Any, words: str, record_words: str) -> Any:
        """"Can you add a note to WO-10001 saying the standby pump ... has started making the same noise": a record
        that exists (named in ``record_words``) with a tool on it named in full in ``words`` is that act, not a new
        record for the noise told; so is an unsure reading of it, whichever desk the story drew it to."""
        if decision.intent not in INTENT_TOOLS or not (INTENT_TOOLS[decision.intent][1].startswith(NEW_RECORD_PREFIXES)
                                                       or decision.action == "clarify"):
            return decision
        ctx = self._context()
        acts = [i for i, (srv, _) in INTENT_TOOLS.items() if (srv == decision.target or decision.action == "clarify")
                and self._ids_of(i) and self._names_its_ids(i, record_words, ctx)]
        named = self._tool_named_in_full(acts, words)
        return dataclasses.replace(decision, action="route", target=INTENT_TOOLS[named][0], intent=named, confidence=max(
            decision.confidence, self.coordinator.policy.low_confidence_threshold)) if named else decision

    def _kind_carried(self, before: str, after: str) -> str:
        """``after`` with the kind of record ``before`` names by its kind given to the one bare record number it
        says: a caller says the kind once ("Put a note on work order 10001 ... And what's happening with 10003?"
        asks about WO-10003). ``after`` as it is when it names a record itself, or ``before`` no one kind."""
        said = _bare_record_numbers(after)
        if len(said) != 1 or self._names_a_record(after) or not re.search(rf"\b{said[0]}\b", after):
            return after  # (numbers said in words are left alone: the number is put in where its digits stand)
        kinds = set()
        for _, slot in self._ticket_readers():
            pattern = slot.schema.get("pattern")
            prefix = entities.pattern_prefixes(pattern)[0]
            if entities.match_code(f"{prefix}{said[0]}", pattern) \
                    and any(entities.match_code(code, pattern) for code in entities.codes(before, [prefix])):
                kinds.add(prefix)
        return re.sub(rf"\b{said[0]}\b", f"{kinds.pop()}-{said[0]}", after, count=1) if len(kinds) == 1 else after

    def _ticket_readers(self) -> Iterator[tuple[str, slots.Slot]]:
        """Each kind of ticket's reader (work_order.status, incident.status, ...) with the one id it is read by
        (a number with letters of its own: WO-10003), in INTENT_TOOLS' order."""
        for intent, (_, tool) in INTENT_TOOLS.items():
            ids = self._ids_of(intent)
            if tool.startswith("get_") and len(ids) == 1 and _ticket_number(ids[0]):
                yield intent, ids[0]

    def _reader_of(self, server: str, ids: set[str]) -> str | None:
        """The intent that reads a record of ``server`` by exactly the ids ``ids``, or None."""
        return next((i for i, (srv, tool) in INTENT_TOOLS.items() if srv == server and tool.startswith("get_")
                     and self._id_names(i) == ids), None)

    def _id_names(self, intent: str) -> set[str]:
        """The names of the ids ``intent`` needs: two intents with the same act on the same kind of record."""
        return {s.name for s in self._ids_of(intent)}

    def _names_its_ids(self, intent: str, text: str, ctx: slots.Context) -> bool:
        """Does ``text`` name every id the tool for ``intent`` needs? A clause about a record it does not
        name ("what's happening with it?", "make it urgent", "I'm on site tomorrow") is about the first
        request, not a second one."""
        needed = self._ids_of(intent)
        return {s.name for s in needed} <= set(slots.mentioned(needed, text, ctx))

    def _different_things(self, intent: str, one: str, other: str, ctx: slots.Context, *, by_kind: bool = False) -> bool:
        """Do two requests for the same tool name different ids ("A702 is leaking, and T-0730 hums")? ``by_kind``: or,
        naming none, different kinds of problem (the caller counted them: a second sentence about the same trouble
        is otherwise more of it, "the wireless keeps dropping out ... Everyone's laptops lose it")."""
        spec = self._spec_of(intent)
        # (Its things by their codes, and the people it is for: "Ben Carter, E11402: ... And Aiko Tanaka, E10620: ...")
        codes = [s for s in slots.slots_of(spec.input_schema) if s.kind in ("code", "user")] if spec else []
        first, second = slots.mentioned(codes, one, ctx), slots.mentioned(codes, other, ctx)
        if any(k in second and second[k] != v for k, v in first.items()):
            return True
        # (Things without codes, by what kind of problem each is: "my desk phone's had no dial tone, and Excel crashes
        # every time I open the budget workbook": telephony, software.)
        things = {x.name for x in codes if x.kind == "code"}
        return by_kind and not (set(first) | set(second)) & things and self._problem_kinds_differ(intent, one, other)

    def _problem_kinds_differ(self, intent: str, one: str, other: str) -> bool:
        """Are ``one`` and ``other`` about different kinds of problem, by the choice of ``intent``'s tool whose options
        the server says what they cover (an incident's category: "my desk phone" telephony, "my Outlook ticket" email)?"""
        kinds, near = [s for s in self._slots_of(intent) if s.kind == "enum" and s.meanings], self.agent.context()
        # (Each guessed from its words: a choice named in one part only, "write access to Power BI. Sorry, not write,
        # read only. I just need to view the dashboards", is said once for both.)
        return any(None is not slots.nearest_option(s, one, near) != slots.nearest_option(s, other, near) is not None
                   for s in kinds if not slots.mentioned([s], one, near) and not slots.mentioned([s], other, near))

    def _later_reached(self, state: CallState) -> bool:
        """Did the request just done already make the record what the kept one asks ("unless"), a priority at
        least as high as asked? Then the kept one is dropped."""
        later, last = state.dialogue.get("later") or {}, state.tool_attempts[-1] if state.tool_attempts else {}
        result, spec = last.get("result"), self._spec_of(later.get("intent", ""))
        if not later.get("unless") or not last.get("ok") or not isinstance(result, dict) or spec is None:
            return False
        choices = {s.name: [o for o in s.schema.get("enum") or []] for s in slots.slots_of(spec.input_schema)}

        def reached(name: str, wanted: Any) -> bool:
            order, now = choices.get(name, []), result.get(name)
            return now == wanted or (now in order and wanted in order and order.index(now) >= order.index(wanted))
        if all(reached(k, v) for k, v in later["unless"].items()):
            state.dialogue.pop("later")
            return True
        return False

    async def _asked_and_left(self, state: CallState) -> AsyncIterator[Action]:
        """On the way out after a read-back ("No, that's everything"): the records the caller named in a turn of
        several and asked to hear about are read still ("... And what's the latest on INC-20001?"), and a change they
        were told would come straight after is read back (the call then goes on: ``state.task`` is set); the other
        requests kept are dropped, the caller having said that was all."""
        kept = [x for x in [state.dialogue.pop("later", None), *state.dialogue.pop("queued", [])] if x]
        for item in [y for x in kept for y in _in_turn(x)]:
            if self._reads_named(item) or item.get("promised"):
                state.dialogue["later"] = item
                async for action in self._apply(moves.Move("accept"), state, "later"):
                    if not (isinstance(action, Say) and action.text == ANYTHING_ELSE):
                        yield action
                if state.task is not None:
                    return

    def _reads_named(self, later: dict[str, Any]) -> bool:
        """Does the request kept for later only read a record its words name ("... and what's happening with
        WO-10003?"), so it may start without being offered first?"""
        spec = self._spec_of(later["intent"]) if later.get("intent") else None
        return spec is not None and not slots.is_write(spec.name, spec.annotations) and bool(self._ids_of(later["intent"])) \
            and self._names_its_ids(later["intent"], later["text"], self._context())

    def _offer_later(self, state: CallState) -> str:
        later = state.dialogue["later"]
        state.dialogue["offer"] = "later"
        read = state.tool_attempts[-1] if state.tool_attempts else {}
        made = f"{later['intent'].partition('.')[0]}.create"
        new = INTENT_TOOLS.get(made)
        if later.get("once") and new and read.get("ok") and isinstance(read.get("result"), dict) \
                and is_closed(read["result"]) and INTENT_TOOLS[later["intent"]][1].startswith(NEWS_PREFIXES):
            # The record just read is completed: nothing is added to it, so what the caller told (the noise is
            # back) is offered as a new one of its kind, where and what carried from the closed one.
            spec = self._spec_of(made)
            for name in spec.input_schema.get("properties", {}) if spec else ():
                if name in read["result"] and name not in state.entities:
                    state.entities[name] = read["result"][name]  # the asset and site the closed one was for
            for name, value in (callers_own(spec, read["result"], later["text"]) if spec else {}).items():
                state.entities.setdefault(name, value)  # and the caller, when they are the person on it
            later = state.dialogue["later"] = {**later, "target": new[0], "intent": made,
                                               "instead": True,  # what it is, settled; its read-back still to come
                                               "offer": f"Shall I {slots.describe_tool(new[1])} for it instead?",
                                               "short": f"Shall I {slots.describe_tool(new[1])} instead?"}
        # Named as the router names it ("reporting an IT problem", "checking on a work order").
        return later.get("offer") or f"You also mentioned {self.coordinator.policy.name_of(later['intent'])}. Shall we do that now?"

    def _a_thing_needed(self, decision: Any, text: str) -> Any | None:
        """The desk's new request among the readings, when the turn says it needs a thing ("I need a ...") or asks for
        a new record ("log a fault for it") and the router heard an act on a record the turn does not name. None
        otherwise."""
        spec = self._spec_of(decision.intent) if decision.action in ("route", "clarify") else None
        if spec is None or spec.name.startswith(NEW_RECORD_PREFIXES) or not self._ids_of(decision.intent) \
                or not slots.is_write(spec.name, spec.annotations) or self._names_its_ids(decision.intent, text, self._context()) \
                or not (any(_A_THING_NEEDED.match(x.strip().lower()) for x in _SENTENCE.split(text))
                        or _made_by_kind(text.lower(), _RECORD_KINDS, loosely=False)):
            return None  # ("... can you log a fault for it?": a new record asked for in so many words, too)
        if any(_A_THING_NEEDED.match(x.strip().lower()) and self._names_its_thing(decision.intent, x) for x in _SENTENCE.split(text)):
            return None  # "I need a technician at Riverside ...": the thing needed is what the act heard makes (a visit)
        named = self._kind_asked_for(decision, text)
        if named is not None:
            return named  # "I need a ticket opened": the kind the words name
        # The desk of the act heard makes the new one ("comment" heard, so an incident); when none of its readings is
        # a new request, the likeliest new request heard without the turn's places and codes.
        def makes(readings: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
            return next((a for a in readings if a["intent"] in INTENT_TOOLS
                         and INTENT_TOOLS[a["intent"]][1].startswith(NEW_RECORD_PREFIXES)), None)

        new = makes(a for a in decision.alternatives if a["target"] == decision.target)
        if new is None:  # (the router is asked again only then)
            new = makes({"target": x.target, "intent": x.intent, "confidence": x.confidence}
                        for x in self._heard_without_places(text, always=True)
                        if x.target == decision.target or decision.action == "clarify")
        return None if new is None else dataclasses.replace(decision, action="route", target=new["target"], intent=new["intent"],
                                                             confidence=max(decision.confidence, new["confidence"]))

    def _only_who(self, text: str) -> bool:
        """Does ``text`` only say who calls: an employee number or e-mail address, with their name and the words
        that introduce them ("Liam Murphy, E11234", "it's Tom, my employee number is E one one oh oh three")?"""
        if not (entities.email(text) or re.search(r"\b[Ee]\d{5}\b", " ".join(entities.codes(text)))):
            return False
        rest = re.sub(r"\S+@\S+", " ", _without_names(text))
        capitalised = {w.lower() for w in re.findall(r"[A-Za-z']+", rest) if w[:1].isupper()}  # a name names_in missed
        return all(w in capitalised or w in _WHO_WORDS
                   for w in re.findall(r"[a-z']{4,}", " ".join(slots.without_values(rest, self.agent.site_names))))

    def _settles(self, text: str, state: CallState) -> bool:
        """Would ``text`` choose an option of the either/or question open (``_clarified``, the question kept)?"""
        pending = state.dialogue.get("clarify")
        try:
            return self._clarified(text, state) is not None
        finally:
            state.dialogue["clarify"] = pending

    def _clarified(self, text: str, state: CallState, decision: Any = None) -> dict[str, Any] | None:
        """The option the caller chose after "is it about X, or Y?": a plain yes is the first, a
        turn that names one option's words more than the other's is that one, and so is one the router
        puts clearly in one of them ("same day, but the afternoon" after "moving or booking a visit?")."""
        clarify = state.dialogue.pop("clarify", None)
        if not clarify:
            return None
        reply = entities.yes_no(text)
        told = reply.rest  # with what it takes back: "site thirteen, no, not thirteen, thirty" is site 30
        if moves.negates(reply.rest):
            # "It's not C2101, it's C2102": the value taken back leaves the request it was said in.
            body, negated = moves.split_negated(reply.rest)
            clarify = {**clarify, "text": _without_clauses_naming(clarify["text"], negated)}
            reply = entities.Answer(reply.yes, body)
        options = clarify["options"]
        said = {w for w in entities.tokens(reply.rest) if len(w) > 2}
        overlaps = [len(said & {w for w in entities.tokens(self.coordinator.policy.name_of(o["intent"]))
                                if len(w) > 2}) for o in options]
        if max(overlaps, default=0) > 0 and overlaps.count(max(overlaps)) == 1:
            # The answer may carry details too ("the fault, at site twelve"): both turns make the request.
            return {**options[overlaps.index(max(overlaps))], "text": f"{clarify['text']}. {told}"}
        # Words given to be passed on ("Tell them I tested it from site twelve ...") are news for the record.
        news = [o for o in options if INTENT_TOOLS.get(o["intent"], ("", ""))[1].startswith(NEWS_PREFIXES)]
        if len(news) == 1 and slots.DICTATED.match((reply.rest or text).strip()):
            return {**news[0], "text": f"{clarify['text']}. {told or text}"}
        # An answer with a value only one option's tool takes ("morning" for a visit's time window) is that one.
        ctx = self._context()
        filled = [o for o in options if self._takes(o["intent"], reply.rest or text, ctx)]
        if len(filled) > 1:
            # "E one zero five three three" fits an asset tag's "a letter and digits" too: the option whose id
            # has the letters said (an employee number's E) is the one it answers.
            lettered = [o for o in filled if self._takes_by_letters(o["intent"], reply.rest or text, ctx)]
            filled = lettered if len(lettered) == 1 else filled
        if len(filled) == 1:
            return {**filled[0], "text": f"{clarify['text']}. {told or text}"}
        if not filled:
            # A bare number in exactly the shape of one option's id ("one oh oh oh six" for a work order, not a tag).
            filled = [o for o in options if (spec := self._spec_of(o["intent"])) is not None and any(
                s.required and s.kind == "code" and (v := slots.parse(s, reply.rest or text, ctx, asked=True)) is not None
                and slots.validate(s, v) is None for s in slots.slots_of(spec.input_schema))]
            if len(filled) == 1:
                return {**filled[0], "text": f"{clarify['text']}. {told or text}"}
        if len(filled) > 1:
            # An answer both take ("friday" for booking or moving a visit): the request's own words decide
            # ("I need to move the visit ...": moving), by word stems, as the names are said differently.
            stems = [len(_stems(clarify["text"]) & _stems(self.coordinator.policy.name_of(o["intent"]))) for o in filled]
            if max(stems) > 0 and stems.count(max(stems)) == 1:
                return {**filled[stems.index(max(stems))], "text": f"{clarify['text']}. {told or text}"}
        heard = [o for o in options if decision is not None and decision.action == "route" and o["intent"] == decision.intent]
        if heard:
            return {**heard[0], "text": f"{clarify['text']}. {told or text}"}
        if reply.yes is True and len(reply.rest.split()) <= 3:
            return {**options[0], "text": clarify["text"]}
        # Neither named, the story tells of something that stopped working ("we swipe our badges and nothing comes
        # up" between an IT problem and a request), and the answer tells more of it ("it's the whole floor"), not only
        # who calls (asked again, below): the one option that reports a problem.
        reports = [o for o in options if "report" in self.coordinator.policy.name_of(o["intent"]).lower()]
        if len(reports) == 1 and _BROKEN_TOLD.search(f"{clarify['text']} {told or text}".lower()) \
                and not re.search(r"\b(?:i|we) (?:just |really |only |still )?(?:need|want|would like|'?d like)\b",
                                  f"{clarify['text']} {told or text}".lower()) \
                and not _REQUEST_QUESTION.search(f"{clarify['text']} {told or text}".lower()) and not self._only_who(text) \
                and len(_content_words(told or text)) >= 3:
            return {**reports[0], "text": f"{clarify['text']}. {told or text}"}
        # Neither, but a request of its own, clear alone ("it's not really a fault. Can I request a replacement battery
        # instead?"): that one, with what the first turn told (who calls, which thing).
        asks = [x for x in _sentences(told or text) if _REQUEST_QUESTION.search(x.lower()) or _NEED.match(x.lower())]
        alone = self.coordinator.decide(asks[-1], state) if asks else None
        if alone is not None and alone.action == "route" and alone.intent in INTENT_TOOLS \
                and alone.confidence >= REQUEST_SENTENCE_CONFIDENCE:
            return {"target": alone.target, "intent": alone.intent, "text": f"{clarify['text']}. {told or text}"}
        return None

    def _takes(self, intent: str, text: str, ctx: slots.Context) -> bool:
        """Does ``text`` hold a value for a field of the tool that serves ``intent``?"""
        spec = self._spec_of(intent)
        return bool(spec and slots.mentioned(slots.slots_of(spec.input_schema), text, ctx))

    def _record_number_for(self, intent: str, text: str) -> bool:
        """Does ``text`` say a number in the whole shape of the record ``intent`` reads ("and the other one, one zero
        zero zero six" to "You also mentioned checking on a work order. Shall we do that now?")?"""
        ids, ctx = self._ids_of(intent), self._context()
        long_enough = any(len(r.digits) >= entities.RECORD_DIGITS for r in entities.number_runs(text))
        return long_enough and len(ids) == 1 and slots.parse(ids[0], text, ctx, asked=True) is not None

    def _takes_by_letters(self, intent: str, text: str, ctx: slots.Context) -> bool:
        """Does ``text`` hold a code for the tool that serves ``intent`` in a shape with letters of its own
        ("E10533", "INC-20001"), not only "a letter and digits"?"""
        spec = self._spec_of(intent)
        return bool(spec) and any(
            s.kind in ("code", "user") and entities.pattern_prefixes(s.schema.get("pattern"))
            and slots.parse(s, text, ctx, asked=False) is not None for s in slots.slots_of(spec.input_schema))

    async def _record_and_hand_over(self, decision: Any, state: CallState) -> AsyncIterator[Action]:
        self.coordinator.record(decision, state)
        yield route_event(decision)
        state.task = None
        trigger = decision.policy_hits[0] if decision.policy_hits else decision.intent
        async for action in self._hand_over(state, reason=decision.reason, trigger=trigger,
                                            priority=decision.priority):
            yield action

    async def _hand_over(self, state: CallState, *, reason: str, trigger: str, priority: str,
                         target: str | None = None) -> AsyncIterator[Action]:
        state.task = None
        event = await self.handoff.escalate(state, reason=reason, trigger=trigger, priority=priority, target=target)
        yield Say(self.handoff.message_for_caller(event))
        yield event

    async def _other_language(self, language: str, state: CallState) -> AsyncIterator[Action]:
        """A caller who does not speak English: told so in their language, and passed to a person
        with the language on the case (the routing would only guess from a mistranscription)."""
        state.language = language
        state.task = None
        reason = f"the caller does not speak English (heard as {languages.name(language)})"
        event = await self.handoff.escalate(state, reason=reason, trigger="language", priority="normal")
        for sentence, spoken_in in languages.passing_on(language):
            yield Say(sentence, language=spoken_in)
        yield event

    async def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Action]:
        await self.handoff.transfer_result(state, ok=ok, reason=reason)
        if ok:
            yield Say("You're being connected now.")
            return
        yield Say(self.handoff.message_after_failed_transfer(state))

    async def _callback_answer(self, accepted: bool, state: CallState) -> AsyncIterator[Action]:
        """The caller's answer, after a failed transfer, to the next target (when one is left) or to the callback."""
        h = state.handoff or {}
        if h.get("next"):
            state.handoff = {**h, "next": None}
            if accepted:
                async for action in self._hand_over(state, reason=h.get("reason") or "the caller asked for a person",
                                                    trigger="handoff:next_target", priority=h.get("priority", "normal"),
                                                    target=h["next"]):
                    yield action
                return
            yield Say("All right. Would you like us to call you back instead?")
            return
        if accepted:
            await self.handoff.request_callback(state)
            yield Say("Thank you. Someone will call you back as soon as possible. Is there anything else they should know?")
            return
        state.handoff = {**(state.handoff or {}), "status": "callback_declined"}
        yield Say("Okay, no callback. Your case stays open, so you can call back any time and quote the case number.")

    async def end(self, state: CallState) -> None:
        if state.outcome is None:
            if state.handoff:
                state.outcome = "escalated"
            elif any(a.get("ok") for a in state.tool_attempts) or state.entities.get("knowledge_article"):
                state.outcome = "resolved"
            else:
                state.outcome = "abandoned"
        await self.handoff.capture_for_review(state)


def _question_key(state: CallState, question: str) -> str:
    """How a question is counted for the strike limit: at a read-back, with what is read back (a read-back that
    changed is a new question)."""
    if question and (state.task or {}).get("confirming"):
        return question + " " + json.dumps(state.task["args"], sort_keys=True, default=str)  # type: ignore[index]
    return question


def _tallied(state: CallState, question: str, count: int) -> int:
    """Within a task a question counts every time it is asked, in a row or not: an aside or a lookup in between
    does not make a third "What is the work order number?" any less a loop (a tool that ran starts the count
    again: in LLM mode one task may go on to a new request). ``count``, the times in a row, or the task's tally."""
    if state.task is None or not question:
        return count
    tally = state.task.setdefault("asked_times", {})
    tally[question] = count = max(count, int(tally.get(question, 0)) + 1)
    return count


def _kind_the_articles_say(passages: list[Any], readings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Of two kinds of new record, the one the best article names for what was asked ("Access to a shared mailbox
    ... is a service request."): its words "is a <kind>", the kind said as its intent's name reads. None else."""
    said = " ".join(p.text.lower() for p in passages if getattr(p, "kind", "") == "article")
    kinds = [(r, re.sub(r"[._]", " ", r["intent"]).removesuffix(" create")) for r in readings]
    named = [r for r, kind in kinds if re.search(rf"\bis an? {re.escape(kind)}\b", said)]
    return named[0] if len(named) == 1 else None


#: Words to be passed on to whoever works on a record ("pass him a message", "let them know", "tell them something").
_PASS_ON = re.compile(r"\b(?:pass (?:on|it on|that on|(?:him|her|them) (?:a message|on)|a message)|"
                      r"(?:tell|let) (?:him|her|them) (?:know|something|that)|give (?:him|her|them) a message|"
                      r"leave (?:him |her |them )?a message|(?:a )?message (?:for|to) (?:him|her|them|the (?:technician|engineer|team|fitter)))\b")
#: Asked to make one of what was just talked of ("can you raise it", "log one now", "do it now then").
_RAISE_IT = re.compile(r"\b(?:raise|log|open|do|put|report|create|make|book|get)\b (?:it|one|that)(?: in| up)?\b"
                       r"(?! (?:off|back|again|work|working|going|done)\b)")


def _new_beside_other(head: str, tail: str) -> bool:
    """Is ``head`` a new record and ``tail`` an act on one that exists, at the same desk (the two readings of a turn
    split in two that ``_story_of_named_record`` and ``_new_one_asked_beside_old`` weigh)?"""
    return head in INTENT_TOOLS and tail in INTENT_TOOLS and INTENT_TOOLS[head][0] == INTENT_TOOLS[tail][0] \
        and INTENT_TOOLS[head][1].startswith(NEW_RECORD_PREFIXES) and not INTENT_TOOLS[tail][1].startswith(NEW_RECORD_PREFIXES)


def _none_open(state: CallState) -> bool:
    """Did the last tool say nothing is open ("No open work orders.")?"""
    last = state.tool_attempts[-1] if state.tool_attempts else {}
    result = last.get("result")
    message = result.get("message") if isinstance(result, dict) else result
    return bool(last.get("ok")) and bool(re.search(r"\bno open\b", str(message or ""), re.I))


def _last_done(state: CallState) -> list[dict[str, Any]]:
    """The last request routed, as [route], with the intent of the tool that served it when that differs
    (a service request's number read under "checking on an IT ticket" is a service request); [] before any."""
    done = [r for r in state.routes if r.get("action") == "route"][-1:]
    served = next((a for a in reversed(state.tool_attempts) if a.get("ok")), None)
    if not done or served is None or served.get("turn", -1) < done[0].get("turn", 0):
        return done
    intent = next((i for i, s in INTENT_TOOLS.items() if s == (served.get("server"), served.get("tool"))), None)
    return [{**done[0], "intent": intent}] if intent else done


def _without_clauses_naming(text: str, values: list[str]) -> str:
    """``text`` without the clauses that name one of ``values`` (as an id or a number)."""
    named = {c.replace("-", "") for v in values for c in entities.codes(v)} | \
        {r.digits for v in values for r in entities.number_runs(v)}
    kept = [c for c in re.split(r"(?<=[,.;])\s+", text)
            if not named & ({x.replace("-", "") for x in entities.codes(c)} | {r.digits for r in entities.number_runs(c)})]
    return " ".join(kept).strip(" ,")


def _heard(decision: Any, intent: str) -> float:
    """How sure the router is of ``intent`` for this turn (0 when it is not among its options)."""
    if decision.intent == intent:
        return decision.confidence
    return next((a.get("confidence", 0.0) for a in decision.alternatives if a["intent"] == intent), 0.0)


def _plain_id(value: Any) -> str:
    """An id without its dash and case, to compare ids parsed by different slots ("E-10850", "E10850")."""
    return re.sub(r"\W", "", str(value)).upper()


def _ticket_number(slot: slots.Slot) -> bool:
    """Is ``slot`` a ticket's number (WO-10234, INC-20001: a prefix of two letters or more), not a tag?"""
    return any(len(p) >= 2 for p in entities.pattern_prefixes(slot.schema.get("pattern")))


def _inside_a_number(before: str, after: str) -> bool:
    """Is the boundary the "and" of a number said aloud ("job ten thousand and two")?"""
    last, first = before.split()[-1].lower().strip(",."), after.split()[0].lower().strip(",.")
    return last in ("hundred", "thousand") and bool(entities.number_runs(first))


def _in_turn(kept: dict[str, Any]) -> list[dict[str, Any]]:
    """A kept request and the ones queued after it (``then``), in the order they are to be done."""
    return [{k: v for k, v in kept.items() if k != "then"}, *kept.get("then", [])]


def _queued(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """The first of ``requests`` to keep, the others queued after it (see ``_in_turn``)."""
    return {**requests[0], "then": requests[1:]}


def _points_back(part: str) -> bool:
    """Does the first clause of ``part`` point back to something said before ("Reopen it please", "I need it for the
    drawings")? "While you're at it" points at nothing."""
    return bool(re.search(r"(?<!at )\b(?:it|them|that one|this one)\b", re.split(r"[,.;!?]", part.lower())[0]))


def _inside_a_list(before: str, after: str) -> bool:
    """Is the boundary inside a list of codes ("chasing WO-10001, WO-10003 | and WO-10005. Where is each of them
    at?", "what T-1401, T-1402 | and V-1410 are"), which says them for one request?"""
    return bool(re.search(r"\b[a-z]+[- ]?\d+$", before.lower()) and re.match(r"(?:(?:and|or|plus|&|also)\s+)*[a-z]+[- ]?\d+\b", after.lower()))


#: Words that give a choice for things told before, beside the choice itself ("call them both medium", "neither
#: is urgent", "make those two low please").
_CHOOSING = {"call", "make", "mark", "both", "them", "they", "neither", "none", "either", "each", "those", "these",
             "please", "just", "fine", "okay", "then", "ones", "their", "lot", "whole", "really", "would", "should"}


#: What is wanted, then the things it is wanted for, listed after a colon ("I need three things for her: a laptop, a
#: headset, and Visio installed on the laptop"), within one sentence.
_WANTED = re.compile(r"\b(?:need|needs|want|wants|order|get|request|like)\b", re.I)
_LISTED = re.compile(rf"(?P<lead>[^.!?:]*{_WANTED.pattern}[^.!?:]*):\s*(?P<items>[^.!?:]+)", re.I)
#: Words one listed thing has at most (more is a sentence of its own, no item of a list).
LIST_ITEM_WORDS = 6


#: A verb that sets a value of a record ("make it urgent", "raise it to high", "put it down as low").
_SETS = re.compile(r"\b(?:make|set|raise|bump|put|change|mark|drop|lower|increase|up|down)\b")
#: A record pointed back to as the place of an act ("put a note on it", "add that to the job").
_ON_IT = re.compile(r"\b(?:on|to|against|for) (?:it|that one|the same one|that job|the job|that ticket|the ticket)\b")
#: The words a part may start with before what it says ("And oh, while I have you, ...").
_LEAD_IN = re.compile(r"^\W*(?:(?:and|oh|also|so|right)\W+)*", re.I)


#: A form of "be" or "have" (see ``_switch_cues``).
_BEING = re.compile(r"\b(?:is|are|was|were|has|have|had|been|being)\b|\w's\b")


def _bare_record_numbers(text: str) -> list[str]:
    """The numbers long enough to be a record's said without letters of their own. A number after a letter is
    some other code ("E one one oh oh three", a caller's id), not a record's."""
    toks = entities.tokens(text.lower())
    return [r.digits for r in entities.number_runs(text) if len(r.digits) >= entities.RECORD_DIGITS
            and not (r.start and len(toks[r.start - 1]) == 1 and toks[r.start - 1].isalpha())]


def _without_names(said: str) -> str:
    """``said`` without greetings and people's names: what is left of "hi, Grace Kim, asset management"."""
    for name in names_in(said):
        said = said.replace(name, " ")
    return _GREETING.sub(" ", said)


def _sentences(text: str) -> list[str]:
    """``text``'s sentences, by their full stops and, where a recogniser wrote none, by a consequence ("so we ...")."""
    return [y for x in _SENTENCE.split(text.strip()) for y in _RUN_ON.split(x) if y.strip()]


#: Words that say who is calling, around their name and number.
_WHO_WORDS = {"name", "name's", "employee", "number", "staff", "email", "address", "this", "here", "speaking",
              "calling", "it's", "that's", "work"}


def _content_words(said: str) -> set[str]:
    """Words of four letters or more that are not numbers ("four two zero two" is a value, not a thing)."""
    return {w for w in entities.words_besides_numbers(said) if len(w) > 3}


def _content_text(text: str) -> str:
    """``text`` without its lead-in, yes or no and fillers ("oh sorry, it's one zero zero zero one": the number)."""
    rest = entities.yes_no(re.sub(r"^\W*(?:(?:oh|ah|um|er|sorry|no|wait|actually|right|ok|okay)\b\W*)+", "", text.lower())).rest
    return moves.leftover(re.sub(r"^(?:it'?s|it is|that'?s|that is|i mean)\s+", "", rest.strip(" ,.")))


def _asks_a_question(text: str) -> bool:
    """Is a sentence of ``text`` a question, by its mark or its first word?"""
    return any(x.rstrip().endswith("?") or _QUESTION.match(_LEAD.sub("", x.strip().lower()))
               for x in _SENTENCE.split(text) if x.strip())


def _story_before_advice(text: str) -> str:
    """An unpunctuated turn (a recogniser's words) without the advice question it ends on ("... ive reset it twice now
    | should i just reset it again"); ``text`` itself when it has punctuation or ends on none."""
    words = text.split()
    if re.search(r"[.?!]", text):
        return text
    for i in range(max(len(words) - ADVICE_WORDS, 1), len(words)):
        asked = " ".join(entities.tokens(" ".join(words[i:]).lower()))
        # (... or what it means: "... started making a pulsing roaring noise | what does that usually mean")
        if _ADVICE.match(asked) or re.match(_WHAT_IT_MEANS, asked):
            return " ".join(words[:i])
    return text


def _asks_to_know(text: str) -> bool:
    """Is a sentence of ``text`` a question that wants to know something, not a request put as one ("..., can you get
    it looked at?" asks for a job; "is anyone coming out?" asks to know; so does "I'm to find out if ...")?"""
    return bool(_WHETHER.search(text.lower())) or any(_asks_a_question(x) and not _REQUEST_QUESTION.match(_LEAD.sub("", re.split(r",\s*", x.strip())[-1].lower()))
               for x in _SENTENCE.split(text) if x.strip())


def _wants_anything(text: str) -> bool:
    """Does the turn ask a question, ask for something or want something? "I don't need it" wants nothing."""
    leads = [_LEAD.sub("", x.strip().lower()) for x in _SENTENCE.split(text) if x.strip()]
    return _asks_a_question(text) or any(_REQUEST_QUESTION.search(x) or (_NEED.match(x) and not _NO_NEED.match(x))
                                         for x in leads)


#: A need taken back ("I don't need it", "we no longer want the visit").
_NO_NEED = re.compile(r"^(?:\W*(?:so|and|but|well|just|really|now)\W+)*(?:i|we) (?:don'?t|do not|no longer|won'?t|will not) ")


def _asks_something(text: str) -> bool:
    """Does the turn ask: a question (by its mark, its first word, or mid-sentence in question order), a
    request, a need, chasing or an earlier call told?"""
    low = text.lower()
    return _asks_a_question(text) or any(_REQUEST_QUESTION.search(lead := _LEAD.sub("", x.strip().lower()))
                                         or _NEED.match(lead) for x in _SENTENCE.split(text) if x.strip()) \
        or bool(_INDIRECT_QUESTION.search(low) or _TOLD_BEFORE.search(low) or _CHASING.search(low)
                or _QUESTION_ORDER.search(low))


def _asked_after_leaving(text: str, topic: str = "") -> str:
    """The sentences after the one that drops the request ("Actually no, leave it. Just tell me if anyone's booked
    to come out for it."; by its kind, the first word of ``topic``: "... forget the visit. Just add a note ..."), when
    they ask something; "" otherwise."""
    sentences = _sentences(text)
    # (after the sentence that drops it: "Hmm, wait. No, leave it please. ..." drops it in its second)
    dropped = next((i for i, x in enumerate(sentences) if moves.drops_request(x, topic)), 0)
    rest = " ".join(sentences[dropped + 1:])
    refused = moves.NO_NEW_ONE.search(sentences[dropped].lower()) if sentences and not rest else None
    if refused and sentences[dropped][refused.end():].strip(" ,.;"):
        # "There's a job open on that one already, WO-10001. Don't raise a new one, just tell me where that one's
        # at.": what the refusing sentence goes on to ask, of the record the sentences before it name.
        rest = " ".join([*sentences[:dropped], sentences[dropped][refused.end():].strip(" ,")])
    return rest if rest and (_asks_something(rest) or _ACT_ORDERED.match(rest.lower())) else ""


#: A turn that asks only what a kind of thing is, or what a word means.
_WHAT_IT_IS = re.compile(r"^(?:so |sorry,? |and )?(?:what(?: even| exactly)?(?:'s| is| are)(?: even| exactly)? (?:an?|the) (?:[\w-]+ ){0,2}[\w-]+"
                         r"|what does (?:an? |the )?(?:[\w-]+ ){0,2}[\w-]+ mean)(?: exactly| then| even)?\s*\?$")
#: What the caller will do themselves ("I'll dig out the email and ring back"): a plan, never more of the story.
_OWN_PLAN = re.compile(r"\b(?:i'?ll|ill|i will|let me|i'?m going to|we'?ll|ring back|call back|phone back)\b")
#: What the thing just named is, asked with only a pointer to it ("What even is that?", "what's that then?").
_WHAT_THAT_IS = re.compile(r"^(?:and |so |sorry,? )?what(?: even| actually| exactly)?(?:'s| is)(?: even| actually| exactly)? (?:that|this|one of those|that one)"
                           r"(?: then| exactly| even)?\W*$", re.I)


#: A sentence that orders an act outright ("Just add a note to it that ...", "book it for Friday instead").
_ACT_ORDERED = re.compile(r"^(?:(?:just|please|then|instead|so|and)\W+)*(?:add|put|book|cancel|raise|log|open|move|change|"
                          r"escalate|close|reset|schedule|note|make|send|update)\b")


#: A sentence that takes back what the caller just said ("ah no, forget it", "never mind that", "scratch that").
_RETRACTION = re.compile(r"^\W*(?:(?:ah|oh|um|er|well|no|nah|actually)\W+)*(?:forget (?:it|that|about it)|never ?mind(?: that)?|"
                         r"scratch that|ignore (?:that|me))\b\W*", re.I)


#: The words before taken back, anywhere in a sentence ("the chiller is... actually, no, scratch that, ...").
_CALLED_OFF = re.compile(r"\b(?:cancel|scrap|scratch|forget|never ?mind|ignore|drop|hold off on|leave) (?:that|it|this)\b|"
                         r"\bdon'?t bother\b|\bkeep (?:it|the)\b")
_TAKEN_BACK = re.compile(r"\b(?:scratch that|forget that|ignore that|never ?mind that)\b", re.I)


def _called_off_before(state: CallState) -> bool:
    """Did the caller say no to the read-back of the task under way, or call something off in the turn before this one
    ("actually, cancel that", "no, leave it"), not the words that began the task ("yes, cancel it")?"""
    task = state.task or {}
    return bool(task.get("declined")) or any(_CALLED_OFF.search(x.lower()) and x not in task.get("opening", "")
                                             for x in _earlier_caller_turns(state)[-1:])


def _earlier_caller_turns(state: CallState) -> list[str]:
    """What the caller said in the turns before this one (this turn is the last caller turn held)."""
    return [str(t.get("text") or "") for t in state.turns if t.get("role") == "caller"][:-1]


def _agents_last_line(state: CallState) -> str:
    """The last thing the agent said ("Anything else?"); "" before it said anything."""
    return next((t["text"] for t in reversed(state.turns) if t.get("role") == "agent" and t.get("text")), "")


def _after_retraction(text: str) -> str:
    """What follows a sentence that takes back the ones before it, without the taking back itself; "" when no
    sentence after the first does so, or nothing follows it."""
    sentences = [x.strip() for x in _SENTENCE.split(text) if x.strip()]
    for i, sentence in enumerate(sentences[1:], 1):
        m = _RETRACTION.match(sentence)
        if m:
            rest = " ".join([sentence[m.end():], *sentences[i + 1:]]).strip(" ,")
            if _OWN_PLAN.match(rest.lower()):
                return ""  # "forget it, I'll ring back": the caller's own next step, the call's request dropped
            return rest if _content_words(rest) or entities.codes(rest) else ""
    return ""


#: Someone the caller will get in touch with themselves ("I need to call this person", "I'll chase her myself").
_OWN_CONTACT = re.compile(r"^(?:so |then )?(?:i|we) (?:need to|have to|must|want to|will|'ll|am going to|'m going to|can|"
                          r"could|should|would like to|'d like to|like to)? ?(?:(?:call|ring|phone|email|e-mail|contact|chase|"
                          r"speak to|talk to|speak with|talk with|message|text|write to|go and see|see) (?:him|her|them|this person|"
                          r"that person|the (?:approver|manager|person|technician|engineer|team))\b|"
                          # ... or passes what it hears on ("I like to give the gatehouse a name", "so I can tell my boss")
                          r"(?:tell|warn|brief) (?!you\b|u\b)\w+|let (?:\w+ ){1,2}know\b|"
                          r"pass (?:it|that|this|the \w+) on\b|give (?:\w+ ){1,3}(?:a|the) (?:name|heads[- ]up)\b)")
#: What a caller says they will do themselves ("I'll ring back", "we'll sort it", "let me check first").
_OWN_PLAN = re.compile(r"^(?:i'?ll|ill|i will|we'?ll|we will|i'?m going to|let me)\b")


#: A clause that only says the caller is new ("it's my first week", "I've just joined the field team", "I'm new here",
#: "I've just moved over to lead asset management"), up to its clause's end.
_BEING_NEW = re.compile(r"(?:(?:hi|hiya|hello|hey|morning|so|and|but)\W+)*(?:it'?s|this is) my (?:first|second) (?:day|week|month)(?: here| in \w+)?"
                        r"|(?:(?:hi|hiya|hello|hey|morning|so|and|but)\W+)*i(?:'?ve| have|'?m| am)? (?:only |just |very )*(?:joined|started|new|"
                        r"a new starter|brand new|moved (?:over )?to|transferred to)\b(?:(?! (?:and|but|so|because)\b)[^,.;!?])*",
                        re.I)
#: Words a turn must keep, without who calls, to be heard on its own.
HEARD_WITHOUT_WORDS = 4


#: A question of which desk or team deals with something ("who handles desk phones these days?", "who do I speak to
#: about a pass?", "is this the right number for printers?").
_WHO_HANDLES = re.compile(r"\b(?:(?:who|which (?:team|desk|department|line))\s+(?:handles|deals with|looks after|covers|does|takes care of|"
                          r"sorts|sorts out|is responsible for|do i (?:speak|talk) to(?: about)?|should i (?:speak|talk) to(?: about)?|"
                          r"do i ring(?: about)?|should i ring(?: about)?)|(?:is this|am i through to|have i got) the right "
                          r"(?:line|number|desk|people|team|place)(?: for)?)\b", re.I)
#: Where a clause of its own ends: a mark, or "and"/"but"/"so" before a new subject.
_OWN_CLAUSES = re.compile(r"(?<=[,.;!?])\s+|\s+(?=(?:and|but|so) (?:i|my|it|the|now)\b)", re.I)
#: "I really don't know", said of which line to ring.
_NOT_KNOWING = re.compile(r"(?:i|we) (?:really |honestly |just )?(?:don'?t|do not) know")
#: A caller unsure they rang the right line, in a clause of its own ("this might be one for facilities rather than
#: you", "I don't know if you're the right people for updating an existing job"), up to where the clause ends.
_DESK_DOUBT = re.compile(r"\b(?:not sure|unsure|don'?t know|do not know|no idea|wonder(?:ing)?|might be|may be|maybe|"
                         r"could be|probably|perhaps)\b[^.?!]*?\b(?:you(?:'re| are)?(?: lot| guys| people| the right \w+)?|your (?:team|desk|department|line)|"
                         r"the right (?:people|person|line|desk|number|team|place|department|one)|(?:this|that) (?:line|number|desk)|"
                         # ("I don't know if this is IT or the admin team")
                         r"(?:or|rather than) (?:the )?[\w-]+(?: [\w-]+)? (?:team|desk|department|lot|people|guys))"
                         r"(?:\s+(?:or|rather than|instead of)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,2}?\s+(?:lot|team|people|desk|department|guys))?"
                         r"(?:\s+(?:for|about|with)\s+[\w-]+(?:\s+[\w-]+){0,4})?"
                         r"(?:\s+(?:rather than|or) (?:you|the \w+))?[ ,]*(?:(?:i|we) (?:really )?(?:don'?t|do not) know)?")


def _thing_of(intent: str) -> str:
    """The thing ``intent``'s tool acts on, the last word of its name ("visit" for schedule_visit); "" for none."""
    return INTENT_TOOLS[intent][1].split("_")[-1] if intent in INTENT_TOOLS else ""


def _without_being_new(text: str) -> str:
    """``text`` without its clauses that only say the caller is new (``_BEING_NEW``), when enough is left to hear."""
    kept = [c for c in _OWN_CLAUSES.split(text) if not _BEING_NEW.fullmatch(c.strip(" ,.;!?"))]
    rest = " ".join(kept).strip()
    return rest if rest != text.strip() and len(rest.split()) >= HEARD_WITHOUT_WORDS else text


def _without_desk_doubt(said: str) -> str:
    """``text`` without its clauses that only doubt the caller has the right line (``_DESK_DOUBT``: "I'm not sure if
    I want you or the field maintenance lot", "I really don't know"), when enough is left to hear: who they thought of
    ringing instead is no part of the request."""
    # ("Who handles desk phones these days? Mine has a terrible crackle ...": which desk, asked on the way to the
    # problem; doing what is asked answers it.)
    text = " ".join(re.sub(r"\s+(?:these days|nowadays|now|then)$", "", _WHO_HANDLES.sub("", x).strip(" ?")) + "."
                    if x.rstrip().endswith("?") and _WHO_HANDLES.search(x) else x for x in _SENTENCE.split(said))
    clauses = _OWN_CLAUSES.split(text)
    kept = [c for c in clauses if not (_DESK_DOUBT.search(c.lower()) and len(_content_words(_DESK_DOUBT.sub(" ", c.lower()))) <= 3)]
    if len(kept) == len(clauses):
        return text
    kept = [c for c in kept if not _NOT_KNOWING.fullmatch(c.strip(" ,.;!?").lower())]
    # (what followed the doubt may lead on from it: "..., but the vibration has got worse")
    rest = re.sub(r"^(?:(?:hi|hello|hiya|morning|afternoon|evening)\W+)?(?:but|so|and)\s+", "", " ".join(kept).strip(), flags=re.I)
    return rest if len(rest.split()) >= HEARD_WITHOUT_WORDS else said


def _last_result(state: CallState) -> dict[str, Any]:
    """What the call's last tool call returned, when it succeeded with a record; {} otherwise."""
    last = state.tool_attempts[-1] if state.tool_attempts else {}
    return last["result"] if last.get("ok") and isinstance(last.get("result"), dict) else {}


def _lines_kept(passages: list[Any], keep: Callable[[str], bool]) -> list[Any]:
    """The passages with a line ``keep`` takes, each cut to those lines."""
    return [dataclasses.replace(p, text="\n".join(x for x in p.text.splitlines() if keep(x)))
            for p in passages if any(keep(x) for x in p.text.splitlines())]


def _adds_that(text: str) -> bool:
    """Does a clause of ``text`` ask for words added ("Can you add that it failed again today?" after the story, "don't
    raise anything new, just add to that job that ...")?"""
    return any(_ADD_THAT.match(_LEAD.sub("", x.strip().lower())) for x in re.split(r"[.;!?,]\s+", text.strip()))


def _asks_how_it_stands(text: str) -> bool:
    """Does ``text`` ask where a record stands (``_STANDING``), or chase it without asking for anything done ("my
    manager asked me to chase up INC-20003"; "can you chase it?" asks)?"""
    low = text.lower()
    return bool(_STANDING.search(low)) or (bool(_CHASING.search(low)) and not _REQUEST_QUESTION.search(low))


def _tells_only(text: str) -> bool:
    """Does the turn tell something and ask nothing ("I tried it from home last night and it dropped twice")?
    "And work order 10005" tells nothing, nor does which one it is ("..., the air conditioning one")."""
    return not _asks_something(text) and bool(_VERB.search(_WHICH_ONE.sub(" ", _without_names(text).lower())))


def _without_trailing_codes(text: str) -> str:
    """``text`` without the codes said at its end ("hello, Jonas Berg from asset management, E one oh seven seven
    seven": the caller's own id after who they are)."""
    parts = text.split(",")
    while len(parts) > 1 and entities.only_codes(parts[-1].strip()):
        parts.pop()
    return ",".join(parts).strip()


def _asks_for(state: CallState, unknown: str) -> bool:
    """Is the task's open question for the identifier ``unknown`` names ("the asset number" for the asset tag,
    "the work order number" for the work order's id)? A word of the slot's name besides the generic ones."""
    asking = str((state.task or {}).get("asking") or "")
    said = set(re.findall(r"[a-z]+", unknown.lower()))
    if said & {"reference", "ref"}:
        return asking.endswith("_id")  # a reference is a record's number, whichever the question asks for
    said -= {"the", "its", "my", "our", "a", "an", "any", "that", "number", "no", "id", "code"}
    # A kind said in other words ("the job number" for a work order's id) names it too.
    said |= {w for names in entities.KIND_NAMES.values() if said & {w for n in names for w in n.split()}
             for n in names for w in re.split(r"[\s-]", n)}
    return bool(asking) and bool(set(asking.split("_")) & said)


def _status_of(server: str) -> str | None:
    """The desk's status check (the intent that reads how one of its records stands), or None."""
    return next((i for i, (srv, _) in INTENT_TOOLS.items() if srv == server and i.endswith(".status")), None)


def _questions_only(text: str, heard: str = "") -> bool:
    """Is every sentence of ``text`` a question that is not a request ("is that the morning? what time")?
    A sentence that only echoes what the caller just ``heard`` ("morning, right.") is no request either."""
    sentences = [_THANKS_LEAD.sub("", _LEAD.sub("", s.strip().lower())) for s in _SENTENCE.split(text) if s.strip()]
    # (A sentence that only acknowledged, "OK, good.", asks nothing and requests nothing.)
    sentences = [s for s in sentences if s.strip(" .!,")] or sentences
    echoed = _content_words(heard)
    # (A sentence led by a question word asks, question mark or not: "who's got it".)
    asked = [s for s in sentences if not (heard and not s.endswith("?") and not _QUESTION.match(s) and not _WH_LAST.search(s)
                                          and _content_words(moves.leftover(entities.yes_no(s).rest)) <= echoed)]
    # (Why the caller asks, a step of their own, "I need to call this person", asks nothing of the line.)
    asked = [s for s in asked if not _OWN_CONTACT.match(s)] if len(asked) > 1 else asked
    return bool(asked) and all(
        (s.endswith("?") or _QUESTION.match(s) or _QUESTION.match(_topic_put_first(s)) or _WH_LAST.search(s))
        and not _REQUEST_QUESTION.match(s) for s in asked)


#: A question with its question word last, as said unpunctuated ("rejected by who", "it's coming when").
_WH_LAST = re.compile(r"^(?:[\w'-]+ ){1,4}(?:by|to|with|from|for|on)? ?(?:who|whom|when|where|what)\W*$")


def _only_asks(sentence: str) -> bool:
    """Is ``sentence`` a question and no request put as one ("is that closed out?", not "..., can you put it on hold?")?"""
    return _questions_only(sentence) and not _REQUEST_QUESTION.search(sentence.lower())


def _told(text: str) -> list[str]:
    """The sentences of ``text`` that do not only ask: what a value said in them is wanted for."""
    return [x for x in _SENTENCE.split(text) if x.strip() and not _only_asks(x)]


def _topic_put_first(sentence: str) -> str:
    """The question after a few words naming what it is about ("the compressor one, how far along is it"); the
    sentence itself when it has no such topic."""
    topic, comma, rest = sentence.rpartition(",")
    return rest.strip() if comma and len(topic.split()) <= FOLLOW_UP_WORDS // 2 else sentence


def _person_only_guessed(decision: Any) -> bool:
    """Is a person asked for only by the classifier's guess, no phrase, hazard or failure (out of hours too, when
    the hits also name the queue)?"""
    return [h for h in decision.policy_hits if h.startswith(URGENT_HITS)] == ["person_request:classifier"]


def _in_general(text: str) -> bool:
    """Does ``text`` ask a question of any record of a kind ("when I make a job urgent, how fast does the technician
    come?", "how soon is a high one looked at?"), not of the caller's own? The kind is said with "a" or "any" in the
    question or in a condition before it; "I logged a ticket yesterday, how long will it take?" tells of one."""
    for sentence in _SENTENCE.split(text):
        said = _LEAD.sub("", sentence.strip().lower())
        condition = answers.CONDITION.match(said)
        asked = said[condition.end():] if condition else said
        if _INFO_QUESTION.match(asked) and (_IN_GENERAL.search(asked) or (condition and _IN_GENERAL.search(condition.group()))):
            return True
    return False


#: Politeness that leads what follows a yes ("yes please, and ...", "yes. thanks. also ...").
_POLITE_LEAD = re.compile(r"^(?:(?:please|thanks|thank you|cheers|great|lovely|brilliant|perfect|and|also|plus|then)\b[\s,.!]*)+",
                          re.I)


def _asked_after_yes(rest: str) -> str:
    """What a yes goes on to ask ("yes. can I get a spare one to tide me over?"): the words from its first
    question on, when they are more than a go-ahead ("yes, can you send it?"); "" when it asks nothing."""
    sentences = [s.strip() for s in _SENTENCE.split(rest.strip()) if s.strip()]
    first = next((n for n, s in enumerate(sentences) if s.endswith("?") or (
        _QUESTION.match(_LEAD.sub("", s.lower())) and len(s.split()) >= FOLLOW_UP_WORDS // 2)), None)
    if first is None:
        return ""
    # ("Yes please, and who will it be?": the please is the yes's, not a request put as a question.)
    asked = _POLITE_LEAD.sub("", " ".join(sentences[first:]))
    return "" if _GO_AHEAD.search(asked.lower()) and len(_content_words(asked)) <= GO_AHEAD_WORDS else asked


def _stems(text: str) -> set[str]:
    """Word stems, crudely (the first three letters of words of four or more): "move" and "moving" meet."""
    return {w[:3] for w in entities.tokens(text) if len(w) >= 4 and w.isalpha()} - {"vis", "tec", "abo"}


def _words_stemmed(text: str) -> set[str]:
    """The stems of the words of four letters or more (the router's stemmer: "canteen" and "cancelled" stay apart)."""
    return {stem(w) for w in entities.tokens(text) if len(w) >= 4 and w.isalpha()}


def _choices_in_words(values: Mapping[str, Any]) -> str:
    """Choices a record holds, as words to search articles with: {"priority": "in_progress"} -> "priority in progress"."""
    return " ".join(f"{k} {v}".replace("_", " ") for k, v in values.items())


def _about(text: str, request: str) -> bool:
    """Does ``text`` name something ``request`` is about?"""
    return bool(_content_words(text) & _content_words(request))


def _last_priority(state: CallState) -> str:
    return state.routes[-1]["priority"] if state.routes else "normal"


def route_event(decision: Any) -> RouteEvent:
    return RouteEvent(target=decision.target, intent=decision.intent, confidence=decision.confidence,
                      reason=decision.reason, alternatives=list(decision.alternatives), action=decision.action)
