"""Slot filling from a tool's JSON input schema (the shapes the MCP SDK publishes)."""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.brain import slots as s

CTX = s.Context(now=datetime(2026, 11, 23, 14, 0), site_names={"Riverside Pumping Station": 12,
                                                               "North Ridge Substation": 14})
NULLABLE_KEY = {"anyOf": [{"type": "string", "pattern": "^[A-Za-z0-9._:-]+$", "maxLength": 128},
                          {"type": "null"}], "default": None,
                "description": "Optional. A unique key for this request."}
CREATE_WORK_ORDER = {
    "type": "object",
    "properties": {
        "site": {"type": "integer", "minimum": 1, "maximum": 999,
                 "description": "Which site is the asset at? Site number 1 to 999."},
        "asset_tag": {"type": "string", "pattern": "^[A-Za-z]-?[0-9]{3,5}$", "maxLength": 8,
                      "examples": ["A123", "P-4512"],
                      "description": "What is the asset tag on the equipment? It looks like A123 or P-4512."},
        "summary": {"type": "string", "minLength": 1, "maxLength": 2000,
                    "description": "What is wrong with it? Describe the problem briefly."},
        "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"],
                     "description": "How urgent is it: low, medium, high or urgent?"},
        "reported_by": {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}], "default": None,
                        "description": "Optional. Who is reporting the problem?"},
        "idempotency_key": NULLABLE_KEY,
    },
    "required": ["site", "asset_tag", "summary", "priority"],
}
GET_WORK_ORDER = {
    "type": "object",
    "properties": {"work_order_id": {"type": "string", "pattern": "^[Ww][Oo]-[0-9]{5}$",
                                     "examples": ["WO-10234"],
                                     "description": "What is the work order number? It looks like WO-10234."}},
    "required": ["work_order_id"],
}
VISIT = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date", "description": "What day should the technician come?"},
        "user": {"type": "string", "pattern": r"^(?:[Ee][0-9]{5}|[^@\s]{1,64}@[^@\s]{1,190})$",
                 "description": "What is your employee ID or your work email address?"},
    },
    "required": ["date", "user"],
}


def talk(schema: dict, opening: str, *answers: str, write: bool = True) -> tuple[dict, list[s.Step]]:
    task = s.new_task("create_work_order", "field_ops", "work_order.create", opening, "key-1")
    s.prefill(task, schema, {}, CTX)
    steps = [s.step(task, schema, None, CTX, write=write)]
    for answer in answers:
        steps.append(s.step(task, schema, answer, CTX, write=write))
    return task, steps


def test_required_fields_become_the_schema_questions_in_order() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "work order please")
    assert steps[-1].action == "ask"
    assert steps[-1].say == "Which site is the asset at?"
    assert task["asking"] == "site"


def test_question_from_a_description_that_is_not_a_question() -> None:
    slot = s.Slot("serial", {"type": "string", "description": "The serial number on the label."}, True)
    assert slot.question == "What's the serial number on the label?"
    assert s.Slot("badge_id", {"type": "string"}, True).question == "What's the badge number?"


def test_step_by_step_then_confirmation_then_execute() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "my pump is leaking water everywhere",
                       "site twelve", "it's A one two three", "high")
    assert [st.action for st in steps] == ["ask", "ask", "ask", "confirm"]
    assert task["args"] == {"summary": "my pump is leaking water everywhere", "site": 12,
                            "asset_tag": "A123", "priority": "high"}
    assert "open a work order" in steps[-1].say and "A, one two three" in steps[-1].say
    assert steps[-1].say.endswith("Is that right?")
    assert s.step(task, CREATE_WORK_ORDER, "yes", CTX, write=True).action == "execute"


def test_several_slots_in_one_sentence_and_out_of_order() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "the pump P dash forty five twelve at site fourteen is tripping, it's urgent")
    assert steps[-1].action == "confirm"
    assert task["args"]["asset_tag"] == "P-4512"
    assert task["args"]["site"] == 14
    assert task["args"]["priority"] == "urgent"


def test_answer_for_another_slot_while_one_is_asked() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "a fault with some equipment that keeps overheating",
                       "it's urgent, at site fourteen")
    assert task["args"]["site"] == 14 and task["args"]["priority"] == "urgent"
    assert task["asking"] == "asset_tag"


def test_correction_at_confirmation() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "pump P-4512 is grinding, site twelve", "medium", "no, site fourteen")
    assert steps[-1].action == "confirm"
    assert task["args"]["site"] == 14
    assert steps[-1].say == "Site 14 then. Shall I go ahead?"  # the correction said back is the read-back


def test_plain_no_asks_what_to_change_naming_the_fields() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    step = s.step(task, CREATE_WORK_ORDER, "no", CTX, write=True)
    assert step.say == "What should I change: site, asset tag, summary or priority?"
    # Naming a field asks for it again (cancel is a universal move: see test_moves.py).
    step = s.step(task, CREATE_WORK_ORDER, "the site", CTX, write=True)
    assert step.action == "ask" and task["asking"] == "site" and "site" not in task["args"]


def test_site_by_name() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at the Riverside pumping station is vibrating")
    assert task["args"]["site"] == 12


def test_bare_number_only_counts_when_the_site_was_asked() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "pump A123 is vibrating badly today", "fourteen")
    assert task["args"]["site"] == 14
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 is broken for the twelve time")
    assert "site" not in task["args"]


@pytest.mark.parametrize("said", ["W O one oh two three four", "WO-10234", "one oh two three four",
                                  "it's work order W O 10234", "wo 10234"])
def test_ticket_numbers_in_many_spoken_forms(said: str) -> None:
    task, steps = talk(GET_WORK_ORDER, "status please", said, write=False)
    assert steps[-1].action == "execute"
    assert task["args"]["work_order_id"] == "WO-10234"


def test_out_of_range_value_is_refused_and_asked_again() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "work order please", "site one thousand two hundred")
    assert steps[-1].action == "ask"
    assert "not a valid site" in steps[-1].say
    assert "site" not in task["args"]


def test_unparseable_answer_is_asked_again() -> None:
    _, steps = talk(GET_WORK_ORDER, "status please", "I'm not sure", write=False)
    assert steps[-1].action == "ask"
    assert steps[-1].say.startswith("Sorry, I didn't catch the work order number.")


def test_too_long_free_text_is_refused() -> None:
    task, steps = talk(CREATE_WORK_ORDER, "work order please", "site 12", "A123", "x" * 5000)
    assert "too long" in steps[-1].say
    assert "summary" not in task["args"]


def test_sql_fragment_is_just_text() -> None:
    fragment = "'); DROP TABLE work_orders; --"
    task, _ = talk(CREATE_WORK_ORDER, "work order please", "site 12", "A123", fragment)
    assert task["args"]["summary"] == fragment


def test_dates_and_patterned_ids() -> None:
    task, steps = talk(VISIT, "book a visit", "tomorrow morning", "E one oh four eight two")
    assert task["args"] == {"date": "2026-11-24", "user": "E10482"}
    assert steps[-1].action == "confirm"


def test_email_spoken_for_a_user_field() -> None:
    task, _ = talk(VISIT, "book a visit", "friday", "maria dot lopez at northwind dot example")
    assert task["args"]["user"] == "maria.lopez@northwind.example"


def test_read_only_tools_run_without_confirmation() -> None:
    assert not s.is_write("get_work_order")
    assert s.is_write("create_work_order")
    assert not s.is_write("create_report", {"readOnlyHint": True})


def test_prefill_from_entities_heard_earlier() -> None:
    task = s.new_task("get_work_order", "field_ops", "work_order.status", "what's the status", "k")
    s.prefill(task, GET_WORK_ORDER, {"work_order_id": "WO-10007"}, CTX)
    assert s.step(task, GET_WORK_ORDER, None, CTX, write=False).action == "execute"


def test_reasons_are_not_taken_from_the_opening_request() -> None:
    schema = {"type": "object", "properties": {
        "request_id": {"type": "string", "pattern": "^[Ss][Rr]-[0-9]{5}$"},
        "reason": {"type": "string", "description": "Why are you cancelling it?"}},
        "required": ["request_id", "reason"]}
    task = s.new_task("cancel_service_request", "it_ops", "service_request.cancel",
                      "I would like to cancel a service request", "k")
    s.prefill(task, schema, {}, CTX)
    assert "reason" not in task["args"]


def test_answers_tells_the_brain_whether_to_continue() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "work order please")
    assert s.answers(task, CREATE_WORK_ORDER, "site fourteen", CTX) == "value"
    assert s.answers(task, CREATE_WORK_ORDER, "my laptop is broken", CTX) is None
    task["asking"] = "summary"
    assert s.answers(task, CREATE_WORK_ORDER, "it's making a noise", CTX) == "free"


def test_describe_tool() -> None:
    assert s.describe_tool("create_work_order") == "open a work order"
    assert s.describe_tool("create_incident") == "open an incident"
    assert s.describe_tool("request_password_reset") == "submit a password reset request"
    assert s.describe_tool("reschedule_visit") == "move the visit"  # not "reschedule visit"


@pytest.mark.parametrize("opening", [
    "pump A123 at site 12 shows a discharge pressure reading that is high",
    "the flow on pump A123 at site 12 is low and the level is low",
    "pump A123 at site 12 is running at medium speed but making a critical alarm noise",
])
def test_symptom_adjectives_never_set_the_priority(opening: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, opening)
    assert "priority" not in task["args"]


@pytest.mark.parametrize("opening, priority", [
    ("pump A123 at site 12 has a high pressure reading, it's low priority", "low"),
    ("pump A123 at site 12 reads low, priority high please", "high"),
    ("pump A123 at site 12 is leaking, it's urgent", "urgent"),
    ("pump A123 at site 12 is leaking, no rush though", "low"),
    ("pump A123 at site 12 is leaking but it's not urgent", "low"),
    # A hedge is no description: "I'd say high", "I'm thinking medium" are the value in a clause of its own.
    ("pump A123 at site 12 is leaking, and I'd say high", "high"),
    ("pump A123 at site 12 is leaking, I would say medium", "medium"),
])
def test_explicit_priority_wins(opening: str, priority: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, opening)
    assert task["args"]["priority"] == priority


