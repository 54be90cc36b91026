"""Round 62-63 mechanisms through the real brain and tool servers: angry callers who ask what is being done, words
dictated for a comment after the story, a resolved incident opened again (a closed one cannot be), a person the
articles name while the router is unsure, callers who give only their job, two records of one kind in a breath
(the second by its bare number), a bad line that asks to hear it again, news told of a record named by its number,
and manners where words for a record were asked for."""

from __future__ import annotations

import sqlite3

import pytest

from agent.contracts.actions import HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _row(scratch: ScratchBrain, db: str, query: str) -> tuple:
    with sqlite3.connect(scratch.data_dir / "mcp" / f"{db}.sqlite") as conn:
        return conn.execute(query).fetchone()


async def test_asking_what_is_being_done_about_a_record_reads_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # (Told angrily, with the harm done, it sounds like an escalation to the router: what is asked decides.)
        for said in ("INC-20003. Outlook. The whole finance team is stuck without email and I want to know what's being "
                     "done, because nobody has called us back.",
                     "WO-10003, the Eastgate compressor. I'd like to know what is being done about it, nobody rings back."):
            state = CallState("being-done")
            actions = await say(brain, state, said)
            assert len(tools_ok(actions)) == 1 and tools_ok(actions)[0].startswith("get_"), spoken(actions)
            assert not state.task, state.task


async def test_words_dictated_for_a_comment_after_the_story_are_the_comment(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("dictated-comment")
        await say(brain, state, "INC-20001, my VPN. Why is it still open? I'm working from home all week with no "
                                "connection. Add a comment that I need it working by Thursday.")
        comment = str((state.task or {}).get("args", {}).get("comment", ""))
        assert state.task["intent"] == "incident.comment" and "thursday" in comment and "home" not in comment, state.task


async def test_a_resolved_incident_is_opened_again_and_a_closed_one_offers_a_new_one(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reopen-resolved")
        await say(brain, state, "E11402 here. INC-20005 got closed off as resolved but the handset's still dead. "
                                "Can you re-open it?")
        assert (state.task or {}).get("args", {}).get("status") == "in_progress", state.task
        await say(brain, state, "yes please")
        assert _row(scratch, "it_ops", "SELECT status FROM incidents WHERE number = 20005") == ("in_progress",)
        # A closed one takes no change: a new one is offered, nothing is sent to the server first.
        state = CallState("reopen-closed")
        actions = await say(brain, state, "INC-20006 is back, the Maximo screens crawl again. Please reopen it.")
        assert "instead?" in spoken(actions) and not state.tool_attempts[1:], spoken(actions)


async def test_what_the_articles_give_to_a_person_goes_there_when_unsure_if_it_was_a_how_to(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("bitlocker-unsure")
        actions = await say(brain, state, "This laptop wants a BitLocker recovery key and I'm out at the depot, "
                                          "can't get in at all. I need the key.")
        assert any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)
        assert state.current and state.current["intent"] != "knowledge.howto", state.current


async def test_a_caller_who_gives_only_their_job_is_asked_what_the_note_says(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("job-only")
        actions = await say(brain, state, "morning, North Ridge night supervisor. Can you put a note on work order 10 002")
        assert spoken(actions).endswith("What should the note say?"), spoken(actions)
        actions = await say(brain, state, "thanks")  # manners: still no words for it
        assert spoken(actions).endswith("What should the note say?"), spoken(actions)


async def test_two_records_of_one_kind_are_both_read_and_a_bad_line_hears_them_again(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("two-of-a-kind")
        actions = await say(brain, state, "can you check INC 20001 and 20004 for me")
        assert tools_ok(actions) == ["get_incident", "get_incident"], spoken(actions)
        first = spoken(actions)
        assert "zero one" in first and "zero four" in first, first
        actions = await say(brain, state, "sorry, you broke up there")
        assert "zero one" in spoken(actions) and "zero four" in spoken(actions), spoken(actions)
        # The kind said once, in the plural, before numbers said digit by digit.
        state = CallState("two-jobs")
        actions = await say(brain, state, "where are we with jobs ten oh oh three and ten oh oh five?")
        assert tools_ok(actions) == ["get_work_order", "get_work_order"], spoken(actions)
        # Who calls is no second record: "E11402" has five digits too.
        state = CallState("caller-id-not-a-record")
        actions = await say(brain, state, "Ben Carter, E11402, where's INC-20005 at?")
        assert tools_ok(actions) == ["get_incident"] and not state.tool_attempts[1:], spoken(actions)


async def test_news_told_of_a_record_named_by_its_number_is_offered_as_a_comment(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("news-by-number")
        actions = await say(brain, state, "hello, on the VPN incident, two zero zero zero one, it has started dropping "
                                          "for the Harbor Road office as well now")
        assert tools_ok(actions) == ["get_incident"] and spoken(actions).endswith("as a comment?"), spoken(actions)
        await say(brain, state, "yes")
        row = _row(scratch, "it_ops", "SELECT text FROM incident_comments WHERE incident = 20001 ORDER BY rowid DESC")
        assert row and "harbor road" in row[0].lower(), row
        # A record named, and nothing told of it, is only read.
        actions = await say(brain, state, "ok and the other one is two zero zero zero four, the tablet one")
        assert tools_ok(actions) == ["get_incident"] and not spoken(actions).endswith("as a comment?"), spoken(actions)
