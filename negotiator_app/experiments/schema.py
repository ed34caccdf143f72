"""Generates the JSON Schemas of experiment files and reports into resources/schemas/ (run: python -m negotiator_app.experiments.schema)."""
from __future__ import annotations

import json
from pathlib import Path

from .report import ExperimentReport
from .spec import ExperimentSpec

EXPERIMENT_SCHEMA_FILE = "experiment.schema.json"
REPORT_SCHEMA_FILE = "experiment_report.schema.json"


def experiment_schema() -> dict:
    schema = ExperimentSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiator experiment"
    return schema


def report_schema() -> dict:
    schema = ExperimentReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiator experiment report"
    return schema


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from ..paths import resource_path

    for name, schema in ((EXPERIMENT_SCHEMA_FILE, experiment_schema()), (REPORT_SCHEMA_FILE, report_schema())):
        target: Path = resource_path("schemas", name)
        target.write_text(render(schema), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
