"""Round 58-59 mechanisms through the real brain and tool servers: callers who put things right in the same breath
(an id after a bare "sorry", a day after "actually no", a site in words to be passed on), who refuse the new record
being read back, who add who they are and more of the story at a read-back, who speak in fragments, who ask what
a thing is, and who answer "is it X or Y?" with a request of their own."""

from __future__ import annotations

import datetime

import pytest

from agent.brain.switchboard import SwitchboardBrain
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import spoken, tools_ok
from tests.integration.test_brain_plain_callers import brain  # noqa: F401  (one brain for this module too)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("said, incident", [
    ("Could I have INC-20040 escalated \u2014 sorry, INC-20004, the cracked tablet. It's been sitting there for ages.",
     "INC-20004"),
    # "need X escalated" asks for the escalation, however much of the story draws to other requests
    ("We need INC-20030 escalated, sorry, INC-20003, the Outlook password one that blocks Power BI reports for the "
     "whole team.", "INC-20003"),
])
async def test_an_id_put_right_after_a_bare_sorry_is_the_record_acted_on(brain: SwitchboardBrain, said: str,
                                                                          incident: str) -> None:
    state = CallState("id-after-sorry")
    actions = await say(brain, state, said)
    assert state.task and state.task["tool"] == "escalate_incident", spoken(actions)
    assert state.task["args"]["incident_id"] == incident


async def test_who_calls_and_more_of_the_story_at_a_read_back_are_taken_into_it(brain: SwitchboardBrain) -> None:
    state = CallState("more-at-read-back")
    await say(brain, state, "Please escalate INC-20003, the mailbox keeps asking for a password and I can't send anything.")
    assert state.task and state.task.get("confirming"), state.task
    actions = await say(brain, state, "This is Dana Reyes. The whole payroll team is waiting on my approvals.")
    assert "Thanks, Dana" in spoken(actions) and "can't help" not in spoken(actions)
    assert state.task["args"]["author"] == "Dana Reyes"
    assert "payroll team" in state.task["args"]["reason"].lower()
    actions = await say(brain, state, "yes")
    assert tools_ok(actions) == ["escalate_incident"]


async def test_what_the_access_is_for_told_in_a_sentence_of_its_own_is_the_justification(brain: SwitchboardBrain) -> None:
    state = CallState("access-purpose")
    await say(brain, state, "E10620 here. I'd like access to Power BI. I need to pull the pump run hours for the audit.")
    actions = await say(brain, state, "read only")
    assert "justification" in spoken(actions) and state.task and state.task.get("confirming"), spoken(actions)
    assert "run hours for the audit" in state.task["args"]["justification"]


async def test_a_new_record_refused_at_its_read_back_is_dropped_and_the_one_named_is_read(brain: SwitchboardBrain) -> None:
    state = CallState("no-new-one")
    await say(brain, state, "The pump A123 at Riverside, site 12, is rattling again.")
    assert state.task and state.task["tool"] == "create_work_order" and state.task.get("confirming")
    actions = await say(brain, state, "Wait, a job for it is open already, WO-10001. Don't log a new one, I only want to "
                                      "know what's happening with that one.")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)
    assert "not" in spoken(actions).lower() and state.task is None


async def test_a_day_put_right_after_actually_is_the_day_booked(brain: SwitchboardBrain) -> None:
    state = CallState("day-put-right")
    await say(brain, state, "Can I get a technician out for work order WO-10004?")
    actions = await say(brain, state, "Friday afternoon. Actually, make it tomorrow afternoon.")
    tomorrow = (datetime.datetime.now() + datetime.timedelta(days=1)).date().isoformat()
    assert state.task and state.task["args"].get("date") == tomorrow, spoken(actions)


async def test_a_site_put_right_in_words_to_be_passed_on_is_the_site_passed_on(brain: SwitchboardBrain) -> None:
    state = CallState("site-put-right")
    actions = await say(brain, state, "Add a comment to INC-20001 please: the VPN fails at site 9, no wait, it's site 21, "
                                      "every morning.")
    assert state.task and state.task["tool"] == "add_incident_comment", spoken(actions)
    comment = state.task["args"]["comment"].lower()
    assert "site 21" in comment and "site 9" not in comment and "wait" not in comment


async def test_an_employee_id_after_a_name_is_no_asset_tag(brain: SwitchboardBrain) -> None:
    state = CallState("id-not-tag")
    actions = await say(brain, state, "I'd like to report my work phone battery, it barely lasts a morning now. "
                                      "Sam O'Connor, E10533.")
    assert "lookup_asset" not in tools_ok(actions) and not (state.task or {}).get("tool", "").endswith("work_order"), \
        spoken(actions)


