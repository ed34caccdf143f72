"""JSON logs validate against their schemas, import round-trips, bad imports write nothing, files are atomic."""
from __future__ import annotations

import copy
import json
import os

import jsonschema
import pytest

from negotiator_app.export import (
    ImportError_, import_session, run_log, run_markdown, session_log, write_json,
)
from negotiator_app.export.schemas import SCHEMA_FILES, log_schema, render
from negotiator_app.paths import resource_path
from tests.storage.support import RUN_CABLES, scripted_session


def schema(name: str) -> dict:
    return json.loads(resource_path("schemas", name).read_text(encoding="utf-8"))


def test_schema_files_are_up_to_date():
    for name, model in SCHEMA_FILES.items():
        assert resource_path("schemas", name).read_text(encoding="utf-8") == render(log_schema(model)), (
            f"regenerate with: python -m negotiator_app.export.schemas ({name})")
        assert "private" in schema(name)["description"]  # the schema says it is the operator's record


def test_run_log_validates_and_holds_the_operators_record(store):
    scripted_session(store)
    doc = json.loads(json.dumps(run_log(store, RUN_CABLES)))
    jsonschema.validate(doc, schema("run_log.schema.json"))
    assert doc["schema_version"] == 2 and doc["kind"] == "run" and doc["app_version"]
    assert doc["server_url"] == "http://localhost:1234/v1" and doc["model"] == "m1"
    assert doc["sampling"]["temperature"] == 0.7
    run = doc["run"]
    assert run["config"]["sellers"][0]["inventory"][0]["least_price"] == 5  # private fields included
    assert "api_key" not in json.dumps(doc)
    first = run["messages"][0]
    assert first["text"] == "Hello, best price?" and first["reasoning"] == "think first"  # kept apart
    assert first["recipients"] == ["Bolt", "Acme"] and first["usage"]["prompt_tokens"] == 100
    assert [o["price_per_unit"] for o in run["offers"]] == [7.0, 3.5, 6.0]
    assert run["violations"][0]["kind"] == "offer_below_floor"
    assert run["outcome"]["kind"] == "deal" and run["metrics"]["savings_total"] == 30.0


def test_session_log_validates(store):
    session_id = scripted_session(store)
    doc = session_log(store, session_id)
    jsonschema.validate(json.loads(json.dumps(doc)), schema("session_log.schema.json"))
    assert [r["room_key"] for r in doc["rooms"]] == ["room-1", "room-2"]
    assert doc["skipped_items"][0]["item"] == "Widget"
    assert doc["metrics"]["total_spent"] == 60.0 and doc["models"] == ["m1"]


VOLATILE = {"id", "run_id", "session_id", "latest_run_id", "exported_at", "created_at", "updated_at"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def test_export_import_export_gives_the_same_document(store, tmp_path):
    session_id = scripted_session(store)
    first = session_log(store, session_id)
    path = write_json(tmp_path / "session.json", first)
    imported = import_session(store, path)
    assert imported.id != session_id and imported.run_count == 2
    second = session_log(store, imported.id)
    # Message times are kept; only ids and export/creation times differ.
    assert strip(second) == strip(first)
    assert second["rooms"][0]["runs"][0]["messages"][0]["created_at"] == first["rooms"][0]["runs"][0]["messages"][0]["created_at"]


def test_invalid_import_lists_every_error_with_its_location_and_writes_nothing(store):
    session_id = scripted_session(store)
    doc = copy.deepcopy(session_log(store, session_id))
    run = doc["rooms"][0]["runs"][0]
    del run["messages"][1]["sender"]
    run["offers"][0]["quantity"] = "ten"
    doc["session"]["config"]["buyer"]["items"][0]["max_price"] = 1  # below min
    before = store.list_sessions()
    with pytest.raises(ImportError_) as caught:
        import_session(store, doc)
    errors = caught.value.errors
    assert any(e.startswith("rooms[0].runs[0].messages[1].sender") for e in errors)
    assert any(e.startswith("rooms[0].runs[0].offers[0].quantity") for e in errors)
    assert any(e.startswith("session.config.buyer.items[0]") for e in errors)
    assert len(errors) >= 3
    assert store.list_sessions() == before


def test_import_refuses_what_the_database_would_and_says_where(store):
    session_id = scripted_session(store)
    doc = copy.deepcopy(session_log(store, session_id))
    run = doc["rooms"][0]["runs"][0]
    run["messages"][2]["sender"] = "Mallory"
    run["outcome"]["price_per_unit"] = 5.0  # nobody offered 5.00
    with pytest.raises(ImportError_) as caught:
        import_session(store, doc)
    assert caught.value.errors == [
        "rooms[0].runs[0].messages[2].sender: 'Mallory' is not a participant of this run",
        "rooms[0].runs[0].offers[1].message_seq: message 3 was written by 'Mallory', not by 'Acme'",
        "rooms[0].runs[0].outcome.price_per_unit: 5 is not the standing offer of 'Acme' (6); a deal must accept "
        "a binding offer made in this run",
    ]
    assert len(store.list_sessions()) == 1


def test_import_of_broken_json_names_the_line(store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,\n "kind": }')
    with pytest.raises(ImportError_, match="line 2"):
        import_session(store, path)


def test_markdown_transcript(store):
    scripted_session(store)
    text = run_markdown(store, RUN_CABLES)
    assert text.startswith("# Cable × 10")
    assert "**Pat** → everyone · round 1" in text and "> 6 then." in text
    assert "_Offer: 3.50 per unit × 10 (NOT binding)_" in text
    assert "offer_below_floor" in text and "**Deal** with Acme: 6.00 per unit × 10 = 60.00" in text
    assert "think first" not in text  # hidden reasoning never shown as a message


def test_write_json_is_atomic_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "out" / "log.json"
    write_json(target, {"a": 1})
    write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert os.listdir(target.parent) == ["log.json"]
    with pytest.raises(ValueError):
        write_json(target, {"a": float("nan")})
    assert json.loads(target.read_text()) == {"a": 2}  # a failed write leaves the old file whole
    assert os.listdir(target.parent) == ["log.json"]

