"""Which reports a search may use: filters from the question or the caller, resolved to report files."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from assistant.records import ReportMeta


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

    def __bool__(self) -> bool:
        return bool(self.regions or self.years or self.sources)

    def describe(self) -> str:
        parts = list(self.regions) + [f"{y}年" for y in self.years] + list(self.sources)
        return " · ".join(parts)

    def merge(self, other: "Filters | None") -> "Filters":
        """Explicit filters (``other``) win field by field over ones read from the question."""
        if other is None:
            return self
        return Filters(other.regions or self.regions, other.years or self.years, other.sources or self.sources)

    @classmethod
    def of(cls, question) -> "Filters":
        """The region and year filters a :class:`~assistant.search.question.Question` names."""
        return cls(question.region_names, question.year_values)


def region_matches(meta: ReportMeta, region: str) -> bool:
    return region in meta.region_path or region == meta.region or (
        meta.region.endswith(region) and len(region) >= 2)


def select_reports(filters: Filters, metas: Mapping[str, ReportMeta]) -> tuple[list[str], bool, str]:
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
