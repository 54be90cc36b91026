"""The conversation runner's own checks (issue 18 keys) fail when they should, on made-up results."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.conversations.conversation_runner import (
    HERE, Result, _check_replies, load_conversations, repeated_questions, report,
)


def test_a_question_asked_three_times_is_a_loop_whatever_comes_before_it() -> None:
    replies = ["Sorry. What is the asset tag?", "I didn't get that. What is the asset tag?",
               "Hmm. What is the asset tag?"]
    assert repeated_questions(replies) == ["what is the asset tag"]
    assert repeated_questions(replies[:2]) == []
    assert repeated_questions(["Which site?", "What is the asset tag?", "Which site?", "Done."]) == []


def test_reply_checks_fail_on_long_replies_loops_and_wrong_answers() -> None:
    result = Result("x", replies=["Which site?"] * 3 + [" ".join(["word"] * 41)])
    _check_replies({"max_reply_words": 40, "no_loops": True,
                    "replies": [{"turn": 1, "said_any": ["W O"]}, {"turn": 9, "said_any": ["x"]},
                                {"turn": 2, "not_said": ["site"]}]}, result)
    assert len(result.failures) == 5, result.failures
    ok = Result("y", replies=["It is W O, one zero zero one three."])
    _check_replies({"max_reply_words": 40, "no_loops": True, "replies": [{"turn": 1, "said_any": ["W O"]}]}, ok)
    assert ok.ok


def test_report_counts_loops_and_long_replies() -> None:
    text = report([Result("a", replies=["Which site?"] * 3), Result("b", replies=[" ".join(["w"] * 30)])])
    assert "loops (a question asked 3+ times): 1 calls" in text
    assert "over 25 words: 1/4" in text and "over 40 words: 0" in text


def test_an_unknown_expectation_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("- name: typo\n  turns: [hi]\n  expect: {said_anything: [x]}\n")
    with pytest.raises(ValueError, match="said_anything"):
        load_conversations(tmp_path)


@pytest.mark.parametrize(("part", "least"), [("test", 40), ("dev", 30)])
def test_both_parts_load_and_are_big_enough(part: str, least: int) -> None:
    conversations = load_conversations(HERE / part)
    assert len(conversations) >= least
    assert all(c.get("expect") for c in conversations)
