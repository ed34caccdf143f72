"""Shared bits of the benchmark scripts: a small table printer and a fake server in a subprocess."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}\n" + "-" * len(title))
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


@contextmanager
def fake_server(delay_s: float, words: int):
    """The fake LM Studio in another process; yields its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.fake_server", str(delay_s), str(words)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def busy_core():
    """Another process keeps one CPU core busy for the duration (a model server, a build, a browser). It runs at
    the ordinary scheduling policy even when the benchmark was started with `chrt -f` (a child inherits it: a
    real-time busy loop would take its core from the benchmark's own threads, which no other program does)."""
    ordinary = ("import os\n"
                "if hasattr(os, 'sched_setscheduler'): os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))\n")
    proc = subprocess.Popen([sys.executable, "-c", ordinary + "while True: pass"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def load_average() -> str:
    """The 1-minute load average and the core count, to print next to figures measured on a shared machine."""
    import os

    try:
        one = os.getloadavg()[0]
    except OSError:
        return f"{os.cpu_count()} cores"
    return f"load average {one:.1f} on {os.cpu_count()} cores"
