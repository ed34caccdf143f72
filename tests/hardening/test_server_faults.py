"""The model server failing in every way we know, end to end: engine + recorder + SQLite file + fake server.

Each test asserts the run's outcome, the words a person sees (ErrorRaised / SellerSilent), that the rules
held, and that everything the engine said before (and after) the fault is in the database.
"""
from __future__ import annotations

import asyncio

import pytest

from negotiator_app.domain import RunState
from negotiator_app.engine import (
    ErrorRaised, MessageCompleted, MessageStarted, ParseFailed, RunFinished, SellerSilent, TokenDelta,
)
from tests.engine.support import Script, cheapest_standing, make_config, target
from tests.fakes.fake_lmstudio import FakeLMStudio, FakeReply
from tests.hardening.support import Harness, assert_everything_stored, assert_rules_hold
from tests.llm.support import closed_port_url
from tests.waiting import until


def walk_after(rounds: int):
    return lambda r, b: ({"decision": "continue", "seller": None, "message": f"Round {r} done, lower?"} if r < rounds
                         else {"decision": "walk_away", "seller": None, "message": "Bye."})


def accept_a(r, body):
    if r < 2:
        return {"decision": "continue", "seller": None, "message": "Lower, please."}
    return {"decision": "accept", "seller": "Seller A", "message": "Deal."}


def accept_cheapest(r, body):
    if r < 2:
        return {"decision": "continue", "seller": None, "message": "Lower, please."}
    return {"decision": "accept", "seller": cheapest_standing(body)[0], "message": "Deal."}


def run_session(base_url, config, db, **options) -> Harness:
    async def main():
        h = await Harness.open(base_url, config, db, **options)
        try:
            await h.run_all()
        finally:
            await h.close(close_store=False)
        return h
    return asyncio.run(main())


# ----- the server is not there ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["fake-model", None], ids=["model-configured", "model-from-server"])
def test_server_unreachable_at_start_every_room_ends_in_error_saying_so(tmp_path, model):
    url = closed_port_url()
    config = make_config(2, items=2)
    if model is None:
        config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": ""})})
    h = run_session(url, config, tmp_path / "db.sqlite3", max_retries=0)
    for room in h.engine.rooms.values():
        assert room.state == RunState.ERROR and room.transcript == []
        assert_everything_stored(h.store, room)
        stored = h.store.load_run(room.run_id)
        assert [e.kind for e in stored.events][-1] == "error"
        assert f"LM Studio is not running at {url}" in stored.events[-1].text
    assert len(h.fatal_errors()) == 2
    assert all(f"LM Studio is not running at {url}" in m for m in h.fatal_errors())
    h.store.close()


def test_model_not_loaded_ends_the_run_naming_the_model_to_load(tmp_path):
    config = make_config(2)
    config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": "qwen-not-loaded"})})
    with FakeLMStudio() as fake:
        fake.strict_models = True
        fake.responder = Script()
        h = run_session(fake.base_url, config, tmp_path / "db.sqlite3")
    assert h.room.state == RunState.ERROR
    [fatal] = h.fatal_errors()
    assert "The model 'qwen-not-loaded' is not available on the server. Load it in LM Studio" in fatal
    assert_everything_stored(h.store, h.room)
    h.store.close()


def test_a_server_with_no_model_at_all_says_to_load_one(tmp_path):
    config = make_config(1)
    config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": ""})})
    with FakeLMStudio() as fake:
        fake.models = []
        h = run_session(fake.base_url, config, tmp_path / "db.sqlite3")
    assert h.room.state == RunState.ERROR
    assert "offers no model" in h.fatal_errors()[0] and "load a model in LM Studio" in h.fatal_errors()[0]
    assert h.store.load_run(h.room.run_id).state == RunState.ERROR
    h.store.close()


# ----- the server dies, hangs, or answers with errors ------------------------------------------------


