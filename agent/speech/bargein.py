"""Is caller speech heard over the agent an interruption, or only a backchannel? (pure)

People say "mm-hm", "okay", "yeah" while someone talks to show they are listening, not to
take the turn. The acoustic side is settled before this is asked (a voice model confirms a
voice, so coughs and steady noise never get here, see ``LocalChannel``); this judges the
words of the speculative transcript: a word that is not a backchannel means the caller
wants the turn; backchannel words alone do not, unless the caller goes on talking past
``BACKCHANNEL_MAX_MS``. No words yet (the recogniser needs more than the first few hundred
ms of most words) counts as an interruption: the agent stops at once and, if no caller
turn forms, the conversation resumes where it was cut.
"""

from __future__ import annotations

import re

#: Voiced speech after which a caller who keeps talking wants the turn, whatever the words
#: ("yeah, okay, sure, right" is as long as a backchannel gets; a single one is 300-900 ms).
BACKCHANNEL_MAX_MS = 1200

#: Listener responses: a category of English, not a list of test phrases (hums are ``_HUM``).
_BACKCHANNEL_WORDS = frozenset(
    "aha huh ok okay k yeah yep yup yes ya "
    "right alright sure fine cool great good nice perfect lovely exactly true indeed totally absolutely gotcha "
    "thanks".split()
)
#: Two-word backchannels whose words alone are not ("i", "go", "got" start real requests).
_BACKCHANNEL_PAIRS = frozenset({("i", "see"), ("got", "it"), ("go", "on"), ("all", "right"), ("thank", "you"),
                                ("that's", "right"), ("of", "course"), ("makes", "sense"), ("sounds", "good")})
#: Hums and hesitations however the recogniser spells them: "mmmm", "hmm", "mhm", "uhm", "ahh", "ohh", "erm".
_HUM = re.compile(r"[mhn]+|u+[hm]+|a+h+|o+h+|e+[hmr]+")
#: What the recogniser writes for sounds that are not words: "(coughs)", "[BLANK_AUDIO]", "*sigh*".
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")
_WORD = re.compile(r"[a-z0-9']+(?:-[a-z0-9']+)*")


def words(text: str) -> list[str]:
    """The spoken words of a transcript, lower-case, annotations of non-speech sounds removed."""
    return _WORD.findall(_ANNOTATION.sub(" ", text.lower()))


def _is_backchannel_word(word: str) -> bool:
    return all(p in _BACKCHANNEL_WORDS or _HUM.fullmatch(p) for p in word.split("-"))  # "mm-hm", "uh-huh"


def is_backchannel(text: str) -> bool:
    """True if ``text`` has words and every one belongs to a backchannel ("Okay.", "Mm-hm, I see.")."""
    ws = words(text)
    i = 0
    while i < len(ws):
        if tuple(ws[i : i + 2]) in _BACKCHANNEL_PAIRS:
            i += 2
        elif _is_backchannel_word(ws[i]):
            i += 1
        else:
            return False
    return bool(ws)


def interrupts(text: str, voiced_ms: float) -> bool:
    """Should a voice heard over the agent, transcribed so far as ``text`` after ``voiced_ms`` of speech, stop it?"""
    if not words(text):
        return True  # a voice without words yet: most often the start of a request
    return not is_backchannel(text) or voiced_ms >= BACKCHANNEL_MAX_MS
