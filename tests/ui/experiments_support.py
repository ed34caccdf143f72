"""Experiments in the window: driving the page and its form with real input, and a fake server whose results vary."""
from __future__ import annotations

import json
import random
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from negotiator_app.storage import Store
from negotiator_app.storage.experiments import StoredExperiment, list_experiments
from negotiator_app.storage.experiments import load_experiment as load_stored
from negotiator_app.ui.experiments import ExperimentsPage
from tests.cli.scripted import responder


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget: QWidget, text: str, enter: bool = False) -> None:
    """Select what the field holds and type over it, as a person would."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)
    if enter:
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick the entry that starts with `text`: with the arrow keys, or a click in the list of an editable box."""
    if combo.isEditable():
        combo.showPopup()
        view = combo.view()
        row = next((i for i in range(combo.count()) if combo.itemText(i).startswith(text)), None)
        assert row is not None, f"no entry {text!r} in {[combo.itemText(i) for i in range(combo.count())]}"
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(row, 0)).center())
        assert combo.currentText() == combo.itemText(row)
        return
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(text):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText().startswith(text), f"no entry {text!r} in {[combo.itemText(i) for i in range(combo.count())]}"


def answer_file_dialog(qtbot, owner, button, path: Path) -> None:
    """Click the button, then choose `path` in the file dialog it opened (owner.dialog)."""
    click(qtbot, button)
    dialog = owner.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.fileSelected.emit(str(path))
    dialog.close()


def stored_shape(store: Store, experiment: StoredExperiment) -> dict:
    """What an experiment stores, without its ids and time: spec, scenario, each arm's configuration, the plan."""
    return {"name": experiment.name, "spec": experiment.spec, "scenario": experiment.scenario,
            "arms": {arm: store.get_session(session_id).config for arm, session_id in experiment.arms.items()},
            "plan": [(r.position, r.arm, r.repetition, r.seed, r.seller_order) for r in experiment.runs]}


def stored_experiments(store: Store) -> list[StoredExperiment]:
    """Oldest first."""
    return [load_stored(store, e.id) for e in sorted(list_experiments(store), key=lambda e: e.id)]


async def open_page(window, qtbot) -> ExperimentsPage:
    window.show()
    action = window.main_actions.experiments
    assert action in window.menuBar().actions()[0].menu().actions()  # File ▸ Experiments…
    click(qtbot, window.main_actions.toolbar.widgetForAction(action))
    page = window.experiments_page
    assert window.stack.currentWidget() is page
    return page


def varied_responder(seed: int):
    """Sellers offer a random step above their floor; the buyer accepts the cheapest offer in a random round or
    never, more eagerly as `other-model`, so deal rates and positions spread as in a real experiment."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def respond(body):
        last = body["messages"][-1]["content"]
        if "a buyer." in body["messages"][0]["content"] and "Start the negotiation" not in last:
            with lock:
                accept = rng.random() < (0.55 if body["model"] == "other-model" else 0.3)
            if accept and "per unit" in last:
                return responder({**body, "messages": [*body["messages"][:-1],
                                                       {"role": "user", "content": "Round 2\n" + last}]})
            return json.dumps({"decision": "continue", "seller": None, "message": "Can you go lower?"})
        reply = json.loads(responder(body))
        if reply.get("offer_price") is not None:
            with lock:
                reply["offer_price"] = round(reply["offer_price"] + rng.choice([0, 0.5, 1, 1.5, 2, 2.5]), 2)
        return json.dumps(reply)

    return respond