@pytest.mark.parametrize("opening, priority", [
    # The value said with the slot's name wins over a phrase that says how it feels, in either order.
    ("pump A123 at site 12 is leaking, medium priority, no rush", "medium"),
    ("pump A123 at site 12 is leaking, nothing urgent, high priority though", "high"),
    ("pump A123 at site 12 is leaking, no rush, low priority", "low"),
    # ... unless it is put right after ("high priority. sorry, no, not high, medium").
    ("pump A123 at site 12 is leaking, high priority. sorry, no, not high, medium", "medium"),
])
def test_a_value_said_with_the_slots_name_beats_one_said_by_a_feeling(opening: str, priority: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, opening)
    assert task["args"]["priority"] == priority


@pytest.mark.parametrize("said, priority", [("critical, not medium", "urgent"), ("not high, medium", "medium"),
                                            ("high rather than low", "high"), ("make it low", "low")])
def test_priority_correction_with_the_old_value_named(said: str, priority: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    step = s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert task["args"]["priority"] == priority
    if priority != "high":
        assert step.say.startswith(f"{priority.capitalize()} then.")


@pytest.mark.parametrize("said, site", [("not thirty, thirteen", 13), ("site fourteen, not twelve", 14),
                                        ("no, it's not site twelve, it's site three", 3)])
def test_site_correction_with_the_old_value_named(said: str, site: int) -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    task["confirming"], task["asking"] = False, "site"
    s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert task["args"]["site"] == site


@pytest.mark.parametrize("opening, summary", [
    ("Hi, the pump at site twelve is leaking water everywhere", "the pump is leaking water everywhere"),
    ("I need a technician, pump P dash forty five twelve at site fourteen is tripping, it's urgent",
     "pump is tripping"),
    ("please open a work order, the generator won't start", "the generator won't start"),
    ("pump A123 at the Riverside pumping station is vibrating badly", "pump is vibrating badly"),
    # Too long for a summary: the places go, what happened stays.
    ("the printer on the second floor at the operations centre's run out of toner, the black one",
     "the printer at the operations centre's run out of toner"),
    ("the extractor fan in the lab above the workshop at the depot keeps tripping the breaker",
     "the extractor fan at the depot keeps tripping the breaker"),
    # A colon ends a clause too: "one more thing:" is no part of the problem.
    ("And one more thing: the fan on pump A123 is squealing.", "the fan on pump is squealing"),
    # Where the caller is, as a greeting ("stonebridge here"), is no part of it; too long, the subject keeps its head.
    ("stonebridge here the fuel gas booster compressor c six eight two oh has a high oil temperature alarm",
     "the compressor has a high oil temperature alarm"),
    # A run-on introduction from a team whose name is a pronoun's ("the it team"), then a need.
    ("hi its nora ali from the it team i need access to the control room shared mailbox",
     "i need access to the control room shared mailbox"),
    # Why the caller rings is no part of it; what the call is about, said after it in the same breath, is.
    ("hello i am calling for the pump a five five two at site twelve it is making a grinding noise",
     "the pump it is making a grinding noise"),
    # A thing, then "it ..." of it, is one sentence.
    ("we're ringing about the chiller, it keeps tripping", "the chiller keeps tripping"),
    ("the booster pump at Riverside. It's making that racket again when it starts up.",
     "the booster pump is making that racket again when it starts up"),  # (two words over: kept whole)
    # A clause that only says which record is none of it.
    ("About job ten thousand and nine, the pump at Riverside is leaking again", "the pump is leaking again"),
    # A state said of a thing ("the alarm's on") is what is wrong, not an aside.
    ("Riverside. standby genny, G oh three two oh. low fuel alarm's on.", "standby genny and low fuel alarm's on"),
    # Who calls and what they do at a place is none of it, nor is a name said alone after a greeting.
    ("Evening, Ravi Patel, I run Stonebridge. The gas booster is surging.", "the gas booster is surging"),
    ("Ravi Patel, I'm at Stonebridge today. The gas booster is surging.", "the gas booster is surging"),
    ("Good morning, Ravi Patel, I'm the duty engineer at Riverside. Pump two is rattling.", "pump two is rattling"),
    # A place phrase goes, the verb after it stays.
    ("Teams on my laptop freezes every time I share my screen", "teams freezes every time i share my screen"),
    # What was taken back, and a thing said to be fine, are none of it.
    ("I need a new keyboard. Scratch that, the keyboard's fine, it's the mouse that's broken",
     "the mouse that's broken"),
])
def test_summary_is_a_short_paraphrase_of_the_problem(opening: str, summary: str) -> None:
    ctx = s.Context(now=CTX.now, site_names={"Riverside Pumping Station": 12, "Stonebridge Generating Station": 68})
    assert s.paraphrase(opening, ctx) == summary


def test_long_opener_is_cut_between_clauses_never_mid_word() -> None:
    opening = ("the compressor keeps tripping on high temperature, the operators have reset it four times today, "
               "and the backup unit is also showing an alarm on the panel")
    summary = s.paraphrase(opening, CTX)
    assert len(summary.split()) <= s.SUMMARY_WORDS and opening.replace(",", "").startswith(summary.split(" and ")[0])
    assert all(word in opening for word in summary.split())


def test_a_code_in_the_wrong_shape_says_what_was_heard_and_what_is_expected() -> None:
    _, steps = talk(GET_WORK_ORDER, "status please", "one zero zero one", write=False)
    assert steps[-1].say.startswith("I heard one zero, zero one. That's four digits; a work order number has five, like W O")


def test_free_text_can_be_corrected_at_the_read_back() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    step = s.step(task, CREATE_WORK_ORDER, "no, the summary should be oil leaking from the seal", CTX, write=True)
    assert task["args"]["summary"] == "oil leaking from the seal" and step.action == "confirm"
    step = s.step(task, CREATE_WORK_ORDER, "change the description", CTX, write=True)
    assert step.action == "ask" and task["asking"] == "summary"


def test_a_correction_is_said_back_even_for_a_value_not_taken_before() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "the historian has frozen again, put it as low")
    assert task["args"]["priority"] == "low"
    task, _ = talk(CREATE_WORK_ORDER, "the historian screen has frozen again")
    step = s.step(task, CREATE_WORK_ORDER, "sorry, urgent, not low", CTX, write=True)
    assert task["args"]["priority"] == "urgent" and step.say.startswith("Priority urgent then.")


def test_a_negated_correction_is_an_answer_for_the_brain() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 3 is leaking, priority low")
    assert s.answers(task, CREATE_WORK_ORDER, "not three, thirty", CTX) == "value"
    assert s.answers(task, CREATE_WORK_ORDER, "not today, thanks", CTX) is None


@pytest.mark.parametrize("said, priority", [("the first one", "low"), ("second", "medium"), ("the last one", "urgent"),
                                            ("um, the third", "high")])
def test_an_offered_option_can_be_picked_by_its_place(said: str, priority: str) -> None:
    slot = {x.name: x for x in s.slots_of(CREATE_WORK_ORDER)}["priority"]
    assert s.parse(slot, said, CTX, asked=True) == priority
    assert s.parse(slot, said, CTX, asked=False) is None


@pytest.mark.parametrize("said, tag", [("not four five oh three, four five three oh", "P-4530"),
                                       ("it's four five three zero not four five zero three", "P-4530")])
def test_a_code_corrected_by_its_digits_alone_keeps_its_letters(said: str, tag: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, "transfer pump P-4503 at site 30 is cavitating, priority medium")
    step = s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert task["args"]["asset_tag"] == tag
    assert step.say.startswith("P, four five, three zero then.")


@pytest.mark.parametrize("said", ["yes", "no", "yeah."])
def test_a_bare_yes_or_no_is_not_a_description(said: str) -> None:
    task, steps = talk(CREATE_WORK_ORDER, "asset A123", "site 12", said)
    assert "summary" not in task["args"] and steps[-1].action == "ask"
    assert steps[-1].say.endswith("What is wrong with it?")


def test_an_aside_at_the_read_back_keeps_the_read_back() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    step = s.step(task, CREATE_WORK_ORDER, "oh by the way what time does the canteen close", CTX, write=True)
    assert step.action == "confirm" and task["confirming"] and task["args"]["site"] == 12
    assert step.say == "Sorry, I didn't follow. Shall I go ahead and open a work order?"
    plain_no = s.step(task, CREATE_WORK_ORDER, "no", CTX, write=True)
    assert plain_no.say.startswith("What should I change")  # a no still asks what to change


def test_an_option_written_as_an_identifier_is_heard_as_words() -> None:
    slot = s.Slot("system", {"type": "string", "enum": ["sap", "scada_historian", "power_bi"]}, True)
    assert s.parse(slot, "I need access to power bi for the monthly reports", CTX, asked=False) == "power_bi"
    assert s.parse(slot, "the scada historian", CTX, asked=True) == "scada_historian"


def test_who_and_where_said_anywhere_in_the_turn_fill_both_requests() -> None:
    turn = "I need my password reset and also a new keyboard, I'm E10533"
    task = s.new_task("request_password_reset", "it_ops", "password.reset", "I need my password reset", "k")
    heard = s.prefill(task, VISIT, {}, CTX, turn=turn)
    assert heard == {"user": "E10533"} and "date" not in task["args"]  # an identity, not the other request's values


