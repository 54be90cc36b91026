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
    r"app|dev|online|cloud|shop|tech|[a-z]{2})"  # and any two-letter country code
)
_WRITTEN_EMAIL = re.compile(r"(?<![\w.+'’-])[\w.+'’-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_WORD = r"[a-z0-9][a-z0-9_]{0,63}"
# A spoken address is found by its domain ("at contoso dot com"); its local part is then
# taken word by word back from the "at" (``_spoken_emails``), because recognisers write
# what they hear: spelled letters ("k w a b e n a"), number words ("seventy seven"),
# separators said as words ("dot", "underscore", "hyphen") and several plain words.
_EMAIL_DOMAIN = re.compile(
    rf"(?:\s+at\s+|\s*\(at\)\s*|\s*@\s*)"
    rf"{_WORD}(?:\s+{_WORD}){{0,2}}(?:(?:\s+dot\s+|\s*\(dot\)\s*|\.){_WORD}){{0,4}}"
    rf"(?:\s+dot\s+|\s*\(dot\)\s*|\.){_TLD}\b",
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
    r"trail|trl|alley|walk|mews|gardens)"
)
_STATE = (
    r"(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|"
    r"idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|"
    r"minnesota|mississippi|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|"
    r"new\s+york|north\s+carolina|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|"
    r"south\s+carolina|south\s+dakota|tennessee|texas|utah|vermont|virginia|washington|west\s+virginia|"
    r"wisconsin|wyoming|alberta|british\s+columbia|manitoba|new\s+brunswick|newfoundland|nova\s+scotia|"
    r"ontario|quebec|saskatchewan|"
    # Postal codes only in capitals: "in", "or", "me", "ok" are words.
    r"(?-i:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    r"NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AB|BC|MB|NB|NL|NS|ON|PE|QC|SK))"
)
_ZIP_DIGIT = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN_POSTCODE_DIGIT = r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
# Postcodes, typed and spoken: US ZIP(+4), UK ("SW1A 1AA", "n w one six x e"), Irish Eircode
# ("D02 X285"), Canadian ("T2G 0P5").
_UK_POSTCODE_TYPED = r"(?-i:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})"
_UK_POSTCODE_SPOKEN = (
    rf"(?:[a-z]\s+){{1,2}}{_SPOKEN_POSTCODE_DIGIT}(?:\s+(?:{_SPOKEN_POSTCODE_DIGIT}|[a-z]))?"
    rf"\s+{_SPOKEN_POSTCODE_DIGIT}\s+[a-z]\s+[a-z]"
)
_POSTCODE = (
    rf"(?:\d{{5}}(?:-\d{{4}})?|{_ZIP_DIGIT}(?:\s+{_ZIP_DIGIT}){{4}}|{_UK_POSTCODE_TYPED}|{_UK_POSTCODE_SPOKEN}|"
    r"(?-i:[A-Z]\d{2} ?[A-Z\d]{4})|(?-i:[A-Z]\d[A-Z] ?\d[A-Z]\d))(?![\w-])"
)
_HOUSE_NUMBER = (
    rf"(?:\d{{1,6}}[a-z]?|{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD}){{0,4}}|{_ZIP_DIGIT}(?:\s+{_ZIP_DIGIT}){{1,5}})"
)
# A flat or unit, before or after the street ("apartment 7, 412 ...", "flat two b", "#14C").
_UNIT = (
    rf"(?:(?:apt|apartment|suite|ste|unit|flat)\.?\s*#?\s*(?:{_NUMBER_WORD}(?:\s+[a-z](?![\w-]))?|\w{{1,6}})(?![\w-])"
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
_ADDRESS_TAIL = (
    rf"(?:,?\s+(?:in\s+)?(?:{_CITY_WORD},?\s+){{0,3}}"
    rf"(?:{_STATE}\.?(?:,?\s+{_POSTCODE})?|(?:\d{{1,2}},?\s+)?{_POSTCODE})(?![\w-]))?"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_UNIT},?\s+)?{_HOUSE_NUMBER}\s+"
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
_ADDRESS_CONTINENTAL = re.compile(
    r"(?<![\w-])(?:\d{1,5}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|quai|"
    r"place|via|viale|piazza|corso|calle|avenida|plaza|rua|carrer)\s+(?:[^\W\d_][\w'’.-]{0,30}\s*){1,4}"
    r"|(?-i:(?:[A-ZÀ-Þ][\w'’.-]{1,30}\s+){1,3})\d{1,4}[a-z]?)"
    r",?\s+(?:\d{5}|\d{3}\s\d{2}|\d{4}(?:\s?(?-i:[A-Z]{2}))?)\s+(?-i:[A-ZÀ-Þ][\w'’-]{1,30})",
    _I,
)
# Cheap gate: the address pattern is the costliest, and it cannot match without a suffix.
_HAS_STREET_SUFFIX = re.compile(rf"\b{_STREET_SUFFIX}\b", _I)
_PO_BOX = re.compile(
    rf"\bp\.?\s?o\.?\s+box\s+(?:\d{{1,8}}|{_ZIP_DIGIT}(?:\s+{_ZIP_DIGIT}){{0,7}})(?![\w-])" + _ADDRESS_TAIL, _I
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
    rf"(?:\d{{1,4}}(?:[/.-]\d{{1,4}}){{0,2}}|\d{{1,2}}(?:st|nd|rd|th)|{_MONTH}|{_ORDINAL_WORD}|{_NUMBER_WORD}|"
    r"zero|oh|o|nought|naught)(?!\w)"
)
_DATE_JOIN = r"(?:\s*,?\s*(?:(?:the|of|on|in|and|slash|dash)\s+)*|\s*[/.-]\s*)"
_DOB = re.compile(
    r"(?<![\w.])(?:date\s+of\s+birth|birth\s?date|birth\s?day|b-?day|d\.?\s?o\.?\s?b\.?|born)(?![a-z])"
    r"(?:'s|’s)?(?:\s*(?:is|was|would\s+be|will\s+be|it's|it’s|it\s+is|that's|that’s|on|in|the|:|,|-)(?![a-z]))*\s*"
    rf"(?P<val>{_DATE_TOKEN}(?:{_DATE_JOIN}{_DATE_TOKEN}){{0,13}})",
    _I,
)

