"""Summary section: the offered price per round of every room's latest run, one small chart per item."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from ..domain import SessionConfig, plan_rooms
from ..domain.names import normalize_name
from ..storage import Store
from . import theme
from .room.chart import ChartData, OfferChart

COLUMNS = 2


class PriceTrajectories(QWidget):
    """Reuses the room pane's chart, with the operator's limits drawn: the summary is the operator's view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.charts: dict[str, OfferChart] = {}

    def show_session(self, store: Store, session_id: int, config: SessionConfig) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.charts = {}
        order = {normalize_name(s.name): i for i, s in enumerate(config.sellers)}
        for i, room in enumerate(plan_rooms(config).rooms):
            runs = store.list_runs(session_id, room.key)
            offers = store.load_run(runs[0].run_id).offers if runs else []
            chart = OfferChart()
            chart.set_operator_view(True)
            chart.set_data(ChartData(
                sellers=room.seller_names,
                colors={s: theme.seller_colors(order[normalize_name(s)], self.palette()).accent
                        for s in room.seller_names},
                offers=list(offers), max_rounds=runs[0].max_rounds if runs else config.llm.max_rounds,
                floors={s.name: s.stock.least_price for s in room.sellers}, buyer_max=room.item.max_price,
            ))
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            caption = f"{room.item.name}" + ("" if runs else " — not run yet")
            box.addWidget(QLabel(f"<b>{caption}</b>"))
            box.addWidget(chart)
            self.grid.addWidget(cell, i // COLUMNS, i % COLUMNS)
            self.charts[room.key] = chart
