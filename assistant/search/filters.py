"""Which reports a search may use: filters from the question or the caller, resolved to report files.

A region filter means *that* region: 南昌市 is not 南昌县, 南昌市西湖区 is not 杭州市西湖区, a
风景名胜区 is not a 区. Only a question about all reports of a place ("江西省各地…") reaches the
places under it. A report whose own label is a guess never hides: when no labelled report matches,
reports whose title, issuer or opening lines name the place are searched, and the answer says the
label was uncertain. A year is a hard filter only for reports whose year is certain.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Union

from assistant import lexicon
from assistant.records import ReportMeta
from assistant.regions import find_mentions, gazetteer, same_unit

Region = Union[str, tuple]   # a name or display name ("攀枝花市西区"), or a path (parents named…, name)


@dataclass(frozen=True)
class Filters:
    """Which reports a search may use. Empty fields mean no restriction.

    ``regions`` are region names (any level: 广东省, 肇庆市, 西山区, or a display name such as
    攀枝花市西区) or paths from a question, ("南昌市", "西湖区"): the region named last, under the
    others. ``years`` match the period a report covers. ``sources`` names report files directly.
    ``within`` widens a region to the places under it (for "江西省各地…").

    Example:
        >>> Filters(regions=("肇庆市",), years=(2023,)).describe()
        '肇庆市 · 2023年'
    """

    regions: tuple[Region, ...] = ()
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    within: bool = False
    issuers: tuple[str, ...] = ()   # bodies named in a question ("司法部"): their reports, when indexed

    def __bool__(self) -> bool:
        return bool(self.regions or self.years or self.sources or self.issuers)

    def region_labels(self) -> list[str]:
        return [label(r) for r in self.regions]

    def describe(self) -> str:
        parts = self.region_labels() + list(self.issuers) + [f"{y}年" for y in self.years] + list(self.sources)
        return " · ".join(parts)

    def merge(self, other: "Filters | None") -> "Filters":
        """Explicit filters (``other``) fill in what the question does not name."""
        if other is None:
            return self
        return Filters(self.regions or other.regions, self.years or other.years, other.sources or self.sources,
                       self.within, self.issuers or other.issuers)

    def conflicts(self, other: "Filters | None") -> list[str]:
        """What explicit filters (``other``) say that contradicts the question: they are reported, not applied."""
        if other is None:
            return []
        out = []
        if self.regions and other.regions and not any(
                same_place(a, b) for a in self.regions for b in other.regions):
            out.append(f"问题问的是{'、'.join(self.region_labels())}，与筛选的地区"
                       f"“{'、'.join(other.region_labels())}”不一致，已按问题回答")
        if self.years and other.years and not set(self.years) & set(other.years):
            out.append(f"问题问的是{'、'.join(f'{y}年' for y in self.years)}，与筛选的年份"
                       f"“{'、'.join(f'{y}年' for y in other.years)}”不一致，已按问题回答")
        return out

    @classmethod
    def of(cls, question) -> "Filters":
        """The region and year filters a :class:`~assistant.search.question.Question` names."""
        return cls(question.region_paths, question.year_values, (), question.cross, question.issuers)


def label(region: Region) -> str:
    return "".join(region) if isinstance(region, tuple) else region


def same_place(a: Region, b: Region) -> bool:
    name_a = a[-1] if isinstance(a, tuple) else a
    name_b = b[-1] if isinstance(b, tuple) else b
    return name_a == name_b or label(a).endswith(name_b) or label(b).endswith(name_a)


def region_matches(meta: ReportMeta, region: Region, within: bool = False) -> bool:
    """Whether a report is about ``region`` (or, ``within``, about a place under it)."""
    path = meta.region_path
    if isinstance(region, tuple):
        name, parents = region[-1], region[:-1]
        # A report naming only "荷城街道", one of several, has guessed parents: only the text's own count.
        shown = meta.places if meta.provenance.get("namesakes") else path
        if not all(p in shown for p in parents):
            return False
        # 密云区 is asked for; its 2016 report says 密云县 (renamed in 2015): the same unit.
        return (bool(path) and path[-1] in same_unit(name)) or (within and name in path)
    if region == meta.region or (path and path[-1] in same_unit(region)):
        return True
    return within and region in path


def issued_by(meta: ReportMeta, region: Region) -> bool:
    """Whether the report's issuer (its signing organisation) sits in ``region``, e.g. a report titled for
    one place but signed 成都市锦江区人民政府 for 锦江区. Parents asked with the region must be named too."""
    own = _issuer_place(meta.issuer)
    if own is None or not meta.certain("issuer"):
        return False   # an issuer guessed from the region says nothing more than the region
    name, parents = (region[-1], region[:-1]) if isinstance(region, tuple) else (region, ())
    path = meta.region_path
    if meta.certain("region") and path and any(p.name in path[:-1] for p in own.places):
        return False   # "温州市生态环境局泰顺分局" signs 泰顺县's report, not 温州市's
    for place in own.places:
        # The issuer's place is the report's own where the report's path holds its name (下洋镇人民政府 of a
        # report labelled 徐闻县下洋镇 is 徐闻's 下洋镇, not 永定's).
        chain = path[:path.index(place.name) + 1] if place.name in path else place.chain
        if (place.name == name or own.text.endswith(name)) and all(p in chain for p in parents):
            return True
    return False


@lru_cache(maxsize=4096)
def _issuer_place(issuer: str):
    """The place an issuer belongs to: its last place name (南昌市西湖区人民政府 is 西湖区's, not 南昌市's)."""
    mentions = find_mentions(issuer) if issuer else []
    return mentions[-1] if mentions else None


@dataclass(frozen=True)
class Selection:
    """The reports a search may use, and what the answer must say about them.

    ``year_in_text`` is True when no report of the region covers the year asked about, so only
    passages that mention that year may answer (a 2022 report can still state a 2021 figure).
    ``reason`` explains an empty selection; ``notices`` are said first in the answer.
    """

    sources: list[str]
    year_in_text: bool = False
    reason: str = ""
    notices: tuple[str, ...] = ()


def select_reports(filters: Filters, metas: Mapping[str, ReportMeta]) -> Selection:
    """The report files that match ``filters``."""
    sources = list(metas)
    notices: list[str] = []
    if filters.sources:
        sources = [s for s in sources if s in filters.sources]
    if filters.regions:
        # Each region asked finds its own reports: a comparison of 栗子乡 and a 大河乡 whose label is a guess
        # keeps both, the guess said first.
        chosen: list[str] = []
        for region in filters.regions:
            found, notice = _region_reports(region, filters, sources, metas)
            chosen += [s for s in found if s not in chosen]
            notices += [notice] if notice and notice not in notices else []
        if not chosen:
            return Selection([], False, _no_report(filters, metas))
        sources = [s for s in sources if s in chosen]
    if filters.issuers:
        # "司法部…": the body's own reports, among the region's. A body that issued none of them restricts
        # nothing, and the answer says whose reports it comes from ("贵州省人民政府…" → only 生态环境厅's).
        issued = [s for s in sources if any(w in metas[s].issuer for w in filters.issuers)]
        missing = [y for y in filters.years if issued and not any(metas[s].covers(y) for s in issued)]
        unnamed = [s for s in sources if not metas[s].issuer and any(metas[s].covers(y) for y in missing)]
        if unnamed:
            # The body's reports cover other years only: a report of the year whose issuer was not read is kept.
            issued += unnamed
            notices.append(f"以下内容可能来自发布机关未识别的报告（{'、'.join(unnamed)}），"
                           f"无法确认是{'、'.join(filters.issuers)}发布的")
        if not issued and sources:
            asked = "、".join(filters.region_labels()) + "、".join(filters.issuers)
            bodies = "、".join(dict.fromkeys(metas[s].issuer or "未识别的机关" for s in sources))
            if set(filters.issuers) & set(lexicon.GOVERNMENT_WORDS):
                # "贵州省人民政府的报告…" and only its 司法厅 reported: that is not the government's report.
                return Selection([], False, f"已索引的报告中没有{asked}发布的报告（只有{bodies}的报告）")
            notices.append(f"已索引的报告中没有{asked}发布的报告；以下内容来自{bodies}的报告")
        sources = issued or sources
    year_in_text = False
    if filters.years:
        # A report covers a year by its label, certain or guessed; a report whose year is unknown, or another,
        # answers only from passages that name the year asked (never another year's figure).
        covering = [s for s in sources if any(metas[s].covers(y) for y in filters.years)]
        if covering:
            sources = covering
        else:
            year_in_text = True
    return Selection(sources, year_in_text, "", tuple(notices))


def _region_reports(region: Region, filters: Filters, sources: list[str],
                    metas: Mapping[str, ReportMeta]) -> tuple[list[str], str]:
    """The reports of one region asked, and what the answer must say first about them: labelled ones; else
    those whose issuer sits there; else those whose label is a guess and whose head names the place."""
    labelled = [s for s in sources if region_matches(metas[s], region, filters.within)]
    # A guessed label under the place asked (天宁区 for 常州市) says the report is about a place below it:
    # that is not the place's report, however often its opening names the city.
    named = [s for s in sources if not metas[s].certain("region") and s not in labelled
             and names_place(metas[s], region) and not _below(metas[s], region)]
    asked = label(region)
    if labelled:
        # The place's labelled reports cover other years only: a guessed label whose head names the place
        # and that covers the year asked is kept too, and said first.
        missing = [y for y in filters.years if not any(metas[s].covers(y) for s in labelled)]
        extra = [s for s in named if any(metas[s].covers(y) for y in missing)]
        if not extra:
            return labelled, ""
        return labelled + extra, (f"另有地区标注不确定、开头提到{asked}的报告（"
                                  + "、".join(f"{s}：标注为{metas[s].region or '未识别'}" for s in extra) + "）")
    issued = [s for s in sources if issued_by(metas[s], region)]
    if issued:
        said = "；".join(f"{s}：标注为{metas[s].region or '未识别'}，落款为{metas[s].issuer}" for s in issued)
        return issued, f"没有标注为{asked}的报告；以下内容来自落款机关在该地的报告（{said}）"
    if named:
        guesses = "、".join(f"{metas[s].region or '未识别'}" + (
            f"，报告只写明“{metas[s].region_path[-1]}”，同名的地方有{metas[s].provenance['namesakes']}处"
            if metas[s].provenance.get("namesakes") else "") for s in named)
        return named, (f"没有确认为{asked}的报告；以下内容来自开头提到该地的报告"
                       f"（其地区标注不确定：{guesses}）")
    return [], ""


def _below(meta: ReportMeta, region: Region) -> bool:
    name = region[-1] if isinstance(region, tuple) else region
    return name in meta.region_path[:-1]


def names_place(meta: ReportMeta, region: Region) -> bool:
    """Whether a report's title, issuer or opening lines name ``region``, with every parent the question
    gives: "贵阳白云区" is not named by a report that names only 广州's 白云区."""
    name, parents = (region[-1], region[:-1]) if isinstance(region, tuple) else (region, ())
    if name not in meta.places and meta.region_path[-1:] != (name,):
        return False   # a label that is the name alone ("大河乡", read deep in the body) names it too
    shown = meta.places if meta.provenance.get("namesakes") else meta.places + meta.region_path
    if all(p in shown for p in parents):
        return True
    # A report that names only "大河乡", one of several: any 大河乡 may be it, and the answer says so first.
    return bool(meta.provenance.get("namesakes")) and any(
        all(p in place.chain for p in parents) for place in gazetteer()[0].get(name, ()) if not place.now)


