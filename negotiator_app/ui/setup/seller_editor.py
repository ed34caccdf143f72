"""One seller in the setup form: name, private profile (priority, speaking style), who plays it, and inventory."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...domain import Priority, Seller, SpeakingStyle
from .agent_editor import AgentEditor
from .table import Column, EditableTable
from .touched import watch_edits
from .validation import Loc, number

PRIORITY_LABELS = {
    Priority.CUSTOMER_RETENTION: "Customer retention (concedes readily)",
    Priority.BALANCED: "Balanced",
    Priority.MAXIMIZE_PROFIT: "Maximize profit (holds its price)",
}
STYLE_LABELS = {
    SpeakingStyle.RUDE: "Rude",
    SpeakingStyle.BLUNT: "Blunt",
    SpeakingStyle.NEUTRAL: "Neutral",
    SpeakingStyle.FRIENDLY: "Friendly",
    SpeakingStyle.VERY_SWEET: "Very sweet",
}
INVENTORY_COLUMNS = [
    Column("name", "Item", "e.g. USB-C cable"),
    Column("cost_price", "Cost", "0.00", numeric=True),
    Column("least_price", "Least", "floor", numeric=True),
    Column("selling_price", "Selling", "ask", numeric=True),
    Column("quantity_available", "Quantity", "in stock", numeric=True),
]


def _combo(labels: dict) -> QComboBox:
    combo = QComboBox()
    for value, label in labels.items():
        combo.addItem(label, value.value)
    return combo


class SellerEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Seller name (used as @handle)")
        self.priority_combo = _combo(PRIORITY_LABELS)
        self.style_combo = _combo(STYLE_LABELS)
        self.priority_combo.setCurrentIndex(1)
        self.style_combo.setCurrentIndex(2)
        self.inventory = EditableTable(INVENTORY_COLUMNS, "Add stock item")
        self.agent = AgentEditor()
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Priority", self.priority_combo)
        form.addRow("Speaking style", self.style_combo)
        self.agent.add_rows(form)
        private = QLabel("Cost, least price, priority and style are private: the buyer never sees them.")
        private.setWordWrap(True)
        private.setEnabled(False)  # rendered in the palette's muted text colour
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(private)
        layout.addWidget(self.inventory)
        for widget in (self.name_edit, self.priority_combo, self.style_combo):
            watch_edits(widget)
        self.name_edit.textChanged.connect(self.changed)
        self.priority_combo.currentIndexChanged.connect(self.changed)
        self.style_combo.currentIndexChanged.connect(self.changed)
        self.inventory.changed.connect(self.changed)
        self.agent.changed.connect(self.changed)

    @property
    def name(self) -> str:
        return self.name_edit.text()

    def data(self) -> dict[str, Any]:
        return {
            "name": self.name_edit.text(),
            "profile": {"priority": self.priority_combo.currentData(), "speaking_style": self.style_combo.currentData()},
            "inventory": [
                {
                    "name": row["name"],
                    "cost_price": number(row["cost_price"]),
                    "least_price": number(row["least_price"]),
                    "selling_price": number(row["selling_price"]),
                    "quantity_available": number(row["quantity_available"]),
                }
                for row in self.inventory.rows()
            ],
            **({"agent": agent} if (agent := self.agent.data()) is not None else {}),
        }

    def set_seller(self, seller: Seller) -> None:
        self.name_edit.setText(seller.name)
        self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(seller.profile.priority.value)))
        self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(seller.profile.speaking_style.value)))
        self.inventory.set_rows([inv.model_dump() for inv in seller.inventory])
        self.agent.set_agent(seller.agent)

    def focus_chain(self) -> list[QWidget]:
        return [self.name_edit, self.priority_combo, self.style_combo, *self.agent.focus_chain(),
                *self.inventory.focus_chain()]

    def widgets(self, prefix: Loc) -> dict[Loc, list[QWidget]]:
        """Where each validation location of this seller is shown."""
        found: dict[Loc, list[QWidget]] = {
            prefix: [self.inventory.table],
            (*prefix, "name"): [self.name_edit],
            (*prefix, "profile", "priority"): [self.priority_combo],
            (*prefix, "profile", "speaking_style"): [self.style_combo],
            (*prefix, "inventory"): [self.inventory.table],
            **self.agent.widgets(prefix),
        }
        for row in range(self.inventory.row_count()):
            found[(*prefix, "inventory", row)] = [*self.inventory.row_editors(row)]
            for column in INVENTORY_COLUMNS:
                found[(*prefix, "inventory", row, column.key)] = [self.inventory.editor(row, column.key)]
        return found
