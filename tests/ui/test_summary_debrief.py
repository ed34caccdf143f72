"""The summary view's AI debrief: written on request in an owned task, shown, regenerated, errors inline."""
from __future__ import annotations


from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import scripted_session
from tests.ui.conftest import until


def texts(view) -> list[str]:
    """The debriefs shown, one per paragraph."""
    return [p for p in view.debrief_text.text().split("<p>") if p] if not view.debrief_text.isHidden() else []


def test_summary_writes_shows_and_regenerates_the_debrief_without_blocking(kit):
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = lambda body: ("Acme gave way at #5 after #42." if "ITEM: Cable,"
                                       in body["messages"][0]["content"] else "The buyer did fine overall.")
        store = kit.store()
        sid = scripted_session(store)

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            await window.show_summary()
            view = window.summary_view
            assert view.debrief_button.text() == "Write AI debrief" and view.debrief_button.isEnabled()
            assert texts(view) == []
            view.debrief_button.click()
            task = view.debrief_task
            assert task in window.tasks  # owned by the window: cancelled and awaited at shutdown
            assert not view.debrief_button.isEnabled()
            # The loop keeps running while the model streams: the progress label moves on.
            await until(lambda: "“Cable” (1 of 2)" in view.debrief_progress.text(), what="progress for item 1")
            await until(lambda: task.done(), what="the debrief")
            assert view.debrief_progress.text() == "Debrief written." and view.debrief_error.isHidden()
            shown = texts(view)
            assert len(shown) == 3 and "The session" in shown[0] and "The buyer did fine overall." in shown[0]
            assert "<b>Cable</b>" in shown[1] and "room-1" not in shown[1] and "Acme gave way at #5 after #42." in shown[1]
            assert "do not exist in that run: #42" in shown[1]
            assert [d.text for d in store.load_debriefs(sid)] == [
                "The buyer did fine overall.", "Acme gave way at #5 after #42.", "The buyer did fine overall."]
            assert view.debrief_button.text() == "Regenerate debrief" and view.debrief_button.isEnabled()
            asked = [b for b in fake.requests if "messages" in b]
            assert len(asked) == 3 and asked[0]["model"] == "m1"

            fake.responder = lambda body: "Second take, see #1."
            await view.start_debrief()
            assert {d.text for d in store.load_debriefs(sid)} == {"Second take, see #1."}
            assert all("Second take" in t for t in texts(view))

            # Reopening the summary shows the stored debrief.
            window.show_session_page()
            await window.show_summary()
            assert len(texts(view)) == 3 and view.debrief_button.text() == "Regenerate debrief"

        kit.run(scenario())


def test_a_failed_debrief_is_shown_inline_and_keeps_the_stored_one(kit):
    with FakeLMStudio() as fake:
        fake.responder = lambda body: "First debrief #1."
        store = kit.store()
        sid = scripted_session(store)

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            await window.show_summary()
            view = window.summary_view
            await view.start_debrief()
            fake.responder = lambda body: "   "  # nothing usable
            view.debrief_button.click()
            await until(lambda: view.debrief_task is None, what="the failed debrief")
            assert view.debrief_error.isVisible()
            assert "empty debrief" in view.debrief_error.text() and "Try again" in view.debrief_error.text()
            assert view.debrief_progress.text() == ""
            assert {d.text for d in store.load_debriefs(sid)} == {"First debrief #1."}
            assert all("First debrief" in t for t in texts(view))
            assert view.debrief_button.isEnabled() and view.debrief_button.text() == "Regenerate debrief"

        kit.run(scenario())


def test_the_debrief_button_waits_for_a_run(kit):
    from negotiator_app.domain import SessionConfig
    from tests.storage.support import small_config

    store = kit.store()
    sid = store.create_session(SessionConfig.model_validate(small_config().model_dump())).id

    async def scenario():
        window = kit.window(store=store)
        await window.open_session(sid)
        await window.show_summary()
        view = window.summary_view
        assert not view.debrief_button.isEnabled() and "Run at least one room" in view.debrief_button.toolTip()
        assert view.start_debrief() is None and view.debrief_task is None

    kit.run(scenario())


def test_a_server_error_during_the_debrief_reads_as_one_message(kit, qtbot):
    from PySide6.QtCore import Qt

    from tests.fakes.fake_lmstudio import FakeReply

    with FakeLMStudio() as fake:
        fake.responder = lambda body: FakeReply(fault="status", status=400, body="model crashed")
        store = kit.store()
        sid = scripted_session(store)

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            await window.show_summary()
            view = window.summary_view
            qtbot.mouseClick(view.debrief_button, Qt.MouseButton.LeftButton)
            await until(lambda: view.debrief_task is None, what="the failed debrief")
            assert view.debrief_error.text() == ("No debrief was written for “Cable”: The model server answered "
                                                 "with HTTP 400: model crashed.")
            assert view.debrief_progress.text() == ""
            view.grab().save("/tmp/forms_debrief_error.png")

        kit.run(scenario())