def _no_report(filters: Filters, metas: Mapping[str, ReportMeta]) -> str:
    """Why no report answers a region, naming it and what is indexed near it: a place of the same name
    elsewhere ("已索引的只有广州市白云区的报告"), or the places under it."""
    asked = "、".join(filters.region_labels())
    names = {r[-1] if isinstance(r, tuple) else r for r in filters.regions}
    namesakes = sorted({_full_label(m) for m in metas.values() if m.region and m.region_path[-1:] == tuple(names)
                        or (m.region and m.region_path and m.region_path[-1] in names)})
    guessed = sorted(s for s, m in metas.items() if m.provenance.get("namesakes") and m.region_path[-1:] and
                     m.region_path[-1] in names)
    if guessed:
        return (f"已索引的报告中没有确认是{asked}的报告：{'、'.join(guessed)}只写明"
                f"“{'、'.join(sorted(names))}”，没有写明所属地区（同名的地方不止一处），无法确认是{asked}")
    if namesakes:
        return (f"已索引的报告中没有关于{asked}的报告：已索引的只有{'、'.join(namesakes)}的报告"
                f"（同名，但它们是另外的地区）")
    near = sorted({m.region for m in metas.values() if m.region and names & set(m.region_path[:-1])})
    if near:
        return f"已索引的报告中没有关于{asked}的报告（相近的有：{'、'.join(near)}，但它们是另外的地区）"
    have = "、".join(sorted({m.region for m in metas.values() if m.region})) or "无"
    return f"已索引的报告中没有关于{asked}的报告（现有地区：{have}）"


def _full_label(meta: ReportMeta) -> str:
    """"广州市白云区", "福建省龙岩市永定区下洋镇"→"永定区下洋镇": a place with the parent that tells it apart."""
    path = meta.region_path
    if len(path) >= 2 and not meta.region.startswith(path[-2]):
        return path[-2] + path[-1]
    return meta.region or "".join(path)
