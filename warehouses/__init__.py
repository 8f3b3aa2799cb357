"""The fulfilment network: where stock sits and how parcels reach consumers.

Pure domain code (numpy/pandas/geopy, no web, database, simulation or solver).

* `nodes` — `Node`, `NodeKind`, `Owner`, `Network`
* `geography` — `load_geography()`, `Geography` (cities, delivery districts, populations),
  `resolve_address`, `parse_address`, `ResolvedAddress` (policy in `addresses`)
* `transit` — `quote(node, destination, dispatch_at, promise_at, params) -> Quote | None`
* `transit_matrix` — `TransitMatrix(network)`: the same lanes for every node × district
* `transit_params` — `TransitParams`, `DEFAULT_TRANSIT_PARAMS`: every delivery number, documented
* `generator` — `generate_network(stores, seed)`, `generate_catalogue(styles, seed)`
* `stock` — `generate_stock(network, catalogue, seed) -> StockTable`, `SAFETY_STOCK_UNITS`
"""
