"""EngineBridge: coalesced token signals in order with the events; room tasks asked of (and owned by) the
runtime; reported failures."""
from __future__ import annotations

import asyncio

import pytest

from negotiator_app.domain import RunState
from negotiator_app.engine import MessageCompleted, RunFinished
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation

WORDY = " ".join(f"word{i}" for i in range(120))


def test_token_deltas_are_coalesced_and_precede_their_completion(arun):
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        async def scenario():
            async with negotiation(fake, Script(opening=WORDY, seller_text=WORDY), max_rounds=1) as env:
                seen: list[tuple] = []
                streamed: dict[int, str] = {}
                channel = env.bridge.channel("room-1")

                def on_streamed(batch) -> None:
                    assert len({stream_id for stream_id, _, _ in batch}) == len(batch), "one entry per stream"
                    for stream_id, text, reasoning in batch:
                        if not reasoning:
                            streamed[stream_id] = streamed.get(stream_id, "") + text
                            seen.append(("text", stream_id))

                def on_event(event) -> None:
                    if isinstance(event, MessageCompleted):
                        # Everything streamed for this message was emitted before its completion.
                        assert streamed.get(event.stream_id) == event.message.text
                        seen.append(("done", event.stream_id))

                channel.streamed.connect(on_streamed)
                channel.event.connect(on_event)
                env.bridge.start_room(env.runner)
                await until(lambda: env.of_type(RunFinished), what="run end")
                assert env.bridge.deltas > 300
                assert env.bridge.flushes * 4 < env.bridge.deltas, (env.bridge.flushes, env.bridge.deltas)
                assert seen.count(("done", 1)) == 1 and ("text", 1) in seen
        arun.run(scenario())


def test_global_signals_carry_the_room_key(arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(decision="walk_away"), max_rounds=1) as env:
                rooms: set[str] = set()
                env.bridge.event.connect(lambda room, event: rooms.add(room))
                for runner in env.engine.rooms.values():
                    env.bridge.start_room(runner)
                await until(lambda: len(env.of_type(RunFinished)) == 2, what="both rooms")
                assert rooms == {"room-1", "room-3"}
        arun.run(scenario())


def test_the_runtime_owns_the_room_tasks_the_bridge_asks_for(arun):
    with FakeLMStudio(per_token_delay_s=0.05) as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                changes: list[tuple[str, bool]] = []
                env.bridge.running_changed.connect(lambda room, running: changes.append((room, running)))
                tasks = [env.bridge.start_room(r) for r in env.engine.rooms.values()]
                assert [env.runtime.task(key) for key in ("room-1", "room-3")] == tasks  # held by the runtime
                assert not hasattr(env.bridge, "_tasks")
                assert sorted(env.bridge.running_rooms()) == ["room-1", "room-3"]
                await until(lambda: len(env.of_type(MessageCompleted)) == 0 and fake.in_flight >= 1)
                env.bridge.stop_room("room-3")
                await until(lambda: env.bridge.running_rooms() == ["room-1"], what="room-3 stopped")
                await env.bridge.stop_all()
                assert env.bridge.running_rooms() == [] and env.runtime.running_rooms == []
                assert all(t.done() for t in tasks)
                assert {r.state for r in env.engine.rooms.values()} == {RunState.STOPPED}
                assert ("room-1", True) in changes and ("room-1", False) in changes
        arun.run(scenario())


def test_a_message_typed_into_an_idle_room_starts_a_run_the_runtime_owns(arun):
    with FakeLMStudio(per_token_delay_s=0.05) as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                changes: list[tuple[str, bool]] = []
                env.bridge.running_changed.connect(lambda room, running: changes.append((room, running)))
                env.bridge.send("room-1", "Hello @Bolt, ten cables please.")
                assert env.runtime.running_rooms == ["room-1"] and changes == [("room-1", True)]
                await until(lambda: env.of_type(MessageCompleted), what="the typed opening")
                assert env.of_type(MessageCompleted)[0].message.text == "Hello @Bolt, ten cables please."
                await env.bridge.stop_all()  # the runtime can stop it because it holds it
                assert env.runner.state == RunState.STOPPED and changes[-1] == ("room-1", False)
        arun.run(scenario())


class _BrokenRunner:
    """A runner whose task dies of an unexpected exception (a bug the engine did not catch)."""

    key = "room-9"
    running = False

    def start(self, opening=None, resume=None, seed=None):
        async def run():
            await asyncio.sleep(0)
            raise RuntimeError("boom")
        return asyncio.ensure_future(run())


@pytest.mark.expect_errors(r"room room-9 task failed")
def test_unexpected_task_exceptions_are_reported(arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                env.engine.rooms["room-9"] = _BrokenRunner()
                failures: list[tuple[str, str]] = []
                per_room: list[str] = []
                env.bridge.task_failed.connect(lambda room, message: failures.append((room, message)))
                env.bridge.channel("room-9").task_failed.connect(per_room.append)
                env.bridge.start_room("room-9")
                await until(lambda: failures, what="task_failed")
                assert failures[0][0] == "room-9" and "boom" in failures[0][1] and per_room == [failures[0][1]]
                assert env.bridge.running_rooms() == []
                del env.engine.rooms["room-9"]
        arun.run(scenario())
