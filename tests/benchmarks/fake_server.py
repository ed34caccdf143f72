"""The fake LM Studio in its own process for benchmarks, so its CPU time is not counted as the engine's.

`python -m tests.benchmarks.fake_server DELAY_S WORDS` prints the base URL, then serves until stdin closes.
Sellers offer their round's target price with a WORDS-word message; the buyer continues to the round limit.
"""
from __future__ import annotations

import sys

from tests.engine.support import Script, target
from tests.fakes.fake_lmstudio import FakeLMStudio

FILLER = ("our", "widgets", "are", "tested", "twice", "and", "shipped", "today", "from", "a", "local", "warehouse")


def main() -> None:
    delay, words = float(sys.argv[1]), int(sys.argv[2])
    pitch = " ".join(FILLER[i % len(FILLER)] for i in range(words))

    def sell(name, r, body):
        return {"message": f"{name}: {pitch}.", "offer_price": target(body), "offer_quantity": None}

    def decide(r, body):
        return {"decision": "continue", "seller": None, "message": f"Round {r}: that is too much, lower please."}

    with FakeLMStudio(per_token_delay_s=delay) as fake:
        fake.responder = Script(sell=sell, decide=decide)
        print(fake.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
