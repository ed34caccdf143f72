"""Every way a server can fail ends in the right typed error with a message a person can act on."""
from __future__ import annotations

import time

import httpx
import pytest

from negotiator_app.llm import (
    ContextTooLong, LLMError, LLMTimeout, MalformedReply, ModelNotFound, ServerError,
    ServerUnreachable, StreamInterrupted,
)
from tests.fakes.fake_lmstudio import FakeReply
from tests.llm.support import client, closed_port_url, complete, request, run


def _fail(base_url, req=None, **options) -> LLMError:
    with pytest.raises(LLMError) as caught:
        run(complete(base_url, req, **options))
    assert str(caught.value) == caught.value.user_message
    return caught.value


def test_unreachable_server_names_the_url():
    url = closed_port_url()
    started = time.monotonic()

    error = _fail(url, max_retries=2)

    assert isinstance(error, ServerUnreachable)
    assert url in error.user_message
    assert "LM Studio is not running at" in error.user_message
    assert "Developer tab" in error.user_message
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("stream", [True, False])
def test_garbage_bytes_are_a_malformed_reply(fake, stream):
    fake.default_reply = FakeReply(content="some words here", fault="garbage", drop_after=0)

    error = _fail(fake.base_url, request(stream=stream))

    assert isinstance(error, MalformedReply)
    assert "could not be read" in error.user_message
    assert len(fake.requests) == 1  # a server sending garbage is not retried


def test_garbage_after_some_tokens_keeps_the_partial_text(fake):
    fake.default_reply = FakeReply(content="one two six ten", fault="garbage", drop_after=2)

    error = _fail(fake.base_url)

    assert isinstance(error, MalformedReply)
    assert error.partial == "one two"


@pytest.mark.parametrize("stream", [True, False])
def test_empty_reply_is_malformed(fake, stream):
    fake.default_reply = FakeReply(fault="empty")

    error = _fail(fake.base_url, request(stream=stream))

    assert isinstance(error, MalformedReply)
    assert "empty" in error.user_message


def test_error_event_inside_the_stream_is_a_server_error(fake):
    fake.default_reply = FakeReply(content="one two six ten", fault="stream_error", drop_after=3,
                                   body="Model crashed while generating")

    error = _fail(fake.base_url)

    assert isinstance(error, ServerError)
    assert "Model crashed while generating" in error.user_message
    assert error.partial == "one two six"
    assert len(fake.requests) == 1


def test_server_error_carries_status_and_the_servers_text(fake):
    fake.default_reply = FakeReply(fault="status", status=500, body="CUDA out of memory")

    error = _fail(fake.base_url, max_retries=0)

    assert isinstance(error, ServerError)
    assert error.status == 500
    assert "HTTP 500" in error.user_message and "CUDA out of memory" in error.user_message


def test_unknown_model_404_says_which_model_to_load(fake):
    fake.strict_models = True

    error = _fail(fake.base_url, request(model="qwen-9000"))

    assert isinstance(error, ModelNotFound)
    assert "qwen-9000" in error.user_message and "Load it in LM Studio" in error.user_message
    assert len(fake.requests) == 1


def test_model_not_loaded_message_without_404_is_model_not_found(fake):
    fake.default_reply = FakeReply(fault="status", status=400,
                                   body="No models loaded. Please load a model")

    error = _fail(fake.base_url)

    assert isinstance(error, ModelNotFound)


@pytest.mark.parametrize("stream", [True, False])
def test_context_overflow_as_a_400_is_context_too_long(fake, stream):
    fake.context_limit = 600
    long_prompt = "We sell bolts. " * 200  # ~750 estimated tokens

    error = _fail(fake.base_url, request(system=long_prompt, stream=stream))

    assert isinstance(error, ContextTooLong)
    assert "context" in error.user_message and "fake-model" in error.user_message
    assert len(fake.requests) == 1  # the same prompt would overflow again


@pytest.mark.parametrize("stream", [True, False])
def test_context_overflow_as_an_empty_200_is_context_too_long(fake, stream):
    fake.context_limit = 600
    fake.context_overflow = "empty"

    error = _fail(fake.base_url, request(system="We sell bolts. " * 200, stream=stream))

    assert isinstance(error, ContextTooLong)


def test_prompt_within_the_context_limit_passes(fake):
    fake.context_limit = 600
    assert run(complete(fake.base_url)).content == "Hello from the fake model."


def test_a_silent_server_times_out_with_a_clear_message(fake):
    fake.default_reply = FakeReply(fault="hang")
    started = time.monotonic()

    error = _fail(fake.base_url, read_timeout=0.3)

    assert isinstance(error, LLMTimeout)
    assert "did not answer within 0.3 s" in error.user_message
    assert time.monotonic() - started < 2
    assert len(fake.requests) == 1  # a slow model is not sent the same work twice


def test_slow_tokens_within_the_read_timeout_are_fine(fake):
    fake.default_reply = FakeReply(content="one two six", token_delay_s=0.1)
    assert run(complete(fake.base_url, read_timeout=0.5)).content == "one two six"


def test_drop_mid_stream_is_stream_interrupted_with_the_partial_text(fake):
    fake.default_reply = FakeReply(content="one two six ten", fault="drop", drop_after=2)

    error = _fail(fake.base_url)

    assert isinstance(error, StreamInterrupted)
    assert error.partial == "one two"
    assert "text received so far is kept" in error.user_message


def test_error_object_in_a_200_json_body_is_a_typed_error():
    transport = httpx.MockTransport(lambda req: httpx.Response(
        200, json={"error": "Model 'm' not found. Please load it first."}))

    async def scenario():
        async with client("http://test/v1", transport=transport) as llm:
            await llm.complete(request(stream=False))

    with pytest.raises(ModelNotFound):
        run(scenario())


def test_whitespace_until_max_tokens_is_malformed_not_a_context_overflow(fake):
    """A small model under a JSON grammar can emit only whitespace until max_tokens."""
    fake.default_reply = FakeReply(content=" \n \n \n ", finish_reason="length")

    error = _fail(fake.base_url)

    assert isinstance(error, MalformedReply)
    assert "whitespace" in error.user_message
