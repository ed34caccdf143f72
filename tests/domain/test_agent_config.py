"""Who plays each agent: scenario version 2 carries it, version-1 files still load (upgraded), bad choices
are explained."""
from __future__ import annotations

import json

import pytest

from negotiator_app.domain import AgentKind, ScenarioError, SessionConfig, describe_agent, load_scenario, parse_config
from negotiator_app.domain.config import SCHEMA_VERSION
from negotiator_app.domain.scenario import dumps_scenario

from .builders import SCENARIO_DIR, scenario, seller

BOULWARE = {"kind": "strategy", "strategy": {"kind": "boulware"}}


def test_a_version_1_file_loads_and_is_upgraded_to_version_2(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": 1, **scenario()}), encoding="utf-8")
    config = load_scenario(path)
    assert SCHEMA_VERSION == 2
    assert config.schema_version == 2
    assert config.buyer.agent is None and all(s.agent is None for s in config.sellers)  # the session's model
    assert json.loads(dumps_scenario(config))["schema_version"] == 2
    assert config.needs_server


def test_a_newer_version_is_refused_with_what_to_do():
    with pytest.raises(ScenarioError, match="schema_version 3 is not a scenario version this app reads"):
        parse_config({"schema_version": 3, **scenario()})


def test_agents_round_trip_through_a_version_2_file():
    data = scenario(buyer={"name": "Pat", "items": [{"name": "USB-C cable", "quantity": 10, "min_price": 3,
                                                       "max_price": 8}],
                           "agent": {"kind": "llm", "model": "qwen3-1.7b", "temperature": 0.2}},
                    sellers=[seller("Bolt") | {"agent": BOULWARE},
                             seller("Acme") | {"agent": {"kind": "hybrid", "strategy": {"kind": "linear"}}}])
    config = parse_config(data)
    again = parse_config(json.loads(dumps_scenario(config)))
    assert again == config
    assert again.agent("pat").model == "qwen3-1.7b" and again.agent("Bolt").kind is AgentKind.STRATEGY
    assert describe_agent(again.agent("Acme"), "gemma") == "Linear strategy + model gemma"
    assert again.needs_server


def test_a_strategy_agent_has_no_model():
    data = scenario(sellers=[seller("Bolt") | {"agent": {**BOULWARE, "model": "qwen"}}, seller("Acme")])
    with pytest.raises(ScenarioError, match="a strategy agent uses no model"):
        parse_config(data)


def test_the_strategy_example_needs_no_server():
    config = load_scenario(SCENARIO_DIR / "classic_negotiators.json")
    assert not config.needs_server
    assert {s.agent.strategy.kind.value for s in config.sellers} == {"boulware", "linear", "conceder", "tit_for_tat"}
    assert isinstance(config, SessionConfig)
