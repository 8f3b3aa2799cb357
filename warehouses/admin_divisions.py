"""China's administrative divisions with coordinates, from the `cpca` package's adcodes.csv.

The file (columns: adcode, name, longitude, latitude; ~3,500 rows, a 2016-era
snapshot) lists provinces (``PP0000``), prefecture cities (``PPCC00``) and
county-level units (``PPCCDD``; the first six digits of the 12-digit code).
We turn it into the units deliveries are placed on:

* a **city** is a prefecture city, a whole municipality (北京/上海/天津/重庆,
  whose "市辖区"/"县" rows are not real cities), or a county-level city that a
  province runs directly (仙桃, 济源, 石河子…: adcode ``PP90DD``);
* a **district** is a county-level unit (区/县/县级市/旗), or a city that has no
  districts at all (东莞, 中山, 嘉峪关, 儋州, and each directly-run county-level city),
  which then is its own single district.

Rows without coordinates take their parent city's, else their province's
(`coords_from` says which). Hong Kong, Macau and Taiwan, and 三沙市 (the South China
Sea islands, which couriers do not serve), are not in the delivery network.
"""
from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from warehouses.regions import REGION_OF_PROVINCE

MUNICIPALITIES = ("11", "12", "31", "50")
_UNSERVED_CITY_PREFIXES = ("4603",)  # 三沙市
_PLACEHOLDER_CITY_NAMES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class Province:
    """A province-level unit (省, 自治区, 直辖市)."""

    code: str  # two digits, e.g. "42"
    name: str  # official name, e.g. "湖北省"
    lat: float
    lon: float


@dataclass(frozen=True)
class City:
    """A city as delivery pricing and same-city riders see it (see module docstring)."""

    adcode: str  # six digits: "420100" 武汉市, "110000" 北京市, "429004" 仙桃市
    name: str
    province: str  # official province name
    lat: float  # the city centre
    lon: float
    coords_from: str = "city"  # "city" or "province" when the dataset has no centre
    population: int = 0  # estimated urban population (GeoNames), see warehouses/population.py
    tier: int = 6  # 1 = 一线, 2 = 新一线, 3 = 二线 … 6 = 五线, see warehouses/city_tiers.py

    @property
    def is_municipality(self) -> bool:
        return self.adcode[:2] in MUNICIPALITIES


@dataclass(frozen=True)
class District:
    """A delivery district: the finest place an address resolves to, a column of the transit matrix."""

    adcode: str  # six digits
    name: str
    province: str
    city: str  # the `City` name ("北京市" for 朝阳区)
    city_adcode: str
    lat: float
    lon: float
    coords_from: str = "district"  # "district", "city" or "province"
    population: int = 0  # estimated population, the weight for stores and demand

    @property
    def province_code(self) -> str:
        return self.adcode[:2]


@dataclass(frozen=True)
class AdminDivisions:
    """The dataset as plain records, keyed by adcode; districts and cities in adcode order."""

    provinces: dict[str, Province]  # by two-digit code
    cities: dict[str, City]
    districts: dict[str, District]


def city_adcode_of(adcode: str) -> str:
    """The adcode of the `City` a county-level or city adcode belongs to (a rule on the code)."""
    if adcode[:2] in MUNICIPALITIES:
        return adcode[:2] + "0000"
    if adcode[2:4] == "90" or adcode[4:] == "00":
        return adcode
    return adcode[:4] + "00"


def _adcodes_csv_text() -> str:
    # `importlib.resources.files("cpca.resources")` would import cpca, whose __init__
    # builds its own matcher through pkg_resources (~130 ms, removed in recent setuptools):
    # find the installed package without importing it and read the file it ships.
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (administrative divisions dataset) is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return path.read_text(encoding="utf-8")


def _rows() -> list[tuple[str, str, float | None, float | None]]:
    rows = []
    for row in csv.DictReader(io.StringIO(_adcodes_csv_text())):
        lon, lat = row["longitude"].strip(), row["latitude"].strip()
        rows.append((row["adcode"][:6], row["name"].strip(),
                     float(lat) if lat else None, float(lon) if lon else None))
    return sorted(rows)


@lru_cache(maxsize=1)
def load_admin_divisions() -> AdminDivisions:
    """Read and shape the dataset once per process (~20 ms)."""
    rows = [r for r in _rows() if r[0][:2] in REGION_OF_PROVINCE and r[0][:4] not in _UNSERVED_CITY_PREFIXES]
    provinces = {code[:2]: Province(code[:2], name, lat, lon)
                 for code, name, lat, lon in rows if code[2:] == "0000"}
    cities: dict[str, City] = {}
    for code, name, lat, lon in rows:
        province = provinces[code[:2]]
        is_city = (code[2:] == "0000" and code[:2] in MUNICIPALITIES) or (
            code[:2] not in MUNICIPALITIES and code[2:] != "0000"
            and (code[4:] == "00" or code[2:4] == "90") and name not in _PLACEHOLDER_CITY_NAMES)
        if is_city:
            has_coords = lat is not None
            cities[code] = City(code, name, province.name,
                                lat if has_coords else province.lat, lon if has_coords else province.lon,
                                "city" if has_coords else "province")
    parents_with_districts = {city_adcode_of(code) for code, *_ in rows if code[4:] != "00"}
    districts: dict[str, District] = {}
    for code, name, lat, lon in rows:
        if name == "市辖区" or code[2:] == "0000":
            continue
        is_county = code[4:] != "00"
        if not is_county and not (code in cities and code not in parents_with_districts):
            continue
        city = cities.get(city_adcode_of(code))
        if city is None:  # a county of a city the dataset no longer lists
            continue
        if lat is not None:
            districts[code] = District(code, name, city.province, city.name, city.adcode, lat, lon)
        else:
            districts[code] = District(code, name, city.province, city.name, city.adcode,
                                       city.lat, city.lon, city.coords_from)
    for code in parents_with_districts - {d.city_adcode for d in districts.values()}:
        cities.pop(code, None)  # only placeholder children: not a deliverable city
    return AdminDivisions(provinces, cities, districts)
