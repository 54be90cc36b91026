"""Questions asked on the way, answered from what is at hand. Pure: words in, the sentence to say out.

A question about the result just given is answered from that result ("who approves it?" after an access
request: "Grace Kim must approve it first."), from the caller's question, the result's sentences and a
similarity function.

The server's message is cut for the ear when first said, so what the caller asks after is often in the part
not said. A clause is the answer when it is near the question in meaning and either shares a word with it, is
very near, or holds the kind of thing the question word asks for (who: a person or a team; when: a day or a time; how long:
a duration; which number: digits)."""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

#: Nearest a clause must be to the question (MiniLM cosine) to be its answer at all.
ANSWER_FLOOR = 0.2
#: Nearness at which a clause answers with no word shared ("is thirty-one too hot for the equipment?": "If the room is
#: above 30 degrees the electronics are at risk.").
CLOSE_ENOUGH = 0.45
#: What a shared word and an answer of the asked kind add to the nearness.
SHARED_WORD_BONUS = 0.15
KIND_BONUS = 0.2
#: A section whose heading the question names ("does that need approval?": "Approval") is about what is asked,
#: over and above sharing a word with it: a question that leans on the story before it is otherwise drawn to the
#: story's own topic.
HEADING_BONUS = 0.1

_CLAUSE = re.compile(r"(?<=[.!?;])\s+")
#: Done by the caller alone ("myself", "without phoning"): not "my own password", which any request may say.
_ALONE = re.compile(r"\b(?:myself|ourselves|by myself|without (?:ringing|calling|phoning|contacting|bothering|asking|"
                    r"going through)(?: (?:you|anyone|anybody|someone|somebody|the desk|the helpdesk|the service desk|it|in))?)\b",
                    re.I)

#: A question for a person, not a team: "who's the engineer?", "who is working on it?", "which tech has it?".
_PERSON_ASKED = re.compile(r"\b(?:who|which)\b.*\b(?:engineer|technician|tech|person|guy|bloke|lady|fella|name)\b|"
                           r"\bwho(?:'s| is| are)? (?:actually )?(?:working on|dealing with|looking (?:at|into)|on|handling)\b",
                           re.I)
#: A person's full name as a message writes it ("Liam Murphy", "Sam O'Connor"), not the team it is with.
_PERSON_NAMED = re.compile(r"(?-i:(?<!with )(?<!to )\b[A-Z][a-z]+ (?:[A-Z]')?[A-Z][a-z]+\b)")

