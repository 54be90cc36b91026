"""What the caller heard of an interrupted reply (pure)."""

from agent.call.conversation import heard_text, resume_text

SPANS = [["Your work order is open.", 0.0, 1500.0], ["A technician will call you before noon today.", 1500.0, 4000.0]]


def test_whole_sentences_before_the_interruption_are_kept():
    assert heard_text(SPANS, 1600) == "Your work order is open."


def test_the_sentence_being_played_is_cut_in_proportion():
    assert heard_text(SPANS, 2750) == "Your work order is open. A technician will call…"


def test_nothing_heard_and_everything_heard():
    assert heard_text(SPANS, 0) == ""
    assert heard_text(SPANS, 5000) == " ".join(s[0] for s in SPANS)
    assert heard_text([], 100) == ""


def test_a_sentence_still_being_synthesised_was_not_heard():
    """The caller heard the first sentence out and spoke while the second had no audio yet."""
    waiting = [SPANS[0], ["A technician will call you before noon today.", 1500.0, 1500.0]]
    assert heard_text(waiting, 1500) == "Your work order is open."
    assert heard_text(waiting, 9000) == "Your work order is open."


# --- what a false interruption resumes with: the counterpart of heard_text ---------------------------
def test_resume_repeats_the_sentence_that_was_cut_and_what_followed():
    assert resume_text(SPANS, 2750) == "A technician will call you before noon today."
    assert resume_text(SPANS, 700) == " ".join(s[0] for s in SPANS)


def test_resume_within_one_span_starts_at_the_cut_sentence():
    one = [["Your work order is open. A technician will call you. Bye.", 0.0, 5000.0]]
    assert resume_text(one, 3000) == "A technician will call you. Bye."
    assert resume_text(one, 100) == one[0][0]


def test_resume_after_everything_was_heard_is_empty_and_unplayed_text_is_kept():
    assert resume_text(SPANS, 5000) == ""
    waiting = [SPANS[0], ["A technician will call you before noon today.", 1500.0, 1500.0]]
    assert resume_text(waiting, 1500) == "A technician will call you before noon today."
