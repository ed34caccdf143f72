"""A stored run opening in a shown pane is split over loop turns: the transcript first, its offers table and
chart after that paint. What ends up on screen is the stored run's; a new run begun in between keeps none of it.
The chart works its axes out once per change of its data or size, and follows both."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from negotiator_app.domain import Offer
from negotiator_app.engine import RunStarted
from negotiator_app.ui.next_turn import after_paint
from negotiator_app.ui.room.chart import ChartData, OfferChart
from tests.ui.conftest import until
from tests.ui.ten_sellers_support import NAMES, stored_run, ten_seller_pane


def _standing_cell(pane, seller: str) -> str:
    table = pane.offers.table
    row = [table.item(r, 0).text() for r in range(table.rowCount())].index(seller)
    return table.item(row, 2).text()


def test_a_shown_stored_run_ends_up_with_its_offers_in_the_table_and_chart(qtbot, arun):
    async def scenario():
        async with ten_seller_pane(qtbot) as pane:
            pane.resize(1280, 800)
            pane.show()
            qtbot.waitExposed(pane)
            record = stored_run()
            pane.load_history(record)
            assert [b.sender for b in pane.transcript.bubbles()][:2] == ["Pat", NAMES[0]]
            await until(lambda: len(pane.offers.chart.data.offers) == len(record.offers), what="the stored offers")
            assert _standing_cell(pane, NAMES[0]).startswith("5.10 × 10")
            assert pane.offers.standing()[NAMES[1]].price_per_unit == record.offers[1].price_per_unit
    arun.run(scenario())


def test_a_new_run_begun_before_the_stored_offers_are_shown_keeps_none_of_them(qtbot, arun):
    async def scenario():
        async with ten_seller_pane(qtbot) as pane:
            pane.resize(1280, 800)
            pane.show()
            qtbot.waitExposed(pane)
            pane.load_history(stored_run())
            runner = pane.runner
            # The engine announces a new run in the same loop turn, before the stored offers' turn came.
            bus = pane.bridge.runtime  # the bridge of this pane listens to the engine's bus directly
            bus.emit(RunStarted(room=runner.key, run_id="fresh", item=runner.plan.item.name,
                                quantity=runner.plan.item.quantity, sellers=list(runner.sellers), buyer=runner.buyer,
                                buyer_mode="ai", max_rounds=runner.max_rounds, model="fake-model"))
            assert not pane.transcript.bubbles(), "the stored run left the pane"
            for _ in range(10):
                await asyncio.sleep(0.01)  # the turns the stored offers would have come in
            assert pane.offers.standing() == {} and pane.offers.chart.data.offers == []
            assert _standing_cell(pane, NAMES[0]) == "—"
    arun.run(scenario())


def test_slices_run_one_per_loop_turn_each_after_the_paint_the_previous_one_asked_for(qtbot, arun):
    order: list[str] = []

    class Painted(QObject):
        def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                order.append("paint")
            return False

    async def scenario():
        widget = QWidget()
        qtbot.addWidget(widget)
        widget.resize(200, 100)
        widget.show()
        qtbot.waitExposed(widget)
        await asyncio.sleep(0.05)
        painted = Painted()
        widget.installEventFilter(painted)

        def first() -> None:
            order.append("first")
            widget.update()  # asks for a paint, which must come before the next slice

        after_paint(widget, first)
        after_paint(widget, lambda: order.append("second"))
        await until(lambda: "second" in order, what="both slices")
        widget.removeEventFilter(painted)
        assert order.index("first") < order.index("paint") < order.index("second"), order
    arun.run(scenario())


def _offers(n: int) -> list[Offer]:
    sellers = ("Bolt", "Acme")
    return [Offer(seller=sellers[i % 2], price_per_unit=9.0 - (i % 7) / 2, quantity=10, round=1 + i // 2,
                  message_seq=i + 1) for i in range(n)]


def _chart(qtbot, offers: list[Offer], width: int = 400, height: int = 240) -> OfferChart:
    chart = OfferChart()
    qtbot.addWidget(chart)
    chart.resize(width, height)
    chart.set_data(ChartData(sellers=["Bolt", "Acme"], colors={"Bolt": QColor("red"), "Acme": QColor("blue")},
                             offers=list(offers), max_rounds=10))
    return chart


def _differing(a, b) -> int:
    assert a.size() == b.size()
    return sum(a.pixel(x, y) != b.pixel(x, y) for x in range(a.width()) for y in range(a.height()))


def test_the_chart_follows_an_offer_beyond_its_axes_and_a_resize_as_if_drawn_anew(qtbot):
    offers = _offers(12)
    chart = _chart(qtbot, offers)
    chart.grab()  # axes and plot worked out, cache drawn
    beyond = [Offer(seller="Bolt", price_per_unit=40.0, quantity=10, round=14, message_seq=99)]
    chart.add_offer(beyond[0])
    after = chart.grab().toImage()
    fresh = _chart(qtbot, offers + beyond).grab().toImage()
    assert _differing(after, fresh) == 0, "the price axis reaches 40 and the rounds 14, as in a fresh chart"

    chart.resize(520, 300)
    resized = chart.grab().toImage()
    fresh = _chart(qtbot, offers + beyond, 520, 300).grab().toImage()
    assert _differing(resized, fresh) == 0, "the plot fills the new size"


def test_switching_to_the_grid_shows_every_room_and_lays_their_runs_out_a_room_per_loop_turn(qtbot, arun, tmp_path):
    from PySide6.QtCore import QTimer

    from tests.benchmarks.bench_ui_stalls import store_session
    from tests.benchmarks.bench_ui_streaming import message_text
    from tests.ui.window_support import WindowKit

    kit = WindowKit(tmp_path, arun)
    store = kit.store()
    sid = store_session(store, 60)  # ten rooms, each with a stopped run of 60 messages

    async def scenario():
        window = kit.window(store=store)
        window.resize(1400, 900)
        window.show()
        await window.sidebar.loaded
        await window.open_session(sid)
        await window.host.history_loaded
        view = window.host.view
        panes = list(view.panes.values())
        await until(lambda: not panes[0].transcript.filling(), what="the shown room to fill")
        assert all(not pane.transcript.rendered_count() for pane in panes[1:]), "the hidden rooms wait"
        laid_out: list[int] = []  # at each tick: how many rooms have their run laid out

        def tick() -> None:
            laid_out.append(sum(bool(pane.transcript.rendered_count()) for pane in panes))

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(0)
        try:
            qtbot.mouseClick(view.grid_toggle, Qt.MouseButton.LeftButton)
            await until(lambda: all(p.transcript.rendered_count() == 40 and not p.transcript.filling() for p in panes),
                        what="every room laid out in the grid")
        finally:
            timer.stop()
        assert view.grid_mode and all(pane.isVisible() for pane in panes)
        assert laid_out[0] < len(panes), "the loop turned before every room was laid out"
        assert len(set(laid_out)) > 3 and laid_out == sorted(laid_out), "a few rooms more at a time"
        for pane in panes:
            shown = [pane.transcript.body_text(k) for k in pane.transcript._order if k in pane.transcript._frames]
            assert shown == [message_text(seq) for seq in range(21, 61)], pane.runner.key

    try:
        kit.run(scenario())
    finally:
        kit.close()