def test_server_killed_mid_stream_keeps_every_message_and_the_partial_text(tmp_path):
    config = make_config(2)

    def sell(name, r, body):
        slow = 0.05 if (r == 2 and name == "Seller B") else 0.0
        words = "I could perhaps consider a small discount if you commit today, " * 3
        return FakeReply(content=f'{{"message": "{words}", "offer_price": {target(body)}, "offer_quantity": null}}',
                         token_delay_s=slow)

    with FakeLMStudio() as fake:
        fake.responder = Script(sell=sell, decide=walk_after(10))

        async def main():
            h = await Harness.open(fake.base_url, config, tmp_path / "db.sqlite3", max_retries=0)
            tasks = h.runtime.start_all()
            def b_round_2_on_screen() -> str:
                started = {e.stream_id for e in h.events if isinstance(e, MessageStarted)
                           and e.sender == "Seller B" and e.round == 2}
                return "".join(e.text for e in h.events if isinstance(e, TokenDelta) and e.stream_id in started)

            # A few words of Seller B's round-2 reply are shown.
            await until(lambda: "perhaps" in b_round_2_on_screen(), timeout=30, interval=0.005,
                        what="Seller B's round-2 reply to start")
            fake.stop()  # the LM Studio process is killed
            await asyncio.wait_for(asyncio.gather(*tasks), 20)
            await h.close(close_store=False)
            return h
        h = asyncio.run(main())
    room = h.room
    assert room.state == RunState.ERROR
    [fatal] = h.fatal_errors()
    assert "LM Studio is not running at" in fatal or "connection to the model server broke" in fatal
    # Seller B's broken reply: what it said so far is kept, marked interrupted, and it is reported silent.
    b2 = [m for m in room.transcript if m.sender == "Seller B" and m.round == 2]
    assert len(b2) == 1 and b2[0].interrupted and b2[0].text.startswith("I could perhaps")
    silent = [s for s in h.of(SellerSilent) if s.seller == "Seller B" and s.round == 2]
    assert silent and "connection to the model server broke" in silent[0].reason
    assert [o.seller for o in room.offer_history if o.round == 2] == ["Seller A"]  # no offer from half a reply
    assert_rules_hold(room)
    assert_everything_stored(h.store, room)
    assert len([m for m in h.store.load_run(room.run_id).messages if m.round == 1]) == 3
    h.store.close()