def test_a_word_of_a_site_name_that_describes_the_equipment_stays_in_the_summary() -> None:
    ctx = s.Context(now=CTX.now, site_names={"Eastgate Compressor Station": 21, "Riverside Pumping Station": 12})
    assert s.paraphrase("the compressor C-2101 at Eastgate has low discharge pressure again", ctx) == \
        "the compressor has low discharge pressure again"
    assert s.paraphrase("the pump at Riverside pumping station is leaking", ctx) == "the pump is leaking"


def test_an_id_in_the_wrong_shape_in_the_opener_is_said_back_with_the_shape_expected() -> None:
    schema = {"type": "object", "required": ["user"], "properties": {"user": {
        **VISIT["properties"]["user"], "description": "What is your employee ID (like E10482) or your work email address?"}}}
    task = s.new_task("request_password_reset", "it_ops", "password.reset", "password reset please, my ID is E1048", "k")
    s.prefill(task, schema, {}, CTX)
    step = s.step(task, schema, None, CTX, write=True)
    assert "user" not in task["args"]
    assert "I heard E, one zero, four eight. That's four digits; an ID has five, like E, one zero four, eight two." in step.say


INCIDENT = {
    "type": "object",
    "required": ["summary", "category"],
    "properties": {
        "summary": {"type": "string", "description": "What is not working?"},
        "category": {"type": "string", "enum": ["network", "email", "hardware", "software"],
                     "description": "What kind of problem is it: network, email, hardware or software?"},
        "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"], "default": "medium",
                     "description": "How badly does it affect your work: low, medium, high or urgent?"},
    },
}


def test_a_held_choice_is_not_changed_by_a_word_in_passing() -> None:
    task, _ = talk(INCIDENT, "the GIS viewer won't load any maps, it's software, medium")
    assert task["confirming"] and task["args"]["category"] == "software"
    step = s.step(task, INCIDENT, "make it high, not medium, the crews can't see the network", CTX, write=True)
    assert task["args"]["category"] == "software" and task["args"]["priority"] == "high"
    assert step.say == "High then. Shall I go ahead?"
    s.step(task, INCIDENT, "no, the category is network", CTX, write=True)  # said as a value: changed
    assert task["args"]["category"] == "network"


def test_no_idea_is_not_a_no() -> None:
    from agent.brain import entities

    assert entities.yes_no("no idea, you tell me").yes is None and entities.yes_no("no, site twelve").yes is False


@pytest.mark.parametrize("opening, summary", [
    ("right so I was doing my rounds this morning and I noticed the booster pump at North Ridge, the first one, "
     "was making a grinding sort of noise when it started up, the tag is A701, not urgent, low",
     "the booster pump was making a grinding sort of noise"),
    ("I was walking past and the pump A701 is leaking", "the pump is leaking"),
    ("gas turbine generator 1, G-6801, is throwing a flame detector alarm, high priority",
     "gas turbine generator 1 is throwing a flame detector alarm"),
    ("the pump and the motor are both hot", "the pump and the motor are both hot"),
])
def test_summary_of_a_story_keeps_the_thing_and_what_is_wrong(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, CTX) == summary


def test_a_declined_offer_and_a_number_for_another_slot_are_not_misheard() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "the pump at site 30 is leaking")
    task["proposed"] = {"asset_tag": "P-4530"}  # "Is it the reservoir transfer pump, P-4530?"
    assert s.step(task, CREATE_WORK_ORDER, "no", CTX, write=True).say == "Okay. What is the asset tag on the equipment?"
    step = s.step(task, CREATE_WORK_ORDER, "not thirty, thirteen", CTX, write=True)
    assert task["args"]["site"] == 13 and step.say == "Site 13 then. What is the asset tag on the equipment?"


def test_summary_leaves_out_the_call_itself() -> None:
    said = "I was on the phone a minute ago and got cut off, I was reporting the pump A123 at site 12 leaking"
    assert s.paraphrase(said, CTX) == "the pump leaking"


def test_digits_said_with_other_letters_are_not_taken_for_this_id() -> None:
    slot = s.Slot("incident_id", {"type": "string", "pattern": "^INC-[0-9]{5}$", "examples": ["INC-20234"]}, True)
    assert s.parse(slot, "what's happening with SR-30005", CTX, asked=True) is None
    assert s.parse(slot, "my ID is E10620 and it's incident 20001", CTX, asked=True) == "INC-20001"
    assert s.wrong_shape(slot, "can you escalate my incident, it's been two days") is None
    assert s.wrong_shape(slot, "incident 2001").startswith("I heard I N C, two zero, zero one. That's four digits; an incident number has five")


