"""The GUI-thread garbage collector keeps a burst of lasting objects (a stored session) out of later scans."""
from __future__ import annotations

import gc

from negotiator_app.ui.gc_guard import BURST, MainThreadGarbageCollector


def test_a_burst_of_lasting_objects_is_frozen_out_of_later_collections(qapp):
    collector = MainThreadGarbageCollector(interval_ms=600_000)  # checked by hand below
    try:
        gc.collect()
        frozen = gc.get_freeze_count()  # whatever was frozen before (by the interpreter's start-up, say)
        few = [[i] for i in range(1_000)]
        collector.check()
        assert gc.get_freeze_count() == frozen, "an ordinary collection freezes nothing"

        lasting = [[i] for i in range(BURST + 10_000)]  # as many objects as a loaded session brings
        collector.check()
        assert gc.get_freeze_count() >= frozen + len(lasting) + len(few), "the burst leaves every later scan"
        gc.collect(2)
        assert gc.get_freeze_count() >= frozen + len(lasting)
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0, "stopping hands every object back to the collector"
