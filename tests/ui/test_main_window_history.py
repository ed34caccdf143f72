"""Stored runs in the window: a reload shows the messages in the order they were shown live, and a run
picker per room shows earlier runs (read-only), the latest by default."""
from __future__ import annotations

import json
import sqlite3
import threading

from PySide6.QtCore import Qt

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def slow_first_seller(body: dict) -> str:
    """The first seller to be asked talks at length, the others briefly: who starts first ends last."""
    reply = dealing_responder(body)
    system = body["messages"][0]["content"]
    if "a buyer." not in system and "Acme Office Supply" in system:
        data = json.loads(reply)
        data["message"] = "Let me tell you all about this fine product. " * 12 + data["message"]
        return json.dumps(data)
    return reply


def shown(pane) -> list[tuple[str, str]]:
    return [(b.sender, b.text) for b in pane.transcript.bubbles() if b.message is not None]


def test_a_reloaded_run_shows_its_messages_in_the_order_they_were_shown_live(kit, qtbot):
    config = example("office_supplies")
    assert any(s.name == "Acme Office Supply" for s in config.sellers), [s.name for s in config.sellers]
    with FakeLMStudio(per_token_delay_s=0.005) as fake:
        fake.responder = slow_first_seller
        store = kit.store()
        sid = store.create_session(config).id
        other = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            pane = window.host.view.current_pane()
            qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: pane.shown_state.finished and not pane.runner.running, timeout=30,
                        what="the run to end")
            live = shown(pane)
            senders = [s for s, _ in live]
            assert "Acme Office Supply" in senders and len(set(senders)) >= 3
            await window.host.runtime.recorder.flush()
            await window.open_session(other)
            await window.open_session(sid)  # the run is now read back from the database
            reloaded = shown(window.host.view.current_pane())
            assert reloaded == live
            return live

        live = kit.run(scenario())
    # The long reply started before a short one that ended first: the case that used to come back reordered.
    first_round = [s for s, _ in live[1:]]
    assert first_round.index("Acme Office Supply") < len(first_round) - 1


async def first_run_ended(window, session_id: int, qtbot):
    """The session shown, its room's first run started by a click and ended: (pane, run picker, what it showed)."""
    window.show()
    await window.open_session(session_id)
    pane = window.host.view.current_pane()
    picker = window.host.pickers[pane.runner.key]
    qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
    await until(lambda: pane.shown_state.finished and not pane.runner.running, what="run 1 to end")
    return pane, picker, shown(pane)


def test_the_run_picker_shows_earlier_runs_read_only_and_the_latest_by_default(kit, qtbot):
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id

        async def scenario():
            pane, picker, first = await first_run_ended(kit.window(fake.base_url, store=store), sid, qtbot)
            assert not picker.isVisible()  # nothing earlier to pick yet
            fake.responder = lambda body: dealing_responder(body).replace("That is my best.", "Final answer.")
            qtbot.mouseClick(pane.controls.buttons["again"], Qt.MouseButton.LeftButton)
            await until(lambda: pane.runner.running, what="run 2 to start")
            assert not picker.isEnabled()  # a live run is shown while it runs
            await until(lambda: pane.shown_state.finished and not pane.runner.running, what="run 2 to end")
            await until(lambda: picker.count() == 2 and picker.isVisible() and picker.isEnabled(),
                        what="the picker to list both runs")
            second = shown(pane)
            assert second != first and picker.currentIndex() == 0 and "latest" in picker.currentText()

            picker.setFocus()
            qtbot.keyClick(picker, Qt.Key.Key_Down)  # the earlier run, as a person picks it
            await until(lambda: shown(pane) == first, what="run 1 to be shown")
            assert picker.currentText().startswith("Run 1")
            assert not pane.composer.edit.isEnabled()  # read-only: nothing typed goes into an old run
            assert not pane.controls.buttons["resume"].isEnabled()
            qtbot.keyClick(picker, Qt.Key.Key_Up)
            await until(lambda: shown(pane) == second, what="the latest run again")

        kit.run(scenario())


def test_the_latest_run_picked_before_its_end_is_stored_is_shown_whole_once_it_is(kit, qtbot):
    """The recorder commits a moment after a room ends on screen, longer while another program holds the
    database: the latest run picked meanwhile shows what is stored, then its last messages as they are stored."""
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id
        locked = threading.Event()  # the buyer's closing reply of run 2 waits until the database is held

        def closing_waits(body: dict) -> str:
            reply = dealing_responder(body).replace("That is my best.", "Final answer.")
            if '"Deal."' in reply:
                locked.wait(timeout=30)
            return reply

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            pane, picker, first = await first_run_ended(window, sid, qtbot)
            fake.responder = closing_waits
            qtbot.mouseClick(pane.controls.buttons["again"], Qt.MouseButton.LeftButton)
            await until(lambda: picker.count() == 2, what="run 2's start to be stored and listed")
            other_program = sqlite3.connect(kit.db_path, isolation_level=None)
            try:
                other_program.execute("BEGIN IMMEDIATE")  # run 2's end waits in the recorder
                locked.set()
                await until(lambda: pane.shown_state.finished and not pane.runner.running and picker.isEnabled(),
                            what="run 2 to end on screen")
                second = shown(pane)
                assert second[-1] == ("Lab Manager", "Deal.") and second != first
                picker.setFocus()
                qtbot.keyClick(picker, Qt.Key.Key_Down)
                await until(lambda: shown(pane) == first, what="run 1 to be shown")
                qtbot.keyClick(picker, Qt.Key.Key_Up)
                await until(lambda: shown(pane) != first and shown(pane) == second[:len(shown(pane))],
                            what="run 2 as stored so far")
                assert shown(pane) != second  # its end is not stored yet
            finally:
                locked.set()
                other_program.close()
            await until(lambda: shown(pane) == second, what="run 2 whole, once its end is stored")
            assert picker.currentIndex() == 0 and pane.shown_state.finished

        kit.run(scenario())
