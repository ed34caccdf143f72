"""The experiment form: built with real input, it stores what the experiment file stores, runs, saves and loads
files, and says under each field what is wrong."""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt

from negotiator_app.domain import save_scenario
from negotiator_app.experiments.spec import load_experiment
from tests.cli.scripted import responder
from tests.experiments.support import market, write_experiment
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.experiments_support import (
    answer_file_dialog, choose, click, open_page, stored_experiments, stored_shape, type_into,
)
from tests.ui.test_gui_thread_never_waits_on_disk import SqlThreads

SHOTS = (Path(__file__).resolve().parents[2] / "resources" / "screenshots"
         if os.environ.get("NEGOTIATOR_UPDATE_SCREENSHOTS") == "1" else Path(__file__).resolve().parents[1] / "_screenshots")


def test_the_form_stores_what_the_file_stores_and_runs_it(kit, qtbot, tmp_path):
    file = write_experiment(tmp_path, repetitions=2)  # market.json and an experiment of arms A and B on it
    with FakeLMStudio() as fake:
        fake.responder = responder
        store = kit.store()

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            page = await open_page(window, qtbot)
            click(qtbot, page.new_button)
            form = page.form
            assert page.pages.currentWidget() is form
            type_into(qtbot, form.name_edit, "Models compared")
            choose(qtbot, form.scenario.source_combo, "A scenario file")
            type_into(qtbot, form.scenario.file_edit, str(tmp_path / "market.json"), enter=True)
            await until(lambda: form.models == ["fake-model", "other-model"], what="the server's models in the form")
            assert "2 model(s)" in form.models_note.text()
            type_into(qtbot, form.repetitions, "2")
            type_into(qtbot, form.seed, "7")
            a, b = form.arms
            type_into(qtbot, a.name_edit, "A")
            choose(qtbot, a.model_combo, "fake-model")  # picked from the server's list
            type_into(qtbot, b.name_edit, "B")
            type_into(qtbot, b.model_combo, "other-model")  # or typed
            type_into(qtbot, b.temperature, "0.2")
            click(qtbot, form.create_button)
            await until(lambda: page.pages.currentWidget() is page.browser and page.list.rowCount() == 1,
                        what="the created experiment in the list")
            assert "Press Run" in page.status_label.text()
            table = page.results.table  # who plays in each arm shows before any run
            await until(lambda: table.rowCount() == 2 and table.cell_text(1, "Buyer") == "other-model",
                        what="the new experiment's arms in the results table")
            assert [table.cell_text(r, "Runs") for r in range(2)] == ["0", "0"]

            answer_file_dialog(qtbot, page, page.open_button, file)  # the same experiment from its file
            await until(lambda: page.list.rowCount() == 2, what="the file's experiment")
            from_form, from_file = stored_experiments(store)
            assert stored_shape(store, from_form) == stored_shape(store, from_file)

            page.list.selectRow([e.id for e in page.list.experiments].index(from_form.id))
            click(qtbot, page.run_button)
            await until(lambda: page.run_task is None, timeout=60, what="the form's experiment to finish")
            await until(lambda: page.results.report is not None and page.results.report.done == 4)
            table = page.results.table
            assert [(table.cell_text(r, "Arm"), table.cell_text(r, "Buyer"), table.cell_text(r, "Runs"))
                    for r in range(2)] == [("A", "fake-model", "2"), ("B", "other-model", "2")]
            models = {r.arm: {store.load_run(i).config.llm.model for i in r.run_ids}
                      for r in stored_experiments(store)[0].runs}
            assert models == {"A": {"fake-model"}, "B": {"other-model"}}

        kit.run(scenario())


