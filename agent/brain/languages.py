"""Callers who open in another language than English: what they are told, and what the case says.

The agent only works in English. A caller the recogniser hears in another language on
the first turns is told, in that language when it is one below, that a person will take
the call, and is passed to one; the case names the language so the desk can find someone
who speaks it. Adding a language is adding its sentence here (a fixed, short sentence:
the caller has not understood anything else yet).
"""

from __future__ import annotations

#: A language is noticed on this many caller turns at most: later, the call is under way in English
#: and a turn in another language is more likely a misheard English one.
FIRST_TURNS = 2

#: "Sorry, I only speak English. I am passing you to a person. One moment, please."
PASSING_ON: dict[str, str] = {
    "es": "Lo siento, solo hablo inglés. Le paso con una persona. Un momento, por favor.",
    "fr": "Désolé, je ne parle qu'anglais. Je vous passe une personne. Un instant, s'il vous plaît.",
    "de": "Entschuldigung, ich spreche nur Englisch. Ich verbinde Sie mit einer Person. Einen Moment bitte.",
    "pl": "Przepraszam, mówię tylko po angielsku. Łączę z konsultantem. Proszę chwilę poczekać.",
    "it": "Mi dispiace, parlo solo inglese. La passo a una persona. Un momento, per favore.",
    "pt": "Desculpe, só falo inglês. Vou passá-lo a uma pessoa. Um momento, por favor.",
    "nl": "Sorry, ik spreek alleen Engels. Ik verbind u door met een medewerker. Een moment, alstublieft.",
}
#: Said after that sentence, and alone for a language without one: an English caller misheard as
#: another language still understands what happens.
PASSING_ON_ENGLISH = "I am passing you to a person. One moment, please."

#: English names for the case and the briefing (Whisper's codes; others are shown as the code).
NAMES: dict[str, str] = {
    "es": "Spanish", "fr": "French", "de": "German", "pl": "Polish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "ro": "Romanian", "tr": "Turkish", "ar": "Arabic",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "hi": "Hindi", "vi": "Vietnamese", "cs": "Czech",
    "hu": "Hungarian", "sv": "Swedish", "el": "Greek",
}


def name(code: str) -> str:
    return NAMES.get(code, f"language code {code!r}")


def foreign(language: str | None, turn: int) -> bool:
    """Whether caller turn number ``turn`` (1-based), heard in ``language``, is a caller who does not speak English."""
    return language not in (None, "en") and turn <= FIRST_TURNS


def passing_on(language: str) -> list[tuple[str, str]]:
    """What the caller is told before the hand-over: (sentence, the language it is said in)."""
    own = [(PASSING_ON[language], language)] if language in PASSING_ON else []
    return [*own, (PASSING_ON_ENGLISH, "en")]
