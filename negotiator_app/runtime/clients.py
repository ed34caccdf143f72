"""How a model-server client is built from LLM settings: one place, light enough for `negotiator run` to ask the
server before the engine and the store are imported."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain import LLMSettings

if TYPE_CHECKING:
    from ..llm import LLMClient

ClientFactory = Callable[[LLMSettings], "LLMClient"]


def client_for(llm: LLMSettings, *, base_url: str | None = None, api_key: str | None = None) -> LLMClient:
    """The one way a client is built from LLM settings (server, key, read and reply time limits); a `base_url`
    or `api_key` given here wins over the settings' own."""
    from ..llm import LLMClient  # httpx loads with the first client

    return LLMClient(base_url or llm.base_url, api_key=api_key or llm.api_key,
                     read_timeout=llm.read_timeout_s, reply_timeout=llm.reply_timeout_s)


def client_factory(base_url_override: str | None = None, api_key_fallback: str | None = None) -> ClientFactory:
    """A client per session, from its LLM settings; `--base-url` and the stored API key apply to all."""
    return lambda llm: client_for(llm, base_url=base_url_override, api_key=llm.api_key or api_key_fallback)
