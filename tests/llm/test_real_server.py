"""Manual end-to-end check against a real OpenAI-compatible server (see shared REAL_SERVER.md)."""
from __future__ import annotations

import os

import pytest

from negotiator_app.llm import ChatRequest, LLMClient
from tests.llm.support import SCHEMA, run

pytestmark = pytest.mark.real_server


def _url() -> str:
    url = os.environ.get("NEGOTIATOR_REAL_SERVER_URL")
    if not url:
        pytest.skip("set NEGOTIATOR_REAL_SERVER_URL, e.g. http://127.0.0.1:1234/v1")
    return url


def test_stream_a_short_completion_from_the_real_server():
    async def scenario():
        async with LLMClient(_url(), read_timeout=120.0) as llm:
            status = await llm.status()
            assert status.reachable, status.error
            assert status.models, "the server lists no models"
            tokens: list[str] = []
            result = await llm.complete(
                ChatRequest(model=status.models[0].id, max_tokens=48, messages=[
                    {"role": "system", "content": "You are a terse market seller."},
                    {"role": "user", "content": "Name a price for one apple."}]),
                on_content=tokens.append)
            return status, tokens, result

    status, tokens, result = run(scenario(), timeout=180)
    usage = result.usage
    print(f"\nmodels: {[m.id for m in status.models]}")
    print(f"reply: {result.content!r} (finish_reason={result.finish_reason})")
    print(f"{len(tokens)} content deltas; usage from server: {usage.from_server}; "
          f"completion tokens: {usage.completion_tokens}; "
          f"time to first token: {usage.time_to_first_token_s}; "
          f"tokens/s: {usage.tokens_per_s}")
    assert usage.completion_tokens
    assert "".join(tokens).strip() == result.content


def test_structured_output_settles_on_a_mode_the_real_server_accepts():
    async def scenario():
        async with LLMClient(_url(), read_timeout=120.0) as llm:
            model = (await llm.list_models())[0].id
            result = await llm.complete(ChatRequest(
                model=model, max_tokens=48, json_schema=SCHEMA, messages=[
                    {"role": "user", "content": "Reply with JSON: the price of one apple."}]))
            return result, llm.structured_output_mode

    result, mode = run(scenario(), timeout=180)
    print(f"\naccepted response_format: {mode}; reply: {result.content!r}")
    assert result.response_format == mode
