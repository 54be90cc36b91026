"""Remove personal data from text before it reaches logs or the learning store.

``redact(text)`` replaces phone numbers, e-mail addresses, payment card numbers,
national id numbers, postal addresses and the names a caller gave with typed
placeholders (``[PHONE]``, ``[EMAIL]``, ``[CARD]``, ``[NATIONAL_ID]``,
``[ADDRESS]``, ``[NAME]``, ``[DOB]``). Transcripts come from speech-to-text and keypads,
so the spoken and keyed forms count too ("five five five one two three four", "john dot
smith at contoso dot com", "born on the fourth of July nineteen eighty", an SSN keyed
as nine digits).

One mechanism per category rather than rules per phrase: a date grammar (digits,
separators, month names, ordinals, number words) after a birth cue; a street address
(house number written or spoken, units before or after, numbered and directional streets)
with its tail of city, state or province and postcode (US, UK, Irish, Canadian, typed or
spoken), continental forms and P.O. boxes; spoken numbers (``agent.privacy.numbers``)
classified by their digit count and the *nearest* cue before them (an SSN-shaped nine digits,
a phone number, a card that passes Luhn; never after an ops keyword or letters read out as
an id prefix, "W O one zero two"); spoken e-mail local parts walked back from the domain;
names by a name-run grammar after the ways people introduce themselves and others
(``agent.privacy.names``), removed wherever they recur and wherever they are spelled out.

Operations identifiers are not personal data and must survive: ticket numbers
(WO-10234, INC-20017), asset tags (A123, P-4512), site numbers, dates, times,
amounts, IP addresses and versions.

Pure and linear-time: every pattern either starts at a run boundary or has a bounded
repeat, so a 1 MB hostile string costs about a second, not minutes; and each pass runs only
when the words or digits it needs are in the line (``switchboard bench redact``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from agent.privacy.names import (
    CONNECTING,
    NAME,
    names_in,
    redact_names,
    redact_spelled_after,
    redact_spelled_names,
    word_set,
)
from agent.privacy.numbers import CARDINAL_WORD, DIGIT, HAS_NUMBER_WORD, NUM_WORD, NUMBER_WORDS, SPOKEN_NUMBER, number_digits

PHONE = "[PHONE]"
EMAIL = "[EMAIL]"
CARD = "[CARD]"
NATIONAL_ID = "[NATIONAL_ID]"
ADDRESS = "[ADDRESS]"
DOB = "[DOB]"

_I = re.IGNORECASE

# --- e-mail ---------------------------------------------------------------------
_TLD = (
    r"(?:com|org|net|edu|gov|mil|int|io|co|us|uk|ca|de|fr|nl|be|au|nz|ie|in|info|biz|"
    r"app|dev|online|cloud|shop|tech|[a-z]{2}|(?:[a-z]\s+){1,2}[a-z])"  # any two-letter country code; spelled ("c o m")
)
_WRITTEN_EMAIL = re.compile(r"(?<![\w.+'’-])[\w.+'’-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_WORD = r"[a-z0-9][a-z0-9_-]{0,63}"
# A spoken address is found by its domain ("at contoso dot com"); its local part is then
# taken word by word back from the "at" (``_spoken_emails``), because recognisers write
# what they hear: spelled letters ("k w a b e n a"), number words ("seventy seven"),
# separators said as words ("dot", "underscore", "hyphen") and several plain words.
# "dot", "period", "[dot]", a full stop, or one typed between spaces before a common ending ("contoso
# . com"; not "at the depot . it was shut").
_DOT = r"(?:\s+(?:dot|period)\s+|\s*[\[({<]dot[\])}>]\s*|\.|\s+\.\s+(?=(?:com|org|net|edu|gov|io|co)\b))"
_EMAIL_DOMAIN = re.compile(
    rf"(?:\s+at\s+(?:the\s+rate\s+(?:of\s+)?)?|\s*[\[({{<]at[\])}}>]\s*|\s*@\s*)"
    # A domain word is never "at": "email me at dana at contoso dot com" has its domain after the second.
    rf"(?:(?!at\b){_WORD}(?:\s+(?!at\b){_WORD}){{0,2}}(?:{_DOT}{_WORD}){{0,4}}{_DOT}{_TLD}\b"
    # The big mail services are a whole domain when "dot com" is dropped ("dana dot cole at gmail").
    r"|(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|aol|protonmail)\b)",
    _I,
)
_LOCAL_TOKEN = re.compile(r"[\w'’.+-]+|[^\w\s]")
_EMAIL_SEPARATOR_WORDS = frozenset("dot underscore dash hyphen period point".split())
# Words that introduce an address rather than spell it: never part of a spoken local part.
_EMAIL_CUE = frozenset("email e-mail mail address addresses inbox account contact reach send write".split())
_MAX_LOCAL_WORDS = 4  # plain words in one local part (letters, numbers and separators aside)

# --- payment cards and national ids -----------------------------------------------
_CARD_DIGITS = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)")
_CARD_CONTEXT = r"(?:card|visa|mastercard|master card|amex|american express|discover|credit|debit)"
_ID_CONTEXT = (
    r"(?:social security|social|ssn|social insurance|sin|national insurance|insurance number|nino|ppsn?|bsn|tfn|"
    r"tax file number|aadhaa?r|n\.?\s?i\.?(?=\s+(?:number|no\b))|national id(?:entity)?|"
    r"tax id|taxpayer id|passport|driver'?s licen[cs]e|driving licen[cs]e)"
)
_KEYED_CARD = re.compile(
    rf"\b{_CARD_CONTEXT}(?:\s+(?:card|number|no\.?|#))*(?:\s+is)?[\s:#]*(?P<val>\d[\d -]{{10,24}}\d)", _I
)
# Read digit by digit with spaces, a nine-digit id runs to 21 characters ("5 1 2 - 3 0 - 4 4 4 4").
_KEYED_ID = re.compile(
    rf"\b{_ID_CONTEXT}(?:\s+(?:card|number|no\.?|#))*(?:\s+(?:is|are|was))?[\s:#]*"
    # Masked but for its last digits too ("xxx-xx-6789").
    r"(?P<val>(?:[a-z]{1,2}[ -]?)?\d[\d -]{2,28}\d(?:[ -]?[a-z]\b)?|(?:[x*•]{1,3}[ -]?){1,3}\d{4}\b)",
    _I,
)
_SSN = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")
# Nine digits on their own are SSN-shaped (keyed on a keypad, or read without breaks);
# an ops keyword before them ("serial 123456789") keeps them (see ``_OPS_KEYWORD_BEFORE``).
_NINE_DIGITS = re.compile(r"(?<![\w.+/-])\d{9}(?![\w/-]|[.,]\d)")
# UK National Insurance number: two letters, six digits, one letter A-D.
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")

# --- postal addresses ------------------------------------------------------------
_STREET_SUFFIXES = frozenset(
    """street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl terrace ter
    parkway pkwy circle cir highway hwy square sq crescent close grove row trail trl alley walk mews
    gardens""".split()
)
_STREET_SUFFIX = rf"(?:{'|'.join(sorted(_STREET_SUFFIXES))})"
_STATE = (
    r"(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|"
    r"idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|"
    r"minnesota|mississippi|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|"
    r"new\s+york|north\s+carolina|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|"
    r"south\s+carolina|south\s+dakota|tennessee|texas|utah|vermont|virginia|washington|west\s+virginia|"
    r"wisconsin|wyoming|alberta|british\s+columbia|manitoba|new\s+brunswick|newfoundland|nova\s+scotia|"
    r"ontario|quebec|saskatchewan|new\s+south\s+wales|victoria|queensland|tasmania|western\s+australia|"
    r"south\s+australia|northern\s+territory|county\s+[^\W\d_]{3,20}|"
    # Postal codes only in capitals: "in", "or", "me", "ok" are words.
    r"(?-i:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    r"NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AB|BC|MB|NB|NL|NS|ON|PE|QC|SK|"
    r"NSW|VIC|QLD|SA|TAS|ACT|NT))"
)
_SPOKEN_POSTCODE_DIGIT = r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
# Postcodes, typed and spoken: US ZIP(+4), UK ("SW1A 1AA", "n w one six x e"), Irish Eircode
# ("D02 X285"), Canadian ("T2G 0P5").
_UK_POSTCODE_TYPED = r"(?-i:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})"
_UK_POSTCODE_SPOKEN = (
    rf"(?:[a-z]\s+){{1,2}}{_SPOKEN_POSTCODE_DIGIT}(?:\s+(?:{_SPOKEN_POSTCODE_DIGIT}|[a-z]))?"
    rf"\s+{_SPOKEN_POSTCODE_DIGIT}\s+[a-z]\s+[a-z]"
)
_POSTCODE = (
    rf"(?:\d{{5}}(?:-\d{{4}})?|{DIGIT}(?:\s+{DIGIT}){{4}}|{_UK_POSTCODE_TYPED}|{_UK_POSTCODE_SPOKEN}|"
    r"(?-i:[A-Z]\d{2} ?[A-Z\d]{4})|(?-i:[A-Z]\d[A-Z] ?\d[A-Z]\d)|"
    rf"[a-z]\s+{_SPOKEN_POSTCODE_DIGIT}\s+[a-z]\s+{_SPOKEN_POSTCODE_DIGIT}\s+[a-z]\s+{_SPOKEN_POSTCODE_DIGIT}|"
    # Eircode, spoken: a letter, two digits ("one two" or "twelve"), four letters or digits.
    rf"[a-z]\s+(?:{_SPOKEN_POSTCODE_DIGIT}\s+{_SPOKEN_POSTCODE_DIGIT}|{NUM_WORD})(?:\s+(?:[a-z]|{_SPOKEN_POSTCODE_DIGIT})){{4}})"
    r"(?![\w-])"
)
_HOUSE_NUMBER = (
    # Written ("221b", "3/12") or spoken ("one hundred and five", "fourteen b", "seven eight three oh").
    rf"(?:\d{{1,5}}[a-z]?(?:/\d{{1,5}}[a-z]?)?|"
    rf"(?:{CARDINAL_WORD}(?:(?:[\s-]+|\s+and\s+){CARDINAL_WORD}){{0,4}}|{DIGIT}(?:\s+{DIGIT}){{1,5}})(?:\s+[a-z](?![\w'’]))?)"
)
# A flat or unit, before or after the street ("apartment 7, 412 ...", "flat two b", "#14C").
_UNIT = (
    r"(?:(?:apt|apartment|suite|ste|unit|flat)\.?(?:\s+(?:number|no\.?))?\s*#?\s*"
    rf"(?:{CARDINAL_WORD}(?:\s+[a-z](?![\w-]))?|(?!(?:is|was|at|in|on|of)\b)\w{{1,6}})(?![\w-])"
    r"|#\s?\w{1,6})"
)
# Words that cannot be part of a street name: keeps "2 laptops at the Main St office" intact.
_NOT_STREET = (
    r"(?:at|the|in|on|of|for|and|or|to|from|with|my|our|is|are|was|by|near|about|site|"
    r"ticket|asset|floor|room|pm|am|bar|degrees)"
)
_CITY_WORD = r"(?!(?:is|the|and|at|to|for|on|please|tomorrow|today)\b)[^\W\d_][\w.'’-]{1,20}"
# City, state or province and postcode after the street, with or without commas ("Springfield
# IL 62704", "in Denver Colorado", "London n w one six x e", "Dublin 2, D02 X285"): a city
# counts only when a state or a postcode follows it.
_LETTERS = r"[^\W\d_]{2,20}"
_CAPITALISED_CITY = r"(?-i:[A-ZÀ-Þ][a-zß-ÿ'’-]+(?:\s+[A-ZÀ-Þ][a-zß-ÿ'’-]+)?)"
_ADDRESS_TAIL = (
    rf"(?:,?\s+(?:in\s+)?(?:{_CITY_WORD},?\s+){{0,3}}"
    rf"(?:{_STATE}\.?(?:,?\s+{_POSTCODE}|\s+\d{{4}}|\s+{CARDINAL_WORD}(?:[\s-]+{CARDINAL_WORD}){{0,3}})?"
    rf"|(?:\d{{1,2}},?\s+)?{_POSTCODE})(?![\w-])"
    # Typed, a capitalised city alone ends the address ("14 Canal Street, Manchester.", "Dublin 1"),
    # and so does a city after "in" ("15 sycamore drive in columbus").
    rf"|,?\s+{_CAPITALISED_CITY}(?:\s+\d{{1,2}}|\s+\d{{4}})?(?=\s*(?:$|[.,;!?\n]))"
    rf"|\s+in\s+{_CITY_WORD}(?:\s+{_CITY_WORD})?(?=\s*(?:$|[.,;!?\n]))"
    # Spoken, a city after a comma at the end of the sentence ("..., acacia avenue, london.").
    rf"|,?\s+(?!(?:{_NOT_STREET}|please|thanks|thank|now|today|tomorrow|tonight|asap|again|too|also|here|there|"
    rf"upstairs|downstairs|right|anymore|ok|okay)\b){_LETTERS}(?:\s+{_LETTERS})?"
    r"(?=\s*(?:$|[.;!?\n])))?"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_UNIT},?\s+)?(?:number\s+)?{_HOUSE_NUMBER},?\s+"
    rf"(?:(?:north|south|east|west|[nsew]|(?-i:NE|NW|SE|SW))\.?\s+)?"
    rf"(?:(?!{_NOT_STREET}\b)(?:[^\W\d_][\w'.’-]{{0,30}}|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,4}}?"
    rf"{_STREET_SUFFIX}\b\.?"
    r"(?:\s+(?-i:NE|NW|SE|SW|N|S|E|W)\b)?"
    rf"(?:,?\s*{_UNIT})?"
    + _ADDRESS_TAIL,
    _I,
)
# Typed streets without a suffix word ("19 Railway Cuttings", "4417 N Broadway"): capitalised
# words after a house number count only when a postcode ends the address.
_ADDRESS_NO_SUFFIX = re.compile(
    rf"(?<![\w-]){_HOUSE_NUMBER}\s+(?:(?:north|south|east|west|[nsew])\.?\s+)?"
    r"(?-i:[A-ZÀ-Þ][a-zß-ÿ'’.-]+\s*){1,3}(?:,?\s*" + _UNIT + r")?"
    rf",?\s+(?:in\s+)?(?:{_CITY_WORD},?\s+){{0,3}}(?:{_STATE}\.?,?\s+|\d{{1,2}},?\s+)?{_POSTCODE}",
    _I,
)
# Continental forms: the street word before the name ("17 rue des Lilas, 75011 Paris"), or a
# street and number followed by a postcode and a city ("Hauptstraße 12, 10115 Berlin").
_STREET_WORD_FIRST = (
    r"\d{1,5}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|quai|"
    r"place|via|viale|piazza|corso|calle|avenida|plaza|rua|carrer)\s+(?:[^\W\d_][\w'’.-]{0,30}\s*){1,4}"
)
_ADDRESS_CONTINENTAL = re.compile(
    rf"(?<![\w-])(?:(?:{_STREET_WORD_FIRST}"
    r"|(?-i:(?:[A-ZÀ-Þ][\w'’.-]{1,30}\s+(?:(?:de|del|la|le|des|di|da|van|von|der)\s+)?){1,3})\d{1,4}[a-z]?)"
    r",?\s+(?:\d{5}|\d{3}\s\d{2}|\d{4}-\d{3}|\d{4}(?:\s?(?-i:[A-Z]{2}))?)\s+(?-i:[A-ZÀ-Þ][\w'’-]{1,30})"
    # The street word first, then a city with a province or a postcode ("250 rue X, Montréal QC H2X 3K9").
    rf"|{_STREET_WORD_FIRST},?\s+(?:{_CITY_WORD},?\s+){{0,3}}(?:{_STATE}\.?(?:,?\s+{_POSTCODE})?|{_POSTCODE})(?![\w-]))",
    _I,
)
# The street first and its number after ("on Birch Street, number 22, Boston"), as said when giving directions.
_ADDRESS_NUMBER_AFTER = re.compile(
    rf"(?<![\w-])(?:(?!{_NOT_STREET}\b)[^\W\d_][\w'.’-]{{0,30}}\s+){{1,3}}{_STREET_SUFFIX}\b\.?,?\s+"
    rf"(?:number|no\.?|#)\s*{_HOUSE_NUMBER}(?![\w-])" + _ADDRESS_TAIL,
    _I,
)
# After a cue that says an address follows ("my address is", "I live at", "home address:"), whatever
# follows is one, to the end of the clause: addresses without a house number or a street word
# ("the Old Rectory, Little Snoring"), or in forms no grammar here knows ("3-14-1 Shibuya, Tokyo").
# Not when an ops place follows ("my address is site 9", "I live at the depot").
_ADDRESS_CUED = re.compile(
    r"\b(?:(?:my|his|her|their|our|your)\s+(?:(?:home|postal|mailing|street|residential|delivery|billing)\s+)?address"
    r"(?:\s+is|['’]s|\s*:)|(?:home|postal|mailing|residential)\s+address(?:\s+is|\s*:)?|"
    r"(?:i|he|she|they|we)\s+(?:live|lives|living|reside|resides)\s+(?:at|on|in))\s*(?:the\s+)?"
    rf"(?!(?:{_NOT_STREET}|office|depot|plant|warehouse|hospital|school|campus|[A-Z]{{2,5}}-?\d)\b)"
    # The clause ends at punctuation, a field separator, a connecting word, or an ops reference after it
    # ("..., re INC-22871", "| Asset: ...").
    r"(?P<val>[^\s.;!?\n|][^.;!?\n|]{0,80}?)"
    r"(?=\s*(?:$|[.;!?\n|]|,?\s+(?:and|but|so|because|since|where|which|the|my|it|i|we|can|could|please|thanks|"
    r"re|ref|regarding|about|for|ticket|asset|site|case|incident|order)\b|,?\s+(?-i:[A-Z]{1,5})-?\d))",
    _I,
)
_ADDRESS_CUE_WORDS = frozenset("address live lives living reside resides".split())
_PO_BOX = re.compile(
    rf"\bp\.?\s?o\.?\s+box\s+(?:\d{{1,8}}|{DIGIT}(?:\s+{DIGIT}){{0,7}})(?![\w-])" + _ADDRESS_TAIL, _I
)
_UK_POSTCODE = re.compile(rf"(?<![\w-]){_UK_POSTCODE_TYPED}(?![\w-])")
_NAMED_POSTCODE = re.compile(
    rf"\b(?:postcode|post\s+code|postal\s+code|zip\s+code|zip|eircode)(?:\s+is)?[\s:]+(?P<val>{_POSTCODE})", _I
)
_ZIP_PLUS_4 = re.compile(r"(?<![\w-])\d{5}-\d{4}(?![\w-])")

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
    rf"(?:\d{{8}}|\d{{6}}|\d{{1,4}}(?:[/.-]\d{{1,4}}){{0,2}}|['’]\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)|{_MONTH}|{_ORDINAL_WORD}|{CARDINAL_WORD}|"
    r"zero|oh|o|nought|naught)(?!\w)"
)
_DATE_JOIN = r"(?:\s*,?\s*(?:(?:the|of|on|in|and|slash|dash)\s+)*|\s*[/.\-–—]\s*)"
_DOB = re.compile(
    # Keys of structured lines too: "patient_dob: ...", "date_of_birth=", "birthDate":"...".
    r"(?<![a-z0-9.])(?:(?:date|year)(?:[\s_-]+and[\s_-]+place)?[\s_-]+of[\s_-]+birth|birth[\s_-]?(?:date|day|year)|b-?day|"
    r"d[./]?\s?o[./]?\s?b\.?|born)(?![a-z])"
    r"(?:'s|’s)?(?:\s*(?:(?:(?:it|that|mine)\s*)?(?:is|was|would\s+be|will\s+be|['’]s)|on|in|the|year|please|:|,|-|\?|=|\"|')(?![a-z]))*\s*"
    rf"(?P<val>{_DATE_TOKEN}(?:{_DATE_JOIN}{_DATE_TOKEN}){{0,13}})",
    _I,
)

# The date first and its cue after: "12 March 1980 is my date of birth", "it's 04/11/1975, my birthday",
# "on 4/3/85 I was born".
_DOB_BEFORE = re.compile(
    rf"(?<![\w.])(?P<val>{_DATE_TOKEN}(?:{_DATE_JOIN}{_DATE_TOKEN}){{0,13}})\s*[,;:–—-]?\s*"
    r"(?:(?:(?:that's|that’s|that\s+is|it's|it’s|it\s+is|is|was|being)\s+)?(?:my|his|her|their|the)\s+"
    r"(?:date\s+of\s+birth|birth\s?(?:date|day)|dob|d\.o\.b\.?)"
    # "on 4/3/85 I was born", "12 May 1990 is when she was born".
    r"|(?:is\s+when\s+)?(?:i|he|she|they|we)\s+(?:was|were)\s+born)(?![a-z])",
    _I,
)

# --- phone numbers -----------------------------------------------------------------
_WRITTEN_PHONE = re.compile(
    r"(?<![\w+$€£.-])(?:\+\s?\d{1,3}[\s.-]?|00\d{1,3}[\s.-]|1\s?(?=\())?(?:\(\d{1,4}\)[\s.-]?)?\d{1,15}"
    # Later groups of one digit only after a space ("+33 6 12 34 56 78"): "10.0.19045" is a version.
    r"(?:[\s.-]\d{2,8}|\s\d){0,14}"
    r"(?![\w:/-]|[.,]\d)"
)
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}")
_IPV4_SHAPE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

_NUMBER_OR_PLACEHOLDER = re.compile(rf"\d|\]|\b{NUM_WORD}\b", _I)
_OPS_KEYWORD_BEFORE = re.compile(
    r"\b(?:ticket|work order|incident|request|asset|case|order|reference|ref|wo|inc|sr|site|"
    r"serial|version|build|model|part|room|floor|building|unit|error|extension|ext)\s*"
    r"(?:number|no\.?|#|id|tag)?\s*(?:is\s*)?[:#]?\s*$",
    _I,
)
# Letters right before the digits ("W O one zero two", "H four two oh one", "AHU 12"): an
# identifier read out, not a phone number or an SSN.
_LETTER_PREFIX = re.compile(r"(?:(?<![\w'’])[a-z]\s+){1,4}$|(?-i:\b[A-Z]{2,5})[\s-]*$", _I)
_AREA_CODE_BEFORE = re.compile(r"\barea\s+code\s*(?:is\s*)?[:#]?\s*$", _I)
_CARD_BEFORE = re.compile(rf"\b{_CARD_CONTEXT}\b[^.?!]*$", _I)
_ID_BEFORE = re.compile(rf"(?:\b{_ID_CONTEXT}\b|\bs\.?\s?s\.?\s?n\b)[^.?!]*$", _I)

# Letters read out around an id the spoken pass found (a UK NI number, "J G one zero ... A"): part of it.
_ID_LETTERS = re.compile(
    r"(?:(?<![\w'’])[a-z]\s+){1,2}\[NATIONAL_ID\](?:\s+[a-d](?![\w'’]))?|\[NATIONAL_ID\]\s+[a-d](?![\w'’])", _I
)
_ANY_DIGIT = re.compile(r"\d")
_DOB_WORDS = frozenset("birth born birthday birthdate bday b dob".split())  # "d o b", "b-day"
_POSTCODE_WORDS = frozenset("postcode post postal zip eircode".split())


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


def _ops_named(m: re.Match[str], text: str) -> bool:
    """An ops keyword ("serial", "ticket", "site") names the number ``m`` found in ``text``."""
    return _OPS_KEYWORD_BEFORE.search(text[max(0, m.start() - 60) : m.start()]) is not None


def _unless_ops(m: re.Match[str], text: str, placeholder: str) -> str:
    return m.group(0) if _ops_named(m, text) else placeholder


def _spoken_numbers(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        spoken = m.group(0)
        number = number_digits(spoken)
        if len(number) < 3:
            return spoken
        before = text[max(0, m.start() - 60) : m.start()]
        # Only the nearest cue counts: "SSN ..., work order W O one zero ..." is not a second SSN.
        cut = 0
        for last in _NUMBER_OR_PLACEHOLDER.finditer(before):
            cut = last.end()
        before = before[cut:]
        if _AREA_CODE_BEFORE.search(before):
            return PHONE  # "..., area code six one seven"
        if len(number) < 4:
            return spoken
        if _ID_BEFORE.search(before):
            return NATIONAL_ID
        # Other digit groups without a number word ("10 23", "2026-02-03") are the written passes' business.
        if not HAS_NUMBER_WORD.search(spoken) and any(len(g) > 1 for g in re.findall(r"\d+", spoken)):
            return spoken
        if _OPS_KEYWORD_BEFORE.search(before) or _LETTER_PREFIX.search(before):
            return spoken
        if len(number) < 7:
            return spoken
        if _CARD_BEFORE.search(before):
            return CARD
        if len(number) == 9 and not spoken.lower().startswith("plus"):
            return NATIONAL_ID
        if 13 <= len(number) <= 19 and _luhn_ok(number):
            return CARD
        return PHONE

    return SPOKEN_NUMBER.sub(sub, text)


def _spoken_emails(text: str) -> str:
    """Replace each spoken address: its domain, and the local part walked back from the "at"
    over spelled letters, numbers, separator words and up to a few plain words, stopping at
    punctuation, a connecting word or a cue ("email", "it's", "on")."""
    spans: list[tuple[int, int]] = []
    floor = 0
    for m in _EMAIL_DOMAIN.finditer(text):
        start, words = m.start(), 0
        tokens = list(_LOCAL_TOKEN.finditer(text, floor, m.start()))
        for tok in reversed(tokens[-40:]):
            w = tok.group(0).lower()
            if not re.match(r"[\w'’]", w):
                break
            spelled = len(w) == 1 or w in _EMAIL_SEPARATOR_WORDS or w.isdigit() or HAS_NUMBER_WORD.fullmatch(w)
            if not spelled and (w in CONNECTING or w in _EMAIL_CUE or words == _MAX_LOCAL_WORDS):
                break
            words += not spelled
            start = tok.start()
        if start < m.start():
            spans.append((start, m.end()))
        floor = m.end()  # the next local part starts after this domain: linear
    out: list[str] = []
    last = 0
    for s, e in spans:  # one pass: a line of many addresses stays linear
        out += [text[last:s], EMAIL]
        last = e
    return "".join([*out, text[last:]])


def redact(text: str, *, known_names: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by typed placeholders.

    ``known_names`` are names given elsewhere in the same call (see ``redact_obj``):
    they are removed wherever they appear, not only after "my name is".
    """
    if not text:
        return text
    # Each pass runs only when the words or digits it needs are there (redact runs on every log
    # line); the gates are taken on the input, and a pass can only remove words, not add them.
    words = word_set(text)
    digits = _ANY_DIGIT.search(text) is not None
    numeric = digits or not words.isdisjoint(NUMBER_WORDS)
    names = names_in(text, words) | set(known_names)
    if "@" in text:
        text = _WRITTEN_EMAIL.sub(EMAIL, text)
    if "at" in words or "@" in text:
        text = _spoken_emails(text)
    if not words.isdisjoint(_DOB_WORDS):
        text = _replace_group(_DOB, text, "val", DOB)  # before digits: a date is not a phone number
        text = _replace_group(_DOB_BEFORE, text, "val", DOB)
    if digits:
        text = _replace_group(_KEYED_CARD, text, "val", CARD)
        text = _replace_group(_KEYED_ID, text, "val", NATIONAL_ID)
        text = _CARD_DIGITS.sub(_card_digits, text)
        text = _SSN.sub(NATIONAL_ID, text)
        text = _NINE_DIGITS.sub(lambda m: _unless_ops(m, text, NATIONAL_ID), text)
        text = _NINO.sub(NATIONAL_ID, text)
    if numeric:
        if not words.isdisjoint(_STREET_SUFFIXES):
            # Never a number an ops word names: "the gate at site 9 won't close".
            text = _ADDRESS.sub(lambda m: _unless_ops(m, text, ADDRESS), text)
            text = _ADDRESS_NUMBER_AFTER.sub(ADDRESS, text)
        if "box" in words:
            text = _PO_BOX.sub(ADDRESS, text)
        if not text.islower():  # capitalised street words
            text = _ADDRESS_NO_SUFFIX.sub(ADDRESS, text)
    if digits:
        text = _ADDRESS_CONTINENTAL.sub(ADDRESS, text)
        text = _UK_POSTCODE.sub(ADDRESS, text)
        text = _ZIP_PLUS_4.sub(lambda m: _unless_ops(m, text, ADDRESS), text)  # not a phone number
    if not words.isdisjoint(_ADDRESS_CUE_WORDS):
        text = _replace_group(_ADDRESS_CUED, text, "val", ADDRESS)
    if not words.isdisjoint(_POSTCODE_WORDS):
        text = _replace_group(_NAMED_POSTCODE, text, "val", ADDRESS)
    if digits:
        text = _WRITTEN_PHONE.sub(lambda m: m.group(0) if _ops_named(m, text) else _written_phone(m), text)
    if numeric:
        text = _spoken_numbers(text)
        if NATIONAL_ID in text:
            text = _ID_LETTERS.sub(NATIONAL_ID, text)
    if names:
        text = redact_names(text, names)
    if "[" in text:
        text = redact_spelled_after(text)
    if names:
        text = redact_spelled_names(text, names)
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
