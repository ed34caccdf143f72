"""The "Force decision" dialog: accept a valid standing offer, let the buyer decide now, or end with no deal."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget,
)

from ...domain import check_acceptance, money
from ...engine import ForceAccept, ForceBuyerDecides, ForceNoDeal, InputError, RoomRunner
from .. import theme

DEFAULT_NO_DEAL_REASON = "ended by the person"
ENDED_TEXT = "This negotiation has ended meanwhile: there is nothing left to decide."


def best_valid_offer(runner: RoomRunner) -> str | None:
    """The seller whose standing offer the buyer may accept at the lowest price (ties: room order)."""
    item, valid = runner.plan.item, []
    for index, seller in enumerate(runner.sellers):
        offer, violation = check_acceptance(runner.buyer, item, seller, runner.standing, runner.sellers, runner.round)
        if violation is None and offer is not None:
            valid.append((offer.price_per_unit, index, seller))
    return min(valid)[2] if valid else None


class ForceDecisionDialog(QDialog):
    """Open with open(), never exec(): it lives inside the asyncio-driven Qt loop. Offers the rules
    forbid accepting stay visible but disabled, with the rule as the reason. refresh() follows offers
    that arrive while it is open; the best valid offer is preselected until the person picks another."""

    def __init__(self, runner: RoomRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(f"Force a decision — {runner.plan.item.name}")
        self.group = QButtonGroup(self)
        self.offer_buttons: dict[str, QRadioButton] = {}
        self.reasons: dict[str, str] = {}
        self.chosen_by_person = False
        self._refreshing = False
        layout = QVBoxLayout(self)
        item = runner.plan.item
        layout.addWidget(QLabel(f"<b>Accept a standing offer</b> (the buyer needs {item.quantity}, "
                                f"max {money(item.max_price)} per unit)", self))
        for seller in runner.sellers:
            button = QRadioButton(seller, self)
            self.offer_buttons[seller] = button
            self.group.addButton(button)
            layout.addWidget(button)
        layout.addWidget(QLabel("<b>Or</b>", self))
        self.buyer_decides = QRadioButton("Let the buyer decide now (accept an offer or walk away)", self)
        self.no_deal = QRadioButton("End with no deal", self)
        for button in (self.buyer_decides, self.no_deal):
            self.group.addButton(button)
            layout.addWidget(button)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(f"optional; for no deal the default is “{DEFAULT_NO_DEAL_REASON}”")
        self.reason_edit.setMaxLength(400)
        reason_label = QLabel("Your reason, kept with the decision (accepted offer or no deal):", self)
        reason_label.setBuddy(self.reason_edit)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.violation_color(self.palette()).name()};")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.decide_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.decide_button.setText("Decide")
        self.decide_button.setDefault(True)  # Enter decides for the preselected choice
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.group.buttonToggled.connect(self._on_toggled)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the standing offers and whether the run still goes on."""
        runner, item = self.runner, self.runner.plan.item
        self._refreshing = True
        try:
            for seller, button in self.offer_buttons.items():
                offer = runner.standing.get(seller)
                _, violation = check_acceptance(runner.buyer, item, seller, runner.standing, runner.sellers,
                                                runner.round)
                label = f"{seller}: " + (f"{money(offer.price_per_unit)} per unit × {offer.quantity}"
                                         f" = {money(offer.price_per_unit * item.quantity)}" if offer else "no offer")
                button.setEnabled(violation is None)
                if violation is None:
                    self.reasons.pop(seller, None)
                    button.setText(label)
                    button.setToolTip("")
                else:
                    self.reasons[seller] = violation.limit
                    button.setText(f"{label}   — not possible: {violation.limit}")
                    button.setToolTip(f"{violation.attempted}, but {violation.limit}")
            checked = self.group.checkedButton()
            if not self.chosen_by_person or checked is None or not checked.isEnabled():
                best = best_valid_offer(runner)
                (self.offer_buttons[best] if best else self.buyer_decides).setChecked(True)
        finally:
            self._refreshing = False
        ended = not runner.running
        self.decide_button.setEnabled(not ended)
        if ended:
            self._show_error(ENDED_TEXT)

    def decision(self):
        reason = self.reason_edit.text().strip()
        for seller, button in self.offer_buttons.items():
            if button.isChecked():
                return ForceAccept(seller, reason)
        if self.buyer_decides.isChecked():
            return ForceBuyerDecides()
        return ForceNoDeal(reason or DEFAULT_NO_DEAL_REASON)

    def accept(self) -> None:
        try:
            self.runner.force(self.decision())
        except InputError as exc:
            self._show_error(str(exc))  # stay open: the person can pick something else
            return
        super().accept()

    def _on_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked and not self._refreshing:
            self.chosen_by_person = True
        if checked:  # the buyer gives its own reasons when it decides
            self.reason_edit.setEnabled(button is not self.buyer_decides)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