# --- phone numbers -----------------------------------------------------------------
_WRITTEN_PHONE = re.compile(
    r"(?<![\w+$€£.-])(?:\+\s?\d{1,3}[\s.-]?|1\s?(?=\())?(?:\(\d{1,4}\)[\s.-]?)?\d{1,15}"
    # Later groups of one digit only after a space ("+33 6 12 34 56 78"): "10.0.19045" is a version.
    r"(?:[\s.-]\d{2,8}|\s\d){0,6}"
    r"(?![\w:/-]|[.,]\d)"
)
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}")
_IPV4_SHAPE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

# A spoken number: digit words, teens and tens ("forty one"), "double"/"triple", digit groups
# mixed in ("276 forty one 0093"), a leading "plus", and the fillers people put between
# groups ("uh", "then"). Its digits are then classified by count and by the nearest cue.
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
_NUM_WORD = rf"(?:{'|'.join(sorted([*_DIGIT_WORDS, *_TEENS, *_TENS, 'hundred'], key=len, reverse=True))})"
_DIGIT = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_NUM_TOKEN = rf"(?:(?:double|triple)\s+)?(?:{_NUM_WORD}|\d{{1,4}})"
_NUM_GAP = r"(?:[\s,.]*\s(?:(?:uh|um|er|erm|ah|then|and\s+then|dash|hyphen)[\s,.]*\s)*|[\s,.]*-[\s,.]*)"
_SPOKEN_NUMBER = re.compile(rf"(?<![\w'-])(?:plus\s+)?{_NUM_TOKEN}(?:{_NUM_GAP}{_NUM_TOKEN})*(?![\w'-])", _I)
_NUMBER_PIECE = re.compile(rf"double|triple|{_NUM_WORD}|\d+", _I)
_HAS_NUMBER_WORD = re.compile(rf"\b{_NUM_WORD}\b", _I)
_LAST_NUMBER = re.compile(rf".*(?:\d|\]|\b{_NUM_WORD}\b)", _I | re.S)
_OPS_KEYWORD_BEFORE = re.compile(
    r"\b(?:ticket|work order|incident|request|asset|case|order|reference|ref|wo|inc|sr|site|"
    r"serial|version|build|model|part|room|floor|building|unit|error|extension|ext)\s*"
    r"(?:number|no\.?|#|id|tag)?\s*(?:is\s*)?[:#]?\s*$",
    _I,
)
# Letters right before the digits ("W O one zero two", "H four two oh one", "AHU 12"): an
# identifier read out, not a phone number or an SSN.
_LETTER_PREFIX = re.compile(r"(?:(?<![\w'’])[a-z]\s+){1,4}$|(?-i:\b[A-Z]{2,5})[\s-]*$", _I)
_CARD_BEFORE = re.compile(rf"\b{_CARD_CONTEXT}\b[^.?!]*$", _I)
_ID_BEFORE = re.compile(rf"(?:\b{_ID_CONTEXT}\b|\bs\.?\s?s\.?\s?n\b)[^.?!]*$", _I)

