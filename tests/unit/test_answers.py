"""Questions asked on the way, answered from what is at hand (agent/brain/answers.py)."""

import pytest

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
                {"kind": "article", "id": "work-orders#priorities", "text": "Priorities depend on the fault.\n- Urgent: attended within 4 hours.\n"
                                            "- High: within 24 hours.\n- Low: planned."}]
    said, article = answers.options_answer(["high", "urgent"], passages)
    assert said == "High: within 24 hours. Urgent: attended within 4 hours." and article == "work-orders#priorities", article
    assert answers.options_answer(["medium"], passages) == ("", "")


def test_who_asks_for_a_name_or_a_role_not_any_two_words() -> None:
    sentences = ["Access to a business system is an access request.", "Most are done in a day."]
    assert answers.answer("who deals with it?", sentences, lambda q, s: [0.3] * len(s)) == ""
    assert answers.answer("who deals with it?", [*sentences, "Grace Kim approves it."],
                          lambda q, s: [0.3] * len(s)) == "Grace Kim approves it."


@pytest.mark.parametrize("asked", ["which technician has it?", "who's actually working on it?", "who is the engineer?"])
def test_a_question_for_a_person_is_answered_by_the_person_not_the_team(asked: str) -> None:
    message = ("Work order WO-10003 for the compressor C-2101 is in progress, with Field Maintenance. Latest note from "
               "Sam O'Connor: suction filter cleaned.")
    said = answers.answer(asked, answers.clauses(message), None, one_of_kind=True)
    assert said.startswith("Latest note from Sam O'Connor"), said
    # "Who has it?" may mean the team as well: two answers of its kind, none chosen by rule alone.
    assert answers.answer("who has it?", answers.clauses(message), None, one_of_kind=True) == ""


def test_a_question_that_leans_on_its_topic_is_measured_with_it() -> None:
    sentences = ["Toner arrives the next working day.", "A reset link expires in 30 minutes."]

    def near(q: str, s: list[str]) -> list[float]:  # only the topic makes the toner sentence near
        return [0.6 if "toner" in q and "Toner" in x else 0.1 for x in s]
    assert answers.answer("how long does that take?", sentences, near) == ""
    assert answers.answer("how long does that take?", sentences, near, about="we are out of toner") \
        == "Toner arrives the next working day."


def test_an_article_sections_sentences_lose_headings_and_examples_are_none() -> None:
    section = {"kind": "article", "text": "## Approval\nOnly access needs approval. Other requests go straight through."}
    assert answers.article_sentences(section) == ["Only access needs approval.", "Other requests go straight through."]
    assert answers.article_sentences({"kind": "example", "text": "reset my password"}) == []


def test_of_a_result_about_the_question_the_one_clause_of_the_asked_kind_answers() -> None:
    parts = answers.clauses(APPROVAL)
    far = lambda q, s: [0.03] * len(s)  # noqa: E731 - a short question shares little with the result
    assert answers.answer("who do I chase?", parts, far) == ""
    assert answers.answer("who do I chase?", parts, far, one_of_kind=True) == "Grace Kim must approve it first."


_BITLOCKER = ("If the laptop asks for a BitLocker recovery key, ask to speak to the IT service desk. A person there reads "
              "you the key after checking who you are.")
_TOKEN = ('If the token shows the wrong code or the VPN says "token out of sync", the token needs a resync. Ask to speak '
          "to the IT service desk: a person there resyncs it while you read out two codes in a row from the token. A "
          "lost token is replaced as a service request.")


@pytest.mark.parametrize("said, person", [
    ("My laptop is asking for a BitLocker recovery key and I can't get past it.", True),
    ("the vpn says token out of sync", True),  # one part of an "or" is enough
    ("my token shows the wrong code this morning", True),
    ("my laptop won't boot at all", False),  # the article's thing, not its situation
    ("I lost my VPN token", False),  # the same article, another instruction (a service request)
    # A product's name is the article's word; a caller says what the screen does.
    ("the laptop came up asking for a recovery key after the update", True),
    ("my laptop keeps asking me to log in again", False),
    # ... or names it, with the situation's thing besides
    ("my laptop is stuck on a BitLocker screen since the update", True),
    ("is BitLocker on all the new machines?", False),
])
def test_an_article_that_sends_the_caller_to_a_person_fits_only_its_own_situation(said: str, person: bool) -> None:
    assert bool(answers.person_per_articles([_BITLOCKER, _TOKEN], said)) == person


def test_a_sentence_holding_what_the_question_word_asks_for_is_of_its_kind() -> None:
    assert answers.of_the_kind_asked("how far ahead can I book a visit", "Visits can be booked up to 60 days ahead.")
    assert not answers.of_the_kind_asked("how far ahead can I book a visit", "Visits come in the morning or afternoon.")
    # where: a place on something; done alone: what the caller can do without the desk
    assert answers.of_the_kind_asked("where is the tag on a valve?", "On a valve, the tag hangs from the handwheel.")
    assert not answers.of_the_kind_asked("where is the tag on a valve?", "Tags are a letter and four digits.")
    assert answers.of_the_kind_asked("can I unlock it myself?", "Use self-service from the sign-in screen.")
    assert not answers.of_the_kind_asked("can I unlock it myself?", "Ask for a password reset.")


def test_how_long_asks_for_a_span_of_time_or_for_a_length_by_its_words() -> None:
    # a span, not how often, and not "by" of a means
    assert answers.of_the_kind_asked("how long is the link good for?", "The link expires in 30 minutes.")
    assert not answers.of_the_kind_asked("how long is the link good for?", "A link is sent by text message to your mobile.")
    assert not answers.of_the_kind_asked("how long is the link good for?", "Passwords are changed every 180 days.")
    # "how long's it got to be?" asks how long a thing must be, not how long something takes
    assert answers.of_the_kind_asked("how long's it got to be?", "At least 14 characters, changed every 180 days.")
    assert not answers.of_the_kind_asked("how long's it got to be?", "The link expires in 30 minutes.")
    # who has it: the team it went to
    assert answers.of_the_kind_asked("who's got it now?", "Incident INC-20003 is escalated to Messaging (tier 2).")


