"""Parse what callers say into typed values: numbers, codes, sites, dates, yes/no, e-mails.

Pure functions over transcript text (speech recogniser output, typed text or DTMF
digits). Speech spells things out ("W O one oh two three four", "forty five twelve",
"tomorrow morning"), so every parser accepts both the written and the spoken form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping

UNITS = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000}
#: Homophones recognisers produce for digits.
ALIASES = {"to": None, "too": 2, "for": None, "won": 1, "ate": 8, "tree": 3, "fower": 4, "niner": 9}
ZERO_WORDS = {"oh", "o"}
#: The homophones of ``ALIASES`` that are words too ("for", "to"), read as digits only where a number must go on.
_AND_HOMOPHONES = {"for": "four", "to": "two", "too": "two"}

#: Spoken letter names and the NATO alphabet.
LETTER_NAMES = {
    "bee": "B", "see": "C", "sea": "C", "cee": "C", "dee": "D", "eff": "F", "gee": "G",
    "aitch": "H", "jay": "J", "kay": "K", "el": "L", "em": "M", "en": "N", "pee": "P",
    "cue": "Q", "queue": "Q", "ess": "S", "tee": "T", "vee": "V", "ex": "X", "zed": "Z", "zee": "Z",
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E",
    "foxtrot": "F", "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "kilo": "K",
    "lima": "L", "mike": "M", "november": "N", "oscar": "O", "papa": "P", "quebec": "Q",
    "romeo": "R", "sierra": "S", "tango": "T", "uniform": "U", "victor": "V",
    "whiskey": "W", "whisky": "W", "xray": "X", "yankee": "Y", "zulu": "Z",
}
DASH_WORDS = {"dash", "hyphen", "-", "minus"}

#: Longer digit runs are not numbers anyone says (and int() refuses > 4300 digits).
MAX_DIGITS = 30
#: Digits a record's number has at the least (WO-10003): fewer is a quantity or a tag, not a record said bare.
RECORD_DIGITS = 5
#: The most digits an id of the line has (WO-10234, E10482): a longer join across a pause is no id.
MAX_ID_DIGITS = 6

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|-|[.,;:!?]")


#: Recognisers write digits said one by one as "1-2-3": that is 123, not a range.
_SPELLED_DIGITS = re.compile(r"\b\d(?:-\d)+\b")


_REPEATED_DIGIT = re.compile(r"\b(double|triple)-(?!u\b)([a-z]+)\b")
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
#: Digit words written with hyphens between them ("one-zero-zero-zero-five"): one digit each, as if spaced.
_HYPHENED_DIGIT_WORDS = re.compile(rf"\b(?:{_DIGIT_WORD}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
                                   rf"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
                                   rf"(?:-{_DIGIT_WORD}){{2,}}\b|\b{_DIGIT_WORD}(?:-{_DIGIT_WORD})+\b")  # ("ten-oh-oh-one")


def tokens(text: str) -> list[str]:
    """Lower-case word, digit-run, dash and punctuation tokens; x-ray becomes xray; 1-2-3 becomes 123."""
    text = _SPELLED_DIGITS.sub(lambda m: m.group(0).replace("-", ""), text.lower())
    text = _REPEATED_DIGIT.sub(r"\1 \2", text)  # "double-oh", "triple-seven": a digit said twice or three times
    text = _HYPHENED_DIGIT_WORDS.sub(lambda m: m.group(0).replace("-", " "), text)
    return _TOKEN.findall(text.replace("x-ray", "xray").replace("double-u", "doubleu"))


def _single_digit(tok: str) -> bool:
    return (tok.isdigit() and len(tok) == 1) or (tok in UNITS and UNITS[tok] < 10) or tok in ZERO_WORDS


def _digit_chain(toks: list[str], comma: int) -> int:
    """How many single digits the comma-separated chain through ``toks[comma]`` holds ("three, zero,
    two" is 3); 0 when the comma does not sit between two. Short chains are lists ("4, 5 and 6")."""
    if not (_single_digit(toks[comma - 1]) and comma + 1 < len(toks) and _single_digit(toks[comma + 1])):
        return 0
    count, j = 2, comma - 2
    while j >= 1 and toks[j] == "," and _single_digit(toks[j - 1]):
        count, j = count + 1, j - 2
    j = comma + 2
    while j + 1 < len(toks) and toks[j] == "," and _single_digit(toks[j + 1]):
        count, j = count + 1, j + 2
    return count


def _is_num_word(tok: str) -> bool:
    return tok.isdigit() or tok in UNITS or tok in TEENS or tok in TENS or tok in SCALES


class _Chunker:
    """Builds one compositional number ("one hundred and four") at a time."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.value: int | None = None
        self.last = ""  # kind of the last token: unit | teen | tens | scale | digits

    def flush(self) -> None:
        if self.value is not None:
            self.chunks.append(str(self.value))
        self.value, self.last = None, ""

    def push(self, tok: str) -> None:
        if tok.isdigit():
            self.flush()
            self.chunks.append(tok)
            return
        if tok in SCALES:
            scale = SCALES[tok]
            if self.value is None:
                self.value = 1
            if self.value % scale == 0 and self.value >= scale:
                self.flush()
                self.value = scale
            else:
                self.value *= scale
            self.last = "scale"
            return
        n = UNITS.get(tok, TEENS.get(tok, TENS.get(tok)))
        assert n is not None
        kind = "unit" if tok in UNITS else "teen" if tok in TEENS else "tens"
        v = self.value
        if v is not None and self.last == "tens" and kind == "unit" and n > 0:
            self.value = v + n
        elif v is not None and self.last == "scale" and n < (100 if v % 1000 else 1000):
            self.value = v + n
            self.last = "tens" if kind == "tens" else kind
            return
        else:
            self.flush()
            self.value = n
        self.last = kind


#: Words after a number that make it a time, not part of an id ("two days ago", "ten minutes").
TIME_UNITS = frozenset({"second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "day", "days",
                        "week", "weeks", "month", "months", "year", "years", "ago"})


@dataclass(frozen=True)
class NumberRun:
    """A run of number words/digits in the text, as the digit string it spells."""

    digits: str
    start: int  # token index
    end: int  # token index, exclusive


def words_besides_numbers(said: str) -> list[str]:
    """The words of ``said`` that are not part of a number said aloud ("S R three zero zero zero three": s, r)."""
    toks = tokens(said)
    inside = {i for r in number_runs(said) for i in range(r.start, r.end)}
    return [w for i, w in enumerate(toks) if i not in inside and w.isalpha()]


def number_runs(text: str) -> list[NumberRun]:
    """Every spoken or written number in ``text``, in order.

    "four five one two" -> "4512"; "one hundred and four" -> "104"; "forty five twelve"
    -> "4512"; "double four" -> "44"; "oh" is zero inside a run ("one oh two").
    """
    toks = tokens(text)
    runs: list[NumberRun] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        leading_zero = tok in ZERO_WORDS and (nxt in UNITS or nxt.isdigit() or nxt in ZERO_WORDS)
        if tok == "one" and i > 0 and toks[i - 1] in _ONE_AFTER - {"the", "no", "any", "each", "every", "which"} \
                and i + 1 < len(toks) and (toks[i + 1] in UNITS or toks[i + 1] in ZERO_WORDS):
            i += 1  # "the other one, one zero zero zero six": the pronoun, then the number
            continue
        if leading_zero:
            # "oh three two oh": a run may start with "oh" when digits follow it directly.
            chunker, start = _Chunker(), i
            chunker.chunks.append("0")
            i += 1
        elif not (_is_num_word(tok) or (tok in ("a",) and i + 1 < len(toks) and toks[i + 1] in SCALES)
                or (tok in ("double", "triple") and i + 1 < len(toks)
                    and (_is_num_word(toks[i + 1]) or toks[i + 1] in ZERO_WORDS))):
            i += 1
            continue
        else:
            chunker, start = _Chunker(), i
        while i < len(toks):
            tok = toks[i]
            if tok == "a" and i + 1 < len(toks) and toks[i + 1] in SCALES and chunker.value is None:
                i += 1
                continue
            if tok in ("double", "triple") and i + 1 < len(toks) and (
                    toks[i + 1] in UNITS or toks[i + 1] in ZERO_WORDS or re.fullmatch(r"\d", toks[i + 1])):
                # "double four", "double oh", and "double 4" as a recogniser writes it
                digit = toks[i + 1] if toks[i + 1].isdigit() else str(UNITS.get(toks[i + 1], 0))
                chunker.flush()
                chunker.chunks.append(digit * (2 if tok == "double" else 3))
                i += 2
                continue
            if tok == "," and _digit_chain(toks, i) >= 3:
                i += 1  # "three, zero, two, zero": an id read out digit by digit, with a pause after each
                continue
            if tok == "-" and chunker.last == "tens" and i + 1 < len(toks) and toks[i + 1] in UNITS:
                i += 1  # "forty-five"
                continue
            if tok == "and" and chunker.last == "scale":
                # "ten thousand and... two": a pause after the "and" is still the same number
                j = i + 1
                while j < len(toks) and j - i <= 3 and toks[j] in (".", ","):
                    j += 1
                if j < len(toks) and _is_num_word(toks[j]):
                    i = j
                    continue
                if j < len(toks) and toks[j] in _AND_HOMOPHONES:
                    # "ten thousand and for": after a scale's "and" the number goes on, so the word that sounds
                    # like a digit is that digit, as a recogniser that wrote it by sound heard it
                    chunker.push(_AND_HOMOPHONES[toks[j]])
                    i = j + 1
                    break
            if tok in ZERO_WORDS and (chunker.value is not None or chunker.chunks):
                chunker.flush()
                chunker.chunks.append("0")
                i += 1
                continue
            if tok in _AND_HOMOPHONES and chunker.chunks and i + 1 < len(toks) \
                    and (toks[i + 1] in UNITS or toks[i + 1] in ZERO_WORDS or re.fullmatch(r"\d", toks[i + 1])):
                # "e one oh for eight two": read digit by digit, a word that sounds like a digit between digits is one
                # ("five to nine", a time, has said no digit on its own before it)
                chunker.flush()
                chunker.chunks.append(str(UNITS[_AND_HOMOPHONES[tok]]))
                i += 1
                continue
            if tok in ALIASES and ALIASES[tok] is not None and (chunker.value is not None or chunker.chunks):
                chunker.flush()
                chunker.chunks.append(str(ALIASES[tok]))
                i += 1
                continue
            if not _is_num_word(tok):
                break
            if len("".join(chunker.chunks)) >= 3 and tok in UNITS and i + 1 < len(toks) and toks[i + 1] in _QUANTITY_NOUNS:
                break  # "incident two zero zero zero three two days ago": the last "two" counts the days
            chunker.push(tok)
            i += 1
        chunker.flush()
        if i == start:
            i += 1  # nothing taken ("double 45"): never the same word again, or the loop would not end
            continue
        if chunker.chunks and not _pronoun_one(toks, start, i):
            runs.append(NumberRun("".join(chunker.chunks), start, i))
    return runs


#: What a small number after an id read digit by digit may count instead ("... three two days ago").
_QUANTITY_NOUNS = {"days", "day", "hours", "hour", "weeks", "week", "months", "month", "years", "minutes", "times",
                   "people", "of", "more", "goes", "attempts", "tries",
                   # "e one oh five three three two things": the caller counting what they have to say
                   "things", "questions", "issues", "problems", "requests", "jobs"}


#: Words before a lone "one" that make it a pronoun ("the second one", "that one"), not a number.
_ONE_AFTER = {"the", "that", "this", "which", "each", "every", "any", "no", "other", "another", "new", "old",
              "first", "second", "third", "last", "next", "same", "right", "wrong", "big", "small", "little"}


def _pronoun_one(toks: list[str], start: int, end: int) -> bool:
    """A lone "one" that stands for a thing ("the second one", "one of the pumps"), not a number."""
    if toks[start:end] != ["one"]:
        return False
    return (start > 0 and toks[start - 1] in _ONE_AFTER) or (end < len(toks) and toks[end] == "of")


def numbers(text: str) -> list[int]:
    """Every number in ``text`` as an int (see ``number_runs``); absurdly long digit runs are skipped."""
    return [int(r.digits) for r in number_runs(text) if len(r.digits) <= MAX_DIGITS]


def first_number(text: str) -> int | None:
    found = numbers(text)
    return found[0] if found else None


def dtmf_digits(text: str) -> str:
    """The digits of a DTMF string ("4512#" -> "4512"); '*' and '#' are terminators."""
    return "".join(ch for ch in text if ch.isdigit())


def _letter(tok: str, original_upper: set[str]) -> str | None:
    if len(tok) == 1 and tok.isalpha():
        return tok.upper()
    if tok in LETTER_NAMES:
        return LETTER_NAMES[tok]
    if tok == "doubleu":
        return "W"
    if tok in original_upper and len(tok) <= 5:
        return tok.upper()
    return None


def codes(text: str, prefixes: Iterable[str] = ()) -> list[str]:
    """Letter-then-number codes said or written in ``text``: asset tags, ticket numbers.

    "A one two three" -> "A123"; "P dash forty five twelve" -> "P-4512";
    "W O one oh two three four" -> "WO10234"; "WO-10234" -> "WO-10234".
    A dash is kept only when it was said or written; callers match against their own
    pattern with ``match_code``. ``prefixes`` are multi-letter prefixes we expect
    ("WO", "INC") so that "wo 10234" in lower case is recognised too.
    """
    prefixes = list(prefixes)
    text = _kind_names_to_prefixes(text, prefixes)
    upper_words = {w.lower() for w in re.findall(r"\b[A-Z]{2,5}(?=\d|-|\b)", text)}
    upper_words |= {p.lower() for p in prefixes}
    toks = tokens(text)
    runs = {r.start: r for r in number_runs(text)}
    found: list[str] = []
    i = 0
    while i < len(toks):
        letters: list[str] = []
        j = i
        while j < len(toks) and j not in runs:
            if (toks[j] == "." and letters) or (toks[j] == "," and letters and (len(toks[j - 1]) == 1 or toks[j - 1] in LETTER_NAMES)
                                                  and (j + 1 in runs or (j + 1 < len(toks) and (
                                                      toks[j + 1] in DASH_WORDS or (len(toks[j + 1]) == 1 and toks[j + 1].isalpha()))))):
                # "w.o. 10001"; "g, three, zero, two, zero" and "W, O, one, zero, ..." read out with a pause after each
                # ("the GIS, thirty thousand and three" is a word, then a number of its own)
                j += 1
                continue
            letter = _letter(toks[j], upper_words)
            if letter is None:
                break
            letters.append(letter)
            j += 1
        dash = False
        if letters and j < len(toks) and toks[j] in DASH_WORDS:
            dash, j = True, j + 1
            if j + 1 in runs and toks[j] == ",":
                j += 1  # "G, dash, three oh two oh": the dash read out with a pause on either side
        if letters and j in runs and runs[j].end < len(toks) and toks[runs[j].end] in TIME_UNITS:
            i = runs[j].end  # "I logged a ticket two days ago": how long, not a number of the ticket
            continue
        if letters and j in runs:
            run = runs[j]
            readings = [("".join(letters), run.digits)]
            joined, end = _dash_chain(toks, runs, run)
            if end > run.end:
                # "E10-482": recognisers group digits said one by one; the whole chain may be one number.
                readings.insert(0, ("".join(letters), joined))
                run = NumberRun(joined, run.start, end)
            if toks[j] in ZERO_WORDS and not dash:
                # "W O one two": the O may be a letter rather than a zero.
                readings.append(("".join(letters) + "O", run.digits[1:]))
            # Longest prefix first, then shorter ones: "s A one two three" may mean A123.
            for head, digits in readings:
                # A record's own letters said ("w o one double oh oh seven") are that record's, never a shorter code.
                for k in range(1 if head in KIND_NAMES else len(head)):
                    found.append(head[k:] + ("-" if dash else "") + digits)
            i = run.end
            continue
        i = max(i + 1, j if letters else i + 1)
    return found


def _dash_chain(toks: list[str], runs: Mapping[int, NumberRun], run: NumberRun) -> tuple[str, int]:
    """The digits of ``run`` and of the digit groups joined after it ("10-482", "ten, six twenty"), and where they end."""
    digits, end = run.digits, run.end
    while end + 1 < len(toks) and end + 1 in runs and (
            (toks[end] == "-" and toks[end + 1].isdigit())
            # "E, ten, six twenty": groups said with a pause, while what came before is too short to be an id
            or (toks[end] == "," and len(digits) < 3)
            # "three double-oh, oh two": a group that starts with a zero is no quantity of its own
            or (toks[end] == "," and runs[end + 1].digits.startswith("0") and len(digits + runs[end + 1].digits) <= MAX_ID_DIGITS)
            # "E one oh four, eight two": an id read back in groups, as the agent itself reads them out
            or (toks[end] == "," and _digit_by_digit(toks, run.start, end) and _digit_by_digit(toks, end + 1, runs[end + 1].end)
                and len(runs[end + 1].digits) >= 2 and len(digits + runs[end + 1].digits) <= MAX_ID_DIGITS)):
        nxt = runs[end + 1]
        digits, end = digits + nxt.digits, nxt.end
    return digits, end


def _digit_by_digit(toks: list[str], start: int, end: int) -> bool:
    """Is every word of ``toks[start:end]`` one digit ("one oh four"), not a number said whole ("a hundred and four")?"""
    return end > start and all(_single_digit(t) or t in ("double", "triple", ",") for t in toks[start:end])


_ENDING = re.compile(r"\b(?:ends?|ending|finishes|finishing) (?:in|with|on) ([^.,;!?]+)")


def id_ending(text: str) -> str | None:
    """The last digits of an id the caller remembers only in part ("the number ends in six", "the one
    ending in oh two"): "6", "02"; None when no ending is said."""
    m = _ENDING.search(text.lower())
    runs = number_runs(m.group(1)) if m else []
    return runs[0].digits if runs and runs[0].start == 0 else None


_CODE_WORDS = re.compile(r"[a-z]|\d+|-|[.,;:!?]")


def only_codes(text: str) -> bool:
    """Is ``text`` nothing but letters, digits and number words ("E10-482", "A one two three")?

    Such a turn states an identifier and asks for nothing, so mid-task it is an attempt
    at an answer, however much it resembles an asset tag to the router.
    """
    toks = tokens(text)
    return bool(toks) and all(_CODE_WORDS.fullmatch(t) or t in LETTER_NAMES or _is_num_word(t)
                              or t in ZERO_WORDS or t in DASH_WORDS for t in toks)


#: What callers call a ticket kind instead of its letters ("work order 10001" is WO-10001).
KIND_NAMES = {
    "WO": ("work order", "work-order", "job"),
    "INC": ("incident", "ticket", "in c"),  # ("in c": how a recogniser writes the letters said as a word)
    "SR": ("service request", "request"),
    "VIS": ("visit",),
}
_NUMBER_START = r"(?=\d|(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)"


def _kind_names_to_prefixes(text: str, prefixes: list[str]) -> str:
    """Say the expected prefix where the caller named the kind: "work order number 10001" -> "WO 10001"."""
    for prefix in prefixes:
        for name in KIND_NAMES.get(prefix.upper(), ()):
            # "request number 30003", "the request was thirty thousand and three", "my VPN incident, two zero
            # zero zero one" (a pause is written as a comma)
            # ("work orders ten oh oh three and ten oh oh five": the first of a list, the kind said once)
            text = re.sub(rf"\b{re.escape(name)}s?(?:[,;:]?\s+(?:numbers?|no\.?|nos\.?|num|#))?(?:[,;:]?\s+(?:is|was))?[,;:]?\s+{_NUMBER_START}",
                          f"{prefix} ", text, flags=re.IGNORECASE)
    return text


def match_code(candidate: str, pattern: str | None) -> str | None:
    """``candidate`` in the form ``pattern`` wants (adds or drops the dash), or None."""
    if not pattern:
        return candidate
    plain = candidate.replace("-", "")
    m = re.match(r"([A-Z]+)(\d+)$", plain)
    forms = [candidate, plain]
    if m:
        forms.append(f"{m.group(1)}-{m.group(2)}")
    for form in forms:
        if re.fullmatch(pattern.strip("^$"), form):
            return form
    return None


def pattern_prefixes(pattern: str | None) -> list[str]:
    """Literal letter prefixes a code pattern starts with: "^WO-\\d+$" -> ["WO"]."""
    if not pattern:
        return []
    # "[Ww][Oo]" (a case-insensitive letter) counts as the letter itself.
    body = re.sub(r"\[([A-Za-z])([A-Za-z])\]", lambda m: m.group(1).upper(), pattern.lstrip("^"))
    alts = re.match(r"\(\?:([A-Z|]+)\)|\(([A-Z|]+)\)", body)
    if alts:
        return [p for p in (alts.group(1) or alts.group(2)).split("|") if p]
    # Literal letters right before the digits: "WO-[0-9]{5}", "(?:E[0-9]{5}|...)".
    found = re.findall(r"(?<![A-Za-z\\])([A-Z]+)-?(?:\[0-9\]|\\d)", body)
    return list(dict.fromkeys(found))


# --- sites -------------------------------------------------------------------------

#: Words a recogniser writes for a digit said alone ("site for two" is site forty-two).
_DIGIT_HOMOPHONES = {"for": "4", "to": "2", "too": "2", "won": "1", "ate": "8"}


def site(text: str, names: Mapping[str, int] | None = None) -> int | None:
    """A site number: "site fourteen" -> 14, or a known site name -> its number.

    ``names`` maps site names ("Riverside pumping station") to numbers; a name counts when its
    own first word is said ("Riverside") or two of its words are ("operations centre"): a name's
    other words are often what the caller describes ("the air compressor" is not "Eastgate
    Compressor Station").
    """
    toks = tokens(text)
    said = [run for run in number_runs(text) if {"site", "sites"} & set(toks[max(0, run.start - 2):run.start])]
    if said and len(said[-1].digits) <= MAX_DIGITS:
        run = said[-1]  # the last one: "site fourteen, no wait, site twelve" -> 12
        # "site for two" off a phone line: a digit's homophone between the word site and the number is that digit.
        sounded = _DIGIT_HOMOPHONES.get(toks[run.start - 1], "") if run.start >= 2 and toks[run.start - 2] == "site" else ""
        return int(sounded + run.digits) if len(sounded + run.digits) <= MAX_DIGITS else int(run.digits)
    if names:
        said = set(toks) | {re.sub(r"'s$", "", t) for t in toks}  # "millbrook's lost its prime" names Millbrook
        scores: dict[int, float] = {}
        low = " ".join(toks)
        for name, number in names.items():
            if name.startswith(SHORT_NAME):
                continue  # said only as a place: below
            if name.startswith(WHOLE_NAME):  # a street or a town: all of it, in its order
                if re.search(rf"\b{re.escape(' '.join(tokens(name[len(WHOLE_NAME):])))}\b", low):
                    scores[number] = max(scores.get(number, 0.0), 1.0)
                continue
            words = [w for w in tokens(name) if w not in _STOP and len(w) > 2]
            if not words:
                continue
            hits = sum(w in said for w in words)
            if words[0] not in said and hits < min(2, len(words)):
                continue
            scores[number] = max(scores.get(number, 0.0), hits / len(words))
        whole = [n for n, score in scores.items() if score == 1.0]
        if len(scores) > 1 and len(whole) != 1:
            # "Area supervisor for Riverside and North Ridge. Intake pump two at Riverside, ...": two sites by
            # name, neither said whole: which one is not told by the words (the asset's own site may tell).
            return None
        # a name's own word, or two of its words: enough ("Lakeside" for Lakeside Water Treatment Plant)
        found = whole[0] if whole else max(scores, key=scores.__getitem__, default=None)
        if found is None:
            # "out at the reservoir": a short name only where a place is said ("it works now" is no site)
            found = next((number for name, number in names.items() if name.startswith(SHORT_NAME)
                          and re.search(rf"\b(?:at|to|from|in|near|by|round|around|outside|inside|on|for) {re.escape(name)}\b", low)),
                         None)
        return found
    return None


#: How a short name of a site starts ("the reservoir"), see ``agent.brain.domain.fetch_site_names``.
SHORT_NAME = "the "
#: How a name that counts only when said whole starts (a site's street or town: "@River Street").
WHOLE_NAME = "@"


_STOP = {"the", "site", "station", "plant", "and", "of", "at"}


# --- yes / no / corrections ----------------------------------------------------------

_YES = re.compile(
    r"^(yes|yeah|yep|yup|ya|correct|right|that'?s right|that is right|sure|ok|okay|please do|"
    r"go ahead|go on|do it|affirmative|absolutely|exactly|perfect|sounds good|try again|please|fine|no problem|no worries|"
    r"aye|spot on|that'?s the one|lovely|great|brilliant|grand|all (?:correct|good|fine|right)|"
    # the one offered, owned as a guess: "that'll be the one", "that would be it", "must be that one", "sounds right"
    r"(?:that|it)(?:'ll| will|'d| would|'s| is)? (?:be|have to be|must be) (?:the one|it|that one|right)|"
    r"(?:it |that )?must be (?:the one|it|that one)|sounds (?:right|about right|like it|like the one))\b"
)
_NO = re.compile(r"^(no(?! problem| worries| idea| clue| preference| longer)|nope|nah|not quite|not right|wrong|that'?s wrong|that'?s not right|negative|incorrect|actually)\b")


@dataclass(frozen=True)
class Answer:
    """A yes/no reply and whatever came after it ("no, site fourteen" -> no + "site fourteen")."""

    yes: bool | None
    rest: str


#: "That is correct", "it's fine", "that would be wrong": the yes or no said as a verdict on what was read back.
_VERDICT = re.compile(r"^(?:that|it|this)(?:'?s| is| was| would be|'d be| sounds| looks)\s+(?=\w)")  # "thats": a recogniser's


#: "Okay, leave that one as it is", "right, just leave it for now": nothing is to be done, however it starts.
#: ("Leave it with you" hands it over: a yes.)
_LEAVE_IT = re.compile(r"^(?:(?:ok|okay|right|fine|alright|all right|actually|no|nah|oh)[,.!\s]+)*(?:just |you can |we'?ll )?"
                       r"leave (?:that one|this one|it|that|this|them|the (?:job|ticket|request|visit)(?: as well)?)\b"
                       r"(?! (?:with|to) (?:you|your|the))")


def yes_no(text: str) -> Answer:
    clean = text.strip().lower()
    clean = re.sub(r"^(uh|um|er|erm|well|oh)[,\s]+", "", clean)
    if m := _LEAVE_IT.match(clean):
        return Answer(False, clean[m.end():].lstrip(" ,.!;:-"))
    for said in dict.fromkeys((clean, _VERDICT.sub("", clean))):
        for regex, value in ((_NO, False), (_YES, True)):
            m = regex.match(said)
            if m:
                rest = said[m.end():].lstrip(" ,.!;:-")
                rest = re.sub(r"^(it'?s|it is|i said|i meant|make that|make it)\s+", "", rest)
                return Answer(value, rest)
    return Answer(None, clean)


# --- dates and times ------------------------------------------------------------------

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PARTS_OF_DAY = {"morning": 9, "afternoon": 14, "evening": 18, "noon": 12, "midday": 12, "lunchtime": 12, "tonight": 19}
#: Times of day said as what people do then ("first thing", "after lunch", "end of the day").
_DAY_PHRASES = {"first thing": 8, "early doors": 8, "before lunch": 11, "after lunch": 13, "end of the day": 16,
                "close of play": 16, "teatime": 17, "tea time": 17, "after work": 18}


def when(text: str, now: datetime) -> datetime | None:
    """A date/time relative to ``now``: "tomorrow morning", "next Tuesday afternoon", "at 3 pm".

    Returns None when nothing in the text names a day or a time. A time without a day
    that is already past today means tomorrow.
    """
    low = text.lower()
    toks = _day_words(low)
    day: datetime | None = None
    if "today" in toks or "tonight" in toks:
        day = now
    if "tomorrow" in toks:
        day = now + timedelta(days=2 if "after tomorrow" in low else 1)
    said = [i for i, t in enumerate(toks) if t in WEEKDAYS]
    # The last day said that is not ruled out: "to Monday morning, the site is shut on Friday" is Monday.
    # ... nor a day told as gone by: "the actuator came in on Friday, so can we get someone out the day after tomorrow".
    told = [i for i in said if _gone_by_day(toks, i)]
    said = [i for i in said if i not in told]
    open_days = [i for i in said if not ruled_out(" ".join(toks[max(0, i - 4):i]), " ".join(toks[i + 1:i + 4]))] or said
    named = [WEEKDAYS.index(toks[i]) for i in open_days]
    if named:  # the last one said: "Friday's no good any more, can we move it to Tuesday"
        ahead = (named[-1] - now.weekday()) % 7 or 7
        if re.search(r"\bnext week\b|\bweek after this\b", low):  # that day of the calendar week after this one
            ahead = 7 - now.weekday() + named[-1]
        day = now + timedelta(days=ahead)
    day = day if named else _part_of_week(low, now) or day
    dated = _day_of_month(low, now)
    day = dated or day
    # "... can't do tomorrow, so the day after" / "Friday or the next day": the day after the one named.
    if day is not None and re.search(r"\b(?:the )?(?:day after|next day)\b(?!\s+(?:tomorrow|today|next)\b)", low):
        day += timedelta(days=1)
    # "A week from tomorrow", "two weeks on Friday", "a week today", "in a week": weeks on from a day.
    weeks = re.search(r"\b(a|an|[a-z]+|\d+) weeks? (?:from|on|after)?\s*(?=today|tomorrow|now|monday|tuesday|wednesday|"
                      r"thursday|friday|saturday|sunday|$|\W)|\bin (a|an|[a-z]+|\d+) weeks?(?:'? time)?\b", low)
    if weeks:
        word = weeks.group(1) or weeks.group(2)
        n = first_number(word) or (1 if word in ("a", "an") else None)
        if n is not None:
            day = (day or now) + timedelta(weeks=n)
    m = re.search(r"in (\w+) (hour|hours|minute|minutes|day|days)\b", low)
    if m:
        n = first_number(m.group(1)) or (1 if m.group(1) in ("a", "an") else None)
        if n is not None:
            unit = m.group(2).rstrip("s")
            delta = {"hour": timedelta(hours=n), "minute": timedelta(minutes=n), "day": timedelta(days=n)}[unit]
            return (now + delta).replace(second=0, microsecond=0)
    hour, minute = hour_said(low)
    if day is None and hour is None:
        return None
    base = day or now
    if hour is None:
        hour, minute = 9, 0
    result = base.replace(hour=hour, minute=minute or 0, second=0, microsecond=0)
    if day is None and result <= now:
        result += timedelta(days=1)
    return result


#: Verbs that tell of what happened, before a day in their clause ("it came in on Friday", "he rang on Monday").
_PAST_VERBS = {"came", "arrived", "was", "were", "went", "got", "had", "did", "broke", "rang", "called", "happened",
               "failed", "tripped", "stopped", "started", "delivered", "died", "dropped", "left", "finished", "fixed",
               "reported", "logged", "raised", "noticed", "last"}


def _back_to(words: list[str], stops: Callable[[str], object]) -> list[str]:
    """The last of ``words`` back to (not including) the nearest one that ``stops`` a clause, nearest first."""
    out: list[str] = []
    for w in reversed(words):
        if stops(w):
            break
        out.append(w)
    return out


def _gone_by_day(toks: list[str], at: int) -> bool:
    """Is the weekday at ``toks[at]`` told of as gone by: a verb of what happened, or "last", before it in its clause?"""
    return bool(set(_back_to(toks[max(0, at - 5):at], _CLAUSE_END.fullmatch)) & _PAST_VERBS)


#: Words near a day that rule it out: said before it ("shut on Friday", "can't do Monday", "instead of
#: Tuesday") or after it ("Friday's no good", "Monday doesn't work").
_RULED_OUT_BEFORE = {"not", "shut", "closed", "busy", "away", "off", "can't", "cannot", "cant", "instead", "than",
                     "except", "avoid", "apart", "besides"}
_RULED_OUT_AFTER = re.compile(r"^(?:is |are |'s )?(?:no good|not|isn'?t|won'?t|doesn'?t|does not|don'?t|can'?t|"
                              r"cannot|is out|'s out|out|clashes|is a bank holiday|we'?re (?:shut|closed|off|away|busy)|"
                              r"(?:we|they) are (?:shut|closed|off|away|busy)|(?:i'?m|i am) (?:off|away|busy|out)|"
                              r"is (?:shut|closed|off)|'?s (?:shut|closed|off))\b")
#: Where the clause of a day or a time ends, either side of it.
_CLAUSE_END = re.compile(r"[,.;!?]|\b(?:but|so|because|and)\b")


def ruled_out(preceding: str, following: str) -> bool:
    """Is a day or a time said as one that will not do, by the words of its clause before it ("shut on Friday", "I'm
    busy in the morning") or after it ("Friday's no good", "morning we are busy")?"""
    before = re.findall(r"[a-z']+", _CLAUSE_END.split(preceding.lower())[-1])[-4:]
    return bool(set(before) & _RULED_OUT_BEFORE) or bool(_RULED_OUT_AFTER.match(_CLAUSE_END.split(following.lower())[0].strip()))


#: A day said as a part of a week: its end is its Friday, the start of next week its Monday.
_WEEK_PART = re.compile(r"\b(?:(?:the )?(?:back |tail )?end|close|last day) of (?:the |this |next )?(?:working )?week\b|"
                        r"\b(?:(?:the )?(?:start|beginning) of|early) next week\b")


def _part_of_week(low: str, now: datetime) -> datetime | None:
    """The day a part of a week names ("end of the week": this Friday, or today on a Friday; "end of next
    week": the Friday after; "early next week": next Monday), or None."""
    m = _WEEK_PART.search(low)
    if m is None:
        return None
    if "next week" in m.group(0) and re.search(r"start|beginning|early", m.group(0)):
        return now + timedelta(days=7 - now.weekday())
    ahead = (4 - now.weekday()) % 7  # this week's Friday; at a weekend the coming one, which is next week's
    return now + timedelta(days=ahead + (7 if "next week" in m.group(0) and now.weekday() < 5 else 0))


def gone_by(words_before: list[str]) -> bool:
    """Is a time said after ``words_before`` (its clause's last words) one gone by ("since the morning", "all
    morning", "yesterday afternoon", "last night"): when something began, never a time asked for?"""
    if "since" in words_before[-2:] or words_before[-1:] in (["all"], ["yesterday"], ["last"]):
        return True
    # "it didn't start on its test again this morning", "tripped twice this afternoon": today's time of what happened.
    if words_before[-1:] != ["this"]:
        return False
    return bool(set(_back_to(words_before[-8:-1], _NEXT_THOUGHT.__contains__)) & (_PAST_VERBS | _HAPPENED))


#: Words that begin another thought before a time ("it stopped, so can someone come this afternoon?").
_NEXT_THOUGHT = {"so", "and", "but", "because", "can", "could", "would", "please", "need", "needs", "want", "if", "when",
                 "come", "visit", "book", "send"}
#: Words that tell a time of day said after them is when something happened, not one asked for.
_HAPPENED = {"didn't", "didnt", "wasn't", "again", "earlier", "twice", "once", "already"}


def hour_said(text: str) -> tuple[int | None, int | None]:
    """(hour, minute) of a time of day said in ``text``: "at 3 pm", "after lunch", "Friday morning"; not one gone
    by ("it's been banging since the morning")."""
    low = text.lower()
    hour, minute = _clock(low)
    if hour is not None:
        return hour, minute
    toks = _day_words(low)
    for part, h in [*PARTS_OF_DAY.items(), *_DAY_PHRASES.items()]:
        said = [m for m in re.finditer(rf"\b{part}\b", low)
                if not gone_by(re.findall(r"[a-z']+", low[:m.start()]))] if (part in toks or " " in part) else []
        if said:
            hour, minute = h, 0
    return hour, minute


def _day_words(text: str) -> list[str]:
    """The words, with "'s" taken off ("Friday's better", "tomorrow's fine" name the day)."""
    return [re.sub(r"'s$", "", t) for t in tokens(text.lower())]


def names_day(text: str) -> bool:
    """Does ``text`` name a day ("tomorrow", "Friday", "in three days", "the 10th"), not only a time of day?"""
    toks = set(_day_words(text))
    return bool(toks & {"today", "tonight", "tomorrow", *WEEKDAYS}) or bool(re.search(r"\bin \w+ days?\b", text.lower())) \
        or _day_of_month(text.lower(), datetime(2000, 1, 1)) is not None


MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
_ORDINAL_WORDS = {w: n for n, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), start=1)}
_DAY_OF_MONTH = re.compile(
    r"\b(?:the )?(?:(\d{1,2})(?:st|nd|rd|th)|(?:(twenty|thirty)[ -])?(" + "|".join(_ORDINAL_WORDS) + r")|(thirtieth))\b"
    r"(?: (?:of )?(" + "|".join(MONTHS) + r")| of (next|this) month)?")


