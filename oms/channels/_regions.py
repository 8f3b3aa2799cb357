"""Province names as the OMS stores them: the full official name.

Platforms disagree: Taobao and Douyin send "广东省", JD sends "广东" (no 省 suffix)
and "北京" for the municipality. Routing looks provinces up by name, so every
mapper passes the province through `full_province` and the same place always
reads the same.
"""

_SHORT_TO_FULL: dict[str, str] = {
    **{name: name + "省" for name in (
        "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
        "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
        "甘肃", "青海", "台湾",
    )},
    **{name: name + "市" for name in ("北京", "天津", "上海", "重庆")},
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}

_FULL_TO_SHORT: dict[str, str] = {full: short for short, full in _SHORT_TO_FULL.items()}


def full_province(name: str) -> str:
    """"广东" → "广东省", "北京" → "北京市"; a name already full (or unknown) is kept."""
    return _SHORT_TO_FULL.get(name, name)


def short_province(name: str) -> str:
    """The JD spelling: "广东省" → "广东". Used to build realistic JD sample payloads."""
    return _FULL_TO_SHORT.get(name, name)
