"""Questions said in a statement's word order are read in a question's; statements stay as they are."""

from __future__ import annotations

import pytest

from agent.brain.grammar import inverted


@pytest.mark.parametrize("said, read", [
    ("The badge reader beeps red. What I should do?", "The badge reader beeps red. What should I do?"),
    ("the screen stays black what we can try", "the screen stays black what can we try"),
    ("Outlook shows a yellow triangle, what it mean?", "Outlook shows a yellow triangle, what does it mean?"),
    ("Where I put the old toner?", "Where do I put the old toner?"),
    ("So when he arrive?", "So when does he arrive?"),
    ("And who I must tell about it?", "And who must I tell about it?"),
    ("what I need to bring for the induction?", "what do I need to bring for the induction?"),
    # the second question is found though a clause before it also opens with a question word
    ("nothing works when i press start what i can do", "nothing works when i press start what can i do"),
])
def test_questions_in_a_statements_order_are_put_in_a_questions(said: str, read: str) -> None:
    assert inverted(said) == read


@pytest.mark.parametrize("said", [
    "When I open the valve, it squeals.",          # a condition, not a question
    "I don't know what I need.",                   # a question inside a statement
    "Ring me back when you can",                   # "when" mid-sentence opens a clause
    "That's what we agreed.",
    "the fitter who we had last time was great",
    "What do I do now?",                           # already a question's order
    "Where's it at?",
])
def test_statements_and_questions_already_in_order_stay(said: str) -> None:
    assert inverted(said) == said
