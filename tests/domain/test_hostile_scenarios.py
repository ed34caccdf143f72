"""Hostile scenario files: out-of-range numbers, numbers as text, control characters, huge names, deep nesting,
5,000-digit numbers and a BOM. Each gets a plain located message; the published JSON Schema agrees."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest

from negotiator_app.cli import main
from negotiator_app.domain import ScenarioError, load_scenario, loads_scenario, parse_config
from negotiator_app.domain.schema import scenario_schema
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio

from .builders import EXAMPLE_SCENARIOS, inventory_item, scenario, seller, shopping_item

BIDI_AND_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def errors_of(data) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_config(data)
    return caught.value.errors


# Each case: a scenario the app must refuse, and the words (with location) of the message it gives.
REFUSED = {
    "price-above-bound": (scenario(sellers=[seller("Acme", inventory_item(selling_price=1e10))]),
                          "Seller 1 'Acme', item 'USB-C cable': selling price must be at most 1,000,000,000"),
    "price-1e308": (scenario(buyer={"name": "Pat", "items": [shopping_item(max_price=1e308)]}),
                    "Buyer, Shopping item 1 'USB-C cable': max price must be at most 1,000,000,000"),
    "quantity-2**63": (scenario(buyer={"name": "Pat", "items": [shopping_item(quantity=2**63)]}),
                       "Buyer, Shopping item 1 'USB-C cable': quantity must be at most 1,000,000"),
    "stock-above-bound": (scenario(sellers=[seller("Acme", inventory_item(quantity_available=1_000_001))]),
                          "Seller 1 'Acme', item 'USB-C cable': quantity available must be at most 1,000,000"),
    "price-as-text": (scenario(buyer={"name": "Pat", "items": [shopping_item(max_price="320")]}),
                      "Buyer, Shopping item 1 'USB-C cable': max price must be a number written without quotes"),
    "quantity-as-text": (scenario(sellers=[seller("Acme", inventory_item(quantity_available="20"))]),
                         "Seller 1 'Acme', item 'USB-C cable': quantity available must be a number written without "
                         "quotes"),
    "rounds-as-text": (scenario(llm={"max_rounds": "5"}), "LLM settings: rounds must be a number written without quotes"),
    "quantity-true": (scenario(buyer={"name": "Pat", "items": [shopping_item(quantity=True)]}),
                      "Buyer, Shopping item 1 'USB-C cable': quantity must be a whole number"),
    "item-newline": (scenario(buyer={"name": "Pat", "items": [shopping_item(name="Cable\nrm -rf")]}),
                     "control characters such as line breaks or text-direction marks (found U+000A)"),
    "item-rlo": (scenario(buyer={"name": "Pat", "items": [shopping_item(name="Cable\u202eelbac")]}),
                 "(found U+202E)"),
    "inventory-item-c1": (scenario(sellers=[seller("Acme", inventory_item(name="USB-C\x85cable"))]), "(found U+0085)"),
    "session-name-bidi": (scenario(name="Shop\u2067x"), "Session: name must not contain control characters"),
    "seller-name-rlo": (scenario(sellers=[seller("Ac\u202eme")]), "(found U+202E)"),
    "buyer-name-newline": (scenario(buyer={"name": "P\nat", "items": [shopping_item()]}), "(found U+000A)"),
    "unknown-version": (scenario(schema_version=3), "schema_version 3 is not a scenario version this app reads"),
}


@pytest.mark.parametrize(("data", "words"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_a_located_plain_message_and_the_schema_agrees(data, words):
    errors = errors_of(data)
    assert any(words in e for e in errors), errors
    assert not any("pydantic" in e or "Input should" in e for e in errors)
    validator = jsonschema.Draft202012Validator(scenario_schema())
    assert list(validator.iter_errors(json.loads(json.dumps(data)))), "the published schema accepts what the app refuses"


@pytest.mark.parametrize("path", EXAMPLE_SCENARIOS, ids=lambda p: p.name)
def test_every_example_is_accepted_by_both(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    load_scenario(path)
    jsonschema.Draft202012Validator(scenario_schema()).validate(data)


def test_bounds_and_integral_floats_are_accepted_by_both():
    data = scenario(buyer={"name": "Pat", "items": [shopping_item(quantity=10.0, max_price=1_000_000_000)]},
                    sellers=[seller("Acme", inventory_item(selling_price=1_000_000_000, quantity_available=1_000_000))])
    assert parse_config(data).buyer.items[0].quantity == 10
    jsonschema.Draft202012Validator(scenario_schema()).validate(data)


def test_schema_states_the_bounds_and_name_lengths():
    defs = scenario_schema()["$defs"]
    assert defs["InventoryItem"]["properties"]["selling_price"]["maximum"] == 1_000_000_000
    assert defs["ShoppingItem"]["properties"]["quantity"]["maximum"] == 1_000_000
    assert defs["Seller"]["properties"]["name"]["maxLength"] == 50
    assert defs["ShoppingItem"]["properties"]["name"]["maxLength"] == 100


def test_a_huge_name_is_not_echoed_in_full():
    name = "A" * 100_000
    errors = errors_of(scenario(sellers=[seller(name), seller(name)]))
    assert all(len(e) < 300 for e in errors), [len(e) for e in errors]
    assert any("'" + "A" * 60 + "…'" in e for e in errors)


def test_a_5000_digit_number_is_reported_with_its_location():
    text = json.dumps(scenario(), indent=2).replace('"quantity": 10', '"quantity": ' + "9" * 5000)
    line, column = next((i, s.index("9999") + 1) for i, s in enumerate(text.splitlines(), 1) if "9999" in s)
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text, "big.json")
    assert caught.value.errors == [f"line {line}, column {column}: a number with 5,000 digits is far too large"]


def test_deeply_nested_json_gives_a_message_not_a_recursion_error():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario("[" * 200_000 + "]" * 200_000, "deep.json")
    assert caught.value.errors == ["the JSON is nested too deeply to be read"]


def test_a_utf8_file_with_a_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(scenario()), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_scenario(path).name == "Test session"


def test_cli_refuses_a_quantity_of_2_63_without_a_traceback_or_a_session(tmp_path, capsys):
    path, db = tmp_path / "big.json", tmp_path / "db.sqlite3"
    path.write_text(json.dumps(scenario(buyer={"name": "Pat", "items": [shopping_item(quantity=2**63)]})))
    code = main(["run", str(path), "--base-url", "http://127.0.0.1:9/v1", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2 and "quantity must be at most 1,000,000" in err and "Traceback" not in err
    if db.exists():
        with Store.open(db) as store:
            assert store.list_sessions() == []


def test_no_prompt_carries_control_characters_from_names(tmp_path, capsys):
    """A scenario whose names carry a newline and U+202E is refused before any request; a clean run's prompts
    carry no control character but the line breaks of the prompt text itself."""
    hostile = scenario(name="Shop\u202e", buyer={"name": "Pat", "items": [shopping_item(name="USB-C\ncable")]},
                       sellers=[seller("Acme", inventory_item(name="USB-C\ncable"))])
    clean = scenario(sellers=[seller("Acme")])
    with FakeLMStudio() as fake:
        fake.responder = responder
        for label, data in (("hostile", hostile), ("clean", clean)):
            path = tmp_path / f"{label}.json"
            path.write_text(json.dumps(data))
            main(["run", str(path), "--base-url", fake.base_url, "--db", str(tmp_path / f"{label}.sqlite3")])
            if label == "hostile":
                assert fake.requests == []  # refused before anything reached the server
        assert fake.requests, "the clean run should have asked the model"
        for body in fake.requests:
            for message in body["messages"]:
                assert not BIDI_AND_CONTROLS.search(message["content"]), message["content"]
    capsys.readouterr()
