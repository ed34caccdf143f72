"""Reads error bodies from OpenAI-compatible servers and maps them to typed errors."""
from __future__ import annotations

import json
import re

from negotiator_app.llm.errors import ContextTooLong, LLMError, ModelNotFound, ServerError

MAX_SERVER_TEXT = 500

# Servers word these differently (LM Studio, llama.cpp, vLLM, OpenAI); match loosely.
_CONTEXT_RE = re.compile(
    r"context[ _-]?(length|window|size|overflow)|n_ctx|tokens to keep|maximum context"
    r"|too many tokens|prompt is too long|tokens? exceeds?|exceeds? (the )?(available )?context",
    re.IGNORECASE,
)
_MODEL_MISSING_RE = re.compile(
    r"model[_ ]not[_ ]found|no models? (is |are )?loaded|not loaded|unknown model|invalid model"
    r"|model\b.{0,80}\b(not found|does not exist|not available|failed to load)",
    re.IGNORECASE,
)
_WRONG_ROUTE_RE = re.compile(r"endpoint|route|no such path", re.IGNORECASE)


def server_text(body: bytes | str) -> str:
    """The server's own explanation from an error body, whatever shape it has."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw.strip()[:MAX_SERVER_TEXT]
    return error_text_from_json(parsed)[:MAX_SERVER_TEXT]


def error_text_from_json(parsed: object) -> str:
    if isinstance(parsed, dict):
        for key in ("error", "detail", "message"):
            if key not in parsed:
                continue
            value = parsed[key]
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"]
            return json.dumps(value)  # FastAPI validation details are lists of dicts
    return json.dumps(parsed)


def is_context_overflow(text: str) -> bool:
    return bool(_CONTEXT_RE.search(text))


def is_model_missing(text: str) -> bool:
    return bool(_MODEL_MISSING_RE.search(text))


def classify(status: int | None, text: str, model: str, *, partial: str = "") -> LLMError:
    """The typed error for a failed request (HTTP status) or an error event inside a stream."""
    if is_context_overflow(text):
        return ContextTooLong(model, text, partial=partial)
    if is_model_missing(text):
        return ModelNotFound(model, text)
    if status == 404:
        if _WRONG_ROUTE_RE.search(text) and "model" not in text.lower():
            return ServerError(status, f"{text} (check that the URL ends with /v1)")
        return ModelNotFound(model, text)
    if status in (401, 403):  # without a credential store the key is not kept between runs: say where it goes
        return ServerError(status, f"{text or 'unauthorized'} (the server needs an API key: enter it in Settings, "
                                   "or pass --api-key on the command line)", partial=partial)
    return ServerError(status, text, partial=partial)


def is_retryable(status: int, text: str) -> bool:
    """429 and 5xx are worth another try unless the text says the request itself is the problem."""
    if status != 429 and not 500 <= status < 600:
        return False
    return not (is_context_overflow(text) or is_model_missing(text) or "response_format" in text)


def is_format_rejection(status: int, text: str) -> bool:
    """Could a 400/422 be the server refusing our `response_format`?

    Servers word this in many ways (llama-cpp-python answers with a pydantic validation dump),
    so any 400/422 that is not clearly about context or the model counts; the caller only
    remembers a downgraded mode once a request in that mode has succeeded.
    """
    if status in (400, 422):
        return not (is_context_overflow(text) or is_model_missing(text))
    # llama-cpp-python answers a json_schema response_format with HTTP 500 and a validation dump.
    return status >= 500 and "response_format" in text


def retry_after_seconds(value: str | None, cap: float = 10.0) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), cap)
    except ValueError:
        return None  # HTTP-date form: not worth parsing for a local server
