"""Which model a request uses: the first one named (the person's, the session's, the run's), else the first
model the server has loaded, else the first it lists."""
from __future__ import annotations

from typing import Protocol

from negotiator_app.llm.datatypes import ModelInfo
from negotiator_app.llm.errors import LLMError


class NoModelAvailable(LLMError):
    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"The server at {base_url} offers no model. Download or load a model in LM Studio, "
            "or pick one in Settings."
        )


class _Lister(Protocol):
    base_url: str

    async def list_models(self) -> list[ModelInfo]: ...


def first_loaded(models: list[ModelInfo]) -> ModelInfo | None:
    """The server's first loaded model (LM Studio says which are loaded), else its first listed; None if none."""
    return next((m for m in models if m.loaded), models[0] if models else None)


async def choose_model(client: _Lister, *named: str | None) -> str:
    """The first non-empty name in `named` (in order of preference); the server is asked only when none is.
    Raises NoModelAvailable when it offers none, or the client's LLMError when it cannot be asked."""
    chosen = next((name for name in named if name), None)
    if chosen:
        return chosen
    model = first_loaded(await client.list_models())
    if model is None:
        raise NoModelAvailable(client.base_url)
    return model.id
