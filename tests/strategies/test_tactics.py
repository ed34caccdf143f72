"""The concession formulas against hand-computed values, and tit-for-tat mirroring."""
import pytest

from negotiator_app.strategies.tactics import (
    buyer_target, buyer_tit_for_tat, concession, seller_price, seller_tit_for_tat,
)

# floor 10, ask 20, T = 10 rounds, t = 5, k = 0 throughout unless said otherwise.


@pytest.mark.parametrize(("e", "share"), [
    (0.2, 0.03125),  # (5/10) ** (1/0.2) = 0.5 ** 5 = 1/32
    (1.0, 0.5),  # (5/10) ** 1
    (5.0, 0.8705505633),  # 0.5 ** 0.2 = 2 ** -0.2 = 0.87055056...
])
def test_concession_share_at_half_time(e, share):
    assert concession(5, 10, e) == pytest.approx(share)


@pytest.mark.parametrize(("e", "price"), [
    (0.2, 19.69),  # 10 + 10 * (1 - 0.03125) = 19.6875 -> 19.69 (cents)
    (1.0, 15.00),  # 10 + 10 * (1 - 0.5) = 15
    (5.0, 11.29),  # 10 + 10 * (1 - 0.87055) = 11.2945 -> 11.29
])
def test_seller_price_per_family(e, price):
    assert seller_price(10, 20, 5, 10, e) == price


@pytest.mark.parametrize(("e", "target"), [
    (0.2, 10.31),  # 10 + 10 * 0.03125 = 10.3125 -> 10.31
    (1.0, 15.00),  # 10 + 10 * 0.5
    (5.0, 18.71),  # 10 + 10 * 0.87055 = 18.7055 -> 18.71
])
def test_buyer_target_per_family(e, target):
    assert buyer_target(10, 20, 5, 10, e) == target


def test_initial_concession_k_shifts_the_whole_curve():
    # F = 0.1 + 0.9 * 0.5 = 0.55 -> p = 10 + 10 * 0.45 = 14.5
    assert seller_price(10, 20, 5, 10, 1.0, k=0.1) == 14.5
    # At t = 0 the agent already gives up k: p = 10 + 10 * (1 - 0.1) = 19
    assert seller_price(10, 20, 0, 10, 1.0, k=0.1) == 19.0


def test_ends_of_the_curve():
    assert [seller_price(10, 20, t, 10, e) for t, e in [(0, 0.2), (0, 5), (10, 0.2), (10, 5)]] == [20, 20, 10, 10]
    assert [buyer_target(10, 20, t, 10, e) for t, e in [(0, 0.2), (10, 5)]] == [10, 20]
    assert seller_price(10, 20, 15, 10, 1.0) == 10  # past the limit: clipped to t = T


def test_boulware_concedes_late_and_conceder_early():
    boulware = [seller_price(10, 20, t, 10, 0.2) for t in range(1, 11)]
    conceder = [seller_price(10, 20, t, 10, 2.0) for t in range(1, 11)]
    # Boulware keeps (almost) its ask through the first half; Conceder is most of the way down by then.
    assert boulware[4] > 19.5 and conceder[4] < 13
    assert all(b >= c for b, c in zip(boulware, conceder))


def test_prices_are_in_cents_but_a_finer_floor_is_kept_exactly():
    # 10.004 + 9.996 * (1 - 1) = 10.004: rounding to cents (10.00) would go below the floor.
    assert seller_price(10.004, 20, 10, 10, 1.0) == 10.004


def test_seller_tit_for_tat_mirrors_the_buyers_relative_concessions():
    # buyer proposes 8, then 10 (+25 %), says no price, then 12.5 (+25 %):
    # 20 -> 20 * 8/10 = 16 -> 16 (no move) -> 16 * 10/12.5 = 12.8
    prices = [8, 10, None, 12.5]
    assert [seller_tit_for_tat(10, 20, prices[:r]) for r in range(1, 5)] == [20, 16, 16, 12.8]


def test_seller_tit_for_tat_does_not_take_back_a_concession_nor_pass_its_floor():
    assert seller_tit_for_tat(10, 20, [8, 10, 8]) == 16  # the buyer retreats: the seller stays at 16
    assert seller_tit_for_tat(10, 20, [1, 10]) == 10  # 20 * 1/10 = 2, bounded by the floor
    assert seller_tit_for_tat(10, 20, [None, None]) == 20  # no price named: nothing to mirror
    assert seller_tit_for_tat(10, 20, [0, 5, -3]) == 20  # non-positive prices are not proposals


def test_buyer_tit_for_tat_mirrors_the_best_offers_drops():
    # best offers 20, 16 (-20 %), none, 12.5: 10 -> 10 * 20/16 = 12.5 -> 12.5 -> 12.5 * 16/12.5 = 16
    offers = [20, 16, None, 12.5]
    assert [buyer_tit_for_tat(10, 20, offers[:r]) for r in range(1, 5)] == [10, 12.5, 12.5, 16]
    assert buyer_tit_for_tat(10, 20, [20, 2]) == 20  # 10 * 20/2 = 100, bounded by the max
    assert buyer_tit_for_tat(10, 20, [16, 20]) == 10  # prices going up are not mirrored
