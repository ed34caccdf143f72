"""Async UI tests: a qasync loop on the Qt application, an `until` helper, loop errors that fail tests, and a
window kit (`kit`: windows on a temporary store and user folders, closed after the test)."""
from __future__ import annotations

import asyncio
import gc

import pytest
import qasync

from tests.waiting import until  # noqa: F401  (UI tests import it from here)


class AsyncRunner:
    """Runs coroutines on a qasync loop bound to the test QApplication (pytest-qt's qapp)."""

    def __init__(self, app) -> None:
        self.errors: list[dict] = []
        self._runner = asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app))
        self.loop = self._runner.get_loop()
        self.loop.set_exception_handler(lambda loop, ctx: self.errors.append(ctx))

    def run(self, coro):
        return self._runner.run(coro)

    def close(self) -> None:
        self._runner.close()


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp):
    """As in the app (negotiator_app/ui/gc_guard.py): cyclic GC only on the GUI thread. The fake server's
    handler threads and the storage writer thread would otherwise free Qt objects off the GUI thread."""
    from negotiator_app.ui.gc_guard import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(interval_ms=100)
    yield
    collector.stop()
    collector.deleteLater()
    gc.collect()


@pytest.fixture
def arun(qapp):
    """`arun.run(coro)` runs an async scenario on the Qt loop; unretrieved task errors fail the test."""
    runner = AsyncRunner(qapp)
    yield runner
    runner.close()
    if runner.errors:
        pytest.fail(f"event loop errors: {[e.get('message') or e for e in runner.errors]}")


@pytest.fixture
def kit(tmp_path, arun):
    """Windows on temporary user folders and stores (tests.ui.window_support.WindowKit), closed after the test."""
    from tests.ui.window_support import WindowKit

    k = WindowKit(tmp_path, arun)
    yield k
    k.close()
