"""In the operator view a limit label stays readable over the offers: a mark under a label never covers it,
whether the chart is drawn anew or the offer is painted onto the cached chart as it arrives."""
from __future__ import annotations

from PySide6.QtGui import QColor

from negotiator_app.domain import Offer
from negotiator_app.ui.room.chart import ChartData, OfferChart

RED = QColor("#ff0000")


def _pure_red_pixels_inside(chart: OfferChart, rect) -> int:
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    count = 0
    for px in range(int(rect.left() * ratio) + 1, int(rect.right() * ratio) - 1):
        for py in range(int(rect.top() * ratio) + 1, int(rect.bottom() * ratio) - 1):
            c = image.pixelColor(px, py)
            count += c.red() > 200 and c.green() < 60 and c.blue() < 60
    return count


def _chart(qtbot) -> OfferChart:
    chart = OfferChart()
    qtbot.addWidget(chart)
    chart.resize(420, 300)
    chart.set_data(ChartData(sellers=["Acme"], colors={"Acme": RED}, max_rounds=10,
                             floors={"Acme": 100.0}, buyer_max=150.0))
    chart.set_operator_view(True)
    chart.show()
    return chart


def _offer_under_a_label(chart: OfferChart) -> tuple[Offer, object]:
    """A binding offer whose mark falls inside a limit label's rectangle."""
    _operator, labels = chart.label_layout()
    _plot, x, y = chart._frame()
    for label in labels:
        for r in range(1, chart.data.max_rounds + 1):
            for cents in range(9_000, 20_000, 25):
                price = cents / 100
                if label.rect.adjusted(4, 3, -4, -3).contains(x(r), y(price)):
                    return Offer(seller="Acme", price_per_unit=price, quantity=1, round=r, message_seq=r), label.rect
    raise AssertionError("no offer position falls under a label at this size")


def test_a_mark_under_a_limit_label_is_drawn_beneath_the_label(qtbot):
    chart = _chart(qtbot)
    chart.add_offer(Offer(seller="Acme", price_per_unit=140.0, quantity=1, round=1, message_seq=1))
    offer, rect = _offer_under_a_label(chart)
    chart.data.offers.append(offer)
    chart.invalidate()  # drawn anew
    assert _pure_red_pixels_inside(chart, rect) == 0


def test_an_offer_painted_onto_the_cached_chart_stays_beneath_the_label(qtbot):
    chart = _chart(qtbot)
    chart.add_offer(Offer(seller="Acme", price_per_unit=140.0, quantity=1, round=1, message_seq=1))
    chart.grab()  # the cache exists: the next offer is painted onto it
    offer, rect = _offer_under_a_label(chart)
    chart.add_offer(offer)
    assert chart._unpainted, "the offer is to be drawn incrementally"
    assert _pure_red_pixels_inside(chart, rect) == 0
