"""Structured output falls back json_schema → json_object → text and remembers what worked."""
from __future__ import annotations

import json

import httpx
import pytest

from negotiator_app.llm import ContextTooLong, LLMError
from tests.llm.support import SCHEMA, client, request, run


def _formats(fake) -> list[str | None]:
    return [(body.get("response_format") or {}).get("type") for body in fake.requests]


def _two_completions(fake):
    async def scenario():
        async with client(fake.base_url) as llm:
            first = await llm.complete(request(json_schema=SCHEMA, schema_name="offer"))
            second = await llm.complete(request(json_schema=SCHEMA))
            return first, second, llm.structured_output_mode

    return run(scenario())


def test_lm_studio_takes_json_schema_first_time(fake):
    fake.reject_json_object = True
    fake.default_reply = '{"price": 10}'

    first, second, mode = _two_completions(fake)

    assert _formats(fake) == ["json_schema", "json_schema"]
    assert fake.requests[0]["response_format"]["json_schema"] == {"name": "offer", "schema": SCHEMA}
    assert first.response_format == second.response_format == mode == "json_schema"
    assert first.content == '{"price": 10}'


def test_llama_cpp_style_server_falls_back_to_json_object_and_remembers(fake):
    fake.reject_json_schema = True

    first, second, mode = _two_completions(fake)

    assert _formats(fake) == ["json_schema", "json_object", "json_object"]
    assert fake.requests[1]["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert first.response_format == second.response_format == mode == "json_object"


def test_server_refusing_both_falls_back_to_plain_text_and_remembers(fake):
    fake.reject_json_schema = True
    fake.reject_json_object = True

    first, second, mode = _two_completions(fake)

    assert _formats(fake) == ["json_schema", "json_object", None, None]
    assert first.response_format == second.response_format == mode == "text"


def test_request_without_schema_sends_no_response_format(fake):
    async def scenario():
        async with client(fake.base_url) as llm:
            return await llm.complete(request())

    assert run(scenario()).response_format == "text"
    assert _formats(fake) == [None]


def test_context_overflow_is_not_mistaken_for_a_format_refusal(fake):
    fake.context_limit = 100

    async def scenario():
        async with client(fake.base_url) as llm:
            await llm.complete(request(system="x" * 1000, json_schema=SCHEMA))

    with pytest.raises(ContextTooLong):
        run(scenario())
    assert _formats(fake) == ["json_schema"]


def test_a_refusal_that_never_succeeds_is_not_remembered():
    """A 400 for another reason must not downgrade later requests for good."""
    sent: list[str | None] = []

    def handler(req: httpx.Request) -> httpx.Response:
        sent.append((json.loads(req.content).get("response_format") or {}).get("type"))
        return httpx.Response(400, json={"error": "messages[1].role is invalid"})

    async def scenario():
        llm = client("http://test/v1", transport=httpx.MockTransport(handler))
        with pytest.raises(LLMError, match="role is invalid"):  # the server's reason reaches the caller
            await llm.complete(request(json_schema=SCHEMA))
        mode = llm.structured_output_mode
        await llm.aclose()
        return mode

    assert run(scenario()) == "json_schema"
    assert sent == ["json_schema", "json_object", None]


def test_422_validation_error_from_fastapi_servers_triggers_fallback():
    sent: list[str | None] = []

    def handler(req: httpx.Request) -> httpx.Response:
        fmt = (json.loads(req.content).get("response_format") or {}).get("type")
        sent.append(fmt)
        if fmt == "json_schema":
            return httpx.Response(422, json={"detail": [{
                "loc": ["body", "response_format", "type"],
                "msg": "Input should be 'text' or 'json_object'"}]})
        return httpx.Response(200, json={"model": "m", "choices": [{
            "message": {"role": "assistant", "content": '{"price": 3}'}, "finish_reason": "stop"}]})

    async def scenario():
        async with client("http://test/v1", transport=httpx.MockTransport(handler)) as llm:
            return await llm.complete(request(stream=False, json_schema=SCHEMA))

    assert run(scenario()).response_format == "json_object"
    assert sent == ["json_schema", "json_object"]


def test_llama_cpp_python_500_for_json_schema_falls_back_without_retrying(fake):
    """Seen on the real llama-cpp-python 0.3 server: the refusal is a 500, not a 4xx."""
    fake.reject_json_schema = True
    fake.reject_status = 500

    first, second, mode = _two_completions(fake)

    assert _formats(fake) == ["json_schema", "json_object", "json_object"]
    assert first.response_format == mode == "json_object"
