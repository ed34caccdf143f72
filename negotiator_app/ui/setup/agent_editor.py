"""Who plays an agent in the setup form: the session's model, another model, a strategy, or both (hybrid)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QWidget

from ...domain import AgentConfig, AgentKind, StrategyKind
from .touched import watch_edits
from .validation import Loc

PLAYED_BY = {AgentKind.LLM: "Model", AgentKind.STRATEGY: "Strategy", AgentKind.HYBRID: "Hybrid (strategy + model)"}
FAMILIES = {
    StrategyKind.BOULWARE: "Boulware (concedes late)",
    StrategyKind.LINEAR: "Linear (concedes steadily)",
    StrategyKind.CONCEDER: "Conceder (concedes early)",
    StrategyKind.TIT_FOR_TAT: "Tit-for-tat (mirrors the other side)",
}
SESSION_MODEL = "(the session's model)"
SESSION_TEMPERATURE = "session's"
NO_SERVER_NOTE = "A strategy needs no model server."


class AgentEditor(QWidget):
    """Rows for a QFormLayout: played by, model, temperature, strategy family. Only the rows that apply show."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox()
        for kind, label in PLAYED_BY.items():
            self.kind_combo.addItem(label, kind.value)
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        line = self.model_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(SESSION_MODEL)
        self.model_combo.setToolTip("Empty: the session's model. Refresh the server's models below to list them.")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(-0.1, 2.0)  # the minimum stands for "the session's temperature"
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setSpecialValueText(SESSION_TEMPERATURE)
        self.temperature.setValue(-0.1)
        self.family_combo = QComboBox()
        for family, label in FAMILIES.items():
            self.family_combo.addItem(label, family.value)
        self.note = QLabel(NO_SERVER_NOTE)
        self.note.setEnabled(False)
        for widget in (self.kind_combo, self.model_combo, self.temperature, self.family_combo):
            watch_edits(widget)
        self.kind_combo.currentIndexChanged.connect(self._show_rows)
        for signal in (self.kind_combo.currentIndexChanged, self.model_combo.currentTextChanged,
                       self.temperature.valueChanged, self.family_combo.currentIndexChanged):
            signal.connect(self.changed)
        self._form: QFormLayout | None = None

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("Played by", self.kind_combo)
        form.addRow("Model", self.model_combo)
        form.addRow("Temperature", self.temperature)
        form.addRow("Strategy", self.family_combo)
        form.addRow("", self.note)
        self._form = form
        self._show_rows()

    @property
    def kind(self) -> AgentKind:
        return AgentKind(self.kind_combo.currentData())

    def _show_rows(self) -> None:
        if self._form is None:
            return
        kind = self.kind
        for widget, visible in ((self.model_combo, kind.uses_model), (self.temperature, kind.uses_model),
                                (self.family_combo, kind is not AgentKind.LLM), (self.note, kind is AgentKind.STRATEGY)):
            self._form.setRowVisible(widget, visible)

    def set_models(self, models: list[str]) -> None:
        """The server's models to pick from (what is typed is kept)."""
        current = self.model_combo.currentText()
        blocked = self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItems(models)
        self.model_combo.setCurrentText(current)
        self.model_combo.blockSignals(blocked)

    def set_agent(self, agent: AgentConfig | None) -> None:
        agent = agent or AgentConfig()
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(agent.kind.value)))
        self.model_combo.setCurrentText(agent.model or "")
        self.temperature.setValue(-0.1 if agent.temperature is None else agent.temperature)
        family = agent.strategy.kind if agent.strategy else StrategyKind.BOULWARE
        self.family_combo.setCurrentIndex(max(0, self.family_combo.findData(family.value)))
        self._show_rows()

    def data(self) -> dict[str, Any] | None:
        """The agent configuration as data; None for the default (the session's model and temperature)."""
        kind = self.kind
        data: dict[str, Any] = {"kind": kind.value}
        if kind is not AgentKind.LLM:
            data["strategy"] = {"kind": self.family_combo.currentData()}
        if kind.uses_model:
            if self.model_combo.currentText().strip():
                data["model"] = self.model_combo.currentText().strip()
            if self.temperature.value() >= 0:
                data["temperature"] = round(self.temperature.value(), 2)
        return None if data == {"kind": AgentKind.LLM.value} else data

    def focus_chain(self) -> list[QWidget]:
        return [self.kind_combo, self.model_combo, self.temperature, self.family_combo]

    def widgets(self, prefix: Loc) -> dict[Loc, list[QWidget]]:
        return {(*prefix, "agent"): [self.kind_combo], (*prefix, "agent", "model"): [self.model_combo],
                (*prefix, "agent", "temperature"): [self.temperature],
                (*prefix, "agent", "strategy"): [self.family_combo]}
