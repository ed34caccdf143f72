"""Once the window has started, what is alive (modules, the window) is kept out of later full garbage
collections: their pause would otherwise grow with it and stall the window while a session's runs are read."""
from __future__ import annotations

import gc

from tests.ui.window_support import closed_port_url


def test_the_window_freezes_what_is_alive_once_it_has_started(tmp_path, arun, qapp):
    from negotiator_app.app import run_window

    gc.unfreeze()  # whatever an earlier test left frozen
    seen = {}

    async def on_started(window):
        seen["frozen"] = gc.get_freeze_count()
        window.close()

    try:
        code = arun.run(run_window(qapp, db_path=tmp_path / "negotiator.sqlite3", on_started=on_started,
                                   base_url=closed_port_url(), show=False))
    finally:
        gc.unfreeze()  # back to normal collections for the tests that follow
    assert code == 0 and seen["frozen"] > 1000, "the objects alive at start-up are frozen"
