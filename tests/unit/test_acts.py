"""A yes said in words no list holds, judged by meaning (agent/brain/acts.py), with the real sentence encoder.

The phrases here were written before the thresholds were set and are the judge's whole dev set; none is in
``acts.ASSENT`` or ``acts.OTHER``. What it must never do is take a hedge, a wait or a negation for a yes:
a false yes at a read-back sends something the caller did not approve.
"""

from __future__ import annotations

import pytest

from agent.brain import acts, entities
from agent.embeddings import shared_encoder

#: Assents the yes/no word list does not hold.
UNLISTED_YES = ["go for it", "that'll do", "indeed", "quite right", "that's it exactly",
                "send it through", "course"]
#: Not a yes: waits, repeats, hedges, refusals, values and questions, none of them a listed yes or no.
NOT_YES = ["hang about", "wait", "not yet", "hmm", "eh?", "say again", "who are you", "the pump", "tomorrow",
           "don't", "hold off", "no idea", "scrap that", "let it be", "cancel that", "is that right?",
           "can you repeat", "what's the reference", "come again?", "site twelve", "the second one", "I think so", "perhaps",
           "dunno", "high priority", "it's still leaking", "my manager", "what does that mean", "erm",
           "don't send it", "not that one", "go for it but not yet", "do it on 12 May"]


@pytest.fixture(scope="module")
def similar():
    return shared_encoder().similarity


def test_the_phrases_are_not_already_in_the_word_list_or_the_banks() -> None:
    for text in UNLISTED_YES:
        assert entities.yes_no(text).yes is None, text
    assert not {t.lower() for t in UNLISTED_YES + NOT_YES} & {t.lower() for t in acts.ASSENT + acts.OTHER}


@pytest.mark.parametrize("said", ["crack on", "bang it in", "fire away", "on you go", "yeah send it off", "pop it in then",
                                  "get it logged", "press on please"])
def test_a_go_ahead_said_as_an_order_to_get_on_is_a_yes(similar, said: str) -> None:
    assert acts.assents(said, similar), said


@pytest.mark.parametrize("said", ["hold on", "go back", "put it down", "get me a person", "don't send it",
                                  "go home"])
def test_a_verb_of_going_with_anything_else_is_no_go_ahead(similar, said: str) -> None:
    assert not acts.assents(said, similar), said


def test_most_unlisted_assents_are_heard_as_yes(similar) -> None:
    heard = [t for t in UNLISTED_YES if acts.assents(t, similar)]
    assert len(heard) >= 5, f"only {heard}"
    assert acts.assents("go for it", similar)


@pytest.mark.parametrize("text", NOT_YES)
def test_a_wait_a_hedge_a_negation_or_a_value_is_never_a_yes(similar, text: str) -> None:
    assert not acts.assents(text, similar)


@pytest.mark.parametrize("said, expected", [
    ("I'll open a work order: site 12. Is that right?", True),
    ("Shall I go ahead and schedule a visit?", True),
    ("Done. Anything else?", False),  # no auxiliary: not a yes/no question
    ("Is it the pump, or the fan?", False),  # alternatives
    ("Could you tell me the site number?", False),  # asks for words
    ("Which site is it at?", False),
    ("Thanks.", False),
])
def test_a_yes_no_question_is_told_by_its_grammar(said: str, expected: bool) -> None:
    assert acts.yes_no_question(said) is expected