@pytest.mark.parametrize("said", ["yes, but the site's wrong", "great, but the site is wrong", "yeah except the site"])
def test_a_yes_with_a_but_sends_nothing(said: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    step = s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert step.action == "ask" and task["asking"] == "site"  # the field named is asked again


def test_a_yes_with_a_value_after_but_changes_it() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    step = s.step(task, CREATE_WORK_ORDER, "yes, but make it site fourteen", CTX, write=True)
    assert step.action == "confirm" and task["args"]["site"] == 14


@pytest.mark.parametrize(("opening", "summary"), [
    ("hi it's ben carter from the control room. the vpn keeps dropping every ten minutes or so", "the vpn keeps dropping every ten minutes"),
    ("this is maria lopez, my laptop is dead", "my laptop is dead"),
    ("a couple of things. the gate at the depot is stuck open", "the gate at the depot is stuck open"),
])
def test_the_summary_leaves_out_who_is_calling_and_how_many_things(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, s.Context(now=datetime(2026, 12, 2))) == summary


@pytest.mark.parametrize("tool, opening, said", [
    ("cancel_service_request", "i asked for autocad on my field laptop last week, request three oh oh oh two. "
                               "i don't need it any more, please cancel it", "i don't need it any more"),
    ("escalate_incident", "escalate INC-20003, the whole floor is down so please hurry", "the whole floor is down"),
    ("add_work_order_note", "i rang yesterday about the generator at riverside, work order one zero zero zero six. "
                            "just to add, it failed again this morning", "it failed again this morning"),
    ("add_incident_comment", "add a comment to INC-20003 saying it now crashes on startup", "it now crashes on startup"),
    ("escalate_incident", "please escalate incident 20003", ""),
    ("cancel_service_request", "request S R 30003, has it been approved yet? cancel it if not", ""),
    ("request_access", "can I get write access to maximo please, I'm E10777", ""),
    # Who is calling, and the id with its letters said as a word, are no part of the reason.
    ("escalate_incident", "it's Priya in the lab. that's INC two double oh oh three, the whole floor is down",
     "the whole floor is down"),
    # A reading said in words is news, not a record's number.
    ("add_work_order_note", "put a note on job ten oh oh two. pump room hit forty two degrees at lunch.",
     "pump room hit forty two degrees at lunch"),
])
def test_a_remark_is_what_the_caller_adds_about_a_record(tool: str, opening: str, said: str) -> None:
    # Not the ask itself, the record's number, the story of the first call, nor a question.
    assert s.remark(opening, tool, CTX) == said


def test_a_clause_ends_at_but_so_the_value_held_is_no_remark() -> None:
    # "... is down as medium but the heating's off ...": the record's value now is not news, what follows is.
    said = "the boiler job at the depot is down as medium but the heating's off in the whole block now so can you make it high"
    assert s.remark(said, "update_work_order", CTX, [PRIORITY]) == "the heating's off in the whole block now"


PRIORITY = s.Slot("priority", {"type": "string", "enum": ["low", "medium", "high", "urgent"],
                               "description": "How urgent is it: low, medium, high or urgent?"}, True)


@pytest.mark.parametrize("said, value", [
    ("the emergency generator, G oh three two oh, its battery charger shows a fault light", None),  # names a thing
    ("high really, I've got reports due today", "high"),
    ("oh, medium I should think, it's not flooding", "medium"),
    ("low's fine", "low"),
    ("medium will do", "medium"),
    ("the suction pressure is low", None),
    # a value, then the one it is not: "not urgent" rules urgent out, it is no value of its own
    ("it keeps cutting out, and it's high, not urgent", "high"),
    ("not urgent, the spare is running", "low"),
    # a value leading its clause, then why: the reason is a clause of its own; a reading with a reason is none
    ("high because the whole line has stopped", "high"),
    ("the tank level is high because of the storm", None),
    # run-on speech: a value, then a clause of its own led by "it's" or a hedge ("to be fair")
    ("medium its the only kettle on the floor", "medium"),
    ("id say low to be honest we have a spare", "low"),
    ("the reading is high its the third time today", None),
])
def test_an_option_word_describing_a_thing_is_no_value(said: str, value: str | None) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


@pytest.mark.parametrize("said, value", [
    # Unpunctuated, the change said at the end of a long turn ("... so can you bump it up to high").
    ("the boiler job over at the depot is on the list as medium but the whole block's freezing so can you bump it "
     "up to high", "high"),
    ("this one's sat at low for a week now could you raise it to high", "high"),
    ("the gauge reading keeps going high and then dropping back", None),
])
def test_a_value_after_a_verb_of_changing_it_ends_a_long_unpunctuated_turn(said: str, value: str | None) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


@pytest.mark.parametrize("said, parts", [
    ("its tom reyes from finance e one one oh oh three outlook wont open at all",
     ["its tom reyes from finance e one one oh oh three", "outlook wont open at all"]),
    ("hi its priya from the depot the label printer keeps jamming",
     ["its priya from the depot", "the label printer keeps jamming"]),
    ("it's sam okafor e one oh two two four my monitor keeps going off",
     ["it's sam okafor e one oh two two four", "my monitor keeps going off"]),
    ("its maria lopez on site twelve the pump is leaking", ["its maria lopez on site twelve", "the pump is leaking"]),
    # No name, or nothing told after it: one clause.
    ("its the pump one two three it keeps tripping", ["its the pump one two three it keeps tripping"]),
    ("it's Ben Carter in the control room", ["it's Ben Carter in the control room"]),
    ("i'm locked out of my account", ["i'm locked out of my account"]),
])
def test_an_introduction_run_on_into_the_problem_is_told_apart(said: str, parts: list[str]) -> None:
    assert s.introduction_apart(said) == parts


def test_a_summary_leaves_out_who_calls_and_the_tag_said_without_a_pause() -> None:
    said = "hi its tom reyes from finance e one one oh oh three outlook wont open at all it just says cannot start"
    assert s.paraphrase(said, CTX).startswith("outlook wont open")
    said = "the fridge in the canteen isn't cooling at all the tag's f one two three"
    assert s.paraphrase(said, CTX) == "the fridge in the canteen isn't cooling at all"


def test_a_value_added_with_the_yes_to_a_read_back_is_sent_and_said_back() -> None:
    schema = {**CREATE_WORK_ORDER, "required": ["site", "asset_tag", "summary"]}  # priority optional
    task, steps = talk(schema, "pump A123 at site 12 is leaking")
    assert steps[-1].action == "confirm" and "priority" not in task["args"]
    sent = s.step(task, schema, "Medium's fine, yes, go ahead.", CTX, write=True)
    assert (sent.action, sent.say, task["args"]["priority"]) == ("execute", "Priority medium then.", "medium")
    # A value the read-back held, changed with a yes, is read back first.
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority high")
    changed = s.step(task, CREATE_WORK_ORDER, "urgent, yes, go ahead", CTX, write=True)
    assert changed.action == "confirm" and task["args"]["priority"] == "urgent"


@pytest.mark.parametrize("said, action", [("Yes, cancel it please.", "execute"), ("yes", "confirm"),
                                          ("yes, and make it next week", "confirm")])
def test_a_record_offered_and_its_act_ordered_with_the_yes_is_done(said: str, action: str) -> None:
    schema = {"type": "object", "required": ["work_order_id"], "properties": {
        "work_order_id": GET_WORK_ORDER["properties"]["work_order_id"]}}
    task = s.new_task("cancel_visit", "field_ops", "visit.cancel", "cancel the visit for the oil pump", "key-2")
    task.update(asking="work_order_id", proposed={"work_order_id": "WO-10002"}, proposed_name="oil pump tripping")
    step = s.step(task, schema, said, CTX, write=True)
    assert step.action == action and task["args"] == {"work_order_id": "WO-10002"}


def test_a_record_named_by_another_of_its_names_with_a_number_out_of_shape_is_said_back() -> None:
    task = s.new_task("get_work_order", "field_ops", "work_order.status", "it's about job one zero zero one at riverside",
                      "key-3")
    s.prefill(task, GET_WORK_ORDER, {}, CTX)
    asked = s.step(task, GET_WORK_ORDER, None, CTX, write=False)
    assert asked.action == "ask" and "four digits; a work order number has five" in asked.say, asked.say


def test_a_site_named_at_the_start_is_no_person_who_calls() -> None:
    ctx = s.Context(now=CTX.now, site_names={"Lakeside Water Treatment": 55})
    said = "yeah hi its lakeside water treatment site fifty five borehole pump two its cavitating something awful"
    assert "cavitating" in s.paraphrase(said, ctx)


def test_a_catch_all_option_word_describing_something_else_is_no_value() -> None:
    category = s.Slot("category", {"type": "string", "enum": ["network", "telephony", "other"],
                                   "description": "Which kind?"}, True)
    assert s.parse(category, "the voice of other people keeps cutting out", CTX, asked=False) is None
    assert s.parse(category, "other", CTX, asked=True) == "other"


def test_a_clause_that_only_gives_the_priority_is_no_part_of_the_summary() -> None:
    said = "Hello, my Teams calls is very bad, the voice is cutting all the time. Is medium problem."
    summary = s.paraphrase(said, CTX)
    assert summary.startswith("my teams calls is very bad") and "medium" not in summary, summary


@pytest.mark.parametrize("said", ["yes, correct", "yes, that's right", "yeah, go ahead"])
def test_a_yes_said_twice_is_no_description(said: str) -> None:
    summary = s.Slot("summary", {"type": "string", "description": "What is wrong with it?"}, True)
    assert s.parse(summary, said, CTX, asked=True) is None


def test_an_option_written_as_an_identifier_is_read_back_as_words() -> None:
    system = s.Slot("system", {"type": "string", "enum": ["power_bi", "maximo"], "description": "Which system?"}, True)
    assert "system power bi" in s.confirmation("request_access", [system], {"system": "power_bi"})


def test_a_state_is_asked_for_by_its_verb() -> None:
    status = s.Slot("status", {"type": "string", "enum": ["new", "in_progress", "resolved", "closed", "cancelled"],
                               "description": "Optional."}, False)
    assert s.parse(status, "it's working now, so you can close it", CTX, asked=False) == "closed"
    assert s.parse(status, "please cancel my ticket", CTX, asked=False) == "cancelled"
    assert s.parse(status, "mark it resolved", CTX, asked=False) == "resolved"


@pytest.mark.parametrize("said, summary", [
    ("oh wait, it's diesel not coolant. change that please", "generator leaking diesel under the tank"),
    ("no, not coolant, it's diesel", "generator leaking diesel under the tank"),
])
def test_a_word_of_the_description_is_put_right_at_the_read_back(said: str, summary: str) -> None:
    slots = s.slots_of(CREATE_WORK_ORDER)
    task = s.new_task("create_work_order", "field_ops", "work_order.create", "x", "k")
    task["args"] = {"site": 12, "asset_tag": "A125", "summary": "generator leaking coolant under the tank",
                    "priority": "medium"}
    task["confirming"] = True
    assert s.answers(task, CREATE_WORK_ORDER, said, CTX) == "value"
    step = s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert step.action == "confirm" and task["args"]["summary"] == summary
    task["args"]["summary"] = "generator has a puddle underneath"  # the word is not in it: the correction is added
    s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert task["args"]["summary"] == "generator has a puddle underneath, diesel not coolant"
    assert [x.name for x in slots][:2] == ["site", "asset_tag"]


@pytest.mark.parametrize("said, tag", [
    ("the historian trends have frozen, I'm E11402, put it as low", None),  # who is calling, not the equipment
    ("my employee number is e one one four oh two", None),
    ("I'm at site twelve, the pump A123 is leaking", "A123"),
    ("pump A123, I am calling from site 12", "A123"),
])
def test_the_callers_own_id_is_never_an_asset_tag(said: str, tag: str | None) -> None:
    slot = s.Slot("asset_tag", {"type": "string", "pattern": "^[A-Za-z]-?[0-9]{3,5}$"}, True)
    assert s.parse(slot, said, CTX, asked=False) == tag


@pytest.mark.parametrize("said, value", [("put a job in as high", "high"), ("i said medium, it should be high", "high"),
                                         ("the pressure should be high", None), ("log it as low please", "low")])
def test_a_value_set_in_words_is_taken(said: str, value: str | None) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


@pytest.mark.parametrize("said, day", [("a week from tomorrow", "2026-12-01"), ("in a week", "2026-11-30"),
                                       ("two weeks on friday", "2026-12-11"), ("a week ago", None),
                                       ("it has been leaking for a week", None)])
def test_weeks_on_from_a_day(said: str, day: str | None) -> None:
    from agent.brain import entities
    moment = entities.when(said, CTX.now)  # CTX.now is Monday 23 November 2026
    assert (moment.date().isoformat() if moment else None) == day


@pytest.mark.parametrize("said, level", [("i need editor access to power bi", "write"),
                                         ("just viewing, i don't need to edit anything", "read"),
                                         ("admin rights please", "admin")])
def test_an_access_level_in_the_words_people_use(said: str, level: str) -> None:
    slot = s.Slot("access_level", {"type": "string", "enum": ["read", "write", "admin"]}, True)
    assert s.parse(slot, said, CTX, asked=False) == level


def test_what_the_caller_is_doing_can_be_the_reason() -> None:
    assert s.remark("hi, i need editor access to power bi, i'm building the monthly board pack", "request_access",
                    CTX) == "i'm building the monthly board pack"


@pytest.mark.parametrize("said, value", [("actually no, make it high", "high"), ("no no, high, not medium", "high"),
                                         ("we don't need it high", None)])
def test_a_no_before_a_value_is_no_negation_of_it(said: str, value: str | None) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


@pytest.mark.parametrize("said, summary", [
    ("sorry, I said that wrong. it isn't leaking, it's that the motor hums and won't turn over", "the motor hums"),
    ("what I meant was the bearing is running hot", "the bearing is running hot"),
])
def test_the_problem_put_again_at_the_read_back_replaces_the_summary(said: str, summary: str) -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    assert task["confirming"]
    step = s.step(task, CREATE_WORK_ORDER, said, CTX, write=True)
    assert step.action == "confirm" and summary in task["args"]["summary"] and "leaking" not in task["args"]["summary"]
    assert s.answers(task, CREATE_WORK_ORDER, said, CTX) == "value"  # never routed afresh


def test_a_restatement_cue_with_a_value_is_that_value_not_a_description() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    s.step(task, CREATE_WORK_ORDER, "sorry, I said that wrong, it's site fourteen", CTX, write=True)
    assert task["args"]["summary"].endswith("leaking")


def test_a_yes_in_a_later_sentence_at_the_read_back_sends_it() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    said = "because the floor is getting slippery. yes, send it"
    assert s.answers(task, CREATE_WORK_ORDER, said, CTX) == "value"
    assert s.step(task, CREATE_WORK_ORDER, said, CTX, write=True).action == "execute"
    task, _ = talk(CREATE_WORK_ORDER, "pump A123 at site 12 is leaking, priority low")
    assert s.step(task, CREATE_WORK_ORDER, "it's slippery. yes. no, wait", CTX, write=True).action != "execute"


def test_a_long_opener_is_summarised_by_the_clause_that_tells_the_fault() -> None:
    from agent.embeddings import shared_encoder

    ctx = s.Context(now=CTX.now, similar=shared_encoder().similarity)
    summary = s.paraphrase("hiya, I'm covering for the lads this week, I keep mixing the sites up. the chlorine "
                           "dosing pump has lost its prime and the flow alarm is on", ctx)
    assert summary.startswith("the chlorine dosing pump has lost its prime"), summary


WINDOW = s.Slot("time_window", {"type": "string", "enum": ["morning", "afternoon", "evening"], "description":
                                "Which time window: morning (8 to 12), afternoon (12 to 5) or evening (5 to 8)?"}, True)


def test_a_window_is_taken_from_the_hours_its_question_gives():
    assert WINDOW.hours == {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 20)}
    assert s.parse(WINDOW, "after lunch thursday would suit", CTX, asked=False) == "afternoon"
    assert s.parse(WINDOW, "can they come at half past six, at 6:30 pm", CTX, asked=True) == "evening"
    assert s.parse(WINDOW, "first thing", CTX, asked=True) == "morning"
    assert s.parse(WINDOW, "at 11 at night", CTX, asked=True) is None  # a time no window holds: none guessed


