"""Streaming over a real socket: tokens arrive incrementally, cancellation hangs up, usage."""
from __future__ import annotations

import asyncio
import time

from negotiator_app.llm import LLMClient
from tests.fakes.fake_lmstudio import FakeReply
from tests.llm.support import client, complete, request, run
from tests.waiting import until

LONG_ANSWER = " ".join(f"word{i}" for i in range(12))


def test_tokens_reach_the_caller_before_the_server_sends_the_last_chunk(fake):
    fake.default_reply = FakeReply(content=LONG_ANSWER, token_delay_s=0.03)
    arrivals: list[tuple[float, str]] = []

    def on_content(text: str) -> None:
        arrivals.append((time.monotonic(), text))

    result = run(complete(fake.base_url, on_content=on_content))

    assert result.content == LONG_ANSWER
    assert "".join(t for _, t in arrivals) == LONG_ANSWER
    assert len(arrivals) >= 12
    first_seen, last_sent = arrivals[0][0], fake.stream_end_times[0]
    assert first_seen < last_sent - 0.15  # the first token was shown while the rest was generating


def test_cancelling_the_task_closes_the_connection(fake):
    fake.default_reply = FakeReply(content=" ".join(["tok"] * 200), token_delay_s=0.02)

    async def scenario() -> float:
        first = asyncio.Event()
        llm = client(fake.base_url)
        task = asyncio.create_task(llm.complete(request(), on_content=lambda _: first.set()))
        await asyncio.wait_for(first.wait(), 3)
        task.cancel()
        cancelled_at = time.monotonic()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await until(lambda: fake.disconnects > 0, timeout=2, what="the server to see the hang-up")
        await llm.aclose()
        return time.monotonic() - cancelled_at

    elapsed = run(scenario())
    assert fake.disconnects == 1
    assert elapsed < 1.0
    assert fake.stream_end_times == []  # the server never got to finish the reply
    assert len(fake.requests) == 1


def test_cancelling_while_waiting_for_the_first_byte_also_hangs_up(fake):
    fake.default_reply = FakeReply(fault="hang")

    async def scenario() -> None:
        llm = client(fake.base_url)
        task = asyncio.create_task(llm.complete(request()))
        await until(lambda: fake.in_flight > 0, what="the request to reach the server")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await until(lambda: fake.disconnects > 0, timeout=2, what="the server to see the hang-up")
        await llm.aclose()

    run(scenario())
    assert fake.disconnects == 1


def test_usage_comes_from_the_server_when_reported(fake):
    fake.default_reply = FakeReply(content="one two six")

    result = run(complete(fake.base_url))

    assert fake.requests[0]["stream_options"] == {"include_usage": True}
    assert result.usage.from_server is True
    assert result.usage.completion_tokens == 3
    assert result.usage.prompt_tokens is not None and result.usage.prompt_tokens > 0
    assert result.finish_reason == "stop"
    assert result.model == "fake-model"


def test_usage_is_measured_when_the_server_reports_none(fake):
    fake.default_reply = FakeReply(content="one two six ten", usage=False,
                                   token_delay_s=0.01)

    result = run(complete(fake.base_url))

    usage = result.usage
    assert usage.from_server is False
    assert usage.completion_tokens == 4  # one per content chunk
    assert usage.prompt_tokens is None
    assert usage.time_to_first_token_s is not None and 0 < usage.time_to_first_token_s
    assert usage.duration_s >= usage.time_to_first_token_s
    assert usage.tokens_per_s is not None and usage.tokens_per_s > 0


def test_unstreamed_request_reads_one_json_body(fake):
    fake.default_reply = FakeReply(content="Final offer: 12.", reasoning="be firm")
    seen: list[str] = []

    result = run(complete(fake.base_url, request(stream=False), on_content=seen.append))

    assert fake.requests[0]["stream"] is False
    assert "stream_options" not in fake.requests[0]
    assert result.content == "Final offer: 12."
    assert result.reasoning == "be firm"
    assert seen == ["Final offer: 12."]
    assert result.usage.from_server and result.usage.time_to_first_token_s is None


def test_concurrent_requests_share_one_client(fake):
    fake.default_reply = FakeReply(content="ok then", token_delay_s=0.05)

    async def scenario() -> list[str]:
        async with LLMClient(fake.base_url) as llm:
            results = await asyncio.gather(*(llm.complete(request()) for _ in range(4)))
        return [r.content for r in results]

    assert run(scenario()) == ["ok then"] * 4
    assert fake.max_in_flight == 4
