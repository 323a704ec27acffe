"""What a question is read against: the indexed reports' metadata, their regions' short forms and issuers."""
from __future__ import annotations

from typing import Iterable, Mapping

from assistant import lexicon
from assistant.records import ReportMeta
from assistant.regions import Place, autonomous_alias, clipped_name, gazetteer, short_name


def known_short_forms(metas: Iterable[ReportMeta]) -> frozenset[str]:
    """Short names (西秀, 方山) of the regions of indexed reports, allowed to match in questions."""
    names = set()
    for meta in metas:
        for name in meta.region_path:
            alias = short_name(name)
            if alias:
                names.add(alias)
    return frozenset(names)


def issuer_words(metas: Iterable[ReportMeta]) -> tuple[str, ...]:
    """The issuing bodies of indexed reports without their region ("政务服务管理局"): a question that names
    one picks that report; the words are not its topic. 人民政府 names no particular body."""
    found = set()
    for meta in metas:
        for issuer in (meta.issuer.split("、") if meta.issuer else []):
            core = issuer
            for name in meta.region_path + (meta.region,):
                core = core.replace(name, "")
            if core in lexicon.GOVERNMENT_WORDS and meta.region:
                # "贵州省人民政府的报告": the government's own report, not one of its departments'.
                found.add(core)
            if len(core) >= 3 and not core.endswith("人民政府") and core not in lexicon.BODY_KINDS:
                found.add(core)
                if core.startswith(lexicon.STATE_PREFIX) and len(core) - len(lexicon.STATE_PREFIX) >= 3:
                    found.add(core[len(lexicon.STATE_PREFIX):])   # 中华人民共和国司法部 is asked as 司法部
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def known_places(metas: Iterable[ReportMeta]) -> dict[str, tuple[Place, ...]]:
    """Names of indexed places the gazetteer does not list (towns, zones, new counties), so a question
    finds them by name: "莫干山镇", "黄山风景名胜区"; and the everyday names of autonomous counties and
    banners ("互助县" for 互助土族自治县)."""
    full = gazetteer()[0]
    out: dict[str, tuple[Place, ...]] = {}
    for meta in metas:
        if not meta.region_path:
            continue
        name = meta.region_path[-1]
        place = Place(name, len(meta.region_path), meta.region_path[:-1], meta.level)
        alias = autonomous_alias(name)
        clipped = clipped_name(name)
        for key in ([name] if name not in full else []) + ([alias] if alias and alias not in full else []) + (
                [clipped] if clipped and clipped not in full else []):
            if place not in out.get(key, ()):
                out[key] = out.get(key, ()) + (place,)
    return out


class Catalog:
    """The reports of one index snapshot, as questions see them. Built once per snapshot.

    Example:
        >>> catalog = Catalog({"a.txt": ReportMeta(region="肇庆市", region_path=("广东省", "肇庆市"))})
        >>> sorted(catalog.known_short)
        ['广东', '肇庆']
    """

    def __init__(self, metas: Mapping[str, ReportMeta] | None = None):
        self.metas: dict[str, ReportMeta] = dict(metas or {})
        self.known_short = known_short_forms(self.metas.values())
        self.issuers = issuer_words(self.metas.values())
        self.known_places = known_places(self.metas.values())

    def __len__(self) -> int:
        return len(self.metas)

    def resolve(self, places: tuple[Place, ...]) -> Place:
        """Of the regions sharing a name, the one an indexed report is in (西山区 of 昆明, not of another city)."""
        for place in places:
            if any(place.chain == m.region_path[:len(place.chain)] for m in self.metas.values()):
                return place
        return places[0]

    def regions(self) -> list[str]:
        """The regions of indexed reports, sorted."""
        return sorted({m.region for m in self.metas.values() if m.region})
