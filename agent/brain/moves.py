"""Universal dialogue moves: what a caller turn does to the conversation, whatever was asked.

Pure: ``classify`` looks at the words and the dialogue state and names the move; the
brain applies it before the turn reaches a domain agent, so the embedded agent and the
LLM agent handle "say that again", "leave it", "I don't know", "help" and corrections
alike. ``without_negated`` and ``loop_guard`` are the other two pure pieces the agents
share: the value a caller meant when they also named the one they did not mean, and
the strike count that stops a question being asked a third time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence

from agent.brain import entities

Kind = Literal["repeat", "cancel", "restart", "dont_know", "help", "person", "accept", "decline", "identity"]

#: Words that carry no request of their own ("um, okay, could you just ...").
_FILLER = (r"um+|uh+|er+|erm|hm+|well|oh|okay|ok|so|look|just|please|sorry|then|now|actually|"
           r"can you|could you|would you|will you|can i|could i|you|for me|again|thanks|thank you|"
           r"no|nah|hey|right|mate|the|that|it|this|all|whole|thing|one|lets|let's|let us|i|i'm|i am|"
           r"we|we're|we'll|to|a|and|but|still|really|honestly|afraid|mean|me|my|about|with|for|of|"
           r"put|make|set|mark|keep|as|at|down|i'd|say|would|guess|reckon|think|suppose|"
           # hedges, with the recogniser's forms of them ("id say high to be fair")
           r"id say|to be fair|to be honest|in fairness")
#: Longest first, so "i'm" and "i'd" go whole rather than as "i" leaving "'m".
_FILLER_RE = re.compile(rf"\b(?:{'|'.join(sorted(_FILLER.split('|'), key=len, reverse=True))})\b")

#: Move phrases, matched on whole words after punctuation is dropped. Each family is a
#: kind of move, not a list of test sentences: a phrase joins when it means the move in
#: any state, and never names a request of its own.
#: "a repeat failure", "the third repeat visit": a noun after a determiner or before a noun, not a request to
#: hear it again.
_REPEAT = re.compile(
    r"\b(?:say (?:that|it|this|what you said)? ?again|(?:say|read|give me) (?:the|that|my) \w+(?: \w+)? again|(?<!\ba )(?<!\ban )(?<!\bthe )(?<!\banother )(?<!\bthis )(?<!\bits )repeat(?: that| it| yourself| the \w+| what you said|(?!\s+(?!please|again|for|slowly|louder|more)[a-z]))|"
    r"come again|pardon(?: me)?|beg your pardon|what (?:did|was) (?:you|that)(?: just)?(?: say| said)?|"
    r"what was (?:that|it)|(?:didn'?t|did not|couldn'?t|could not|can'?t|cannot) (?:catch|hear|get|understand) "
    r"(?:that|you|it|what you said|the (?:number|reference|question|name|date|time|word|words|last (?:bit|part|word|number)))\b"
    r"|missed (?:that|it)|"
    r"what was the (?:question|number|reference)|where were we|what were (?:we|you) (?:doing|saying|asking|on)|"
    r"are you (?:still )?there|did you get (?:that|it|all that|me)|what (?:do|did) you need again)\b")
#: A bad line: what the agent said did not arrive ("sorry, you cut out after the first one", "you're breaking up").
#: Said with what the caller had said again ("sorry, you're breaking up. The dosing pump at ..."), it is that turn.
_BAD_LINE = re.compile(r"\b(?:you (?:just )?(?:cut|broke|dropped|went|kept cutting|keep cutting|were cutting|are cutting) "
                       r"(?:out|up|off)|(?:you'?re|you are|you were|it'?s|it was|the line'?s|the line is) breaking up|"
                       r"(?:i )?lost you)\b")
#: The words that may go with it: which part did not arrive ("after the first one", "the monitor one?").
BAD_LINE_WORDS = 5
#: Asking for a person, in any state: a verb of being put through and someone to be put through to
#: ("let me talk to a human", "get me your supervisor", "I want the manager"). "Someone to come and
#: fix it" is a request for a technician, not for a person on the line.
#: Who a caller may ask to speak to: anyone, or the staff who take calls by their job ("a dispatcher", "the duty
#: manager", "an engineer": talking to one is a person, having one come out is not, see ``_PERSON``).
_PEOPLE = (r"(?:person|human|human being|manager|supervisor|boss|someone|somebody|operator|agent|representative|"
           r"dispatcher|controller|coordinator|scheduler|planner|duty manager|analyst|technician|engineer|"
           r"service desk|help ?desk)")
#: The verbs of being put through to someone ("talk", "put me through", ...).
_THROUGH = r"speak|talk|put me through|transfer me|connect me|pass me"
_PERSON = re.compile(
    rf"\b(?:{_THROUGH}|get me through)\b(?:\s+\w+){{0,3}}?\s+"
    rf"(?:to|with)\s+(?:a |an |the |your |some |a real |an actual |a real live )?(?:\w+ ){{0,2}}?{_PEOPLE}\b(?! to (?:come|fix|look|check|send))|"
    rf"\b(?:get|want|need|give)\s+(?:me\s+)?(?:a |an |the |your )?(?:manager|supervisor|boss|human|real person|"
    rf"actual person|operator)\b|"
    # "yes, put me through please": through to someone, without naming who.
    rf"\b(?:put me through|transfer me|connect me|pass me on)\b(?=\s*(?:please|now|then|to someone|to somebody)?\s*(?:[,.!?]|$))")


def names_people(text: str) -> bool:
    """Does ``text`` name someone to be put through to ("a person", "your manager", "somebody") or ask to be put
    through ("put me through to dispatch")?"""
    return bool(re.search(rf"\b{_PEOPLE}\b|\b(?:put|transfer|connect|pass|patch) me\b", _plain(text)))


#: Asking what is on the line ("am I talking to a real person?", "is this a recording?", "are you a
#: robot?"): a question about the call, answered, not a request to be put through.
_IDENTITY = re.compile(
    r"\b(?:(?:who|what) am i (?:talking|speaking) (?:to|with)|(?:am i (?:talking|speaking) (?:to|with)|is (?:this|that|it)|"
    r"are you)(?: \w+){0,2}? (?:a |an )?(?:real |actual |live )?(?:person|human|human being|robot|bot|machine|"
    r"computer|recording|ai|automated)(?: or (?:a |an )?\w+)?)\b")
#: Being put through to someone, said in any words: a person asked for beside a question about the line.
_PUT_THROUGH = re.compile(rf"\b(?:{_THROUGH})\b")
#: Asking whether a person sees what is said ("does a person actually read what I say here?"): answered, no hand-over.
_READ_BY = re.compile(r"\b(?:does|do|will|would) (?:a |any )?(?:real |actual )?(?:person|human|one|anyone|anybody|someone|"
                      r"somebody|people)(?: \w+)? (?:read|see|listen to|hear|look at|check)(?:s)? (?:what|this|it|any of)\b")
#: Asking whether anyone is on the line at all ("is anyone even there at this hour?", "hello, anybody there?"):
#: answered with who is, like what is on the line.
_ANYONE_THERE = re.compile(r"(?:\b(?:is|are)(?: there)? |^(?:(?:hello|hi|hey|sorry)\s+)*)(?:anyone|anybody|someone|somebody)(?: (?:even|"
                           r"actually|still|really|else))? (?:there|about|around|awake|answering)\b(?: (?:at|this) (?:this |that )?"
                           r"(?:hour|time(?: of night)?|late|early)| tonight| now| at all)?(?! (?:to|who|that|for|with|on|at)\b)")
#: A verb of saying and "again"/"back" around what was said: "read that back to me", "tell me the
#: number again", "what was the reference again?", "could you go over that once more".
#: ("Back" said of what was said, not of how a thing is: "say the pressure's back to normal" dictates.)
_REPEAT_AGAIN = re.compile(r"\b(?:say|tell|read|give|go over|run|repeat|what(?:'?s| is| was))\b(?:\s+\S+){0,5}?\s+"
                           r"(?:again|(?<!'s )(?<!\bis )(?<!\bare )(?<!'re )(?<!\bwas )(?<!\bcame )(?<!\bcome )"
                           r"(?<!\bgot )back\b(?!\s+(?:to|on|up|in|at)\b(?!\s+(?:me|us)\b))|once more|(?:more )?slowly|slower)\b")
#: Asking for the reference already given ("what was my reference number?", "what's that number?"): a
#: whole turn of it; "what's the work order number for pump A123" names the thing and is a request.
_REFERENCE_AGAIN = re.compile(r"\bwhat(?:'?s| is| was) (?:my|that|the|our) (?:reference|ticket|case)?(?: ?number)?\b")
#: A whole turn of one of these words is a request to hear it again ("sorry?", "what?").
_REPEAT_ALONE = re.compile(r"^(?:sorry|what|pardon|huh|eh|again|repeat)$")
#: A turn of nothing but asking to hear it again, in any order ("sorry, again please? slowly."): a cue among
#: words of asking and politeness.
_REPEAT_CUES = frozenset("again slowly slower repeat pardon louder".split())
_REPEAT_WORDS = _REPEAT_CUES | frozenset("sorry please more once one time can could you say that it a bit little "
                                         "speak talk go ok okay so what".split())
#: "Once more?", "one more time please": a turn of little else ("harbor road here one more time, I'm afraid"
#: is a caller ringing again).
_ONCE_MORE = re.compile(r"\b(?:one more|once more) time\b|\bonce more\b")
ONCE_MORE_WORDS = 4
_CANCEL_ALONE = re.compile(r"^(?:no )?(?:stop|cancel|enough|quit)$")
#: A cancel phrase that opens the turn as a sentence of its own ("no, leave it, we still need it"):
#: what follows is a reason, not a request ("cancel my service request" runs on, so it is not one).
_CANCEL_FIRST = re.compile(r"^\W*(?:(?:no|nah|oh|um|well|okay|ok|actually|sorry|hang on|hold on|wait|wait a (?:sec|second|minute))\W+)*"
                           r"(?:leave it|forget it|forget that|never ?mind|don'?t bother|scrap that|drop it|"
                           # "no, leave the Word one": the one offered, by what it was about
                           r"(?:leave|forget|skip|drop|scrap) (?:the|that) (?:[\w'-]+ ){0,3}?one|"
                           r"cancel (?:it|that|this)|stop (?:it|that|there)|leave it for now|"
                           r"don'?t worry(?: about (?:it|that))?|no need(?: for (?:it|that))?|"
                           # "no, I don't want work order now": the record not wanted, by its kind
                           r"(?:i )?(?:don'?t|do not) (?:want|need) (?:it|that|this|(?:a |an |the |any )?(?:work order|ticket|job|"
                           r"request|incident|visit|one))(?: now| any ?more| after all| yet)?)"
                           # (in a recogniser's words, unpunctuated, the caller's own plan may follow straight on:
                           # "no leave it ill check with my manager first")
                           r"(?: then| for now)?(?:,? please)?\s*(?:[,.;!?-]|$|(?=(?:i|ill|i'?ll|i'?m|im|i'?ve|ive|we|"
                           r"we'?ll|let me|maybe)\b))")
_CANCEL = re.compile(
    r"\b(?:cancel(?: it| that| this)?|leave it|leave that|forget (?:it|that|about it)|never ?mind|"
    r"don'?t (?:bother|worry|do (?:it|that))|do not (?:bother|do (?:it|that))|drop (?:it|that)|"
    r"scrap (?:it|that)|stop (?:it|that|there)|skip it|not now|abandon (?:it|that)|don'?t want (?:it|that|to))\b")
#: Dropping it for a plan of the caller's own, anywhere in the turn ("... might have freed it already leave it for now
#: ill ring back if not"): the request is no longer wanted.
_LEFT_FOR_OWN_PLAN = re.compile(r"\b(?:leave it|forget it|never ?mind|don'?t bother|scrap (?:it|that)|hold off)(?: then| for now| for the moment)?"
                                r" (?:i'?ll|ill|i will|we'?ll|well|we will|let me)\b")
#: A new record refused in so many words, anywhere in the turn ("there's a job open on it already, don't raise a new
#: one, just tell me where that one's at"): the request to make one is dropped.
NO_NEW_ONE = re.compile(r"\b(?:(?:don'?t|do not|no need to|not to) (?:raise|open|log|create|make|put in|start|submit|book|do)|"
                        r"no need for|not) (?:a |an |another )?new (?:one|ticket|job|work order|request|incident)\b")
_RESTART = re.compile(r"\b(?:start (?:over|again|afresh)|begin again|from the (?:top|beginning|start)|"
                      r"(?:restart|reset) (?:this|the call|everything)|go back to the start)\b")
#: How a start-over is led in ("sorry, let me start again", "can I start over?").
_RESTART_LEAD = re.compile(r"\b(?:let me|let's|lets|can i|could i|i'll|i will|i'd better|i better|i want to|i'd like to|"
                           r"i need to|i should|we'll|best)\b")
_DONT_KNOW = re.compile(
    r"\b(?:(?:i )?(?:don'?t|do not|dont) know|dunno|no idea|not sure|unsure|no clue|"
    r"(?:don'?t|do not) (?:have|remember|recall)(?: it| that| one| the \w+)?|haven'?t got(?: it| one| that)?|"
    r"(?:can'?t|cannot|could not|couldn'?t) (?:find|see|read|remember|recall|tell)(?: it| that| one| the \w+)?|"
    r"(?:no|not) (?:tag|number|label)(?: on it)?|(?:i )?forgot(?: it)?|"
    # No preference is the same move for a choice: the caller leaves it to us.
    r"(?:i )?(?:don'?t|do not) mind|no preference|(?:it )?(?:doesn'?t|does not) matter|up to you|you (?:choose|decide|pick)|"
    # ... or whichever comes first ("whatever's fastest", "the soonest you've got")
    r"whatever(?:'s| is)? (?:fastest|quickest|soonest|earliest|first)|whichever(?:'s| is)? (?:fastest|quickest|soonest|"
    r"earliest|first)|(?:the )?(?:soonest|earliest|first available)(?: one| slot| you(?:'ve| have) got)?)\b")
#: "Is this the maintenance line?": a caller checking where they have rung, answered with what the line does.
_LINE_QUESTION = r"(?:is|am i (?:through|speaking|talking) to) (?:this|that|it|the)? ?(?:the )?(?:\w+ ){0,2}(?:line|number|desk|helpdesk|help desk|service desk|hotline)"
_HELP = re.compile(r"\b(?:help|what (?:kind of |sort of )?(?:things |stuff |questions )?can (?:you|i)(?: actually| really)? (?:do|say|ask)(?: you| for| about| here| (?:on|with|through|using|from) (?:here|you|this(?: line| number| service| phone line)?))?|what (?:can|could) you help (?:me )?with|what (?:are )?(?:my|the) options|"
                   r"how does (?:this|it) work|what (?:do|should) i (?:say|do|tell you)|i'?m (?:confused|lost)|"
                   # The auxiliary is optional: callers speaking English as a second language often drop it
                   # ("what you need from me?", "I not understand").
                   r"what (?:do )?you (?:need|want)(?: to know)?(?: from me)?|what (?:do |did )?you (?:mean|need)|"
                   r"(?:i )?(?:don'?t|do not|not) (?:understand|get it|follow)(?: the question| what you (?:mean|want|need|are asking)(?: from me)?)?|what does that mean|"
                   r"what(?: is|'s) this (?:line|number|service)(?: for)?|what (?:can|do) (?:i|we) use (?:this|the|you)(?: line| number| service)? for|"
                   r"what (?:do|can) you do|" + _LINE_QUESTION + r")\b")
#: Help phrases that ask what the line does, not what to say to the question open now.
_CAPABILITY = re.compile(r"\bwhat (?:kind of |sort of )?(?:things |stuff |questions )?can (?:you|i)(?: actually| really)? (?:do|ask)|"
                         r"what (?:do|can) you do|what(?: is|'s) this (?:line|number|service)|what (?:can|do) (?:i|we) use\b|"
                         + _LINE_QUESTION)
#: Words a help request may carry besides its phrase ("hi, I need some help here").
_HELP_LEFTOVER = {"hi", "hello", "hey", "need", "some", "bit", "little", "want", "get", "can", "here", "now", "please", "bit of"}


@dataclass(frozen=True)
class Move:
    kind: Kind
    #: For ``repeat``: "reference" when the caller asked for the reference or number again ("made": of the record
    #: made, "the new one's number"); for
    #: ``help``: "line" when the caller asked what the line does rather than what to say now.
    about: str = ""


#: A lead-in that only sets a question apart ("before anything, am I talking to a robot?").
_ASIDE_FIRST = re.compile(r"^(?:(?:good )?(?:morning|afternoon|evening)|hello|hi|hiya|hey)?\s*(?:(?:a )?quick (?:one|question) )?"
                          r"(?:before (?:anything|we start|we go on|we begin|i start|i begin|i go on)(?: else)?|first(?: of all|ly)?|"
                          r"just (?:quickly|to check|wondering|out of interest)|out of interest|can i (?:just )?ask|"
                          r"(?:a )?quick (?:question|one)|one thing)\b")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]", " ", text.lower())).strip()


def leftover(text: str, *patterns: re.Pattern[str]) -> str:
    """What is left of ``text`` once the move phrases and fillers are removed."""
    rest = text
    for pattern in patterns:
        rest = pattern.sub(" ", rest)
    return re.sub(r"\s+", " ", _FILLER_RE.sub(" ", rest)).strip()


def _which_reference(plain: str) -> str:
    """"made" when the reference asked for again is of the record just made ("what's the new one's number again?"),
    which may not be the last one read out; "reference" otherwise."""
    return "made" if _MADE_ONE.search(plain) else "reference"


_MADE_ONE = re.compile(r"\b(?:new (?:one|ones|ticket|request|job|work order|incident)|(?:you|we) (?:just )?(?:made|raised|opened|"
                       r"logged|booked|created|put in)|just (?:made|raised|opened|logged|booked|created))\b")


#: A cancel phrase that ends the turn, after why ("oh hang on it's just come back, the cables were loose, never mind").
_CANCEL_LAST = re.compile(r"\b(?:never ?mind|forget (?:it|that|about it)|don'?t worry(?: about (?:it|that))?|"
                          r"no need(?: now| any ?more)?|scrap (?:it|that))$")


def drops_request(sentence: str, topic: str = "") -> bool:
    """Does ``sentence`` open by dropping the request ("No, leave it please.", "Forget it."), or tell to drop it by
    its kind, the first word of ``topic`` ("he's just told me to forget the visit" of a visit being booked)?"""
    kind = topic.split()[0] if topic.split() else ""
    return bool(_CANCEL_FIRST.match(sentence.lower())) or bool(NO_NEW_ONE.search(sentence.lower())) or bool(kind) and bool(re.search(
        rf"\b(?:forget|scrap|drop|skip|never ?mind|(?:don'?t|do not) bother with|no need for)(?: about)? (?:the|that|this) "
        rf"{re.escape(kind)}s?\b", sentence.lower()))


def _opens_a_sentence(pattern: re.Pattern[str], text: str) -> bool:
    """Does ``pattern`` match at the start of the turn or of one of its sentences ("Oh, it's closed, is it?
    Leave it then, I'll ring back")?"""
    return any(pattern.match(s) for s in re.split(r"(?<=[.!?])\s+", text.lower()))


def classify(text: str, *, in_task: bool, offer: str | None = None, topic: str = "",
             free_text: bool = True, answered: bool = False, changes: bool = False) -> Move | None:
    """The universal move ``text`` makes, or None when it is an answer or a request.

    ``in_task``: a question of a task is open (cancel and "I don't know" only mean
    something then); ``offer``: what the agent last offered ("person"), so a bare yes
    or no answers the offer; ``topic``: words naming the task in progress ("work order
    create"), which a cancel may name ("cancel the work order") where any other noun
    makes it a new request ("cancel my service request"); ``free_text``: the open question
    takes any words, so "I don't know" must be short to be a move ("it stops and I don't
    know why" is an answer), where a question for an id takes it at any length; ``answered``:
    the turn gives a value the task takes ("make it high, the crews can't see the network"),
    so it is no admission of not knowing; ``changes``: the turn gives a value the task holds another of
    ("scrap that, Thursday was right"), so a cancel phrase before it takes back a change, not the request.
    """
    plain = _plain(text)
    if not plain:
        return None
    if offer:
        reply = entities.yes_no(plain)
        if reply.yes is not None and len(reply.rest.split()) <= 3:
            return Move("accept" if reply.yes else "decline")
        if _CANCEL_LAST.search(plain) or drops_request(plain):
            return Move("decline")  # "oh, it's just come back, never mind", "no, leave the Word one"
    said = set(plain.split())
    if _REPEAT_ALONE.match(plain) or (said <= _REPEAT_WORDS and said & _REPEAT_CUES):
        return Move("repeat")
    if _REFERENCE_AGAIN.search(plain) and not leftover(plain, _REFERENCE_AGAIN) and \
            re.search(r"\b(?:reference|ticket|case|number)\b", plain):
        return Move("repeat", _which_reference(plain))
    once_more = bool(_ONCE_MORE.search(plain)) and len(leftover(plain, _ONCE_MORE).split()) <= ONCE_MORE_WORDS
    bad_line = bool(_BAD_LINE.search(plain)) and len(leftover(plain, _BAD_LINE).split()) <= BAD_LINE_WORDS
    if _REPEAT.search(plain) or once_more or bad_line or (_REPEAT_AGAIN.search(plain) and not entities.number_runs(plain)):
        if _PERSON.search(plain):
            return Move("person")  # "can I talk to a real person, I can't hear you properly in this van": who, not again
        about = _which_reference(plain) if re.search(r"\b(?:reference|number|case|ticket|work order)\b", plain) else ""
        return Move("repeat", about)
    asked = [p for p in (_IDENTITY, _ANYONE_THERE, _READ_BY) if p.search(plain)]
    # (Asked in a sentence of its own, whatever the turn says besides: the brain answers the rest after it.)
    alone = [x for x in re.split(r"(?<=[.!?])\s+", text) if any(p.search(_plain(x)) for p in asked)]
    # (Whether a person reads "what I say here, or does it all go into a system?" is asked however long it runs.)
    besides = leftover(plain, *asked, _ASIDE_FIRST).split() if asked else []
    if asked and (len(besides) <= 1
                  or any(len(leftover(_plain(x), *asked, _ASIDE_FIRST).split()) <= 1 for x in alone)
                  or any(_READ_BY.search(_plain(x)) and x.rstrip().endswith("?") for x in alone)):
        if (_PERSON.search(plain) and not any(_PERSON.search(_plain(x)) for x in alone)) or (
                len(besides) > 1 and _PUT_THROUGH.search(" ".join(besides))):
            # "Is this a real person? I'd rather talk to someone on the service desk." ("... I want to speak to one":
            # the router's person)
            return Move("person") if _PERSON.search(plain) else None
        # ("Yes, I'm here" is no answer to "a real person?")
        return Move("identity", "there" if asked == [_ANYONE_THERE] else "reads" if asked == [_READ_BY] else "")
    if _PERSON.search(plain):
        return Move("person")
    if _RESTART.search(plain) and len(leftover(plain, _RESTART).split()) <= 2:
        return Move("restart")
    if _HELP.search(plain) and set(leftover(plain, _HELP).split()) <= _HELP_LEFTOVER:
        return Move("help", "line" if _CAPABILITY.search(plain) else "")
    if not in_task:
        return None
    if _CANCEL_ALONE.match(plain) or (_CANCEL.search(plain) and set(leftover(plain, _CANCEL).split()) <= set(
            _plain(topic).split())) or (_opens_a_sentence(_CANCEL_FIRST, text) and not entities.number_runs(text) and not changes) \
            or any(drops_request(x, topic) for x in re.split(r"(?<=[.!?])\s+", text) if not _CANCEL_FIRST.match(x.lower())) \
            or _LEFT_FOR_OWN_PLAN.search(plain) or NO_NEW_ONE.search(plain) or _CANCEL_LAST.search(plain):
        # "Scrap that, Thursday was right": a cancel phrase before values the task takes takes back a change.
        return Move("cancel")
    rest = leftover(plain, _DONT_KNOW)
    # A short admission, not a description that happens to contain one ("it stops and I don't know why").
    if _DONT_KNOW.search(plain) and not answered and not entities.number_runs(rest) \
            and (len(rest.split()) <= 3 or not free_text):
        return Move("dont_know")
    return None


#: Not knowing an identifier, said inside a request ("..., and I don't know the asset number", "no idea what
#: the tag is"): the noun phrase ends on a word that names an identifier.
_ID_NOUN = r"(?:number|no|tag|id|reference|ref|code|label|serial)"
_ADMISSION = re.compile(
    r"(?:^|[,.;!?]|\b(?:and|but|so)\b)\s*(?:i |we )?(?:(?:really |honestly )?(?:don'?t|do not|dont) (?:know|have|remember)|"
    r"haven'?t(?: got)?|have no|no idea|dunno|not sure (?:of|about)|(?:never|didn'?t|did not) (?:wr[io]te|write|get|got|take|took|note|keep|kept)(?: down)?|"
    r"lost|forgot|forgotten|(?:can'?t|cannot|couldn'?t) (?:find|see|read|remember))"
    r"\s+(?:(?:what|of|about)\s+)?((?:the|its|it'?s|my|our|a|an|any|that)\s+(?:[a-z']+\s+){0,2}?" + _ID_NOUN + r")\b"
    r"(?:\s+(?:is|was|for it|of it|on it|down|on me|with me|to hand|here))?(?:\s+(?:off hand|offhand|sorry))?\s*(?=$|[,.;!?]|\b(?:and|but|so|can you|could you|would you|will you|please)\b)")


def admission(text: str) -> tuple[str, str]:
    """The identifier a request says the caller does not know ("the lab aircon at lakeside has packed in and I
    don't know the asset number": "the asset number") and the request without that clause, which the router
    would take for a look-up. ("", ``text``) when it says none."""
    m = _ADMISSION.search(text.lower())
    if m is None:
        return "", text
    rest = re.sub(r"^(?:and|but|so)\b", "", f"{text[:m.start() + (text[m.start()] in '.!?')]} {text[m.end():]}".strip(" ,;"),
                  flags=re.I)
    rest = re.sub(r"([.!?])[\s.!?,;]+$", r"\1", re.sub(r"\s+([.,;!?])", r"\1", re.sub(r"\s+", " ", rest)))
    return m.group(1), rest.strip(" ,;")


#: A turn in the form of a question or a request ("where's my work order", "can you reset ...", "I need
#: a new ..."), after any lead-in words; an answer to "why?" or "what is wrong?" is a statement.
_ASKS = re.compile(
    r"^(?:(?:and|also|oh|um|uh|er|erm|sorry|actually|so|well|ok|okay|wait|hang on|by the way|btw|another thing|"
    r"one more thing|while i have you|while i'?ve got you)\s+)*"
    # (A clause of time is no question: "when they get there, they should ask for Priya", its verb after its subject.)
    r"(?:what|what'?s|where|where'?s|when(?! (?:i|we|you|they|he|she|it|someone|somebody|(?:the|my|our|a|an) [a-z']+) "
    r"(?!(?:will|would|can|could|is|are|was|were|do|does|did|has|have|should|'s|'re)\b)[a-z']+)|when'?s|who|who'?s|how|how'?s|"
    r"which|can|could|would|will|is|are|do|does|"
    r"did|have|has|i need|i want|i'?d like|i would like|please)\b"
    # ("can't work", "don't know" tell; "isn't it done yet?", "didn't someone come out?" ask)
    r"(?!n?'t\b(?!\s+(?:you|it|i|we|they|he|she|there|that|this|someone|somebody|anyone|anybody)\b))")


#: A count of things the caller has ("three things", "a couple of quick ones", "three for you"): the words of
#: the count, and of the things counted (or "for you" after the count alone).
_COUNT = r"(?:(?:a )?couple(?: of)?|a (?:few|number of|handful of)|two|three|four|five|several|one or two)"
_COUNTED = (r"(?:(?:quick|little|small|different|separate|short|more|other|new)\s+)*"
            r"(?:(?:things?|questions?|issues?|jobs?|requests?|items?|bits?|problems?|queries|query|matters?|ones|faults?|"
            r"tickets?|incidents?|work orders?|calls?)\b(?! (?:ago|back|before)\b)|(?=for you\b))")
#: The caller counting their requests, anywhere in the turn ("two things", "a couple of questions"); not a time
#: ("two calls ago").
SEVERAL = re.compile(rf"\b{_COUNT}\s+{_COUNTED}", re.I)
#: The caller saying there is more than one thing to come before saying any ("I've got three things for you
#: tonight", "a couple of quick questions"): a count of things, with what may stand around it.
ANNOUNCES = (
    r"\b(?:(?:i'?ve|i have|we'?ve|we have|i'?ve got|we'?ve got|i got|got|there'?s|there are|just)\s+)*"
    rf"(?:{_COUNT}|some)\s+{_COUNTED}"
    r"(?:\s*(?:for you|to (?:ask|go through|sort|report|log))){0,2}"
    r"(?:\s+(?:today|tonight|this (?:morning|afternoon|evening)|if (?:that'?s|that is) ok(?:ay)?))?")
_ANNOUNCE = re.compile(ANNOUNCES)


def announcement(text: str) -> tuple[str, str]:
    """The words announcing that several things are coming, and the rest of the turn without them
    ("Evening, Karen Hale here. I've got three things for you tonight." -> that clause, "Evening, Karen Hale
    here."); ("", text) when the turn announces nothing."""
    m = _ANNOUNCE.search(text.lower())
    if m is None:
        return "", text
    return text[m.start():m.end()], (text[:m.start()] + " " + text[m.end():]).strip(" ,.;:-")


def after_restart(text: str) -> str:
    """What follows a start-over said first ("sorry, start again. it's not my password, the VPN says token out of
    sync"): the request told afresh; "" when the turn holds no start-over or little after it."""
    m = _RESTART.search(text.lower())
    before = _RESTART_LEAD.sub(" ", _plain(text[:m.start()])) if m is not None else ""
    if m is None or leftover(before):  # words before it: no start-over of the whole turn
        return ""
    rest = re.sub(r"^[\s,.;:!?-]+", "", text[m.end():])
    return rest if len(leftover(_plain(rest)).split()) >= 3 else ""


#: Asking what the line is for or takes ("what is this number for?", "can you help with computer problems too?",
#: "is this just for the engineers?", "do you deal with printer stuff?"): things of a kind in general (plural, or
#: "stuff"), not one thing of the caller's ("can you help with my laptop?").
_LINE_TAKES = (
    r"(?:what(?: is|'s) this (?:line|number|service) for|what (?:can|do) you do(?: for (?:me|us))?|"
    r"what (?:kind of |sort of )?(?:things |stuff )?can you (?:help (?:me |us )?with|do)|"
    r"(?:is|are) (?:this|it|you) (?:\w+ )?(?:just|only) for|"
    r"(?:can|could|do|will) you (?:also |even )?(?:help|deal|cope|do|handle|take|cover|sort)(?: (?:me|us))?(?: (?:with|out))? "
    r"(?:\w+ ){0,2}(?:problems|issues|stuff|things|questions|faults|calls|queries)(?: (?:too|as well|also|either))?$)")
_LINE_LEAD = r"^(?:(?:hi|hello|hey|sorry|um|er|oh|so|right|ok|okay|and|but|also)\s+)*"


def asks_line(text: str) -> bool:
    """Does the turn ask what this line is for or whether it is the right one ("is this the right number for computer
    problems, or just the pumps?"; "I've just started on reception. What is this number for?"), in a sentence of its
    own? What else the turn says may be a request of its own, which the router judges."""
    sentences = [_plain(x) for x in re.split(r"(?<=[.!?])\s+|,\s+(?:or|and)\s+", text.strip())]
    return any(re.match(rf"{_LINE_LEAD}(?:{_LINE_QUESTION}\b|{_LINE_TAKES})", x) for x in sentences)


def asks(text: str) -> bool:
    """Is ``text`` put as a question or a request (so mid-answer it may be a new one)?"""
    return bool(_ASKS.match(_plain(text)))


# --- corrections ---------------------------------------------------------------------

_NEGATION = {"not", "isn't", "isnt", "wasn't", "wasnt", "instead"}
#: Words between "not" and the value it negates ("not the site twelve", "not priority medium").
_NEGATED_LEAD = {"the", "a", "an", "site", "priority", "number", "tag", "asset", "it", "that", "its", "it's", "of",
                 # hedges: "not really a fault" takes back the fault, not the word "really"
                 "really", "exactly", "quite", "actually", "so", "very",
                 # where or when the caller is not: "I'm not here in the mornings" takes back the mornings
                 "here", "there", "around", "about", "available", "free", "in", "on", "at", "during"}


def without_negated(text: str) -> str:
    """``text`` without the values the caller said it is NOT: "critical, not medium" -> "critical";
    "not thirty, thirteen" -> "thirteen"; "site fourteen not twelve" -> "site fourteen"."""
    return split_negated(text)[0]


#: A value turned down after it is said ("the morning's no good", "Tuesday won't work for us").
_TURNED_DOWN = re.compile(r"\b(?:(?:the|that|this)\s+)?([a-z0-9]+)(?:'s|\s+is|\s+are|\s+was)?\s+(?:no good|"
                          r"(?:doesn'?t|does not|won'?t|will not) (?:work|suit|do) for (?:me|us)\b)", re.I)


def split_negated(text: str) -> tuple[str, list[str]]:
    """(what the caller means, the values they said it is not).

    After a negation word the first value is dropped: a number, a code (letters then a
    number) or one word. "rather than X" / "instead of X" count as negations too, and so does a
    value turned down after it ("the morning's no good").
    """
    turned = [m.group(1).lower() for m in _TURNED_DOWN.finditer(text)]
    if turned:
        kept, negated = split_negated(_TURNED_DOWN.sub(" ", text))
        return kept, [*turned, *negated]
    toks = entities.tokens(text)
    runs = {r.start: r for r in entities.number_runs(text)}
    keep: list[str] = []
    negated: list[str] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        negation = tok in _NEGATION or (tok == "rather" and i + 1 < len(toks) and toks[i + 1] == "than")
        if not negation:
            keep.append(tok)
            i += 1
            continue
        i += 2 if tok == "rather" or (tok == "instead" and i + 1 < len(toks) and toks[i + 1] == "of") else 1
        start = i
        while i < len(toks) and toks[i] in _NEGATED_LEAD and i not in runs:
            i += 1
        j = i
        while j < len(toks) and j not in runs and j - i < 4 and (
                (len(toks[j]) <= 2 and toks[j].isalpha()) or (toks[j] == "-" and j > i)):
            j += 1  # the letters of a code ("A one two three", "W O ...", "T-1402")
        said_before = {r.digits for at, r in runs.items() if at < start}
        if j in runs and j > i:
            i = runs[j].end
        elif i in runs and runs[i].end - i > 1 and entities.numbers(toks[i]) \
                and str(entities.numbers(toks[i])[0]) in said_before:
            i += 1  # "site thirteen, no, not thirteen thirty": the number taken back, then the one meant
        elif i in runs:
            i = runs[i].end
        elif i < len(toks) and toks[i] not in ",;.?!":
            i += 1
        if i > start:  # ("... a replacement instead?": a negation with nothing after it takes nothing back)
            negated.append(" ".join(toks[start:i]))
    return " ".join(keep), negated


def negates(text: str) -> bool:
    """Does the turn name a value it does not mean ("not medium")?"""
    return bool(set(entities.tokens(text)) & _NEGATION) or "rather than" in text.lower() or bool(_TURNED_DOWN.search(text))


# --- loops ---------------------------------------------------------------------------

#: Times the same question may be asked in a row before the caller is offered another way.
STRIKE_LIMIT = 2


def question_of(replies: Sequence[str]) -> str:
    """The question a reply ends on (its last sentence, normalised), or "" when it asks nothing."""
    if not replies:
        return ""
    last = re.split(r"(?<=[.!?])\s+", replies[-1].strip())[-1]
    return _plain(last) if last.endswith("?") else ""


def strikes(previous: str, previous_count: int, current: str) -> int:
    """How many times in a row ``current`` has now been asked (1 for a new question)."""
    if not current:
        return 0
    return previous_count + 1 if current == previous else 1
