"""Generates the JSON Schema of experiment files into resources/schemas/ (run: python -m negotiator_app.experiments.schema)."""
from __future__ import annotations

import json
from pathlib import Path

from .spec import ExperimentSpec

EXPERIMENT_SCHEMA_FILE = "experiment.schema.json"


def experiment_schema() -> dict:
    schema = ExperimentSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiator experiment"
    return schema


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from ..paths import resource_path

    target: Path = resource_path("schemas", EXPERIMENT_SCHEMA_FILE)
    target.write_text(render(experiment_schema()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
