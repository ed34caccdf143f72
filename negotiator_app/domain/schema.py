"""Generates the JSON Schema of scenario files into resources/schemas/ (run: python -m negotiator_app.domain.schema)."""
from __future__ import annotations

import json
from pathlib import Path

from .config import SessionConfig

SCENARIO_SCHEMA_FILE = "session_config.schema.json"


def scenario_schema() -> dict:
    schema = SessionConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiator scenario (session configuration)"
    return schema


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    target = Path(__file__).resolve().parents[2] / "resources" / "schemas" / SCENARIO_SCHEMA_FILE
    target.write_text(render(scenario_schema()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
