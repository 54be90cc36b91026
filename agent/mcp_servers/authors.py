"""Who wrote a note or comment, as a record's message says it.

"Who's the engineer on it?" is answered by the person whose note says how far the job got, so a message names
a note's author when the author is a person ("Latest note from Sam O'Connor: ..."). Notes a caller left through
the line (author "caller", or none) name nobody.
"""

from __future__ import annotations

import re

#: A person's name: two or more capitalised words ("Liam Murphy", "Sam O'Connor", "Ana de la Cruz").
_NAME = re.compile(r"^(?:[A-Z]')?[A-Z][\w'-]*(?: (?:(?:de|la|van|von|der|da|di|le|du|bin|al)\b|(?:[A-Z]')?[A-Z][\w'-]*))+$")


def from_whom(author: object) -> str:
    """" from <name>" when ``author`` is a person's name, else ""."""
    name = str(author or "").strip()
    return f" from {name}" if _NAME.match(name) else ""
