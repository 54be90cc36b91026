"""The consultative-transfer state machine (bridge/transfer.py): every path, no I/O."""

from __future__ import annotations

import pytest

from bridge import transfer as t

CASE = "CASE-7F3K2Q"
ALICE = t.Leg("pstn:+14255550100", "the supervisor", ring_s=20)
BOB = t.Leg("teams:8:orgid:6f1c2d7e", "the IT duty manager", ring_s=20)
DESK = t.Leg("pstn:+14255550110", "the service desk", mode="blind")


def machine(*legs: t.Leg) -> t.ConsultTransfer:
    return t.ConsultTransfer(CASE, list(legs), "Caller at Harbor Point, pump P-101 tripped twice.")


def test_answered_target_is_briefed_then_connected_and_the_agent_leaves():
    m = machine(ALICE)
    assert m.start() == [t.Hold(), t.AddParticipant(ALICE.target, 20, f"{CASE}#0")]
    assert m.on(t.Answered(f"{CASE}#0")) == [t.PlayBriefing(ALICE.target, m.briefing, f"{CASE}#0")]
    assert m.state == "briefing" and not m.done
    assert m.on(t.BriefingDone(f"{CASE}#0")) == [t.Unhold(), t.Leave(), t.Finished(True, "briefed", ALICE.target)]
    assert m.done and m.state == "connected"
    assert m.on(t.BriefingDone(f"{CASE}#0")) == []  # duplicates after the end change nothing


@pytest.mark.parametrize("failure", [t.NotAnswered(f"{CASE}#0", "Call declined by the callee."),
                                     t.RingTimeout(f"{CASE}#0"),
                                     t.CommandFailed(f"{CASE}#0", "AddParticipant refused: HTTP 400")])
def test_every_kind_of_no_answer_moves_to_the_next_leg_with_the_caller_still_held(failure):
    m = machine(ALICE, BOB)
    m.start()
    out = m.on(failure)
    cancel = [t.CancelAdd(f"{CASE}#0")] if isinstance(failure, t.RingTimeout) else []
    assert out == [*cancel, t.AddParticipant(BOB.target, 20, f"{CASE}#1")]  # no second Hold: still held
    assert m.held and m.state == "ringing"


def test_all_legs_fail_returns_to_the_caller_with_every_reason():
    m = machine(ALICE, BOB)
    m.start()
    m.on(t.NotAnswered(f"{CASE}#0", "declined"))
    out = m.on(t.RingTimeout(f"{CASE}#1"))
    assert out[0] == t.CancelAdd(f"{CASE}#1") and out[1] == t.Unhold()
    finished = out[2]
    assert isinstance(finished, t.Finished) and not finished.ok
    assert finished.reason == "the supervisor: declined; the IT duty manager: no answer"
    assert m.state == "returned" and not m.held


def test_a_late_answer_after_the_leg_was_given_up_is_let_go():
    m = machine(ALICE, BOB)
    m.start()
    m.on(t.RingTimeout(f"{CASE}#0"))
    assert m.on(t.Answered(f"{CASE}#0")) == [t.RemoveParticipant(ALICE.target, f"{CASE}#0")]
    assert m.state == "ringing" and m.index == 1  # Bob's leg goes on
    m.on(t.NotAnswered(f"{CASE}#1"))
    assert m.done
    assert m.on(t.Answered(f"{CASE}#1")) == [t.RemoveParticipant(BOB.target, f"{CASE}#1")]


def test_events_of_an_earlier_attempt_on_the_same_case_are_ignored():
    first = t.ConsultTransfer(CASE, [ALICE], "b", attempt="a1")
    second = t.ConsultTransfer(CASE, [ALICE], "b", attempt="b2")
    assert first.start()[-1].context == f"{CASE}/a1#0"
    second.start()
    assert second.on(t.Answered(f"{CASE}/a1#0")) == [] and second.state == "ringing"
    assert second.on(t.Answered(f"{CASE}/b2#0"))[0] == t.PlayBriefing(ALICE.target, "b", f"{CASE}/b2#0")


def test_events_of_other_cases_or_unknown_contexts_are_ignored():
    m = machine(ALICE)
    m.start()
    for context in ("CASE-2222222#0", f"{CASE}#7", f"{CASE}#x", "", "hold"):
        assert m.on(t.Answered(context)) == []
    assert m.state == "ringing"


def test_briefing_that_cannot_play_still_connects_the_person():
    m = machine(ALICE)
    m.start()
    m.on(t.Answered(f"{CASE}#0"))
    out = m.on(t.BriefingDone(f"{CASE}#0", played=False))
    assert out[-1] == t.Finished(True, "briefing not played", ALICE.target)


def test_caller_hanging_up_abandons_and_later_answers_are_released():
    m = machine(ALICE)
    m.start()
    assert m.on(t.CallerGone()) == [t.Finished(False, "caller hung up", ALICE.target)]
    assert m.state == "abandoned"
    assert m.on(t.Answered(f"{CASE}#0")) == [t.RemoveParticipant(ALICE.target, f"{CASE}#0")]


def test_blind_leg_first_needs_no_hold():
    m = machine(DESK)
    assert m.start() == [t.BlindTransfer(DESK.target, f"{CASE}#0")]
    assert m.on(t.TransferOutcome(f"{CASE}#0", True)) == [t.Finished(True, "transferred", DESK.target)]


def test_blind_leg_after_a_failed_consult_unholds_first_and_a_refusal_returns():
    m = machine(ALICE, DESK)
    m.start()
    assert m.on(t.NotAnswered(f"{CASE}#0")) == [t.Unhold(), t.BlindTransfer(DESK.target, f"{CASE}#1")]
    out = m.on(t.TransferOutcome(f"{CASE}#1", False, "busy"))
    assert out == [t.Finished(False, "the supervisor: no answer; the service desk: busy", DESK.target)]


def test_hold_refused_carries_on():
    m = machine(ALICE)
    m.start()
    assert m.on(t.CommandFailed("", "Hold refused: HTTP 500")) == []
    assert m.state == "ringing"


@pytest.mark.parametrize("bad", [dict(mode="warm"), dict(ring_s=1), dict(ring_s=500)])
def test_bad_legs_are_refused(bad):
    with pytest.raises(ValueError):
        t.Leg("pstn:+14255550100", **bad)


def test_no_legs_and_double_start_are_refused():
    with pytest.raises(ValueError):
        t.ConsultTransfer(CASE, [], "x")
    m = machine(ALICE)
    m.start()
    with pytest.raises(RuntimeError):
        m.start()
