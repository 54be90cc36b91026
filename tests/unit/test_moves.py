"""The universal dialogue moves: each move class in many phrasings, and what must NOT be a move."""

from __future__ import annotations

import pytest

from agent.brain import moves

TOPIC = "work order create"


@pytest.mark.parametrize("said", [
    "say that again", "Sorry?", "come again?", "pardon?", "pardon me", "what?", "huh", "sorry, what was that?",
    "could you repeat that please", "can you say it again", "I didn't catch that", "I couldn't hear you",
    "one more time please", "what did you say", "repeat yourself please", "I beg your pardon", "I missed that",
    "could you go over that once more", "read that back to me", "run that by me again", "sorry, where were we?",
    "are you still there?", "did you get that?",
])
def test_repeat_in_many_phrasings(said: str) -> None:
    for in_task in (True, False):
        assert moves.classify(said, in_task=in_task) == moves.Move("repeat")


@pytest.mark.parametrize("said", ["sorry, you broke up there", "you're breaking up", "you cut out after the second one",
                                  "I lost you for a second", "the line's breaking up", "you dropped out"])
def test_a_bad_line_asks_to_hear_it_again(said: str) -> None:
    # What was said did not arrive: the last reply again, in any state.
    for in_task in (True, False):
        assert moves.classify(said, in_task=in_task) == moves.Move("repeat")


@pytest.mark.parametrize("said", ["the power cut out at the depot", "the pump keeps cutting out", "the breaker dropped out again",
                                  "sorry, you're breaking up. The dosing pump at Millbrook has lost its prime again",
                                  "you cut out there, I said the aircon in the control room is dripping on the floor"])
def test_a_thing_that_cuts_out_is_no_bad_line(said: str) -> None:
    # (nor a bad line told with the words said again: those words are the turn)
    assert moves.classify(said, in_task=False) is None


@pytest.mark.parametrize("said", ["could you repeat the reference number", "what was the number again?",
                                  "can you say the case number again", "sorry, I didn't catch the reference",
                                  "tell me the reference again", "what's the ticket number again",
                                  "can you read the reference back to me", "sorry, what was my reference number?",
                                  "what's that number?", "what is my ticket number",
                                  "sorry, can you say the reference slowly", "read me the number more slowly"])
