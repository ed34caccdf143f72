"""Failures (a seller failing, the server dying, garbage), the shared request limit, the context budget."""
import asyncio
import json

from negotiator_app.domain import RunState
from negotiator_app.engine import (
    ErrorRaised, MessageDiscarded, ParseFailed, SellerSilent,
)
from tests.engine.support import (
    Script, buyer_requests, engine_for, make_config, seller_requests, target, wait_for,
)
from tests.fakes.fake_lmstudio import FakeLMStudio, FakeReply


def walk_after(rounds):
    return lambda r, b: ({"decision": "continue", "seller": None, "message": f"Round {r} done, lower?"} if r < rounds
                         else {"decision": "walk_away", "seller": None, "message": "Bye."})


def run_one(fake, config, script):
    fake.responder = script

    async def main():
        engine, events, client = await engine_for(fake, config)
        room = next(iter(engine.rooms.values()))
        await room.start()
        await client.aclose()
        return room, events
    return asyncio.run(main())


def test_one_failing_seller_is_marked_silent_and_asked_again_next_round():
    def sell(name, r, body):
        if name == "Seller B" and r == 1:
            return FakeReply(fault="status", status=500, body="CUDA out of memory")
        return {"message": f"{name} here.", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        room, events = run_one(fake, make_config(2), Script(sell=sell, decide=walk_after(2)))
    silent = events.of(SellerSilent)
    assert [(s.seller, s.round) for s in silent] == [("Seller B", 1)]
    assert "CUDA out of memory" in silent[0].reason
    assert room.state == RunState.NO_DEAL  # the run went on
    assert [m.round for m in room.transcript if m.sender == "Seller B"] == [2]


def test_server_dying_mid_run_ends_in_error_with_an_actionable_message_and_keeps_the_transcript():
    with FakeLMStudio() as fake:
        fake.responder = Script(decide=walk_after(50))

        async def main():
            engine, events, client = await engine_for(fake, make_config(2))
            room = next(iter(engine.rooms.values()))
            room.start()
            await wait_for(lambda: room.round >= 2)
            fake.stop()  # the server process goes away
            state = await room.task
            await client.aclose()
            return room, events, state
        room, events, state = asyncio.run(main())
    assert state == RunState.ERROR
    fatal = [e for e in events.of(ErrorRaised) if e.fatal]
    assert len(fatal) == 1
    assert "not running at" in fatal[0].message or "No seller has answered" in fatal[0].message
    assert len([m for m in room.transcript if m.role == "seller"]) >= 2


def test_garbage_replies_are_parse_failures_reasked_once_then_the_seller_is_silent():
    def sell(name, r, body):
        if name == "Seller A":
            return '{"message": "half a json'  # never valid
        return {"message": "fine", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        room, events = run_one(fake, make_config(2), Script(sell=sell, decide=walk_after(1)))
    failures = events.of(ParseFailed)
    assert [(f.agent, f.will_retry) for f in failures] == [("Seller A", True), ("Seller A", False)]
    assert len(seller_requests(fake, "Seller A")) == 2
    assert "could not be used" in seller_requests(fake, "Seller A")[1]["messages"][-1]["content"]
    assert [e.sender for e in events.of(MessageDiscarded)] == ["Seller A", "Seller A"]
    assert [s.seller for s in events.of(SellerSilent)] == ["Seller A"]
    assert all(m.sender != "Seller A" for m in room.transcript)
    assert room.state == RunState.NO_DEAL


def test_a_reply_readable_on_the_second_try_is_used():
    answers = iter(["not json at all {", json.dumps({"message": "ok now", "offer_price": 100, "offer_quantity": 2})])

    def sell(name, r, body):
        return next(answers)

    with FakeLMStudio() as fake:
        room, events = run_one(fake, make_config(1), Script(sell=sell, decide=walk_after(1)))
    assert [m.text for m in room.transcript if m.role == "seller"] == ["ok now"]
    assert room.offer_history[0].price_per_unit == 100


def test_no_seller_answering_for_three_rounds_ends_the_run_in_error():
    def sell(name, r, body):
        return FakeReply(fault="status", status=500, body="model crashed")

    with FakeLMStudio() as fake:
        room, events = run_one(fake, make_config(2), Script(sell=sell, decide=walk_after(10)))
    assert room.state == RunState.ERROR
    assert "No seller has answered for 3 rounds" in [e for e in events.of(ErrorRaised) if e.fatal][0].message
    assert room.round == 3


def test_the_shared_limit_holds_across_rooms_and_serves_rooms_fairly():
    config = make_config(5, items=3, concurrency=2)
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        fake.responder = Script(decide=walk_after(2))

        async def main():
            engine, events, client = await engine_for(fake, config)
            states = await asyncio.gather(*engine.start_all())
            await client.aclose()
            return states
        states = asyncio.run(main())
    assert states == [RunState.NO_DEAL] * 3
    assert fake.max_in_flight == 2
    # Fairness: the first 6 requests served come from all three rooms, not one room's 5 sellers first.
    first_rooms = [json.dumps(b["messages"][0]["content"]).split("wants to buy ")[-1][:8]
                   if "seller" in b["messages"][0]["content"] else b["messages"][0]["content"].split("units of ")[1][:8]
                   for b in fake.requests[:6]]
    assert len(set(first_rooms)) == 3


def test_a_forty_round_run_fits_a_context_limit_the_server_enforces():
    config = make_config(3, rounds=40, context_tokens=1536)
    long_words = "This is a long and winding sales pitch about widget quality. " * 4

    def sell(name, r, body):
        return {"message": f"{name} r{r}: {long_words}", "offer_price": target(body), "offer_quantity": None}

    with FakeLMStudio() as fake:
        fake.context_limit = 1536
        room, events = run_one(fake, config, Script(decide=lambda r, b: {
            "decision": "continue", "seller": None, "message": f"Round {r}: {long_words}"}))
    assert room.state == RunState.NO_DEAL and room.round == 40
    assert not events.of(ErrorRaised) and not events.of(SellerSilent)
    late = [b for b in fake.requests if "[Round 39 of 40" in b["messages"][-1]["content"]]
    assert late and all("earlier messages omitted" in b["messages"][-1]["content"] for b in late)
    # Constraints (system prompt) and standing offers (last message) are always kept.
    for body in buyer_requests(fake)[1:]:
        assert "never pay more than" in body["messages"][0]["content"]
        assert "Standing offers" in body["messages"][-1]["content"]
