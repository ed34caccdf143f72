"""Benchmark — strategy-only experiments: 1,000 runs of 5 sellers × 10 rounds, negotiated and stored.

Every agent is a rule-based strategy, so no model server is involved: the figure is the engine negotiating each
repetition in memory and the event writer storing it (with its experiment tag, one transaction per repetition)
in a SQLite file, plus the report (statistics with 2,000 bootstrap resamples per interval) computed from what was
stored. Two arms (Boulware sellers, Conceder sellers), 500 repetitions each, interleaved. Wall and CPU time are
printed with the load average: on a machine other work is loading, the CPU seconds are the steadier figure.

Run: uv run python -m tests.benchmarks.bench_experiments [RUNS] [PARALLEL]
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from negotiator_app.experiments.report import experiment_report
from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from tests.benchmarks.common import print_table


def scenario() -> dict:
    """A buyer and five sellers of one item, every agent a strategy, a 10-round limit."""
    sellers = [{"name": name, "inventory": [{"name": "Cable", "cost_price": 1, "least_price": floor,
                                             "selling_price": floor * 2, "quantity_available": 50}],
                "agent": {"kind": "strategy", "strategy": {"kind": "linear"}}}
               for name, floor in (("Ada", 4), ("Bo", 4.5), ("Cy", 5), ("Di", 5.5), ("Ed", 6))]
    return {"name": "Five strategy sellers", "llm": {"max_rounds": 10},
            "buyer": {"name": "Pat", "items": [{"name": "Cable", "quantity": 10, "min_price": 2, "max_price": 8}],
                      "agent": {"kind": "strategy", "strategy": {"kind": "boulware"}}},
            "sellers": sellers}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    runs = int(args[0]) if args else 1000
    parallel = int(args[1]) if len(args) > 1 else 4
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "scenario.json").write_text(json.dumps(scenario()))
        (folder / "experiment.json").write_text(json.dumps({
            "name": "bench", "scenario": "scenario.json", "repetitions": runs // 2, "parallel_runs": parallel,
            "arms": [{"name": "boulware", "sellers": {"strategy": "boulware"}},
                     {"name": "conceder", "sellers": {"strategy": "conceder"}}]}))
        with Store.open(folder / "db.sqlite3") as store:
            experiment_id = create_experiment(store, load_experiment(folder / "experiment.json"))
            runner = ExperimentRunner(store, experiment_id, client_factory("http://127.0.0.1:9/v1"))
            started, cpu = time.perf_counter(), time.process_time()
            result = asyncio.run(runner.run())
            negotiated, negotiated_cpu = time.perf_counter() - started, time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            report = experiment_report(store, experiment_id)
            reported, reported_cpu = time.perf_counter() - started, time.process_time() - cpu
            messages = sum(r.messages for r in report.runs)
            size = (folder / "db.sqlite3").stat().st_size
    load_after = os.getloadavg()
    verdict = "met" if negotiated < 60 and result.done == runs else "NOT met"
    print_table(f"Strategy-only experiment: {runs} runs of 5 sellers × 10 rounds, {parallel} at once", [
        ("runs negotiated and stored", f"{result.done} ({result.status})"),
        ("negotiate + store", f"{negotiated:.1f} s wall, {negotiated_cpu:.1f} s CPU "
                              f"({negotiated / max(result.done, 1) * 1000:.1f} ms per run)"),
        ("messages stored", f"{messages:,} ({messages / negotiated:,.0f} per second)"),
        ("report (statistics)", f"{reported:.1f} s wall, {reported_cpu:.1f} s CPU"),
        ("database size", f"{size / 1e6:.1f} MB"),
        ("load average (1, 5, 15 min)", f"{_load(load_before)} before, {_load(load_after)} after, "
                                         f"{os.cpu_count()} CPUs"),
        ("goal", f"1,000 runs in under 60 s on a 2-core machine: {verdict} here"),
    ])


def _load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{a:.2f}" for a in averages)


if __name__ == "__main__":
    main()
