"""Stock as arrays for allocation waves: the matrix the in-memory store keeps must always say what
its stored levels say."""
import numpy as np
from hypothesis import given, settings, strategies as st

from oms.inventory import StockLevel
from oms.stock_snapshot import StockSnapshot
from oms.unit_of_work import InMemoryUnitOfWork

NODES = [f"N{i}" for i in range(7)]
SKUS = [f"S{i}" for i in range(90)]  # more than the first allocation of columns: the arrays must grow

writes = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(SKUS), st.integers(0, 50), st.integers(0, 5),
                            st.booleans(), st.integers(0, 9)), max_size=300)


def as_dict(snap: StockSnapshot) -> dict:
    return {(lv.node_id, lv.sku_code): (lv.on_hand, lv.reserved, lv.safety_stock) for lv in snap}


@settings(max_examples=60, deadline=None)
@given(writes, st.sets(st.sampled_from(SKUS + ["NOT-STOCKED"]), min_size=1))
def test_the_kept_matrix_equals_a_snapshot_of_the_stored_levels(ops, wanted):
    uow = InMemoryUnitOfWork()
    table = uow.store.stock
    for node, sku, on_hand, safety, delete, look in ops:
        if look == 0:  # a wave reads the stock between writes
            with uow:
                uow.stock.snapshot(wanted)
        if delete:
            table.pop((node, sku), None)
        else:
            table[(node, sku)] = StockLevel(node, sku, on_hand=on_hand, reserved=on_hand // 2, safety_stock=safety)
    with uow:
        kept = uow.stock.snapshot(wanted)
        rebuilt = StockSnapshot.of_levels(uow.stock.for_skus(wanted), wanted)
    assert kept.sku_codes == rebuilt.sku_codes == tuple(sorted(wanted))
    assert as_dict(kept) == as_dict(rebuilt) == {k: (v.on_hand, v.reserved, v.safety_stock) for k, v in table.items()
                                                  if k[1] in wanted}


def test_a_snapshot_inside_a_unit_of_work_sees_its_own_changes_and_others_do_not():
    uow = InMemoryUnitOfWork()
    uow.store.stock[("N1", "S1")] = StockLevel("N1", "S1", on_hand=5)
    with uow:
        level = uow.stock.get("N1", "S1")
        level.reserve(2)
        uow.stock.save(level)
        assert as_dict(uow.stock.snapshot({"S1"})) == {("N1", "S1"): (5, 2, 0)}
        assert as_dict(_other_snapshot(uow.store, {"S1"})) == {("N1", "S1"): (5, 0, 0)}
        uow.commit()
    with uow:
        assert as_dict(uow.stock.snapshot({"S1"})) == {("N1", "S1"): (5, 2, 0)}


def test_a_snapshot_is_a_copy():
    uow = InMemoryUnitOfWork()
    uow.store.stock[("N1", "S1")] = StockLevel("N1", "S1", on_hand=5)
    with uow:
        snap = uow.stock.snapshot({"S1"})
    uow.store.stock[("N1", "S1")] = StockLevel("N1", "S1", on_hand=1)
    assert int(snap.on_hand[snap.node_ids.index("N1"), 0]) == 5
    assert np.array_equal(snap.held, [[True]])


def _other_snapshot(store, skus):
    other = InMemoryUnitOfWork(store)
    with other:
        return other.stock.snapshot(skus)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NODES + ["ELSEWHERE"]), st.sampled_from(SKUS[:6]), st.integers(0, 9),
                          st.integers(0, 12), st.integers(0, 3)), max_size=40),
       st.sets(st.sampled_from(SKUS[:8]), min_size=1), st.permutations(NODES))
def test_the_planner_lays_any_snapshot_out_per_network_node_and_ordered_sku(levels, ordered, network):
    """In network order or not, with nodes outside the network and SKUs held nowhere: ATP = on hand −
    reserved (never below 0) and safety stock, per network node × ordered SKU; 0 where nothing is held."""
    from types import SimpleNamespace

    from allocation.oms_planner import OmsPlanner

    kept = {(n, s): StockLevel(n, s, on_hand=on, reserved=min(res, on), safety_stock=safe)
            for n, s, on, res, safe in levels}
    planner = OmsPlanner(matrix=SimpleNamespace(node_ids=tuple(network)), catalogue=None)
    for snapshot in (StockSnapshot.of_levels(kept.values(), ordered),
                     StockSnapshot.of_levels(sorted(kept.values(), key=lambda lv: network.index(lv.node_id)
                                                    if lv.node_id in network else -1), ordered)):
        stock = planner.stock(snapshot, set(ordered))
        assert stock.skus == tuple(sorted(ordered)) and stock.node_ids == tuple(network)
        for i, node in enumerate(network):
            for j, sku in enumerate(stock.skus):
                level = kept.get((node, sku))
                assert stock.atp[i, j] == (max(level.on_hand - level.reserved, 0) if level else 0)
                assert stock.safety[i, j] == (level.safety_stock if level else 0)


def test_a_snapshot_already_in_network_order_gives_the_same_layout():
    from types import SimpleNamespace

    from allocation.oms_planner import OmsPlanner

    levels = [StockLevel(n, s, on_hand=i + j, reserved=j % 3, safety_stock=1)
              for i, n in enumerate(NODES) for j, s in enumerate(SKUS[:4])]
    planner = OmsPlanner(matrix=SimpleNamespace(node_ids=tuple(NODES)), catalogue=None)
    in_order = planner.stock(StockSnapshot.of_levels(levels, SKUS[:4]), set(SKUS[:4]))
    shuffled = planner.stock(StockSnapshot.of_levels(levels[::-1], SKUS[:4]), set(SKUS[:4]))
    expected = np.array([[max(i + j - j % 3, 0) for j in range(4)] for i in range(len(NODES))])
    assert (in_order.atp == expected).all() and (shuffled.atp == expected).all()
    assert (in_order.safety == 1).all() and (shuffled.safety == 1).all()
