"""The knowledge articles tell callers what the field-ops and it-ops stores really do.

The stores are the truth: ids, statuses, priorities, access levels, systems, approvers,
time windows, the reset link, escalation and the asset register are read from the seed,
the store constants or the store itself, and every article is checked against them. Each
check is a function of the articles, so ``test_each_check_catches_the_drift_it_is_for``
shows it fails on the kind of wording the articles once had.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
import yaml

from agent.mcp_servers.database import Database
from agent.mcp_servers.field_ops import seed as field_seed
from agent.mcp_servers.field_ops.server import TimeWindow, WorkOrderStatus
from agent.mcp_servers.field_ops.store import (
    CLOSED_STATUSES, MAX_BOOKING_DAYS, SCHEMA as FIELD_SCHEMA, TIME_WINDOWS, WORK_ORDER_STATUSES, FieldOpsStore,
)
from agent.mcp_servers.fields import Priority
from agent.mcp_servers.it_ops import seed as it_seed
from agent.mcp_servers.it_ops.server import AccessLevel, IncidentStatus, System
from agent.mcp_servers.it_ops.store import (
    INCIDENT_CLOSED, MAX_ESCALATION, PRIORITIES, REQUEST_CLOSED, RESET_LINK_MINUTES, SCHEMA as IT_SCHEMA,
    SYSTEM_NAMES, ItOpsStore, _assignment_group,
)
from agent.mcp_servers.ticket_ids import INCIDENT, SERVICE_REQUEST, VISIT, WORK_ORDER

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "samples" / "knowledge" / "articles"
SITES = {number: (name, address) for number, name, address, _ in field_seed.SITES}
SITE_NAMES = {number: name for number, (name, _) in SITES.items()}
ASSET_SITES = {tag: site for tag, site, *_ in field_seed.ASSETS}
ASSET_WORDS = {tag: {kind, *re.findall(r"[a-z]+", description.lower())}
               for tag, _, kind, _, _, description in field_seed.ASSETS}
#: Asset tags as the seed writes them: A123, A3001, P-4512 (a letter, an optional dash, 3 to 4 digits).
_TAG = re.compile(r"\b([A-Z]-?\d{3,4})\b")
#: Ticket ids: two or more capitals, a dash, digits (WO-10234, INC-20017, SR-30045).
_TICKET = re.compile(r"\b([A-Z]{2,5})-(\d+)\b")
TICKETS = {kind.prefix: (kind, domain) for kind, domain in
           [(WORK_ORDER, "field_ops"), (VISIT, "field_ops"), (INCIDENT, "it_ops"), (SERVICE_REQUEST, "it_ops")]}
REQUEST_STATUSES = {row[5] for row in it_seed.SERVICE_REQUESTS} | set(REQUEST_CLOSED)
STATUSES = {"field_ops": [set(WORK_ORDER_STATUSES)],
            "it_ops": [set(get_args(IncidentStatus)), REQUEST_STATUSES]}
#: Words that say someone approves (not "the approved catalogue").
_APPROVAL = re.compile(r"\bapprov(?:al|e|es|ing)\b|\bapproved by\b")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
#: The emergency number of the country whose calling code the project's phone numbers use.
EMERGENCY_NUMBERS = {"1": "911", "44": "999"}


# --- the articles, as sections ------------------------------------------------------------

class Article:
    def __init__(self, name: str, text: str) -> None:
        front = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S)
        meta = yaml.safe_load(front.group(1)) if front else {}
        self.name, self.domain = name, meta.get("domain")
        body = text[front.end():] if front else text
        self.sections: list[tuple[str, str]] = []
        heading, lines = str(meta.get("title", "")), []
        for line in body.splitlines():
            if line.startswith("## "):
                self.sections.append((heading, "\n".join(lines)))
                heading, lines = line[3:].strip(), []
            else:
                lines.append(line)
        self.sections.append((heading, "\n".join(lines)))

    @property
    def text(self) -> str:
        return "\n".join(f"{heading}\n{body}" for heading, body in self.sections)

    def sentences(self, heading: str = "") -> list[str]:
        """Sentences and list items, of the sections whose heading matches ``heading`` (all when empty)."""
        return [s.strip() for h, body in self.sections if re.search(heading, h, re.I)
                for s in re.split(r"(?<=[.!?])\s+|\n", body) if s.strip()]


def load(folder: Path = ARTICLES) -> list[Article]:
    return [Article(f.name, f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.md"))]


def _items(enumeration: str) -> list[str]:
    """ "open, in progress or on hold" -> ["open", "in_progress", "on_hold"] (store spelling)."""
    parts = re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", enumeration.strip().rstrip("."))
    return [re.sub(r"\s+", "_", p.strip().lower()) for p in parts if p.strip()]


Check = Callable[[list[Article]], list[str]]


# --- the checks -------------------------------------------------------------------------

def ids_have_the_store_shape(articles: list[Article]) -> list[str]:
    """Every ticket id or id prefix an article names is one the stores issue, in that article's domain."""
    out = []
    for a in articles:
        for prefix, digits in _TICKET.findall(a.text):
            if prefix not in TICKETS:
                out.append(f"{a.name}: {prefix}-{digits} is no id the stores issue ({', '.join(TICKETS)})")
                continue
            kind, domain = TICKETS[prefix]
            if not (len(digits) == 5 and kind.first_number <= int(digits) < kind.first_number + 10000):
                out.append(f"{a.name}: {prefix}-{digits} is not shaped like {kind.example}")
            if domain != a.domain:
                out.append(f"{a.name}: {prefix} numbers belong to {domain}, the article is {a.domain}")
        for prefix in re.findall(r"\b([A-Z]{2,5}) numbers?\b", a.text):
            if prefix not in TICKETS:
                out.append(f"{a.name}: 'the {prefix} number' is no id the stores issue")
    return out


