"""Is the caller's turn a yes to the agent's yes/no question, said in words no list holds? (pure: no I/O)

``entities.yes_no`` knows the common yes and no words. Callers assent in many more ways ("go for it",
"crack on", "by all means"); a closed list never ends. Here a short turn that holds no value and no
negation is compared in meaning (the router's sentence encoder, passed in) with ways of saying yes and
with the other things a caller says to a yes/no question instead (wait, repeat, cancel, not sure). It
counts as a yes only when it is near a yes and clearly nearer than to any of those. A "no" is never
judged so: the encoder hardly tells "send it" from "don't send it", so only the negation-free turn is
judged, and only toward yes.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

#: Auxiliary and modal verbs that open a yes/no question (and their negative forms).
AUXILIARIES = frozenset(
    "is are was were am do does did shall should can could will would may might must have has had "
    "isn't aren't wasn't weren't don't doesn't didn't shouldn't can't couldn't won't wouldn't haven't hasn't".split())
#: Verbs of saying: "Could you tell me ...?" asks the caller to say something, not to say yes.
SAYING = frozenset("say tell give spell read repeat describe explain confirm name let send".split())

#: Ways of saying yes to "Shall I go ahead?" / "Is that right?".
ASSENT = ("yes", "yes please", "go ahead", "please go ahead", "that's right", "that is correct", "do it", "please do",
          "sounds good", "that's fine", "send it", "carry on", "proceed", "all good", "that works", "perfect",
          "submit it", "agreed", "of course", "certainly", "definitely", "that's the one", "ok then", "fine by me")
#: What else a caller says to a yes/no question: not an assent, whatever words it shares with one.
OTHER = ("no", "forget it", "leave it", "cancel", "hang on", "wait a second", "hold on", "say that again",
         "what?", "sorry?", "pardon", "I don't know", "I'm not sure", "let me think", "who is this",
         "can you repeat that", "I need a person", "thank you", "goodbye", "hello", "what was the number",
         # hedges and choices: not a yes either
         "maybe", "possibly", "I suppose so", "I guess", "the other one", "the first one")
#: A go-ahead said as an order to get on with it ("crack on", "bang it in", "fire away", "send it off", "on you
#: go"): a verb of going or sending with its particle, which the encoder hears as "hold on" as often as "carry on".
_PROCEED = re.compile(
    r"^(?:(?:yes|yeah|yep|aye|ok|okay|right|sure|great|lovely|cheers)\s+)*(?:(?:just|please|you)\s+)?"
    r"(?:(?:go|crack|carry|press|push|fire|get|move|send|bang|stick|pop|put|shove|book|log|file|raise|submit|lodge)"
    r"(?:\s+(?:it|that|them|this|one))?(?:\s+(?:on|ahead|away|in|through|off|forward|along))?|(?:on|away|off) you go|"
    r"get (?:it|that|this|them) (?:logged|booked|sent|raised|lodged|submitted|done|in|through))"
    r"(?:\s+(?:then|mate|please|pal|love|now|thanks|cheers))*$")
#: Words that turn a yes into a no or a wait: such a turn is never judged by meaning.
_NEGATION = re.compile(r"\b(?:no|not|never|don'?t|do not|doesn'?t|isn'?t|won'?t|wait|hold|stop|cancel|leave|forget|"
                       r"nope|nah|hang|but|except|unless|or)\b|n't\b")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: Longer turns say more than yes or no: the dialogue's other readings decide.
MAX_WORDS = 5
#: How near a yes must be, and how much nearer than anything else (cosine; measured in tests/unit/test_acts.py).
YES_FLOOR = 0.5
YES_MARGIN = 0.1


def yes_no_question(said: str) -> bool:
    """Does the agent's last sentence ask for a yes or a no ("Shall I go ahead?", "Is that right?")? A question
    that opens with an auxiliary verb and offers no alternatives; "Could you tell me ...?" asks for words."""
    sentences = [s.strip() for s in re.findall(r"[^.?!]+[.?!]*", said or "") if s.strip()]
    if not sentences or not sentences[-1].endswith("?"):
        return False
    words = re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", sentences[-1].lower())
    if not words or words[0] not in AUXILIARIES or "or" in words:
        return False
    rest = [w for w in words[1:] if w != "please"]
    return not (len(rest) >= 2 and rest[0] == "you" and rest[1] in SAYING)


def assents(text: str, similar: Callable[[str, Sequence[str]], Sequence[float]]) -> bool:
    """Is ``text`` (a caller's whole turn) a yes by its meaning? See the module's docstring."""
    low = text.strip().lower()
    words = _WORD.findall(low)
    if not words or len(words) > MAX_WORDS or re.search(r"\d", low) or _NEGATION.search(low):
        return False
    if _PROCEED.match(" ".join(words)) and len(words) > 1:
        return True
    near = list(similar(low, [*ASSENT, *OTHER]))
    yes, other = max(near[:len(ASSENT)]), max(near[len(ASSENT):])
    return yes >= YES_FLOOR and yes - other >= YES_MARGIN