#: What each question word asks for, and how an answer of that kind looks.
_KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"\bwho(?:se|m)?\b|\bwhich (?:technician|engineer|tech|person|team)\b", re.I),
     # A name is two capitalised words whatever the flag ("Grace Kim"), not any two words.
     # (or the team it went to: "escalated to Messaging (tier 2)")
     re.compile(r"(?-i:\b[A-Z][a-z]+(?: (?:[A-Z]')?[A-Z][a-z]+)+\b)|(?-i:\b(?:to|with) [A-Z][a-z]+\b)|"
                r"\b(?:manager|technician|engineer|desk|team|support)\b", re.I)),
    (re.compile(r"\bhow (?:far|long|many days) (?:ahead|in advance|before)\b", re.I),
     re.compile(r"\b(?:days?|weeks?|months?) (?:ahead|in advance|before|notice)\b|\bup to \d+\b", re.I)),
    # how long a thing must be ("how long's it got to be?": a length, below) is no time
    (re.compile(r"\bhow (?:long|soon|quickly|fast)\b(?!(?:'s| is| does)? (?:\w+ ){0,2}(?:got to|have to|has to|need to|needs to|must|"
                r"should) be\b)", re.I),
     # (a time "by" names, "by Friday", not "sent by text message"; a span, not how often: "changed every 180 days")
     re.compile(r"\b(?:within|usually|by (?:the end|tomorrow|tonight|next|\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day))\b|"
                r"(?<!every )\b(?:a|an|one|two|three|four|five|ten|\d+|a few|a couple of) (?:working )?(?:minutes?|hours?|days?|"
                r"weeks?)\b", re.I)),
    (re.compile(r"\bhow long(?:'s| is| does)? (?:\w+ ){0,2}(?:got to|have to|has to|need to|needs to|must|should) be\b", re.I),
     re.compile(r"\b\d+ (?:characters?|letters?|digits?|words?|metres?|meters?|mm|cm)\b", re.I)),
    (re.compile(r"\b(?:when|what (?:times?|days?|hours)|which (?:days?|times?))\b", re.I),
     re.compile(r"\b(?:today|tomorrow|tonight|morning|afternoon|evening|between|next (?:working |business )?day|\d{1,2}:\d\d|(?:mon|tues|wednes|thurs|"
                r"fri|satur|sun)day|\d{1,2} (?:january|february|march|april|may|june|july|august|september|october|"
                r"november|december)|no (?:technician |engineer )?visit)\b", re.I)),  # (or that none is booked)
    (re.compile(r"\b(?:which|what) (?:number|phone|mobile|email|address)\b|\bsent (?:it|that) to\b", re.I),
     re.compile(r"\d{3,}|@|\bemail\b|\bmobile\b", re.I)),
    # where: a place on or in something ("riveted to the base frame on the drive side").
    (re.compile(r"\bwhere(?:abouts)?\b", re.I),
     re.compile(r"\b(?:on|at|in|inside|under|underneath|behind|beside|next to|near|from|to|above|below) (?:the|a|an|each|"
                r"every|its|your)\b", re.I)),
    # what was done about it ("has anyone actually done anything on it?", "any progress?"): the newest note or comment.
    (re.compile(r"\b(?:any(?:one|body)|some(?:one|body)|they)\b.{0,30}\b(?:done|did|do|working|work|touch\w*|look\w* at)\b|"
                r"\bany (?:progress|movement|update)\b|\bwhat(?:'s| has| have)? (?:been |they )?(?:done|tried)\b", re.I),
     re.compile(r"\blatest (?:note|comment)\b|\bno open\b|\bnothing (?:open|logged)\b|\bnot (?:yet )?(?:started|assigned)\b",
                re.I)),  # (or that nothing is under way)
    # what a thing is ("what's a work order?", "what even is that?", "what does escalating mean?"): a sentence that
    # says what one is or does, its subject the thing ("A work order asks the field team to fix or inspect plant.")
    (re.compile(r"\bwhat(?: even| actually| exactly)?(?:'s| is| are)(?: even| actually| exactly)? (?:an?|that|this)\b(?!.*\b(?:number|status|problem|"
                r"wrong|happening|going on|matter|about)\b)|\bwhat does (?:an? |the |that |this |it )?(?:\w+ ){0,3}mean\b", re.I),
     re.compile(r"^(?:an?|the) (?:[\w-]+ ){1,3}(?:is|are|asks|means|covers|lets)\b", re.I)),
    # done without the desk ("can I change it myself without ringing you?"): what the caller can do alone.
    (re.compile(rf"{_ALONE.pattern}|\b(?:my|our) own\b", re.I),
     re.compile(r"\bself[- ]?service\b|\byourself\b|\byour own\b", re.I)),
)


def asks_done_alone(question: str) -> bool:
    """Does ``question`` ask what the caller can do without the line ("can I reset it myself next time, without
    phoning?")? That is advice, never a request for the line to do it."""
    return question.rstrip().endswith("?") and bool(_ALONE.search(question))


def of_the_kind_asked(question: str, sentence: str) -> bool:
    """Does ``sentence`` hold the kind of thing ``question``'s words ask for ("how far ahead": "up to 60 days")?"""
    asked = CONDITION.sub("", question)  # ("When I make a job urgent, how fast ...?" does not ask when)
    return any(word.search(asked) and kind.search(sentence) for word, kind in _KINDS)


#: A condition a question is asked under, up to its comma ("when I make a job urgent, how fast ..."): its "when" or
#: "if" asks nothing.
CONDITION = re.compile(r"\b(?:what if|in case|when|whenever|if|once)\b[^,?.!]*,\s*", re.I)


def asks_when(question: str) -> bool:
    """Does ``question`` ask when, or how soon ("will somebody get here today?", "how long will it be?")?"""
    return bool(_WHEN.search(question))


_WHEN = re.compile(r"\b(?:when|what time|how (?:long|soon|quickly)|today|tonight|tomorrow|this (?:morning|afternoon)|"
                   r"(?:get|be|come) (?:here|out|round|over))\b", re.I)


def _words(text: str) -> set[str]:
    """Word stems of four letters or more (the first four letters: "approve" and "approves" meet), and short names
    ("it'll be Sam, yeah?": "Sam O'Connor will come ...")."""
    names = {w.lower() for w in _SHORT_NAME.findall(text)} - _SHORT_WORDS
    return ({w[:4] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4} - _FUNCTION_STEMS) | names


#: A capitalised word of three letters not opening a sentence: a name ("Sam", "Dev", "Kim").
_SHORT_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2}\b")
_SHORT_WORDS = {"the", "and", "but", "yes", "can", "how", "who", "why", "not", "you", "our", "its", "has", "was", "are",
                "did", "for", "now", "any", "all", "one", "two", "low"}


