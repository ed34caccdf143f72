"""The room pane and window with agents other than the session's model: a disclosure shows as a small label
under its message; the strategy example runs in the window with no server, and says so in the status bar."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from negotiator_app.domain import RunState
from negotiator_app.engine import DisclosureMade
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.status_bar import NO_SERVER_TEXT
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation
from tests.ui.window_support import WindowKit


def test_a_disclosure_is_labelled_under_its_message(qtbot, arun):
    script = Script(seller_text="Honestly it cost me 2.00 a piece.", prices={"Bolt": 9.0, "Acme": 9.5},
                    decision="walk_away")
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, script) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.controls.buttons["start"].click()
                await until(lambda: env.runner.state == RunState.NO_DEAL, what="the run to end")
                await until(lambda: "disclosed" in pane.transcript.toPlainText(), what="the labels")
                assert {(d.agent, d.secret) for d in env.of_type(DisclosureMade)} == {("Bolt", "cost"), ("Acme", "cost")}
                text = pane.transcript.toPlainText()
                assert text.count("ⓘ disclosed its cost price: 2.00") == 2
                bolt = next(b for b in pane.transcript.bubbles() if b.sender == "Bolt")
                assert "written by model fake-model" in bolt.tooltip()
        arun.run(scenario())


def test_the_strategy_example_runs_in_the_window_with_no_server(qtbot, tmp_path, arun):
    kit = WindowKit(tmp_path, arun)  # its server URL is a closed port: nothing answers there

    async def scenario():
        window = kit.window()
        window.show()
        button = next(b for b in window.welcome.findChildren(QPushButton) if b.text() == "Start from an example")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        form = window.setup_form
        assert form.check.valid and not form.check.config.needs_server
        assert form.server_note.isVisible()
        qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.host.runtime is not None, what="the session to open")
        await until(lambda: NO_SERVER_TEXT in window.connection.plain_text(), what="the status bar")
        pane = next(iter(window.host.view.panes.values()))
        qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
        await until(lambda: pane.runner.state == RunState.DECIDED, what="a deal")
        assert pane.banner.kind == "deal"
        assert all("written by a strategy" in b.tooltip() for b in pane.transcript.bubbles())
        assert NO_SERVER_TEXT in window.connection.plain_text()  # the poll of the closed port did not override it

    try:
        kit.run(scenario())
    finally:
        kit.close()
