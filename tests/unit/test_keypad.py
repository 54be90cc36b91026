"""Key presses collected into caller turns (pure logic; the time is passed in)."""

from __future__ import annotations

import pytest

from agent.config import ConfigError, Settings
from agent.call.keypad import DigitCollector, KeypadConfig, digits_expected


def collector(inter: float = 3.0, most: int = 16) -> DigitCollector:
    return DigitCollector(KeypadConfig(inter_digit_s=inter, max_digits=most))


def test_digits_then_the_terminator_are_one_turn_without_it():
    keys = collector()
    assert [t for k in "4512" for t in keys.press(k, 0.0)] == []
    assert keys.pending == "4512"
    assert keys.press("#", 1.0) == ["4512"]
    assert keys.pending == "" and keys.deadline is None


def test_the_expected_length_ends_the_turn_without_a_terminator():
    keys = collector()
    turns = [t for i, k in enumerate("102345") for t in keys.press(k, i * 0.3, expected=5)]
    assert turns == ["10234"] and keys.pending == "5"  # the sixth key starts the next turn


def test_a_pause_longer_than_the_inter_digit_timeout_ends_the_turn():
    keys = collector(inter=2.0)
    keys.press("7", 10.0)
    keys.press("3", 11.5)  # each key moves the deadline on
    assert keys.deadline == 13.5
    assert keys.expire(13.4) is None
    assert keys.expire(13.5) == "73"
    assert keys.expire(20.0) is None  # nothing pending


def test_the_maximum_length_caps_a_turn_and_the_expected_length_cannot_exceed_it():
    keys = collector(most=4)
    assert keys.press("123456789", 0.0) == ["1234", "5678"] and keys.pending == "9"
    keys = collector(most=4)
    assert keys.press("123456", 0.0, expected=6) == ["1234"]


def test_star_clears_pending_digits_and_lone_star_or_hash_are_turns_of_their_own():
    keys = collector()
    assert keys.press("12*", 0.0) == [] and keys.pending == "" and keys.deadline is None
    assert keys.press("345#", 1.0) == ["345"]
    assert keys.press("#", 2.0) == ["#"]
    assert keys.press("*", 3.0) == ["*"]


def test_several_keys_in_one_message_are_handled_in_order():
    assert collector().press("12#34#", 0.0) == ["12", "34"]


@pytest.mark.parametrize("schema, expected", [
    ({"pattern": "^[Ww][Oo]-[0-9]{5}$"}, 5),
    ({"pattern": r"^\d{3}-\d{4}$"}, 7),
    ({"pattern": r"^[A-Za-z]-?[0-9]{3,5}$"}, None),  # 3 to 5: not fixed
    ({"pattern": r"^\d+$"}, None),
    ({"pattern": "^[A-Za-z0-9._:-]+$"}, None),  # digits allowed, none required
    ({"type": "integer", "maximum": 999}, None),
    ({"pattern": 5}, None),  # not a pattern at all
])
def test_expected_length_comes_from_the_slots_pattern(schema, expected):
    assert digits_expected(schema) == expected


@pytest.mark.parametrize("inter, most", [(0.0, 16), (-1.0, 16), (3.0, 0)])
def test_bad_limits_are_refused(inter, most):
    with pytest.raises(ValueError):
        KeypadConfig(inter_digit_s=inter, max_digits=most)


@pytest.mark.parametrize("env", [{"SWITCHBOARD_DTMF_INTER_DIGIT_S": "0"}, {"SWITCHBOARD_DTMF_MAX_DIGITS": "0"},
                                 {"SWITCHBOARD_DTMF_MAX_DIGITS": "many"}])
def test_bad_keypad_settings_are_a_clear_config_error(env):
    with pytest.raises(ConfigError, match="SWITCHBOARD_DTMF"):
        Settings.from_env(env)