def test_strategy_arms_from_a_stored_session_run_and_fill_the_cross_play_matrix(kit, qtbot, tmp_path):
    store = kit.store()
    session_id = store.create_session(market()).id
    sql = SqlThreads(store.engine)  # the form reads the sessions and the scenario, and creates, off the GUI thread

    async def scenario():
        window = kit.window(store=store)  # nothing answers: strategies need no server
        page = await open_page(window, qtbot)
        click(qtbot, page.new_button)
        form = page.form
        await until(lambda: form.scenario.base is not None, what="the stored session read as the scenario")
        assert form.scenario.spec_part() == {"session_id": session_id}
        assert form.arms[0].seller_names == ["Bolt", "Acme", "Cleo"]
        type_into(qtbot, form.name_edit, "Tactics")
        type_into(qtbot, form.repetitions, "3")
        click(qtbot, form.add_arm_button)
        plays = [("Conceder", "Boulware"), ("Conceder", "Linear"), ("Boulware", "Boulware")]
        for editor, (buyer, sellers) in zip(form.arms, plays):
            type_into(qtbot, editor.name_edit, f"{buyer} buyer vs {sellers} sellers")
            for agent, family in ((editor.buyer, buyer), (editor.sellers, sellers)):
                choose(qtbot, agent.kind_combo, "Strategy")
                choose(qtbot, agent.family_combo, family)
        click(qtbot, form.create_button)
        await until(lambda: page.pages.currentWidget() is page.browser and page.list.rowCount() == 1)
        sql.watching = False
        assert sql.on_gui_thread == [] and sql.elsewhere > 0
        stored = stored_experiments(store)[0]
        assert stored.spec["session_id"] == session_id
        assert stored.spec["arms"][1] == {"name": "Conceder buyer vs Linear sellers", "model": None,
                                          "temperature": None, "max_rounds": None, "per_seller": {},
                                          "buyer": {"kind": None, "model": None, "temperature": None,
                                                    "strategy": "conceder"},
                                          "sellers": {"kind": None, "model": None, "temperature": None,
                                                      "strategy": "linear"}}
        click(qtbot, page.run_button)
        await until(lambda: page.run_task is None, timeout=60, what="the strategy runs")
        await until(lambda: page.results.report is not None and page.results.report.done == 9)
        results = page.results
        assert results.tabs.currentIndex() == 0
        tab_bar = results.tabs.tabBar()
        qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(1).center())
        assert results.tabs.currentWidget() is results.cross_play and results.cross_play.isVisible()
        matrix = results.cross_play
        assert (matrix.buyers, matrix.sellers) == (["boulware", "conceder"], ["boulware", "linear"])
        # Each cell worked out from the stored runs of the arm that pairs its players
        for (buyer, sellers), arm in zip([("conceder", "boulware"), ("conceder", "linear"), ("boulware", "boulware")],
                                         ("Conceder buyer vs Boulware sellers", "Conceder buyer vs Linear sellers",
                                          "Boulware buyer vs Boulware sellers")):
            runs = [store.load_run(i) for r in stored_experiments(store)[0].runs if r.arm == arm for i in r.run_ids]
            deals = [r for r in runs if r.outcome is not None and r.outcome.kind.value == "deal"]
            text = matrix.cell_text(buyer, sellers)
            assert text.startswith(f"{100 * len(deals) / len(runs):.0f}% [") and text.endswith(f"n = {len(runs)}")
            if deals:  # Cable: buyer max 8, lowest floor 4 (Acme)
                position = sum((d.outcome.price_per_unit - 4) / 4 for d in deals) / len(deals)
                assert f"position {position:.2f}" in text
        assert matrix.cell_text("boulware", "linear") == "no runs"
        page.window().resize(1280, 800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert page.window().grab().save(str(SHOTS / "experiment_cross_play.png"))

    kit.run(scenario())


def test_loading_a_file_into_the_form_and_saving_it_again(kit, qtbot, tmp_path):
    save_scenario(market(), tmp_path / "market.json")
    original = tmp_path / "tactics.json"
    original.write_text(json.dumps({
        "name": "Tactics", "scenario": "market.json", "repetitions": 4, "seed": 3,
        "arms": [{"name": "Tough sellers", "buyer": {"strategy": "conceder"},
                  "sellers": {"strategy": {"kind": "boulware", "exponent": 0.1}},
                  "per_seller": {"Acme": {"strategy": "tit_for_tat"}}},
                 {"name": "Models", "model": "fake-model", "max_rounds": 2}]}), encoding="utf-8")
    (tmp_path / "shared").mkdir()
    store = kit.store()

    async def scenario():
        window = kit.window(store=store)
        page = await open_page(window, qtbot)
        click(qtbot, page.new_button)
        form = page.form
        answer_file_dialog(qtbot, form, form.load_button, original)
        await until(lambda: form.name_edit.text() == "Tactics" and form.scenario.base is not None)
        tough, models = form.arms
        assert (form.repetitions.value(), form.seed.value(), form.scenario.file_edit.text()) == (
            4, 3, str(tmp_path / "market.json"))
        assert (tough.name_edit.text(), tough.buyer.kind_combo.currentText(), tough.buyer.family_combo.currentText(),
                tough.sellers.family_combo.currentText()) == (
            "Tough sellers", "Strategy", "Conceder (concedes early)", "Boulware (concedes late)")
        assert [(r.seller_combo.currentText(), r.agent.family_combo.currentText()) for r in tough.per_seller] == [
            ("Acme", "Tit-for-tat (mirrors the other side)")]
        assert (models.model_combo.currentText(), models.max_rounds.value()) == ("fake-model", 2)
        type_into(qtbot, form.repetitions, "5")  # an edit before sharing it
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.window().resize(1280, 800)
        assert page.window().grab().save(str(SHOTS / "experiment_form.png"))
        saved = tmp_path / "shared" / "tactics-5.json"
        answer_file_dialog(qtbot, form, form.save_button, saved)
        await until(lambda: form.last_saved == saved, what="the saved file")
        assert json.loads(saved.read_text(encoding="utf-8"))["scenario"] == "../market.json"
        assert load_experiment(saved) == load_experiment(original).model_copy(update={"repetitions": 5})
        assert page.pages.currentWidget() is form and stored_experiments(store) == []

    kit.run(scenario())


def test_problems_show_under_the_field_that_is_wrong_and_nothing_is_created(kit, qtbot, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "x", "buyer": {"name": "Pat", "items": []}, "sellers": []}),
                      encoding="utf-8")
    store = kit.store()

    async def scenario():
        window = kit.window(store=store)
        page = await open_page(window, qtbot)
        click(qtbot, page.new_button)
        form = page.form
        await until(lambda: form.scenario.base is not None, what="the first example as the scenario")
        assert form.scenario.source_combo.currentText() == "A bundled example"  # no stored session to offer
        a, b = form.arms
        type_into(qtbot, a.name_edit, "Same")
        type_into(qtbot, b.name_edit, "same ")
        assert a.messages["name"].isVisible() and "own name" in a.messages["name"].text()
        assert "own name" in b.messages["name"].text()
        assert not form.messages["name"].isVisible()  # not touched yet
        click(qtbot, a.add_seller_button)
        row = a.per_seller[0]
        type_into(qtbot, row.seller_combo, "Nobody")
        click(qtbot, form.create_button)
        assert form.messages["name"].isVisible() and form.messages["name"].text() == "Name must not be empty"
        await until(lambda: row.message.isVisible(), what="the message under the seller's own setting")
        assert row.message.text().startswith("No seller named 'Nobody' in the scenario (sellers: ")
        assert form.reason_label.text().startswith("To create the experiment, fix:")
        click(qtbot, b.remove_button)
        assert "at least 2 arms" in form.messages["arms"].text() and form.messages["arms"].isVisible()
        choose(qtbot, form.scenario.source_combo, "A scenario file")
        type_into(qtbot, form.scenario.file_edit, str(broken), enter=True)
        await until(lambda: "broken.json cannot be used" in form.messages["scenario"].text(),
                    what="the scenario's problem under the scenario")
        assert form.messages["scenario"].isVisible()
        click(qtbot, form.create_button)
        assert page.pages.currentWidget() is form and stored_experiments(store) == []
        click(qtbot, form.cancel_button)  # what was typed is not thrown away without asking
        box = form.confirm_box
        assert box is not None and box.isVisible() and page.pages.currentWidget() is form
        discard = next(b for b in box.buttons() if b.text() == "Discard")
        qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
        assert page.pages.currentWidget() is page.browser and page.list.rowCount() == 0

    kit.run(scenario())