def priorities_are_store_values(articles: list[Article]) -> list[str]:
    """Priority lists name the store's priorities, all of them; no P1-style codes; "X-priority" is a priority."""
    out = []
    store = set(get_args(Priority))
    assert store == set(PRIORITIES)
    for a in articles:
        out += [f"{a.name}: {code} is not a store priority ({', '.join(PRIORITIES)})"
                for code in re.findall(r"\bP[1-9]\b", a.text)]
        out += [f"{a.name}: '{word}-priority' is not a store priority"
                for word in re.findall(r"\b(\w+)-priority\b", a.text) if word.lower() not in store]
        for heading, body in a.sections:
            if not re.search(r"priorit|target time", heading, re.I):
                continue
            entries = re.findall(r"^- (\w+)", body, re.M) or [
                e.split()[0] for e in body.split(":", 1)[-1].split(",") if e.split()]
            listed = {e.lower() for e in entries}
            if listed != store:
                out.append(f"{a.name}: '{heading}' lists {sorted(listed)}, the store has {list(PRIORITIES)}")
    return out


def statuses_are_store_values(articles: list[Article]) -> list[str]:
    """A list of statuses is one record's full set of store statuses; "until it is ..." names the closed ones."""
    out = []
    for a in articles:
        for sentence in a.sentences():
            for enumeration in re.findall(r"\bstatus(?:es)?(?:\s+is|\s+are|:)\s+([^.;(]+)", sentence, re.I):
                listed = set(_items(enumeration))
                if not any(listed == statuses for statuses in STATUSES.get(a.domain, [])):
                    out.append(f"{a.name}: statuses {sorted(listed)} are not the store's")
            for enumeration in re.findall(r"\buntil (?:it is|they are) ([a-z ,]+)", sentence):
                listed = set(_items(enumeration.split(",")[0] if "," in enumeration else enumeration))
                closed = set(CLOSED_STATUSES) if a.domain == "field_ops" else set(REQUEST_CLOSED) | set(INCIDENT_CLOSED)
                if "cancel" in sentence.lower().split("until")[0]:
                    closed -= {"cancelled"}  # "can be cancelled until ...": the other closed states
                if not listed <= closed or (a.domain == "field_ops" and listed != closed):
                    out.append(f"{a.name}: 'until it is {enumeration.strip()}' is not the store's closed states")
    return out


