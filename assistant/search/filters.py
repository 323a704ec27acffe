"""Read region and year filters out of a question, and resolve filters to the reports they select."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.records import ReportMeta
from assistant.regions import Place, find_mentions, short_name
from assistant.text import normalize

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年|(?!\d))")


@dataclass(frozen=True)
class Filters:
    """Which reports a search may use. Empty fields mean no restriction.

    ``regions`` are region names (any level: 广东省, 肇庆市, 西山区); a report matches
    when its region path contains one. ``years`` match the period a report covers.
    ``sources`` names report files directly.

    Example:
        >>> Filters(regions=("肇庆市",), years=(2023,)).describe()
        '肇庆市 · 2023年'
    """

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    mentions: tuple[str, ...] = field(default=(), compare=False)  # the words the question used

    def __bool__(self) -> bool:
        return bool(self.regions or self.years or self.sources)

    def describe(self) -> str:
        parts = list(self.regions) + [f"{y}年" for y in self.years] + list(self.sources)
        return " · ".join(parts)

    def merge(self, other: "Filters") -> "Filters":
        """Explicit filters (``other``) win field by field over ones read from the question."""
        return Filters(other.regions or self.regions, other.years or self.years,
                       other.sources or self.sources, self.mentions + other.mentions)


def known_short_forms(metas: list[ReportMeta]) -> frozenset[str]:
    """Short names (西秀, 方山) of the regions of indexed reports, allowed to match in questions."""
    names = set()
    for meta in metas:
        for name in meta.region_path:
            alias = short_name(name)
            if alias:
                names.add(alias)
    return frozenset(names)


def _resolve(places: tuple[Place, ...], metas: list[ReportMeta]) -> str:
    """Prefer the place of that name that an indexed report is in (西山区 of 昆明, not of another city)."""
    for place in places:
        if any(place.chain == m.region_path[:len(place.chain)] for m in metas):
            return place.name
    return places[0].name


def parse_filters(question: str, metas: list[ReportMeta], known_short: frozenset[str] | None = None) -> Filters:
    """Region and year filters named in a question, e.g. "攀枝花西区2020年…" → (西区, 2020).

    ``known_short`` (from :func:`known_short_forms`) may be passed in so a big index computes it once.
    """
    folded = normalize(question)
    mentions = find_mentions(folded, known_short if known_short is not None else known_short_forms(metas))
    regions: list[str] = []
    words: list[str] = []
    # "攀枝花西区" names one place: keep only the deepest of a parent/child pair.
    chosen = [(_resolve(m.places, metas), m) for m in mentions]
    for name, mention in chosen:
        deeper = any(name in m.places[0].parents for other, m in chosen if other != name)
        if not deeper and name not in regions:
            regions.append(name)
        words.append(mention.text)
    years = []
    for match in _YEAR.finditer(folded):
        year = int(match[1])
        if year not in years:
            years.append(year)
        words.append(match[0].strip())
    return Filters(tuple(regions), tuple(years), (), tuple(words))


def region_matches(meta: ReportMeta, region: str) -> bool:
    return region in meta.region_path or region == meta.region or (
        meta.region.endswith(region) and len(region) >= 2)


def select_reports(filters: Filters, metas: dict[str, ReportMeta]) -> tuple[list[str], bool, str]:
    """The report files that match ``filters``.

    Returns:
        (sources, year_in_text, reason). ``year_in_text`` is True when the region's reports do
        not cover the year asked about, so only passages that mention that year may answer
        (a 2022 report can still state a 2021 figure). ``reason`` explains an empty result.
    """
    sources = list(metas)
    if filters.sources:
        sources = [s for s in sources if s in filters.sources]
    if filters.regions:
        sources = [s for s in sources if any(region_matches(metas[s], r) for r in filters.regions)]
        if not sources:
            have = "、".join(sorted({m.region for m in metas.values() if m.region})) or "无"
            return [], False, f"已索引的报告中没有关于{'、'.join(filters.regions)}的报告（现有地区：{have}）"
    year_in_text = False
    if filters.years:
        covering = [s for s in sources if any(metas[s].covers(y) for y in filters.years)]
        if covering:
            sources = covering
        else:
            year_in_text = True
    return sources, year_in_text, ""
