"""The "Force decision" dialog: accept a valid standing offer, let the buyer decide now, or end with no deal."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget,
)

from ...domain import check_acceptance, money
from ...engine import ForceAccept, ForceBuyerDecides, ForceNoDeal, InputError, RoomRunner
from .. import theme

DEFAULT_NO_DEAL_REASON = "ended by the person"


class ForceDecisionDialog(QDialog):
    """Open with open(), never exec(): it lives inside the asyncio-driven Qt loop. Offers the rules
    forbid accepting stay visible but disabled, with the rule as the reason."""

    def __init__(self, runner: RoomRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(f"Force a decision — {runner.plan.item.name}")
        self.group = QButtonGroup(self)
        self.offer_buttons: dict[str, QRadioButton] = {}
        self.reasons: dict[str, str] = {}
        layout = QVBoxLayout(self)
        item = runner.plan.item
        layout.addWidget(QLabel(f"<b>Accept a standing offer</b> (the buyer needs {item.quantity}, "
                                f"max {money(item.max_price)} per unit)", self))
        for seller in runner.sellers:
            offer = runner.standing.get(seller)
            _, violation = check_acceptance(runner.buyer, item, seller, runner.standing, runner.sellers, runner.round)
            label = f"{seller}: " + (f"{money(offer.price_per_unit)} per unit × {offer.quantity}"
                                     f" = {money(offer.price_per_unit * item.quantity)}" if offer else "no offer")
            button = QRadioButton(label, self)
            if violation is not None:
                self.reasons[seller] = violation.limit
                button.setEnabled(False)
                button.setText(f"{label}   — not possible: {violation.limit}")
                button.setToolTip(f"{violation.attempted}, but {violation.limit}")
            self.offer_buttons[seller] = button
            self.group.addButton(button)
            layout.addWidget(button)
        layout.addWidget(QLabel("<b>Or</b>", self))
        self.buyer_decides = QRadioButton("Let the buyer decide now (accept an offer or walk away)", self)
        self.no_deal = QRadioButton("End with no deal", self)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(f"Reason (optional; default: {DEFAULT_NO_DEAL_REASON})")
        self.reason_edit.setMaxLength(400)
        for button in (self.buyer_decides, self.no_deal):
            self.group.addButton(button)
            layout.addWidget(button)
        layout.addWidget(self.reason_edit)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.violation_color(self.palette()).name()};")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Decide")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        valid = [b for b in self.offer_buttons.values() if b.isEnabled()]
        (valid[0] if valid else self.buyer_decides).setChecked(True)

    def decision(self):
        for seller, button in self.offer_buttons.items():
            if button.isChecked():
                return ForceAccept(seller)
        if self.buyer_decides.isChecked():
            return ForceBuyerDecides()
        return ForceNoDeal(self.reason_edit.text().strip() or DEFAULT_NO_DEAL_REASON)

    def accept(self) -> None:
        try:
            self.runner.force(self.decision())
        except InputError as exc:
            self.error.setText(str(exc))  # stay open: the person can pick something else
            self.error.show()
            return
        super().accept()