#: Stems of words that carry no topic ("someone" and "something" meet at "some", and say nothing of it).
_FUNCTION_STEMS = {"what", "whic", "when", "that", "this", "with", "your", "sorr", "some", "anyo", "anyt"}


def labelled(sentence: str, question: str) -> bool:
    """Is ``sentence`` a list item ("Medium: within 3 working days") whose label ``question`` names ("how soon is a
    medium one seen to?")?"""
    label = re.match(r"([A-Za-z][\w-]*(?: [\w-]+){0,2}):\s", sentence)
    return bool(label) and bool(_words(label.group(1))) and _words(label.group(1)) <= _words(question)


def article_sentences(passage: Mapping[str, Any]) -> list[str]:
    """An article section's sentences, its headings and list marks taken out; none for an example, which is
    no answer."""
    if passage.get("kind", "article") != "article":
        return []
    text = re.sub(r"^#+ .*$", "", str(passage.get("text", "")), flags=re.M)
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+[.)])\s+", "", text)  # list marks at the start of any line
    text = re.sub(r"\s+", " ", re.sub(r"[*_`>#]", " ", text)).strip()
    return [x for x in re.split(r"(?<=[.!?])\s+", text) if x]


def clauses(message: str) -> list[str]:
    """A result message cut where the ear can stop: sentence ends and semicolons."""
    return [c.strip().rstrip(";").strip() for c in _CLAUSE.split(message.strip()) if c.strip(" ;")]


def answer(question: str, sentences: Sequence[str], similar: Callable[[str, list[str]], list[float]] | None,
           about: str = "", *, one_of_kind: bool = False) -> str:
    """The clause of ``sentences`` that answers ``question``, as a sentence; "" when none clearly does.
    Nearness is of the question with what it is ``about``, for a question that takes its meaning from what
    came before ("how long does that take?" of toner). ``one_of_kind``: the sentences are about what the
    question is about (the record just read), so the one clause holding what its question word asks for
    answers it however far its words are ("who do I chase?": the one person named)."""
    return scored_answer(question, sentences, similar, about, one_of_kind=one_of_kind)[0]


def scored_answer(question: str, sentences: Sequence[str], similar: Callable[[str, list[str]], list[float]] | None,
                  about: str = "", *, one_of_kind: bool = False, heading: str = "") -> tuple[str, float]:
    """``answer`` with how well it answers (nearness and bonuses), to weigh it against other sections' answers.
    ``heading``: what the sentences' section is about ("Service requests: Approval"); a word the question shares with
    its section's part (not the article's subject) is shared by each of its sentences. With ``one_of_kind`` a
    question that asks for a kind of thing is answered only by a clause holding one ("how long have I got to use the
    link?" is not "A link has been sent ...")."""
    options = [s for s in sentences if s.strip()]
    if not options:
        return "", 0.0
    asked = [kind for word, kind in _KINDS if word.search(question)]
    near = list(similar(f"{question} {about}".strip(), options)) if similar is not None else [0.0] * len(options)
    own = _words(question)
    # (The article's own subject in a section heading, "Laptops: Laptop will not turn on", names no section.)
    article, _, section = heading.rpartition(":")
    titled = bool(own & (_words(section) - _words(article)))
    best, score = "", 0.0
    of_kinds = [x for x in options if any(kind.search(x) for kind in asked)]
    if len(of_kinds) > 1 and _PERSON_ASKED.search(question):
        # "Who's the engineer on it?" of a record with a team and a person: the person.
        of_kinds = [x for x in of_kinds if _PERSON_NAMED.search(x)] or of_kinds
    if one_of_kind and len(of_kinds) == 1 and len(asked) == 1:
        best = of_kinds[0]
        return best[0].upper() + best[1:] + ("" if best.endswith((".", "!", "?")) else "."), 1.0
    for sentence, nearness in zip(options, near):
        shared = titled or bool(own & _words(sentence))
        of_kind = any(kind.search(sentence) for kind in asked)
        if one_of_kind and asked and not of_kind:
            continue
        if nearness < ANSWER_FLOOR or not (shared or of_kind or nearness >= CLOSE_ENOUGH):
            continue
        total = nearness + SHARED_WORD_BONUS * shared + KIND_BONUS * (of_kind + labelled(sentence, question)) \
            + HEADING_BONUS * titled
        if total > score:
            best, score = sentence, total
    if not best:
        return "", 0.0
    return best[0].upper() + best[1:] + ("" if best.endswith((".", "!", "?")) else "."), score


