"""What the embedded agent offers when it looks an id up: a thing only when the caller named what it is."""

from __future__ import annotations

from agent.brain.domain import _named_kind, _nearly_said, result_sentence
from agent.brain.mcp_client import ToolSpec

GENERATOR = {"tag": "G-1012", "type": "generator", "description": "Data room standby generator"}
CHILLER = {"tag": "H-1420", "type": "hvac", "description": "Switch room chiller"}
FLEET = {"tag": "G-4203", "type": "generator", "description": "Portable generator (fleet)"}


def test_a_thing_is_offered_only_when_the_caller_named_what_it_is() -> None:
    assert not _named_kind(GENERATOR, {"water", "ceiling", "server", "room"})  # a shared "room" is not enough
    assert _named_kind(GENERATOR, {"standby", "generator"}) and _named_kind(CHILLER, {"the", "chiller"})
    assert _named_kind(CHILLER, {"hvac"}) and _named_kind(FLEET, {"generator"})


def test_a_record_without_a_kind_may_always_be_offered() -> None:
    assert _named_kind({"work_order_id": "WO-10002", "summary": "Oil pump tripping"}, {"status"})


def test_a_long_reply_keeps_its_closing_question_and_cuts_the_lead_in() -> None:
    from agent.brain.domain import LONGEST_REPLY, asked_for_the_ear
    said = ("Sorry, that didn't work: this call already logged S R, three zero zero, zero nine for the same request. "
            "They said: I plan the maintenance jobs and need to edit the work orders every week for the whole team. "
            "Shall I try again, or put you through to a person?")
    fitted = asked_for_the_ear(said)
    assert len(fitted.split()) <= LONGEST_REPLY and fitted.endswith("put you through to a person?"), fitted
    assert fitted.startswith("Sorry, that didn't work"), fitted
    assert asked_for_the_ear("Short. Is that right?") == "Short. Is that right?"


def test_a_read_says_the_part_asked_about_before_the_rest() -> None:
    # "When was it last serviced?": the service line comes right after what the thing is, so the ear's budget keeps it.
    spec = ToolSpec("field_ops", "lookup_asset", "Look up an asset.", {"type": "object", "properties": {}})
    message = ("A701 is the booster pump 1, at site 7, Millbrook Pumping Station. Open: the emergency stop button's "
               "mushroom head has snapped off and the guard is loose. Last service: noisy at start-up, 14 November.")
    said = result_sentence(spec, {"message": message}, False, asked="and when was booster pump one last serviced?")
    assert "Last service: noisy at start-up" in said, said
    assert said.startswith("A701 is the booster pump 1"), said


def test_a_list_is_read_whole_where_the_ear_has_room() -> None:
    # Two records of a list are both heard, not the first alone with the second cut for room.
    spec = ToolSpec("field_ops", "list_work_orders", "List work orders.", {"type": "object", "properties": {}})
    message = ("2 open work orders for site 7. WO-10008, the pump A702: seal weeping at the gland, open. WO-10011, "
               "the transformer T-0730: humming loudly, open.")
    said = result_sentence(spec, {"message": message}, False)
    assert "one one" in said and "humming" in said, said


def test_a_number_one_digit_off_an_id_is_nearly_said_and_the_id_itself_is_not() -> None:
    assert _nearly_said("WO-10006", {"1006"}) and _nearly_said("WO-10006", {"100006"}) and _nearly_said("WO-10006", {"10016"})
    assert not _nearly_said("WO-10006", {"10006"}) and not _nearly_said("WO-10020", {"1006"})
    assert not _nearly_said("WO-10006", set())


def test_a_question_that_leans_is_asked_with_the_question_before_it() -> None:
    from agent.brain.domain import asked_parts
    parts = asked_parts("Quick one. If I log a fault as high, how fast does it get looked at? How many days?")
    assert parts[1].endswith("How many days?") and "as high" in parts[1], parts
    assert len(parts) == 2 and parts[0].endswith("If I log a fault as high, how fast does it get looked at?"), parts


def test_a_list_record_with_no_room_for_its_fault_is_still_named_with_how_it_stands() -> None:
    # Two records too long to hear whole: the last is said without its fault, never dropped from the count just said.
    spec = ToolSpec("field_ops", "list_work_orders", "List work orders.", {"type": "object", "properties": {}})
    message = ("2 open work orders for site 21. WO-10016, the compressor C-2102: gas compressor won't start, open. "
               "WO-10003, the compressor C-2101: compressor unit 1 low discharge pressure since the overnight trip, in progress.")
    said = result_sentence(spec, {"message": message}, False)
    assert "won't start" in said and said.endswith("C-2101, in progress.") and "discharge" not in said, said
    # Longer still: each is said by its thing and how it stands.
    longer = message.replace("won't start", "will not start after the overnight trip and the standby is struggling")
    said = result_sentence(spec, {"message": longer}, False)
    assert "C-2102, open." in said and said.endswith("C-2101, in progress.") and len(said.split()) <= 38, said


def test_an_aside_in_brackets_goes_first_when_that_lets_the_next_sentence_in() -> None:
    from agent.brain.domain import for_the_ear

    said = ("Incident twenty (Laptop will not connect to the VPN from the pumping station) is in progress, priority "
            "high. Latest comment from Liam Murphy: client reinstalled, waiting for you to test.")
    fitted = for_the_ear(said, 28)
    assert "Liam Murphy" in fitted and "(" not in fitted, fitted
    # Without a sentence it would let in, the aside stays: it says which record this is.
    assert for_the_ear("Incident twenty (Laptop will not connect) is in progress.", 28) == \
        "Incident twenty (Laptop will not connect) is in progress."