WHO = s.Slot("user", {"type": "string", "description":
                      "What is your employee ID (like E10482) or your work email address?"}, True)


@pytest.mark.parametrize("said, reply", [
    ("dunno my employee number, I've only just started. is my email any good?",
     "Yes, your work email address will do. What is it?"),
    ("can I give you my employee ID instead?", "Yes, your employee ID will do. What is it?"),
    ("I don't know it", None),  # no question back
    ("what's the weather like?", None),  # a question about neither way
])
def test_a_question_back_about_a_way_the_question_offers_is_answered(said, reply):
    assert s.way_asked_about(WHO, said) == reply


def test_a_cut_short_description_ends_on_a_word_that_ends_a_phrase():
    note = s.Slot("note", {"type": "string", "description": "What should the note say?"}, True)
    said = s.confirmation("add_work_order_note", [note], {"note": "vibration's up to eleven millimetres per second "
                                                                  "this morning and the standby pump is running"})
    assert "this morning and so on" in said and "and and" not in said


PRIORITY = s.Slot("priority", {"type": "string", "enum": ["low", "medium", "high", "critical"],
                               "description": "How urgent is it?"}, False)


@pytest.mark.parametrize("said, value", [
    ("Is high alright? There's six of us who can't print our job sheets.", "high"),  # offered as a question
    ("how about medium?", "medium"),
    ("the pressure is high", None),  # a symptom, never a priority
    ("the pressure reading is high, is that bad?", None),
    ("is it low or high?", None),  # a question about the options picks none
])
def test_a_value_offered_as_a_question_is_that_value(said, value):
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


@pytest.mark.parametrize("said, value", [
    # A value leading its clause in words run together: the next clause starts at its subject.
    ("uh low i suppose we can manage with the portable one for now", "low"),
    ("high it is stopping the whole line", "high"),
    ("high its one of only two boreholes we have", "high"),  # "its" as a recogniser writes "it's"
    # A symptom stays a symptom when a clause follows it.
    ("the pressure is low we think its the pump", None),
    ("low water pressure we think", None),
    ("the level is low it keeps alarming", None),
])
def test_a_value_then_a_clause_without_a_comma_is_that_value(said, value):
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


def test_a_wrong_count_of_one_digit_is_said_in_the_singular():
    wo = s.Slot("work_order_id", {"type": "string", "pattern": r"^WO-[0-9]{5}$", "examples": ["WO-10234"],
                                  "description": "What is the work order number?"}, True)
    assert "That's one digit;" in s.wrong_shape(wo, "work order two")


def test_values_said_back_together_are_one_sentence():
    assert s._together(["Evening then.", "Thursday 10 December then."]) == "Evening, Thursday 10 December then."
    assert s._together(["Got it.", "Site 14 then."]) == "Got it. Site 14 then."
    assert s._together(["Got it."]) == "Got it."


def test_every_option_a_question_names_is_found_in_the_choices_order() -> None:
    slot = s.Slot("priority", {"enum": ["low", "medium", "high", "urgent"]}, False)
    assert s.options_named(slot, "what's the difference between urgent and high?") == ["high", "urgent"]
    assert s.options_named(slot, "the reading is highly unusual") == []


def test_a_value_said_again_right_after_a_repair_word_replaces_the_first() -> None:
    ctx = s.Context(now=datetime(2026, 12, 3, 10))
    site = s.Slot("site", {"type": "integer", "description": "Which site?"}, True)
    assert s.parse(site, "the lab at Lakeside, site fifty-four, no, fifty-five. H-5530.", ctx, asked=False) == 55
    assert s.parse(site, "site 14, no problem at all", ctx, asked=False) == 14  # "no" is no repair there
    assert s.parse(site, "at site twelve. no, the pump is fine", ctx, asked=False) == 12


def test_a_value_said_again_as_what_it_is_a_sentence_after_the_repair_replaces_the_first() -> None:
    ctx = s.Context(now=datetime(2026, 12, 3, 10))
    order = s.Slot("work_order_id", {"type": "string", "pattern": "^WO-[0-9]{5}$"}, True)
    said = "the visit on work order ten thousand and twelve. No wait, that's the old one. It's ten thousand and two."
    assert s.parse(order, said, ctx, asked=False) == "WO-10002"
    site = s.Slot("site", {"type": "integer", "description": "Which site?"}, True)
    assert s.parse(site, "site fourteen. Sorry, my mistake. It should be thirty.", ctx, asked=False) == 30
    # Without a repair word, a later number is not the value: it says something else.
    assert s.parse(order, "work order ten thousand and twelve. It's been two days.", ctx, asked=False) == "WO-10012"
    assert s.parse(site, "site fourteen. No, it's been three weeks now.", ctx, asked=False) == 14


def test_a_negation_in_an_earlier_sentence_does_not_take_a_value_back() -> None:
    priority = s.Slot("priority", {"enum": ["low", "medium", "high", "urgent"]}, False)
    assert s.parse(priority, "Pretty bad, I can't do month-end without it. High.", None, asked=False) == "high"
    assert s.parse(priority, "we can manage without high", None, asked=False) is None


def test_closing_off_a_job_is_completing_it() -> None:
    status = s.Slot("status", {"enum": ["open", "scheduled", "in_progress", "on_hold", "completed", "cancelled"]}, False)
    assert s.parse(status, "can you close off WO-10004?", None, asked=False) == "completed"


def test_a_yes_that_only_orders_the_request_picks_no_option_by_meaning() -> None:
    from agent.embeddings import shared_encoder

    ctx = s.Context(now=CTX.now, similar=shared_encoder().similarity)
    kind = s.Slot("request_type", {"type": "string", "enum": ["hardware", "software", "access", "other"]}, True)
    for said in ("yes, send it", "yeah go ahead", "yes please, do that"):
        assert s.parse(kind, said, ctx, asked=True) is None, said
    assert s.parse(kind, "a new monitor for my desk", ctx, asked=True) == "hardware"


def test_of_two_options_the_one_said_as_wanted_is_taken() -> None:
    assert s.parse(WINDOW, "afternoon ideally, we've got a shutdown in the morning", CTX, asked=True) == "afternoon"
    assert s.parse(WINDOW, "not the morning, we're busy then. evening would suit", CTX, asked=True) == "evening"
    assert s.parse(WINDOW, "the morning's no good for us, so the afternoon please", CTX, asked=True) == "afternoon"
    # With no wish marked, the last named still wins ("morning, no, afternoon").
    assert s.parse(WINDOW, "morning, no, afternoon", CTX, asked=True) == "afternoon"
    assert s.parse(WINDOW, "the morning works best, the afternoon is a shutdown", CTX, asked=True) == "morning"
    # ... or the one in the sentence that asks; the other sentence gives the reason.
    assert s.parse(WINDOW, "Can we move it to the morning instead? We've got a delivery coming in the afternoon.", CTX,
                   asked=True) == "morning"
    assert s.parse(WINDOW, "The morning is out, the delivery comes then. Could you do the afternoon?", CTX,
                   asked=True) == "afternoon"


def test_where_it_happened_stays_in_what_is_told_of_a_record_with_no_site() -> None:
    said = "we tried the scanner at site twelve and it still jams, add that to the ticket"
    assert "site twelve" in s.remark(said, "add_incident_comment", CTX, sites=False)
    assert "site twelve" not in s.remark(said, "add_incident_comment", CTX)


def test_of_several_options_the_one_said_after_a_repair_is_taken() -> None:
    said = "can we move it to friday, in the evening, no, sorry, afternoon, the site's locked in the evening"
    assert s.parse(WINDOW, said, CTX, asked=True) == "afternoon"
    assert s.parse(WINDOW, "morning. actually, evening. the morning's a shutdown", CTX, asked=True) == "evening"
    # "no" that is not a repair ("no one's there") repairs nothing: the last named stands.
    assert s.parse(WINDOW, "the morning, then the evening, no one's in before that", CTX, asked=True) == "evening"


@pytest.mark.parametrize(("said", "name"), [
    ("Hi, Priya Shah from the Westfield depot workshop. The rooftop unit isn't heating.", "Priya Shah"),
    ("Hello, it's Ben Carter in the control room, my phone's dead", "Ben Carter"),
    ("Dave here, from Lakeside", "Dave"),
    ("my name is Aiko Tanaka", "Aiko Tanaka"),
    ("this is urgent, the pump is down", ""),
    ("it's broken again", ""),
    ("Pump Two from the north bank is off", ""),  # something said of a thing: no name
    ("The pump from site 12 is leaking", ""),
])
def test_the_name_a_caller_gives_for_themselves(said: str, name: str) -> None:
    assert s.caller_name(said) == name


def test_who_reports_a_fault_is_the_caller_who_said_their_name() -> None:
    task, _ = talk(CREATE_WORK_ORDER, "Hi, Priya Shah from the depot workshop. Pump A123 at site 12 is leaking, priority low")
    assert task["args"].get("reported_by") == "Priya Shah" and "priya" not in task["args"].get("summary", "").lower()


