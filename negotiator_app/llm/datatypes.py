"""Request, result and server-description values exchanged with the LLM client."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ResponseFormatMode = Literal["json_schema", "json_object", "text"]


class ChatRequest(BaseModel):
    """One chat completion to run; `json_schema` asks for a structured (JSON) reply."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(min_length=1)
    messages: list[dict[str, Any]] = Field(min_length=1)
    temperature: float = 0.7
    max_tokens: int = Field(default=512, ge=1)
    stream: bool = True
    json_schema: dict[str, Any] | None = None
    schema_name: str = "reply"


class Usage(BaseModel):
    """Token counts and timings: from the server's `usage` when it reports one, else measured."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    time_to_first_token_s: float | None = None
    duration_s: float = 0.0
    tokens_per_s: float | None = None
    from_server: bool = False


class ChatResult(BaseModel):
    """A finished reply: the answer with reasoning kept apart."""

    model_config = ConfigDict(frozen=True)

    content: str
    reasoning: str = ""
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = None
    response_format: ResponseFormatMode = "text"
    model: str = ""


class ModelInfo(BaseModel):
    """A model the server offers; `loaded`/`context_length` are None where the server can't say."""

    model_config = ConfigDict(frozen=True)

    id: str
    loaded: bool | None = None
    context_length: int | None = None


class ServerStatus(BaseModel):
    """Outcome of probing the server; `error` is a user-facing message when something is wrong."""

    model_config = ConfigDict(frozen=True)

    reachable: bool
    base_url: str
    models: list[ModelInfo] = Field(default_factory=list)
    error: str | None = None
