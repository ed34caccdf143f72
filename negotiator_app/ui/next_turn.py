"""Work split over event-loop turns: one slice per turn, each after the paint the previous slice asked for."""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer

_jobs: deque[tuple[QObject, Callable[[], object]]] = deque()
_driver: QTimer | None = None
_stage = 0  # 1: the pending paint has run; 2: the timers due meanwhile have run too, a slice may go


def after_paint(owner: QObject, callback: Callable[[], object]) -> None:
    """Call `callback` in a later loop turn, after the paint queued now, and after every slice queued before it
    (one slice per turn, whoever queued it: the rooms' panes, their transcripts, their charts).

    QTimer.singleShot(0) is itself a queued event, and a paint request is queued at low priority: a slice
    scheduled that way runs before the paint of the previous one. A zero-interval timer fires after the queued
    events; a second one lets the timers that fell due during the paint (input, a clock) run first, so the
    window answers between two slices. Nothing is called once `owner` is deleted."""
    global _driver, _stage
    _jobs.append((owner, callback))
    if _driver is None or not shiboken6.isValid(_driver):
        _driver = QTimer()
        _driver.setSingleShot(True)
        _driver.setInterval(0)
        _driver.timeout.connect(_turn)
    if not _driver.isActive():
        _stage = 0
        _driver.start()


async def next_turn(owner: QObject) -> None:
    """Wait for the turn after_paint would give a slice: a coroutine's slices take their turns with the others
    (awaiting asyncio.sleep(0) would run one in the same turn as a queued slice)."""
    turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def come() -> None:
        if not turn.done():  # the waiting task may have been cancelled meanwhile
            turn.set_result(None)

    after_paint(owner, come)
    await turn


def _turn() -> None:
    global _stage
    _stage += 1
    if _stage < 2:
        _arm()
        return
    _stage = 0
    try:
        while _jobs:
            owner, callback = _jobs.popleft()
            if shiboken6.isValid(owner):
                callback()
                break
    finally:
        if _jobs:
            _arm()


def _arm() -> None:
    if _driver is not None and not _driver.isActive():
        _driver.start()