def access_matches_the_tool(articles: list[Article]) -> list[str]:
    """Access levels listed are the tool's levels; a "Systems" list is every system the tool offers."""
    out = []
    levels = set(get_args(AccessLevel))
    systems = {SYSTEM_NAMES[s] for s in get_args(System)}
    for a in articles:
        for sentence in a.sentences():
            if re.search(r"\blevel", sentence, re.I):
                for enumeration in re.findall(r"\(([^)]*)\)", sentence):
                    if set(_items(enumeration)) != levels:
                        out.append(f"{a.name}: access levels ({enumeration}) are not the tool's {sorted(levels)}")
        items = [s[2:] for s in a.sentences("^systems$") if s.startswith("- ")]
        if items:
            named = {name for name in systems for item in items if item.lower().startswith(name.lower())}
            out += [f"{a.name}: {item!r} is no system the access tool offers"
                    for item in items if not any(item.lower().startswith(n.lower()) for n in systems)]
            if named != systems:
                out.append(f"{a.name}: the systems list leaves out {sorted(systems - named)}")
    return out


def approval_is_the_stores(articles: list[Article]) -> list[str]:
    """Only access requests are approved, and by the requester's manager (as the store does it)."""
    out = []
    for a in articles:
        for heading, _ in a.sections:
            for sentence in a.sentences(f"^{re.escape(heading)}$"):
                lower = sentence.lower()
                if not _APPROVAL.search(lower) or re.search(r"\bno approval|\bnot need|\bwithout approval", lower):
                    continue
                if "access" not in lower and "access" not in heading.lower():
                    out.append(f"{a.name}: only access requests are approved in the store: {sentence!r}")
                if "manager" not in lower or "owner" in lower:
                    out.append(f"{a.name}: the store sends approval to the requester's manager: {sentence!r}")
        for sentence in a.sentences():
            if "access request" in sentence.lower() and not any(
                    n.lower() in sentence.lower() for n in [*SYSTEM_NAMES.values(), "system"]):
                out.append(f"{a.name}: an access request is for one of the tool's systems: {sentence!r}")
    return out


def access_turnaround_is_the_stores(articles: list[Article], said: str) -> list[str]:
    """Working days an access section promises are what the store tells the requester."""
    promised = re.search(r"within (\w+) working days?", said)
    assert promised, said
    out = []
    for a in articles:
        for sentence in a.sentences("access"):
            for days in re.findall(r"\b(\w+) working days?", sentence):
                if days != promised.group(1):
                    out.append(f"{a.name}: access takes {days} working days here, the store says {promised.group(1)}")
    return out


def reset_is_the_stores(articles: list[Article], said: str) -> list[str]:
    """A password reset is what the store sends (a link by text message) and lasts as long."""
    assert "link" in said and "text message" in said and f"{RESET_LINK_MINUTES} minutes" in said, said
    out = []
    for a in articles:
        for heading, body in a.sections:
            if "password reset" not in body.lower():
                continue
            sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", body) if s.strip()]
            for s in sentences:
                lower = s.lower()
                if re.search(r"\b(sent|texted|text message)\b", lower) and "link" not in lower:
                    out.append(f"{a.name}: the store texts a reset link: {s!r}")
                if "expire" in lower:
                    out += [f"{a.name}: the reset link lasts {RESET_LINK_MINUTES} minutes, not {m}"
                            for m in re.findall(r"(\d+) minutes", s) if int(m) != RESET_LINK_MINUTES]
            if not any("link" in s.lower() for s in sentences):
                out.append(f"{a.name}: '{heading}' asks for a password reset without saying a link is texted")
    return out