async def test_an_answer_to_is_it_x_or_y_that_is_a_request_of_its_own_is_that_request(brain: SwitchboardBrain) -> None:
    state = CallState("clarify-own-request")
    state.dialogue["clarify"] = {
        "text": "my laptop battery is dead within the hour these days. Sam O'Connor, E10533",
        "question": "Is it about adding a comment to an IT ticket, or reporting a fault with equipment at a site?",
        "options": [{"target": "it_ops", "intent": "incident.comment"},
                    {"target": "field_ops", "intent": "work_order.create"}]}
    actions = await say(brain, state, "Neither really, it's just worn out. Could I order a new battery for it?")
    assert state.task and state.task["tool"] == "create_service_request", spoken(actions)
    assert state.task["args"].get("user") == "E10533"  # who calls, from the first turn


async def test_a_new_ticket_for_a_closed_one_back_again_is_of_its_category(brain: SwitchboardBrain) -> None:
    state = CallState("closed-then-new")
    actions = await say(brain, state, "Jonas Berg calling, E10777. Has INC-20006 been sorted?")
    assert tools_ok(actions) == ["get_incident"] and "closed" in spoken(actions)
    actions = await say(brain, state, "It hasn't, the screens take ages to load again. Please open another ticket.")
    assert state.task and state.task["tool"] == "create_incident", spoken(actions)
    assert state.task["args"]["category"] == "software"


async def test_open_jobs_asked_for_are_every_unfinished_one(brain: SwitchboardBrain) -> None:
    state = CallState("open-means-unfinished")
    await say(brain, state, "The compressor C-2102 at Eastgate, site 21, won't start, medium priority.")
    assert tools_ok(await say(brain, state, "yes")) == ["create_work_order"]
    actions = await say(brain, state, "Anything open at the Eastgate compressor station at the moment?")
    # The job just logged (open) and WO-10003 (in progress): both not finished.
    listed = next(a["result"] for a in reversed(state.tool_attempts) if a["tool"] == "list_work_orders")
    assert {"open", "in_progress"} <= {o["status"] for o in listed["work_orders"]}, spoken(actions)
    assert spoken(actions).startswith(f"{listed['count']} open work orders for site 21.")


@pytest.mark.parametrize("asked, answer", [
    ("What exactly is a service request?", "asks for something new"),
    ("The planner said to raise a work order for the leaking valve. What's that?", "asks the field team to fix"),
])
async def test_what_a_kind_of_thing_is_is_answered_from_the_articles(brain: SwitchboardBrain, asked: str, answer: str) -> None:
    actions = await say(brain, CallState("what-it-is"), asked)
    assert answer in spoken(actions), spoken(actions)


async def test_asking_for_the_shift_coordinator_is_asking_for_a_person(brain: SwitchboardBrain) -> None:
    state = CallState("coordinator")
    await say(brain, state, "The gate at the depot is chained shut. Can you put me through to the shift coordinator?")
    assert state.handoff and state.handoff.get("case_id"), state.handoff


async def test_a_reason_told_only_in_fragments_is_the_reason(brain: SwitchboardBrain) -> None:
    state = CallState("fragments")
    actions = await say(brain, state, "escalate INC 20003. since monday. nobody replies.")
    assert state.task and state.task["tool"] == "escalate_incident" and state.task.get("confirming"), spoken(actions)
    assert "nobody replies" in state.task["args"]["reason"]


async def test_what_was_tried_told_in_answer_to_a_question_is_more_of_the_story_not_a_new_request(
        brain: SwitchboardBrain) -> None:
    state = CallState("tried-already")
    await say(brain, state, "My work phone stopped getting calendar invites on Tuesday. Who do I talk to about that?")
    assert state.task and state.task["tool"] == "create_incident" and state.task.get("asking") == "user", state.task
    actions = await say(brain, state, "I already signed out of the account and signed back in, twice, nothing changed.")
    assert state.task and state.task["tool"] == "create_incident" and "added that" in spoken(actions), spoken(actions)
    assert "signed back in" in state.task["args"]["summary"]


async def test_who_the_caller_says_they_are_goes_with_a_how_to_question(brain: SwitchboardBrain) -> None:
    actions = await say(brain, CallState("guest-wifi"), "I'm just visiting today for a training course. "
                                                        "How do I get my laptop onto the wifi?")
    assert "reception" in spoken(actions).lower(), spoken(actions)  # "Visitors use NW-Guest ...", not staff laptops'
    # Said by staff, the same question is answered for staff.
    actions = await say(brain, CallState("staff-wifi"), "How do I get my laptop onto the wifi? It won't connect.")
    assert "reception" not in spoken(actions).lower(), spoken(actions)


@pytest.mark.parametrize("said, level", [("Only to view the plant trends.", "read"),
                                         ("I need to raise and edit work orders in it.", "write")])
async def test_the_access_level_is_read_from_what_the_access_is_for(brain: SwitchboardBrain, said: str, level: str) -> None:
    state = CallState("level-by-meaning")
    actions = await say(brain, state, f"E11402 here. Could I get access to Maximo? {said}")
    assert state.task and state.task.get("confirming") and state.task["args"]["access_level"] == level, spoken(actions)
