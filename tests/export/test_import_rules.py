"""`import` refuses logs that break the negotiation rules or the session's room plan, says where, writes nothing."""
from __future__ import annotations

import copy
import json

import pytest

from negotiator_app.export import ImportError_, import_session, session_log, write_json
from tests.storage.support import scripted_session


@pytest.fixture
def exported(store):
    """A valid session log exported from the store (room-1: Acme's 6.00 accepted for 10 cables; room-2: no deal)."""
    return copy.deepcopy(session_log(store, scripted_session(store)))


def cables(doc: dict) -> dict:
    return doc["rooms"][0]["runs"][0]


def deal_at_999(doc):
    cables(doc)["outcome"]["price_per_unit"] = 999


def deal_under_the_floor(doc):
    cables(doc)["outcome"]["price_per_unit"] = 3.5


def deal_for_a_million_units(doc):
    cables(doc)["outcome"]["quantity"] = 1_000_000


def run_filed_under_another_items_room(doc):
    doc["rooms"][1]["runs"].append(doc["rooms"][0]["runs"].pop())


def room_99(doc):
    doc["rooms"][0]["room_key"] = "room-99"
    cables(doc)["room_key"] = "room-99"


def offer_pointing_at_no_message(doc):
    cables(doc)["offers"][0]["message_seq"] = 77


def offer_pointing_at_another_sellers_message(doc):
    cables(doc)["offers"][0]["message_seq"] = 3  # Acme's message, Bolt's offer


def violation_by_an_unknown_agent(doc):
    cables(doc)["violations"][0]["agent"] = "Mallory"


def unknown_speaker_added_to_the_participants(doc):
    run = cables(doc)
    run["participants"].append("Mallory")
    run["messages"][1]["sender"] = "Mallory"


def seller_message_with_the_buyers_role(doc):
    cables(doc)["messages"][1]["role"] = "buyer"


def run_config_differs_from_the_session(doc):
    cables(doc)["config"]["sellers"][1]["inventory"][0]["least_price"] = 5


def binding_offer_above_the_ask(doc):
    cables(doc)["offers"][0]["price_per_unit"] = 999


def binding_offer_beyond_stock(doc):
    cables(doc)["offers"][0]["quantity"] = 21


def deal_on_a_refused_offer(doc):
    cables(doc)["outcome"]["price_per_unit"] = 3.5
    cables(doc)["offers"].pop(2)  # Acme's only remaining offer is the refused one (below its floor)


def message_longer_than_the_engine_allows(doc):
    cables(doc)["messages"][0]["text"] = "x" * 5_000


def event_note_longer_than_the_app_writes(doc):
    cables(doc)["events"][0]["detail"] = "x" * 50_000


def participant_listed_twice(doc):
    cables(doc)["participants"].append("Bolt")


def unknown_schema_version(doc):
    doc["schema_version"] = 999


CASES = [
    (deal_at_999, "rooms[0].runs[0].outcome.price_per_unit: 999 is above the buyer's max price 8"),
    (deal_under_the_floor, "rooms[0].runs[0].outcome.price_per_unit: 3.5 is below the least price of seller 'Acme' (4)"),
    (deal_for_a_million_units, "rooms[0].runs[0].outcome.quantity: 1,000,000 units, but the buyer needs 10"),
    (run_filed_under_another_items_room, "rooms[1].runs[1].room_key: 'room-1', but the run is filed under room-2"),
    (room_99, "rooms[0].room_key: 'room-99' is not a room of this session (its rooms: room-1, room-2)"),
    (offer_pointing_at_no_message, "rooms[0].runs[0].offers[0].message_seq: there is no message 77 in this run"),
    (offer_pointing_at_another_sellers_message,
     "rooms[0].runs[0].offers[0].message_seq: message 3 was written by 'Acme', not by 'Bolt'"),
    (violation_by_an_unknown_agent, "rooms[0].runs[0].violations[0].agent: 'Mallory' is not a participant of this run"),
    (unknown_speaker_added_to_the_participants,
     "rooms[0].runs[0].participants: 'Mallory' is not a seller in room-1 (its sellers: Bolt, Acme)"),
    (seller_message_with_the_buyers_role, "rooms[0].runs[0].messages[1].role: buyer, but 'Bolt' is the seller"),
    (run_config_differs_from_the_session, "rooms[0].runs[0].config.sellers: differs from the session's configuration"),
    (binding_offer_above_the_ask,
     "rooms[0].runs[0].offers[0].price_per_unit: 999 is above the selling price of seller 'Bolt' (10) (marked binding)"),
    (binding_offer_beyond_stock,
     "rooms[0].runs[0].offers[0].quantity: 21 is more than seller 'Bolt' has in stock (20) (marked binding)"),
    (deal_on_a_refused_offer, "rooms[0].runs[0].outcome.seller: 'Acme' has no standing binding offer in this run"),
    (message_longer_than_the_engine_allows,
     "rooms[0].runs[0].messages[0].text: 5,000 characters, more than a message can have (1,000)"),
    (event_note_longer_than_the_app_writes,
     "rooms[0].runs[0].events[0].detail: 50,000 characters, more than the app writes (5,000)"),
    (participant_listed_twice, "rooms[0].runs[0].participants: a name is listed twice"),
    (unknown_schema_version, "schema_version: 999 is not a log version this app reads (it reads versions 1 and 2)"),
]


@pytest.mark.parametrize(("doctor", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_doctored_log_is_refused_with_its_location_and_nothing_is_written(store, exported, tmp_path, doctor,
                                                                            expected):
    doctor(exported)
    path = write_json(tmp_path / "doctored.json", exported)
    before = store.list_sessions()
    with pytest.raises(ImportError_) as caught:
        import_session(store, path)
    assert expected in caught.value.errors, caught.value.errors
    assert store.list_sessions() == before


def test_the_valid_log_still_imports(store, exported, tmp_path):
    path = write_json(tmp_path / "valid.json", exported)
    imported = import_session(store, path)
    assert imported.run_count == 2
    assert json.loads(path.read_text())["rooms"][0]["runs"][0]["outcome"]["price_per_unit"] == 6.0