def test_a_phone_number_said_in_groups_is_the_callback_number_and_no_part_of_the_summary() -> None:
    phone = {"anyOf": [{"type": "string", "pattern": r"^\+?[0-9][0-9 ()-]{5,19}$"}, {"type": "null"}],
             "default": None, "description": "Optional. What number can the technician call you back on?"}
    schema = {**CREATE_WORK_ORDER, "properties": {**CREATE_WORK_ORDER["properties"], "callback_number": phone}}
    said = "pump A123 at site 12 is leaking. my number is oh seven seven double oh, nine double one, four five six"
    task, _ = talk(schema, said)
    assert task["args"].get("callback_number") == "07700911456", task["args"]
    assert "number" not in task["args"].get("summary", ""), task["args"]
    # A short number after the cue is no phone number (a room, an extension).
    task, _ = talk(schema, "pump A123 at site 12 is leaking, call me on extension four two")
    assert "callback_number" not in task["args"], task["args"]
    # Where the caller can be reached, said as where they are on ("if the engineer needs me, I'm on ...").
    task, _ = talk(schema, "pump A123 at site 12 is rattling. If the technician needs me I'm on +44 7700 900 321")
    assert task["args"].get("callback_number", "").replace(" ", "").endswith("7700900321"), task["args"]
    task, _ = talk(schema, "pump A123 at site 12 is rattling, I'm on site twelve all day")
    assert "callback_number" not in task["args"], task["args"]  # no digits after it: no number
    # "number" alone is no cue: "the number 3 pump at site 12 is leaking" tells of the pump.
    task, _ = talk(schema, "the number three pump, A123 at site 12, is leaking badly")
    assert "callback_number" not in task["args"] and "leaking" in task["args"].get("summary", ""), task["args"]


def test_a_value_kept_as_it_is_is_no_value_asked_for():
    status = s.Slot("status", {"type": "string", "enum": ["open", "scheduled", "cancelled"]}, False)
    assert s.parse(status, "nobody can get on site, leave the job itself open though", CTX, asked=False) is None
    assert s.parse(PRIORITY, "keep it at medium", CTX, asked=False) is None
    assert s.parse(PRIORITY, "make it medium", CTX, asked=False) == "medium"


def test_a_read_by_a_place_with_none_given_asks_for_the_place():
    lister = {"type": "object", "properties": {
        "site": {"type": "integer", "minimum": 1, "maximum": 999, "description": "Which site? Site number 1 to 999."},
        "asset_tag": {"type": "string", "pattern": "^[A-Z]-?[0-9]{3,4}$", "description": "Which asset? A tag like A123."},
        "status": {"type": "string", "enum": ["open", "in_progress"], "description": "Optional. Only this status."}}}
    task, steps = talk(lister, "have we got any open jobs", write=False)
    assert steps[0].action == "ask" and task["asking"] == "site", steps
    task, steps = talk(lister, "any open jobs at site fourteen", write=False)
    assert steps[0].action == "execute" and task["args"]["site"] == 14, steps


@pytest.mark.parametrize("opening, summary", [
    ("Tom Reyes, finance, E one one double oh three. The big printer on our floor jams on every job.",
     "the big printer on our floor jams"),
    ("Grace Kim, asset management. The GIS viewer crashes when I open the network layer.",
     "the gis viewer crashes when i open the network layer"),
    ("Broken chair in reception. It wobbles.", "broken chair in reception"),  # no name: a problem of its own
])
def test_a_first_sentence_that_only_says_who_calls_is_no_summary(opening, summary):
    assert s.paraphrase(opening, CTX).startswith(summary), s.paraphrase(opening, CTX)


def test_the_reason_before_an_ask_said_last_in_words_run_together_is_kept():
    said = ("its aiko in the control room again e one oh six two zero the historian incident inc two double oh oh two "
            "still no trends the whole control room is blind can you escalate it")
    assert "control room is blind" in s.remark(said, "escalate_incident", CTX)


@pytest.mark.parametrize("hour", [7, 10, 13])
def test_a_part_of_the_day_taken_back_at_the_read_back_is_the_window_never_the_day(hour: int) -> None:
    # "afternoon not morning": "morning" can land on the day held (tomorrow, once this morning has begun), but it
    # names the window; the day stays whatever the time of the call.
    schema = {"type": "object", "properties": {
        "date": {"type": "string", "format": "date", "description": "What day should the technician come?"},
        "time_window": {"type": "string", "enum": ["morning", "afternoon", "evening"],
                        "description": "Which time window: morning, afternoon or evening?"}},
        "required": ["date", "time_window"]}
    ctx = s.Context(now=datetime(2026, 12, 5, hour, 30))
    task = s.new_task("schedule_visit", "field_ops", "visit.schedule", "book a visit", "key-1")
    s.prefill(task, schema, {}, ctx)
    s.step(task, schema, None, ctx, write=True)
    s.step(task, schema, "tomorrow morning please", ctx, write=True)
    assert task["args"] == {"date": "2026-12-06", "time_window": "morning"}, task["args"]
    s.step(task, schema, "oh no sorry afternoon not morning the room is locked till twelve", ctx, write=True)
    assert task["args"] == {"date": "2026-12-06", "time_window": "afternoon"}, task["args"]


@pytest.mark.parametrize("opening, summary", [
    # a clause inside the subject ends it: its head noun is the word before the clause's own subject
    ("the monthly stock report we print from the office keeps coming out blank", "the report keeps coming out blank"),
])
def test_a_long_subject_keeps_its_head_noun(opening, summary):
    assert s.paraphrase(opening, CTX) == summary


@pytest.mark.parametrize("summary, tells", [
    ("for the standby cooling fan", False), ("the heating unit in the lab", False),  # kinds of thing
    ("the fan is humming", True), ("the fan humming all night", True), ("the heating", True),
])
def test_a_kind_of_thing_in_ing_tells_nothing_wrong(summary, tells):
    assert s.tells_something(summary) == tells


def test_a_note_on_it_starts_with_what_it_says():
    assert s.remark("can you put a note on it that the crane is booked for friday", "add_work_order_note", CTX) \
        == "crane is booked for friday"


@pytest.mark.parametrize("opening, summary", [
    # who calls, with how they greet, their role and where they are, is no part of the problem
    ("morning love this is jo the night supervisor out at riverside pumping station the intake screen is blocked",
     "the intake screen is blocked"),
    ("hiya mate its raj one of the fitters at north ridge substation the cooling fan keeps tripping",
     "the cooling fan keeps tripping"),
])
def test_a_callers_greeting_role_and_place_are_no_summary(opening, summary):
    assert s.paraphrase(opening, CTX) == summary


def test_the_window_made_the_value_wins_over_one_given_as_a_reason():
    window = s.Slot("time_window", {"type": "string", "enum": ["morning", "afternoon", "evening"],
                                    "description": "Which time window: morning (8 to 12), afternoon (12 to 5) or "
                                                   "evening (5 to 8)?"}, True)
    said = "no wait, change it to the evening, there's nobody on site in the afternoon"
    assert s.parse(window, said, CTX, asked=False) == "evening"


@pytest.mark.parametrize("opening, summary", [
    ("it's not the laptop. it's my headset, the mic cuts out on calls", "my headset and the mic cuts out on calls"),
])
def test_a_thing_taken_back_is_no_part_of_the_summary(opening, summary):
    assert "not the laptop" not in s.paraphrase(opening, CTX)


def test_a_comment_asked_for_as_a_note_gives_its_words():
    assert s.remark("could you pop a note on it that the courier collects on friday", "add_incident_comment", CTX) \
        == "courier collects on friday"


def test_a_reading_with_its_unit_is_news_for_a_note():
    # "the boiler room hit 45 degrees": a number with its unit is a reading told, not which record
    assert "45 degrees" in s.remark("add that the boiler room hit 45 degrees overnight, the fans are off",
                                    "add_work_order_note", CTX)


def test_a_value_taken_back_is_not_taken_when_the_one_said_instead_is_held() -> None:
    # Site 30 is held (from the opener); the caller says a site, takes it back and says 30: the held one stands.
    task = s.new_task("create_work_order", "field_ops", "work_order.create", "x", "k")
    task["args"] = {"site": 30, "summary": "backup generator low on fuel"}
    task["asking"] = "asset_tag"
    s.step(task, CREATE_WORK_ORDER, "It's site eleven. No, not eleven, thirty. Three zero.", CTX, write=True)
    assert task["args"]["site"] == 30, task["args"]


def test_a_short_site_name_is_no_change_at_the_read_back() -> None:
    # "is there parking at the depot?" at a read-back asks about a place; it does not move the request there.
    ctx = s.Context(now=CTX.now, site_names={**CTX.site_names, "Westfield Depot": 42, "the depot": 42})
    task = s.new_task("create_work_order", "field_ops", "work_order.create", "x", "k")
    task["args"] = {"site": 12, "asset_tag": "A125", "summary": "the pump is leaking", "priority": "medium"}
    task["confirming"] = True
    assert s.answers(task, CREATE_WORK_ORDER, "is there parking at the depot by the way", ctx) is None
    s.step(task, CREATE_WORK_ORDER, "is there parking at the depot by the way", ctx, write=True)
    assert task["args"]["site"] == 12


@pytest.mark.parametrize("tool, opening, said", [
    # Who calls, by their job alone, is no news for a note; what "we've" done is.
    ("update_work_order", "Hi, it's the Riverside control room admin. What priority is the aircon job on?. Right. "
                          "Can you put it on hold then? We've put a portable cooler in, so it can wait",
     "we've put a portable cooler in"),
    ("add_work_order_note", "This is the night shift supervisor at Riverside. the pump tripped at midnight",
     "the pump tripped at midnight"),
    # A "but" with no subject of its own goes on with the same clause.
    ("add_work_order_note", "And can you add a note that it cranked but never fired?", "it cranked but never fired"),
])
def test_a_remark_leaves_out_a_caller_named_by_their_job_and_keeps_a_clause_whole(tool: str, opening: str, said: str) -> None:
    assert s.remark(opening, tool, CTX) == said


