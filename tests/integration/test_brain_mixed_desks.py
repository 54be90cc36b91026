"""Round 77 mechanisms through the real brain and tool servers: callers who mix the field and IT desks in one call,
or ring back about something from an earlier call. Wordings of their own, not the evaluation's."""

from __future__ import annotations

import pytest

from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_who_calls_and_where_opens_no_request_and_two_counted_requests_go_to_their_desks(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # A name, a role and a place first: no request of its own, and no part of what is wrong.
        state = CallState("role-opening")
        actions = await say(brain, state, "Good afternoon, Priya Shah, I'm the site manager at Lakeside, site 55. Two "
                                          "things. Borehole pump 1, A551, is making a grinding noise, medium please. "
                                          "And I've forgotten my password and can't get into my account.")
        said = spoken(actions)
        assert "work order" in said and "A, five five one" in said and "access" not in said, said
        assert "summary borehole pump 1 is making a grinding noise" in said, said
        state = CallState("role-opening-2")
        actions = await say(brain, state, "Hello, Ravi Patel, I manage Stonebridge, site 68. Two things. The gas booster "
                                          "compressor, C-6820, is weeping oil, low please. And I've locked myself out "
                                          "of my account.")
        assert "summary the gas booster compressor is weeping oil, priority low" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "yes, go ahead")
        assert tools_ok(actions) == ["create_work_order"], spoken(actions)
        assert "password" in spoken(actions).lower(), spoken(actions)  # the second, offered next
    async with scratch.fresh() as brain:
        # Counted, the first part unsure alone but heard as IT, the second clearly a field fault: two requests.
        state = CallState("counted-two-desks")
        actions = await say(brain, state, "Dana Reyes, E10777, I'm at Millbrook. A couple of things. The wireless in "
                                          "the control room keeps dropping everyone off the network, that's high. And "
                                          "booster pump 2, A702, is dripping from the gland, low priority.")
        said = spoken(actions)
        assert "incident" in said and "priority high" in said and "A, seven zero two" not in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_incident"], spoken(actions)
        actions = await say(brain, state, "yes, the pump now")
        said = spoken(actions)
        assert "A, seven zero two" in said and "priority low" in said, said


