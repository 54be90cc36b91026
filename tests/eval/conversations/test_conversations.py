"""The scripted multi-turn calls: task-completion rate through SwitchboardBrain with real MCP servers."""

from __future__ import annotations

from pathlib import Path

from tests.eval.conversations.conversation_runner import load_conversations, report, run_all

TARGET = 0.90


def test_the_set_is_big_and_covers_the_issue() -> None:
    conversations = load_conversations()
    assert len(conversations) >= 20
    names = " ".join(c["name"] for c in conversations)
    for topic in ("create work order", "status", "incident", "password", "cancel a service request",
                  "out-of-order", "correction", "killed", "refused", "SQL", "megabyte"):
        assert topic in names, topic


async def test_task_completion_rate(tmp_path: Path, capsys) -> None:
    results = await run_all(tmp_path)
    summary = report(results)
    with capsys.disabled():
        print("\n" + summary)
    rate = sum(r.ok for r in results) / len(results)
    assert rate >= TARGET, summary
