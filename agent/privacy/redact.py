"""Remove personal data from text before it reaches logs or the learning store.

``redact(text)`` replaces phone numbers, e-mail addresses, payment card numbers,
national id numbers, postal addresses and the names a caller gave with typed
placeholders (``[PHONE]``, ``[EMAIL]``, ``[CARD]``, ``[NATIONAL_ID]``,
``[ADDRESS]``, ``[NAME]``, ``[DOB]``). Transcripts come from speech-to-text and keypads,
so the spoken and keyed forms count too ("five five five one two three four", "john dot
smith at contoso dot com", "born on the fourth of July nineteen eighty", an SSN keyed
as nine digits).

One mechanism per category rather than rules per phrase: a date grammar (digits,
separators, month names, ordinals and number words) applied after a birth trigger; a
street address followed by city, state and ZIP with or without commas; a run of digits,
written or spoken ("double five", "oh"), classified by its length and the words before it
(an SSN-shaped nine digits, a phone number, a card that passes Luhn; never after a ticket,
asset, site or serial keyword); a name after the ways callers introduce themselves.

Operations identifiers are not personal data and must survive: ticket numbers
(WO-10234, INC-20017), asset tags (A123, P-4512), site numbers, dates, times,
amounts, IP addresses and versions.

Pure and linear-time: every pattern either starts at a run boundary or has a bounded
repeat, so a 1 MB hostile string costs milliseconds, not minutes.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

PHONE = "[PHONE]"
EMAIL = "[EMAIL]"
CARD = "[CARD]"
NATIONAL_ID = "[NATIONAL_ID]"
ADDRESS = "[ADDRESS]"
NAME = "[NAME]"
DOB = "[DOB]"

_I = re.IGNORECASE

# --- e-mail ---------------------------------------------------------------------
_TLD = (
    r"(?:com|org|net|edu|gov|mil|int|io|co|us|uk|ca|de|fr|nl|be|au|nz|ie|in|info|biz|"
    r"me|app|dev|ai|eu|ch|se|no|dk|fi|es|it|pt|pl|jp|cn|br|mx|za|online|cloud)"
)
_WRITTEN_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_WORD = r"[a-z0-9][a-z0-9_]{0,63}"
# Spoken: letters spelled before the name ("a j smith"), and a domain of up to three words
# ("northwind traders dot com"), since recognisers write what they hear with spaces.
_SPOKEN_EMAIL = re.compile(
    rf"\b(?:[a-z]\s+){{0,3}}{_WORD}(?:(?:\s+(?:dot|underscore|dash|hyphen|period)\s+|[._+-]){_WORD}){{0,5}}"
    rf"(?:\s+at\s+|\s*\(at\)\s*|\s*@\s*)"
    rf"{_WORD}(?:\s+{_WORD}){{0,2}}(?:(?:\s+dot\s+|\s*\(dot\)\s*|\.){_WORD}){{0,4}}"
    rf"(?:\s+dot\s+|\s*\(dot\)\s*|\.){_TLD}\b",
    _I,
)

# Words that introduce an address rather than spell it: never part of a spoken local part.
_EMAIL_CUE = frozenset("email e-mail mail address addresses inbox account contact reach send write".split())
_SPOKEN_LOCAL_PART = re.compile(r"(?P<words>(?:\b[a-z][a-z'-]{0,30}\s+){1,2})\[EMAIL\]", _I)

# --- payment cards and national ids -----------------------------------------------
_CARD_DIGITS = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)")
_CARD_CONTEXT = r"(?:card|visa|mastercard|master card|amex|american express|discover|credit|debit)"
_ID_CONTEXT = (
    r"(?:social security|social|ssn|social insurance|sin|national insurance|national id(?:entity)?|"
    r"tax id|taxpayer id|passport|driver'?s licen[cs]e|driving licen[cs]e)"
)
_KEYED_CARD = re.compile(
    rf"\b{_CARD_CONTEXT}(?:\s+(?:card|number|no\.?|#))*(?:\s+is)?[\s:#]*(?P<val>\d[\d -]{{10,24}}\d)", _I
)
_KEYED_ID = re.compile(
    rf"\b{_ID_CONTEXT}(?:\s+(?:card|number|no\.?|#))*(?:\s+(?:is|are|was))?[\s:#]*"
    r"(?P<val>(?:[a-z]{1,2}[ -]?)?\d[\d -]{2,18}\d(?:[ -]?[a-z]\b)?)",
    _I,
)
_SSN = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")
# Nine digits on their own are SSN-shaped (keyed on a keypad, or read without breaks);
# an ops keyword before them ("serial 123456789") keeps them (see ``_OPS_KEYWORD_BEFORE``).
_NINE_DIGITS = re.compile(r"(?<![\w.+/-])\d{9}(?![\w/-]|[.,]\d)")
# UK National Insurance number: two letters, six digits, one letter A-D.
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")

# --- postal addresses ------------------------------------------------------------
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand)"
)
_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|crescent|close|grove|row|"
    r"trail|trl|alley|walk|mews)"
)
_STATE = (
    r"(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|"
    r"idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|"
    r"minnesota|mississippi|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|"
    r"new\s+york|north\s+carolina|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|"
    r"south\s+carolina|south\s+dakota|tennessee|texas|utah|vermont|virginia|washington|west\s+virginia|"
    r"wisconsin|wyoming|"
    # Postal codes only in capitals: "in", "or", "me", "ok" are words.
    r"(?-i:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    r"NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY))"
)
_ZIP_DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)"
_ZIP = rf"(?:\d{{5}}(?:-\d{{4}})?|{_ZIP_DIGIT}(?:\s+{_ZIP_DIGIT}){{4}})"
# Words that cannot be part of a street name: keeps "2 laptops at the Main St" intact.
_NOT_STREET = (
    r"(?:at|the|in|on|of|for|and|or|to|from|with|my|our|is|are|was|by|near|about|site|"
    r"ticket|asset|floor|room|pm|am)"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:\d{{1,6}}[a-z]?|{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD}){{0,4}})\s+"
    rf"(?:(?:north|south|east|west|[nsew])\.?\s+)?"
    rf"(?:(?!{_NOT_STREET}\b)[a-z][a-z'.-]{{0,30}}\s+){{1,4}}?"
    rf"{_STREET_SUFFIX}\b\.?"
    r"(?:,?\s*(?:apt|apartment|suite|ste|unit|flat|#)\.?\s*#?\w{1,6})?"
    # City, state and ZIP, with or without commas ("Springfield IL 62704", "in Denver Colorado").
    rf"(?:,?\s+(?:in\s+)?(?:[a-z][a-z.'-]{{1,20}},?\s+){{1,3}}?{_STATE}\.?(?:,?\s+{_ZIP})?(?![\w-]))?",
    _I,
)
# Cheap gate: the address pattern is the costliest, and it cannot match without a suffix.
_HAS_STREET_SUFFIX = re.compile(rf"\b{_STREET_SUFFIX}\b", _I)
_PO_BOX = re.compile(r"\bp\.?\s?o\.?\s+box\s+\d{1,8}\b", _I)
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")

# --- dates of birth -----------------------------------------------------------------
# A date in any of its written and spoken forms, taken whole after a birth trigger. Dates
# without one (a visit, an outage) are operations data and stay.
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
)
_ORDINAL_WORD = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)
_DATE_TOKEN = (
    rf"(?:\d{{1,4}}(?:[/.-]\d{{1,4}}){{0,2}}|\d{{1,2}}(?:st|nd|rd|th)|{_MONTH}|{_ORDINAL_WORD}|{_NUMBER_WORD}|"
    r"zero|oh)(?![\w-])"
)
_DATE_JOIN = r"(?:\s*,?\s*(?:(?:the|of|on|in|and|slash|dash)\s+)*|\s*[/.-]\s*)"
_DOB = re.compile(
    r"(?<![\w.])(?:date\s+of\s+birth|birth\s?date|birthday|d\.?\s?o\.?\s?b\.?|born)(?![a-z])"
    r"(?:\s*(?:is|was|on|in|the|:)(?![a-z]))*\s*"
    rf"(?P<val>{_DATE_TOKEN}(?:{_DATE_JOIN}{_DATE_TOKEN}){{0,13}})",
    _I,
)

# --- phone numbers -----------------------------------------------------------------
_WRITTEN_PHONE = re.compile(
    r"(?<![\w+$€£.-])(?:\+\s?\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,15}(?:[\s.-]\d{2,8}){0,4}"
    r"(?![\w:/-]|[.,]\d)"
)
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}")
_IPV4_SHAPE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN_DIGITS = re.compile(
    rf"\b(?:(?:double|triple)\s+)?{_DIGIT}(?:(?:[\s,.-]+|\s+(?:dash|hyphen)\s+)(?:(?:double|triple)\s+)?{_DIGIT})*\b",
    _I,
)
_OPS_KEYWORD_BEFORE = re.compile(
    r"\b(?:ticket|work order|incident|request|asset|case|order|reference|ref|wo|inc|sr|site|"
    r"serial|version|build)\s*(?:number|no\.?|#|id)?\s*(?:is\s*)?[:#]?\s*$",
    _I,
)
_CARD_BEFORE = re.compile(rf"\b{_CARD_CONTEXT}\b[^.?!]*$", _I)
_ID_BEFORE = re.compile(rf"\b{_ID_CONTEXT}\b[^.?!]*$", _I)

# --- names the caller gave ---------------------------------------------------------
_NAME_STOP = frozenset(
    """a an the and or but so i i'm im my me we our you your it its it's is was are be been
    from calling calling, speaking here there with at on in of for to about over just still
    not no yes ok okay sorry please thanks thank hi hello hey um uh er well also really very
    having trying looking getting going waiting working standing stuck locked unable afraid
    sure fine good glad happy new back done currently outside inside out up down off ready
    phoning ringing reporting regarding re who that this what when where why how can could
    urgent important serious critical broken bad weird strange annoying impossible terrible awful
    would will need want have has had like site ticket asset switchboard morning afternoon evening
    today tonight tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december""".split()
)
_NAME_TOKEN = r"[A-Za-z][A-Za-z'’-]{0,30}"
_NAME_RUN = rf"(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})(?![\w-])"
# Triggers after which whatever name-like words follow are a name.
_NAME_ALWAYS = re.compile(
    rf"\b(?:my\s+name(?:'s|’s|\s+is)|(?:my\s+)?(?:first|last|sur|full|given|family)\s?name(?:'s|’s|\s+is)|"
    rf"name\s+is|name's|call\s+me)\s+{_NAME_RUN}",
    _I,
)
# Triggers that need corroboration: "this is X from ...", "I'm X calling", "it's X here".
# "with", "at" and "of" follow feelings as often as names ("I'm sick of", "I'm done with"),
# so after them only a capitalised word counts as a name.
_NAME_WITH_FOLLOWER = re.compile(
    rf"\b(?:this\s+is|i'm|i’m|i\s+am|it's|it’s|its)\s+"
    rf"(?:{_NAME_RUN}(?=\s*,?\s*(?:from|calling|speaking|here)\b)"
    rf"|(?P<capname>(?-i:[A-Z][A-Za-z'’-]{{0,30}}(?:\s+[A-Z][A-Za-z'’-]{{0,30}}){{0,2}}))(?![\w-])"
    r"(?=\s*,?\s*(?:with|at|of)\b))",
    _I,
)
# "I'm Dana", "this is Grace O'Neill", "this is Anneke de Vries": capitalised words (with the
# lower-case particles of surnames); lower-case "i'm stuck", "this is broken" are not names.
_CAP = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*"
_PARTICLE = r"(?:de|van|von|da|del|der|den|la|le|du|dos|bin|al|ter)"
_NAME_CAPITALISED = re.compile(
    rf"\b(?:[Ii]'m|[Ii]’m|I am|[Tt]his is|[Tt]his’s)\s+"
    rf"(?P<name>{_CAP}(?:\s+(?:{_PARTICLE}\s+)?{_CAP}){{0,2}})(?![\w'’-])"
)
# After a greeting, whatever follows "this is" / "it's" is the caller's name, in any case
# (recognisers do not always capitalise): "hey this is ravi kumar", "hi it's Noor".
_NAME_GREETED = re.compile(
    rf"\b(?:hi|hello|hey|hiya|morning|afternoon|evening|yes|yeah)[,.!]?\s+(?:there[,.!]?\s+)?"
    rf"(?:this\s+is|it's|it’s|its|it\s+is)\s+{_NAME_RUN}",
    _I,
)
# The caller telling who the agent is speaking with.
_NAME_ADDRESSED = re.compile(rf"\b(?:you're|you’re|you\s+are)\s+(?:speaking|talking)\s+(?:to|with)\s+{_NAME_RUN}", _I)
_NAME_LEADING = re.compile(
    r"^\s*(?P<name>[A-Z][a-z'’-]{1,30}(?:\s+[A-Z][a-z'’-]{1,30})?)(?=\s+(?:here|speaking)\b)"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _only_digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _replace_group(pattern: re.Pattern[str], text: str, group: str, placeholder: str) -> str:
    """Replace only ``group`` of each match, keeping the context words ("card number is")."""

    def sub(m: re.Match[str]) -> str:
        s, e = m.span(group)
        return m.group(0)[: s - m.start()] + placeholder + m.group(0)[e - m.start() :]

    return pattern.sub(sub, text)


def _card_digits(m: re.Match[str]) -> str:
    return CARD if _luhn_ok(_only_digits(m.group(0))) else m.group(0)


def _written_phone(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = _only_digits(raw)
    separated = raw.startswith("+") or not raw.isdigit()
    if not (7 if separated else 10) <= len(digits) <= 15:
        return raw
    if _DATE_SHAPE.fullmatch(raw) or _IPV4_SHAPE.fullmatch(raw):
        return raw
    return PHONE


def _unless_ops(m: re.Match[str], text: str, placeholder: str) -> str:
    """``placeholder``, unless an ops keyword ("serial", "ticket", "site") names the number."""
    return m.group(0) if _OPS_KEYWORD_BEFORE.search(text[max(0, m.start() - 60) : m.start()]) else placeholder


def _spoken_digits(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        words = re.findall(rf"double|triple|{_DIGIT}", m.group(0), _I)
        digits: list[str] = []
        repeat = 1
        for w in words:
            lw = w.lower()
            if lw in ("double", "triple"):
                repeat = 2 if lw == "double" else 3
                continue
            digits.append((_DIGIT_WORDS.get(lw) or lw) * repeat)
            repeat = 1
        number = "".join(digits)
        before = text[max(0, m.start() - 60) : m.start()]
        if len(number) < 4 or _OPS_KEYWORD_BEFORE.search(before):
            return m.group(0)
        if len(number) < 7:
            # Four to six digits are an id only when named as one ("the last four of my social").
            return NATIONAL_ID if _ID_BEFORE.search(before) else m.group(0)
        if _CARD_BEFORE.search(before):
            return CARD
        if _ID_BEFORE.search(before) or len(number) == 9:
            return NATIONAL_ID
        if 13 <= len(number) <= 19 and _luhn_ok(number):
            return CARD
        return PHONE

    return _SPOKEN_DIGITS.sub(sub, text)


def _spoken_local_part(m: re.Match[str]) -> str:
    """Words said before a spoken e-mail's "at" that belong to its local part ("li wei underscore
    ops at ..."): the pattern keeps only the last word before a separator, so up to two more
    name-like words are taken back to the nearest connecting or cue word."""
    words = m.group("words").split()
    keep = 0
    while keep < len(words) and words[keep].lower() in _NAME_STOP | _EMAIL_CUE:
        keep += 1
    return " ".join([*words[:keep], EMAIL])


def _clean_name(raw: str) -> str | None:
    """Trim a candidate name at the first stop word; None when nothing name-like is left."""
    kept: list[str] = []
    for token in raw.split():
        if token.lower() in _NAME_STOP:
            break
        kept.append(token)
    return " ".join(kept) or None


def names_in(text: str) -> set[str]:
    """The names a caller gave in ``text`` ("my name is Dana Reyes" -> {"Dana Reyes"})."""
    found: set[str] = set()
    for pattern in (_NAME_ALWAYS, _NAME_WITH_FOLLOWER, _NAME_CAPITALISED, _NAME_GREETED, _NAME_ADDRESSED,
                    _NAME_LEADING):
        for m in pattern.finditer(text):
            groups = m.groupdict()
            name = _clean_name(groups.get("name") or groups.get("capname") or "")
            if name:
                found.add(name)
    return found


def _redact_names(text: str, names: Iterable[str]) -> str:
    # Full names first, then each part, so a later "Dana" alone is caught as well.
    parts: set[str] = set()
    for name in names:
        parts.add(name)
        parts.update(p for p in name.split() if len(p) > 1 and p.lower() not in _NAME_STOP)
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(part)}(?![\w-])", NAME, text, flags=_I)
    # A capitalised word right after a name is its surname ("Ana. Ana Lima.").
    return _NAME_THEN_SURNAME.sub(_merge_surname, text)


_NAME_THEN_SURNAME = re.compile(r"\[NAME\]\s+(?P<next>[A-Z][a-z'’-]{1,30})(?![\w-])")


def _merge_surname(m: re.Match[str]) -> str:
    return m.group(0) if m.group("next").lower() in _NAME_STOP else NAME


def redact(text: str, *, known_names: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by typed placeholders.

    ``known_names`` are names given elsewhere in the same call (see ``redact_obj``):
    they are removed wherever they appear, not only after "my name is".
    """
    if not text:
        return text
    names = names_in(text) | set(known_names)
    text = _WRITTEN_EMAIL.sub(EMAIL, text)
    text = _SPOKEN_EMAIL.sub(EMAIL, text)
    text = _SPOKEN_LOCAL_PART.sub(_spoken_local_part, text)
    text = _replace_group(_DOB, text, "val", DOB)  # before digits: a date is not a phone number
    text = _replace_group(_KEYED_CARD, text, "val", CARD)
    text = _replace_group(_KEYED_ID, text, "val", NATIONAL_ID)
    text = _CARD_DIGITS.sub(_card_digits, text)
    text = _SSN.sub(NATIONAL_ID, text)
    text = _NINE_DIGITS.sub(lambda m: _unless_ops(m, text, NATIONAL_ID), text)
    text = _NINO.sub(NATIONAL_ID, text)
    if _HAS_STREET_SUFFIX.search(text):
        text = _ADDRESS.sub(ADDRESS, text)
    text = _PO_BOX.sub(ADDRESS, text)
    text = _UK_POSTCODE.sub(ADDRESS, text)
    text = _WRITTEN_PHONE.sub(_written_phone, text)
    text = _spoken_digits(text)
    if names:
        text = _redact_names(text, names)
    return text


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def redact_obj(obj: Any) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, scalars) with every string value redacted.

    Keys are kept (they are field names). A name given in one string is removed from
    all the others, so "my name is Dana" in turn 1 also hides "Dana" in turn 5.
    """
    names: set[str] = set()
    for s in _strings(obj):
        names |= names_in(s)
    return _redact_tree(obj, frozenset(names))


def _redact_tree(obj: Any, names: frozenset[str]) -> Any:
    if isinstance(obj, str):
        return redact(obj, known_names=names)
    if isinstance(obj, dict):
        return {k: _redact_tree(v, names) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact_tree(v, names) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_redact_tree(v, names) for v in obj)
    return obj
