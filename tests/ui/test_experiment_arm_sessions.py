"""An experiment's arms are stored as sessions: the sidebar lists only the person's own sessions, and an arm's runs
open from the Experiments view (double-click its row) in the session view, which says whose runs they are."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.spec import ExperimentSpec
from negotiator_app.runtime import client_factory
from negotiator_app.storage.experiments import load_experiment as load_stored
from tests.experiments.support import market
from tests.ui.conftest import until
from tests.ui.experiments_support import open_page

NOBODY = "http://127.0.0.1:9/v1"  # strategy-only arms never ask a server
ARMS = ("Boulware sellers", "Conceder sellers")
SHOTS = Path(__file__).resolve().parents[1] / "_screenshots"  # pictures to look at, not committed


def strategy_experiment(session_id: int) -> ExperimentSpec:
    return ExperimentSpec.model_validate({
        "name": "Tactics", "session_id": session_id, "repetitions": 2, "seed": 3,
        "arms": [{"name": name, "buyer": {"strategy": "conceder"}, "sellers": {"strategy": name.split()[0].lower()}}
                 for name in ARMS]})


def test_the_sidebar_lists_the_persons_sessions_and_an_arm_opens_from_the_experiments_view(kit, qtbot):
    store = kit.store()
    own = store.create_session(market()).id
    experiment_id = create_experiment(store, strategy_experiment(own))

    async def scenario():
        result = await ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run()
        assert (result.status, result.done) == ("finished", 4)
        stored = load_stored(store, experiment_id)
        assert len(store.list_sessions()) == 3  # the scenario and one session per arm

        window = kit.window(store=store)
        await window.sidebar.loaded
        assert window.sidebar.session_ids() == [own] and window.sidebar.names() == ["Cable market"]

        page = await open_page(window, qtbot)
        table = page.results.table
        await until(lambda: table.rowCount() == 2 and table.cell_text(1, "Runs") == "2", what="the arms' results")
        row = ARMS.index("Conceder sellers")
        assert table.cell_text(row, "Arm") == "Conceder sellers"
        cell = table.visualItemRect(table.item(row, 0)).center()
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)

        arm_session = stored.arms["Conceder sellers"]
        await until(lambda: window.host.runtime is not None and window.host.runtime.session_id == arm_session
                    and window.stack.currentWidget() is window.host, what="the arm's session shown")
        await until(lambda: window.host.history_loaded is not None and window.host.history_loaded.done())
        assert window.host.details.text().startswith(f"Experiment {experiment_id} · arm Conceder sellers · Pat")
        arm_runs = [run_id for r in stored.runs if r.arm == "Conceder sellers" for run_id in r.run_ids]
        (key, picker), = window.host.pickers.items()
        assert sorted(picker.itemData(i) for i in range(picker.count())) == sorted(arm_runs)
        latest = store.load_run(picker.itemData(0))
        assert latest.messages and latest.messages[-1].text in window.host.view.panes[key].transcript.toPlainText()
        assert window.sidebar.session_ids() == [own] and window.sidebar.selected_id() is None
        window.resize(1280, 800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / "experiment_arm_session.png"))

        window.delete_current_session()  # the arm's runs belong to the experiment: refused, with the reason
        box = window.sidebar.dialog
        assert isinstance(box, QMessageBox) and box.isVisible() and "arm “Conceder sellers”" in box.text()
        box.close()
        assert arm_session in {s.id for s in store.list_sessions()}

    kit.run(scenario())


def test_with_only_an_experiments_sessions_the_empty_sidebar_says_where_their_runs_are(kit, qtbot, tmp_path):
    store = kit.store()
    own = store.create_session(market()).id
    create_experiment(store, strategy_experiment(own))
    store.delete_session(own)  # the experiment keeps its copy of the scenario: only its arms' sessions are left

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.sidebar.loaded
        assert window.sidebar.names() == [] and len(store.list_sessions()) == 2
        label = window.sidebar.empty_label
        assert label.isVisible() and label.text().endswith("Experiment runs: see Experiments.")

    kit.run(scenario())
