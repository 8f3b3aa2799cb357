"""The allocator's view of stock per node: safety stock kept back by the policy, whatever order the
stock table lists its nodes in."""
import numpy as np
import pytest

from allocation.batch import network_arrays
from allocation.policy import RoutingPolicy
from allocation.problem import NodeState, Stock

NODES = (NodeState("ST1", "store"), NodeState("RDC", "rdc"), NodeState("ST2", "store"))
SKUS = ("A", "B")
ATP = {"ST1": (5, 0), "RDC": (40, 3), "ST2": (1, 2)}
SAFETY = {"ST1": (2, 1), "RDC": (10, 5), "ST2": (1, 1)}


class Lanes:
    node_ids = tuple(nd.node_id for nd in NODES)


@pytest.mark.parametrize("listed", [("ST1", "RDC", "ST2"), ("ST2", "ST1", "RDC"), ("RDC", "ST2")])
@pytest.mark.parametrize("keep_store_safety", [True, False])
def test_atp_nets_safety_stock_per_policy_in_node_order(listed, keep_store_safety):
    stock = Stock(listed, SKUS, np.array([ATP[n] for n in listed]), np.array([SAFETY[n] for n in listed]))
    net = network_arrays(NODES, stock, Lanes, RoutingPolicy(keep_store_safety_stock=keep_store_safety), set())
    for i, node in enumerate(NODES):
        for j in range(len(SKUS)):
            if node.node_id not in listed:
                expected = 0
            elif node.kind == "store" and not keep_store_safety:
                expected = ATP[node.node_id][j]
            else:
                expected = max(ATP[node.node_id][j] - SAFETY[node.node_id][j], 0)
            assert net.atp[i, j] == expected