def test_a_question_of_a_kind_about_the_result_is_answered_only_by_a_clause_of_that_kind() -> None:
    clauses = ["Password reset is under way.", "A one-time reset link has been sent by text message to the mobile ending 0412."]
    assert answers.answer("how long have I got to use the link?", clauses, None, one_of_kind=True) == ""


def test_doing_it_alone_is_asked_by_myself_or_without_ringing_not_by_my_own() -> None:
    assert answers.asks_done_alone("Can I do it myself next time without ringing you?")
    assert answers.asks_done_alone("could I sort that out without phoning?")
    assert not answers.asks_done_alone("Can you reset my own password please?")
    assert not answers.asks_done_alone("I did it myself.")  # (told, not asked)


def test_options_listed_inline_in_one_sentence_are_explained_by_it() -> None:
    passages = [{"id": "t#0", "text": "Target times depend on priority: urgent 4 hours, high 1 working day, medium 3 "
                                      "working days, low 5 working days."}]
    said, article = answers.options_answer(["medium"], passages)
    assert "medium 3 working days" in said and article == "t#0"
    assert answers.options_answer(["critical"], passages) == ("", "")


def test_how_fast_asks_for_a_span_and_a_condition_before_it_asks_nothing() -> None:
    span, times = "Urgent: attended within 4 hours.", "Visits come in the morning or the afternoon."
    asked = "When I mark a job as urgent, how fast does someone come?"
    assert answers.of_the_kind_asked(asked, span)
    assert not answers.of_the_kind_asked(asked, times)  # the "when" of the condition asks no time of day
    assert answers.of_the_kind_asked("When will the engineer come?", times)


def test_an_inline_list_says_only_the_items_asked_after_its_label() -> None:
    passages = [{"id": "t#0", "text": "Target times depend on priority: urgent 4 hours, high 1 working day, medium 3 "
                                      "working days, low 5 working days."}]
    assert answers.options_answer(["high"], passages)[0] == "Target times depend on priority: high 1 working day."
    # A time's colon is no label: the whole sentence, not "morning, 08:".
    times = [{"id": "v#0", "text": "Visits come in the morning, 08:00 to 12:00, the afternoon, 12:00 to 17:00, or the "
                                   "evening, 17:00 to 20:00."}]
    assert "17:00 to 20:00" in answers.options_answer(["evening"], times)[0]


@pytest.mark.parametrize("asked", ["What times of day do your technicians visit?", "what hours can they come out",
                                   "which days do they come?"])
def test_what_times_or_hours_ask_for_a_time(asked: str) -> None:
    assert answers.of_the_kind_asked(asked, "Visits come in the morning, 08:00 to 12:00.")
    assert not answers.of_the_kind_asked(asked, "Quote the WO number to hear its status.")


def test_a_heading_the_question_names_beyond_the_articles_subject_counts() -> None:
    approval = ["Only access to a system needs approval, from your line manager."]
    near = lambda q, xs: [0.4 for _ in xs]  # noqa: E731  (equal meaning: only the heading tells them apart)
    named = answers.scored_answer("does that need approval?", approval, near, heading="Service requests: Approval")[1]
    other = answers.scored_answer("does that need approval?", approval, near, heading="Service requests: Common requests")[1]
    assert named > other
    # The article's own subject in a heading names no section: "laptop" asked of "Laptops: Laptop will not turn on".
    subject = answers.scored_answer("do I send the laptop somewhere?", ["Plug in the charger."], near,
                                    heading="Laptops: Laptop will not turn on")[1]
    plain = answers.scored_answer("do I send the laptop somewhere?", ["Plug in the charger."], near, heading="Laptops: Power")[1]
    assert subject == plain


@pytest.mark.parametrize("asked", ["Has anyone actually done anything on it?", "any progress on it?",
                                   "what have they tried so far?", "is somebody working on it?"])
def test_what_was_done_about_a_record_is_its_newest_note(asked: str) -> None:
    message = ("Incident INC-20001 (Laptop will not connect to VPN) is in progress, priority high, with Network "
               "Operations. Latest comment: VPN client reinstalled; waiting for the user to test from site.")
    assert answers.answer(asked, answers.clauses(message), None, one_of_kind=True).startswith("Latest comment")


def test_what_a_thing_is_is_answered_by_the_sentence_that_says_what_one_is() -> None:
    sentences = ["Request numbers look like SR-30045.", "A service request asks for something new: a headset, a mailbox.",
                 "Approval comes from your manager."]
    alike = lambda question, options: [0.5] * len(options)  # noqa: E731  (all as near: the kind asked decides)
    assert answers.answer("what even is a service request?", sentences, alike).startswith("A service request asks")
    assert answers.answer("what does a service request mean?", sentences, alike).startswith("A service request asks")


def test_the_list_item_whose_label_the_question_names_answers_it() -> None:
    items = ["Urgent: attended within 4 hours, for faults that stop supply or risk damage.", "High: within 24 hours.",
             "Medium: within 3 working days."]
    same = lambda q, options: [0.5] * len(options)  # noqa: E731  (meaning alike: the label decides)
    assert answers.scored_answer("how soon is a medium priority one seen to?", items, same)[0] == "Medium: within 3 working days."
    assert answers.labelled("Medium: within 3 working days.", "a medium one") and not answers.labelled(items[1], "a medium one")