#: Words that may follow a day of the month ("the 10th in the morning"); any other word makes the
#: ordinal describe it ("the first time", "the second pump").
_AFTER_A_DATE = {"at", "in", "on", "please", "then", "if", "or", "and", "would", "will", "works", "is", "for", "morning",
                 "afternoon", "evening", "between", "around", "after", "before", "thanks", "that", "maybe", "ok", "okay"}


def _day_of_month(low: str, now: datetime) -> datetime | None:
    """"the 10th", "on the tenth", "the twenty-first of December", "December 3rd": the next such date
    (this month when it is still to come, else the next month that has it)."""
    m = _DAY_OF_MONTH.search(low)
    if not m:
        return None
    tens = {"twenty": 20, "thirty": 30}.get(m.group(2) or "", 0)
    number = int(m.group(1)) if m.group(1) else 30 if m.group(4) else tens + _ORDINAL_WORDS[m.group(3)]
    before = re.search(r"\b(" + "|".join(MONTHS) + r") $", low[:m.start()])
    month_name = m.group(5) or (before.group(1) if before else None)
    # A clause mark after it ends the date ("in by the fourteenth, so can you ..."): what follows is no noun of it.
    follows = [] if re.match(r"\s*[,.;:!?]", low[m.end():]) else re.findall(r"[a-z]+", low[m.end():])[:1]
    if not 1 <= number <= 31 or (not month_name and not m.group(6) and follows and follows[0] not in _AFTER_A_DATE) or \
            (not m.group(1) and not month_name and not m.group(6) and not m.group(0).startswith("the ")):
        return None  # "a second", "the second one", "the first time" are no dates; "the second" is
    year, month = now.year, now.month
    # "the third of next month", "next month, on the 3rd": that month, whatever day today is.
    relative = m.group(6) or ("next" if re.search(r"\bnext month\b", low) else None)
    if relative == "next":
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    if month_name:
        month = MONTHS.index(month_name) + 1
        if (month, number) < (now.month, now.day):
            year += 1
    fixed = bool(month_name or relative)
    for _ in range(13):
        try:
            candidate = now.replace(year=year, month=month, day=number)
        except ValueError:
            candidate = None
        if candidate is not None and (fixed or candidate.date() >= now.date()):
            return candidate
        if relative:
            return None  # "the thirty-first of next month" when it has thirty days: no such day
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def spoken_moment(iso: str) -> str:
    """An ISO date or date-time as people say it: "2026-12-04" -> "Friday 4 December",
    "2026-12-04T14:00" -> "Friday 4 December at 14:00". Anything else is returned as it is."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{moment:%A} {moment.day} {moment:%B}"
    return day if len(iso) <= 10 else f"{day} at {moment:%H:%M}"


def _clock(low: str) -> tuple[int | None, int | None]:
    m = re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?\b", low)
    spoken = re.search(
        r"\bat ((?:[a-z]+|\d+)(?: (?:thirty|fifteen|forty five|o'?clock|[a-z]+ five))?)\s*(a\.?m\.?|p\.?m\.?|in the morning|in the afternoon|in the evening)?",
        low,
    )
    hour = minute = None
    suffix = ""
    if m and (m.group(2) or m.group(3) or re.search(rf"\bat {m.group(1)}\b", low)):
        hour, minute, suffix = int(m.group(1)), int(m.group(2) or 0), m.group(3) or ""
    elif spoken:
        parts = numbers(spoken.group(1))
        if parts:
            digits = str(parts[0])
            if parts[0] > 24 and len(digits) in (3, 4):  # "three thirty" is chunked as 330
                hour, minute = int(digits[:-2]), int(digits[-2:])
            else:
                hour, minute = parts[0], parts[1] if len(parts) > 1 else 0
            suffix = spoken.group(2) or ""
    if hour is None:
        return None, None
    if "p" in suffix or "afternoon" in suffix or "evening" in suffix or re.search(r"\b(?:at night|tonight)\b", low) or (
        not suffix and 1 <= hour <= 6 and "morning" not in low
    ):
        hour = hour + 12 if hour < 12 else hour
    if ("a" in suffix and "afternoon" not in suffix or "morning" in suffix) and hour == 12:
        hour = 0
    if hour > 23 or (minute or 0) > 59:
        return None, None
    return hour, minute


# --- e-mail and user ids ---------------------------------------------------------------

#: Bounded repeats: an unbounded pattern backtracks quadratically on a long run of letters.
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


#: Words a caller puts around a spelling: "sam dot oconnor, that's O C O N N O R, all one word".
_EMAIL_GLOSS = re.compile(r"\b(?:that'?s|that is|spelt|spelled|spelling|(?:all )?one word|(?:all )?lower ?case|no spaces?)\b")
_EMAIL_SEPARATORS = {"dot": ".", "period": ".", "point": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
#: The domain after the last spoken "at": "at northwind dot example", pauses written as commas.
#: A label may come as two words ("at north wind dot example"): they are one label, joined.
_SPOKEN_DOMAIN = re.compile(r"(?:^|[\s,;])at[,;]?\s+((?:[a-z0-9-]+ )?[a-z0-9-]+(?:[,;]?\s+(?:dot|period|point)[,;]?\s+[a-z0-9-]+)+)")


def email(text: str) -> str | None:
    """An e-mail address, written or spoken ("j dot smith at contoso dot com"), with the local part
    spelled out as well or instead ("tom dot reyes, T O M dot R E Y E S, at northwind dot example")."""
    m = _EMAIL.search(text)
    if m:
        return m.group(0).lower()
    low = text.lower()
    domains = list(_SPOKEN_DOMAIN.finditer(low))
    if not domains:
        return None
    at = domains[-1]
    domain = re.sub(r"[,;]?\s+(?:dot|period|point)[,;]?\s+", ".", at.group(1)).replace(" ", "")
    local = _spoken_local(low[:at.start()])
    return f"{local}@{domain}" if local else None


def _spoken_local(before: str) -> str | None:
    """The local part said before "at": the last run of words joined by separator words. Letters said
    one by one make a word, and a spelling restates the words just before it, so it replaces as many."""
    items: list[tuple[str, str]] = []  # ("word" | "spelled" | "sep", text)
    for tok in re.findall(r"[a-z0-9']+", _EMAIL_GLOSS.sub(" ", before)[-400:]):
        tok = tok.strip("'")
        if tok in _EMAIL_SEPARATORS:
            items.append(("sep", _EMAIL_SEPARATORS[tok]))
        elif len(tok) == 1 and tok.isalpha() and items and items[-1][0] == "spelled":
            items[-1] = ("spelled", items[-1][1] + tok)
        elif tok:
            items.append(("spelled" if len(tok) == 1 and tok.isalpha() else "word", tok))
    spelled = _address_run(items, {"spelled"})
    if len(items) > len(spelled) and items[-len(spelled) - 1][0] == "sep":
        spelled = []  # "lee dot k": a letter inside the address, not a spelling of what came before
    plain = _address_run(items[:len(items) - len(spelled)], {"word", "spelled"})
    said, spelt = "".join(t for _, t in plain), "".join(t for _, t in spelled)
    if spelt and spelt not in said:
        # A spelling that is not a confirmation corrects the words just before it, as many as it has.
        count = len([k for k, _ in spelled if k != "sep"])
        plain_words = [i for i, (k, _) in enumerate(plain) if k != "sep"]
        said = "".join(t for _, t in plain[:plain_words[-count]]) + spelt if len(plain_words) > count else spelt
    return said.strip("._-") or None


def _address_run(items: list[tuple[str, str]], kinds: set[str]) -> list[tuple[str, str]]:
    """The tail of ``items`` shaped word (separator word)*, with words of ``kinds`` only."""
    start = len(items)
    if start and items[start - 1][0] in kinds:
        start -= 1
        while start >= 2 and items[start - 1][0] == "sep" and items[start - 2][0] in kinds:
            start -= 2
    return items[start:]


def user_id(text: str) -> str | None:
    """A login name: an e-mail's local part, "user id jsmith", or a spelled-out name."""
    address = email(text)
    if address:
        return address.split("@")[0]
    m = re.search(r"\b(?:user ?(?:id|name)|username|login)\s+(?:is\s+)?([a-z][\w.-]{1,63})", text.lower())
    if m:
        return m.group(1)
    letters = [_letter(t, set()) for t in tokens(text)]
    if len(letters) >= 3 and all(letters):
        return "".join(letters).lower()  # spelled out: "j s m i t h"
    return None


