"""The experiment report as Markdown tables, a JSON document (schema'd) and a CSV with one row per run."""
from __future__ import annotations

import csv
import io

from .report import ArmReport, CrossPlayCell, ExperimentReport, Interval, RunRow, cross_play_axes


def to_json(report: ExperimentReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def to_csv(report: ExperimentReport) -> str:
    """One row per stored run, columns as in the JSON report's runs (for pandas or R)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(RunRow.model_fields), lineterminator="\n")
    writer.writeheader()
    for row in report.runs:
        writer.writerow({k: "" if v is None else v for k, v in row.model_dump(mode="json").items()})
    return out.getvalue()


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ci(e: Interval | None, digits: int = 2, pct: bool = False) -> str:
    if e is None or e.value is None:
        return "n/a"
    k = 100 if pct else 1
    value = f"{e.value * k:,.{digits}f}{'%' if pct else ''}"
    if e.low is None or e.high is None:
        return value
    return f"{value} [{e.low * k:,.{digits}f}, {e.high * k:,.{digits}f}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
            *("| " + " | ".join(r) + " |" for r in rows)]


def _arm_row(a: ArmReport) -> list[str]:
    return [a.arm, a.buyer, a.sellers, str(a.runs), _ci(a.deal_rate, 0, pct=True), _ci(a.mean_price),
            _num(a.median_price), _ci(a.deal_position), _ci(a.buyer_surplus_share), _ci(a.rounds_to_close, 1),
            _ci(a.violations_per_100_seller_messages, 1), _ci(a.disclosures_per_100_messages, 1),
            _ci(a.unusable_per_100_requests, 1), _num(a.tokens_per_s, 1)]


def to_markdown(report: ExperimentReport) -> str:
    lines = [f"# Experiment {report.experiment_id}: {report.name}", "",
             f"Scenario: {report.scenario} · {report.done} of {report.scheduled} runs done · "
             f"{report.repetitions} per arm · 95 % intervals in brackets (Wilson for rates, bootstrap otherwise).",
             "", "## Per arm", ""]
    lines += _table(["arm", "buyer", "sellers", "runs", "deal rate", "mean price", "median price",
                     "deal position", "buyer surplus share", "rounds to close", "violations /100 seller msgs",
                     "disclosures /100 msgs", "unusable /100 requests", "tokens/s"],
                    [_arm_row(a) for a in report.arms])
    lines += ["", "## Differences between arms (a − b)", ""]
    lines += _table(["metric", "a", "b", "difference", "95 % interval", "clear"],
                    [[d.metric.replace("_", " "), d.arm_a, d.arm_b, _num(d.value, 3),
                      "n/a" if d.low is None else f"[{d.low:,.3f}, {d.high:,.3f}]", "yes" if d.clear else "no"]
                     for d in report.differences])
    lines += ["", "A difference is clear when its interval excludes 0.", "", "## Cross-play (buyer × sellers)", "",
              "Every run pooled by who played the buyer (rows) and the sellers (columns): deal rate [95 % Wilson "
              "interval] · mean deal position (0 = lowest floor, 1 = buyer's max) · runs.", ""]
    buyers, sellers = cross_play_axes(report.cross_play)
    cells = {(c.buyer, c.sellers): c for c in report.cross_play}
    lines += _table(["buyer ↓ · sellers →", *sellers],
                    [[b, *(cross_play_text(cells.get((b, s))) for s in sellers)] for b in buyers])
    return "\n".join(lines) + "\n"


def cross_play_text(cell: CrossPlayCell | None) -> str:
    """One matrix cell in words: `50% [9, 91] · position 0.25 · n = 2`; an empty pairing shows a dash."""
    if cell is None:
        return "–"
    return f"{_ci(cell.deal_rate, 0, pct=True)} · position {_num(cell.deal_position.value)} · n = {cell.runs}"


FORMATS = {"md": to_markdown, "json": to_json, "csv": to_csv}