async def test_after_one_desks_record_a_new_thing_of_the_other_desk_is_a_new_record_not_a_change(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("incident-then-field")
        await say(brain, state, "Grace Kim, E10620. Outlook on my laptop crashes every time I open the calendar.")
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_incident"], spoken(actions)
        # A field thing with a priority beside it: before, the incident just made was set to low.
        actions = await say(brain, state, "While I'm on, the office chiller H-1011 at the Operations Centre is "
                                          "rattling a bit, put it down as low.")
        said = spoken(actions)
        assert "work order" in said and "H, one zero, one one" in said and "update the incident" not in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_work_order"], spoken(actions)
    async with scratch.fresh() as brain:
        state = CallState("escalation-then-field-job")
        await say(brain, state, "INC-20002 please, the historian is still down, I want it escalated.")
        actions = await say(brain, state, "Yes. The night shift can't see any trends.")
        assert tools_ok(actions) == ["escalate_incident"], spoken(actions)
        # A new record asked for by its kind, said with what it is: no change to the incident.
        actions = await say(brain, state, "Also raise a field job: the transfer pump P-4530 at Cedar Falls is "
                                          "tripping out, high priority.")
        said = spoken(actions)
        assert "open a work order" in said and "P, four five, three zero" in said, said


async def test_a_staff_number_said_with_the_name_is_no_asset_tag_and_who_calls_is_kept_for_the_other_desk(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("staff-number")
        actions = await say(brain, state, "Hello, Tom from IT, E11003. I'm out at Eastgate and the site team asked me "
                                          "to report it: the instrument air compressor, C-2103, keeps tripping. "
                                          "High priority please.")
        said = spoken(actions)
        assert "C, two one, zero three" in said and "E, one one" not in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_work_order"], spoken(actions)
        # The id said at the start is who calls, for a request of the other desk later in the call.
        actions = await say(brain, state, "And could I get read access to SAP for the purchase orders, same ID.")
        said = spoken(actions)
        assert "user E11003" in said and "access level read" in said, said


async def test_words_for_a_note_change_nothing_but_a_change_asked_beside_them_does(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("note-with-status-word")
        await say(brain, state, "Where are we with WO-10005?")
        # "open" inside the note's words is no new status for the job on hold.
        actions = await say(brain, state, "Please add a note to it: operators have wedged the valve open with a bar "
                                          "for now.")
        said = spoken(actions)
        assert "add a work order note" in said and "status" not in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["add_work_order_note"], spoken(actions)
    async with scratch.fresh() as brain:
        state = CallState("comment-and-change")
        await say(brain, state, "What's happening with INC-20003?")
        actions = await say(brain, state, "It's stopping me working. Put that on as a comment and bump it to urgent "
                                          "please.")
        assert state.task and state.task["args"].get("priority") == "urgent", spoken(actions)


async def test_a_things_read_answers_what_was_asked_of_its_records(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # Asked when someone comes: the thing's one open job is read (its visit).
        state = CallState("when-coming")
        actions = await say(brain, state, "There's a job on the oil pump at North Ridge, P-4512. When is the engineer "
                                          "due to turn up?")
        said = spoken(actions)
        assert tools_ok(actions) == ["lookup_asset", "get_work_order"] and "Dev Patel" in said, said
        # Asked when it was last serviced: the thing's own read says (no record read after it).
        state = CallState("last-serviced")
        actions = await say(brain, state, "Asset H-2120, when was it last serviced?")
        assert tools_ok(actions) == ["lookup_asset"], spoken(actions)
        # A closed job described on the thing: that job, read.
        state = CallState("closed-described")
        actions = await say(brain, state, "The dryer alarm job for compressor C-2103, whatever became of it?")
        said = spoken(actions)
        assert "get_work_order" in tools_ok(actions) and "cancelled" in said, said


async def test_work_the_call_record_says_nothing_of_is_looked_for_on_the_thing(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("other-work")
        actions = await say(brain, state, "What's the latest on WO-10001?")
        assert tools_ok(actions) == ["get_work_order"], spoken(actions)
        # The vibration job says nothing of a seal: the pump's seal job is the one asked about.
        actions = await say(brain, state, "Has the mechanical seal been replaced on that pump at all?")
        said = spoken(actions)
        assert "one zero zero, zero seven" in said and "completed" in said, said


async def test_a_caller_back_about_a_fault_still_there_adds_to_the_record_and_asks_how_it_stands_by_number(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("still-failing")
        actions = await say(brain, state, "It's Tom Reyes, E11003. I phoned on Monday because Outlook kept asking for "
                                          "my password. They cleared my credentials but it's still asking.")
        said = spoken(actions)
        assert not tools_ok(actions) and "open an incident" not in said and "comment" in said, said
        actions = await say(brain, state, "INC-20003. Add that please.")
        assert "add an incident comment" in spoken(actions), spoken(actions)
    async with scratch.fresh() as brain:
        state = CallState("is-it-closed")
        actions = await say(brain, state, "Jonas Berg. The ticket about Maximo being slow, INC-20006, is it closed?")
        said = spoken(actions)
        assert tools_ok(actions) == ["get_incident"] and "closed" in said, said


async def test_another_level_asked_instead_of_a_refused_one_is_the_new_level(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("level-instead")
        await say(brain, state, "Liam Murphy, E11234. Did my admin access request for the VPN, SR-30006, go through?")
        actions = await say(brain, state, "Oh. Then request read access to the VPN for me instead, just to see logs.")
        said = spoken(actions)
        assert "access request" in said and "access level read" in said and "admin" not in said, said


async def test_a_closed_record_read_with_the_trouble_back_offers_a_new_one_of_its_kind(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reset-again")
        actions = await say(brain, state, "Tom Reyes here, E11003. You did a password reset for me, SR-30004. That "
                                          "was fine but I've managed to lock myself out again.")
        said = spoken(actions)
        assert "fulfilled" in said and said.rstrip().endswith("Shall I submit a password reset request instead?"), said
        actions = await say(brain, state, "yes please")
        assert "password reset request: user E11003" in spoken(actions), spoken(actions)
        # Only asked how it stands ("it's Tom again" is no trouble back): no offer.
        state = CallState("reset-asked")
        actions = await say(brain, state, "It's Tom again, E11003. That password reset, SR-30004, did it go through?")
        assert spoken(actions).rstrip().endswith("Anything else?"), spoken(actions)


async def test_why_told_after_a_yes_is_no_second_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("yes-and-why")
        await say(brain, state, "INC-20002, the historian still isn't updating, please escalate it.")
        actions = await say(brain, state, "Yes. Operations are flying blind without the trends.")
        said = spoken(actions)
        assert tools_ok(actions) == ["escalate_incident"] and said.rstrip().endswith("Anything else?"), said
        # A second matter said after the yes, with what it is on, is still taken up.
        state = CallState("yes-and-more")
        await say(brain, state, "INC-20003, Outlook still keeps asking for my password, please escalate it.")
        actions = await say(brain, state, "Yes. And can you also reset my password, I'm E10620.")
        assert "password" in spoken(actions).lower(), spoken(actions)


async def test_the_callers_id_given_on_an_earlier_turn_is_theirs_for_the_other_desks_request(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("id-earlier")
        await say(brain, state, "Compressor C-2101 at Eastgate is leaking oil, medium priority.")
        actions = await say(brain, state, "Yes. I'm E10620 by the way.")
        assert tools_ok(actions) == ["create_work_order"], spoken(actions)
        actions = await say(brain, state, "And my laptop won't get on the Wi-Fi at all.")
        assert "incident: user E10620" in spoken(actions), spoken(actions)