def options_answer(options: Sequence[str], passages: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """(what the articles say of each of ``options``, the article's id): "what's the difference between high and
    urgent?": "Urgent: attended within 4 hours, .... High: within 24 hours.", from the first article section, in
    retrieval order, with a sentence that opens with each option's name; ("", "") when none has."""
    for passage in passages:
        if passage.get("kind", "article") != "article":
            continue
        lines = [re.sub(r"^[\s*-]+", "", x).strip() for x in re.split(r"\n+|(?<=[.!?])\s+", str(passage.get("text", "")))]
        said = [next((x for x in lines if x.lower().startswith(o.lower().replace("_", " "))), "") for o in options]
        if all(said):
            return " ".join(x if x.endswith((".", "!", "?")) else f"{x}." for x in dict.fromkeys(said)), str(passage.get("id", ""))
    # ... or one sentence that lists them all inline ("Target times depend on priority: urgent 4 hours, high 1 working
    # day, medium 3 working days ..."), the first such in retrieval order.
    for passage in passages:
        if passage.get("kind", "article") != "article":
            continue
        for line in re.split(r"\n+|(?<=[.!?])\s+", str(passage.get("text", ""))):
            line = re.sub(r"^[\s*-]+", "", line).strip()
            if ":" in line and all(re.search(rf"\b{re.escape(o.replace('_', ' '))}\b", line.partition(":")[2], re.I)
                                   for o in options):
                return _items_asked(line, options), str(passage.get("id", ""))
    return "", ""


def _items_asked(line: str, options: Sequence[str]) -> str:
    """A list said inline after a label ("Target times depend on priority: urgent 4 hours, high 1 working day, ..."),
    with only the items that name ``options`` ("... priority: high 1 working day."); the whole line when it is no
    such list (a time's colon, "08:00", is no label's)."""
    label = re.match(r"^(.*?[A-Za-z]):\s+(.*)$", line)
    items = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", label.group(2).rstrip(".!?")) if label else []
    kept = [x.strip() for x in items
            if any(re.search(rf"\b{re.escape(o.replace('_', ' '))}\b", x, re.I) for o in options)]
    if not label or len(items) < 3 or not kept or any(":" in x for x in items):
        return line if line.endswith((".", "!", "?")) else f"{line}."
    return f"{label.group(1)}: {', '.join(kept)}."


#: An article's instruction to speak to a person ("ask to speak to the IT service desk"), and the situation it is
#: for: the "If ..." clause before it, in its sentence or the one before ("If the laptop asks for a BitLocker
#: recovery key, ask to speak to ...").
_TO_A_PERSON = re.compile(r"\bask to speak to\b", re.I)
_IF_CLAUSE = re.compile(r"\bif ([^,;:]+)", re.I)


#: Verbs by which a screen or a device gives a message ("the VPN says", "it keeps telling me", "it shows").
_SAYING = {"say", "tell", "show", "display", "read", "flash", "pop"}


def person_per_articles(passages: Sequence[str], said: str) -> str:
    """The article sentence that says a person does what the caller describes ("If the laptop asks for a BitLocker
    recovery key, ask to speak to the IT service desk. A person there reads you the key ..."): its situation, each
    of its "or" parts apart, must be the caller's in every word of four letters or more (at least two), names
    written with capitals aside. "" else."""
    def root(word: str) -> str:  # "asks" and "asking" alike; a message "says", "shows" or is "telling" alike
        bare = next((word[:-len(end)] for end in ("ing", "ed", "es", "s") if word.endswith(end) and len(word) - len(end) >= 3),
                    word)
        return "say" if bare in _SAYING else bare

    words = {root(w) for w in re.findall(r"[a-z]+", said.lower())}
    for text in passages:
        for found in _TO_A_PERSON.finditer(text):
            before = text[:found.start()]
            conditions = _IF_CLAUSE.findall(before[max(before.rfind(". ", 0, max(len(before) - 2, 0)), 0):])
            for condition in conditions[-1:]:
                for part in re.split(r"\s+or\s+", condition):
                    # A product's name ("BitLocker") is what the article calls it; a caller describes what it does.
                    needed = {root(w.lower()) for w in re.findall(r"[A-Za-z]+", part) if len(w) >= 4 and w.islower()}
                    # ... or names it, with a word of the situation besides ("a BitLocker recovery screen came up").
                    names = {w.lower() for w in re.findall(r"[A-Za-z]+", part) if len(w) >= 4 and not w.islower()}
                    if len(needed) >= 2 and (needed <= words or (names and names <= words and needed & words)):
                        end = text.find(".", found.end())
                        return text[found.start():end + 1 if end >= 0 else len(text)].strip()
    return ""
