"""An experiment's results: per arm (table above charts of deal rate, mean price and deal positions) and the
buyer × sellers cross-play matrix, one tab each."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from ...experiments.report import ExperimentReport
from .arm_table import ArmTable
from .charts import ArmEstimate, IntervalChart, PositionStrip
from .cross_play import CrossPlayView


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
        self.cross_play = CrossPlayView()
        charts = QHBoxLayout()
        for chart in (self.deal_rate_chart, self.price_chart):
            charts.addWidget(chart, 1)
        per_arm = QWidget()
        arm_layout = QVBoxLayout(per_arm)
        arm_layout.setContentsMargins(0, 0, 0, 0)
        arm_layout.addWidget(self.table)
        arm_layout.addLayout(charts, 1)
        arm_layout.addWidget(self.positions_chart, 1)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(per_arm, "Per arm")
        self.tabs.addTab(self.cross_play, "Cross-play (buyer × sellers)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
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
        self.cross_play.show_report(report)
