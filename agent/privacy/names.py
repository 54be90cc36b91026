"""The names a caller gives, found by how people introduce themselves and others.

A name is a run of up to four words (letters in any script, with apostrophes, hyphens and
surname particles: "Ruairí mac Giolla Phádraig", "jean-luc de la fontaine") after a cue:
"my name is", a title ("Mrs", "doctor"), a typed field ("Caller:") or a log key ("caller_name="),
"calling for", a relation or a role ("my colleague Ingrid", "the site manager, Ewa", "Priya from
accounts"), or weaker cues that need corroboration ("X here", "i'm X, ...", "it's X again", "ask X to",
"emailed X", a signature). Once given, a name is removed wherever it recurs, with the
surname said after it and the name spelled out letter by letter.
"""

from __future__ import annotations

import re
from typing import Iterable

from agent.privacy.numbers import DIGIT, NUMBER_WORDS

NAME = "[NAME]"
_I = re.IGNORECASE

CONNECTING = frozenset(
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
    i've i'd i'll we've we're we'd we'll they've they're they'd you've you'd he's she's he'd she'd
    who whoever whom whomever whichever whatever whose anybody everybody none
    spelled spelt spelling that's thats surname name first last
    cold hot warm wet dry dark noisy loud quiet empty full late early slow fast dead open closed shut
    jammed blocked flooded frozen leaking lost confused worried tired sick busy free available alone
    frustrated annoyed upset crazy ridiculous mad sad right wrong true correct same other another
    facilities facility maintenance security reception operations ops it hr engineering helpdesk
    desk team shift night day office warehouse kitchen front main control plant tech support service
    admin management manager supervisor engineer technician contractor caretaker porter guard cleaner
    staff crew department dept customer caller tenant resident colleague coworker boss
    said says told asked asks wants needs thinks knows called rang mentioned left went came got
    mr mrs ms miss mx dr doctor prof professor
    stores canteen dispatch logistics accounts payroll finance procurement purchasing transport fleet
    cleaning catering estates housekeeping pharmacy ward theatre production quality
    given taken seen shown sent made put set kept home upstairs downstairs odd
    tell ask text email message ping
    angry asleep awake calm certain close far great hungry hurt ill nearby next safe unsafe unwell scared
    onsite offsite unhappy away absent present mate guys folks everybody both bye goodbye cheerio ta ta-ra tata ciao cya laters
    help later soon asap update advice assistance information info details confirmation human person
    dot underscore dash hyphen room floor building gate bay block wing lab dock yard depot""".split()
)
# The things operations calls are about: never a name, and after "this is X" / "i'm X" they
# show X was a name ("this is kemal boiler two at site 9 is leaking").
_OPS_NOUNS = frozenset(
    """pump chiller boiler generator compressor freezer fridge lift elevator door valve fan sensor alarm
    panel meter printer laptop server router badge reader heater heating cooling ahu hvac model serial
    part order work incident job request case error code temperature pressure site asset ticket room
    floor building gate bay block wing lab dock yard depot truck forklift""".split()
)
_NAME_STOP = CONNECTING | _NOT_A_NAME | _OPS_NOUNS | NUMBER_WORDS | {"number", "no"}
_LETTER = r"[^\W\d_]"
_NAME_TOKEN = rf"{_LETTER}(?:{_LETTER}|['’-](?={_LETTER})){{0,30}}"
_TITLE = r"(?:mr|mrs|ms|miss|mx|dr|doctor|prof|professor)"
# A run stays on its line: "Kind regards\nLuca Moretti\nFacilities Supervisor".
_NAME_RUN = rf"(?:{_TITLE}\.?\s+)?(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,3}})(?![\w'’-])"
# Between a cue and the name: a comma, and the fillers people say ("my name is, er, Radhika").
_GAP = r"[,.]?\s+(?:(?:uh|um|er|erm|ah)[,.]?\s+)*"
# Surname particles: part of a name inside a run, never a name on their own.
_PARTICLES = frozenset(
    "de del della der den di da dos das du la le van von ter ten te mac mc bin binti al el ní ni nic ó st y".split()
)
_PARTICLE = rf"(?:{'|'.join(sorted(_PARTICLES))})"
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
    rf"\b(?:my\s+name(?:'s|’s|\s+is|\s*[,:])|(?:by\s+the\s+)?name\s+of|(?:my\s+)?(?:first|last|sur|full|given|family|christian)\s?name"
    rf"(?:'s|’s|\s+is|\s*:)?|name\s+is|name's|name’s|call\s+me|"
    # Titles: "Mrs Adebayo", "doctor amara okafor", "Dr. Ní Bhriain".
    # Not after a number: "20 ms frames" are milliseconds.
    rf"(?<!\d)(?<!\d\s){_TITLE}\.?|"
    # Someone else's name: "calling for jorge alvarez", "on behalf of my colleague Ingrid".
    rf"(?:calling\s+for|on\s+behalf\s+of)(?:\s+(?:my|our|his|her)\s+{_RELATION})?|"
    # The name one answers to, and a typed addressee: "i go by Tunde", "Attn: ...", "cc Thandiwe Nkosi".
    rf"go(?:es)?\s+by|known\s+as|attn\.?:?|attention\s+of|(?<!\d)(?<!\d\s)cc:?){_GAP}{_NAME_RUN}",
    _I,
)
# "a contractor named Kofi Boateng", "he's called Arjun Mehta": only a capitalised run, since things are
# named and called too ("a file named config", "it's called the east wing").
_NAME_NAMED = re.compile(
    rf"\b(?:named|(?:he|she|they)(?:'s|’s|\s+is|\s+was|\s+are)\s+called)\s+(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})(?![\w'’-])", _I
)
# People's roles: "the site manager, Ewa Nowakowska", "Priya from accounts" (with ``_TEAMS``).
_PERSON_ROLES = frozenset(
    """manager supervisor engineer technician contractor caretaker porter guard cleaner coordinator director lead
    foreman officer administrator analyst receptionist nurse tenant resident landlord landlady""".split()
)
# "my colleague Ingrid Sørensen", "our caretaker Seamus Doyle", "the tenant, Mei Ling Chan,": after a
# relation or a role only a capitalised name, since "my colleague collapsed" is as likely.
_NAME_RELATION = re.compile(
    rf"\b(?:my|our|his|her|your|their|the|a|an)\s+(?:[a-z]+\s+){{0,2}}(?:{_RELATION}|{'|'.join(sorted(_PERSON_ROLES))}),?\s+"
    rf"(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})(?![\w'’-])",
    _I,
)
# Record fields, typed ("Caller: Zoë van der Berg") or said ("the requester is ..."): the caller
# and the roles a form or a report asks for.
_FIELD_WORDS = frozenset(
    """name caller requester requestor reporter speaking contact customer tenant resident employee user
    submitter occupant visitor guest patient client owner technician engineer applicant""".split()
)
_FIELD = rf"(?:(?:contact\s+)?(?:{'|'.join(sorted(_FIELD_WORDS))})|requested\s+by|reported\s+by)"
# Typed, any "<who> by:" / "<who> to:" too ("Submitted by:", "Assigned to:"); the field holds the
# name as the form wants it, surname first when a comma ends the field ("Caller: st. john-smythe,
# fiona", but "Reported by: Ewa Nowak, ext 4410").
_FIELD_TOKEN = rf"{_NAME_TOKEN}\.?"
_FIELD_VALUE = rf"(?P<name>{_FIELD_TOKEN}(?:[ \t]+{_FIELD_TOKEN}){{0,3}}(?:,[ \t]*{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}(?=[ \t]*(?:$|[\n|;(])))?)"
_NAME_FIELD = re.compile(
    rf"(?:^|(?<=[\n|;,]))\s*(?:{_FIELD}|from|[a-z]+\s+(?:by|to))\s*:\s*(?:{_TITLE}\.?\s+)?{_FIELD_VALUE}(?![\w'’-])", _I
)

# Keys of structured lines ("caller_name=Dana Reyes", {"name": "Oyelaran Bisi"}, firstName: Wei): the
# plain field words, or a person's kind of name ("requester_name"; not "filename", "hostname").
_NAME_KEY = re.compile(
    rf"(?<![\w-])[\"']?(?:(?:{_FIELD}|first|last|full|given|family|sur|display|middle)[_-]?name|{_FIELD})[\"']?\s*[:=]\s*[\"']?"
    rf"(?:{_TITLE}\.?\s+)?(?P<name>{_NAME_TOKEN}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_NAME_TOKEN}){{0,3}})(?![\w'’-])",
    _I,
)

# Weak cues that need corroboration: "this is X from ...", "i'm X, ...", "it's X again",
# "X here", "X speaking". The run must be name-like (see ``_NAME_PATTERNS`` and ``_clean_name``).
_CLAUSE_START = r"(?:i|we|and|so|but|my|the|can|could|please|on|in)"
_OPS_NOUN = rf"(?:{'|'.join(sorted(_OPS_NOUNS))})"
_FOLLOWER = r"(?:from|calling|speaking|here|again|with|at|of|back)"
_WEAK_TOKEN = rf"(?!(?:{_FOLLOWER}|{_OPS_NOUN}|{_CLAUSE_START})\b){_NAME_TOKEN}"
# After a weak cue a job title may stand before the name too ("this is nurse okafor on ward 6").
_JOB_TITLE = r"(?:nurse|sister|matron|officer|sergeant|sgt|captain|capt|father|reverend|rev|pastor|mister|missus)"
_WEAK_RUN = (
    rf"(?:(?:{_TITLE}|{_JOB_TITLE})\.?\s+)?"
    rf"(?P<name>{_WEAK_TOKEN}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WEAK_TOKEN}){{0,3}})(?![\w'’-])"
)
_NAME_WITH_FOLLOWER = re.compile(
    rf"\b(?:(?P<intro>this\s+is|i'm|i’m|im|i\s+am)|it's|it’s|it\s+is){_GAP}{_WEAK_RUN}"
    # A sentence may end after "this is X" / "i'm X", not after "it's X" ("it's overdue.").
    # After "this is X" / "i'm X" the next clause may start at once ("this is maria i need ...").
    rf"(?=\s*(?:,|\s{_FOLLOWER}\b|(?(intro)(?:[.;!?]|$|\s(?:{_OPS_NOUN}|{_CLAUSE_START})\b)|(?!))))",
    _I,
)
# Someone to reach: "call back nadia haddad", "ask for Dana", "ring liam back". Weak cues:
# "ask for help" and "speak to the engineer" are as likely.
_NAME_REACH = re.compile(
    rf"\b(?:(?:call|ring|phone)\s+back|(?:speak|spoke|spoken|talk|talked)\s+(?:to|with)|message\s+(?:for|from)|ask\s+for|(?:put\s+me\s+through|transfer\s+me)\s+to"
    rf"|(?:call|ring|phone)(?=(?:\s+\S+){{1,2}}\s+back\b)"
    # Someone to pass word to: "tell Oluwaseun that ...", "let Tremaine know".
    rf"|tell(?=\s+\S+(?:\s+\S+)?\s+(?:that|about|to)\b)|let(?=\s+\S+(?:\s+\S+)?\s+know\b)"
    # Someone asked to act: "ask Precious to call".
    rf"|ask(?=\s+\S+(?:\s+\S+)?\s+to\b)){_GAP}{_WEAK_RUN}",
    _I,
)
# Someone reached, or who reached out: "I've emailed Giulia Romano", "please contact Björn Eriksson",
# "Tariq rang earlier". Only capitalised words ("called the office", "Security rang"), every one name-like.
_CONTACT_VERBS = frozenset(
    "emailed e-mailed texted messaged called rang phoned contacted contact met told asked said says".split()
)
_NAME_CONTACTED = re.compile(
    rf"\b(?:e-?mailed|texted|messaged|called|rang|phoned|contacted|contact|met|told|asked)\s+"
    rf"(?P<name>{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_CAP}){{0,3}})(?![\w'’-])"
    # Not a product or a service desk: "called Maximo support", "contact Zebra printer support".
    rf"(?!\s+(?:support|team|desk|helpdesk|service|services|portal|app|system|{_OPS_NOUN})\b)",
    _I,
)
_NAME_WHO_CALLED = re.compile(
    rf"(?:^|(?<=[.!?]\s))(?P<name>{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_CAP}){{0,3}})"
    r"\s+(?:rang|called|phoned|e-?mailed|texted|messaged|said|says|asked)\b"
)
# "get Ifeoma to check", "have Rahul ring ...": only a capitalised word ("get access to", "have a look").
# Its own pattern: "get" and "have" are in most lines, and this one is cheap to search.
_NAME_GET = re.compile(
    rf"\b(?:get(?=\s+(?-i:[A-Z])\S*(?:\s+\S+)?\s+to\b)"
    rf"|have(?=\s+(?-i:[A-Z])\S*(?:\s+\S+)?\s+(?:call|ring|phone|email|text|contact|come|check|look)\b)){_GAP}{_WEAK_RUN}",
    _I,
)
# A capitalised name described by the team or role it belongs to: "Priya from accounts says ...",
# "Kenji Watanabe, the site manager, ...", "Mariana Costa, our duty engineer". Every word must be
# name-like, and the role must be one a person holds (``_ROLE_WORDS``).
_ROLE_WORDS = _PERSON_ROLES | frozenset(
    """accounts payroll finance procurement purchasing logistics dispatch security reception facilities
    maintenance operations ops hr engineering helpdesk estates housekeeping catering cleaning transport fleet
    stores quality production it""".split()
)
_ROLE = rf"(?:{'|'.join(sorted(_ROLE_WORDS))})"
_NAME_ROLE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_CAP}){{0,3}})"
    rf"(?:\s+from\s+(?:the\s+)?{_ROLE}|,\s+(?:the|our|my|your|a|an)\s+(?:[a-z]+\s+){{0,2}}{_ROLE})\b",
)
# A typed signature on its own line, after the message, after a dash: "...\n-- Agnieszka".
_NAME_DASH_SIGNATURE = re.compile(rf"\n[ \t]*(?:--?|—|–)[ \t]*{_WEAK_RUN}[ \t]*(?=$|\n)")
# Typed messages: the writer signs off ("Thanks, Moira Campbell", "cheers\ntom") and greets the
# reader ("Hi Dana,", "Dear Mr Okafor,"); "thanks, that fixed it" and "Hi all," are no names.
_NAME_SIGNOFF = re.compile(
    rf"\b(?:thanks|thank\s+you|cheers|regards|best|sincerely|yours|signed)[,.!]?{_GAP}{_WEAK_RUN}(?=\s*(?:$|[,.;!(\n]))", _I
)
_NAME_SALUTATION = re.compile(
    rf"(?:^|(?<=[\n.!?]))\s*(?:hi|hello|hey|dear|morning|good\s+morning|afternoon|evening){_GAP}{_WEAK_RUN}(?=\s*[,!:\n])", _I
)
# Said rather than typed ("the requester is Gunnhild Åberg"): a weak cue.
_NAME_FIELD_SAID = re.compile(
    # "is"/"was" only: "the engineer's appointment" is a possessive.
    # Only the fields whose value is a name: "the technician was rude" describes one.
    rf"(?:\b(?:(?:name|caller|requester|requestor|reporter|contact)\s+(?:is|was)|(?:requested|reported|raised|logged|submitted|opened)\s+by)"
    # Dictated, a field name starts the sentence or clause ("name tomasz wojcik phone ...").
    rf"|(?:^|(?<=[,.;:!?\n]\s))(?:caller|name)){_GAP}{_WEAK_RUN}",
    _I,
)
_NAME_HERE = re.compile(
    rf"(?:^|(?<=[.,;:!?\n])|\b(?:hi|hello|hey|hiya|morning|afternoon|evening|yes|yeah|ok|okay)\b[,.!]?)"
    rf"\s*{_WEAK_RUN}\s*,?\s+(?:here|speaking)\b",
    _I,
)
# "I'm Dana", "this is Grace O'Neill", "this is Anneke de Vries": capitalised words (with the
# lower-case particles of surnames); lower-case "i'm stuck", "this is broken" are not names.
_NAME_CAPITALISED = re.compile(
    rf"\b(?:[Ii]'m|[Ii]’m|I am|[Tt]his is|[Tt]his’s)\s+"
    rf"(?P<name>{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_CAP}){{0,3}})(?![\w'’-])"
)
# After a greeting, whatever follows "this is" / "it's" is the caller's name, in any case
# (recognisers do not always capitalise): "hey this is ravi kumar", "hi it's Noor".
_NAME_GREETED = re.compile(
    rf"\b(?:hi|hello|hey|hiya|morning|afternoon|evening|yes|yeah)[,.!]?\s+(?:there[,.!]?\s+)?"
    rf"(?:this\s+is|it's|it’s|its|it\s+is|i'm|i’m|im|i\s+am){_GAP}{_NAME_RUN}",
    _I,
)
# The caller telling who the agent is speaking with.
_NAME_ADDRESSED = re.compile(
    rf"\b(?:you're|you’re|you\s+are)\s+(?:(?:speaking|talking)\s+(?:to|with)|through\s+to){_GAP}{_NAME_RUN}", _I
)
# A name spelled out after it is given ("[NAME], that's F I T Z ...", "o apostrophe s u l l i v a n"),
# or an address spelled again after it: the letters are the same personal data.
_SPELLED_RUN = (
    r"(?:(?:double|triple)\s+)?[a-z](?![\w'’])(?:(?:\s*[-_.'’]\s*|\s+(?:apostrophe|hyphen|dash|underscore|dot|space)\s+|\s+)"
    r"(?:(?:double|triple)\s+)?[a-z](?![\w'’])){1,40}"
)
_SPELLED_ANYWHERE = re.compile(
    r"(?P<cue>\b(?:that's|that’s|that\s+is|spelled|spelt|spelling)[\s,:-]+)?"
    rf"(?<![\w'’])(?P<run>(?>{_SPELLED_RUN}))(?![\w'’-])(?!\s*,?\s*(?:{DIGIT})(?!\w))",
    _I,
)
_SPELLED_LETTER = re.compile(r"(?<![a-z])[a-z](?![a-z])", _I)
_SPELLED_AFTER = re.compile(
    r"(?P<head>\[(?:NAME|EMAIL)\][\s,:;.-]*(?:(?:that's|that’s|that\s+is|thats|it's|it’s|spelled|spelt|spelling|"
    r"as\s+in|i\.e\.|so|with|here|speaking)[\s,:-]*)*)"
    rf"(?P<run>(?>{_SPELLED_RUN}))(?![\w'’-])(?!\s*,?\s*(?:{DIGIT})(?!\w))",
    _I,
)

_WORD_RE = re.compile(r"[^\W\d_]+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD_RE.findall(text.lower()))


def _clean_name(raw: str, *, strict: str = "") -> str | None:
    """Trim a candidate name at the first stop word; None when nothing name-like is left.

    ``strict`` after a weak cue ("i'm X,", "X here"; see ``_NAME_PATTERNS``): the first or every
    word must be name-like, and a lower-case first word must not read as an adjective or a
    participle ("i'm freezing,").
    """
    kept: list[str] = []
    for i, token in enumerate(t.strip(",.") for t in raw.split()):
        low = token.lower().replace("’", "'")
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
# Each with the words one of which its cue needs, or a string it needs (a gate; see ``names_in``).
_GREETINGS = frozenset("hi hello hey hiya morning afternoon evening yes yeah ok okay".split())
_NAME_PATTERNS: tuple[tuple[re.Pattern[str], str, frozenset[str] | str], ...] = (
    (_NAME_ALWAYS, "", frozenset(
        """name surname firstname lastname fullname givenname familyname christianname call calling behalf go goes known
        attn attention cc
        mr mrs ms miss mx dr doctor prof professor""".split())),
    (_NAME_FIELD, "", _FIELD_WORDS | {"from", "by", "to"}),
    (_NAME_KEY, "first", _FIELD_WORDS | frozenset(
        """firstname lastname fullname givenname familyname surname displayname middlename""".split())),
    (_NAME_CAPITALISED, "", frozenset({"i", "this"})),
    (_NAME_GREETED, "first", _GREETINGS),
    (_NAME_ADDRESSED, "", frozenset({"speaking", "talking", "through"})),
    (_NAME_RELATION, "", frozenset(
        """colleague co worker coworker manager boss supervisor husband wife partner son daughter mother father
        mum mom dad brother sister friend neighbour neighbor landlord landlady tenant assistant""".split()) | _PERSON_ROLES),
    (_NAME_FIELD_SAID, "first", frozenset(
        "name caller requester requestor reporter contact requested reported raised logged submitted opened".split())),
    (_NAME_WITH_FOLLOWER, "all", frozenset({"this", "i", "it", "im"})),
    (_NAME_HERE, "all", frozenset({"here", "speaking"})),
    (_NAME_REACH, "first", frozenset("call ring phone speak spoke spoken talk talked message ask put transfer tell let".split())),
    (_NAME_CONTACTED, "all", _CONTACT_VERBS),
    (_NAME_WHO_CALLED, "all", _CONTACT_VERBS),
    (_NAME_GET, "first", frozenset({"get", "have"})),
    (_NAME_SIGNOFF, "all", frozenset("thanks thank cheers regards best sincerely yours signed".split())),
    (_NAME_SALUTATION, "all", _GREETINGS | {"dear"}),
    (_NAME_ROLE, "all", _ROLE_WORDS),
    (_NAME_NAMED, "all", frozenset({"named", "called"})),
    (_NAME_DASH_SIGNATURE, "all", "\n"),
)  # fmt: skip
_TITLE_DR = re.compile(r"dr\.?\s", _I)
_WORD_BEFORE = re.compile(r"(?-i:[A-Z])[\w'’-]*\s+$")


def names_in(text: str, words: frozenset[str] | None = None) -> set[str]:
    """The names a caller gave in ``text`` ("my name is Dana Reyes" -> {"Dana Reyes"}).

    ``words`` are the lower-case words of ``text`` (see ``_words``), when the caller has them.
    """
    words = word_set(text) if words is None else words
    found: set[str] = set()
    for pattern, strict, cue_words in _NAME_PATTERNS:
        # Skip a pattern none of whose cue words is in the text: most log lines have no name.
        # A cue that is punctuation, not a word ("\n-- Agnieszka"), is gated on a string the text must hold.
        if words.isdisjoint(cue_words) if isinstance(cue_words, frozenset) else cue_words not in text:
            continue
        pos = 0
        while m := pattern.search(text, pos):
            pos = m.end()
            # "Harbor View Dr San Diego": "Dr" after a capitalised word ends a street, it is no title.
            if _TITLE_DR.match(m.group(0)) and _WORD_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            name = _clean_name(m.group("name"), strict=strict)
            if name:
                found.add(name)
                # Go on right after the name: "first name's Saoirse and my surname is Mac Aodha".
                pos = m.start("name") + len(name)
    return found


def redact_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every name given, and every word of it, replaced wherever it recurs."""
    names = set(names)
    # Full names first (with their particles: "Zoë van der Berg"), then each word, so a later
    # "Dana" alone is caught as well. Phrases are few in a real call; a hostile line with
    # thousands of them keeps its particles, never its names.
    phrases = sorted((n for n in names if " " in n), key=len, reverse=True)[:_MAX_NAME_PHRASES]
    if phrases:
        alternation = "|".join(re.escape(n) for n in phrases)
        text = re.sub(rf"(?<![\w-])(?:{alternation})(?![\w-])", NAME, text, flags=_I)
    parts = {p.lower() for n in names for p in n.split() if len(p) > 1 and p.lower() not in _NAME_STOP | _PARTICLES}
    text = _replace_words(text, parts)
    # A name-like word right after a name is its surname ("Ana. Ana Lima.", "ruth, ruth abernathy"),
    # one at the start of a clause right before it its first name ("bond, james bond"); either is
    # then removed wherever else it is said.
    surnames: set[str] = set()

    def merge(m: re.Match[str]) -> str:
        if not _clean_name(m.group("next"), strict="all"):
            return m.group(0)
        surnames.add(m.group("next").lower())
        return NAME

    text = _NAME_THEN_SURNAME.sub(merge, text)
    text = _FIRST_NAME_BEFORE.sub(merge, text)
    return _replace_words(text, surnames) if surnames else text


_FIRST_NAME_BEFORE = re.compile(
    r"(?:^|(?<=[,.;:!?\n]\s))(?P<next>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,30})(?=\s+\[NAME\])"
)
_MAX_NAME_PHRASES = 64
_WORD_TOKEN = re.compile(r"(?<![\w-])[^\W\d_][\w'’-]*")


def _replace_words(text: str, words: set[str]) -> str:
    """Each word in ``words`` (lower case) replaced, in one pass over the text's words: linear
    however many names a line holds. "Dana's" loses the name and keeps the possessive."""
    if not words:
        return text

    def sub(m: re.Match[str]) -> str:
        token = m.group(0).rstrip("-")
        low = token.lower()
        if low in words:
            return NAME + m.group(0)[len(token) :]
        for quote in "'’":
            head, found, tail = token.partition(quote)
            if found and head.lower() in words:
                return NAME + found + tail + m.group(0)[len(token) :]
        return m.group(0)

    return _WORD_TOKEN.sub(sub, text)


# Not when an identifier follows the word ("dana pump P-4701", "dana site twelve"): that word names the thing.
_NAME_THEN_SURNAME = re.compile(
    r"\[NAME\]\s+(?P<next>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,30})(?![\w'’-])"
    rf"(?!\s+(?:[a-z]{{0,5}}-?\d|(?:[a-z]\s+){{0,3}}{DIGIT}\b))",
    _I,
)



def redact_spelled_names(text: str, names: Iterable[str]) -> str:
    """A name spelled out anywhere in the text ("that's F O U R N I E R"): a run of single letters
    that spells a name given, or that follows "that's" / "spelled" once a name is known."""
    spelled = {re.sub(r"[^\w]", "", n).lower() for name in names for n in (name, *name.split())}

    def sub(m: re.Match[str]) -> str:
        letters = "".join(_SPELLED_LETTER.findall(m.group("run"))).lower()
        return (m.group("cue") or "") + NAME if m.group("cue") or letters in spelled else m.group(0)

    return _SPELLED_ANYWHERE.sub(sub, text)


def redact_spelled_after(text: str) -> str:
    """A run of letters spelled right after a name or an e-mail placeholder is the same data
    ("[EMAIL], that's S A M underscore L E E")."""
    return _SPELLED_AFTER.sub(_spelled_after, text)


def _spelled_after(m: re.Match[str]) -> str:
    return m.group("head") + m.group("head")[:m.group("head").index("]") + 1]
