"""`import` applies the app's limits and types: numbers SQLite cannot store, numbers as text, deep nesting,
5,000-digit numbers, oversized runs; a BOM is fine. Every refusal is located and writes nothing."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from negotiator_app.export import ImportError_, import_session, session_log
from negotiator_app.export.import_checks import MAX_MESSAGES_PER_RUN
from negotiator_app.paths import resource_path
from tests.storage.support import scripted_session


@pytest.fixture
def exported(store):
    return copy.deepcopy(session_log(store, scripted_session(store)))


def refused(store, tmp_path, text: str, name: str = "doctored.json") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = store.list_sessions()
    with pytest.raises(ImportError_) as caught:
        import_session(store, path)
    assert store.list_sessions() == before  # nothing written
    assert not any("pydantic" in e or "Traceback" in e for e in caught.value.errors)
    return caught.value.errors


def schema_refuses(doc: dict) -> bool:
    schema = json.loads(resource_path("schemas", "session_log.schema.json").read_text(encoding="utf-8"))
    return bool(list(jsonschema.Draft202012Validator(schema).iter_errors(doc)))


def test_the_valid_export_satisfies_the_schema(exported):
    assert not schema_refuses(exported)


def test_a_quantity_of_2_63_is_located_not_an_overflow(store, tmp_path, exported):
    exported["rooms"][0]["runs"][0]["offers"][1]["quantity"] = 2**63  # a refused offer keeps what was said, within storage
    errors = refused(store, tmp_path, json.dumps(exported))
    assert errors == ["rooms[0].runs[0].offers[1].quantity: 9223372036854775808 is too large a number to store"]


def test_a_config_quantity_beyond_the_bound_is_refused_by_both(store, tmp_path, exported):
    exported["session"]["config"]["buyer"]["items"][0]["quantity"] = 2_000_000
    errors = refused(store, tmp_path, json.dumps(exported))
    assert "session.config.buyer.items[0].quantity: must be at most 1,000,000" in errors
    assert schema_refuses(exported)


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("rooms", 0, "runs", 0, "offers", 0, "price_per_unit"), "7", "must be a number written without quotes"),
    (("rooms", 0, "runs", 0, "messages", 0, "seq"), "1", "must be a number written without quotes"),
    (("session", "config", "buyer", "items", 0, "max_price"), "8", "must be a number written without quotes"),
    (("rooms", 0, "runs", 0, "rounds"), True, "must be a whole number"),
], ids=["offer-price", "message-seq", "config-price", "rounds-bool"])
def test_numbers_as_text_are_refused_by_the_app_and_by_the_schema(store, tmp_path, exported, path, value, problem):
    node = exported
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")
    errors = refused(store, tmp_path, json.dumps(exported))
    assert f"{where}: {problem}" in errors, errors
    assert schema_refuses(exported)


def test_deeply_nested_json_is_refused_with_a_message(store, tmp_path):
    assert refused(store, tmp_path, "[" * 100_000 + "]" * 100_000) == ["the JSON is nested too deeply to be read"]


def test_nesting_the_parser_reads_but_the_validation_does_not(store, tmp_path, exported):
    exported["models"] = json.loads("[" * 900 + "]" * 900)
    assert refused(store, tmp_path, json.dumps(exported)) == ["(document): is nested too deeply to be read"]


def test_a_5000_digit_number_is_located(store, tmp_path, exported):
    text = json.dumps(exported, indent=1).replace('"rounds": 2,', '"rounds": ' + "7" * 5000 + ",", 1)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "7777" in s)
    errors = refused(store, tmp_path, text)
    assert len(errors) == 1 and errors[0].startswith(f"line {line}, column ") and "5,000 digits" in errors[0]


def test_too_many_messages_in_a_run_are_refused(store, tmp_path, exported):
    run = exported["rooms"][0]["runs"][0]
    first = run["messages"][0]
    run["messages"] += [{**first, "seq": 100 + i} for i in range(MAX_MESSAGES_PER_RUN)]
    errors = refused(store, tmp_path, json.dumps(exported))
    assert f"rooms[0].runs[0].messages: {MAX_MESSAGES_PER_RUN + 6:,} entries, more than a run can have (2,000)" in errors


def test_a_file_with_a_bom_imports(store, tmp_path, exported):
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(exported), encoding="utf-8-sig")
    assert import_session(store, path).run_count == 2


def test_a_long_name_is_clipped_in_messages(store, tmp_path, exported):
    exported["rooms"][0]["runs"][0]["violations"][0]["agent"] = "M" * 1_000_000
    errors = refused(store, tmp_path, json.dumps(exported))
    assert errors == ["rooms[0].runs[0].violations[0].agent: '" + "M" * 60 + "…' is not a participant of this run"]
