"""Who plays each agent, chosen in the setup form with real input: model (from the server's list) and
temperature, strategy family, hybrid; a session of strategies says it needs no server."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from negotiator_app.domain import LLMSettings, load_scenario
from negotiator_app.paths import resource_path
from negotiator_app.ui.setup import SessionSetupForm
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import probe_server
from tests.ui.test_setup_form import fill_valid_session

NO_SERVER = "This session needs no server"


@pytest.fixture
def form(qtbot):
    widget = SessionSetupForm()
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    return widget


def choose(qtbot, combo, label: str) -> None:
    """Step through a combo box with the arrow keys, as a person would, until `label` is chosen."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == label:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == label


def test_a_seller_played_by_a_strategy(qtbot, form):
    fill_valid_session(qtbot, form)
    agent = form.sellers()[0].agent
    assert agent.model_combo.isVisible() and not agent.family_combo.isVisible()  # a model by default
    choose(qtbot, agent.kind_combo, "Strategy")
    choose(qtbot, agent.family_combo, "Linear (concedes steadily)")
    assert agent.family_combo.isVisible() and not agent.model_combo.isVisible() and not agent.temperature.isVisible()
    assert form.check.valid
    assert form.check.config.sellers[0].agent.model_dump(exclude_none=True) == {
        "kind": "strategy", "strategy": {"kind": "linear", "initial_concession": 0.0}}
    assert not form.server_note.isVisible()  # the buyer still uses the model


def test_every_agent_a_strategy_needs_no_server(qtbot, form):
    fill_valid_session(qtbot, form)
    choose(qtbot, form.sellers()[0].agent.kind_combo, "Strategy")
    choose(qtbot, form.buyer_agent.kind_combo, "Strategy")
    choose(qtbot, form.buyer_agent.family_combo, "Conceder (concedes early)")
    assert form.server_note.isVisible() and NO_SERVER in form.server_note.text()
    config = form.check.config
    assert not config.needs_server and config.buyer.agent.strategy.kind.value == "conceder"


def test_per_agent_model_from_the_servers_list_and_temperature(qtbot, arun):
    form = SessionSetupForm(probe_server)
    qtbot.addWidget(form)
    form.resize(1200, 900)
    form.show()
    with FakeLMStudio() as fake:
        form.reset(LLMSettings(base_url=fake.base_url))
        fill_valid_session(qtbot, form)

        async def scenario():
            qtbot.mouseClick(form.llm.refresh_button, Qt.MouseButton.LeftButton)
            await until(lambda: form.sellers()[0].agent.model_combo.count() == 2, what="the agents' model lists")

        arun.run(scenario())
    agent = form.sellers()[0].agent
    assert [agent.model_combo.itemText(i) for i in range(2)] == ["fake-model", "other-model"]
    assert agent.model_combo.currentText() == ""  # empty: the session's model
    choose(qtbot, agent.model_combo, "other-model")
    agent.temperature.setFocus()
    agent.temperature.lineEdit().selectAll()
    qtbot.keyClicks(agent.temperature, "1.3")
    choose(qtbot, form.buyer_agent.kind_combo, "Hybrid (strategy + model)")
    config = form.check.config
    assert (config.sellers[0].agent.model, config.sellers[0].agent.temperature) == ("other-model", 1.3)
    assert config.buyer.agent.kind.value == "hybrid" and config.buyer.agent.strategy.kind.value == "boulware"
    assert config.buyer.agent.model is None  # the session's model writes the hybrid buyer's words


def test_the_strategy_example_loads_with_its_agents(form):
    path = resource_path("scenarios", "classic_negotiators.json")
    next(a for a in form.examples_menu.actions() if a.text() == load_scenario(path).name).trigger()
    assert form.check.config == load_scenario(path)
    assert form.server_note.isVisible() and NO_SERVER in form.server_note.text()
    assert [e.agent.family_combo.currentText().split()[0] for e in form.sellers()] == [
        "Boulware", "Linear", "Conceder", "Tit-for-tat"]
