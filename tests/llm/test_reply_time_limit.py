"""A server that keeps trickling chunks never trips the read timeout (it applies between chunks): the reply
time limit bounds a whole reply, and the failure keeps what had arrived and says what to do."""
from __future__ import annotations

import pytest

from negotiator_app.domain import LLMSettings
from negotiator_app.llm import LLMTimeout, ReplyTimeLimit
from tests.llm.support import complete, run


def test_a_trickling_reply_ends_at_the_reply_time_limit(fake):
    fake.responder = lambda body: "slowly " * 200  # 200 chunks, 0.05 s apart: 10 s in all
    fake.per_token_delay_s = 0.05
    arrived: list[str] = []
    with pytest.raises(ReplyTimeLimit) as failure:
        run(complete(fake.base_url, on_content=arrived.append, read_timeout=1.0, reply_timeout=0.6), timeout=8)
    assert isinstance(failure.value, LLMTimeout)  # handled by the engine like any timeout
    assert "took longer than 0.6 s for one reply" in failure.value.user_message
    assert "reply time limit" in failure.value.user_message
    assert arrived and failure.value.partial == "".join(arrived)  # what arrived is kept
    assert fake.max_in_flight == 1 and len(fake.requests) == 1  # not retried: the server was answering


def test_the_reply_time_limit_is_a_session_setting_with_a_generous_default():
    assert LLMSettings().reply_timeout_s == 600
    with pytest.raises(ValueError, match="reply_timeout_s"):
        LLMSettings(reply_timeout_s=0)
