"""Questions said in a statement's word order, put in a question's (pure: no I/O).

Callers speaking English as a second language, and many who do not, ask without inverting: "what I must
do?", "where I find the tag?", "what else I can try?", "how I fix it". Every check of the brain that asks
"is this a question of what to do?" reads the inverted form ("what must I do?"), so the turn is given
to them in that order: the auxiliary before the subject, and "do" or "does" where none was said.

Only a question is turned: a wh-word opening its clause (at the start, after a stop or comma, after
"and", "so" or "but", or at the end of unpunctuated words), with the clause running to the end of the
sentence without a comma and ending on a question mark or on nothing. "When I log in, it fails" and
"I don't know what I need" (a question inside a statement) stay as they are.
"""

from __future__ import annotations

import re

#: Words that open a question of their own.
_WH = r"what(?: else)?|where(?: else)?|how(?: else)?|who|which|why|when"
_SUBJECT = r"i|we|you|they|he|she|it"
#: Said before the subject in a question: moved there.
_AUX = "must can could should shall will would may might am are is was were".split()
#: Words after the subject that are no verb to put "do" before ("what I'm after", "where we're at").
_NO_VERB = frozenset("not also just really already then now still always never ever usually does did".split())
#: Words before a wh-word that make its clause a question inside a statement ("I don't know what I need").
_EMBEDS = frozenset(("know knows knew sure tell told ask asked asking wonder wondering understand see saw remember "
                     "explain idea clue show decide check is was that's thats exactly matter care mind find learn "
                     "hear heard say said sort like love").split())
_QUESTION = re.compile(rf"(?P<wh>\b(?:{_WH}))\s+(?P<subject>{_SUBJECT})\s+(?P<verb>[a-z']+)(?P<rest>[^,.;!?]*?)"
                       r"(?P<end>\?|$)", re.I)
_WH_WORD = re.compile(rf"\b(?:{_WH})\b", re.I)
_OPENS = re.compile(r"(?:^|[.;:!?]\s*|\b(?:and|so|but|then|okay|ok|please)\s+)$", re.I)
#: Mid-sentence (after a comma, or the last words unpunctuated) only these open a question: "when", "where",
#: "who" and "which" there open a clause of a statement ("call me back when you can", "the man who I saw").
_OPENS_INSIDE = re.compile(r"what|how", re.I)
#: At most this many words in an unpunctuated question at the end of the words ("... i cannot connect what i do").
BARE_WORDS = 8


def inverted(text: str) -> str:
    """``text`` with each question said in a statement's order put in a question's ("what I must do?" ->
    "what must I do?", "where I find the tag?" -> "where do I find the tag?"); ``text`` itself otherwise."""
    out, at = [], 0
    # (Tried at each wh-word, so "when i push the button" does not hide the "what i can do" after it.)
    for m in filter(None, (_QUESTION.match(text, w.start()) for w in _WH_WORD.finditer(text))):
        if m.start() < at:
            continue
        before = text[:m.start()]
        last = re.findall(r"[a-z']+", before.lower())[-1:]
        inside = bool(_OPENS_INSIDE.match(m.group("wh")))
        opens = bool(_OPENS.search(before)) or (inside and before.rstrip().endswith(","))
        bare = inside and not m.group("end") and len(text[m.start():].split()) <= BARE_WORDS
        if not (opens or bare) or (last and (last[0] in _EMBEDS or last[0].endswith("'s"))):
            continue
        wh, subject, verb, rest = m.group("wh"), m.group("subject"), m.group("verb"), m.group("rest")
        low = verb.lower()
        if "'" in low or low in _NO_VERB or low.endswith("ing"):
            continue
        if low in _AUX:
            turned = f"{wh} {verb} {subject}{rest}"
        else:
            third = subject.lower() in ("he", "she", "it")
            turned = f"{wh} {'does' if third else 'do'} {subject} {_bare(verb) if third else verb}{rest}"
        out.append(text[at:m.start()] + turned + m.group("end"))
        at = m.end()
    return "".join(out) + text[at:] if out else text


def _bare(verb: str) -> str:
    """The verb without a third person's -s ("it says" -> "it say" once "does" leads)."""
    low = verb.lower()
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes")):
        return verb[:-2]
    if low.endswith("s") and not low.endswith("ss"):
        return verb[:-1]
    return verb
