"""The fake LM Studio in its own process for benchmarks, so its CPU time is not counted as the engine's.

`python -m tests.benchmarks.fake_server DELAY_S WORDS [--stats]` prints the base URL, then serves until stdin
closes. Sellers offer their round's target price with a WORDS-word message; the buyer continues to the round
limit. With `--stats` it prints, on the way out, one JSON line: the SSE events it sent (`chunks`) and every
change of the number of chat requests in flight (`in_flight`: [time.monotonic(), count] pairs; the clock is
the machine's, so the benchmark can line it up with its own).
"""
from __future__ import annotations

import json
import sys
import threading
import time

from tests.engine.support import Script, target
from tests.fakes import fake_lmstudio
from tests.fakes.fake_lmstudio import FakeLMStudio

FILLER = ("our", "widgets", "are", "tested", "twice", "and", "shipped", "today", "from", "a", "local", "warehouse")


class _Counting(FakeLMStudio):
    """Logs every change of the requests in flight (under the fake's own lock, so the log is in order)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.changes: list[tuple[float, int]] = []

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.changes.append((time.monotonic(), self._in_flight))

    def _leave(self, gone: bool) -> None:
        with self._lock:
            self._in_flight -= 1
            self.disconnects += int(gone)
            self.changes.append((time.monotonic(), self._in_flight))


def _count_chunks() -> list[int]:
    """Counts the SSE events the fake writes (every non-empty HTTP chunk carries exactly one)."""
    sent = [0]
    lock = threading.Lock()
    original = fake_lmstudio._Handler._chunk

    def chunk(handler, data: bytes) -> None:
        if data:
            with lock:
                sent[0] += 1
        original(handler, data)

    fake_lmstudio._Handler._chunk = chunk  # type: ignore[method-assign]
    return sent


def main() -> None:
    delay, words = float(sys.argv[1]), int(sys.argv[2])
    stats = "--stats" in sys.argv[3:]
    pitch = " ".join(FILLER[i % len(FILLER)] for i in range(words))
    sent = _count_chunks() if stats else [0]
    fake_lmstudio._QuietServer.request_queue_size = 128  # 32 clients connecting at once overflow the default 5

    def sell(name, r, body):
        return {"message": f"{name}: {pitch}.", "offer_price": target(body), "offer_quantity": None}

    def decide(r, body):
        return {"decision": "continue", "seller": None, "message": f"Round {r}: that is too much, lower please."}

    with _Counting(per_token_delay_s=delay) as fake:
        fake.responder = Script(sell=sell, decide=decide)
        print(fake.base_url, flush=True)
        sys.stdin.read()
        if stats:
            with fake._lock:
                print(json.dumps({"chunks": sent[0], "in_flight": fake.changes}), flush=True)


if __name__ == "__main__":
    main()
