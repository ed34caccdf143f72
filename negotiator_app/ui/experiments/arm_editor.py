"""One arm in the experiment form: its name, the round limit, the model for every agent, who plays the buyer, the
sellers, and any one seller on its own."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from ...domain import AgentConfig
from ...experiments.spec import Arm
from ..icons import icon
from ..setup.agent_editor import AgentEditor
from ..setup.touched import watch_edits
from .form_check import editor_agent, override_json

AS_SCENARIO = "As in the scenario"
ERROR_STYLE = "color: #c0392b;"


def message_label() -> QLabel:
    """A red line under a field, saying what is wrong with it; hidden while nothing is."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


class OverrideEditor(AgentEditor):
    """The setup form's agent editor with one more choice first: keep the agent as the scenario has it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo.insertItem(0, AS_SCENARIO, "")
        self.kind_combo.setCurrentIndex(0)
        self.model_combo.lineEdit().setPlaceholderText("(the arm's model)")  # type: ignore[union-attr]
        self.temperature.setSpecialValueText("arm's")  # left alone: the arm's, else the scenario's
        self._extra: dict[str, Any] = {}  # a loaded strategy's tuning (exponent...), kept while its family is
        self._loaded_family: str | None = None

    @property
    def keeps_scenario(self) -> bool:
        return self.kind_combo.currentData() == ""

    def _show_rows(self) -> None:
        if self._form is None:
            return
        if self.keeps_scenario:
            for widget in (self.model_combo, self.temperature, self.family_combo, self.note):
                self._form.setRowVisible(widget, False)
            return
        super()._show_rows()

    def set_override(self, agent: dict[str, Any] | None) -> None:
        """Show an override as editor_agent() gives it; None keeps the scenario's agent."""
        strategy = (agent or {}).get("strategy") or {}
        self._extra = {k: v for k, v in strategy.items() if k != "kind"}
        self._loaded_family = strategy.get("kind")
        if agent is None:
            self.set_agent(None)
            self.kind_combo.setCurrentIndex(0)
            return
        self.set_agent(AgentConfig.model_validate({**agent, "strategy": {"kind": strategy["kind"]} if strategy else None}))

    def data(self) -> dict[str, Any] | None:
        if self.keeps_scenario:
            return None
        data = super().data() or {"kind": "llm"}
        strategy = data.get("strategy")
        if strategy and self._extra and strategy.get("kind") == self._loaded_family:
            data["strategy"] = {**strategy, **self._extra}
        return data


def _spin_or_scenario(low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low - 1, high)  # the minimum stands for "as in the scenario"
    box.setSpecialValueText("scenario's")
    box.setValue(low - 1)
    return box


class SellerOverride(QWidget):
    """One seller played differently from the others in this arm."""

    remove_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seller_combo = QComboBox()
        self.seller_combo.setEditable(True)
        self.agent = OverrideEditor()
        self.agent.kind_combo.removeItem(0)  # a seller of its own is played differently: no "as in the scenario"
        self.remove_button = QPushButton(icon("remove"), "")
        self.remove_button.setToolTip("Remove this seller's own setting")
        self.message = message_label()
        watch_edits(self.seller_combo)
        row = QHBoxLayout()
        row.addWidget(self.seller_combo, 1)
        row.addWidget(self.remove_button)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Seller", row)
        self.agent.add_rows(form)
        form.addRow(self.message)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def set_sellers(self, names: list[str]) -> None:
        current = self.seller_combo.currentText()
        self.seller_combo.clear()
        self.seller_combo.addItems(names)
        self.seller_combo.setCurrentText(current or (names[0] if names else ""))


