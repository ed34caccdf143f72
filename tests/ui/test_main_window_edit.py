"""Edit… on a session with runs asks before editing a copy; the status bar has room for what it says."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import WindowKit, dealing_responder, example


@pytest.fixture
def kit(tmp_path, arun):
    k = WindowKit(tmp_path, arun)
    yield k
    k.close()


def test_edit_on_a_session_with_runs_asks_and_cancel_leaves_nothing(kit, qtbot):
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.resize(1280, 800)
            window.show()
            window.start()
            await until(lambda: window.connection.healthy is not None, what="the server status")
            await window.open_session(sid)
            window.host.view.start_all()
            await until(lambda: not window.host.running_rooms(), what="the run to end")
            await window.host.runtime.recorder.flush()

            qtbot.mouseClick(window.host.edit_button, Qt.MouseButton.LeftButton)
            await until(lambda: isinstance(window.dialog, QMessageBox), what="the question")  # read off-thread
            box = window.dialog
            assert isinstance(box, QMessageBox) and box.isVisible()
            assert box.text() == "This session has runs. Edit a copy?"
            qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
            assert [s.id for s in store.list_sessions()] == [sid]  # nothing left behind
            assert window.stack.currentWidget() is window.host

            window.dialog = None
            qtbot.mouseClick(window.host.edit_button, Qt.MouseButton.LeftButton)
            await until(lambda: isinstance(window.dialog, QMessageBox), what="the question")
            copy_button = next(b for b in window.dialog.buttons() if b.text() == "Edit a copy")
            qtbot.mouseClick(copy_button, Qt.MouseButton.LeftButton)
            await until(lambda: window.stack.currentWidget() is window.setup_form, what="the copy in the form")
            assert window.setup_form.session_name.text().endswith("(copy)")
            message = window.statusBar().currentMessage()
            assert "copy" in message
            # The temporary message has room left of the server status, so it is actually shown.
            room = window.connection.geometry().left()
            assert window.statusBar().fontMetrics().horizontalAdvance(message) < room
            qtbot.mouseClick(window.setup_form.cancel_button, Qt.MouseButton.LeftButton)
            if isinstance(window.setup_form.confirm_box, QMessageBox) and window.setup_form.confirm_box.isVisible():
                window.setup_form.confirm_box.button(QMessageBox.StandardButton.Discard).click()
            assert [s.id for s in store.list_sessions()] == [sid]  # the cancelled copy was never stored

        kit.run(scenario())
