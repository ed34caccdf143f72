"""The Experiments page against the fake LM Studio: create from a file, run, stop, continue, results, exports."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path


from negotiator_app.experiments.exports import _arm_row, to_csv, to_markdown
from negotiator_app.experiments.report import experiment_report
from negotiator_app.storage.experiments import list_experiments
from negotiator_app.storage.experiments import load_experiment as load_stored
from negotiator_app.ui.experiments.arm_table import COLUMNS
from tests.cli.scripted import responder
from tests.experiments.support import write_experiment
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.experiments_support import answer_file_dialog, click, open_page, varied_responder

# Each run saves the picture under tests/_screenshots/ (not committed); NEGOTIATOR_UPDATE_SCREENSHOTS=1 writes
# the README's copy in resources/screenshots/ instead.
SCREENSHOT = (Path(__file__).resolve().parents[2] / "resources" / "screenshots" / "experiments.png"
              if os.environ.get("NEGOTIATOR_UPDATE_SCREENSHOTS") == "1"
              else Path(__file__).resolve().parents[1] / "_screenshots" / "experiments.png")
# Where the Markdown report's per-arm row puts each column the page's table also shows
MARKDOWN_COLUMN = {"Arm": 0, "Buyer": 1, "Sellers": 2, "Runs": 3, "Deal rate": 4, "Mean price": 5, "Median price": 6,
                   "Deal position": 7, "Buyer share": 8, "Rounds to close": 9,
                   "Violations /100": 10, "Unusable /100": 12, "Tokens/s": 13}


def test_create_run_and_results_equal_the_package_report(kit, qtbot, tmp_path):
    path = write_experiment(tmp_path, repetitions=3)
    with FakeLMStudio() as fake:
        fake.responder = responder
        store = kit.store()

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            page = await open_page(window, qtbot)
            answer_file_dialog(qtbot, page, page.open_button, path)
            await until(lambda: page.list.rowCount() == 1, what="the new experiment in the list")
            assert page.list.row_texts(0) == ["Models compared", "2", "0/6", "not started"]
            assert not page.error_label.isVisible()

            click(qtbot, page.run_button)
            assert page.list.row_texts(0)[3] == "running" or page.run_task is not None
            await until(lambda: page.run_task is None, timeout=60, what="the experiment to finish")
            assert (page.progress_bar.value(), page.progress_bar.maximum()) == (6, 6)
            assert "elapsed" in page.progress_label.text()
            await until(lambda: page.list.row_texts(0) == ["Models compared", "2", "6/6", "finished"])
            experiment_id = list_experiments(store)[0].id
            report = experiment_report(store, experiment_id)
            await until(lambda: page.results.report is not None and page.results.report.done == 6,
                        what="the final report on screen")
            table = page.results.table
            assert table.rowCount() == 2
            for row, arm in enumerate(report.arms):
                expected = _arm_row(arm)  # the Markdown report's cells for this arm
                for header, _ in COLUMNS:
                    assert table.cell_text(row, header) == expected[MARKDOWN_COLUMN[header]], header
            # Worked out from the stored runs themselves: each arm's mean deal price, as the table shows it
            stored = load_stored(store, experiment_id)
            for row, arm in enumerate(("A", "B")):
                prices = [store.load_run(i).outcome.price_per_unit for r in stored.runs if r.arm == arm
                          for i in r.run_ids]
                assert table.cell_text(row, "Mean price").startswith(f"{sum(prices) / len(prices):,.2f} [")
            assert [table.cell_text(r, "Runs") for r in range(2)] == ["3", "3"]
            assert table.cell_text(0, "Deal rate").startswith("100%")
            assert page.results.positions_chart.positions == {
                "A": [r.deal_position for r in report.runs if r.arm == "A"],
                "B": [r.deal_position for r in report.runs if r.arm == "B"]}
            assert [e.value for e in page.results.deal_rate_chart.estimates] == [1.0, 1.0]

            for fmt, expected_text in (("csv", to_csv(report)), ("md", to_markdown(report))):
                target = tmp_path / f"report.{fmt}"
                answer_file_dialog(qtbot, page, page.export_buttons[fmt], target)
                await until(lambda target=target: page.last_export == target, what=f"the {fmt} export")
                assert target.read_text(encoding="utf-8") == expected_text
            target = tmp_path / "report.json"
            answer_file_dialog(qtbot, page, page.export_buttons["json"], target)
            await until(lambda: page.last_export == target, what="the json export")
            assert json.loads(target.read_text(encoding="utf-8"))["arms"][0]["runs"] == 3

        kit.run(scenario())


def test_stop_keeps_finished_runs_and_continue_runs_the_rest(kit, qtbot, tmp_path):
    path = write_experiment(tmp_path, repetitions=3)
    release = threading.Event()
    openings: list[int] = []

    def hold_the_third_run(body):  # on the server's thread: the third run's buyer opening waits for the test
        if "Start the negotiation" in body["messages"][-1]["content"]:
            openings.append(1)
            if len(openings) == 3:
                release.wait(timeout=20)
        return responder(body)

    with FakeLMStudio() as fake:
        fake.responder = hold_the_third_run
        store = kit.store()

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            page = await open_page(window, qtbot)
            answer_file_dialog(qtbot, page, page.open_button, path)
            await until(lambda: page.list.rowCount() == 1, what="the new experiment")
            click(qtbot, page.run_button)
            await until(lambda: len(openings) == 3 and page.progress_bar.value() == 2, timeout=30,
                        what="two runs done and the third under way")
            assert not page.run_button.isEnabled() and not page.continue_button.isEnabled()
            click(qtbot, page.stop_button)
            release.set()
            await until(lambda: page.run_task is None, timeout=30, what="the stop")
            assert "Stopped" in page.status_label.text()
            await until(lambda: page.list.row_texts(0)[2:] == ["2/6", "stopped"], what="the list after the stop")
            experiment_id = list_experiments(store)[0].id
            stored = load_stored(store, experiment_id)
            kept = {r.position: r.run_ids for r in stored.runs if r.done}
            assert sorted(kept) == [0, 1]
            assert store.load_run(stored.runs[2].run_ids[0]).state.value == "stopped"  # what was said is stored

            await until(lambda: page.continue_button.isEnabled(), what="Continue to be offered")
            assert not page.run_button.isEnabled()
            click(qtbot, page.continue_button)
            await until(lambda: page.run_task is None, timeout=60, what="the rest of the runs")
            await until(lambda: page.list.row_texts(0)[2:] == ["6/6", "finished"], what="the finished list row")
            assert page.progress_bar.value() == 6
            after = load_stored(store, experiment_id).runs
            assert all(r.done for r in after)
            assert {r.position: r.run_ids for r in after if r.position in kept} == kept  # not run twice
            assert after[2].attempts == 2
            await until(lambda: page.results.report is not None and page.results.report.done == 6)
            assert [page.results.table.cell_text(r, "Runs") for r in range(2)] == ["3", "3"]

        kit.run(scenario())


def test_a_broken_experiment_file_shows_where_and_creates_nothing(kit, qtbot, tmp_path):
    write_experiment(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "Bad", "scenario": "market.json", "repetitions": 0,
                                  "arms": [{"name": "Only"}]}), encoding="utf-8")
    not_json = tmp_path / "not_json.json"
    not_json.write_text('{"name": "x",\n  "arms": [}', encoding="utf-8")
    store = kit.store()

    async def scenario():
        window = kit.window(store=store)
        page = await open_page(window, qtbot)
        answer_file_dialog(qtbot, page, page.open_button, broken)
        await until(lambda: page.error_label.isVisible(), what="the error")
        text = page.error_label.text()
        assert "broken.json is not a valid experiment; nothing was created" in text
        assert "repetitions" in text and "arms" in text
        answer_file_dialog(qtbot, page, page.open_button, not_json)
        await until(lambda: "not_json.json" in page.error_label.text(), what="the JSON error")
        assert "line 2, column" in page.error_label.text()
        assert list_experiments(store) == [] and page.list.rowCount() == 0
        assert not page.run_button.isEnabled()

    kit.run(scenario())


def test_screenshot_of_the_results_view(kit, qtbot, tmp_path):
    path = write_experiment(tmp_path, repetitions=12)
    with FakeLMStudio() as fake:
        fake.responder = varied_responder(3)
        store = kit.store()

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            page = await open_page(window, qtbot)
            answer_file_dialog(qtbot, page, page.open_button, path)
            await until(lambda: page.list.rowCount() == 1)
            click(qtbot, page.run_button)
            await until(lambda: page.run_task is None, timeout=120, what="the experiment")
            await until(lambda: page.results.report is not None and page.results.report.done == 24)
            page.setParent(None)  # the page alone, at the size the README shows
            page.resize(1280, 800)
            page.show()
            await until(lambda: page.isVisible())
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            assert page.grab().save(str(SCREENSHOT))
            assert page.results.positions_chart.has_data() and page.results.price_chart.has_data()
            page.close()
            await page.shutdown()

        kit.run(scenario())


def test_a_server_that_does_not_answer_pauses_with_a_plain_message(kit, qtbot, tmp_path):
    path = write_experiment(tmp_path, repetitions=2)
    store = kit.store()

    async def scenario():
        window = kit.window(store=store)  # a closed port: nothing answers
        page = await open_page(window, qtbot)
        answer_file_dialog(qtbot, page, page.open_button, path)
        await until(lambda: page.list.rowCount() == 1)
        click(qtbot, page.run_button)
        await until(lambda: page.run_task is None, timeout=30, what="the pause")
        assert "the model server does not answer" in page.status_label.text()
        assert "0 of 4 runs are done" in page.status_label.text()
        await until(lambda: page.list.row_texts(0)[2:] == ["0/4", "not started"])
        assert page.run_button.isEnabled()

    kit.run(scenario())


def test_status_polling_stays_quiet_while_an_experiment_runs(kit, qtbot, tmp_path):
    """A probe competes with the experiment for the server's slot: on a one-slot server it timed out and the status
    bar flickered to a fault every poll while the experiment was being answered."""
    path = write_experiment(tmp_path, repetitions=3)
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = responder
        store = kit.store()

        def probes() -> int:
            return sum(1 for _, request_path, _, _ in fake.all_requests if request_path.endswith("/models"))

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.monitor.interval_s = 0.05
            window.start()
            await until(lambda: window.connection.healthy is True, what="the first status")
            page = await open_page(window, qtbot)
            answer_file_dialog(qtbot, page, page.open_button, path)
            await until(lambda: page.list.rowCount() == 1, what="the new experiment")
            click(qtbot, page.run_button)
            await until(lambda: len(fake.requests) >= 2, what="the experiment's first requests")
            before = probes()
            await until(lambda: len(fake.requests) >= 12, timeout=60, what="several streamed replies")
            during = probes() - before
            await until(lambda: page.run_task is None, timeout=60, what="the experiment to finish")
            await until(lambda: probes() > before + during, what="polling to resume once the experiment ends")
            return during

        # At most one probe that was already in flight when the run started (two requests: /v1/models and
        # /api/v0/models); polling every 50 ms through the seconds of streaming would have made dozens.
        assert kit.run(scenario()) <= 2