class ArmEditor(QGroupBox):
    """One arm; `changed` on every edit, `remove_requested(self)` from its Remove button."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(360)  # arms side by side read as columns of one table
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Qwen buyer vs Boulware sellers")
        self.remove_button = QPushButton(icon("remove"), "Remove arm")
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.lineEdit().setPlaceholderText("(the scenario's model)")  # type: ignore[union-attr]
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(-0.1, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setSpecialValueText("scenario's")
        self.temperature.setValue(-0.1)
        self.max_rounds = _spin_or_scenario(1, 50)
        self.buyer = OverrideEditor()
        self.sellers = OverrideEditor()
        self.add_seller_button = QPushButton(icon("add"), "Play one seller differently")
        self.per_seller: list[SellerOverride] = []
        self.messages = {key: message_label() for key in ("arm", "name", "model", "buyer", "sellers")}
        self.seller_names: list[str] = []
        self.models: list[str] = []
        watch_edits(self.name_edit)
        watch_edits(self.model_combo)

        self.form = QFormLayout()
        self.form.addRow("Arm name", self.name_edit)
        self.form.addRow(self.messages["name"])
        self.form.addRow("Round limit", self.max_rounds)
        self.form.addRow("Every agent's model", self.model_combo)
        self.form.addRow("Temperature", self.temperature)
        self.form.addRow(self.messages["model"])
        self.form.addRow(_heading("Buyer"))
        self.buyer.add_rows(self.form)
        self.form.addRow(self.messages["buyer"])
        self.form.addRow(_heading("Sellers"))
        self.sellers.add_rows(self.form)
        self.form.addRow(self.messages["sellers"])
        self.per_seller_box = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.messages["arm"])
        layout.addLayout(self.form)
        layout.addLayout(self.per_seller_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_seller_button, 1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for signal in (self.name_edit.textChanged, self.model_combo.currentTextChanged, self.temperature.valueChanged,
                       self.max_rounds.valueChanged, self.buyer.changed, self.sellers.changed):
            signal.connect(self.changed)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.add_seller_button.clicked.connect(lambda: self.add_seller_override(None))

    # ----- content ----------------------------------------------------------------------------

    def add_seller_override(self, name: str | None, agent: dict[str, Any] | None = None) -> SellerOverride:
        row = SellerOverride()
        row.set_sellers(self.seller_names)
        if name is not None:
            row.seller_combo.setCurrentText(name)
        if agent is not None:
            row.agent.set_override(agent)
        row.agent.set_models(self.models)
        row.remove_requested.connect(self._remove_seller_override)
        row.seller_combo.currentTextChanged.connect(self.changed)
        row.agent.changed.connect(self.changed)
        self.per_seller.append(row)
        self.per_seller_box.addWidget(row)
        self.changed.emit()
        return row

    def _remove_seller_override(self, row: SellerOverride) -> None:
        self.per_seller.remove(row)
        row.deleteLater()
        self.changed.emit()

    def set_arm(self, arm: Arm) -> None:
        self.name_edit.setText(arm.name)
        self.model_combo.setCurrentText(arm.model or "")
        self.temperature.setValue(-0.1 if arm.temperature is None else arm.temperature)
        self.max_rounds.setValue(arm.max_rounds or 0)
        self.buyer.set_override(editor_agent(arm.buyer))
        self.sellers.set_override(editor_agent(arm.sellers))
        for row in list(self.per_seller):
            self._remove_seller_override(row)
        for name, override in arm.per_seller.items():
            self.add_seller_override(name, editor_agent(override))

    def set_sellers(self, names: list[str]) -> None:
        """The scenario's sellers, to pick from for a seller of its own."""
        self.seller_names = names
        for row in self.per_seller:
            row.set_sellers(names)

    def set_models(self, models: list[str]) -> None:
        self.models = models
        current = self.model_combo.currentText()
        self.model_combo.clear()
        self.model_combo.addItems(models)
        self.model_combo.setCurrentText(current)
        for editor in (self.buyer, self.sellers, *(row.agent for row in self.per_seller)):
            editor.set_models(models)

    def data(self) -> dict[str, Any]:
        """The arm as an experiment file writes it (only what differs from the scenario)."""
        arm: dict[str, Any] = {"name": self.name_edit.text().strip()}
        if model := self.model_combo.currentText().strip():
            arm["model"] = model
        if self.temperature.value() >= 0:
            arm["temperature"] = round(self.temperature.value(), 2)
        if self.max_rounds.value() >= 1:
            arm["max_rounds"] = self.max_rounds.value()
        for key, editor in (("buyer", self.buyer), ("sellers", self.sellers)):
            if (override := override_json(editor.data())) is not None:
                arm[key] = override
        per_seller = {row.seller_combo.currentText().strip(): override_json(row.agent.data()) or {}
                      for row in self.per_seller}
        if per_seller:
            arm["per_seller"] = per_seller
        return arm


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label