# --- names the caller gave ---------------------------------------------------------
_CONNECTING = frozenset(
    """a an the and or but so i i'm im my me we our you your it its it's is was are be been
    from calling calling, speaking here there with at on in of for to about over just still
    not no yes ok okay sorry please thanks thank hi hello hey um uh er erm ah well also really very
    having trying looking getting going waiting working standing stuck locked unable afraid
    sure fine good glad happy new back done currently outside inside out up down off ready
    phoning ringing reporting regarding re who that this what when where why how can could
    urgent important serious critical broken bad weird strange annoying impossible terrible awful
    would will need want have has had like site ticket asset switchboard morning afternoon evening
    today tonight tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
    again now already always only even then than as if because since until after before""".split()
)
# Words that are not names though they may follow "i'm", "it's" or precede "here": pronouns,
# adjectives, roles and teams ("facilities here", "i'm freezing, ...").
_NOT_A_NAME = frozenset(
    """he she they them him her his hers us all any anyone someone somebody everyone nobody one
    spelled spelt spelling that's thats surname name first last
    cold hot warm wet dry dark noisy loud quiet empty full late early slow fast dead open closed shut
    jammed blocked flooded frozen leaking lost confused worried tired sick busy free available alone
    frustrated annoyed upset crazy ridiculous mad sad right wrong true correct same other another
    facilities facility maintenance security reception operations ops it hr engineering helpdesk
    desk team shift night day office warehouse kitchen front main control plant tech support service
    admin management manager supervisor engineer technician contractor caretaker porter guard cleaner
    staff crew department dept customer caller tenant resident colleague coworker boss
    said says told asked asks wants needs thinks knows called rang mentioned left went came got
    dot underscore dash hyphen room floor building gate bay block wing lab dock yard depot""".split()
)
_NAME_STOP = _CONNECTING | _NOT_A_NAME
_LETTER = r"[^\W\d_]"
_NAME_TOKEN = rf"{_LETTER}(?:{_LETTER}|['’-](?={_LETTER})){{0,30}}"
_NAME_RUN = rf"(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}})(?![\w'’-])"
# Surname particles: part of a name inside a run, never a name on their own.
_PARTICLES = frozenset("de del della der den di da dos das du la le van von ter ten te mac mc bin binti al el ní ni nic ó st y".split())
# Endings of adjectives and participles ("freezing", "lovely", "hopeless"): after a weak cue in
# lower case ("i'm freezing, ..."), a word ending so is not a name.
_NOT_NAME_ENDING = re.compile(r"(?:ing|ly|ful|ous|ive|able|ible|less|ness|ed)$")
_CAP = r"(?-i:[A-ZÀ-Þ])[^\W\d_]*(?:['’-][^\W\d_]+)*"
_RELATION = (
    r"(?:colleague|co-?worker|manager|boss|supervisor|husband|wife|partner|son|daughter|mother|father|"
    r"mum|mom|dad|brother|sister|friend|neighbou?r|landlord|landlady|tenant|assistant)"
)
# Triggers after which whatever name-like words follow are a name.
_NAME_ALWAYS = re.compile(
    rf"\b(?:my\s+name(?:'s|’s|\s+is)|(?:my\s+)?(?:first|last|sur|full|given|family|christian)\s?name"
    rf"(?:'s|’s|\s+is|\s*:)?|name\s+is|name's|name’s|call\s+me|"
    # Titles: "Mrs Adebayo", "doctor amara okafor", "Dr. Ní Bhriain".
    rf"(?:mr|mrs|ms|miss|mx|dr|doctor|prof|professor)\.?|"
    # Someone else's name: "calling for jorge alvarez", "on behalf of my colleague Ingrid".
    rf"(?:calling\s+for|on\s+behalf\s+of)(?:\s+(?:my|our|his|her)\s+{_RELATION})?)\s+{_NAME_RUN}",
    _I,
)
# "my colleague Ingrid Sørensen": after a relation only a capitalised name, since "my colleague
# collapsed" is as likely.
_NAME_RELATION = re.compile(rf"\b(?:my|our|his|her|your)\s+{_RELATION},?\s+(?P<name>{_CAP}(?:\s+{_CAP}){{0,3}})(?![\w'’-])", _I)
# Typed record fields: "Caller: Zoë van der Berg", "Requester: ...".
_FIELD = r"(?:name|caller|requester|requested\s+by|reported\s+by|speaking|contact|contact\s+name|customer|tenant|resident)"
_NAME_FIELD = re.compile(rf"(?:^|(?<=[\n|;,]))\s*(?:{_FIELD}|from)\s*:\s*{_NAME_RUN}", _I)

