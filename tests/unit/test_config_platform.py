"""On the Foundry platform the default data directory is under $HOME, the part of a session that persists."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Settings, on_platform


@pytest.mark.parametrize("marker", [{"FOUNDRY_HOSTING_ENVIRONMENT": "production"},
                                    {"FOUNDRY_AGENT_SESSION_ID": "acs:call-1"}])
def test_on_the_platform_state_defaults_to_home(marker):
    env = {"HOME": "/home/switchboard", **marker}
    assert on_platform(env)
    assert Settings.from_env(env).data_dir == Path("/home/switchboard/data")


def test_an_explicit_data_dir_wins_on_the_platform_too():
    env = {"HOME": "/home/switchboard", "FOUNDRY_HOSTING_ENVIRONMENT": "production", "SWITCHBOARD_DATA_DIR": "/mnt/x"}
    assert Settings.from_env(env).data_dir == Path("/mnt/x")


def test_off_the_platform_the_default_stays_relative():
    env = {"HOME": "/home/me", "FOUNDRY_HOSTING_ENVIRONMENT": ""}
    assert not on_platform(env)
    assert Settings.from_env(env).data_dir == Path("data")


def test_without_home_the_users_home_directory_is_used():
    assert Settings.from_env({"FOUNDRY_AGENT_SESSION_ID": "s"}).data_dir == Path.home() / "data"
