"""JSON Schemas of the exported logs, generated from the document models into resources/schemas/
(run: python -m negotiator_app.export.schemas)."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .documents import PRIVATE_NOTE, RunLog, SessionLog

SCHEMA_FILES: dict[str, type[BaseModel]] = {"run_log.schema.json": RunLog, "session_log.schema.json": SessionLog}


def log_schema(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Negotiator {model.__name__.replace('Log', '').lower()} log"
    schema["description"] = f"{(model.__doc__ or '').strip()} {PRIVATE_NOTE}"
    return schema


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from ..paths import resource_path

    for name, model in SCHEMA_FILES.items():
        target: Path = resource_path("schemas", name)
        target.write_text(render(log_schema(model)), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