# Weak cues that need corroboration: "this is X from ...", "i'm X, ...", "it's X again",
# "X here", "X speaking". The whole run must be name-like (see ``_strict_name``).
_FOLLOWER = r"(?:from|calling|speaking|here|again|with|at|of)"
_WEAK_TOKEN = rf"(?!{_FOLLOWER}\b){_NAME_TOKEN}"
_WEAK_RUN = rf"(?P<name>{_WEAK_TOKEN}(?:\s+{_WEAK_TOKEN}){{0,3}})(?![\w'’-])"
_NAME_WITH_FOLLOWER = re.compile(
    rf"\b(?:(?P<intro>this\s+is|i'm|i’m|i\s+am)|it's|it’s|it\s+is)\s+{_WEAK_RUN}"
    # A sentence may end after "this is X" / "i'm X", not after "it's X" ("it's overdue.").
    rf"(?=\s*(?:,|\s{_FOLLOWER}\b|(?(intro)(?:[.;!?]|$)|(?!))))",
    _I,
)
# Said rather than typed ("the requester is Gunnhild Åberg"): a weak cue.
_NAME_FIELD_SAID = re.compile(rf"\b{_FIELD}\s+is\s+{_WEAK_RUN}", _I)
_NAME_HERE = re.compile(
    rf"(?:^|(?<=[.,;:!?\n])|\b(?:hi|hello|hey|hiya|morning|afternoon|evening|yes|yeah|ok|okay)\b[,.!]?)"
    rf"\s*{_WEAK_RUN}\s*,?\s+(?:here|speaking)\b",
    _I,
)
# "I'm Dana", "this is Grace O'Neill", "this is Anneke de Vries": capitalised words (with the
# lower-case particles of surnames); lower-case "i'm stuck", "this is broken" are not names.
_PARTICLE = rf"(?:{'|'.join(sorted(_PARTICLES))})"
_NAME_CAPITALISED = re.compile(
    rf"\b(?:[Ii]'m|[Ii]’m|I am|[Tt]his is|[Tt]his’s)\s+"
    rf"(?P<name>{_CAP}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_CAP}){{0,3}})(?![\w'’-])"
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
# A name spelled out after it is given ("[NAME], that's F I T Z ...", "o apostrophe s u l l i v a n"),
# or an address spelled again after it: the letters are the same personal data.
_SPELLED_RUN = (
    r"(?:(?:double|triple)\s+)?[a-z](?:(?:\s*[-_.'’]\s*|\s+(?:apostrophe|hyphen|dash|underscore|dot|space)\s+|\s+)"
    r"(?:(?:double|triple)\s+)?[a-z]){1,40}"
)
_SPELLED_AFTER = re.compile(
    r"(?P<head>\[(?:NAME|EMAIL)\][\s,:;.-]*(?:(?:that's|that’s|that\s+is|thats|it's|it’s|spelled|spelt|spelling|"
    r"as\s+in|i\.e\.|so|with|here|speaking)[\s,:-]*)*)"
    rf"(?P<run>(?>{_SPELLED_RUN}))(?![\w'’-])(?!\s*,?\s*(?:{_DIGIT})(?!\w))",
    _I,
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


def _number_digits(spoken: str) -> str:
    """The digits a spoken number stands for: "double five" 55, "forty one" 41, "twelve" 12."""
    digits: list[str] = []
    repeat = 1
    tens = ""
    for piece in _NUMBER_PIECE.findall(spoken):
        w = piece.lower()
        if w in ("double", "triple"):
            repeat = 2 if w == "double" else 3
            continue
        unit = _DIGIT_WORDS.get(w)
        if tens and unit and unit != "0" and repeat == 1:
            digits.append(tens + unit)  # "forty one"
            tens = ""
            continue
        if tens:
            digits.append(tens + "0")
            tens = ""
        if w in _TENS:
            tens = _TENS[w]
        elif w == "hundred":
            digits.append("00")
        else:
            digits.append((unit or _TEENS.get(w) or w) * repeat)
        repeat = 1
    if tens:
        digits.append(tens + "0")
    return "".join(digits)


def _spoken_numbers(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        spoken = m.group(0)
        has_word = _HAS_NUMBER_WORD.search(spoken)
        # Digit groups alone ("10 23", "2026-02-03") are the written passes' business.
        if not has_word and any(len(g) > 1 for g in re.findall(r"\d+", spoken)):
            return spoken
        number = _number_digits(spoken)
        before = text[max(0, m.start() - 60) : m.start()]
        # Only the nearest cue counts: "SSN ..., work order W O one zero ..." is not a second SSN.
        last = _LAST_NUMBER.match(before)
        if last:
            before = before[last.end() :]
        if len(number) < 4:
            return spoken
        if _ID_BEFORE.search(before):
            return NATIONAL_ID
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

    return _SPOKEN_NUMBER.sub(sub, text)


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
            spelled = len(w) == 1 or w in _EMAIL_SEPARATOR_WORDS or w.isdigit() or _HAS_NUMBER_WORD.fullmatch(w)
            if not spelled and (w in _CONNECTING or w in _EMAIL_CUE or words == _MAX_LOCAL_WORDS):
                break
            words += not spelled
            start = tok.start()
        if start < m.start():
            spans.append((start, m.end()))
            floor = m.end()
    for s, e in reversed(spans):
        text = text[:s] + EMAIL + text[e:]
    return text


def _clean_name(raw: str, *, strict: str = "") -> str | None:
    """Trim a candidate name at the first stop word; None when nothing name-like is left.

    ``strict`` after a weak cue ("i'm X,", "X here"; see ``_NAME_PATTERNS``): the first or every
    word must be name-like, and a lower-case first word must not read as an adjective or a
    participle ("i'm freezing,").
    """
    kept: list[str] = []
    for i, token in enumerate(raw.split()):
        low = token.lower()
        if low in _NAME_STOP or (strict and i == 0 and token.islower() and _NOT_NAME_ENDING.search(low)):
            if strict == "all" or (strict and i == 0):
                return None
            break
        kept.append(token)
    while kept and kept[-1].lower() in _PARTICLES:
        kept.pop()
    return " ".join(kept) or None


# How sure each cue is: "" takes the name-like words up to a stop word; "first" also wants the
# first word name-like; "all" wants every word of the run name-like (the cue is a guess).
_NAME_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_NAME_ALWAYS, ""), (_NAME_FIELD, ""), (_NAME_CAPITALISED, ""), (_NAME_GREETED, ""), (_NAME_ADDRESSED, ""),
    (_NAME_RELATION, ""), (_NAME_FIELD_SAID, "first"), (_NAME_WITH_FOLLOWER, "all"), (_NAME_HERE, "all"),
)  # fmt: skip
_TITLE_DR = re.compile(r"dr\.?\s", _I)
_WORD_BEFORE = re.compile(r"(?-i:[A-Z])[\w'’-]*\s+$")


def names_in(text: str) -> set[str]:
    """The names a caller gave in ``text`` ("my name is Dana Reyes" -> {"Dana Reyes"})."""
    found: set[str] = set()
    for pattern, strict in _NAME_PATTERNS:
        for m in pattern.finditer(text):
            # "Harbor View Dr San Diego": "Dr" after a capitalised word ends a street, it is no title.
            if _TITLE_DR.match(m.group(0)) and _WORD_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            name = _clean_name(m.group("name"), strict=strict)
            if name:
                found.add(name)
    return found


def _redact_names(text: str, names: Iterable[str]) -> str:
    # Full names first, then each part, so a later "Dana" alone is caught as well.
    parts: set[str] = set()
    for name in names:
        parts.add(name)
        parts.update(p for p in name.split() if len(p) > 1 and p.lower() not in _NAME_STOP | _PARTICLES)
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(part)}(?![\w-])", NAME, text, flags=_I)
    return _NAME_THEN_SURNAME.sub(_merge_surname, text)


