"""The experiment file: its schema does not drift from the model, arms change the scenario as written, and bad
files get every problem named."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from negotiator_app.domain import Buyer
from negotiator_app.experiments.schema import (
    EXPERIMENT_SCHEMA_FILE, REPORT_SCHEMA_FILE, experiment_schema, render, report_schema,
)
from negotiator_app.experiments.spec import Arm, ExperimentError, arm_config, load_experiment
from tests.experiments.support import market, write_experiment

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "resources" / "schemas" / EXPERIMENT_SCHEMA_FILE
PER_AGENT = "agent" in Buyer.model_fields


def test_the_committed_schemas_are_the_generated_ones():
    stale = "is stale: run `uv run python -m negotiator_app.experiments.schema`"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(experiment_schema()), f"{EXPERIMENT_SCHEMA_FILE} {stale}"
    report = SCHEMA_PATH.with_name(REPORT_SCHEMA_FILE)
    assert report.read_text(encoding="utf-8") == render(report_schema()), f"{REPORT_SCHEMA_FILE} {stale}"


def test_an_experiment_file_validates_and_its_scenario_path_is_relative_to_it(tmp_path):
    path = write_experiment(tmp_path)
    jsonschema.validate(json.loads(path.read_text()), json.loads(SCHEMA_PATH.read_text()))
    spec = load_experiment(path)
    assert spec.scenario == str(tmp_path / "market.json") and [a.name for a in spec.arms] == ["A", "B"]


def test_session_wide_overrides_and_round_limit():
    config = arm_config(market(), Arm(name="x", model="other-model", temperature=0.1, max_rounds=2))
    assert (config.llm.model, config.llm.temperature, config.llm.max_rounds) == ("other-model", 0.1, 2)
    assert [s.name for s in config.sellers] == ["Bolt", "Acme", "Cleo"]


@pytest.mark.skipif(not PER_AGENT, reason="per-agent configuration is not in the domain yet")
def test_per_role_and_per_seller_overrides_become_agent_configurations():
    arm = Arm.model_validate({"name": "x", "buyer": {"model": "qwen", "temperature": 0.3},
                              "sellers": {"strategy": "boulware"},
                              "per_seller": {"acme": {"strategy": {"kind": "conceder", "exponent": 3}, "model": "m"}}})
    config = arm_config(market(), arm)
    assert (config.buyer.agent.kind, config.buyer.agent.model, config.buyer.agent.temperature) == ("llm", "qwen", 0.3)
    bolt, acme = config.seller("Bolt").agent, config.seller("Acme").agent
    assert (bolt.kind, bolt.strategy.kind) == ("strategy", "boulware")
    assert (acme.kind, acme.strategy.kind, acme.strategy.exponent, acme.model) == ("hybrid", "conceder", 3, "m")


def test_bad_files_name_every_problem(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "", "repetitions": 0, "arms": [{"name": "A"}], "scenario": "x.json",
                                "session_id": 3}))
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    text = "\n".join(caught.value.errors)
    assert "name" in text and "repetitions" in text and "arms" in text
    path.write_text("{not json")
    with pytest.raises(ExperimentError, match="invalid JSON"):
        load_experiment(path)
    with pytest.raises(ExperimentError, match="does not exist"):
        load_experiment(tmp_path / "missing.json")


def test_an_arm_naming_an_unknown_seller_or_breaking_a_rule_is_refused():
    with pytest.raises(ExperimentError, match="no seller named 'Zed'"):
        arm_config(market(), Arm.model_validate({"name": "x", "per_seller": {"Zed": {"model": "m"}}}))
    with pytest.raises(ExperimentError, match="arm 'y'"):
        arm_config(market(), Arm.model_validate({"name": "y", "buyer": {"strategy": "nonsense"}}))


def test_a_stored_session_as_the_scenario(tmp_path):
    from negotiator_app.experiments.runner import create_experiment
    from negotiator_app.experiments.spec import parse_experiment
    from negotiator_app.storage import Store
    from negotiator_app.storage.experiments import load_experiment as load_stored

    with Store.open(tmp_path / "db.sqlite3") as store:
        session_id = store.create_session(market()).id
        spec = parse_experiment({"name": "e", "session_id": session_id, "repetitions": 1,
                                 "arms": [{"name": "A"}, {"name": "B", "max_rounds": 2}]})
        stored = load_stored(store, create_experiment(store, spec))
        assert stored.scenario == market() and len(stored.runs) == 2
        assert store.get_session(stored.arms["B"]).config.llm.max_rounds == 2
        missing = parse_experiment({**spec.model_dump(), "session_id": 99})
        with pytest.raises(ExperimentError, match="there is no stored session 99"):
            create_experiment(store, missing)
