"""Summary section: the offered price per round of every room's latest run, one small chart per item."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from ..domain import Offer, SessionConfig, plan_rooms
from ..domain.names import normalize_name
from ..storage.models import RunRecord
from . import theme
from .room.chart import ChartData, OfferChart

if TYPE_CHECKING:
    from ..storage import Store

COLUMNS = 2


@dataclass(frozen=True)
class LatestOffers:
    offers: list[Offer]
    max_rounds: int


def latest_offers(store: Store, session_id: int) -> dict[str, LatestOffers]:
    """On the store's thread: each room's newest run's offers (one cheap query, then one run per room)."""
    found: dict[str, LatestOffers] = {}
    for key, latest in store.latest_runs(session_id).items():
        record: RunRecord = store.load_run(latest.run_id)
        found[key] = LatestOffers(record.offers, record.max_rounds)
    return found


class PriceTrajectories(QWidget):
    """Reuses the room pane's chart, with the operator's limits drawn: the summary is the operator's view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.charts: dict[str, OfferChart] = {}

    def show_session(self, config: SessionConfig, latest: dict[str, LatestOffers]) -> None:
        """`latest`: per room key, its newest run's offers and round limit (read by `latest_offers`)."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.charts = {}
        order = {normalize_name(s.name): i for i, s in enumerate(config.sellers)}
        for i, room in enumerate(plan_rooms(config).rooms):
            run = latest.get(room.key)
            chart = OfferChart()
            chart.set_operator_view(True)
            chart.set_data(ChartData(
                sellers=room.seller_names,
                colors={s: theme.seller_colors(order[normalize_name(s)], self.palette()).accent
                        for s in room.seller_names},
                offers=list(run.offers) if run else [], max_rounds=run.max_rounds if run else config.llm.max_rounds,
                floors={s.name: s.stock.least_price for s in room.sellers}, buyer_max=room.item.max_price,
            ))
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            caption = f"{room.item.name}" + ("" if run else " — not run yet")
            box.addWidget(QLabel(f"<b>{caption}</b>"))
            box.addWidget(chart)
            self.grid.addWidget(cell, i // COLUMNS, i % COLUMNS)
            self.charts[room.key] = chart
