"""Screenshots of the main states for a person to look at (tests/_screenshots/, not committed); the widgets'
state is checked to show what each picture is meant to show."""
from __future__ import annotations

from pathlib import Path


from negotiator_app.domain import OutcomeKind, plan_rooms
from negotiator_app.ui.setup import example_scenarios
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.on_screen import assert_on_screen
from tests.ui.window_support import dealing_responder, example

SHOTS = Path(__file__).resolve().parents[1] / "_screenshots"


def test_screenshots_of_the_main_states(kit, qtbot):
    SHOTS.mkdir(exist_ok=True)
    office = next(p for p in example_scenarios() if p.stem == "office_supplies")
    config = example("office_supplies")
    rooms_planned = plan_rooms(config).rooms

    def shoot(widget, name: str) -> None:
        assert widget.grab().save(str(SHOTS / f"{name}.png"))

    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = dealing_responder

        async def scenario():
            window = kit.window(fake.base_url)
            window.resize(1400, 900)
            window.show()
            window.start()
            await until(lambda: window.connection.healthy is not None, what="the server status")
            shoot(window, "1_empty_window")
            assert window.stack.currentWidget() is window.welcome
            assert window.connection.healthy and "LM Studio: reachable" in window.connection.plain_text()
            assert_on_screen(window.welcome, window)

            window.new_session()
            form = window.setup_form
            form.load_example(office)
            shoot(window, "2_setup_filled")
            assert window.stack.currentWidget() is form
            assert form.buyer_name.text() == config.buyer.name
            assert form.shopping.row_count() == len(config.buyer.items)
            assert [form.seller_tabs.tabText(i) for i in range(form.seller_tabs.count())] == \
                [s.name for s in config.sellers]
            assert form.problems() == [] and form.create_button.isEnabled()
            assert_on_screen(form.create_button, window)

            form.shopping.editor(0, "max_price").setText("1")
            form.sellers()[0].inventory.editor(0, "least_price").setText("abc")
            form.buyer_name.setText("")
            form.create_button.click()  # Create shows every problem
            shoot(window, "3_setup_with_errors")
            problems = form.problems()
            assert len(problems) >= 3 and not form.check.valid and window.stack.currentWidget() is form
            assert [form.problem_list.item(i).text() for i in range(form.problem_list.count())] == problems
            assert_on_screen(form.problem_list, window)

            form.load_example(office)
            next(b for b in form.confirm_box.buttons() if b.text() == "Load example").click()  # over edits: asked
            form.create_button.click()
            await until(lambda: window.host.runtime is not None, what="the session to open")
            rooms = window.host.runtime.engine.rooms
            window.host.view.start_all()
            await until(lambda: sum(len(r.transcript) for r in rooms.values()) >= 5, what="some conversation")
            shoot(window, "4_session_with_rooms")
            view = window.host.view
            assert window.stack.currentWidget() is not form and view.isVisible()
            assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [room.item.name for room in rooms_planned]
            pane = view.current_pane()
            assert_on_screen(pane.transcript, window)
            assert pane.transcript.bubbles() and pane.transcript.bubbles()[0].text == "Hello all, what is your best price?"

            await until(lambda: not window.host.running_rooms(), timeout=30, what="the rooms to finish")
            await window.host.runtime.recorder.flush()
            shoot(window, "5_session_finished")
            for pane in view.panes.values():  # the dealing sellers offer their floor, the buyer accepts
                assert pane.runner.outcome.kind == OutcomeKind.DEAL
                assert pane.banner.kind == "deal" and pane.runner.outcome.seller in pane.banner.label.text()
            assert_on_screen(view.current_pane().banner, window)

            await window.show_summary()
            await until(lambda: window.summary_view.isVisible(), what="the summary")
            shoot(window, "6_summary")
            summary = window.summary_view
            table = summary.table
            assert [table.item(r, 0).text() for r in range(table.rowCount())] == [i.name for i in config.buyer.items]
            sellers = {pane.runner.plan.item.name: pane.runner.outcome.seller for pane in view.panes.values()}
            for r in range(table.rowCount()):
                item = table.item(r, 0).text()
                if item in sellers:
                    assert table.item(r, 2).text() == sellers[item]
            assert [row.item for row in summary.chart.rows] == [room.item.name for room in rooms_planned]
            assert all(row.price is not None for row in summary.chart.rows)  # every room made a deal
            assert_on_screen(summary.title, window)
            assert_on_screen(table, window)

        kit.run(scenario())
