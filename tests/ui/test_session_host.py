"""The session page: it speaks to the window only through signals, refreshes the sidebar when the recorder has
stored a run (no timer), and a disk that fails and recovers pauses then continues the rooms in the window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from negotiator_app.domain import RunState
from negotiator_app.ui.session_host import SessionHost
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.test_storage_faults import _install_fault
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def test_the_header_buttons_are_signals_not_calls_into_the_window(qtbot):
    host = SessionHost()  # no window to reach into
    qtbot.addWidget(host)
    heard: list[str] = []
    host.edit_requested.connect(lambda: heard.append("edit"))
    host.summary_requested.connect(lambda: heard.append("summary"))
    host.show()
    qtbot.mouseClick(host.edit_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(host.summary_button, Qt.MouseButton.LeftButton)
    assert heard == ["edit", "summary"]


def test_the_sidebar_counts_a_run_when_the_recorder_says_it_is_stored(kit, arun, qtbot):
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            stored: list[int] = []
            window.host.runs_stored.connect(lambda: stored.append(store.session_summary(sid).run_count))
            await window.sidebar.loaded
            assert window.sidebar.list.item(0).text().endswith("0 runs")
            qtbot.mouseClick(window.host.view.start_all_button, Qt.MouseButton.LeftButton)
            await until(lambda: stored, what="the run's start stored")
            assert stored[0] == 1
            # The notice makes the sidebar re-read the list (on the store's thread).
            await until(lambda: window.sidebar.list.item(0).text().endswith("1 run"), what="the sidebar to count it")
            await until(lambda: not window.host.running_rooms(), what="the room to finish")

        kit.run(scenario())


def test_a_failing_disk_pauses_the_window_rooms_and_they_continue_when_it_recovers(kit, arun, qtbot):
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        fake.responder = lambda body: dealing_responder(body).replace('"accept"', '"continue"')  # never ends
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id
        fault = _install_fault(store, kit.db_path, "read_only")

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            runner = next(iter(window.host.runtime.engine.rooms.values()))
            qtbot.mouseClick(window.host.view.start_all_button, Qt.MouseButton.LeftButton)
            await until(lambda: runner.round >= 2, timeout=30, what="two rounds")
            fault["switch"](True)
            await until(lambda: isinstance(window.dialog, QMessageBox) and window.dialog.isVisible()
                        and runner.state == RunState.PAUSED, timeout=30, what="the storage dialog and a paused room")
            assert "read-only" in window.dialog.text() and "continue by themselves" in window.dialog.text()
            paused_at = runner.round
            fault["switch"](False)
            await until(lambda: runner.round > paused_at, timeout=30, what="the room to continue by itself")
            assert "continue" in window.statusBar().currentMessage()
            window.dialog.close()

        kit.run(scenario())
