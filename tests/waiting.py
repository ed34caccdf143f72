"""Bounded waits for tests: every poll has a deadline and says what it was waiting for when it runs out."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.01, what: str = "") -> None:
    """Wait on the running asyncio loop (never a nested Qt loop) until predicate() is truthy."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(interval)


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, what: str = "") -> None:
    """The same for plain threads and subprocesses: sleep between polls until predicate() is truthy."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)