def test_a_server_that_never_answers_times_out_with_a_clear_message_and_the_run_goes_on(tmp_path):
    def sell(name, r, body):
        if name == "Seller B" and r == 1:
            return FakeReply(fault="hang")
        return {"message": f"{name} here.", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        fake.responder = Script(sell=sell, decide=accept_a)
        h = run_session(fake.base_url, make_config(2), tmp_path / "db.sqlite3", read_timeout=0.3)
    assert h.room.state == RunState.DECIDED and h.room.outcome.seller == "Seller A"
    [silent] = h.of(SellerSilent)
    assert silent.seller == "Seller B" and silent.round == 1
    assert "did not answer within 0.3 s" in silent.reason and "raise the read timeout" in silent.reason
    assert_rules_hold(h.room)
    assert_everything_stored(h.store, h.room)
    assert any(e.kind == "seller_silent" for e in h.store.load_run(h.room.run_id).events)
    h.store.close()


def test_a_hanging_buyer_ends_the_run_in_error_after_its_retries(tmp_path):
    def decide(r, body):
        return FakeReply(fault="hang")

    with FakeLMStudio() as fake:
        fake.responder = Script(decide=decide)
        h = run_session(fake.base_url, make_config(2), tmp_path / "db.sqlite3", read_timeout=0.2)
    assert h.room.state == RunState.ERROR
    [fatal] = h.fatal_errors()
    assert fatal.startswith("The buyer could not speak after 3 attempts: The server at")
    assert "did not answer within 0.2 s" in fatal
    assert len([m for m in h.room.transcript if m.role == "seller"]) == 2  # round 1 is kept
    assert_everything_stored(h.store, h.room)
    h.store.close()


@pytest.mark.parametrize("status, body", [(429, "Too many requests, slow down"), (500, "Internal server error"),
                                          (503, "Model is busy")])
def test_429_and_5xx_are_retried_and_the_run_finishes_as_if_nothing_happened(tmp_path, status, body):
    with FakeLMStudio() as fake:
        fake.responder = Script(decide=accept_a)
        fake.fail_next = [FakeReply(fault="status", status=status, body=body)] * 2
        h = run_session(fake.base_url, make_config(2), tmp_path / "db.sqlite3", max_retries=2)
    assert h.room.state == RunState.DECIDED
    assert not h.of(ErrorRaised) and not h.of(SellerSilent)
    assert len(fake.requests) == 2 + 1 + 2 * 2 + 2  # 2 failed + opening + 2 rounds of 2 sellers + 2 decisions
    assert_rules_hold(h.room)
    assert_everything_stored(h.store, h.room)
    h.store.close()


def test_a_5xx_that_does_not_go_away_ends_the_run_with_the_servers_words(tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = lambda body: FakeReply(fault="status", status=500, body="CUDA error: out of memory")
        h = run_session(fake.base_url, make_config(2), tmp_path / "db.sqlite3", max_retries=1)
    assert h.room.state == RunState.ERROR
    [fatal] = h.fatal_errors()
    assert "HTTP 500: CUDA error: out of memory" in fatal
    assert h.store.load_run(h.room.run_id).state == RunState.ERROR
    h.store.close()


@pytest.mark.parametrize("fault", ["garbage", "stream_error"])
def test_malformed_sse_is_reported_and_reasked_and_nothing_else_is_lost(tmp_path, fault):
    served: dict[str, int] = {}

    def sell(name, r, body):
        served[name] = served.get(name, 0) + 1
        if name == "Seller A" and served[name] == 1:
            return FakeReply(content='{"message": "this will break mid way", "offer_price": 1}', fault=fault,
                             drop_after=6, body="llama_decode failed")
        return {"message": f"{name} offers.", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        fake.responder = Script(sell=sell, decide=accept_a)
        h = run_session(fake.base_url, make_config(2), tmp_path / "db.sqlite3")
    room = h.room
    assert room.state == RunState.DECIDED
    if fault == "garbage":  # bytes that are not SSE: unreadable, asked again at once
        [failed] = h.of(ParseFailed)
        assert failed.agent == "Seller A" and failed.will_retry and "could not be read" in failed.reason
        assert h.store.load_run(room.run_id).parse_failures == 1
        assert [m.text for m in room.transcript if m.sender == "Seller A"][0] == "Seller A offers."
    else:  # an error event inside the stream: a server error, the partial text is kept
        [silent] = h.of(SellerSilent)
        assert "llama_decode failed" in silent.reason
        partial = [m for m in room.transcript if m.sender == "Seller A" and m.round == 1]
        assert partial and partial[0].interrupted
    assert not [o for o in room.offer_history if o.price_per_unit == 1]  # never an offer from a broken stream
    assert_rules_hold(room)
    assert_everything_stored(h.store, room)
    h.store.close()


@pytest.mark.parametrize("form", ["error", "empty"])
def test_context_overflow_in_both_forms_ends_the_run_saying_what_to_do(tmp_path, form):
    # The engine believes the model has 16k tokens of context; the server really has 700.
    config = make_config(2, context_tokens=16384)
    long_words = "A long sales pitch about widget quality and service. " * 5

    def sell(name, r, body):
        return {"message": f"{name}: {long_words}", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        fake.context_limit, fake.context_overflow = 700, form
        fake.responder = Script(sell=sell, decide=walk_after(10))
        h = run_session(fake.base_url, config, tmp_path / "db.sqlite3")
    room = h.room
    assert room.state == RunState.ERROR
    [fatal] = h.fatal_errors()
    assert "no longer fits in the context window of 'fake-model'" in fatal
    assert "larger context length" in fatal
    assert room.transcript and room.round >= 2  # it worked until the conversation grew
    assert_rules_hold(room)
    assert_everything_stored(h.store, room)
    assert h.of(RunFinished)[-1].state == RunState.ERROR
    h.store.close()


def test_every_room_of_a_session_survives_one_rooms_server_trouble(tmp_path):
    """Three rooms share the server; one room's seller keeps failing, the others finish with deals."""
    def sell(name, r, body):
        if "Widget B" in body["messages"][0]["content"] and name == "Seller A":
            return FakeReply(fault="drop", drop_after=0)
        return {"message": f"{name} offers.", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        fake.responder = Script(sell=sell, decide=accept_cheapest)
        h = run_session(fake.base_url, make_config(2, items=3), tmp_path / "db.sqlite3")
    states = {key: room.state for key, room in h.engine.rooms.items()}
    assert states == {"room-1": RunState.DECIDED, "room-2": RunState.DECIDED, "room-3": RunState.DECIDED}
    assert {s.seller for s in h.of(SellerSilent)} == {"Seller A"}
    for room in h.engine.rooms.values():
        assert_rules_hold(room)
        assert_everything_stored(h.store, room)
    assert h.engine.rooms["room-2"].outcome.seller == "Seller B"
    assert sum(isinstance(e, MessageCompleted) for e in h.events) == sum(
        len(h.store.load_run(r.run_id).messages) for r in h.engine.rooms.values())
    h.store.close()
