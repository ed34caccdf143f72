"""Scenario files: load with every error located, clear messages for bad JSON and missing files, round trip."""
from __future__ import annotations

import json

import pytest

from negotiator_app.domain import ScenarioError, SessionConfig, load_scenario, loads_scenario, parse_config, save_scenario

from .builders import EXAMPLE_SCENARIOS, SCENARIO_DIR, inventory_item, scenario, seller, shopping_item


def test_the_example_scenarios_exist():
    assert {p.name for p in EXAMPLE_SCENARIOS} >= {"office_supplies.json", "electronics_market.json", "skipped_items.json"}


@pytest.mark.parametrize("path", EXAMPLE_SCENARIOS, ids=lambda p: p.name)
def test_every_example_scenario_loads(path):
    config = load_scenario(path)
    assert isinstance(config, SessionConfig)
    assert config.name and config.name != "New session"
    assert 1 <= len(config.sellers) <= 10


def test_electronics_market_uses_the_maximum_number_of_sellers():
    assert len(load_scenario(SCENARIO_DIR / "electronics_market.json").sellers) == 10


def test_office_supplies_covers_priorities_and_styles():
    config = load_scenario(SCENARIO_DIR / "office_supplies.json")
    assert len(config.buyer.items) == 3 and len(config.sellers) == 4
    assert {s.profile.priority for s in config.sellers} == {"customer_retention", "balanced", "maximize_profit"}
    assert len({s.profile.speaking_style for s in config.sellers}) == 4


def test_all_examples_together_use_every_speaking_style():
    styles = {s.profile.speaking_style for p in EXAMPLE_SCENARIOS for s in load_scenario(p).sellers}
    assert styles == {"rude", "blunt", "neutral", "friendly", "very_sweet"}


def test_a_broken_file_reports_every_error_with_its_location(tmp_path):
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(min_price=9), shopping_item("Mouse", quantity=0)]},
        sellers=[
            seller("Bolt", inventory_item(selling_price=1)),
            seller("Acme", inventory_item("Mouse", cost_price=-2), priority="greedy"),
            {"inventory": [inventory_item()]},
        ],
        llm={"max_rounds": 99},
    )
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert error.source == "broken.json"
    assert error.errors == [
        "Buyer, Shopping item 1 'USB-C cable': max price must be above min price",
        "Buyer, Shopping item 2 'Mouse': quantity must be at least 1",
        "Seller 1 'Bolt', item 'USB-C cable': selling price must be above least price",
        "Seller 2 'Acme': priority must be one of 'customer_retention', 'balanced' or 'maximize_profit'",
        "Seller 2 'Acme', item 'Mouse': cost price must be at least 0",
        "Seller 3: name is required",
        "LLM settings: rounds must be at most 50",
    ]
    text = str(error)
    assert text.startswith("broken.json is not a valid scenario:\n")
    assert all(f"- {message}" in text for message in error.errors)


def test_invalid_json_reports_line_and_column():
    text = '{\n  "name": "x",\n  "buyer": {,\n}'
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "typo.json")
    [message] = info.value.errors
    assert message.startswith("line 3, column 13: invalid JSON (")
    assert info.value.source == "typo.json"


def test_a_missing_file_says_so(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.errors == ["the file does not exist"]
    assert str(path) in str(info.value)


def test_an_unreadable_file_says_it_cannot_be_read(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [message] = info.value.errors
    assert message.startswith("the file cannot be read (")


def test_a_json_array_is_not_a_scenario():
    with pytest.raises(ScenarioError) as info:
        loads_scenario("[]")
    assert info.value.errors == ["the file must contain a JSON object with 'buyer' and 'sellers'"]


def test_save_then_load_round_trips_without_the_api_key(tmp_path):
    config = parse_config(scenario(llm={"api_key": "sk-very-secret", "model": "qwen3-8b", "max_rounds": 7}))
    assert config.llm.api_key == "sk-very-secret"
    path = tmp_path / "nested" / "dir" / "saved.json"
    save_scenario(config, path)
    text = path.read_text(encoding="utf-8")
    assert "sk-very-secret" not in text and "api_key" not in text
    loaded = load_scenario(path)
    assert loaded.llm.api_key is None
    assert loaded.model_dump() == config.model_dump()
    assert loaded.llm.model == "qwen3-8b" and loaded.llm.max_rounds == 7
    assert [p.name for p in path.parent.iterdir()] == ["saved.json"], "no temporary file may be left behind"


@pytest.mark.parametrize("path", EXAMPLE_SCENARIOS, ids=lambda p: p.name)
def test_example_scenarios_round_trip(tmp_path, path):
    config = load_scenario(path)
    save_scenario(config, tmp_path / path.name)
    assert load_scenario(tmp_path / path.name) == config


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old", encoding="utf-8")
    save_scenario(parse_config(scenario(name="Replaced")), path)
    assert load_scenario(path).name == "Replaced"