def escalation_is_the_stores(articles: list[Article]) -> list[str]:
    """Escalating raises the priority one step; the top level is the store's top group."""
    out = []
    top = _assignment_group("other", MAX_ESCALATION)
    for a in articles:
        text = " ".join(a.sentences("escalat"))
        if not text:
            continue
        steps = re.findall(r"\bfrom (\w+) to (\w+)\b", text)
        for low, high in steps:
            if low not in PRIORITIES or high not in PRIORITIES or PRIORITIES.index(high) != PRIORITIES.index(low) + 1:
                out.append(f"{a.name}: escalation raises the priority one step, not from {low} to {high}")
        in_steps = {w for pair in steps for w in pair}
        out += [f"{a.name}: escalation does not set the priority to {w!r}; it raises it one step"
                for w in re.findall(r"\b(?:low|medium|high|urgent)\b", text) if w not in in_steps]
        if top not in text:
            out.append(f"{a.name}: escalation's last level is {top} in the store")
        out += [f"{a.name}: the store's last escalation level is {MAX_ESCALATION}, not {n}"
                for n in re.findall(r"\b(\w+) level\b", text.lower())
                if n in ORDINALS and ORDINALS[n] != MAX_ESCALATION]
    return out


def visit_windows_are_the_stores(articles: list[Article]) -> list[str]:
    """Every clock range in a field-ops article is one of the store's visit windows, under its name;
    a sentence naming one window names them all; the booking horizon is the store's."""
    windows = {name: (f"{start:%H:%M}", f"{end:%H:%M}") for name, (start, end) in TIME_WINDOWS.items()}
    assert set(windows) == set(get_args(TimeWindow))
    out = []
    for a in articles:
        if a.domain != "field_ops":
            continue
        for sentence in a.sentences():
            ranges = re.findall(r"(?:(\w+),?\s+)?(\d{1,2}:\d\d) to (\d{1,2}:\d\d)", sentence)
            for name, start, end in ranges:
                if windows.get(name.lower()) != (start, end):
                    out.append(f"{a.name}: {name} {start} to {end} is not a store visit window {windows}")
            if ranges and {r[0].lower() for r in ranges} != set(windows):
                out.append(f"{a.name}: a sentence with visit windows names them all: {sentence!r}")
            out += [f"{a.name}: visits are booked up to {MAX_BOOKING_DAYS} days ahead, not {n}"
                    for n in re.findall(r"(\d+) days ahead", sentence) if int(n) != MAX_BOOKING_DAYS]
    return out


def site_list_is_the_seed(articles: list[Article]) -> list[str]:
    """The site list names every site with its address and exactly the assets seeded there."""
    out = []
    for a in articles:
        body = next((b for h, b in a.sections if h.lower() == "site list"), None)
        if body is None:
            continue
        listed = {}
        for line in body.splitlines():
            m = re.match(r"- Site (\d+), ([^,]+), (.+?)\.(?:\s+(.*))?$", line)
            if m is None:
                if line.strip():
                    out.append(f"{a.name}: site line not 'Site N, name, address. assets': {line!r}")
                continue
            number, name, address, rest = int(m[1]), m[2].strip(), m[3].strip(), m[4] or ""
            listed[number] = name
            if number not in SITES:
                out.append(f"{a.name}: there is no site {number}")
                continue
            if (name, address) != SITES[number]:
                out.append(f"{a.name}: site {number} is {SITES[number]}, not {(name, address)}")
            tags = set(_TAG.findall(rest))
            seeded = {tag for tag, site in ASSET_SITES.items() if site == number}
            if tags - seeded:
                out.append(f"{a.name}: {sorted(tags - seeded)} are not at site {number}")
            if seeded - tags:
                out.append(f"{a.name}: site {number} leaves out its seeded assets {sorted(seeded - tags)}")
        if listed != SITE_NAMES:
            out.append(f"{a.name}: the site list is {listed}, the seed has {SITE_NAMES}")
    return out


