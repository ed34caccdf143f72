"""Exports: JSON logs with a versioned schema, Markdown transcripts, import, and summary metrics.

Names are imported on first use, so the window's summary wording loads without the store and the debrief client."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import name_loader

if TYPE_CHECKING:
    from .debrief import DebriefError, generate_debriefs, item_prompt, latest_runs, unknown_citations, write_debriefs
    from .documents import LOG_SCHEMA_VERSION, DebriefDoc, RunLog, SessionLog, run_log, session_log
    from .files import prune_exports, write_json, write_text
    from .importer import ImportError_, import_session, parse_session_log
    from .markdown import render_debriefs, render_run, run_markdown, session_markdown
    from .metrics import AgentStats, RunMetrics, run_metrics
    from .summary import ItemRow, RoomMetrics, SessionMetrics, session_metrics

__all__ = [
    # JSON logs and files
    "LOG_SCHEMA_VERSION", "DebriefDoc", "RunLog", "SessionLog", "run_log", "session_log",
    "prune_exports", "write_json", "write_text",
    # import
    "ImportError_", "import_session", "parse_session_log",
    # Markdown
    "render_debriefs", "render_run", "run_markdown", "session_markdown",
    # metrics and summaries
    "AgentStats", "RunMetrics", "run_metrics", "ItemRow", "RoomMetrics", "SessionMetrics", "session_metrics",
    # AI debriefs
    "DebriefError", "generate_debriefs", "item_prompt", "latest_runs", "unknown_citations", "write_debriefs",
]
__getattr__ = name_loader(__name__, {
    "debrief": ["DebriefError", "generate_debriefs", "item_prompt", "latest_runs", "unknown_citations",
                "write_debriefs"],
    "documents": ["LOG_SCHEMA_VERSION", "DebriefDoc", "RunLog", "SessionLog", "run_log", "session_log"],
    "files": ["prune_exports", "write_json", "write_text"],
    "importer": ["ImportError_", "import_session", "parse_session_log"],
    "markdown": ["render_debriefs", "render_run", "run_markdown", "session_markdown"],
    "metrics": ["AgentStats", "RunMetrics", "run_metrics"],
    "summary": ["ItemRow", "RoomMetrics", "SessionMetrics", "session_metrics"],
}, globals())
