"""Chart axes read at a glance: 1-2-5 steps and ends on whole ticks, in the room's price chart and the experiment's."""
from __future__ import annotations

import pytest

from negotiator_app.ui.experiments.charts import ArmEstimate, IntervalChart
from negotiator_app.ui.nice_axis import nice_step, snapped_range


@pytest.mark.parametrize(("raw", "step"), [(0.21, 0.25), (0.3, 0.5), (0.07, 0.1), (1.0, 1.0), (1.2, 2.0), (180, 200)])
def test_steps_are_one_two_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(raw) == pytest.approx(step)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (4.73, 5.57, (4.5, 5.75, 0.25)),
    (0.0, 1.0, (0.0, 1.0, 0.25)),
    (3.86, 12.3, (2.5, 12.5, 2.5)),
    (-0.4, 0.4, (-0.4, 0.4, 0.2)),
])
def test_the_range_is_covered_and_both_ends_sit_on_a_tick(low, high, expected):
    assert snapped_range(low, high) == pytest.approx(expected)


def test_the_experiment_price_chart_ticks_at_round_prices(qtbot):
    """It used to divide the padded range in four: 4.73, 4.94, 5.15, 5.36, 5.57."""
    chart = IntervalChart("Mean price per unit")
    qtbot.addWidget(chart)
    chart.set_estimates([ArmEstimate("A", 5.15, 4.8, 5.5), ArmEstimate("B", None, None, None)])
    assert chart.lo <= 4.8 and chart.hi >= 5.5
    ticks = [chart.lo + k * chart.step for k in range(int(round((chart.hi - chart.lo) / chart.step)) + 1)]
    assert [chart.tick(t) for t in ticks] == ["4.50", "4.75", "5.00", "5.25", "5.50", "5.75"]
