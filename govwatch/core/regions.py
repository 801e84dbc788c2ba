"""China's provinces as the footer identifiers name them: region code, name, abbreviations.

The first two digits of an administrative division code (行政区划代码) are the province's
code; a 政府网站标识码 and a 公安机关备案号 start with them. An ICP备案编号 and a
公安机关备案号 start with the province's abbreviation (简称); Sichuan, Guizhou, Yunnan and
Gansu are written with either of two characters. The crawler reads identifiers with this
table and the rules compare them by it (docs/identifiers.md). Part of the ground floor:
imports nothing of govwatch.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["PROVINCES", "Province", "by_abbreviation", "by_code"]


class Province(NamedTuple):
    """One province-level division."""

    code: str  # the first two digits of its division codes
    name: str  # as bulletins write it
    abbreviations: str  # every character used as its abbreviation, the usual one first


PROVINCES: dict[str, Province] = {p.code: p for p in (
    Province("11", "北京", "京"), Province("12", "天津", "津"), Province("13", "河北", "冀"),
    Province("14", "山西", "晋"), Province("15", "内蒙古", "蒙"),
    Province("21", "辽宁", "辽"), Province("22", "吉林", "吉"), Province("23", "黑龙江", "黑"),
    Province("31", "上海", "沪"), Province("32", "江苏", "苏"), Province("33", "浙江", "浙"),
    Province("34", "安徽", "皖"), Province("35", "福建", "闽"), Province("36", "江西", "赣"),
    Province("37", "山东", "鲁"),
    Province("41", "河南", "豫"), Province("42", "湖北", "鄂"), Province("43", "湖南", "湘"),
    Province("44", "广东", "粤"), Province("45", "广西", "桂"), Province("46", "海南", "琼"),
    Province("50", "重庆", "渝"), Province("51", "四川", "川蜀"), Province("52", "贵州", "黔贵"),
    Province("53", "云南", "滇云"), Province("54", "西藏", "藏"),
    Province("61", "陕西", "陕"), Province("62", "甘肃", "甘陇"), Province("63", "青海", "青"),
    Province("64", "宁夏", "宁"), Province("65", "新疆", "新"),
)}  # fmt: skip

_BY_ABBREVIATION = {ch: p for p in PROVINCES.values() for ch in p.abbreviations}


def by_code(digits: str) -> Province | None:
    """The province whose code the first two of *digits* are, or None."""
    return PROVINCES.get(digits[:2])


def by_abbreviation(character: str) -> Province | None:
    """The province *character* abbreviates, or None."""
    return _BY_ABBREVIATION.get(character)


_DIVISION_FORM = re.compile(r"\d{2}|\d{4}|\d{6}")


def is_division_code(value: object) -> bool:
    """Whether *value* is a division code (行政区划代码) of 2, 4 or 6 digits of a known
    province: the form a site's ``region`` takes."""
    return isinstance(value, str) and bool(_DIVISION_FORM.fullmatch(value)) and \
        by_code(value) is not None
