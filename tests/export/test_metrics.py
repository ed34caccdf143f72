"""Summary numbers equal the ones worked out by hand for the scripted two-room session (see support.py)."""
from __future__ import annotations

import pytest

from negotiator_app.export import run_metrics, session_metrics
from tests.storage.support import RUN_CABLES, RUN_TIES, scripted_session


def test_run_metrics_by_hand(store):
    scripted_session(store)
    m = run_metrics(store.load_run(RUN_CABLES))
    # Acme sold 10 cables at 6.00; its ask was 9.00, its floor 4.00; Pat's max was 8.00; Bolt's floor was 5.00.
    assert (m.bought, m.seller, m.price_per_unit, m.total) == (True, "Acme", 6.0, 60.0)
    assert (m.asking_price, m.savings_per_unit, m.savings_total) == (9.0, 3.0, 30.0)
    assert m.savings_pct == pytest.approx(33.33)
    assert m.price_position == 0.5  # (6 − 4) / (8 − 4)
    assert m.buyer_surplus_share == 0.5  # (8 − 6) / (8 − 4)
    assert m.lowest_floor_sellers == ["Acme"] and m.went_to_lowest_floor is True
    assert (m.rounds, m.duration_s, m.messages) == (2, 90.0, 6)
    assert m.violations_by_kind == {"offer_below_floor": 1} and m.parse_failures == 1
    assert (m.prompt_tokens, m.completion_tokens) == (600, 80)
    pat = next(a for a in m.agents if a.agent == "Pat")
    assert pat.messages == 3 and pat.completion_tokens == 50
    assert pat.tokens_per_s == 10.0  # 50 tokens over 5 s of generation
    assert pat.avg_time_to_first_token_s == pytest.approx(0.4)  # (0.5 + 0.5 + 0.2) / 3
    acme = next(a for a in m.agents if a.agent == "Acme")
    assert acme.avg_time_to_first_token_s == pytest.approx(0.3) and acme.tokens_per_s == 10.0


def test_no_deal_run_has_no_price_numbers(store):
    scripted_session(store)
    m = run_metrics(store.load_run(RUN_TIES))
    assert not m.bought and m.outcome == "no_deal"
    assert m.total is None and m.savings_total is None and m.price_position is None
    assert (m.rounds, m.duration_s, m.messages) == (3, 30.0, 6)


def test_session_metrics_by_hand(store):
    session_id = scripted_session(store)
    s = session_metrics(store, session_id)
    assert [(r.item, r.status) for r in s.items] == [
        ("Cable", "bought"), ("Cable tie", "not_bought"), ("Widget", "skipped")]
    assert s.items[2].skip_reason.startswith("no_inventory")
    assert (s.items_bought, s.items_not_bought) == (1, 2)
    assert (s.total_spent, s.total_asking, s.total_savings) == (60.0, 90.0, 30.0)
    assert s.savings_pct == pytest.approx(33.33)
    assert s.average_rounds == 2.5  # (2 + 3) / 2
    assert s.average_duration_s == 60.0  # (90 + 30) / 2
    assert s.messages == 12
    assert s.violations_by_kind == {"offer_below_floor": 1} and s.parse_failures == 1
    rooms = {r.room_key: r for r in s.rooms}
    assert rooms["room-1"].deals == 1 and rooms["room-1"].best_price == 6.0
    assert rooms["room-2"].no_deals == 1 and rooms["room-2"].runs == 1
