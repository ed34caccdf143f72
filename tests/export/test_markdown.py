"""The session's Markdown export: totals first, then each room's latest run, then earlier runs, marked."""
from __future__ import annotations

from datetime import timedelta

from negotiator_app.domain import Role, RunState
from negotiator_app.engine import MessageCompleted, RunFinished, RunStarted
from negotiator_app.export import session_markdown
from tests.storage.support import RUN_TIES, T0, _msg, record, scripted_session

RUN_TIES_AGAIN = "e" * 32


def stopped_ties_run() -> list:
    """Room 2 run again an hour later, stopped by the person after one message."""
    e = dict(room="room-2", run_id=RUN_TIES_AGAIN)
    later = T0 + timedelta(hours=1)
    return [
        RunStarted(**e, item="Cable tie", quantity=5, sellers=["Bolt"], buyer="Pat", buyer_mode="ai", max_rounds=3,
                   model="m1", at=later),
        MessageCompleted(**e, stream_id=1, message=_msg(1, 1, "Pat", Role.BUYER, ["Bolt"], "Once more?", 3600)),
        RunFinished(**e, state=RunState.STOPPED, rounds=1, at=later + timedelta(seconds=5), outcome=None),
    ]


def test_session_markdown_starts_with_totals_then_latest_runs_then_earlier_runs(store):
    sid = scripted_session(store)
    record(store, sid, stopped_ties_run()).close()
    text = session_markdown(store, sid)
    lines = text.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    top = [h for h in headings if not h.startswith("####")]
    assert top == ["# Small shop", "## Totals", "## Latest run of each room", "### Cable × 10", "### Cable tie × 5",
                   "## Earlier runs (replaced by a later run; not counted in the totals)",
                   "### Earlier run: Cable tie × 5"]
    totals = text[text.index("## Totals"):text.index("## Latest run")]
    assert "Bought 1 of 3 items for 60.00" in totals
    rows = [line for line in totals.splitlines() if line.startswith("| ") and "Outcome" not in line]
    assert [r.split(" | ")[:2] for r in rows] == [["| Cable", "Deal"], ["| Cable tie", "Stopped"],
                                                   ["| Widget", "Skipped: no seller stocks this item"]]
    latest = text[text.index("## Latest run"):text.index("## Earlier runs")]
    assert RUN_TIES_AGAIN in latest and RUN_TIES not in latest and "state **stopped**" in latest
    earlier = text[text.index("## Earlier runs"):]
    assert RUN_TIES in earlier and "**No deal**: the buyer walked away" in earlier
    assert "#### Transcript" in earlier  # a run's own sections sit under its heading


def test_a_session_without_runs_says_so(store):
    from tests.storage.support import small_config

    sid = store.create_session(small_config()).id
    assert session_markdown(store, sid) == "# Small shop\n\nNo runs yet.\n"