def test_repeat_of_the_reference(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("repeat", "reference")


@pytest.mark.parametrize("said", ["harbor road here one more time, I'm afraid. can you cancel the visit on friday?",
                                  "it's me once more, the pump at site twelve is leaking again"])
def test_calling_once_more_is_no_request_to_hear_it_again(said: str) -> None:
    assert moves.classify(said, in_task=False) is None


@pytest.mark.parametrize("said", [
    "no, leave it", "forget it", "never mind", "oh just cancel it", "nevermind then", "don't bother",
    "stop", "no, stop", "drop it", "scrap that", "cancel the work order", "please don't do that", "leave it for now",
    "no, leave it, we still need it", "forget it. I'll call back later", "never mind, it's started working again",
    # after a hesitation marker
    "actually hang on, forget it, the operator's just reset it", "wait, never mind, it's come back on",
    "don't worry about it, it's working now", "no need, it's sorted",
    # "please" after it; the record not wanted, by its kind
    "Hm. No, leave it please. I ask my foreman first.", "no, I don't want a ticket now, thanks",
])
def test_cancel_in_a_task(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) == moves.Move("cancel")


@pytest.mark.parametrize("said", ["cancel my service request", "it won't stop leaking", "the pump stopped",
                                  "I want to cancel the visit for WO-10002", "I don't want a visit on Monday, make it Tuesday"])
def test_a_request_or_a_description_is_not_a_cancel(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) is None


def test_cancel_means_nothing_without_a_task() -> None:
    assert moves.classify("forget it", in_task=False) is None


@pytest.mark.parametrize("said", ["start over", "can we start again please", "let's begin again",
                                  "from the top", "go back to the start"])
def test_restart(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) == moves.Move("restart")


@pytest.mark.parametrize("said", [
    "I don't know", "no idea", "I'm not sure", "dunno", "I don't have the tag", "I can't find it",
    "I can't read the label", "there's no tag on it", "I don't remember", "not sure, sorry", "I forgot",
    # no preference, said as whichever comes first
    "whatever's quickest", "the earliest you've got", "whichever is soonest",
])
def test_dont_know(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) == moves.Move("dont_know")


@pytest.mark.parametrize("said", ["I don't know, maybe site twelve", "not sure but I think it's A one two three",
                                  "it trips and I don't know why it keeps doing that every morning"])
def test_an_answer_with_doubt_is_still_an_answer(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) is None


@pytest.mark.parametrize("said", ["help", "help me please", "what are my options", "how does this work", "I'm confused",
                                  "what can I say?", "hi, I need some help", "I don't understand", "what do I say here?",
                                  "what does that mean?",
                                  # English as a second language: the auxiliary dropped.
                                  "sorry, I not understand", "what you need from me?", "what you want to know?"])
def test_help(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("help")


@pytest.mark.parametrize("said", ["what can you do?", "what is this line for", "hello, what can I use this number for",
                                  "hello? is this the maintenance line?", "what can i actually do on here?",
                                  "is this the right number for IT"])
def test_asking_what_the_line_does(said: str) -> None:
    assert moves.classify(said, in_task=True) == moves.Move("help", "line")


@pytest.mark.parametrize("said", ["I need help with my laptop", "can you help me reset my password",
                                  "the pump at site twelve is leaking", "site fourteen", "A one two three", "yes"])
def test_requests_and_answers_are_not_moves(said: str) -> None:
    assert moves.classify(said, in_task=True, topic=TOPIC) is None


@pytest.mark.parametrize("said, kind", [("yes", "accept"), ("yes please", "accept"), ("okay, go ahead", "accept"),
                                        ("no", "decline"), ("no thanks", "decline"), ("nope", "decline")])
def test_yes_or_no_answers_an_offer(said: str, kind: str) -> None:
    assert moves.classify(said, in_task=True, offer="person") == moves.Move(kind)  # type: ignore[arg-type]
    assert moves.classify(said, in_task=True) is None


@pytest.mark.parametrize("said, meant", [
    ("critical, not medium", "critical"), ("not thirty, thirteen", "thirteen"), ("thirteen, not thirty", "thirteen"),
    ("site fourteen not twelve", "site fourteen"), ("high rather than low", "high"),
    ("make it urgent instead of medium", "make it urgent"), ("no it's not site twelve, it's site fourteen", "site fourteen"),
    ("not A one two three, A one two four", "a one two four"),
])
def test_negated_values_are_dropped(said: str, meant: str) -> None:
    assert moves.negates(said)
    kept = moves.without_negated(said)
    assert meant in kept
    dropped = {"medium", "thirty", "twelve", "low", "three"} & set(said.lower().replace(",", "").split())
    assert not dropped & set(kept.replace(",", " ").split()) - set(meant.split())


def test_a_number_taken_back_then_the_one_meant_is_not_read_as_one_number() -> None:
    # "thirteen thirty" would be 1330; the first word repeats the value just said, so it alone is taken back.
    kept, negated = moves.split_negated("site thirteen no sorry not thirteen thirty")
    assert negated == ["thirteen"] and kept.endswith("thirty"), (kept, negated)
    assert moves.split_negated("not thirteen thirty")[1] == ["thirteen thirty"]  # nothing said before: one number


@pytest.mark.parametrize("said, meant, turned_down", [
    ("make that tomorrow afternoon, the morning's no good, we've got a delivery", "afternoon", "morning"),
    ("tuesday won't work for us, make it wednesday", "wednesday", "tuesday"),
    ("the evening is no good for me, the afternoon then", "afternoon", "evening"),
])
def test_a_value_turned_down_after_it_is_said_is_negated(said: str, meant: str, turned_down: str) -> None:
    assert moves.negates(said)
    kept, negated = moves.split_negated(said)
    assert meant in kept and turned_down not in kept and negated[0] == turned_down, (kept, negated)


def test_no_negation_leaves_the_words() -> None:
    assert not moves.negates("site fourteen, urgent")
    assert not moves.negates("the pump doesn't work")  # a fault, not a value turned down


def test_strikes_count_the_same_question_in_a_row() -> None:
    q = moves.question_of(["Sorry, I didn't catch the site. Which site is the asset at?"])
    assert q == "which site is the asset at"
    assert moves.question_of(["Done. Your reference is W O, one zero zero, one three."]) == ""
    count = 0
    for _ in range(3):
        count = moves.strikes(q if count else "", count, q)
    assert count == 3 > moves.STRIKE_LIMIT
    assert moves.strikes(q, 2, "what is the asset tag on the equipment") == 1


def test_a_long_dont_know_counts_when_an_id_is_asked_not_when_free_text_is() -> None:
    said = "I really don't know what it's called or the number"
    assert moves.classify(said, in_task=True, free_text=False) == moves.Move("dont_know")
    assert moves.classify(said, in_task=True, free_text=True) is None


@pytest.mark.parametrize("said", [
    "let me talk to a human", "get me your supervisor", "I want the manager, now", "put me through to someone",
    "this is useless, I need to speak to a real person", "can I talk with somebody please", "give me an operator",
    "yes, put me through please", "just transfer me",
])
def test_a_person_on_request_in_any_state(said: str) -> None:
    for in_task in (True, False):
        assert moves.classify(said, in_task=in_task) == moves.Move("person")


@pytest.mark.parametrize("said", ["I need someone to come and fix the pump", "the manager asked me to report a leak",
                                  "can you connect me to the vpn", "the printer won't put me through to the scan menu",
                                  "can you send someone to look at it", "my supervisor's laptop is broken"])
def test_asking_for_a_technician_or_naming_a_person_is_not_a_hand_over(said: str) -> None:
    assert moves.classify(said, in_task=False) is None


@pytest.mark.parametrize("said", ["am I talking to a real person here", "are you a robot", "is this a recording?",
                                  "is this a real person or a machine", "who am I talking to",
                                  "am I speaking to a human"])
def test_asking_what_is_on_the_line_is_a_question_not_a_request(said: str) -> None:
    for in_task in (True, False):
        assert moves.classify(said, in_task=in_task) == moves.Move("identity")


@pytest.mark.parametrize("said", ["I want to talk to a real person", "are you a real person? I want to speak to one",
                                  "is it a person I need to speak to about the pump"])
def test_asking_for_a_person_is_not_asking_what_is_on_the_line(said: str) -> None:
    assert moves.classify(said, in_task=True) != moves.Move("identity")


@pytest.mark.parametrize("said", ["what's the work order number for pump A123", "what's the status of my ticket"])
def test_asking_about_a_named_thing_is_not_asking_for_the_reference_again(said: str) -> None:
    assert moves.classify(said, in_task=False) is None


@pytest.mark.parametrize("said", ["I don't mind", "no preference", "it doesn't matter", "up to you", "you choose"])
def test_no_preference_is_not_knowing_for_a_choice(said: str) -> None:
    assert moves.classify(said, in_task=True, free_text=False) == moves.Move("dont_know")


def test_a_turn_that_gives_a_value_is_no_admission() -> None:
    said = "make it high, not medium, the crews can't see the network"
    assert moves.classify(said, in_task=True, free_text=False) == moves.Move("dont_know")  # the words alone ...
    assert moves.classify(said, in_task=True, free_text=False, answered=True) is None  # ... but a value was given


@pytest.mark.parametrize("said, asked", [
    ("where's my work order up to", True), ("oh and can you reset my password", True),
    ("I need a new keyboard as well", True), ("by the way, what time is it", True),
    ("I plan the maintenance jobs", False), ("because the crews can't see the maps", False),
    ("it keeps tripping on overload", False), ("we don't need it any more", False),
])
def test_a_question_or_request_is_told_from_a_statement(said: str, asked: bool) -> None:
    assert moves.asks(said) is asked


@pytest.mark.parametrize("said, changes, kind", [
    ("oh sorry, no, scrap that, thursday was right, but make it the evening", True, None),  # takes back a change
    ("actually, forget it, don't bother logging it. i'll try a different cable first", False, "cancel"),
    ("no, leave it, we still need it", False, "cancel"),
])
def test_a_cancel_phrase_before_a_changed_value_takes_back_the_change_not_the_request(said, changes, kind):
    move = moves.classify(said, in_task=True, answered=True, changes=changes)
    assert (move.kind if move else None) == kind


@pytest.mark.parametrize("said, line", [
    ("Is this the right number for computer problems, or is it just for the pumps and that?", True),
    ("hi, is this the IT helpdesk?", True),
    ("the pump at the right site has a number on it", False),
    ("is the work order for the pump done?", False),
    # what the line is for, asked after saying who calls, or of things of a kind in general
    ("Hi, I've just started in the stores. What is this number for?", True),
    ("Can you help with email problems too, or is it only the field side?", True),
    ("do you handle printer stuff as well", True),
    ("can you help with my laptop? it won't start", False),
    ("can you help me reset my password", False),
])
def test_a_turn_that_opens_by_asking_if_this_is_the_right_line(said, line):
    assert moves.asks_line(said) is line


@pytest.mark.parametrize("said, kind", [
    ("Yes, cancel it. We can't get the permit to work signed off in time.", None),  # no asking to hear it again
    ("I can't get the laptop to connect", None),
    ("sorry, I didn't catch the number", "repeat"),
    ("I couldn't hear the last bit", "repeat"),
])
def test_not_getting_something_is_a_repeat_only_when_it_is_what_was_said(said, kind):
    move = moves.classify(said, in_task=True)
    assert (move.kind if move else None) == kind


@pytest.mark.parametrize("said, rest", [
    ("Sorry, start again. It's my laptop, the screen is cracked.", "It's my laptop, the screen is cracked."),
    ("let's start over", ""),  # a start-over alone: the move, no new request
    ("the pump keeps stopping and I have to start it again", ""),  # no start-over at all
])
def test_the_request_told_after_a_start_over(said, rest):
    assert moves.after_restart(said) == rest


def test_an_announcement_of_several_things_is_found_and_taken_out() -> None:
    assert moves.announcement("Evening, Karen here. I've got three things for you tonight.") == (
        "I've got three things for you tonight", "Evening, Karen here")
    assert moves.announcement("a couple of quick questions") == ("a couple of quick questions", "")
    assert moves.announcement("the pump has been leaking for two days")[0] == ""


@pytest.mark.parametrize("said, unknown, rest", [
    ("the lab air conditioning at lakeside has packed in and I don't know the asset number", "the asset number",
     "the lab air conditioning at lakeside has packed in"),
    ("I don't have the work order number but the pump at site 12 is leaking again", "the work order number",
     "the pump at site 12 is leaking again"),
    ("no idea what the tag is, the fridge in the canteen is warm", "the tag", "the fridge in the canteen is warm"),
    ("I rang on monday about the compressor and I never wrote the job number down can you find it",
     "the job number", "I rang on monday about the compressor can you find it"),
    ("the printer is broken and I can't find the asset tag on it", "the asset tag", "the printer is broken"),
    ("the visit for the oil pump needs cancelling. I haven't got the job number on me.", "the job number",
     "the visit for the oil pump needs cancelling."),
    ("the chiller at north ridge has tripped, no idea of the tag", "the tag", "the chiller at north ridge has tripped"),
    # Not knowing something else is part of the story.
    ("it stops and I don't know why", "", "it stops and I don't know why"),
    ("I don't know what happened but the valve is stuck", "", "I don't know what happened but the valve is stuck"),
])
def test_not_knowing_an_identifier_is_taken_out_of_a_request(said: str, unknown: str, rest: str) -> None:
    assert moves.admission(said) == (unknown, rest)


@pytest.mark.parametrize("said", ["before anything, am I talking to a robot?", "out of interest, is this a real person?",
                                  "Morning. Before we start, am I talking to a computer?",
                                  "can I just ask, are you a computer?"])
def test_a_lead_in_before_asking_what_is_on_the_line_is_still_that_question(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("identity")


def test_a_start_over_led_in_is_a_start_over() -> None:
    said = "Sorry, let me start again. It's not a fault really, I've lost my VPN token and I need a replacement."
    assert moves.after_restart(said).startswith("It's not a fault really")
    assert moves.after_restart("can I start over? my laptop won't boot at all") == "my laptop won't boot at all"
    # Words of the request before it: no start-over of the whole turn.
    assert moves.after_restart("the pump keeps tripping and we have to start again every hour") == ""


@pytest.mark.parametrize("said, repeat", [
    ("yes, say the valve is back in service", False),  # "back" of how a thing is: words to pass on
    ("write that the chiller came back on at noon", False),
    ("tell them the power's back", False),
    ("could you read that back to me", True),
    ("say the number back please", True),
    ("read it back to us slowly", True),
])
def test_back_said_of_a_thing_is_no_request_to_hear_it_again(said, repeat):
    move = moves.classify(said, in_task=True)
    assert (move is not None and move.kind == "repeat") == repeat, move


@pytest.mark.parametrize("said", ["so what can I actually do on this line?", "what can you help me with",
                                  "what can I do through this number"])
def test_asking_what_the_line_does_is_help(said):
    move = moves.classify(said, in_task=False)
    assert move is not None and move.kind == "help", move


@pytest.mark.parametrize("said, drops", [
    ("actually no leave it ill check with my manager first", True),  # a recogniser's words, unpunctuated
    ("no leave it we'll sort it ourselves", True),
    ("No, leave it please.", True),
    ("leave it in the queue", False),
    ("leave it open for now, we'll check", False),
])
def test_a_request_dropped_in_words_run_on(said: str, drops: bool) -> None:
    assert moves.drops_request(said) is drops


@pytest.mark.parametrize("said, topic, drops", [
    ("he's just told me to forget the visit.", "visit schedule", True),
    ("scrap the visit, the fitter's sorted it", "visit schedule", True),
    ("forget the visit.", "work order create", False),  # another kind of request than the one under way
    ("the visit was forgotten last time", "visit schedule", False),
])
def test_a_request_dropped_by_its_kind(said: str, topic: str, drops: bool) -> None:
    assert moves.drops_request(said, topic) is drops


@pytest.mark.parametrize("text", ["Sorry, again please? Slowly.", "slower please", "Again? A bit louder.",
                                  "sorry, could you say it again more slowly"])
def test_a_turn_of_nothing_but_asking_again_is_a_repeat_in_any_order(text: str) -> None:
    assert moves.classify(text, in_task=False) == moves.Move("repeat")


@pytest.mark.parametrize("text", ["not again", "again the pump is tripping", "the alarm went off again please send someone"])
def test_again_among_other_words_is_no_repeat(text: str) -> None:
    assert moves.classify(text, in_task=False) != moves.Move("repeat")


@pytest.mark.parametrize("said, repeat", [
    ("Raise a new job, high priority, and say it's a repeat failure.", False),  # "repeat" a noun's word
    ("it's the third repeat visit this month", False),
    ("log it as another repeat fault on the chiller", False),
    ("can you repeat that", True),
    ("sorry, repeat the reference please", True),
])
def test_repeat_after_a_determiner_names_a_thing_not_a_request_to_hear_it_again(said: str, repeat: bool) -> None:
    move = moves.classify(said, in_task=False)
    assert (move is not None and move.kind == "repeat") == repeat, move


def test_a_hedged_negation_takes_back_the_thing_not_the_hedge() -> None:
    # ("not really a fault" left "it's a fault" behind, the opposite of what was said)
    kept, negated = moves.split_negated("well it's not exactly a breakdown, it just got old")
    assert "breakdown" not in kept and negated == ["exactly a breakdown"]
    assert moves.split_negated("could I get a new one instead?")[1] == []  # nothing after it: nothing taken back


@pytest.mark.parametrize("said, asks", [("can't print anything", False), ("cannot log on", False),
                                        ("can you reset it", True), ("can i get a headset", True)])
def test_a_contraction_that_tells_is_no_question(said: str, asks: bool) -> None:
    assert moves.asks(said) is asks


@pytest.mark.parametrize("said", ["Hello? Is anyone even there at this hour?", "hello, anybody there?",
                                  "is there anyone there at all", "Sorry, is somebody actually there? Hello?"])
def test_asking_whether_anyone_is_there_is_answered_with_who_is(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("identity", "there")


@pytest.mark.parametrize("said", ["is anybody around to look at the pump", "is anyone there on site 12",
                                  "I need someone there today", "is someone coming to fix it",
                                  "can I talk to someone in dispatch about it please"])
def test_someone_wanted_at_a_place_is_no_question_about_the_line(said: str) -> None:
    assert moves.classify(said, in_task=False) is None or moves.classify(said, in_task=False).kind != "identity"


def test_asking_for_a_real_person_and_whether_anyone_is_there_is_the_question_of_what_is_on_the_line() -> None:
    # "Yes, I'm here" would answer "is this a real person?" wrongly: the line says what it is.
    said = "Hi, sorry, is anyone actually there at this hour? Is this a real person?"
    assert moves.classify(said, in_task=False) == moves.Move("identity")


@pytest.mark.parametrize("said", ["oh hang on its just come back the cables were loose never mind",
                                  "oh it's working now, forget it"])
def test_a_cancel_phrase_ending_the_turn_after_why_cancels_or_declines(said: str) -> None:
    assert moves.classify(said, in_task=True) == moves.Move("cancel")
    assert moves.classify(said, in_task=False, offer="later") == moves.Move("decline")


@pytest.mark.parametrize("said", ["never mind the number, it is the pump A123", "the pump is leaking, never mind the noise"])
def test_a_cancel_phrase_inside_the_request_cancels_nothing(said: str) -> None:
    assert moves.classify(said, in_task=True) is None


@pytest.mark.parametrize("said", ["Morning! Quick one before I start, am I talking to a real person or a machine?",
                                  "Hi. Am I speaking to a robot? My laptop won't start."])
def test_what_the_line_is_asked_in_a_sentence_of_its_own_is_answered(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("identity")


@pytest.mark.parametrize("said", ["Does a person actually read what I say here, or does it all go into a system?",
                                  "will anyone see what I'm telling you?"])
def test_whether_a_person_reads_it_is_a_question_not_a_request_for_one(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("identity", "reads")


def test_a_person_asked_for_beside_the_question_is_a_person() -> None:
    said = "Is this a real person? I'd rather talk to someone on the service desk."
    assert moves.classify(said, in_task=False) == moves.Move("person")


@pytest.mark.parametrize("said, gone", [
    ("Thursday afternoon, we're not around in the mornings", "mornings"),
    ("any day but I'm not here on Fridays", "fridays"),
])
def test_where_or_when_the_caller_is_not_is_taken_back(said: str, gone: str) -> None:
    kept, negated = moves.split_negated(said)
    assert gone not in kept and any(n.endswith(gone) for n in negated), (kept, negated)


@pytest.mark.parametrize("said, asks", [("when they get there they should ask for the shift lead", False),
                                        ("when the engineer arrives he needs a permit", False),
                                        ("when will they get there", True), ("when is the technician coming", True),
                                        ("when's he due", True)])
def test_a_clause_of_time_is_no_question(said: str, asks: bool) -> None:
    assert moves.asks(said) is asks


@pytest.mark.parametrize("said", ["put me through to someone real please, I can barely hear you with the wind",
                                  "I didn't catch that, can I just speak to a human"])
def test_a_person_asked_for_with_a_bad_line_is_a_person_not_a_repeat(said: str) -> None:
    assert moves.classify(said, in_task=False) == moves.Move("person")
    assert moves.classify("sorry, I can't hear you", in_task=False).kind == "repeat"


@pytest.mark.parametrize("said, counted", [
    ("Three quick ones. The generator", "three quick ones"),
    ("I've got three for you. The pump", "i've got three for you"),
    ("Couple of requests. I need a laptop", "couple of requests"),
    ("a couple more for you", "a couple more for you"),
])
def test_a_count_of_things_is_heard_in_its_everyday_forms(said: str, counted: str) -> None:
    assert moves.SEVERAL.search(said.lower())
    assert moves.announcement(said)[0].lower() == counted


@pytest.mark.parametrize("said", ["I rang two calls ago", "my two tickets back in May were closed", "some things"])
def test_a_time_or_an_unsure_some_is_no_count(said: str) -> None:
    assert not moves.SEVERAL.search(said.lower())


def test_a_code_taken_back_with_its_letters_and_dash_is_negated_whole() -> None:
    assert moves.split_negated("Sorry, not T-1402, it's T-1401.")[1] == ["t - 1402"]


@pytest.mark.parametrize("said", ["no, leave the Word one", "no, skip that one", "leave the printer one for now"])
def test_the_one_offered_dropped_by_what_it_was_about_is_a_decline(said: str) -> None:
    assert moves.classify(said, in_task=False, offer="later") == moves.Move("decline")
