"""Ten sellers get ten clearly different colours from a published colour-blind-safe palette, and each seller has
the same colour in its chat bubbles, the offers table and the chart."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from negotiator_app.ui import theme
from tests.ui.ten_sellers_support import NAMES, stored_run, ten_seller_pane


def _lab(color: QColor) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = linear(color.redF()), linear(color.greenF()), linear(color.blueF())
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_ten_sellers_have_ten_clearly_different_colours_from_the_published_palette(qapp):
    colors = [theme.seller_color(i, QApplication.palette()) for i in range(10)]
    assert [c.name().upper() for c in colors] == list(theme.SELLER_PALETTE)
    labs = [_lab(c) for c in colors]
    closest = min(math.dist(a, b) for i, a in enumerate(labs) for b in labs[i + 1:])
    assert closest > 20, f"two sellers' colours are only ΔE {closest:.1f} apart"
    buyer = _lab(theme.buyer_colors(QApplication.palette()).accent)
    assert min(math.dist(buyer, lab) for lab in labs) > 20, "no seller looks like the buyer"


def test_each_seller_has_one_colour_in_bubbles_table_and_chart(qtbot, arun):
    async def scenario():
        async with ten_seller_pane(qtbot) as pane:
            pane.resize(1280, 800)
            pane.show()
            pane.load_history(stored_run())
            for i, name in enumerate(NAMES):
                expected = theme.seller_color(i, pane.palette())
                [bubble] = [b for b in pane.transcript.bubbles() if b.sender == name]
                frame = pane.transcript._frames[bubble.key]
                assert frame.frameFormat().borderBrush().color() == expected, name
                row = [pane.offers.table.item(r, 0).text() for r in range(10)].index(name)
                swatch = pane.offers.table.item(row, 0).data(Qt.ItemDataRole.DecorationRole)
                assert QColor(swatch) == expected, name
                assert pane.offers.chart.data.colors[name] == expected, name
            pane.set_operator_view(True)
            pane.grab().save("/tmp/roomui_colors.png")
    arun.run(scenario())