_NAME_THEN_SURNAME = re.compile(r"\[NAME\]\s+(?P<next>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,30})(?![\w'’-])")


def _merge_surname(m: re.Match[str]) -> str:
    """A name-like word right after a name is its surname ("Ana. Ana Lima.", "dave, dave mcallister")."""
    return NAME if _clean_name(m.group("next"), strict="all") else m.group(0)


def _spelled_after(m: re.Match[str]) -> str:
    return m.group("head") + m.group("head")[:m.group("head").index("]") + 1]


def redact(text: str, *, known_names: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by typed placeholders.

    ``known_names`` are names given elsewhere in the same call (see ``redact_obj``):
    they are removed wherever they appear, not only after "my name is".
    """
    if not text:
        return text
    names = names_in(text) | set(known_names)
    text = _WRITTEN_EMAIL.sub(EMAIL, text)
    text = _spoken_emails(text)
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
    text = _ADDRESS_NO_SUFFIX.sub(ADDRESS, text)
    text = _ADDRESS_CONTINENTAL.sub(ADDRESS, text)
    text = _UK_POSTCODE.sub(ADDRESS, text)
    text = _replace_group(_NAMED_POSTCODE, text, "val", ADDRESS)
    text = _ZIP_PLUS_4.sub(ADDRESS, text)  # not a phone number
    text = _WRITTEN_PHONE.sub(_written_phone, text)
    text = _spoken_numbers(text)
    if names:
        text = _redact_names(text, names)
    if "[" in text:
        text = _SPELLED_AFTER.sub(_spelled_after, text)
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
