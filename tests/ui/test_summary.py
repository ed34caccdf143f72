"""The summary view after real negotiations: outcome table, metrics, chart, and exports from the UI."""
from __future__ import annotations

import json

import jsonschema
from PySide6.QtWidgets import QFileDialog

from negotiator_app.domain import RunState
from negotiator_app.paths import resource_path
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def test_summary_shows_outcomes_and_exports_a_valid_session_log(kit, tmp_path):
    config = example("skipped_items")
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(config).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            window.host.view.start_all()
            await until(lambda: not window.host.running_rooms(), what="the room to finish")
            await window.host.runtime.recorder.flush()
            window.main_actions.show_summary.trigger()
            await window.summary_view.loading
            assert window.stack.currentWidget() is window.summary_view
            view = window.summary_view
            table = view.table
            rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
            assert [r[0] for r in rows] == [i.name for i in config.buyer.items]
            notebook = rows[0]
            assert notebook[1] == "Deal" and notebook[2] == "Science Stores"
            outcome = store.list_runs(sid)[0].outcome
            price = outcome.price_per_unit
            assert 2.8 <= price <= 5.5
            assert notebook[3] == f"{price:,.2f}" and notebook[4] == "30" and notebook[5] == f"{price * 30:,.2f}"
            assert notebook[6] == f"{(5.5 - price) * 30:,.2f}"  # below the winning seller's ask
            assert rows[1][1].startswith("Skipped: needs 12") and rows[2][1].startswith("Skipped: no seller")
            assert f"Bought 1 of 3 items for {price * 30:,.2f}" in view.totals.text()
            share = (6.0 - price) / (6.0 - 2.8)
            assert view.metric_values["Buyer's share of the surplus"] == f"{share * 100:.0f}%"
            assert [(r.item, r.price, r.ask, r.floor, r.buyer_max) for r in view.chart.rows] == [
                ("Lab notebook A4", price, 5.5, 2.8, 6.0)]
            # Price trajectories: the room's offers over the rounds, with the hidden limits drawn.
            trajectory = view.trajectories.charts["room-1"]
            stored_offers = store.load_run(store.list_runs(sid)[0].run_id).offers
            assert stored_offers and trajectory.data.offers == stored_offers
            assert trajectory.operator_view and trajectory.data.buyer_max == 6.0

            # Export through the UI: the button opens a file dialog (never exec()), picking a file writes it.
            view.json_button.click()
            assert isinstance(view.dialog, QFileDialog) and view.dialog.isVisible()
            target = tmp_path / "exported.json"
            view.dialog.fileSelected.emit(str(target))
            view.dialog.close()
            assert await view.exporting == target
            view.markdown_button.click()
            view.dialog.fileSelected.emit(str(tmp_path / "exported.md"))
            view.dialog.close()
            await view.exporting
            return target

        target = kit.run(scenario())
    doc = json.loads(target.read_text(encoding="utf-8"))
    schema = json.loads(resource_path("schemas", "session_log.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["session"]["config"]["buyer"]["name"] == config.buyer.name
    markdown = (tmp_path / "exported.md").read_text(encoding="utf-8")
    assert "Lab notebook A4" in markdown and "Science Stores" in markdown


def test_summary_before_any_run_says_so(kit):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        await window.open_session(sid)
        await window.show_summary()
        view = window.summary_view
        assert {view.table.item(r, 1).text() for r in range(view.table.rowCount())} == {"Not run yet"}
        assert len(view.chart.rows) == 3 and all(r.price is None for r in view.chart.rows)  # ranges, no deal yet
        assert view.totals.text().startswith("Bought 0 of 3 items")
        assert store.list_runs(sid) == [] and RunState.IDLE

    kit.run(scenario())


def test_a_stopped_run_is_shown_as_stopped_not_as_no_deal(kit, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from negotiator_app.export import session_markdown

    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            pane = next(iter(window.host.view.panes.values()))
            qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: fake.requests, what="the first request")
            qtbot.mouseClick(pane.controls.buttons["stop"], Qt.MouseButton.LeftButton)
            await until(lambda: not window.host.running_rooms(), what="the stopped room")
            await window.host.runtime.recorder.flush()
            window.main_actions.show_summary.trigger()
            await window.summary_view.loading
            table = window.summary_view.table
            assert table.item(0, 1).text() == "Stopped"
            window.summary_view.grab().save("/tmp/forms_summary_stopped.png")

        kit.run(scenario())
    assert store.list_runs(sid)[0].state == RunState.STOPPED
    markdown = session_markdown(store, sid)
    assert "Stopped" in markdown and "No deal" not in markdown


def test_a_name_ending_in_s_takes_a_bare_apostrophe(kit, qtbot):
    from PySide6.QtCore import Qt

    from negotiator_app.domain import SessionConfig

    text = example("skipped_items").model_dump_json().replace("Science Stores", "Clearview Displays")
    config = SessionConfig.model_validate_json(text)
    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(config).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(sid)
            pane = next(iter(window.host.view.panes.values()))
            qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: not window.host.running_rooms(), what="the deal")
            await window.host.runtime.recorder.flush()
            banner = pane.banner.label.text()
            assert "Clearview Displays' asking price" in banner and "Displays's" not in banner
            return store.list_runs(sid)[0].outcome.reason

        reason = kit.run(scenario())
    assert reason.startswith("accepted Clearview Displays' offer of")


def test_export_file_names_keep_a_copy_distinct_from_its_original(kit, qtbot):
    from PySide6.QtCore import Qt

    from negotiator_app.ui.summary_view import export_file_name

    store = kit.store()
    config = example("office_supplies")  # a long name: the file name is shortened
    original = store.create_session(config).id
    copy = store.duplicate_session(original).id
    second_copy = store.duplicate_session(copy).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        names = []
        for sid in (original, copy, second_copy):
            await window.open_session(sid)
            await window.show_summary()
            view = window.summary_view
            qtbot.mouseClick(view.json_button, Qt.MouseButton.LeftButton)
            names.append(view.dialog.selectedFiles()[0].rsplit("/", 1)[-1])
            view.dialog.close()
        return names

    names = kit.run(scenario())
    assert len(set(names)) == 3, names
    assert names[1].endswith(" (copy).json") and names[2].endswith(" (copy) (copy).json")
    assert all(len(n.split("-", 2)[2]) <= 60 + len(".json") for n in names)  # after "session-<id>-"
    assert export_file_name("a/b: c?", "md") == "a_b_ c_.md" and export_file_name("***", "md") == "_.md"


def test_metric_labels_are_drawn_as_normal_text_not_greyed_out(kit, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    from tests.storage.support import scripted_session

    store = kit.store()
    sid = scripted_session(store)

    async def scenario():
        window = kit.window(store=store)
        window.show()
        qtbot.waitExposed(window)
        await window.open_session(sid)
        window.activateWindow()
        qtbot.keyClick(window.host, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert window.stack.currentWidget() is window.summary_view
        view = window.summary_view
        await view.loading
        grid = view.metrics_grid
        keys = [grid.itemAtPosition(r, c).widget() for r in range(grid.rowCount()) for c in (0, 2)
                if grid.itemAtPosition(r, c) is not None]
        assert keys and all(isinstance(k, QLabel) and k.text().endswith(":") for k in keys)
        for key in keys:
            palette = key.palette()
            assert key.isEnabled()
            assert palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText) != palette.color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        await until(lambda: all(k.isVisible() and k.height() > 5 for k in keys), what="the metric labels on screen")
        view.grab().save("/tmp/forms_summary_metrics.png")

    kit.run(scenario())