# --- reading back --------------------------------------------------------------------

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def spell_out(code: str) -> str:
    """A code for text-to-speech, grouped for writing down: "WO-10013" -> "W O, one zero zero, one three"."""
    letters = " ".join(ch for ch in code if ch.isalpha())
    digits = ", ".join(" ".join(DIGIT_WORDS[int(ch)] for ch in group) for group in digit_groups(
        "".join(ch for ch in code if ch.isdigit())))
    if letters and digits:
        return f"{letters}, {digits}"
    return letters or digits or code


def digit_groups(digits: str) -> list[str]:
    """Threes, as people write numbers down, never a lone digit at the end: 5 -> 3+2, 4 -> 2+2, 7 -> 3+2+2."""
    if len(digits) <= 3:
        return [digits] if digits else []
    if len(digits) == 4:
        return [digits[:2], digits[2:]]
    return [digits[:3], *digit_groups(digits[3:])]


def spell_grouped(symbols: str) -> str:
    """Letters and digits in threes for writing down: "7F3K2Q" -> "seven F three, K two Q"."""
    groups = [symbols[i:i + 3] for i in range(0, len(symbols), 3)]
    return ", ".join(" ".join(DIGIT_WORDS[int(c)] if c.isdigit() else c.upper() for c in g) for g in groups)


