"""Retries with backoff happen only before the first token; a started reply is never re-sent."""
from __future__ import annotations

import pytest

from negotiator_app.llm import ServerError, StreamInterrupted
from tests.fakes.fake_lmstudio import FakeReply
from tests.llm.support import complete, request, run


def test_two_500s_then_success_is_retried(fake):
    fake.fail_next = [FakeReply(fault="status", status=500), FakeReply(fault="status", status=503)]
    fake.default_reply = "Deal at 40."

    result = run(complete(fake.base_url))

    assert result.content == "Deal at 40."
    assert len(fake.requests) == 3


def test_429_is_retried(fake):
    fake.fail_next = [FakeReply(fault="status", status=429, body="Too many requests")]

    assert run(complete(fake.base_url)).content == "Hello from the fake model."
    assert len(fake.requests) == 2


def test_connection_dropped_before_any_token_is_retried(fake):
    fake.fail_next = [FakeReply(fault="drop", drop_after=0)]

    assert run(complete(fake.base_url)).content == "Hello from the fake model."
    assert len(fake.requests) == 2


def test_retries_give_up_after_max_retries(fake):
    fake.fail_next = [FakeReply(fault="status", status=500, body="still broken")] * 5

    with pytest.raises(ServerError) as caught:
        run(complete(fake.base_url, max_retries=2))

    assert len(fake.requests) == 3
    assert caught.value.status == 500 and "still broken" in str(caught.value)


def test_backoff_grows_between_attempts(fake, monkeypatch):
    import negotiator_app.llm.client as client_module

    waits: list[float] = []
    real_sleep = client_module.asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(client_module.asyncio, "sleep", recording_sleep)
    fake.fail_next = [FakeReply(fault="status", status=500)] * 3

    run(complete(fake.base_url, backoff_s=0.5, max_retries=3))

    assert waits == [0.5, 1.0, 2.0]


def test_client_errors_are_not_retried(fake):
    fake.default_reply = FakeReply(fault="status", status=400, body="messages: field required")

    with pytest.raises(ServerError):
        run(complete(fake.base_url))

    assert len(fake.requests) == 1


def test_drop_after_the_first_token_is_never_resent(fake):
    fake.default_reply = FakeReply(content="one two six ten", fault="drop", drop_after=3)
    seen: list[str] = []

    with pytest.raises(StreamInterrupted) as caught:
        run(complete(fake.base_url, on_content=seen.append))

    assert len(fake.requests) == 1
    assert caught.value.partial == "one two six"
    assert "".join(seen) == "one two six "


def test_reasoning_alone_counts_as_started(fake):
    fake.default_reply = FakeReply(content="fine", reasoning="hmm let me see", fault="drop",
                                   drop_after=1)

    with pytest.raises(StreamInterrupted) as caught:
        run(complete(fake.base_url))

    assert len(fake.requests) == 1
    assert caught.value.partial == "" and caught.value.reasoning == "hmm"


def test_retried_request_is_the_same_request(fake):
    fake.fail_next = [FakeReply(fault="status", status=502)]

    run(complete(fake.base_url, request(temperature=0.2)))

    assert fake.requests[0] == fake.requests[1]
    assert fake.requests[1]["temperature"] == 0.2
