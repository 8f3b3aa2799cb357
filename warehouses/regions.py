"""Sales/logistics regions (大区) of mainland China and the RDC that serves each.

The brand runs its store network and replenishment by the seven conventional
geographic regions. Each region is served by one of the four RDCs; the express
"same region" transit band (see `warehouses/transit.py`) also uses these regions.
Provinces are keyed by the first two digits of their administrative code (adcode).
"""
from __future__ import annotations

REGIONS = ("华北", "东北", "华东", "华中", "华南", "西南", "西北")

# Province adcode prefix -> region (国家统计局 conventional seven-region split).
REGION_OF_PROVINCE: dict[str, str] = {
    "11": "华北", "12": "华北", "13": "华北", "14": "华北", "15": "华北",
    "21": "东北", "22": "东北", "23": "东北",
    "31": "华东", "32": "华东", "33": "华东", "34": "华东", "35": "华东", "36": "华东", "37": "华东",
    "41": "华中", "42": "华中", "43": "华中",
    "44": "华南", "45": "华南", "46": "华南",
    "50": "西南", "51": "西南", "52": "西南", "53": "西南", "54": "西南",
    "61": "西北", "62": "西北", "63": "西北", "64": "西北", "65": "西北",
}

# Region -> the city of the RDC that replenishes its stores and ships its e-commerce
# orders by default. Wuhan, in the middle of the country, also covers the east and south.
SERVING_RDC_CITY: dict[str, str] = {
    "华北": "保定市", "东北": "沈阳市", "华东": "武汉市", "华中": "武汉市",
    "华南": "武汉市", "西南": "成都市", "西北": "成都市",
}

# Provinces whose parcels carry the couriers' remote-area (偏远地区) surcharge and delay.
REMOTE_PROVINCES = ("54", "65")  # 西藏, 新疆


def region_of(adcode: str) -> str:
    """The region of the province an adcode (any level) belongs to."""
    try:
        return REGION_OF_PROVINCE[adcode[:2]]
    except KeyError:
        raise ValueError(f"adcode {adcode!r} is not in a mainland province.") from None
