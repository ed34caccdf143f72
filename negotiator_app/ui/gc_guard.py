"""Python's cyclic garbage collection, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed: the storage
writer thread, say. If it then frees a cycle holding Qt objects, their C++ destructors run on that
thread; a timer of theirs cannot be stopped from there, stays registered and later fires into freed
memory (a segfault in QTimerInfoList::activateTimers). So automatic collection is turned off and a
GUI-thread timer collects instead, when the allocation counters say it is due.

What survives a collection of an older generation, or a burst of allocations (a session's stored
transcripts loaded), is long-lived and is frozen out of later collections: each then costs what is new, not
everything alive (a scan of a session with 10,000 stored messages stalled the window for 40-90 ms). The price
is that a reference cycle among frozen objects is not reclaimed until stop().
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500
BURST = 20_000  # more new objects than this since the last collection: what survives it is there to stay


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counters crossed their thresholds, like the automatic collector."""
        counts = gc.get_count()
        if counts[0] > self._threshold[0]:
            generation = 2 if counts[2] > self._threshold[2] else 1 if counts[1] > self._threshold[1] else 0
            gc.collect(generation)
            if generation or counts[0] > BURST:
                gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.enable()