def tags_are_where_and_what_the_seed_says(articles: list[Article]) -> list[str]:
    """A tag exists, sits at the one site its sentence names, and is called by its kind or description."""
    out = []
    for a in articles:
        for sentence in a.sentences():
            words = re.findall(r"\b[A-Z]-?\d{3,4}\b|[A-Za-z]+", sentence)
            for tag in _TAG.findall(sentence):
                if tag not in ASSET_SITES:
                    out.append(f"{a.name}: {tag} is not in the asset register")
                    continue
                sites = [int(n) for n in re.findall(r"\bsite (\d+)", sentence, flags=re.I)]
                if len(sites) == 1 and ASSET_SITES[tag] != sites[0]:
                    out.append(f"{a.name}: {tag} is at site {ASSET_SITES[tag]}, not {sites[0]}")
                at = words.index(tag)
                near = {w.lower().rstrip("s") for w in words[max(0, at - 5):at + 6]}
                if not near & {w.rstrip("s") for w in ASSET_WORDS[tag]}:
                    out.append(f"{a.name}: {tag} is a {ASSET_WORDS[tag]} thing; nothing near it says so: {sentence!r}")
    return out


def sites_named_have_their_number(articles: list[Article]) -> list[str]:
    return [f"{a.name}: {name} is not site {number}"
            for a in articles for name, number in re.findall(r"([A-Z][\w ]+?) \(site (\d+)\)", a.text)
            if not name.endswith(SITE_NAMES.get(int(number), "\0"))]


def asset_dates_are_store_fields(articles: list[Article], dated: set[str]) -> list[str]:
    """"<x> date" is a date the store keeps (last service, created, updated), not one it lacks (install)."""
    return [f"{a.name}: the store keeps no {word} date (it has {sorted(dated)})"
            for a in articles for word in re.findall(r"\b(\w+) dates?\b", a.text)
            if word.lower() not in dated and word.lower() not in {"a", "the", "any", "which", "same"}]


def emergency_number_is_the_projects(articles: list[Article]) -> list[str]:
    """"Call 911" uses the emergency number of the country the project's numbers are in; "put through
    to X" names a handoff target."""
    targets = yaml.safe_load((ROOT / "agent" / "handoff" / "targets.yaml").read_text(encoding="utf-8"))
    codes = {m for m in re.findall(r"\+(\d)", str(targets))} | {p.split()[0][1:] for *_, p in field_seed.TECHNICIANS}
    assert len(codes) == 1, codes
    number = EMERGENCY_NUMBERS.get(codes.pop(), "112")
    names: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            names.update(str(v) for k, v in node.items() if k == "name")
            for v in node.values():
                collect(v)
    collect(targets)
    out = []
    for a in articles:
        out += [f"{a.name}: the emergency number here is {number}, not {n}"
                for n in re.findall(r"\b[Cc]all (\d{3})\b", a.text) if n != number]
        out += [f"{a.name}: nobody called {who!r} takes calls (targets: {sorted(names)})"
                for who in re.findall(r"\bthrough to ((?:the|our) [\w -]+?)[,.]", a.text) if who not in names]
    return out


# --- the store, asked -------------------------------------------------------------------

@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[FieldOpsStore, ItOpsStore]:
    folder = tmp_path_factory.mktemp("stores")
    field = FieldOpsStore(Database(folder / "field.sqlite", FIELD_SCHEMA, field_seed.seed).open())
    it = ItOpsStore(Database(folder / "it.sqlite", IT_SCHEMA, it_seed.seed).open())
    return field, it