@pytest.mark.parametrize(("opening", "summary"), [
    # how urgent it is not, a value judged and what the caller cannot name are no problem
    ("The boiler in the depot office keeps cutting out. It's not urgent, low priority is fine. I don't know the model "
     "number.", "the boiler in the depot office keeps cutting out"),
    # nor is the caller's job, or where they ring from said as who they are
    ("Hi, I run the planning team. The plotter on the first floor won't feed paper.",
     "the plotter on the first floor won't feed paper"),
    ("Morning, it's the Millbrook control room. The sump pump alarm keeps going off.", "the sump pump alarm keeps going off"),
    # a recogniser's run with a name, a job and a place, then several sentences with no stop between them
    ("hi its kim lee site admin at the depot my printer keeps jamming every single morning it flashes paper jam "
     "my number is e one oh eight five oh its not urgent", "my printer keeps jamming every single morning"),
    # a clause a word or two over the length is kept whole, not cut before its last word
    ("the seal on the intake pump has gone from a slow drip to a proper spray",
     "the seal has gone from a slow drip to a proper spray"),
])
def test_the_summary_says_what_is_wrong_not_who_calls_or_how_urgent(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, s.Context(now=datetime(2026, 12, 2))) == summary


@pytest.mark.parametrize("opening, summary", [
    # what was or was not done with the record, and the request put to the line, are no part of the problem
    ("Oh, so nobody logged it. Could you do it now? It's short cycling every ten minutes.", "short cycling every ten minutes"),
    ("so nobody logged it can you do it now its short cycling every ten minutes", "short cycling every ten minutes"),
    ("Right. Then please log it. The door sensor keeps alarming at night.", "the door sensor keeps alarming at night"),
    # a request with its own object stays: it says what is wanted
    ("will you look at the boiler", "will you look at the boiler"),
])
def test_talk_of_the_record_and_requests_to_the_line_leave_the_summary(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, s.Context(now=CTX.now)) == summary


@pytest.mark.parametrize("said, window", [
    ("tomorrow in the afternoon is better morning we are busy", "afternoon"),
    ("evening please, the morning's no good for us", "evening"),
    ("the afternoon, I'm busy in the morning", "afternoon"),   # ruled out before it, as before
    ("morning is fine, afternoon we're closed", "morning"),
])
def test_a_time_of_day_ruled_out_by_the_words_after_it_is_not_the_one(said: str, window: str) -> None:
    assert s.parse(WINDOW, said, CTX, asked=True) == window


@pytest.mark.parametrize("opening, tool, note", [
    ("About WO-10001, intake pump one. I want to add something to the job.", "add_work_order_note", ""),
    ("Dev's coming for the oil pump job, WO-10002. Can you pass him a message?", "add_work_order_note", ""),
    ("For INC-20001 I want tell them something.", "add_incident_comment", ""),
    # told first, then asked to be added: the words told are the note
    ("She tried it this morning from Riverside and it still won't connect. Can you add that as a comment?",
     "add_incident_comment", "she tried it this morning from riverside and it still won't connect"),
])
def test_news_announced_is_still_to_come_and_news_told_is_the_note(opening: str, tool: str, note: str) -> None:
    assert s.remark(opening, tool, CTX) == note


@pytest.mark.parametrize("opening, summary", [
    ("My desk phone ticket was marked resolved, but there's no dial tone again this morning.",
     "there's no dial tone again this morning"),
    ("You closed the job on the boiler last week but it's cutting out again", "cutting out again"),
])
def test_how_a_record_stands_is_no_part_of_the_problem(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, s.Context(now=CTX.now)) == summary


@pytest.mark.parametrize("said, value", [
    ("make it high yeah log it", "high"),  # a yes starts a clause of its own, run on
    ("uh medium i guess yeah go ahead", "medium"),
    ("the reading is high yeah", None),  # a symptom is still no priority
])
def test_a_value_run_on_into_a_yes_is_said_as_the_value(said: str, value: str | None) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


def test_a_time_of_day_s_dots_and_an_irregular_past_keep_the_news_whole() -> None:
    said = "Add a note to WO-10002: night operator reset the overload on P-4512 again at two a.m."
    assert s.remark(said, "add_work_order_note", CTX) == "night operator reset the overload on P-4512 again at two am"


@pytest.mark.parametrize("said, asked", [("INC-20004. It's been on hold for five days, escalate it", "escalate it"),
                                         ("the job has been on hold since Monday, can you chase it", "can you chase it")])
def test_how_a_record_has_been_is_no_value_wanted(said: str, asked: str) -> None:
    assert "on hold" not in s.as_wanted(said) and asked in s.as_wanted(said)


def test_an_id_read_out_is_left_out_of_what_a_request_means() -> None:
    assert s._without_numbers_said("can i get visio installed on my laptop please e one one two three four") \
        == "can i get visio installed on my laptop please"
    assert s._without_numbers_said("E one one two three four") == "E one one two three four"  # nothing else to go on


@pytest.mark.parametrize("said, kept", [
    ("The booster compressor has a small oil weep at the gearbox. Is that something to worry about?",
     "The booster compressor has a small oil weep at the gearbox."),
    ("The pump is tripping. What does that usually mean?", "The pump is tripping."),
    ("Can you log a job? The pump is tripping.", "Can you log a job? The pump is tripping."),  # a request, kept
    ("Is the pump at Riverside down?", "Is the pump at Riverside down?"),  # nothing else to summarise
])
def test_a_summary_leaves_out_what_the_caller_only_asks(said: str, kept: str) -> None:
    assert s.without_questions(said) == kept


def test_a_request_asked_with_could_i_is_kept_in_the_summary() -> None:
    said = "Could I get one of those headsets for the phone? I'm covering the finance phones all day."
    assert s.without_questions(said) == said


def test_a_thing_named_by_some_of_its_words_and_its_number_is_the_one_offered() -> None:
    # "Is it the main raw-water intake pump 2?" - "I don't know the tag, it's painted over. It's intake pump two.": the
    # "don't" is about the tag; the other sentence names the pump.
    said = "I don't know the tag, it's been painted over. It's intake pump two, the one next to pump one."
    assert s.names_thing("main raw-water intake pump 2", said)
    assert not s.names_thing("main raw-water intake pump 2", "It's intake pump one")
    assert not s.names_thing("standby diesel generator", "not the standby generator")


@pytest.mark.parametrize("said, note", [
    # A message read out between "quote" and "unquote" is what is passed on.
    ("My supervisor forwarded me this, quote: Re WO-10006, generator is now also showing ECM fault code 1446, please "
     "add to the job. Unquote. Can you add that to the work order?", "generator is now also showing ecm fault code 1446"),
    # Another thing's tag is news in a note; a number named by what it is ("code 1446") too.
    ("can you add a note that the standby pump A124 is running fine now", "standby pump A124 is running fine now"),
    # What an email said of the record is how it stands, no news.
    ("I had an email: Your incident INC-20004 is on hold pending courier. Can you add a comment that the courier never "
     "came on Tuesday", "courier never came on tuesday"),
])
def test_the_words_to_pass_on_are_the_callers_and_keep_what_they_name(said: str, note: str) -> None:
    tool = "add_incident_comment" if "incident" in said else "add_work_order_note"
    assert s.remark(said, tool, CTX) == note


@pytest.mark.parametrize("said", ["I had an email: Your incident INC-20004 is on hold pending courier. Can you add a comment?",
                                  "the text said the visit is booked for tomorrow. what now?"])
def test_what_a_message_said_is_not_what_the_caller_asks_it_to_become(said: str) -> None:
    assert "hold" not in s.as_wanted(said) and "booked" not in s.as_wanted(said)


@pytest.mark.parametrize("said, category", [
    ("My email is tom dot reyes at northwind dot example.", None),  # the name of the address given
    ("My email... it's olivia dot grant at northwind dot example.", None),
    ("my email is not working", "email"),
])
def test_a_word_naming_the_address_given_is_no_choice(said: str, category: str | None) -> None:
    slot = s.Slot("category", {"type": "string", "enum": ["hardware", "software", "network", "email", "telephony"]}, True)
    assert s.parse(slot, said, CTX, asked=False) == category


@pytest.mark.parametrize("said, value", [("Make it urgent. No, sorry, not urgent, high.", "high"),
                                          ("urgent. no, not urgent, high", "high"), ("not urgent, it can wait", "low")])
def test_a_value_taken_back_then_another_said_is_the_other(said: str, value: str) -> None:
    assert s.parse(PRIORITY, said, CTX, asked=False) == value


def test_a_thing_told_then_what_it_has_done_is_one_clause_and_a_clause_said_again_is_said_once() -> None:
    said = "Hello? My desk phone, it's got no dial tone. No dial tone at all."
    assert s.paraphrase(said, s.Context(now=CTX.now)) == "my desk phone has got no dial tone"


def test_a_filler_word_leading_the_problem_is_no_part_of_it() -> None:
    assert s.paraphrase("okay so the pump has started making a roaring noise", s.Context(now=CTX.now)) \
        == "the pump has started making a roaring noise"


def test_a_date_further_ahead_than_its_field_allows_is_refused_with_the_reason() -> None:
    slot = s.Slot("date", {"type": "string", "format": "date",
                           "description": "What day should the technician come? A date like 2026-12-01, up to 60 days ahead."}, True)
    assert s.beyond_horizon(slot, "2027-03-15", CTX) == "that's more than 60 days ahead"
    assert s.beyond_horizon(slot, "2026-12-20", CTX) is None
    unlimited = s.Slot("date", {"type": "string", "format": "date", "description": "What day?"}, True)
    assert s.beyond_horizon(unlimited, "2027-03-15", CTX) is None


