"""Edit… on a session with runs asks before editing a copy; the status bar has room for what it says."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


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


def test_leaving_an_edited_form_asks_first_and_keep_editing_keeps_the_edits(kit, qtbot):
    """New session, Start from an example and opening a session from the sidebar used to overwrite the form."""
    from tests.ui.test_main_window_sessions import item_center

    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.sidebar.loaded
        new_button = window.main_actions.toolbar.widgetForAction(window.main_actions.new_session)
        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)
        form = window.setup_form
        assert window.stack.currentWidget() is form
        qtbot.keyClicks(form.session_name, "My careful plan")

        def answer(label: str) -> None:
            box = window.dialog
            assert isinstance(box, QMessageBox) and box.isVisible(), "no question was asked"
            assert box.text() == "The session form has changes that are not saved. Discard them?"
            qtbot.mouseClick(next(b for b in box.buttons() if b.text() == label), Qt.MouseButton.LeftButton)

        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)
        answer("Keep editing")
        assert window.stack.currentWidget() is form and form.session_name.text() == "My careful plan"

        viewport = window.sidebar.list.viewport()
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, sid))
        answer("Keep editing")
        assert window.stack.currentWidget() is form and form.session_name.text() == "My careful plan"
        assert window.host.runtime is None and window.sidebar.selected_id() is None  # selection put back

        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)
        answer("Discard changes")
        assert window.stack.currentWidget() is form and form.session_name.text() == ""  # a fresh form
        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)  # nothing edited: no question
        assert not (isinstance(window.dialog, QMessageBox) and window.dialog.isVisible())

        qtbot.keyClicks(form.session_name, "Another plan")
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, sid))
        answer("Discard changes")
        await until(lambda: window.host.runtime is not None and not window.tasks, what="the session to open")
        assert window.host.runtime.session_id == sid and window.stack.currentWidget() is window.host
        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)  # those edits were discarded: not asked again
        assert window.stack.currentWidget() is form and form.session_name.text() == ""
        assert not (isinstance(window.dialog, QMessageBox) and window.dialog.isVisible())

        # Another page in between: the edits wait in the form, and New session asks before it empties it.
        qtbot.keyClicks(form.session_name, "Draft")
        experiments = window.main_actions.toolbar.widgetForAction(window.main_actions.experiments)
        qtbot.mouseClick(experiments, Qt.MouseButton.LeftButton)
        assert window.stack.currentWidget() is window.experiments_page  # leaving for a page loses nothing
        qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)
        answer("Keep editing")
        assert window.stack.currentWidget() is form and form.session_name.text() == "Draft"  # back to it

    kit.run(scenario())
