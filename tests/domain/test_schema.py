"""The committed JSON Schema of scenario files is current, and the example scenarios conform to it."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from negotiator_app.domain.schema import SCENARIO_SCHEMA_FILE, render, scenario_schema

from .builders import EXAMPLE_SCENARIOS, scenario

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "resources" / "schemas" / SCENARIO_SCHEMA_FILE


def test_committed_schema_matches_the_model():
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == render(scenario_schema()), (
        "resources/schemas is stale: run `uv run python -m negotiator_app.domain.schema`"
    )


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = scenario_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", EXAMPLE_SCENARIOS, ids=lambda p: p.name)
def test_example_scenarios_validate_against_the_schema(path):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "no sellers", "buyer": {"items": []}},
        scenario(sellers=[]),
        scenario(llm={"max_rounds": 51}),
        scenario(unexpected=True),
    ],
    ids=["missing-sellers", "empty-sellers", "rounds", "extra-field"],
)
def test_schema_rejects_what_the_model_rejects(data):
    validator = jsonschema.Draft202012Validator(scenario_schema())
    assert list(validator.iter_errors(data)), "the schema accepted an invalid scenario"
