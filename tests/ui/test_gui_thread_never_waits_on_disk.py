"""The GUI thread never runs SQL: every statement the window causes (opening a session with its history,
Resume, the summary, exports, import, rename/duplicate/delete) executes on another thread. Each statement
SQLite receives is observed on the real database engine, with the thread it ran on."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import event

from negotiator_app.domain import RunState
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


class SqlThreads:
    """Records the statements run on the GUI (main) thread while `watching` is on."""

    def __init__(self, engine) -> None:
        self.watching = True
        self.on_gui_thread: list[str] = []
        self.elsewhere = 0
        event.listen(engine, "before_cursor_execute", self._executed)

    def _executed(self, _conn, _cursor, statement, *_args) -> None:
        if not self.watching:
            return
        if threading.current_thread() is threading.main_thread():
            self.on_gui_thread.append(statement.split("\n")[0][:80])
        else:
            self.elsewhere += 1


def test_no_sql_runs_on_the_gui_thread_for_anything_the_window_does(kit, qtbot, tmp_path):
    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id
        sql = SqlThreads(store.engine)

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.sidebar.loaded
            await window.open_session(sid)
            await window.host.history_loaded
            pane = window.host.view.panes["room-1"]
            qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: pane.runner.round >= 1, what="the room to negotiate")
            qtbot.mouseClick(pane.controls.buttons["stop"], Qt.MouseButton.LeftButton)
            # Stored as stopped: the Resume button follows the cheap state query, then resumes (claim included).
            await until(lambda: pane.controls.buttons["resume"].isEnabled(), what="Resume to be offered")
            qtbot.mouseClick(pane.controls.buttons["resume"], Qt.MouseButton.LeftButton)
            await until(lambda: pane.runner.running, what="the run to resume")
            await until(lambda: not pane.runner.running, what="the resumed run to end")
            await window.host.runtime.recorder.flush()

            await window.show_summary()
            view = window.summary_view
            assert view.table.item(0, 1).text() != "Not run yet"  # the summary did read the runs
            window.export_session()  # the toolbar's export: loads the summary, then asks for a file
            await until(lambda: isinstance(view.dialog, QFileDialog) and view.dialog.isVisible(), what="the dialog")
            exported = tmp_path / "exported.json"
            view.dialog.fileSelected.emit(str(exported))
            view.dialog.close()
            assert await view.exporting == exported
            assert await view.export_markdown(tmp_path / "exported.md") == tmp_path / "exported.md"

            imported = await window.sidebar.import_file(exported)
            await until(lambda: window.host.runtime is not None and window.host.runtime.session_id == imported.id,
                        what="the import to open")
            await window.host.history_loaded
            copy = await window.sidebar.duplicate(sid)
            dialog = window.sidebar.rename(copy.id)
            dialog.setTextValue("Renamed copy")
            dialog.accept()
            await until(lambda: "Renamed copy" in window.sidebar.names(), what="the rename")
            box = window.sidebar.confirm_delete(copy.id)
            next(b for b in box.buttons() if b.text() == "Delete").click()
            await until(lambda: copy.id not in window.sidebar.session_ids(), what="the delete")
            sql.watching = False
            assert [r.state for r in store.list_runs(sid)] == [RunState.DECIDED]  # resumed, not a new run

        kit.run(scenario())
    assert sql.elsewhere > 20  # the flows above did read and write the database...
    assert sql.on_gui_thread == []  # ...and none of it on the GUI thread


def test_a_background_room_lays_out_its_stored_run_when_its_tab_is_opened(kit, qtbot):
    from tests.storage.support import RUN_TIES, scripted_session

    store = kit.store()
    sid = scripted_session(store)  # stored runs in room-1 (shown first) and room-2 (a background tab)

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.open_session(sid)
        await window.host.history_loaded
        view = window.host.view
        hidden = view.panes["room-2"]
        assert "No." not in hidden.transcript.toPlainText()  # not laid out while nobody can see it
        bar = view.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
        assert view.tabs.currentWidget() is hidden
        stored = store.load_run(RUN_TIES).messages
        text = hidden.transcript.toPlainText()
        assert text.count("No.") == sum(m.text == "No." for m in stored) == 3  # every stored message is there
        assert hidden.banner.kind == "no_deal"

    kit.run(scenario())
