"""The main window: status bar, sessions sidebar, reopening, quitting while rooms run, room shortcuts."""
from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox

from negotiator_app.domain import RunState
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import closed_port_url, dealing_responder, example


def test_status_bar_shows_a_reachable_server_and_its_models(kit, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            window = kit.window(fake.base_url)
            window.start()
            await until(lambda: window.connection.healthy is not None, what="the first status")
            assert window.connection.plain_text() == "LM Studio: reachable, 2 models (1 loaded)"
            assert window.connection.healthy is True
            fake.models = fake.models[:1]  # polled again: the label follows the server
            await until(lambda: "1 model (1 loaded)" in window.connection.plain_text(), what="the next poll")

        kit.run(scenario())


def test_status_bar_says_how_to_fix_an_unreachable_server(kit, arun):
    url = closed_port_url()

    async def scenario():
        window = kit.window(url)
        window.start()
        await until(lambda: window.connection.healthy is not None, what="the first status")
        assert window.connection.healthy is False
        assert window.connection.plain_text() == (
            f"LM Studio: not reachable at {url} — start the server in LM Studio's Developer tab, "
            "or start Negotiator with another --base-url")

    kit.run(scenario())


def test_a_closed_window_reopens_with_its_session_and_geometry(kit, arun):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        first = kit.window(store=store)
        first.show()
        first.resize(711, 577)
        first.start()
        assert first.host.runtime is None  # nothing was opened before
        await first.open_session(sid)
        assert first.host.runtime.session_id == sid
        first.close()
        await until(lambda: not first.isVisible(), what="the window to close")

        second = kit.window(store=kit.store())  # same database file, same settings file
        assert second.size().height() == 577  # restored (the width is held at the minimum on the 800 px test screen)
        await second.sidebar.loaded
        assert second.sidebar.names() == [example("office_supplies").name]
        second.start()
        await until(lambda: second.host.runtime is not None, what="the last session to reopen")
        assert second.host.runtime.session_id == sid
        assert second.stack.currentWidget() is second.host
        assert len(second.host.view.panes) == len(example("office_supplies").buyer.items)

    kit.run(scenario())


def test_quitting_while_rooms_run_asks_then_stops_them_and_keeps_the_transcript(kit, arun):
    with FakeLMStudio(per_token_delay_s=0.03) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            closed = []
            window.closed.connect(lambda: closed.append(True))
            await window.open_session(sid)
            window.host.view.start_all()
            rooms = window.host.runtime.engine.rooms
            await until(lambda: sum(len(r.transcript) for r in rooms.values()) >= 3, what="the rooms to be talking")
            window.close()
            box = window.dialog
            assert isinstance(box, QMessageBox) and box.isVisible()
            assert "Rooms are still negotiating" in box.text()
            assert window.isVisible() and window.host.running_rooms()  # nothing stopped before the answer
            cancel = box.button(QMessageBox.StandardButton.Cancel)
            cancel.click()
            assert window.isVisible() and window.host.running_rooms()
            window.close()
            stop = next(b for b in window.dialog.buttons() if b.text() == "Stop and quit")
            stop.click()
            await until(lambda: closed, what="a clean shutdown")
            assert not window.isVisible()
            return {r.run_id: list(r.transcript) for r in rooms.values()}

        said = kit.run(scenario())
    runs = store.list_runs(sid)
    assert runs and all(r.state in (RunState.STOPPED, RunState.DECIDED) for r in runs)
    assert any(r.state == RunState.STOPPED for r in runs)
    for run_id, transcript in said.items():  # everything said before quitting is stored
        stored = store.load_run(run_id).messages
        assert [(m.sender, m.text) for m in stored] == [(m.sender, m.text) for m in transcript]
    assert sum(len(t) for t in said.values()) >= 3


def test_sidebar_renames_duplicates_and_deletes_after_confirmation(kit, arun):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        await window.open_session(sid)
        dialog = window.sidebar.rename(sid)
        assert isinstance(dialog, QInputDialog) and dialog.isVisible()
        dialog.setTextValue("Renamed")
        dialog.accept()
        await until(lambda: window.sidebar.names() == ["Renamed"], what="the renamed session listed")
        assert store.get_session(sid).name == "Renamed"
        copy = await window.sidebar.duplicate(sid)
        assert sorted(window.sidebar.names()) == sorted(["Renamed", copy.name]) and copy.id != sid
        box = window.sidebar.confirm_delete(sid)
        assert box.isVisible() and "Renamed" in box.text() and "cannot be undone" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        assert sid in window.sidebar.session_ids()
        box = window.sidebar.confirm_delete(sid)
        next(b for b in box.buttons() if b.text() == "Delete").click()
        await until(lambda: window.sidebar.session_ids() == [copy.id], what="the deleted session unlisted")
        assert [s.id for s in store.list_sessions()] == [copy.id]
        await until(lambda: window.host.runtime is None, what="the deleted session to close")
        assert window.stack.currentWidget() is window.welcome

    kit.run(scenario())


def test_editing_a_session_with_runs_edits_a_copy(kit, arun, tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            await window.open_session(sid)
            await window.edit_current_session()
            assert window.setup_form.editing_session_id == sid  # no runs yet: edited in place
            window.setup_form.session_name.setText("Edited in place")
            window.setup_form.create_button.click()
            await until(lambda: window.host.runtime and window.host.runtime.name == "Edited in place")
            window.host.view.start_all()
            await until(lambda: not window.host.running_rooms(), what="the room to finish")
            await window.host.runtime.recorder.flush()
            box = await window.edit_current_session()
            next(b for b in box.buttons() if b.text() == "Edit a copy").click()
            await until(lambda: window.stack.currentWidget() is window.setup_form, what="the copy in the form")
            assert window.setup_form.editing_session_id is None  # a copy, stored when Create is pressed
            window.setup_form.create_button.click()
            await until(lambda: window.host.runtime and window.host.runtime.session_id != sid)
            assert len(store.list_sessions()) == 2
            assert store.get_session(sid).name == "Edited in place"

        kit.run(scenario())


def test_ctrl_digit_goes_to_that_room(kit, arun):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.open_session(sid)
        shortcut = window.main_actions.room_shortcuts[1]
        assert shortcut.shortcut().toString() == "Ctrl+2"
        shortcut.trigger()
        assert window.host.view.tabs.currentIndex() == 1
        window.main_actions.room_shortcuts[0].trigger()
        assert window.host.view.tabs.currentIndex() == 0
        assert window.main_actions.new_session.shortcut().toString() == "Ctrl+N"
        assert window.main_actions.export_json.shortcut().toString() == "Ctrl+E"

    kit.run(scenario())


def test_a_corrupt_database_is_moved_aside_and_the_user_told_where(tmp_path, arun, qapp):
    from negotiator_app.app import run_window

    db = tmp_path / "negotiator.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    seen = {}

    async def on_started(window):
        box = window.dialog
        seen["text"] = box.text()
        seen["visible"] = box.isVisible()
        box.close()
        window.close()

    code = arun.run(run_window(qapp, db_path=db, on_started=on_started,
                               base_url=closed_port_url(),
                               show=False))
    assert code == 0 and seen["visible"]
    moved = [p for p in tmp_path.iterdir() if ".corrupt" in p.name]
    assert moved and str(moved[0]) in seen["text"]
    assert "new, empty one was created" in seen["text"]


def test_status_polling_stays_quiet_while_rooms_stream(kit, arun):
    """Probing mid-stream would abort the reply on llama-cpp-python's server; the rooms' traffic shows health."""
    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        def probes():
            return sum(1 for method, path, _, _ in fake.all_requests if path.endswith("/models"))

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.monitor.interval_s = 0.05
            window.start()
            await until(lambda: window.connection.healthy is True, what="the first status")
            await window.open_session(sid)
            window.host.view.start_all()
            await until(lambda: window.host.running_rooms(), what="rooms running")
            before = probes()
            await until(lambda: len(fake.requests) >= 6, what="several streamed replies")
            during = probes() - before
            await window.host.runtime.close()
            await until(lambda: probes() > before + during, what="polling to resume once rooms stop")
            return during

        # At most the model lookup of the starting rooms (/v1/models + /api/v0/models) and the two requests of a
        # probe that was already in flight when the rooms started (the session opens asynchronously, so one can
        # be); polling every 50 ms through the seconds of streaming would have made dozens of probes.
        assert kit.run(scenario()) <= 4
