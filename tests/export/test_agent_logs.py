"""Who played each agent, stored and exported: how each message was produced (kind, model, temperature, seed,
latency, failed attempts), the run's seed and its disclosures, in the database, the logs and the summary;
version-1 logs still import."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import jsonschema
import pytest

from negotiator_app.domain import AgentConfig, AgentKind, load_scenario
from negotiator_app.export import run_log, session_log
from negotiator_app.export.importer import import_session
from negotiator_app.export.schemas import SCHEMA_FILES
from negotiator_app.runtime import SessionRuntime, client_factory
from tests.domain.builders import SCENARIO_DIR
from tests.engine.support import Script, make_config
from tests.engine.test_agents import NoServer, with_agents
from tests.fakes.fake_lmstudio import FakeLMStudio

SCHEMAS = SCHEMA_FILES


def run_session(store, config, base_url, seed=5):
    session_id = store.create_session(config).id

    async def main():
        runtime = SessionRuntime(store, session_id, client_factory(base_url))
        room = next(iter(runtime.engine.rooms.values()))
        await room.start(seed=seed)
        await runtime.close()
        return room.run_id
    return session_id, asyncio.run(main())


def test_a_strategy_session_is_stored_and_exported_with_its_seed_and_producers(store):
    config = load_scenario(SCENARIO_DIR / "classic_negotiators.json")
    session_id, run_id = run_session(store, config, NoServer.base_url, seed=11)
    assert store.get_session(session_id).config == config  # agents survive the database
    record = store.load_run(run_id)
    assert record.seed == 11 and record.outcome.kind == "deal"
    assert {m.produced_by.agent_kind for m in record.messages} == {AgentKind.STRATEGY}
    doc = run_log(store, run_id)
    jsonschema.validate(doc, json.loads(json.dumps(SCHEMAS["run_log.schema.json"].model_json_schema())))
    assert doc["schema_version"] == 2 and doc["run"]["seed"] == 11
    assert all(m["produced_by"]["agent_kind"] == "strategy" and m["produced_by"]["seed"] == 11
               for m in doc["run"]["messages"])
    assert {a["played_by"] for a in doc["run"]["metrics"]["agents"]} == {
        "Boulware strategy", "Linear strategy", "Conceder strategy", "Tit-for-tat strategy"}


def test_per_agent_models_are_tagged_in_the_database_and_the_export(store, tmp_path):
    config = with_agents(make_config(2), buyer=AgentConfig(model="buyer-model"),
                         **{"Seller A": AgentConfig(model="seller-a-model", temperature=0.3)})
    def decide(r, body):
        return {"decision": "continue" if r < 2 else "walk_away", "seller": None, "message": "Lower?"}
    with FakeLMStudio() as fake:
        fake.responder = Script(decide=decide)
        _, run_id = run_session(store, config, fake.base_url)
    expected = {"Buyer": "buyer-model", "Seller A": "seller-a-model", "Seller B": "fake-model"}
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT m.sender, p.model, p.agent_kind FROM messages m "
                            "JOIN message_productions p ON p.message_id = m.id").fetchall()
    assert rows and {sender: model for sender, model, _ in rows} == expected
    doc = session_log(store, store.list_sessions()[0].id)
    messages = doc["rooms"][0]["runs"][0]["messages"]
    assert {m["sender"]: m["produced_by"]["model"] for m in messages} == expected
    assert doc["models"] == ["buyer-model", "fake-model", "seller-a-model"]
    agents = {a["agent"]: a for a in doc["metrics"]["agents"]}
    assert agents["Seller A"]["models"] == ["seller-a-model"] and agents["Seller A"]["played_by"] == "model seller-a-model"


def test_disclosures_are_stored_exported_and_counted(store):
    def sell(name, r, body):
        return {"message": "My cost is 40.00. I offer 110.", "offer_price": 110, "offer_quantity": 2}
    def decide(r, body):
        return {"decision": "walk_away", "seller": None, "message": "No."}
    with FakeLMStudio() as fake:
        fake.responder = Script(sell=sell, decide=decide)
        session_id, run_id = run_session(store, make_config(1), fake.base_url)
    assert [(d.agent, d.secret, d.value) for d in store.load_run(run_id).disclosures] == [("Seller A", "cost", 40.0)]
    doc = session_log(store, session_id)
    assert doc["rooms"][0]["runs"][0]["disclosures"][0]["secret"] == "cost"
    assert doc["metrics"]["disclosures"] == 1 and doc["metrics"]["disclosures_by_secret"] == {"cost": 1}
    imported = import_session(store, doc)
    again = store.load_run(store.list_runs(imported.id)[0].run_id)
    assert [(d.agent, d.secret) for d in again.disclosures] == [("Seller A", "cost")]


def as_version_1(doc: dict) -> dict:
    """The same log as a version-1 app wrote it: no producers, seeds, disclosures or agents."""
    doc = json.loads(json.dumps(doc))
    doc["schema_version"] = 1
    doc["session"]["config"]["schema_version"] = 1
    for room in doc["rooms"]:
        for run in room["runs"]:
            run["config"]["schema_version"] = 1
            del run["seed"], run["disclosures"]
            for m in run["messages"]:
                del m["produced_by"]
            for a in (run["metrics"] or {}).get("agents", []):
                del a["played_by"], a["models"], a["disclosures"]
            for key in ("disclosures", "disclosures_by_secret"):
                run["metrics"].pop(key, None)
    for key in ("disclosures", "disclosures_by_secret"):
        doc["metrics"].pop(key, None)
    for a in doc["metrics"]["agents"]:
        del a["played_by"], a["models"], a["disclosures"]
    return doc


@pytest.mark.parametrize("version", [1, 2])
def test_the_importer_reads_version_1_and_version_2_logs(store, version):
    config = load_scenario(SCENARIO_DIR / "classic_negotiators.json")
    session_id, _ = run_session(store, config, NoServer.base_url, seed=2)
    doc = session_log(store, session_id)
    if version == 1:
        doc = as_version_1(doc)
    imported = import_session(store, doc)
    record = store.load_run(store.list_runs(imported.id)[0].run_id)
    assert len(record.messages) == len(doc["rooms"][0]["runs"][0]["messages"])
    assert (record.seed, record.messages[0].produced_by is not None) == ((2, True) if version == 2 else (None, False))
