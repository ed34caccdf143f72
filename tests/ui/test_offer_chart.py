"""OfferChart: a new offer is drawn onto the cached chart when the axes stay, and looks as if redrawn."""
from __future__ import annotations

from PySide6.QtGui import QColor

from negotiator_app.domain import Offer
from negotiator_app.ui.room.chart import ChartData, OfferChart


def _offers(n: int) -> list[Offer]:
    sellers = ("Bolt", "Acme")
    return [Offer(seller=sellers[i % 2], price_per_unit=9.0 - (i % 7) / 2, quantity=10, round=1 + i // 2,
                  message_seq=i + 1) for i in range(n)]


def _chart(qtbot, offers: list[Offer]) -> OfferChart:
    chart = OfferChart()
    qtbot.addWidget(chart)
    chart.resize(400, 240)
    chart.set_data(ChartData(sellers=["Bolt", "Acme"], colors={"Bolt": QColor("red"), "Acme": QColor("blue")},
                             offers=list(offers), max_rounds=10))
    return chart


def test_an_offer_within_the_axes_is_drawn_onto_the_cache_as_a_full_redraw_would(qtbot):
    offers = _offers(12)
    incremental = _chart(qtbot, offers[:-1])
    incremental.grab()  # draws the cache
    cache = incremental._cache
    incremental.add_offer(offers[-1])
    assert incremental._cache is cache and incremental._unpainted, "no full redraw for an offer inside the axes"
    after = incremental.grab().toImage()
    assert incremental._cache is cache and not incremental._unpainted
    full = _chart(qtbot, offers).grab().toImage()
    differing = sum(after.pixel(x, y) != full.pixel(x, y) for x in range(after.width()) for y in range(after.height()))
    assert differing < after.width() * after.height() * 0.002, differing  # at most antialiasing at overlaps
    before = _chart(qtbot, offers[:-1]).grab().toImage()
    assert before != after, "the new offer was drawn"

    incremental.add_offer(Offer(seller="Bolt", price_per_unit=40.0, quantity=10, round=7, message_seq=99))
    assert incremental._cache is None, "an offer outside the price axis redraws the chart"
