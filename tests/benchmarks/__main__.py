"""Runs every benchmark of this folder and prints their figures: `uv run python -m tests.benchmarks`."""
from __future__ import annotations

import time

from tests.benchmarks import (
    bench_chunks, bench_database, bench_engine, bench_long_transcripts, bench_startup_memory, bench_ui_stalls,
    bench_ui_streaming,
)


def main() -> None:
    started = time.perf_counter()
    bench_engine.main()
    bench_chunks.main([])
    bench_database.main()
    bench_ui_streaming.main([])  # the Qt ones: offscreen, each ~20 s per variant
    bench_ui_stalls.main([])
    bench_long_transcripts.main([])
    bench_startup_memory.main([])
    print(f"\nall benchmarks ran in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