def test_a_record_opened_again_is_being_worked_on_where_no_state_is_called_open() -> None:
    incident = s.Slot("status", {"enum": ["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"]}, False)
    for said in ("can you reopen it?", "it was marked resolved but it isn't, please re-open it", "open it back up"):
        assert s.parse(incident, said, CTX, asked=False) == "in_progress", said
    job = s.Slot("status", {"enum": ["open", "scheduled", "in_progress", "completed", "cancelled"]}, False)
    assert s.parse(job, "can you reopen the job?", CTX, asked=False) == "open"


def test_words_dictated_for_a_comment_are_the_comment_not_the_story_before_them() -> None:
    said = ("WO-10002, the oil pump. I'm on site all week with the standby running flat out. Put a note on it that we "
            "need the fitter before the weekend.")
    told = s.remark(said, "add_work_order_note", CTX)
    assert "fitter" in told and "standby" not in told, told
    # "add that" points back at what was told: the story is the news.
    assert "drops" in s.remark("it drops every hour on the hour, add that to INC-20001", "add_incident_comment", CTX)
    assert "tripped" in s.remark("the feed pump tripped on low suction twice today, there's a job open for it already, "
                                 "can you add that on to the existing one", "add_work_order_note", CTX)


def test_a_caller_who_gives_only_their_job_is_telling_who_calls() -> None:
    for said in ("hi, Riverside night supervisor. Can you add a note to work order 10 001",
                 "morning, depot shift lead here, can you put a note on WO-10001"):
        assert s.remark(said, "add_work_order_note", CTX) == "", said
    # "need an electrician" is what is asked, not who asks.
    assert "electrician" in s.remark("WO-10001, the panel's sparking, we need an electrician, add that",
                                     "add_work_order_note", CTX)


def test_manners_are_no_words_for_a_record() -> None:
    schema = {"type": "object", "required": ["note"],
              "properties": {"note": {"type": "string", "description": "What should the note say?"}}}
    task = {"tool": "add_work_order_note", "args": {"work_order_id": "WO-10001"}, "asking": "note"}
    for said in ("thanks", "okay, cheers", "right, thank you very much"):
        assert s.answers(task, schema, said, CTX) is None, said
    assert s.answers(task, schema, "the seal is weeping again", CTX) == "free"


@pytest.mark.parametrize("opening, tool, note", [
    # told, then a note asked for on the record: the words told are the note
    ("The new valve came to the depot stores this afternoon. Could you put a note on the job?", "add_work_order_note",
     "the new valve came to the depot stores this afternoon"),
    # the ask after a comma in the same question, the record's ticket retold before it
    ("I've got a ticket open for my headset, INC-20002. The microphone has stopped working too, can you add that?",
     "add_incident_comment", "the microphone has stopped working too"),
    # words dictated onto "it"
    ("Oh, and could you put on it that the isolator has been locked off?", "add_work_order_note",
     "the isolator has been locked off"),
    # only why the call is, then the ask: the words are still to come
    ("I am calling about WO-10004. I want to add something to the job.", "add_work_order_note", ""),
])
def test_news_told_before_a_note_is_asked_for_is_the_note(opening: str, tool: str, note: str) -> None:
    assert s.remark(opening, tool, CTX) == note


@pytest.mark.parametrize("opening, summary", [
    ("Sorry, I've got two things, if that's all right. First, the extractor fan in the workshop is rattling badly.",
     "the extractor fan in the workshop is rattling badly"),
    ("I don't really know how to explain it. The screen on the kiosk keeps flickering.",
     "the screen on the kiosk keeps flickering"),
    # the subject named again in other words is no part of what is wrong
    ("The printer, the big colour one, keeps jamming on every job.", "the printer keeps jamming"),
])
def test_counting_apologies_and_the_subject_named_twice_leave_the_summary(opening: str, summary: str) -> None:
    assert s.paraphrase(opening, s.Context(now=CTX.now)) == summary


def test_the_name_of_an_address_given_and_the_work_that_needs_access_are_no_other_choice() -> None:
    category = s.Slot("category", {"type": "string", "enum": ["network", "email", "software"]}, True)
    assert s.parse(category, "Can you use my email instead? It's sam.oconnor@northwind.example.", CTX, asked=False) is None
    level = s.Slot("access_level", {"type": "string", "enum": ["read", "write", "admin"]}, True)
    for said in ("I need to upload the survey photos to the team site", "at the moment I can't save anything in there"):
        assert s.parse(level, said, CTX, asked=False) == "write", said
    status = s.Slot("status", {"type": "string", "enum": ["open", "closed"]}, True)
    # what the caller does with a record is no state of one, when values are searched for a desk
    assert s.mentioned([status], "every time I open a report it freezes", CTX, verbs=False) == {}


def test_an_id_said_after_the_callers_name_is_no_tag_unless_it_has_a_tags_shape() -> None:
    tag = s.Slot("asset_tag", {"type": "string", "pattern": "^[A-Za-z][- ]?[0-9]{3,5}$", "examples": ["A123", "P-4512"]}, True)
    assert s.parse(tag, "I'm Ben Carter in the control room, E11402. I need to see the trends.", CTX, asked=False) is None
    assert s.parse(tag, "I'm Sam, the pump A124 is leaking", CTX, asked=False) == "A124"
    assert s.parse(tag, "E11402", CTX, asked=True) == "E11402"  # asked for a tag, what is said is the answer


def test_a_subject_shortened_keeps_its_head_noun_before_a_phrase_after_it() -> None:
    ctx = s.Context(now=CTX.now, site_names={"North Ridge Substation": 14})
    assert s.paraphrase("At North Ridge substation the chiller for the switch room is making a horrible grinding "
                        "racket.", ctx) == "the chiller is making a horrible grinding racket"


def test_words_passed_on_keep_their_numbers_and_instructions() -> None:
    said = ("When they get there they should ask for the shift lead at the gatehouse, and if the gatehouse is empty "
            "the gate code is 2580. Can you make sure that's on the job?")
    note = s.remark(said, "add_work_order_note", CTX)
    assert "2580" in note and "shift lead" in note, note
    # ... but a reason for a change still leaves a bare number out
    assert "2580" not in s.remark("please escalate it, the gate code is 2580 and nobody can get in", "escalate_incident", CTX)


@pytest.mark.parametrize("said", ["and note that nobody goes in without a permit to work", "oh and put on the job that "
                                  "the padlock code is 4417", "also note that the site lead issues the permit"])
def test_words_dictated_at_a_read_back_are_told_more(said: str) -> None:
    fields = [s.Slot(name="summary", schema={"type": "string", "description": "What is wrong?"}, required=True)]
    changes, reply = s.told_more(fields, {"summary": "the fans aren't cutting in"}, said)
    assert changes and reply == "I've added that.", (changes, reply)


@pytest.mark.parametrize("said, expected", [
    ("They never said it was urgent. They just want it looked at.", None),
    ("the supplier didn't mention it being high", None),
    ("it didn't start so urgent please", "urgent"),  # the denial is of another clause
    ("it's not charging, high please", "high"),
])
def test_a_value_denied_in_its_clause_is_not_chosen(said, expected):
    priority = s.Slot("priority", {"type": "string", "enum": ["low", "medium", "high", "urgent"]}, False)
    assert s.parse(priority, said, CTX, asked=False) == expected


@pytest.mark.parametrize("said, expected", [
    ("Neither is urgent, call them both medium.", "medium"),  # before: urgent
    ("none of them are urgent really", None),
    ("nothing urgent, low priority, just want it looked at", "low"),  # "nothing" denies the next value only
    ("mark them all low please", "low"),
    ("nothing works at all, high please", "high"),
])
def test_a_value_denied_by_none_of_them_and_one_set_for_all(said, expected):
    assert s.parse(PRIORITY, said, CTX, asked=False) == expected


@pytest.mark.parametrize("opening, summary", [
    # A clause led by its verb stays with its thing, even when the question asked moves it first.
    ("Eastgate shift lead. Gas compressor unit 2, C-2102, tripped on high discharge temperature twice this morning",
     "gas compressor unit 2 tripped on high discharge temperature twice this morning"),
    # The count said before the thing is no part of what is wrong.
    ("Because I've got two more for you: booster pump 2, A702, is cavitating", "booster pump 2 is cavitating"),
    # A state after a verb ("coming on") is kept whole.
    ("the cooling fans on the step-up transformer aren't coming on", "the cooling fans on the step-up transformer aren't coming on"),
])
def test_a_summary_keeps_a_verb_led_clause_and_leaves_out_the_count(opening, summary):
    assert s.paraphrase(opening, CTX, "What is wrong with it?") == summary


@pytest.mark.parametrize("said, expected", [
    ("you can close it. But the new tablet won't connect to the Wi-Fi", "closed"),  # before: new, a wrong write
    ("my new laptop is fine, mark it resolved", "resolved"),
    ("set it back to new please", "new"),
    ("close it, the new one works", "closed"),
])
def test_an_option_word_between_a_determiner_and_its_noun_describes_the_thing(said, expected):
    status = s.Slot("status", {"type": "string", "enum": ["new", "in_progress", "resolved", "closed"]}, False)
    assert s.parse(status, said, CTX, asked=False) == expected


def test_a_priority_before_a_noun_describes_the_noun():
    assert s.parse(PRIORITY, "the high pressure alarm is going off", CTX, asked=False) is None


def test_a_time_before_of_is_the_time_asked_for():
    window = s.Slot("time_window", {"type": "string", "enum": ["morning", "afternoon", "evening"]}, False)
    assert s.parse(window, "can we move it to the morning of the day after tomorrow instead? we've got a delivery "
                           "coming in the afternoon", CTX, asked=False) == "morning"
