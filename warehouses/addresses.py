"""Placing a delivery address on the map, as channels send it.

Policy (the intake contract):

* an **unknown or missing province or city is an error**: `AddressUnresolved`
  naming the field (``address.province`` / ``address.city``). We cannot price or
  promise a parcel we cannot place within a city.
* a **district we cannot find under a known city** (a newer district the 2016-era
  dataset lacks, such as 深圳市龙华区; a town; a typo) or a missing district is
  **placed at the city centre** — the city's central district — with
  ``precision="city"`` and ``fallback=True``; the text is kept in
  ``unresolved_district``. Transit and cost are then city-level estimates.
* a city with no districts in the dataset (东莞, 中山, 仙桃…) is its own single
  district: such addresses resolve with ``precision="district"``, no fallback.

Accepted spellings: JD-style provinces without suffix ("湖北", "北京"), autonomous
regions by short name ("广西"), municipalities whose city comes as "北京市",
"北京", "市辖区", "县" or empty, autonomous prefectures as "恩施州"/"恩施",
districts with or without suffix ("洪山"), and counties renamed to districts
(重庆市梁平区 finds 梁平县).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Literal

from oms.exceptions import AddressUnresolved
from warehouses.admin_divisions import MUNICIPALITIES, District, city_adcode_of
from warehouses.admin_names import DIRECT_COUNTY_CITY_WORDS, city_aliases, clean, county_stem

if TYPE_CHECKING:
    from warehouses.geography import Geography

_NON_MAINLAND = ("香港", "香港特别行政区", "澳门", "澳门特别行政区", "台湾", "台湾省")


@dataclass(frozen=True)
class ResolvedAddress:
    """A delivery address placed in a delivery district (a transit-matrix column)."""

    adcode: str  # the delivery district's six-digit adcode
    province: str  # official names from the dataset
    city: str
    district: str
    lat: float
    lon: float
    precision: Literal["district", "city"]  # "city": placed at the city centre
    fallback: bool  # True when the address named a district we could not find (or none)
    unresolved_district: str | None = None  # the district text we could not place

    @property
    def city_adcode(self) -> str:
        return city_adcode_of(self.adcode)


def resolve_address(province: str | None, city: str | None, district: str | None, *,
                    geography: Geography | None = None, field_prefix: str = "address") -> ResolvedAddress:
    """Place a structured (province, city, district) address; see the module docstring for the policy."""
    geo = geography or _default_geography()
    p, c, d = clean(province), clean(city), clean(district)
    province_code = _province_code(geo, p, c, field_prefix)
    city_code, d = _city_code(geo, province_code, c, d, field_prefix)
    return _place(geo, city_code, d)


def parse_address(text: str, *, geography: Geography | None = None, field: str = "address") -> ResolvedAddress:
    """Place a free-text address ("湖北省武汉市洪山区珞喻路1037号", "北京 北京市 朝阳区 …",
    "重庆市渝中区…"); the province may be left out when the city names it ("武汉市洪山区…")."""
    geo = geography or _default_geography()
    s = clean(text)
    if not s:
        raise AddressUnresolved("address is empty", field=field)
    parsed = _split_province_city(geo, s) or _split_city(geo, s)
    if parsed is None:
        raise AddressUnresolved(f"no province or city recognised in {text.strip()!r}", field=field)
    city_code, rest = parsed
    district = _longest_prefix(rest, geo.district_aliases_by_city.get(city_code, ()))
    return _place(geo, city_code, district if district is not None else rest)


def _field(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _default_geography() -> Geography:
    from warehouses.geography import load_geography

    return load_geography()


def _province_code(geo: Geography, p: str, c: str, prefix: str) -> str:
    if p:
        if p in geo.province_code_by_alias:
            return geo.province_code_by_alias[p]
        if p in _NON_MAINLAND:
            raise AddressUnresolved(f"province {p!r} is outside the mainland delivery network",
                                    field=_field(prefix, "province"))
        raise AddressUnresolved(f"unknown province {p!r}", field=_field(prefix, "province"))
    candidates = {code[:2] for code in geo.city_codes_by_alias.get(c, ())}
    if len(candidates) == 1:  # the city alone says where it is
        return candidates.pop()
    raise AddressUnresolved("province is missing", field=_field(prefix, "province"))


def _city_code(geo: Geography, province_code: str, c: str, d: str, prefix: str) -> tuple[str, str]:
    province_name = geo.provinces[province_code].name
    if province_code in MUNICIPALITIES:
        city_code = province_code + "0000"
        if not c or (province_code, c) in geo.city_code_by_alias:
            return city_code, d
        if not d and (city_code, c) in geo.district_code_by_alias:  # district sent in the city field
            return city_code, c
        raise AddressUnresolved(f"unknown city {c!r} in {province_name}", field=_field(prefix, "city"))
    if not c:
        raise AddressUnresolved("city is missing", field=_field(prefix, "city"))
    if c in DIRECT_COUNTY_CITY_WORDS:  # the county-level city itself comes in the district field
        c, d = d, ""
    code = geo.city_code_by_alias.get((province_code, c))
    if code is None:
        raise AddressUnresolved(f"unknown city {c!r} in {province_name}", field=_field(prefix, "city"))
    return code, d


def _place(geo: Geography, city_code: str, d: str) -> ResolvedAddress:
    city = geo.city(city_code)
    own = geo.districts_of(city_code)
    if len(own) == 1 and own[0].adcode == city_code:  # the city is its own single district
        return _resolved(own[0], "district", False)
    if d and d not in city_aliases(city.name) and d != "市辖区":
        code = geo.district_code_by_alias.get((city_code, d)) \
            or geo.district_code_by_alias.get((city_code, county_stem(d) or ""))
        if code is not None:
            return _resolved(geo.district(code), "district", False)
    return _resolved(geo.central_district(city_code), "city", True, d or None)


def _resolved(d: District, precision: Literal["district", "city"], fallback: bool,
              unresolved: str | None = None) -> ResolvedAddress:
    return ResolvedAddress(d.adcode, d.province, d.city, d.name, d.lat, d.lon, precision, fallback, unresolved)


def _split_province_city(geo: Geography, s: str) -> tuple[str, str] | None:
    alias = _longest_prefix(s, geo.province_code_by_alias)
    if alias is None:
        return None
    province_code, rest = geo.province_code_by_alias[alias], s[len(alias):]
    city_words = geo.city_aliases_by_province[province_code]
    if province_code in MUNICIPALITIES:
        for _ in range(2):  # "北京市市辖区朝阳区": the city level may be repeated
            if (word := _longest_prefix(rest, city_words)) is not None:
                rest = rest[len(word):]
        return province_code + "0000", rest
    if (word := _longest_prefix(rest, DIRECT_COUNTY_CITY_WORDS)) is not None:
        rest = rest[len(word):]
    city = _longest_prefix(rest, city_words)
    if city is None:
        return None
    return geo.city_code_by_alias[(province_code, city)], rest[len(city):]


def _split_city(geo: Geography, s: str) -> tuple[str, str] | None:
    unique = (a for a, codes in geo.city_codes_by_alias.items() if len(codes) == 1)
    alias = _longest_prefix(s, unique)
    if alias is None:
        return None
    return next(iter(geo.city_codes_by_alias[alias])), s[len(alias):]


def _longest_prefix(s: str, candidates: Iterable[str]) -> str | None:
    best = None
    for candidate in candidates:
        if s.startswith(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best
