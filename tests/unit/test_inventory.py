import pytest
from hypothesis import given, strategies as st

from oms.exceptions import InsufficientStock, InvalidStockMovement
from oms.inventory import StockLevel


def test_atp_is_on_hand_less_reserved_less_safety_stock():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=5, reserved=1, safety_stock=2)
    assert level.atp == 2


def test_atp_is_never_negative():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=1, reserved=0, safety_stock=3)
    assert level.atp == 0


def test_reserving_more_than_atp_is_refused_and_changes_nothing():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=3, safety_stock=1)
    with pytest.raises(InsufficientStock):
        level.reserve(3)
    assert level.reserved == 0


def test_a_policy_releasing_safety_stock_may_reserve_it_but_not_beyond_what_is_unpromised():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=3, reserved=1, safety_stock=1)
    assert (level.atp, level.unpromised) == (1, 2)
    level.reserve(2, safety_stock_too=True)
    assert (level.reserved, level.atp, level.unpromised) == (3, 0, 0)
    with pytest.raises(InsufficientStock):
        level.reserve(1, safety_stock_too=True)
    assert level.reserved == 3


def test_releasing_more_than_reserved_is_refused():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=3, reserved=1)
    with pytest.raises(InvalidStockMovement):
        level.release(2)


def test_shipping_consumes_the_reservation_and_the_units():
    level = StockLevel("RDC-WH", "S0001-BLK-M", on_hand=10, reserved=2)
    level.ship(2)
    assert (level.on_hand, level.reserved, level.atp) == (8, 0, 8)


def test_pos_sale_reports_reservations_left_without_stock():
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=2, reserved=2)
    assert level.sell(1) == 1


moves = st.lists(st.tuples(st.sampled_from(["reserve", "release", "ship", "receive", "sell"]),
                           st.integers(min_value=-2, max_value=6)), max_size=40)


@given(st.integers(0, 10), st.integers(0, 3), moves)
def test_no_sequence_of_moves_makes_stock_negative(on_hand, safety, sequence):
    level = StockLevel("ST0001", "S0001-BLK-M", on_hand=on_hand, safety_stock=safety)
    walk_in_took_reserved = False  # a POS sale may take a unit promised online: the shelf wins
    for move, qty in sequence:
        try:
            at_risk = getattr(level, move)(qty)
            walk_in_took_reserved |= bool(move == "sell" and at_risk)
        except (InsufficientStock, InvalidStockMovement):
            pass
        assert level.on_hand >= 0 and level.reserved >= 0 and level.atp >= 0
        assert level.reserved <= level.on_hand or walk_in_took_reserved
