"""Token deltas go only to listeners that want them; with none, the engine makes none and loses nothing."""
import asyncio

from negotiator_app.domain import RunState
from negotiator_app.engine import Event, EventBus, MessageCompleted, MessageStarted, TokenDelta
from negotiator_app.llm import LLMClient
from negotiator_app.engine import SessionEngine
from tests.engine.support import Script, make_config, wait_for
from tests.fakes.fake_lmstudio import FakeLMStudio


async def negotiate(fake, *, tokens: bool) -> tuple[list[Event], bool]:
    """One run of a room with a single listener (hearing tokens or not); its events and the bus's `wants_tokens`."""
    heard: list[Event] = []
    bus = EventBus()
    bus.subscribe(heard.append, tokens=tokens)
    async with LLMClient(fake.base_url, max_retries=1, backoff_s=0.01) as client:
        engine = SessionEngine(make_config(2, rounds=2), client, bus)
        room = next(iter(engine.rooms.values()))
        assert await room.start() == RunState.NO_DEAL
    return heard, bus.wants_tokens


def texts(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.message.sender, e.message.text) for e in events if isinstance(e, MessageCompleted)]


def test_a_listener_without_tokens_hears_every_other_event_and_the_same_messages_as_one_with_them():
    with FakeLMStudio() as fake:
        fake.responder = Script(decide=lambda r, b: {"decision": "continue", "seller": None,
                                                     "message": f"Round {r}: \"lower\", please\\n{'é' * 3}"})
        with_tokens, wanted = asyncio.run(negotiate(fake, tokens=True))
        without, not_wanted = asyncio.run(negotiate(fake, tokens=False))
    assert wanted and not not_wanted
    assert not [e for e in without if isinstance(e, TokenDelta)]
    streamed = [e for e in with_tokens if isinstance(e, TokenDelta)]
    assert streamed
    # The live text of each message is exactly its stored text (stripped), token by token.
    by_stream: dict[int, str] = {}
    for e in streamed:
        by_stream[e.stream_id] = by_stream.get(e.stream_id, "") + e.text
    started = {e.stream_id: e.sender for e in with_tokens if isinstance(e, MessageStarted)}
    assert sorted((started[i], text.strip()) for i, text in by_stream.items()) == sorted(texts(with_tokens))
    # Without token listeners nothing else changes: the same messages, the same kinds of events otherwise.
    assert texts(without) == texts(with_tokens)
    assert [type(e) for e in without] == [type(e) for e in with_tokens if not isinstance(e, TokenDelta)]
    assert [e.seq for e in without] == sorted({e.seq for e in without})


def test_a_stop_mid_stream_with_nobody_watching_tokens_still_keeps_the_partial_message():
    long = "word " * 200
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = Script(sell=lambda n, r, b: {"message": long, "offer_price": None, "offer_quantity": None})

        async def main():
            heard: list[Event] = []
            bus = EventBus()
            bus.subscribe(heard.append, tokens=False)
            async with LLMClient(fake.base_url, max_retries=1, backoff_s=0.01) as client:
                room = next(iter(SessionEngine(make_config(1), client, bus).rooms.values()))
                room.start()
                await wait_for(lambda: room._streaming > 0 and any(
                    isinstance(e, MessageCompleted) and e.message.role == "buyer" for e in heard))
                await asyncio.sleep(0.2)  # a few more words arrive
                room.stop()
                return heard, await room.task

        heard, state = asyncio.run(main())
    assert state == RunState.STOPPED
    assert not [e for e in heard if isinstance(e, TokenDelta)]
    kept = [e.message for e in heard if isinstance(e, MessageCompleted) and e.message.interrupted]
    assert len(kept) == 1 and kept[0].sender == "Seller A"
    assert kept[0].text.startswith("word word") and len(kept[0].text) < len(long.strip())
    assert set(kept[0].text.split()) == {"word"}  # only the message's own words, never the JSON around them


def test_the_bus_wants_tokens_only_while_a_listener_does():
    bus = EventBus()
    heard: list[Event] = []
    stop_plain = bus.subscribe(lambda e: None, tokens=False)
    assert not bus.wants_tokens
    stop_tokens = bus.subscribe(heard.append)
    assert bus.wants_tokens
    bus.emit(TokenDelta(room="r", run_id="x", stream_id=1, text="hi"))
    assert [e.text for e in heard if isinstance(e, TokenDelta)] == ["hi"]
    stop_tokens()
    stop_plain()
    assert not bus.wants_tokens
