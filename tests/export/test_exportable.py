"""Every stored session exports: non-finite offer prices become null (as the schema says) and a session stored
before prices were bounded (a deal totalling infinity) still exports and opens."""
from __future__ import annotations

import json
import math

import jsonschema

from negotiator_app.domain import Offer, Outcome, OutcomeKind, RunState, SessionConfig
from negotiator_app.domain.config import STORED
from negotiator_app.engine import OfferMade, RunFinished, RunStarted
from negotiator_app.export import import_session, run_log, session_log, write_json
from negotiator_app.paths import resource_path
from tests.storage.support import RUN_CABLES, T0, cable_events, record, small_config


def schema(name: str) -> dict:
    return json.loads(resource_path("schemas", name).read_text(encoding="utf-8"))


def test_non_finite_offer_prices_export_as_null_and_import_back(store, tmp_path):
    session_id = store.create_session(small_config()).id
    events = cable_events()
    for price in (math.nan, math.inf):
        events.insert(-1, OfferMade(room="room-1", run_id=RUN_CABLES, offer=Offer(
            seller="Bolt", price_per_unit=price, quantity=10, round=2, message_seq=2, binding=False)))
    record(store, session_id, events).close()
    doc = session_log(store, session_id)
    prices = [o["price_per_unit"] for o in doc["rooms"][0]["runs"][0]["offers"]]
    assert prices[-2:] == [None, None]
    jsonschema.validate(doc, schema("session_log.schema.json"))
    jsonschema.validate(run_log(store, RUN_CABLES), schema("run_log.schema.json"))
    imported = import_session(store, write_json(tmp_path / "s.json", doc))
    assert [math.isnan(o.price_per_unit) for o in store.load_run(store.list_runs(imported.id)[0].run_id).offers
            if not o.binding][-2:] == [True, True]


def test_a_session_stored_before_the_bounds_still_opens_and_exports(store, tmp_path):
    data = small_config().model_dump()
    data["buyer"]["items"][0]["max_price"] = 1e308
    data["sellers"][1]["inventory"][0]["selling_price"] = 1e308
    legacy = SessionConfig.model_validate(data, context=STORED)  # as an older version would have stored it
    session_id = store.create_session(legacy).id
    e = dict(room="room-1", run_id=RUN_CABLES)
    huge = Offer(seller="Acme", price_per_unit=1e308, quantity=10, round=1, message_seq=2)
    record(store, session_id, [
        RunStarted(**e, item="Cable", quantity=10, sellers=["Bolt", "Acme"], buyer="Pat", buyer_mode="ai",
                   max_rounds=5, model="m1", at=T0),
        *[ev for ev in cable_events()[3:5]],
        OfferMade(**e, offer=huge),
        RunFinished(**e, state=RunState.DECIDED, rounds=1, at=T0, outcome=Outcome(
            kind=OutcomeKind.DEAL, seller="Acme", price_per_unit=1e308, quantity=10, reason="legacy")),
    ], legacy).close()
    assert store.get_session(session_id).config.buyer.items[0].max_price == 1e308  # still opens
    path = write_json(tmp_path / "legacy.json", session_log(store, session_id))  # infinity total -> null
    run = json.loads(path.read_text())["rooms"][0]["runs"][0]
    assert run["metrics"]["total"] is None and run["outcome"]["price_per_unit"] == 1e308
