"""The Room menu and its shortcuts act on the current room (tab or grid); Go to room names the real rooms;
the grid offers every control; Start all asks before running finished rooms again."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from negotiator_app.domain import BuyerMode
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example

CTRL = Qt.KeyboardModifier.ControlModifier


def test_room_menu_shortcuts_act_on_the_current_room(kit, qtbot):
    with FakeLMStudio(per_token_delay_s=0.05) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id
        items = [i.name for i in example("office_supplies").buyer.items]

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            view = window.host.view
            menu = window.main_actions.room_menu
            assert window.menuBar().actions()[2].text() == "&Room"
            shown = [a.text() for a in menu.go_to.actions() if a.isVisible()]
            assert shown == [f"&{i + 1}  {name}" for i, name in enumerate(items)]

            qtbot.keyClick(view, Qt.Key.Key_2, CTRL)  # Go to room 2
            assert view.tabs.currentIndex() == 1
            second, first = view.current_pane(), list(view.panes.values())[0]
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_B, CTRL)  # the buyer is played by a person
            assert second.controls.mode_person.isChecked() and second.runner.mode == BuyerMode.PERSON
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_B, CTRL)
            assert second.controls.mode_ai.isChecked()
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_F5)  # Start
            await until(lambda: second.runner.running, what="room 2 to start")
            await until(lambda: second.runner.transcript, what="the buyer's opening")
            assert not first.runner.running
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_P, CTRL)  # Pause
            assert second.runner.paused
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_P, CTRL)  # and continue
            assert not second.runner.paused
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_D, CTRL)  # Force decision…
            assert second._force_dialog is not None and second._force_dialog.isVisible()
            second._force_dialog.reject()
            window.activateWindow()  # as the window manager does when the dialog closes
            await until(lambda: QApplication.activeWindow() is window, what="the window to be active again")
            qtbot.keyClick(second.composer.edit, Qt.Key.Key_Period, CTRL)  # Stop
            await until(lambda: not second.runner.running, what="room 2 to stop")
            await until(lambda: second.controls.buttons["again"].isEnabled(), what="the stopped room's buttons")
            # The run has ended, so its composer is off: keys go to the room's pane.
            qtbot.keyClick(second, Qt.Key.Key_F5)  # Start no longer applies: told why
            assert "Run again" in window.statusBar().currentMessage() and not second.runner.running
            qtbot.keyClick(second, Qt.Key.Key_R, CTRL)  # Run again
            await until(lambda: second.runner.running, what="room 2 to run again")
            await until(lambda: second.runner.transcript, what="the new run's opening")
            qtbot.keyClick(second, Qt.Key.Key_Period, CTRL)
            await until(lambda: not second.runner.running, what="room 2 to stop")
            await window.host.runtime.recorder.flush()
            await until(lambda: second.controls.buttons["resume"].isEnabled(), what="a resumable run")
            qtbot.keyClick(second, Qt.Key.Key_R, CTRL | Qt.KeyboardModifier.ShiftModifier)  # Resume
            await until(lambda: second.runner.running, what="room 2 to resume")
            assert not first.runner.running
            qtbot.keyClick(second, Qt.Key.Key_Period, CTRL)
            await until(lambda: not second.runner.running, what="room 2 to stop")

        kit.run(scenario())


def test_the_grid_offers_every_control_and_the_menu_acts_on_the_room_last_used(kit, qtbot):
    with FakeLMStudio(per_token_delay_s=0.05) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.resize(1280, 800)
            window.show()
            await window.open_session(sid)
            view = window.host.view
            qtbot.mouseClick(view.grid_toggle, Qt.MouseButton.LeftButton)
            assert view.grid_mode
            tab_controls = {"start", "pause", "stop", "force", "again", "resume"}
            for pane in view.panes.values():
                assert set(pane.controls.buttons) == tab_controls
                for widget in (*pane.controls.buttons.values(), pane.controls.mode_ai, pane.controls.mode_person):
                    assert widget.isVisible(), widget.text()
                    corner = widget.mapTo(pane, widget.rect().bottomRight())
                    assert pane.rect().contains(corner), widget.text()  # not cut off by the grid cell
            third = list(view.panes.values())[2]
            qtbot.mouseClick(third.composer.edit, Qt.MouseButton.LeftButton)
            assert view.current_pane() is third
            qtbot.mouseClick(third.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: third.runner.running, what="room 3 to start from its grid button")
            qtbot.keyClick(third.composer.edit, Qt.Key.Key_D, CTRL)  # force, from the grid
            assert third._force_dialog is not None and third._force_dialog.isVisible()
            third._force_dialog.reject()
            qtbot.mouseClick(third.controls.buttons["stop"], Qt.MouseButton.LeftButton)
            await until(lambda: not third.runner.running, what="room 3 to stop")
            assert not any(p.runner.running for p in view.panes.values())

        kit.run(scenario())


def test_start_all_asks_before_running_finished_rooms_again(kit, qtbot):
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            view = window.host.view
            first = list(view.panes.values())[0]
            qtbot.mouseClick(first.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: first.shown_state.finished, timeout=20, what="room 1 to finish")
            await window.host.runtime.recorder.flush()
            runs = len(store.list_runs(sid))

            qtbot.mouseClick(view.start_all_button, Qt.MouseButton.LeftButton)
            box = view.confirm_box
            assert isinstance(box, QMessageBox) and box.isVisible()
            assert box.text() == "1 room already finished. Run it again?"
            qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
            assert not window.host.running_rooms() and len(store.list_runs(sid)) == runs

            qtbot.mouseClick(view.start_all_button, Qt.MouseButton.LeftButton)
            others = next(b for b in view.confirm_box.buttons() if b.text() == "Start only the other 2")
            qtbot.mouseClick(others, Qt.MouseButton.LeftButton)
            assert sorted(window.host.running_rooms()) == sorted(k for k in view.panes if view.panes[k] is not first)
            await until(lambda: all(p.shown_state.finished and not p.runner.running for p in view.panes.values()),
                        timeout=30, what="every room to finish")

            qtbot.mouseClick(view.start_all_button, Qt.MouseButton.LeftButton)
            assert view.confirm_box.text() == "3 rooms already finished. Run them again?"
            again = next(b for b in view.confirm_box.buttons() if b.text() == "Run again")
            qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
            assert len(window.host.running_rooms()) == 3
            await window.host.runtime.stop_all()

        kit.run(scenario())