def spell_case_id(case_id: str) -> str:
    """``CASE-7F3K2Q`` -> ``seven F three, K two Q``: the code a caller writes down, without the word CASE."""
    return spell_grouped(case_id.partition("-")[2] or case_id)


#: A caller putting right what they just said: "one zero zero one two, sorry no, one zero zero one four", "P-4530 ...
#: sorry, not the pump, the valve, A3001".
_REPAIR = re.compile(r"\b(?:sorry,? no|no,? sorry|sorry,? i mean|i mean|no,? wait|or rather|correction|sorry,? not)\b[,.:]?",
                     re.I)
#: An identifier as said: a written code ("P-4530", "WO-10012", "A3001"), a written number of three digits or more, or
#: three or more digit words in a row ("one zero zero one two").
_SAID_ID = re.compile(r"\b[A-Za-z]{1,3}-?\d{3,6}\b|\b\d{3,}\b|(?:\b[a-z]\s+)?(?:\b(?:zero|oh|one|two|three|four|five|six|"
                      r"seven|eight|nine|double|triple)\b[\s,-]*){3,}", re.I)
#: A site said by its number ("site 12", "site fourteen"): put right only by another site.
_SAID_SITE = re.compile(r"\bsite\s+(?:\d{1,3}\b|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|ten|eleven|"
                        r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|one|two|three|four|five|"
                        r"six|seven|eight|nine)\b[\s-]*){1,2})", re.I)
