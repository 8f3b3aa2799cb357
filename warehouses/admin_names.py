"""The many ways channels spell the same province, city or district.

JD sends "湖北", Tmall "湖北省"; 广西 is officially "广西壮族自治区"; a prefecture
may come as "恩施土家族苗族自治州", "恩施州" or "恩施"; a county that became a
district (县改区) keeps its stem ("梁平县" → "梁平区"). Each function returns
every spelling we accept for an official name; the official name comes first.
"""
from __future__ import annotations

import re

_PROVINCE_SUFFIX = re.compile(r"(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")
_CITY_SUFFIX = re.compile(r"(市|地区|盟|林区)$")
_COUNTY_SUFFIX = re.compile(r"(新区|林区|特区|矿区|区|县|市|旗)$")
_AUTONOMOUS = re.compile(r"(自治州|自治县|自治旗)$")
# Ethnic groups named in autonomous-area titles; three are written without "族".
_ETHNIC = re.compile(
    r"(?:(?:蒙古|藏|回|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    r"拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|普米|塔吉克|"
    r"怒|鄂温克|保安|裕固|独龙|鄂伦春)族|蒙古|哈萨克|柯尔克孜)+$")

# How channels name the city level of a municipality (北京/上海/天津/重庆).
MUNICIPALITY_CITY_WORDS = ("市辖区", "县", "城区", "郊县")
# How channels name the city level above county-level cities a province runs directly.
DIRECT_COUNTY_CITY_WORDS = ("省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位", "直辖县级")


def clean(text: str | None) -> str:
    """Trim spaces (including full-width) that channels leave around names."""
    return (text or "").strip().replace("\u3000", "").replace(" ", "")


def _autonomous_stem(name: str) -> str | None:
    if not _AUTONOMOUS.search(name):
        return None
    stem = _ETHNIC.sub("", _AUTONOMOUS.sub("", name))
    return stem if len(stem) >= 2 else None


def province_aliases(name: str) -> list[str]:
    """"湖北省" → ["湖北省", "湖北"]; "广西壮族自治区" → ["广西壮族自治区", "广西"]."""
    stem = _PROVINCE_SUFFIX.sub("", name)
    return _unique([name, stem] if len(stem) >= 2 else [name])


def city_aliases(name: str) -> list[str]:
    """"武汉市" → ["武汉市", "武汉"]; "恩施土家族苗族自治州" → [..., "恩施", "恩施州"]."""
    aliases = [name]
    stem = _autonomous_stem(name)
    if stem:
        aliases += [stem, stem + "州"]
    else:
        stem = _CITY_SUFFIX.sub("", name)
        if len(stem) >= 2 and stem != name:
            aliases.append(stem)
    return _unique(aliases)


def county_stem(name: str) -> str | None:
    """The stem a county-level name keeps when its suffix changes ("梁平县" → "梁平"), if any."""
    stem = _autonomous_stem(name) or _COUNTY_SUFFIX.sub("", name)
    return stem if len(stem) >= 2 and stem != name else None


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
