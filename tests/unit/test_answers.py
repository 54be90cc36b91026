"""Questions asked on the way, answered from what is at hand (agent/brain/answers.py)."""

from agent.brain import answers

APPROVAL = ("Access request SR-30008 is waiting for approval. Grace Kim must approve it first; you will get an email "
            "when the access is granted, usually within one working day.")


def _near(question: str, sentences: list[str]) -> list[float]:
    """A stand-in for sentence meaning: shared words over all words (enough to rank these few)."""
    asked = set(question.lower().split())
    return [len(asked & set(s.lower().split())) / max(len(asked | set(s.lower().split())), 1) + 0.2 for s in sentences]


def test_a_result_is_cut_into_clauses_the_ear_can_take() -> None:
    assert answers.clauses(APPROVAL) == [
        "Access request SR-30008 is waiting for approval.", "Grace Kim must approve it first",
        "you will get an email when the access is granted, usually within one working day."]


def test_the_question_word_picks_the_clause_of_its_kind() -> None:
    parts = answers.clauses(APPROVAL)
    assert answers.answer("who signs it off?", parts, _near) == "Grace Kim must approve it first."
    assert answers.answer("how long will it take?", parts, _near).startswith("You will get an email")


def test_nothing_near_is_no_answer() -> None:
    parts = answers.clauses(APPROVAL)
    assert answers.answer("who won the football?", parts, lambda q, s: [0.05] * len(s)) == ""
    assert answers.answer("anything else?", [], _near) == ""


def test_options_are_explained_from_the_section_that_names_each() -> None:
    passages = [{"kind": "example", "text": "Urgent: nothing"},
                {"kind": "article", "text": "Priorities depend on the fault.\n- Urgent: attended within 4 hours.\n"
                                            "- High: within 24 hours.\n- Low: planned."}]
    assert answers.options_answer(["high", "urgent"], passages) == "High: within 24 hours. Urgent: attended within 4 hours."
    assert answers.options_answer(["medium"], passages) == ""