#: Words after a repair within which the identifier it puts right must come.
REPAIR_WINDOW = 8
#: Words that are a repair only between two identifiers of one kind ("INC-20020 escalated, sorry, INC-20002";
#: "site 12, no, 14" is the slots' to take back): elsewhere they are manners or a refusal.
_WEAK_REPAIR = re.compile(r"\b(?:sorry|no|actually|rather|make that|i meant)\b[,.:]?", re.I)


def _digit_count(said: str) -> int:
    return sum(len(r.digits) for r in number_runs(said))


def _id_kind(said: str) -> str:
    """The letters an identifier is written with ("INC" of "INC-20002"), or "" for one said as a number."""
    return "".join(re.findall(r"^[A-Za-z]{1,3}(?=-?\d)", said)).upper()


def repaired(text: str) -> str:
    """``text`` without an identifier the caller put right in the same breath: one said before a repair ("sorry no",
    "I mean", "no wait", "sorry, not the ...") when another identifier follows within a few words; after a bare
    "sorry" or "no" only when both are written the same way. The repair words go too when they follow the
    identifier straight on. ``text`` itself otherwise."""
    cues = sorted([(m, False) for m in _REPAIR.finditer(text)] + [(m, True) for m in _WEAK_REPAIR.finditer(text)],
                  key=lambda c: c[0].start())
    for cue, weak in reversed(cues):
        before, after = text[:cue.start()], text[cue.end():]
        following = " ".join(after.split()[:REPAIR_WINDOW])
        for said in (_SAID_ID, _SAID_SITE):
            earlier, later = list(said.finditer(before)), said.search(following)
            if said is _SAID_SITE and earlier and later and not weak:
                break  # ("site 12, no wait, it's site 14": a site only for a site, whatever its digits)
            # (Put right whole, not in part: "one zero zero zero one, no sorry, not zero one, zero six" changes its
            # end, which the slots' own taking back puts together.)
            if earlier and later and _digit_count(later.group()) >= _digit_count(earlier[-1].group()) and not (
                    weak and (not _id_kind(earlier[-1].group()) or _id_kind(earlier[-1].group()) != _id_kind(later.group().strip()))):
                break
        else:
            continue
        last = earlier[-1]
        gap = _WEAK_REPAIR.sub("", _REPAIR.sub("", before[last.end():])).rstrip(" ,.;-\u2013\u2014")
        # The right one as said after the repair, maybe as what it is ("no wait, it's site 14").
        right = re.match(r"[\s,]*(?:(?:it'?s|it is|that'?s|i mean)\s+)?(" + re.escape(later.group().strip()) + ")", after, re.I)
        if right and len(gap.split()) <= 3:
            # A word or two between ("INC-20020 escalated, sorry, INC-20002, the historian"), or none: the right one
            # takes the wrong one's place, so the request still reads as said.
            return f"{before[:last.start()]}{right.group(1)}{gap}{after[right.end():]}"
        if not gap.strip():  # ("P-1, no, sorry, P-2": all one repair)
            return f"{before[:last.start()].rstrip(' ,')} {after.lstrip(' ,')}"
        return f"{before[:last.start()].rstrip(' ,')}{before[last.end():]}{text[cue.start():]}"
    return text
