"""An experiment's results: the per-arm table above charts of deal rate, mean price and deal positions."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...experiments.report import ExperimentReport
from .arm_table import ArmTable
from .charts import ArmEstimate, IntervalChart, PositionStrip


def deal_positions(report: ExperimentReport) -> dict[str, list[float]]:
    """Every deal's position per arm, in arm order (an arm without deals keeps its empty row)."""
    positions: dict[str, list[float]] = {a.arm: [] for a in report.arms}
    for run in report.runs:
        if run.deal and run.deal_position is not None:
            positions.setdefault(run.arm, []).append(run.deal_position)
    return positions


class ResultsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = ArmTable()
        self.deal_rate_chart = IntervalChart("Deal rate (95 % Wilson interval)", percent=True)
        self.price_chart = IntervalChart("Mean price per unit (95 % bootstrap interval)")
        self.positions_chart = PositionStrip()
        charts = QHBoxLayout()
        for chart in (self.deal_rate_chart, self.price_chart):
            charts.addWidget(chart, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(charts, 1)
        layout.addWidget(self.positions_chart, 1)
        self.report: ExperimentReport | None = None

    def show_report(self, report: ExperimentReport | None) -> None:
        self.report = report
        self.table.show_report(report)
        arms = report.arms if report is not None else []
        self.deal_rate_chart.set_estimates([ArmEstimate(a.arm, a.deal_rate.value, a.deal_rate.low, a.deal_rate.high)
                                            for a in arms])
        self.price_chart.set_estimates([ArmEstimate(a.arm, a.mean_price.value, a.mean_price.low, a.mean_price.high)
                                        for a in arms])
        self.positions_chart.set_positions(deal_positions(report) if report is not None else {})
