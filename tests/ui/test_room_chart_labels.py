"""The operator view's chart labels (floors, buyer max) never overlap and its operator line is never clipped,
nor is the outcome banner, with 1 to 10 sellers at the pane's minimum size."""
from __future__ import annotations

import asyncio

import pytest
from PySide6.QtGui import QFontMetricsF

from tests.ui.ten_sellers_support import FLOORS, NAMES, stored_run, ten_seller_pane


@pytest.mark.parametrize("count", [1, 2, 3, 5, 10])
def test_limit_labels_never_overlap_and_nothing_is_clipped_at_the_minimum_size(qtbot, arun, count):
    async def scenario():
        async with ten_seller_pane(qtbot, count) as pane:
            pane.load_history(stored_run(count))
            pane.set_operator_view(True)
            pane.show()
            pane.resize(pane.minimumSizeHint())
            await asyncio.sleep(0.05)  # let the layout settle
            chart = pane.offers.chart
            operator, labels = chart.label_layout()
            metrics = QFontMetricsF(chart.font())
            assert operator is not None
            rect, text = operator
            assert chart.rect().toRectF().contains(rect) and metrics.horizontalAdvance(text) <= rect.width()
            assert rect.height() >= metrics.height()
            plot = chart._frame()[0]
            assert rect.bottom() <= plot.top() - 8, "clear of the top price label, which reaches 8 px above the plot"
            kinds = [label.kind for label in labels]
            assert kinds.count("buyer_max") == 1 and "floor" in kinds
            assert "buyer max 5.30" in [label.text for label in labels], "the buyer's max is never elided"
            for i, a in enumerate(labels):
                assert chart.rect().toRectF().contains(a.rect), a.text
                for b in labels[i + 1:]:
                    assert not a.rect.intersects(b.rect), f"{a.text!r} overlaps {b.text!r}"
            named = [s for label in labels for s in label.sellers]
            assert sorted(named) == sorted(NAMES[:count]), "every floor is in a label (merged when crowded)"
            for label in labels:
                if label.kind == "floor" and len(label.sellers) > 1:
                    low = min(FLOORS[NAMES.index(s)] for s in label.sellers)
                    assert label.text.startswith(f"floors {low:,.2f}–")
            banner = pane.banner.label
            assert pane.banner.isVisible() and banner.height() >= banner.heightForWidth(banner.width())
            for widget in (pane.banner, chart):  # wholly inside the pane, not pushed past its edge
                top_left = widget.mapTo(pane, widget.rect().topLeft())
                assert pane.rect().contains(widget.rect().translated(top_left)), widget
            pane.grab().save(f"/tmp/roomui_labels_{count}.png")
    arun.run(scenario())


def test_a_ten_seller_pane_fits_beside_the_sidebar_of_a_1024_px_window(qtbot, arun):
    async def scenario():
        async with ten_seller_pane(qtbot) as pane:
            pane.load_history(stored_run())
            pane.set_operator_view(True)
            size = pane.minimumSizeHint()
            assert size.width() <= 640 and size.height() <= 600, size
    arun.run(scenario())
