"""City tiers (城市等级), the way Chinese retail plans store networks.

Tiers 1, "new tier-1" and 2 follow the lists published yearly by Yicai's
New First-Tier Cities Institute (第一财经·新一线城市研究所, 2023 edition as we
recall it; planners may edit). The institute puts 70 cities in tier 3 and 90 in
tier 4; we fill those by population rank, everything else is tier 5.
"""
from __future__ import annotations

TIER_1 = ("北京市", "上海市", "广州市", "深圳市")
NEW_TIER_1 = ("成都市", "重庆市", "杭州市", "西安市", "武汉市", "苏州市", "郑州市", "南京市",
              "天津市", "长沙市", "东莞市", "宁波市", "佛山市", "合肥市", "青岛市")
TIER_2 = ("昆明市", "沈阳市", "济南市", "无锡市", "厦门市", "福州市", "温州市", "金华市", "哈尔滨市",
          "大连市", "贵阳市", "南宁市", "泉州市", "石家庄市", "长春市", "南昌市", "惠州市", "常州市",
          "嘉兴市", "徐州市", "南通市", "太原市", "保定市", "珠海市", "中山市", "兰州市", "临沂市",
          "潍坊市", "烟台市", "绍兴市")
TIER_3_COUNT = 70
TIER_4_COUNT = 90

# Tier codes: 1 = tier-1, 2 = new tier-1, 3 = tier-2, 4 = tier-3, 5 = tier-4, 6 = the rest.
TIER_NAMES = {1: "一线", 2: "新一线", 3: "二线", 4: "三线", 5: "四线", 6: "五线"}


def assign_tiers(city_names: list[str], populations: list[int]) -> list[int]:
    """The tier code of each city: named lists first, then by population rank."""
    named = {**{n: 1 for n in TIER_1}, **{n: 2 for n in NEW_TIER_1}, **{n: 3 for n in TIER_2}}
    tiers = [named.get(name, 0) for name in city_names]
    rest = sorted((i for i, t in enumerate(tiers) if t == 0), key=lambda i: (-populations[i], city_names[i]))
    for rank, i in enumerate(rest):
        tiers[i] = 4 if rank < TIER_3_COUNT else 5 if rank < TIER_3_COUNT + TIER_4_COUNT else 6
    return tiers
