"""The banner at the end of a run: the deal, the reason there was none, or a fatal error with Retry."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ...domain import Outcome, OutcomeKind, money, percent
from ...domain.names import possessive
from .. import theme


def deal_text(outcome: Outcome, ask: float | None) -> str:
    price, quantity = outcome.price_per_unit or 0.0, outcome.quantity or 0
    text = (f"<b>Deal with {outcome.seller}</b>: {money(price)} per unit × {quantity} = "
            f"<b>{money(outcome.total or 0.0)}</b>")
    if ask is not None and ask > price:
        saved = ask - price
        text += (f" — saving {money(saved)} per unit ({money(saved * quantity)} in total, "
                 f"{percent(saved / ask)}) on {possessive(outcome.seller or 'the seller')} asking price of {money(ask)}")
    return text


class OutcomeBanner(QFrame):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeBanner")
        self.kind: str | None = None
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setToolTip("Pick the run up again from what was said so far")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        self.clear()

    def clear(self) -> None:
        self.kind = None
        self.hide()

    def show_outcome(self, outcome: Outcome | None, ask: float | None = None, reason: str = "") -> None:
        if outcome is not None and outcome.kind == OutcomeKind.DEAL:
            self._show("deal", "✓ " + deal_text(outcome, ask))
        else:
            why = (outcome.reason if outcome is not None else reason) or "no reason given"
            self._show("no_deal", f"✕ <b>No deal</b> — {why}")

    def show_error(self, message: str, can_retry: bool = True) -> None:
        self._show("error", f"⚠ <b>The run stopped on an error</b>: {message}", retry=can_retry)

    def _show(self, kind: str, html: str, retry: bool = False) -> None:
        self.kind = kind
        background, border = theme.banner_colors(kind, self.palette())
        self.setStyleSheet(
            f"#outcomeBanner {{ background: {background.name()}; border: 1px solid {border.name()};"
            " border-radius: 6px; }")
        self.label.setText(html)
        self.retry_button.setVisible(retry)
        self.show()
