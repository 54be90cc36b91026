"""Spoken numbers: the words recognisers write for digits, and the digits they stand for.

Callers read numbers as digit words ("four two five"), teens and tens ("forty one",
"twelve"), "double"/"triple", hundreds ("five hundred twelve"), digit groups mixed in
("276 forty one 0093"), a leading "plus", and fillers between groups ("uh", "then").
``SPOKEN_NUMBER`` finds such a run; ``number_digits`` reads it. What the digits are (a phone
number, an SSN, a work order) is for the caller of these to decide from the words around.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "naught": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8",
         "ninety": "9"}  # fmt: skip


def _alternation(words: list[str]) -> str:
    return f"(?:{'|'.join(sorted(words, key=len, reverse=True))})"  # longest first: "seventeen" before "seven"


NUM_WORD = _alternation([*_DIGIT_WORDS, *_TEENS, *_TENS, "hundred"])
# Cardinal words alone (house numbers, dates): the digit words but those for zero, and the rest.
CARDINAL_WORD = _alternation([w for w, d in _DIGIT_WORDS.items() if d != "0"] + [*_TEENS, *_TENS, "hundred", "thousand"])
DIGIT = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_NUM_TOKEN = rf"(?:(?:double|triple)\s+)?(?:hundred\s+and\b|{NUM_WORD}|\d{{1,4}})"
_NUM_GAP = r"(?:[\s,.]*\s(?:(?:uh|um|er|erm|ah|then|and\s+then|dash|hyphen)[\s,.]*\s)*|[\s,.]*-[\s,.]*)"
SPOKEN_NUMBER = re.compile(rf"(?<![\w'-])(?:plus\s+)?{_NUM_TOKEN}(?:{_NUM_GAP}{_NUM_TOKEN})*(?![\w'-])", _I)
_NUMBER_PIECE = re.compile(rf"double|triple|\band\b|{NUM_WORD}|\d+", _I)
HAS_NUMBER_WORD = re.compile(rf"\b{NUM_WORD}\b", _I)
NUMBER_WORDS = frozenset([*_DIGIT_WORDS, *_TEENS, *_TENS, "hundred", "thousand"])


def number_digits(spoken: str) -> str:
    """The digits a spoken number stands for: "double five" 55, "forty one" 41, "twelve" 12,
    "five hundred twelve" 512, "six hundred and one" 601, but "eight hundred five five" 80055."""
    digits: list[str] = []
    repeat = 1
    tens = ""
    hundred = ""  # "bare" right after "hundred", "and" after "hundred and"

    def put(value: str, word: bool) -> None:
        nonlocal hundred
        if hundred and word and (hundred == "and" or len(value) == 2):
            digits[-1] = value.zfill(2)
        else:
            digits.append(value)
        hundred = ""

    for piece in _NUMBER_PIECE.findall(spoken):
        w = piece.lower()
        if w in ("double", "triple"):
            repeat = 2 if w == "double" else 3
            continue
        if w == "and":
            hundred = "and" if hundred else ""
            continue
        unit = _DIGIT_WORDS.get(w)
        if tens and unit and unit != "0" and repeat == 1:
            put(tens + unit, True)  # "forty one"
            tens = ""
            continue
        if tens:
            put(tens + "0", True)
            tens = ""
        if w in _TENS:
            tens = _TENS[w]
        elif w == "hundred":
            digits.append("00")
            hundred = "bare"
        elif w.isdigit():
            put(w, False)
        else:
            put((unit or _TEENS[w]) * repeat, repeat == 1)
        repeat = 1
    if tens:
        put(tens + "0", True)
    return "".join(digits)
