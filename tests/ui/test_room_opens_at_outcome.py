"""A finished room opens scrolled to its end (the last messages and the outcome), not to the top."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget

from tests.ui.ten_sellers_support import stored_run, ten_seller_pane


def test_a_stored_run_opens_at_its_end_when_its_tab_is_clicked(qtbot, arun):
    async def scenario():
        async with ten_seller_pane(qtbot) as pane:
            tabs = QTabWidget()  # not given to qtbot: the pane (which it owns) leaves it at the end
            tabs.addTab(QLabel("another room"), "Other")
            tabs.addTab(pane, "USB-C cable")
            tabs.resize(1000, 600)
            tabs.show()
            qtbot.waitExposed(tabs)
            pane.load_history(stored_run())  # loaded while its tab is hidden, as when a session reopens
            bar = tabs.tabBar()
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
            assert tabs.currentWidget() is pane
            await asyncio.sleep(0.05)  # let the layout settle
            scroll = pane.transcript.verticalScrollBar()
            assert scroll.maximum() > 0, "the run is longer than the view"
            assert scroll.value() == scroll.maximum()
            last = pane.transcript.bubbles()[-1]
            assert last.sender == "Juniper Bros" and pane.banner.isVisible() and pane.banner.kind == "deal"
            pane.grab().save("/tmp/roomui_opened.png")
            tabs.removeTab(1)
            pane.setParent(None)
            tabs.close()
            tabs.deleteLater()
    arun.run(scenario())
