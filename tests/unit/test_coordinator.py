"""Coordinator behaviour: policies, topic switches, recording, the decision log, bad input.

A real embedded index is built once from samples/knowledge into a temp dir.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.config import Settings
from agent.routing import Coordinator
from agent.routing.decision_log import DecisionLog
from agent.routing.policy import PolicyError, load_policy, parse_policy, spoken_forms
from agent.contracts.state import CallState

#: Wednesday 10:30 in London (business hours) and Saturday 23:00 (closed).
OPEN = datetime(2026, 11, 18, 10, 30, tzinfo=timezone.utc)
CLOSED = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("coordinator"))


@pytest.fixture(scope="module")
def shared(settings: Settings) -> Coordinator:
    coordinator = Coordinator.from_settings(settings)  # builds the index on first use
    yield coordinator
    coordinator.close()


def with_policy(shared: Coordinator, log_dir: Path, **changes: Any) -> Coordinator:
    """A coordinator on the same index with an edited policy file and its own decision log."""
    data = yaml.safe_load(Settings().policy_file.read_text())
    data.update(changes)
    return Coordinator(shared.index, parse_policy(data), DecisionLog(log_dir / "decisions.jsonl"))


@pytest.fixture
def coordinator(shared: Coordinator, tmp_path: Path) -> Coordinator:
    return with_policy(shared, tmp_path)


def call(**fields: Any) -> CallState:
    return CallState(session_id="call-1", **fields)


# --- routing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("utterance,target,intent", [
    ("um the pump at site fourteen is uh leaking", "field_ops", "work_order.create"),
    ("what's the status of work order w o one oh two three four", "field_ops", "work_order.status"),
    ("my lap top won't turn on", "it_ops", "incident.create"),
    ("I've forgotten my pass word", "it_ops", "password.reset"),
    ("how do I reset my vee pee en token", "it_ops", "knowledge.howto"),
    # "open" also marks status ("is it still open"): asking to open one is a new work order.
    ("please open a work order, the generator won't start", "field_ops", "work_order.create"),
])
def test_routes_spoken_style_requests(coordinator: Coordinator, utterance: str, target: str, intent: str):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert (d.target, d.intent, d.action) == (target, intent, "route")
    assert 0.5 <= d.confidence <= 1.0
    assert len(d.alternatives) == 3 and all(a["confidence"] <= d.confidence for a in d.alternatives)
    assert d.reason and d.latency_ms > 0


def test_howto_keeps_the_article_that_answers_it(coordinator: Coordinator):
    d = coordinator.decide("how do I reset my VPN token", call(), now=OPEN)
    assert d.passages[0].id == "vpn#1"
    assert "resync" in d.passages[0].text
    assert all(p.domain == "it_ops" for p in d.passages)


def test_decide_does_not_change_the_state(coordinator: Coordinator):
    state = call(current={"target": "field_ops", "intent": "work_order.create"}, low_confidence_turns=1)
    before = state.to_dict()
    coordinator.decide("also my laptop is broken", state, now=OPEN)
    assert state.to_dict() == before


# --- policies ----------------------------------------------------------------------------------
@pytest.mark.parametrize("utterance,word", [
    ("I can smell gas in the control building", "smell gas"),
    ("uh there's, um, smoke coming out of the generator", "smoke"),
    ("someone's been injured at site seven", "injured"),
    ("there are sparks coming from the panel", "sparks"),
    ("the pump house is flooding", "flooding"),
    ("there's a proper pong of gas round the back by the compressors", "pong of gas"),  # the smell, in other words
    ("I can hear gas hissing out of the meter", "gas hissing"),
    ("one of the lads has fallen off the scaffold at Eastgate", "fallen off"),  # each form of the verb
    ("a fitter fell from the walkway by the clarifier", "fell from"),
])
def test_safety_words_go_to_a_person_at_emergency_priority_even_at_night(coordinator, utterance, word):
    d = coordinator.decide(utterance, call(current={"target": "it_ops", "intent": "incident.create"}), now=CLOSED)
    assert (d.target, d.intent, d.action, d.priority) == ("human", "safety.emergency", "handoff", "emergency")
    assert f"safety:{word}" in d.policy_hits and "queue:on-call" in d.policy_hits
    assert "after_hours" not in d.policy_hits


def test_routine_phrases_with_a_safety_word_are_not_emergencies(coordinator: Coordinator):
    d = coordinator.decide("the smoke detector in the depot office needs a new battery", call(), now=OPEN)
    assert d.intent != "safety.emergency" and d.priority != "emergency"


@pytest.mark.parametrize("utterance", [
    "the emergency lighting failed its monthly test",
    "the fire door closer is loose",
    "the spark plug on the mower needs replacing",
    "the boiler won't fire after the power cut",
])
def test_a_routine_fault_on_a_thing_whose_name_has_a_safety_word_is_not_an_emergency(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=CLOSED)
    assert d.intent != "safety.emergency" and d.priority != "emergency", d.reason
    assert (d.target, d.intent) == ("field_ops", "work_order.create")
    assert not any(h.startswith("safety") for h in d.policy_hits)


@pytest.mark.parametrize("utterance,hit", [
    ("there's a smell of gas in the boiler room", "safety:smell of gas"),
    ("sparks and smoke from the panel", "safety:sparks"),
    ("someone got a shock off the kettle", "safety:got a shock"),
    ("fire! in the bin store", "safety:fire"),
    ("the emergency generator is on fire", "safety:on fire"),
    ("the fire door is jammed and there's smoke in the corridor", "safety:smoke"),
    # "round", "about", "along" are places as much as "around": the phrase stands on its own.
    ("a really strong smell of gas round the back of the kiosk", "safety:smell of gas"),
    ("there's smoke about the place in the pump house", "safety:smoke"),
    # "up", "down", "into" are particles: the word is still used on its own.
    ("the cable basement is flooding up to the switchgear", "safety:flooding"),
    ("the pit is flooding down by the pumps", "safety:flooding"),
])
def test_a_safety_word_used_on_its_own_is_an_emergency_even_beside_a_name(coordinator, utterance, hit):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert (d.target, d.intent, d.priority) == ("human", "safety.emergency", "emergency")
    assert hit in d.policy_hits


def test_a_name_with_a_safety_word_is_an_emergency_when_the_rest_sounds_like_one(coordinator):
    d = coordinator.decide("the fire alarm is going off and people are running out of the building", call(), now=OPEN)
    assert (d.intent, d.priority) == ("safety.emergency", "emergency")
    assert {"safety:fire", "safety:context"} <= set(d.policy_hits)


def test_the_policy_decides_how_sure_the_classifier_must_be_about_a_name(shared: Coordinator, tmp_path: Path):
    data = yaml.safe_load(Settings().policy_file.read_text())
    every_word = with_policy(shared, tmp_path, safety={**data["safety"], "in_name_confidence": 0.0})
    d = every_word.decide("the fire door closer is loose", call(), now=OPEN)
    assert (d.intent, d.priority) == ("safety.emergency", "emergency")  # 0: any safety word is a safety call


@pytest.mark.parametrize("utterance", [
    "the pressure alarm on the chiller keeps showing a fault, nothing is on fire though",
    "no smell of gas at all, the water heater just keeps going out",
    "the breaker at the pump station trips every hour, it isn't sparking or anything",
    "nobody got hurt, but the loading bay shutter has come off its runners",
    # a denial reaches over words of how real the hazard is
    "it's not an actual fire, the fire panel in the pump house just keeps beeping with a fault",
])
def test_a_denied_safety_word_is_no_emergency(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=CLOSED)
    assert (d.target, d.intent) == ("field_ops", "work_order.create"), d.reason
    assert d.priority != "emergency" and not any(h.startswith("safety") for h in d.policy_hits)


@pytest.mark.parametrize("utterance", [
    "no leak no smell nothing dangerous its just the alarm",
    "theres nothing electrical near it its just the floor",
])
def test_danger_denied_with_no_safety_phrase_is_no_emergency_whatever_the_classifier_senses(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=CLOSED)
    assert d.intent != "safety.emergency" and d.priority != "emergency", d.reason


@pytest.mark.parametrize("said, denied", [
    ("nothing dangerous, just the alarm", True), ("it's not serious", True),
    ("it is dangerous, not serious though", False),  # one said without denial
    ("the pump is leaking", False),  # no word of danger at all
])
def test_danger_denied_only_when_every_word_of_danger_is_denied(said, denied):
    assert load_policy(Settings().policy_file).danger_denied(spoken_forms(said)) == denied




@pytest.mark.parametrize("utterance", [
    "there's no power and smoke is coming out of the switch room",  # the denial is about something else
    "I can't stop the sparks from the panel",  # a verb between: no denial
    "I'm not sure, but I think the bin store is on fire",
    "no flames but smoke everywhere in the corridor",
])
def test_a_safety_word_said_without_denial_is_still_an_emergency(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert (d.intent, d.priority) == ("safety.emergency", "emergency"), d.reason


@pytest.mark.parametrize("said,judged", [
    ("the fire door is stuck", (None, "fire", True)),
    ("fire in the plant room", ("fire", None, False)),
    ("he has hurt his arm", ("hurt", None, False)),
    ("the boiler wont fire", (None, "fire", True)),  # denied: judged without it
    ("nothings on fire", (None, "on fire", True)),
    ("no one got hurt", (None, "hurt", True)),  # "one" is also normalised to "1"
    ("there isnt any smoke", (None, "smoke", True)),
    ("it will spark", (None, "spark", False)),
    ("cant stop the sparks", ("sparks", None, False)),
    ("no smoke or sparks", (None, "smoke", True)),  # the denial reaches over "or"
    ("no power and sparks", ("sparks", None, False)),  # ... not over "and"
    ("no idea if its smoke or fire", ("smoke", None, False)),
    ("smokes pouring out of the vent", (None, "smokes", False)),
    ("the emergency lighting is out", (None, "emergency", False)),
    ("smoke everywhere", ("smoke", None, False)),
    ("smoke", ("smoke", None, False)),
    ("the smoke detector beeps", (None, None, False)),  # the except list
    ("the printer is jammed", (None, None, False)),
])
def test_safety_words_are_told_apart_by_the_words_around_them(said, judged):
    assert load_policy(Settings().policy_file).safety_words((said, said)) == judged


@pytest.mark.parametrize("said,judged", [
    ("the basement store is flooding, water's up past the shelves", ("flooding", None, False)),  # clause ends
    ("there's smoke, loads of it, by the bearing housing", ("smoke", None, False)),
    ("the fire door, it keeps sticking", (None, "fire", True)),  # still a name: a comma after the thing
    ("the smoke detector, beeping again", (None, None, False)),
])
def test_a_safety_word_that_ends_its_clause_names_nothing(said, judged):
    assert load_policy(Settings().policy_file).safety_words(spoken_forms(said)) == judged


@pytest.mark.parametrize("said,judged", [
    # A word of degree or an adverb after it: something happening, never a thing's name.
    ("his hand is bleeding quite a lot", ("bleeding", None, False)),
    ("the panel is sparking really badly", ("sparking", None, False)),
    ("the motor is smoking heavily now", ("smoking", None, False)),
    # A noun in -ly after it is still a name.
    ("the emergency supply tank is low", (None, "emergency", True)),
    ("they met at the fire assembly point", (None, "fire", True)),
    # "The sparky" is the electrician, not a spark.
    ("the sparky's had a look at the motor", (None, None, False)),
])
def test_what_follows_a_safety_word_tells_a_hazard_from_a_name(said, judged):
    assert load_policy(Settings().policy_file).safety_words(spoken_forms(said)) == judged


@pytest.mark.parametrize("said,judged", [
    # A hazardous substance let out, in one clause: a hazard, whatever else is denied.
    ("the hose split and there's hypochlorite all over the dosing room floor, nobody's hurt",
     ("hypochlorite", None, False)),
    ("there's an ammonia leak in the plant room", ("ammonia", None, False)),
    ("acid has spilt in the battery room", ("acid", None, False)),
    # Either alone is routine; a denied release is none.
    ("we're running low on hypochlorite, can you order more", (None, None, False)),
    ("the kitchen tap is leaking", (None, None, False)),
    ("no chlorine leaking, just the analyser alarm", (None, None, False)),
    ("there's no acid leak, just a drip of water", (None, None, False)),
    # Naming a thing (a content word after it), or before a word that may be a verb: judged, not a hazard.
    ("the acid tank is leaking", (None, "acid", True)),
    ("the chlorine dosing pump is leaking", (None, "chlorine", False)),
])
def test_a_hazardous_substance_let_out_is_a_hazard(said, judged):
    assert load_policy(Settings().policy_file).safety_words(spoken_forms(said)) == judged


@pytest.mark.parametrize("said,hazard", [
    ("there's water coming in under the door of the electrical room, it's all round the transformer and the cables",
     True),
    ("water is leaking from the roof onto the switchgear", True),
    ("the transformer cooling water pump has failed", False),  # nothing let out
    ("there's no water getting in but the socket is loose", False),  # denied
    ("the kitchen tap is leaking water everywhere", False),  # no electrics
    # Water rising from below, or a flood, by the panels.
    ("the pump hall is flooding water is coming up through the floor and its near the panels", True),
    ("water is pooling round the distribution board", True),
    # "'s" after the liquid, as the spoken forms write it ("rainwaters")
    ("rainwater's pouring through the roof right onto the control panel", True),
    ("the chiller in the switch room is dripping water onto the floor", False),  # a drip: routine
    # Machines that run on mains power are electrical kit too.
    ("water's coming in round the booster pump motor and it's still rising", True),
    ("rain is pouring into the generator enclosure", True),
    ("the generator's coolant water pump has failed", False),  # nothing let out
    # IT kit runs on mains power too: racks, servers and the rooms they stand in.
    ("the roof's leaking in the comms room and water's running down the back of the racks", True),
    ("water is pouring out of the ceiling tiles onto the servers", True),
    ("the server room air con is dripping a bit of water into its tray", False),  # a drip: routine
    ("water is leaking from the kitchen sink in the staff room", False),  # no electrics
])
def test_water_let_out_near_electrics_is_a_hazard(said, hazard):
    assert (load_policy(Settings().policy_file).safety_words(spoken_forms(said))[0] is not None) == hazard


@pytest.mark.parametrize("said,hazard", [
    # After a conditional in its sentence, a safety word says what would happen: judged, not a hazard.
    ("It still isn't fixed and if we lose power tonight the works floods. Make it urgent.", None),
    ("If the pump trips again the basement floods, so please raise it as high.", None),
    ("Unless someone comes today the tank overflows and there'll be a fire risk.", None),
    # A hazard said outside the conditional stays one; so does "if" meaning "whether".
    ("The basement is flooding. If it gets worse, what do I do?", "flooding"),
    ("There's smoke, and if you don't come it will be a fire.", "smoke"),
    ("Not sure if it's smoke, there's something coming out of the vent.", "smoke"),
    ("No idea if it's smoke or steam.", "smoke"),
])
def test_a_safety_word_after_a_conditional_is_judged_not_a_hazard(said, hazard):
    assert load_policy(Settings().policy_file).safety_words(spoken_forms(said))[0] == hazard


def test_someone_in_charge_asked_for_the_caller_is_a_person(coordinator):
    d = coordinator.decide("I'm not explaining it again to a machine, get me someone in charge.", call(), now=OPEN)
    assert d.action == "handoff" and "person_request" in d.policy_hits, d.reason


def test_a_chemical_spill_told_with_a_denied_injury_goes_to_a_person(coordinator):
    d = coordinator.decide("Millbrook here. The hose on the chemical dosing pump, P-4701, has split and there's "
                           "hypochlorite all over the dosing room floor. Nobody's hurt, we've taped the door off.",
                           call(), now=OPEN)
    assert d.action == "handoff" and d.priority == "emergency", d.reason


@pytest.mark.parametrize("utterance", ["one of our fitters has just been zapped off the MCC panel",
                                       "he got a belt off the isolator"])
def test_an_electric_shock_in_a_fitters_words_goes_to_a_person(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.action == "handoff" and d.priority == "emergency", d.reason


@pytest.mark.parametrize("utterance", ["lads gashed his hand open on the coupling guard at site twelve",
                                       "there's blood all over the pump room floor, he caught his leg on the flange",
                                       "one of the contractors has cut himself badly on the valve wheel"])
def test_a_wound_told_without_the_word_injured_goes_to_a_person(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.action == "handoff" and d.priority == "emergency", d.reason




@pytest.mark.parametrize("utterance", [
    "I want whoever's in charge over there",
    "put me through to whoever is in charge, I've had enough",
    "get me the person in charge",
])
def test_whoever_runs_the_desk_is_a_person_asked_for(coordinator, utterance):
    d = coordinator.decide(f"incident twenty thousand and two is still down. {utterance}", call(), now=OPEN)
    assert (d.intent, d.action, d.policy_hits) == ("human.request", "handoff", ["person_request"]), d.reason


@pytest.mark.parametrize("utterance,priority", [
    ("the pressure reading on the booster pump is high", "normal"),  # a symptom, not a priority
    ("the chiller at site twelve is running low on refrigerant", "normal"),
    ("the booster pump at site twelve has tripped, it's urgent", "high"),  # said as a priority
    ("the booster pump has tripped and the whole site has no water", "high"),  # the policy's impact words
])
def test_priority_comes_from_explicit_priority_words_or_the_policy_never_symptoms(coordinator, utterance, priority):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.target == "field_ops" and d.priority == priority, d.reason


def test_an_explicit_request_for_a_person_goes_to_a_human(coordinator: Coordinator):
    d = coordinator.decide("can I just speak to a real person please", call(), now=OPEN)
    assert (d.target, d.intent, d.action) == ("human", "human.request", "handoff")
    assert d.policy_hits == ["person_request"]


@pytest.mark.parametrize("utterance", [
    "the operator workstation in the pump hall won't boot",  # a thing named after a person phrase
    "the representative sample tap on the clarifier is stuck open",
])
def test_a_person_phrase_that_starts_a_things_name_is_no_request_for_a_person(coordinator, utterance):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.intent != "human.request" and "person_request" not in d.policy_hits, d.reason


@pytest.mark.parametrize("utterance, asked", [
    ("it's the operator at north ridge, the oil pump job needs its visit moved", False),  # who is calling
    ("hi, I'm a representative from the pump supplier, the seal kit for P-4512 is ready", False),
    ("can I speak to the operator please", True),
    ("is this the operator? I need the operator", True),
    # Where the news came from: no one asked for.
    ("I had a text from the operator at the reservoir, the transfer pump is barely moving water", False),
    ("according to your manager the visit was moved, is that right", False),
])
def test_a_role_the_caller_introduces_themselves_by_is_no_request_for_one(coordinator, utterance, asked):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert ("person_request" in d.policy_hits) is asked, d.reason


def test_a_person_phrase_followed_by_an_adverb_is_still_a_request(coordinator: Coordinator):
    d = coordinator.decide("can I talk to an operator urgently", call(), now=OPEN)
    assert (d.intent, d.action, d.policy_hits) == ("human.request", "handoff", ["person_request"])


def test_a_person_request_only_the_classifier_heard_says_so(coordinator: Coordinator):
    # The dialogue lets a guess give way to a free-text answer; an explicit phrase never does.
    d = coordinator.decide("could you transfer me please", call(), now=OPEN)
    assert (d.target, d.intent, d.action) == ("human", "human.request", "handoff")
    assert d.policy_hits == ["person_request:classifier"]


def test_outside_business_hours_a_person_request_becomes_a_callback(coordinator: Coordinator):
    d = coordinator.decide("put me through to an operator", call(), now=CLOSED)
    assert (d.target, d.action) == ("human", "handoff")
    assert "after_hours" in d.policy_hits and "queue:callback" in d.policy_hits
    assert "callback" in d.reason


def test_business_hours_follow_the_configured_timezone(shared: Coordinator, tmp_path: Path):
    hours = {"timezone": "America/New_York", "days": ["mon", "tue", "wed", "thu", "fri"], "open": "08:00",
             "close": "17:00", "after_hours_queue": "ny-callback"}
    c = with_policy(shared, tmp_path, business_hours=hours)
    # 10:30 UTC is 05:30 in New York: closed there, open in London.
    d = c.decide("talk to a human", call(), now=OPEN)
    assert "queue:ny-callback" in d.policy_hits
    d = c.decide("talk to a human", call(), now=datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc))
    assert "after_hours" not in d.policy_hits


def test_low_confidence_asks_once_then_hands_over(coordinator: Coordinator):
    state = call()
    first = coordinator.decide("the thing with the stuff", state, now=OPEN)
    assert first.action == "clarify" and first.policy_hits == ["low_confidence"]
    assert first.confidence < coordinator.policy.low_confidence_threshold
    assert first.clarify_question and first.clarify_question.endswith("?")
    coordinator.record(first, state)
    assert state.low_confidence_turns == 1

    second = coordinator.decide("you know, the other thing", state, now=OPEN)
    assert (second.target, second.action) == ("human", "handoff")
    assert "low_confidence_repeat" in second.policy_hits


def test_a_clear_turn_after_a_clarification_resets_the_count(coordinator: Coordinator):
    state = call()
    coordinator.record(coordinator.decide("the thing with the stuff", state, now=OPEN), state)
    clear = coordinator.decide("my laptop screen is cracked", state, now=OPEN)
    assert clear.action == "route"
    coordinator.record(clear, state)
    assert state.low_confidence_turns == 0


def test_tool_failures_at_the_limit_go_to_a_person(coordinator: Coordinator):
    assert coordinator.policy.tool_failure_limit == 2
    below = coordinator.decide("the pump at site 7 is leaking", call(tool_failures=1), now=OPEN)
    assert below.action == "route"
    at = coordinator.decide("the pump at site 7 is leaking", call(tool_failures=2), now=OPEN)
    assert (at.target, at.action, at.intent) == ("human", "handoff", "work_order.create")
    assert "tool_failures" in at.policy_hits


def test_threshold_comes_from_the_policy_file(shared: Coordinator, tmp_path: Path):
    strict = with_policy(shared, tmp_path, low_confidence_threshold=1.0)
    assert strict.decide("my laptop screen is cracked", call(), now=OPEN).action == "clarify"


# --- topic switches -------------------------------------------------------------------------------
def test_switching_topic_mid_call_is_routed_again_and_marked(coordinator: Coordinator):
    state = call()
    first = coordinator.decide("the pump at site seven is leaking", state, now=OPEN)
    coordinator.record(first, state)
    assert state.current == {"target": "field_ops", "intent": "work_order.create"}

    switch = coordinator.decide("oh and also my laptop is broken", state, now=OPEN)
    assert (switch.target, switch.intent, switch.action) == ("it_ops", "incident.create", "route")
    assert "topic_switch" in switch.policy_hits and "field_ops" in switch.reason
    coordinator.record(switch, state)
    assert state.current == {"target": "it_ops", "intent": "incident.create"}
    assert [r["target"] for r in state.routes] == ["field_ops", "it_ops"]


def test_the_request_after_also_wins_over_the_one_before(coordinator: Coordinator):
    state = call(current={"target": "field_ops", "intent": "work_order.create"})
    d = coordinator.decide("the compressor is fine now, but also I forgot my password", state, now=OPEN)
    assert (d.target, d.intent) == ("it_ops", "password.reset")


def test_two_requests_at_the_start_of_a_call_are_taken_in_the_order_said(coordinator: Coordinator):
    d = coordinator.decide("my laptop screen is cracked, and also the pump at site seven is leaking", call(), now=OPEN)
    assert (d.target, d.intent, d.action) == ("it_ops", "incident.create", "route")
    assert "first_of_two" in d.policy_hits and "topic_switch" not in d.policy_hits
    # Words before the cue that are no request of their own leave the request after it.
    d = coordinator.decide("hello there, and also the pump at site seven is leaking", call(), now=OPEN)
    assert (d.target, d.intent) == ("field_ops", "work_order.create") and "first_of_two" not in d.policy_hits


@pytest.mark.parametrize("answer,current", [
    ("P dash forty five twelve, urgent", ("field_ops", "work_order.create")),
    ("site fourteen, asap", ("field_ops", "work_order.create")),
    ("E one zero four eight two", ("it_ops", "password.reset")),
    ("no, site fourteen", ("field_ops", "work_order.create")),
])
def test_a_short_answer_mid_task_is_not_a_topic_switch(coordinator: Coordinator, answer: str, current: tuple[str, str]):
    state = call(current={"target": current[0], "intent": current[1]})
    d = coordinator.decide(answer, state, now=OPEN)
    assert "topic_switch" not in d.policy_hits, d.reason


def test_a_weak_guess_for_another_domain_becomes_a_switch_only_when_the_policy_allows(shared: Coordinator, tmp_path: Path):
    lenient = with_policy(shared, tmp_path, topic_switch_confidence=0.0, low_confidence_threshold=0.0)
    answer = "P dash forty five twelve, urgent"
    guess = lenient.decide(answer, call(), now=OPEN)
    assert guess.target in ("field_ops", "it_ops") and guess.confidence < 0.8
    other = {"field_ops": {"target": "it_ops", "intent": "incident.create"},
             "it_ops": {"target": "field_ops", "intent": "work_order.create"}}[guess.target]
    d = lenient.decide(answer, call(current=other), now=OPEN)
    assert d.target == guess.target and "topic_switch" in d.policy_hits  # the guess the default threshold ignores
    strict = with_policy(shared, tmp_path, low_confidence_threshold=0.0)
    assert "topic_switch" not in strict.decide(answer, call(current=other), now=OPEN).policy_hits


def test_a_confident_request_for_another_domain_is_a_switch_without_a_cue(coordinator: Coordinator):
    state = call(current={"target": "field_ops", "intent": "work_order.create"})
    d = coordinator.decide("I've forgotten my password", state, now=OPEN)
    assert (d.target, d.intent) == ("it_ops", "password.reset") and "topic_switch" in d.policy_hits


def test_and_my_starts_a_new_request_only_when_a_request_follows(coordinator: Coordinator):
    on_pump = call(current={"target": "field_ops", "intent": "work_order.create"})
    d = coordinator.decide("the pump at site fourteen is leaking and my laptop won't start", on_pump, now=OPEN)
    assert (d.target, d.intent) == ("it_ops", "incident.create") and "topic_switch" in d.policy_hits
    d = coordinator.decide("I need to reset my password and my employee id is E10482", call(), now=OPEN)
    assert (d.target, d.intent, d.action) == ("it_ops", "password.reset", "route")


def test_goodbye_stays_with_the_current_domain(coordinator: Coordinator):
    state = call(current={"target": "it_ops", "intent": "password.reset"})
    d = coordinator.decide("brilliant, thanks, bye", state, now=OPEN)
    assert (d.target, d.intent, d.action) == ("it_ops", "smalltalk.goodbye", "route")
    assert "topic_switch" not in d.policy_hits


# --- recording and the decision log --------------------------------------------------------------
def test_record_commits_state_and_writes_a_redacted_log_line(coordinator: Coordinator, tmp_path: Path):
    state = call(turn_count=3)
    d = coordinator.decide("hi it's john smith, call me on 07700 900123, pump P-4512 at site 14 is leaking",
                           state, now=OPEN)
    coordinator.record(d, state)

    assert state.routes[-1]["turn"] == 3 and state.routes[-1]["intent"] == "work_order.create"
    assert state.passages and state.passages[0]["id"] == d.passages[0].id
    lines = (tmp_path / "decisions.jsonl").read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["session"] == "call-1" and entry["turn"] == 3
    assert entry["target"] == "field_ops" and entry["intent"] == "work_order.create"
    assert entry["confidence"] == round(d.confidence, 4)
    assert entry["alternatives"] == d.alternatives and entry["policy_hits"] == d.policy_hits
    assert entry["retrieval_ids"] == [p.id for p in d.passages]
    assert entry["latency_ms"] > 0
    assert "07700" not in entry["utterance"] and "[PHONE]" in entry["utterance"]
    assert "P-4512" in entry["utterance"]  # asset tags are not personal data


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("utterance", ["", "   ", "\x00\x01\x1b[31m\x7f", "um uh er", "..."])
def test_empty_or_unintelligible_input_asks_again(coordinator: Coordinator, utterance: str):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.action == "clarify" and d.confidence < 0.5 and d.clarify_question


@pytest.mark.parametrize("utterance", [
    '"OR* NEAR(', "pump AND NOT leak*", "'; DROP TABLE docs; --", "title:vpn OR body:*", "^^^ {} [] ::",
])
def test_query_syntax_is_treated_as_words(coordinator: Coordinator, utterance: str):
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert d.target in ("field_ops", "it_ops", "human")
    assert coordinator.index.count() > 0  # nothing was dropped


def test_a_one_megabyte_utterance_is_decided_quickly_and_logged_truncated(coordinator: Coordinator, tmp_path: Path):
    huge = "my laptop is broken " + "x" * (1024 * 1024)
    state = call()
    d = coordinator.decide(huge, state, now=OPEN)
    assert (d.target, d.intent) == ("it_ops", "incident.create")
    coordinator.record(d, state)
    entry = json.loads((tmp_path / "decisions.jsonl").read_text())
    assert len(entry["utterance"]) < 3000 and entry["utterance"].endswith(f"[{len(huge)} chars]")


def test_control_characters_do_not_reach_the_log(coordinator: Coordinator, tmp_path: Path):
    state = call()
    coordinator.record(coordinator.decide("my printer\x00 is\x1b jammed\n", state, now=OPEN), state)
    line = (tmp_path / "decisions.jsonl").read_text()
    assert line.count("\n") == 1  # one line per decision, whatever the caller said
    assert json.loads(line)["intent"] == "incident.create"


# --- the policy file -------------------------------------------------------------------------------
def test_the_shipped_policy_file_loads():
    policy = load_policy(Settings().policy_file)
    assert policy.tool_failure_limit == 2 and 0 < policy.low_confidence_threshold < 1


@pytest.mark.parametrize("change,message", [
    ({"low_confidence_threshold": 2}, "between 0 and 1"),
    ({"low_confidence_threshold": "high"}, "low_confidence_threshold"),
    ({"topic_switch_confidence": 1.5}, "topic_switch_confidence"),
    ({"business_hours": {"timezone": "Mars/Olympus"}}, "timezone"),
    ({"business_hours": {"open": "7am"}}, "HH:MM"),
    ({"business_hours": {"days": ["funday"]}}, "days"),
    ({"priority": {"default": "whenever"}}, "priority"),
    ({"safety": {"phrases": "fire"}}, "phrases"),
    ({"safety": {"phrases": ["fire"], "in_name_confidence": 1.5}}, "in_name_confidence"),
    ({"safety": {"phrases": ["fire"], "in_name_confidence": "sure"}}, "in_name_confidence"),
    ({"safety": {"phrases": ["fire"], "denied_confidence": -0.1}}, "denied_confidence"),
])
def test_a_bad_policy_file_fails_with_the_key_named(change: dict[str, Any], message: str):
    data = yaml.safe_load(Settings().policy_file.read_text())
    data.update(change)
    with pytest.raises(PolicyError, match=message):
        parse_policy(data)


def test_unreadable_or_invalid_policy_files(tmp_path: Path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("safety: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)


@pytest.mark.parametrize("utterance,target,intent", [
    # Faults told in everyday idioms are faults.
    ("the chiller in the switch room has given up", "field_ops", "work_order.create"),
    ("the kettle point in the mess room is kaput", "field_ops", "work_order.create"),
    ("the gate barrier at the depot is out of action", "field_ops", "work_order.create"),
    # Running out of supplies is a request, not a fault.
    ("the ops centre printer's out of black toner", "it_ops", "service_request.create"),
    ("we've run out of staples and paper for the big printer upstairs", "it_ops", "service_request.create"),
])
def test_requests_in_other_words_than_the_examples_are_heard_as_that_request(coordinator, utterance, target, intent):
    # The router's best reading (it may still ask which, where it is unsure).
    d = coordinator.decide(utterance, call(), now=OPEN)
    assert (d.target, d.intent) == (target, intent), d.reason


@pytest.mark.parametrize("said, head, tail", [
    ("where is ticket 20003 at and could you also add a comment that i rebooted",
     "where is ticket 20003 at", "could you add a comment that i rebooted"),
    ("the lift is stuck, can you please also book someone", "the lift is stuck", "can you please book someone"),
    ("the lift is stuck and also the door sticks", "the lift is stuck and", "the door sticks"),
])
def test_asking_words_a_switch_cue_stands_inside_lead_what_follows(said, head, tail):
    # "... and could you also add a comment": "could you" asks for what comes after the cue, not before it.
    assert load_policy(Settings().policy_file).split_at_switch(said) == (head, tail)