def test_cross_play_arms_in_one_click_give_a_model_by_model_matrix(kit, qtbot, tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = responder
        store = kit.store()
        store.create_session(market())

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            page = await open_page(window, qtbot)
            click(qtbot, page.new_button)
            form = page.form
            await until(lambda: form.scenario.base is not None and form.models, what="the scenario and its models")
            type_into(qtbot, form.name_edit, "Cross-play")
            type_into(qtbot, form.repetitions, "2")
            type_into(qtbot, form.cross_models, "a, b, c, d, e")
            click(qtbot, form.cross_button)
            assert "5 models make 25 arms" in form.messages["arms"].text() and len(form.arms) == 2
            type_into(qtbot, form.cross_models, "fake-model, other-model")
            click(qtbot, form.cross_button)
            assert [a.name_edit.text() for a in form.arms] == [
                "fake-model × fake-model", "fake-model × other-model", "other-model × fake-model",
                "other-model × other-model"]
            assert not form.messages["arms"].isVisible()
            click(qtbot, form.create_button)
            await until(lambda: page.list.rowCount() == 1, what="the cross-play experiment")
            stored = stored_experiments(store)[0]
            for arm, session_id in stored.arms.items():
                config = store.get_session(session_id).config
                buyer, sellers = arm.split(" × ")
                assert config.buyer.agent.model == buyer and {s.agent.model for s in config.sellers} == {sellers}
            click(qtbot, page.run_button)
            await until(lambda: page.run_task is None, timeout=90, what="the 8 runs")
            await until(lambda: page.results.report is not None and page.results.report.done == 8)
            tab_bar = page.results.tabs.tabBar()
            qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(1).center())
            matrix = page.results.cross_play
            assert (matrix.buyers, matrix.sellers) == (["fake-model", "other-model"], ["fake-model", "other-model"])
            for buyer in matrix.buyers:
                for sellers in matrix.sellers:
                    assert matrix.cell_text(buyer, sellers).endswith("n = 2")

        kit.run(scenario())