def _dated_fields(field: FieldOpsStore) -> set[str]:
    """Words of the store's date fields an asset lookup or a work order reports."""
    out: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and re.match(r"\d{4}-\d\d-\d\d", node):
            out.update(w for w in key.split("_") if w not in {"at"})
    walk(field.lookup_asset("A123"))
    walk(field.get_work_order("WO-10002"))
    return out


CHECKS: list[Check] = [ids_have_the_store_shape, priorities_are_store_values, statuses_are_store_values,
                       access_matches_the_tool, approval_is_the_stores, escalation_is_the_stores,
                       visit_windows_are_the_stores, site_list_is_the_seed, tags_are_where_and_what_the_seed_says,
                       sites_named_have_their_number, emergency_number_is_the_projects]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_the_articles_agree_with_the_stores(check: Check) -> None:
    assert check(load()) == []


def test_the_store_approves_only_access_and_by_the_managers(stores) -> None:
    """What approval_is_the_stores holds the articles to."""
    _, it = stores
    managers = {user: manager for user, *_, manager, _ in it_seed.USERS}
    access = it.request_access("E10482", "maximo", "read", "planning", None)
    other = it.create_service_request("E10482", "hardware", "New laptop", None, None)
    assert access["approver"]["id"] == managers["E10482"] and access["status"] == "awaiting_approval"
    assert other["approver"] is None and other["status"] == "submitted"


def test_access_and_resets_take_what_the_store_says(stores) -> None:
    _, it = stores
    articles = load()
    access_said = it.request_access("E10517", "gis", "read", "maps", None)["message"]
    assert access_turnaround_is_the_stores(articles, access_said) == []
    assert reset_is_the_stores(articles, it.request_password_reset("E10517", None)["message"]) == []


def test_escalation_raises_one_step_and_ends_with_the_top_group(stores) -> None:
    """What escalation_is_the_stores holds the articles to."""
    _, it = stores
    first = it.get_incident("INC-20003")
    escalated = it.escalate_incident("INC-20003", "blocked", None)
    assert PRIORITIES.index(escalated["priority"]) == PRIORITIES.index(first["priority"]) + 1
    while escalated["escalation_level"] < MAX_ESCALATION:
        escalated = it.escalate_incident("INC-20003", "still blocked", None)
    assert escalated["assignment_group"] == _assignment_group("other", MAX_ESCALATION)


def test_the_dates_an_article_mentions_are_kept_by_the_store(stores) -> None:
    field, _ = stores
    dated = _dated_fields(field)
    assert "service" in dated
    assert asset_dates_are_store_fields(load(), dated) == []


# --- the checks catch drift ---------------------------------------------------------------

def _article(body: str, domain: str = "field_ops", title: str = "T") -> list[Article]:
    return [Article("drift.md", f"---\ntitle: {title}\ndomain: {domain}\n---\n{body}\n")]


_SITES_OK = "\n".join(
    f"- Site {n}, {name}, {address}. " + " and ".join(
        f"{sorted(ASSET_WORDS[t])[0]} {t}" for t, s in ASSET_SITES.items() if s == n)
    for n, (name, address) in SITES.items())

