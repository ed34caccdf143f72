"""Screenshots of the main states for a person to look at (tests/_screenshots/, not committed)."""
from __future__ import annotations

import asyncio

from pathlib import Path

import pytest

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import WindowKit, dealing_responder

SHOTS = Path(__file__).resolve().parents[1] / "_screenshots"


@pytest.fixture
def kit(tmp_path, arun):
    k = WindowKit(tmp_path, arun)
    yield k
    k.close()


def test_screenshots_of_the_main_states(kit, qtbot):
    SHOTS.mkdir(exist_ok=True)
    saved: list[Path] = []

    def shoot(widget, name: str) -> None:
        path = SHOTS / f"{name}.png"
        assert widget.grab().save(str(path))
        saved.append(path)

    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = dealing_responder

        async def scenario():
            window = kit.window(fake.base_url)
            window.resize(1400, 900)
            window.show()
            window.start()
            await until(lambda: window.connection.healthy is not None, what="the server status")
            shoot(window, "1_empty_window")
            window.new_session()
            window.setup_form.load_example(next(p for p in __import__("negotiator_app.ui.setup", fromlist=["x"])
                                                .example_scenarios() if p.stem == "office_supplies"))
            shoot(window, "2_setup_filled")
            form = window.setup_form
            form.shopping.editor(0, "max_price").setText("1")
            form.sellers()[0].inventory.editor(0, "least_price").setText("abc")
            form.buyer_name.setText("")
            form.create_button.click()  # Create shows every problem
            shoot(window, "3_setup_with_errors")
            assert not form.check.valid and window.stack.currentWidget() is form
            form.load_example(next(p for p in __import__("negotiator_app.ui.setup", fromlist=["x"])
                                   .example_scenarios() if p.stem == "office_supplies"))
            next(b for b in form.confirm_box.buttons() if b.text() == "Load example").click()  # over edits: asked
            form.create_button.click()
            await until(lambda: window.host.runtime is not None, what="the session to open")
            rooms = window.host.runtime.engine.rooms
            window.host.view.start_all()
            await until(lambda: sum(len(r.transcript) for r in rooms.values()) >= 5, what="some conversation")
            shoot(window, "4_session_with_rooms")
            await until(lambda: not window.host.running_rooms(), timeout=30, what="the rooms to finish")
            await window.host.runtime.recorder.flush()
            shoot(window, "5_session_finished")
            window.show_summary()
            await asyncio.sleep(0.2)  # let the summary lay itself out, as a person would see it
            shoot(window, "6_summary")

        kit.run(scenario())
    assert all(p.stat().st_size > 10_000 for p in saved)
