"""Placing Chinese delivery addresses on the map, in the forms channels send them."""
import pytest

from oms.exceptions import AddressUnresolved, InvalidOrder
from warehouses.geography import load_geography, parse_address, resolve_address


@pytest.fixture(scope="module")
def geo():
    return load_geography()


@pytest.mark.parametrize("province, city, district", [
    ("湖北省", "武汉市", "洪山区"),
    ("湖北", "武汉", "洪山区"),  # JD style, no suffixes
    ("湖北", "武汉市", "洪山"),  # district without suffix
    (" 湖北省 ", "武汉市\u3000", "洪山区 "),  # stray spaces
])
def test_a_wuhan_address_resolves_to_hongshan_in_every_spelling(province, city, district):
    place = resolve_address(province, city, district)
    assert (place.adcode, place.province, place.city, place.district) == ("420111", "湖北省", "武汉市", "洪山区")
    assert place.precision == "district" and not place.fallback
    assert place.lat == pytest.approx(30.50, abs=0.05) and place.lon == pytest.approx(114.34, abs=0.05)


@pytest.mark.parametrize("province, city", [
    ("北京", "北京市"), ("北京市", "北京市"), ("北京", "市辖区"), ("北京", ""), ("北京市", "北京")])
def test_municipality_city_level_comes_in_any_of_its_forms(province, city):
    place = resolve_address(province, city, "朝阳区")
    assert (place.adcode, place.city, place.district) == ("110105", "北京市", "朝阳区")


def test_municipality_district_sent_in_the_city_field_is_accepted():
    assert resolve_address("上海", "浦东新区", "").adcode == "310115"


def test_chongqing_counties_resolve_under_the_municipality():
    assert resolve_address("重庆", "县", "忠县").adcode == "500233"


def test_a_county_renamed_to_a_district_is_found_by_its_stem():
    place = resolve_address("重庆市", "重庆市", "梁平区")  # 梁平县 became 梁平区 in 2016
    assert (place.adcode, place.district, place.fallback) == ("500228", "梁平县", False)


def test_autonomous_region_and_prefecture_resolve_by_short_names():
    assert resolve_address("广西", "南宁", "青秀区").province == "广西壮族自治区"
    place = resolve_address("湖北省", "恩施州", "恩施市")
    assert (place.city, place.district) == ("恩施土家族苗族自治州", "恩施市")


def test_county_level_city_run_by_the_province_is_its_own_city_and_district():
    for city, district in (("省直辖县级行政区划", "仙桃市"), ("仙桃市", ""), ("仙桃", "仙桃市")):
        place = resolve_address("湖北省", city, district)
        assert (place.adcode, place.city, place.precision, place.fallback) == ("429004", "仙桃市", "district", False)


def test_city_without_districts_is_one_delivery_district():
    place = resolve_address("广东", "东莞市", "南城街道")
    assert (place.adcode, place.precision, place.fallback) == ("441900", "district", False)


def test_unknown_district_under_a_known_city_falls_back_to_the_city_centre_with_a_flag(geo):
    place = resolve_address("广东省", "深圳市", "龙华区")  # created 2016, not in the dataset
    assert place.fallback and place.precision == "city"
    assert place.unresolved_district == "龙华区"
    assert place.city == "深圳市"
    assert place.adcode == geo.central_district("440300").adcode
    assert place.adcode in geo.district_index  # still a transit-matrix column


def test_missing_district_also_falls_back_to_the_city_centre():
    place = resolve_address("湖北", "武汉", "")
    assert place.fallback and place.precision == "city" and place.unresolved_district is None
    assert place.city == "武汉市"


def test_unknown_province_is_an_error_naming_the_field():
    with pytest.raises(AddressUnresolved) as error:
        resolve_address("火星省", "武汉市", "洪山区")
    assert error.value.field == "address.province"
    assert str(error.value) == "unknown province '火星省'"
    assert isinstance(error.value, InvalidOrder)


def test_unknown_city_is_an_error_naming_the_field():
    with pytest.raises(AddressUnresolved) as error:
        resolve_address("湖北省", "长沙市", "岳麓区")
    assert error.value.field == "address.city"
    assert str(error.value) == "unknown city '长沙市' in 湖北省"


def test_hong_kong_is_outside_the_delivery_network():
    with pytest.raises(AddressUnresolved, match="outside the mainland delivery network"):
        resolve_address("香港", "香港", "中西区")


def test_a_missing_province_is_inferred_from_an_unambiguous_city():
    assert resolve_address("", "武汉市", "江汉区").province == "湖北省"
    with pytest.raises(AddressUnresolved, match="province is missing"):
        resolve_address("", "", "江汉区")


def test_field_prefix_names_the_callers_payload():
    with pytest.raises(AddressUnresolved) as error:
        resolve_address("湖北", "", "", field_prefix="receiver")
    assert error.value.field == "receiver.city"


@pytest.mark.parametrize("text, adcode", [
    ("湖北省武汉市洪山区珞喻路1037号华中科技大学", "420111"),
    ("北京 北京市 朝阳区 建国路88号", "110105"),
    ("重庆市渝中区解放碑步行街8号", "500103"),
    ("广东深圳南山区科技园", "440305"),
    ("上海市浦东新区世纪大道100号", "310115"),
    ("新疆维吾尔自治区乌鲁木齐市天山区", "650102"),
    ("武汉市江汉区解放大道", "420103"),  # no province
    ("吉林省吉林市船营区", "220204"),
    ("吉林市船营区", "220204"),  # "吉林" also names the province
])
def test_free_text_addresses_parse_to_the_right_district(text, adcode):
    assert parse_address(text).adcode == adcode


def test_free_text_with_an_unknown_district_falls_back_with_the_rest_kept():
    place = parse_address("广东省深圳市龙华区民治街道")
    assert place.fallback and place.city == "深圳市"
    assert place.unresolved_district == "龙华区民治街道"


def test_free_text_without_a_known_place_is_an_error():
    with pytest.raises(AddressUnresolved) as error:
        parse_address("某某路1号")
    assert error.value.field == "address"


def test_districts_cover_mainland_china_with_coordinates_and_population(geo):
    assert 2800 < len(geo.districts) < 2900
    assert len({d.adcode for d in geo.districts}) == len(geo.districts)
    assert all(3 < d.lat < 54 and 73 < d.lon < 136 for d in geo.districts)
    assert all(d.population > 0 for d in geo.districts)
    frame = geo.districts_frame()
    assert set(frame.region) == {"华北", "东北", "华东", "华中", "华南", "西南", "西北"}


def test_rows_without_coordinates_take_their_parent_city(geo):
    district = geo.district("320812")  # 清江浦区 has no coordinates in the dataset
    assert district.coords_from == "city"
    assert (district.lat, district.lon) == (geo.city("320800").lat, geo.city("320800").lon)


def test_big_cities_weigh_more_than_small_ones(geo):
    shanghai, wuhan, xiantao = geo.city("310000"), geo.city("420100"), geo.city("429004")
    assert shanghai.population > wuhan.population > xiantao.population
    assert (shanghai.tier, wuhan.tier) == (1, 2)
    wuhan_districts = geo.districts_of("420100")
    assert max(d.population for d in wuhan_districts) < 0.6 * wuhan.population  # spread over the city
