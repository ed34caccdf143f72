"""The person in the loop: typed messages, Person mode, pause/resume, stop mid-stream, forced decisions."""
import asyncio

import pytest

from negotiator_app.domain import BuyerMode, OutcomeKind, RunState
from negotiator_app.engine import (
    DecisionMade, ForceAccept, ForceBuyerDecides, ForceNoDeal, InputError, MessageCompleted, RunFinished,
    TokenDelta,
)
from tests.engine.support import Script, buyer_requests, engine_for, make_config, prompt_text, seller_requests, wait_for
from tests.fakes.fake_lmstudio import FakeLMStudio


async def setup(fake, config=None, script=None):
    fake.responder = script or Script()
    engine, events, client = await engine_for(fake, config or make_config(2))
    return next(iter(engine.rooms.values())), events, client


def seller_msgs(events):
    return [e.message for e in events.of(MessageCompleted) if e.message.role == "seller"]


def test_typed_message_while_idle_starts_a_run_with_it_as_the_opening():
    with FakeLMStudio() as fake:
        async def main():
            room, events, client = await setup(fake, script=Script(decide=lambda r, b: {
                "decision": "walk_away", "seller": None, "message": "Bye."}))
            room.send("@Seller A do you have 2 widgets for 55?")
            await room.task
            await client.aclose()
            return room, events
        room, events = asyncio.run(main())
    opening = room.transcript[0]
    assert opening.typed_by_person and opening.recipients == ["Seller A"]
    assert not [b for b in buyer_requests(fake) if "Start the negotiation" in prompt_text(b)]
    assert "do you have 2 widgets for 55?" in prompt_text(seller_requests(fake, "Seller A")[0])
    assert seller_requests(fake, "Seller B") == []


def test_typed_message_during_autopilot_replaces_the_ai_buyers_next_turn():
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        async def main():
            script = Script(decide=lambda r, b: {"decision": "continue", "seller": None, "message": f"AI round {r}"}
                            if r < 2 else {"decision": "walk_away", "seller": None, "message": "Bye."})
            room, events, client = await setup(fake, script=script)
            room.start()
            await wait_for(lambda: len(fake.requests) >= 1)  # the AI buyer is writing its opening
            room.send("Typed by me: final offers please")
            await room.task
            await client.aclose()
            return room
        room = asyncio.run(main())
    texts = [m.text for m in room.transcript if m.role == "buyer"]
    assert "Typed by me: final offers please" in texts
    assert "AI round 1" not in texts  # the AI's round-1 decision turn was replaced
    typed = next(m for m in room.transcript if m.typed_by_person)
    assert typed.round == 2


def test_unknown_mention_is_refused_with_the_valid_names():
    with FakeLMStudio() as fake:
        async def main():
            room, events, client = await setup(fake)
            with pytest.raises(InputError) as refused:
                room.send("@Zorro give me a price")
            await client.aclose()
            return room, refused.value
        room, error = asyncio.run(main())
    assert "@Zorro" in str(error) and "@Seller A" in str(error) and "@Seller B" in str(error)
    assert room.state == RunState.IDLE and fake.requests == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_message_length_is_checked(text):
    with FakeLMStudio() as fake:
        async def main():
            room, _, client = await setup(fake)
            with pytest.raises(InputError):
                room.send(text)
            await client.aclose()
        asyncio.run(main())


def test_person_mode_waits_for_typed_messages_and_sellers_still_answer():
    with FakeLMStudio() as fake:
        async def main():
            room, events, client = await setup(fake, config=make_config(2, max_price=150))
            room.set_mode(BuyerMode.PERSON)
            room.start()
            await wait_for(lambda: room.state == RunState.AWAITING_PERSON)
            room.send("Hello both, price for 2?")
            await wait_for(lambda: len(seller_msgs(events)) == 2 and room.state == RunState.AWAITING_PERSON)
            room.send("@Seller B can you beat that?")
            await wait_for(lambda: len(seller_msgs(events)) == 3 and room.state == RunState.AWAITING_PERSON)
            room.force(ForceAccept("Seller B"))
            await room.task
            await client.aclose()
            return room, events
        room, events = asyncio.run(main())
    assert buyer_requests(fake) == []  # the AI buyer never spoke
    assert room.outcome.kind == OutcomeKind.DEAL and room.outcome.seller == "Seller B"
    assert events.of(DecisionMade)[-1].by == "forced"