DRIFT: list[tuple[Check, list[Article]]] = [
    (ids_have_the_store_shape, _article("Request numbers look like RITM-30045.", "it_ops")),
    (ids_have_the_store_shape, _article("Quote the RITM number to cancel it.", "it_ops")),
    (ids_have_the_store_shape, _article("Incident numbers look like INC-20017.", "field_ops")),
    (priorities_are_store_values, _article("## Priorities\n- P1 (urgent): 4 hours.\n- P2 (high): 24 hours.")),
    (priorities_are_store_values, _article("## Priorities\n- Urgent: 4 hours.\n- High: 24 hours.\n- Routine: later.")),
    (priorities_are_store_values, _article("## Target times\nTarget times: P1 4 hours, P2 1 day.", "it_ops")),
    (statuses_are_store_values, _article("Quote the WO number to hear its status: open, assigned, in progress, "
                                         "waiting for parts, or completed, and the engineer assigned.")),
    (statuses_are_store_values, _article("You can add a note until it is completed.")),
    (access_matches_the_tool, _article("Say which system, what level (read-only, editor, approver) and why.",
                                       "it_ops")),
    (access_matches_the_tool, _article("## Systems\n- Maximo: assets.\n- SAP: finance.\n- SharePoint team sites.",
                                       "it_ops")),
    (approval_is_the_stores, _article("Access to business systems needs approval from the system owner.", "it_ops")),
    (approval_is_the_stores, _article("Anything costing money needs your line manager's approval.", "it_ops")),
    (approval_is_the_stores, _article("A new laptop is a service request approved by the line manager.", "it_ops")),
    (approval_is_the_stores, _article("Access to a shared mailbox is an access request.", "it_ops")),
    (escalation_is_the_stores, _article("## Escalating\nAsk for it to be escalated: the duty manager reviews it "
                                        "and it moves to high priority.", "it_ops")),
    (escalation_is_the_stores, _article("## Escalating\nIt goes from medium to urgent, then to Major Incident "
                                        "Management.", "it_ops")),
    (visit_windows_are_the_stores, _article("Sites are unmanned outside 07:00 to 19:00 on weekdays.")),
    (visit_windows_are_the_stores, _article("Visits come in the morning, 08:00 to 12:00, or the evening, "
                                            "17:00 to 19:00.")),
    (visit_windows_are_the_stores, _article("Visits can be booked up to 30 days ahead.")),
    (site_list_is_the_seed, _article("## Site list\n" + _SITES_OK.replace("H-1420", ""))),
    (site_list_is_the_seed, _article("## Site list\n" + _SITES_OK.replace("A126", "A127"))),
    (tags_are_where_and_what_the_seed_says, _article("Pump A126 is at Riverside Pumping Station (site 12).")),
    (tags_are_where_and_what_the_seed_says, _article("Valve V-1410 is at site 12.")),
    (sites_named_have_their_number, _article("Go to North Ridge Substation (site 12).")),
    (emergency_number_is_the_projects, _article("Call 999 if anyone is hurt.")),
    (emergency_number_is_the_projects, _article("You will be put straight through to the on-call controller.")),
]


@pytest.mark.parametrize("check, articles", DRIFT, ids=[f"{c.__name__}-{n}" for n, (c, _) in enumerate(DRIFT)])
def test_each_check_catches_the_drift_it_is_for(check: Check, articles: list[Article]) -> None:
    assert check(articles), "the check let drifted wording through"


def test_the_well_formed_site_list_sample_passes() -> None:
    """The drift samples above differ from a passing list only in what they break."""
    assert site_list_is_the_seed(_article("## Site list\n" + _SITES_OK)) == []


def test_the_store_checks_catch_drift(stores) -> None:
    field, it = stores
    access_said = it.request_access("E10533", "sap", "read", "timesheets", None)["message"]
    assert access_turnaround_is_the_stores(_article("## Requesting access\nMost are done within two working days.",
                                                    "it_ops"), access_said)
    reset_said = it.request_password_reset("E10533", None)["message"]
    assert reset_is_the_stores(_article("## Locked out\nAsk for a password reset: IT verifies your identity with "
                                        "a code sent to your registered phone.", "it_ops"), reset_said)
    assert reset_is_the_stores(_article("## Locked out\nAsk for a password reset. A reset link is texted to you. "
                                        "It expires in 15 minutes.", "it_ops"), reset_said)
    assert asset_dates_are_store_fields(_article("The register holds the make, model and install date."),
                                        _dated_fields(field))


def test_ticket_kinds_are_the_stores() -> None:
    """The id shapes the articles are held to are those the servers parse."""
    for prefix, (kind, _) in TICKETS.items():
        assert kind.parse(kind.example) == kind.first_number + 233 and kind.prefix == prefix
