"""OwnedTasks: a widget's background tasks are kept until done, failures reported, cancelled together."""
from __future__ import annotations

import asyncio

from negotiator_app.ui.owned_tasks import OwnedTasks


def test_a_failure_is_reported_once_and_a_cancellation_is_not():
    async def scenario() -> list[BaseException]:
        errors: list[BaseException] = []
        tasks = OwnedTasks(errors.append)

        async def fail() -> None:
            raise ValueError("disk gone")

        tasks.spawn(fail())
        sleeper = tasks.spawn(asyncio.sleep(10))
        await asyncio.sleep(0.01)
        sleeper.cancel()
        await asyncio.gather(sleeper, return_exceptions=True)
        assert len(tasks) == 0  # finished tasks are let go
        return errors

    errors = asyncio.run(scenario())
    assert [str(e) for e in errors] == ["disk gone"]


def test_cancel_all_ends_every_other_task_and_spares_its_caller():
    async def scenario() -> tuple[list[bool], bool]:
        tasks = OwnedTasks(lambda exc: None)
        sleepers = [tasks.spawn(asyncio.sleep(10)) for _ in range(3)]

        async def closer() -> bool:
            await tasks.cancel_all()
            return True  # still running: not cancelled by its own cancel_all

        closing = tasks.spawn(closer())
        done = await asyncio.wait_for(closing, 5)
        return [s.cancelled() for s in sleepers], done

    cancelled, closer_finished = asyncio.run(scenario())
    assert cancelled == [True, True, True]
    assert closer_finished