def test_force_accept_of_an_invalid_offer_is_refused():
    with FakeLMStudio() as fake:
        async def main():
            room, events, client = await setup(fake, config=make_config(2, max_price=61))
            room.set_mode(BuyerMode.PERSON)
            room.start()
            await wait_for(lambda: room.state == RunState.AWAITING_PERSON)
            room.send("Prices?")
            await wait_for(lambda: len(room.standing) == 2 and room.state == RunState.AWAITING_PERSON)
            with pytest.raises(InputError, match="max price"):
                room.force(ForceAccept("Seller B"))  # Seller B's offer is above the buyer's max
            with pytest.raises(InputError, match="no standing offer|sellers in this room"):
                room.force(ForceAccept("Nobody"))
            room.force(ForceNoDeal())
            await room.task
            await client.aclose()
            return room
        room = asyncio.run(main())
    assert room.outcome.kind == OutcomeKind.NO_DEAL and "person" in room.outcome.reason


def test_force_let_the_buyer_decide_now_interrupts_and_asks_for_accept_or_walk_away():
    def decide(r, body):
        enum = body["response_format"]["json_schema"]["schema"]["properties"]["decision"]["enum"]
        if enum == ["accept", "walk_away"]:
            return {"decision": "accept", "seller": "Seller A", "message": "I'll take Seller A's offer."}
        return {"decision": "continue", "seller": None, "message": "Keep going."}

    with FakeLMStudio(per_token_delay_s=0.005) as fake:
        async def main():
            room, events, client = await setup(fake, config=make_config(2, max_price=150), script=Script(decide=decide))
            room.start()
            await wait_for(lambda: "Seller A" in room.standing and room.round >= 2)
            room.force(ForceBuyerDecides())
            await room.task
            await client.aclose()
            return room
        room = asyncio.run(main())
    assert room.outcome.kind == OutcomeKind.DEAL, room.outcome.reason
    assert room.outcome.seller == "Seller A"
    last = buyer_requests(fake)[-1]
    assert last["response_format"]["json_schema"]["schema"]["properties"]["decision"]["enum"] == ["accept", "walk_away"]


def test_stop_mid_stream_keeps_the_partial_message_marked_interrupted():
    long = "word " * 200

    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        async def main():
            script = Script(sell=lambda n, r, b: {"message": long, "offer_price": None, "offer_quantity": None})
            room, events, client = await setup(fake, config=make_config(1), script=script)
            room.start()
            await wait_for(lambda: len([e for e in events.of(TokenDelta) if not e.reasoning]) > 20
                           and any(e.message.role == "buyer" for e in events.of(MessageCompleted)))
            room.stop()
            state = await room.task
            await client.aclose()
            # The HTTP stream was closed, so the server stops generating. Its handler thread notices the hang-up
            # at its next token: under load, after the run has ended here.
            await wait_for(lambda: fake.disconnects >= 1)
            return room, events, state
        room, events, state = asyncio.run(main())
    assert state == RunState.STOPPED
    interrupted = [e.message for e in events.of(MessageCompleted) if e.message.interrupted]
    assert len(interrupted) == 1
    assert interrupted[0].sender == "Seller A"
    assert interrupted[0].text.startswith("word word") and len(interrupted[0].text) < len(long.strip())
    # The runner's own transcript holds what was stored: a resume or export from memory must not lose it.
    assert [m.seq for m in room.transcript] == [e.message.seq for e in events.of(MessageCompleted)]
    assert room.transcript[-1] == interrupted[0]
    assert events.of(RunFinished)[-1].state == RunState.STOPPED


def test_pause_takes_effect_at_the_next_turn_and_resume_continues():
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        async def main():
            script = Script(decide=lambda r, b: {"decision": "continue", "seller": None, "message": "More."}
                            if r < 3 else {"decision": "walk_away", "seller": None, "message": "Bye."})
            room, events, client = await setup(fake, script=script)
            room.start()
            await wait_for(lambda: room.round >= 1 and len(seller_msgs(events)) >= 1)
            room.pause()
            await wait_for(lambda: room.state == RunState.PAUSED)
            count = len(fake.requests)
            await asyncio.sleep(0.3)
            assert len(fake.requests) == count, "no new request while paused"
            room.send("While paused: @Seller A one more price?")
            await wait_for(lambda: any("While paused" in prompt_text(b) for b in seller_requests(fake, "Seller A")))
            await wait_for(lambda: room.state == RunState.PAUSED)
            assert not any("While paused" in prompt_text(b) for b in seller_requests(fake, "Seller B"))
            room.resume()
            state = await room.task
            await client.aclose()
            return state
        assert asyncio.run(main()) == RunState.NO_DEAL
