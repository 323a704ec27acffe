"""Which place a report is about, at what level, and who issued it: the title decides, then the issuer
(signature, the line above the title), then the 来源 line; the body only when none of them names a place.

A province's report stays the province's when its body names cities; a 司法局's report is its
district's; a passing "晋中市中院" or "赴杭州市学习考察" never becomes the region.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant import lexicon
from assistant.regions import Mention, Place, find_mentions, short_name

# A place named only as the seat of a court, a procuratorate or a place visited says nothing of the report.
_ELSEWHERE_AFTER = re.compile(r"^(?:中级人民法院|中院|人民法院|法院|人民检察院|检察院|仲裁委|公安局)")
_ELSEWHERE_BEFORE = ("赴", "到", "前往", "与", "同", "向", "在", "邀请", "学习")
_ORG = re.compile(lexicon.ORG_SUFFIX)
_MINISTRY = re.compile(lexicon.MINISTRY + "$")
NATIONAL = Place("全国", 0, (), "national")


@dataclass(frozen=True)
class Identity:
    """A report's place and issuer, with where each was read and whether that is certain."""

    place: Place | None
    origin: str = ""
    certain: bool = False
    ambiguous: bool = False   # the name fits several regions and the text shows none of their parents


def place_in(scope: str, context: str) -> tuple[Place, bool] | None:
    """The place a title or issuer line names: the deepest of a parent → child chain ("福州市鼓楼区"), else the
    first named. Returns (place, ambiguous) or None."""
    mentions = [m for m in find_mentions(scope) if _names_the_report(scope, m)]
    if not mentions:
        return None
    chain = [mentions[0]]
    for m in mentions[1:]:
        if any(chain[-1].places[0].name in p.parents for p in m.places):
            chain.append(m)
    return resolve(chain[-1].places, context + scope)


def resolve(places: tuple[Place, ...], context: str) -> tuple[Place, bool]:
    """Of the regions sharing a name (鼓楼区 of 南京, 福州, 开封, 徐州), the one whose parents the text shows
    most; ambiguous when it shows none of them."""
    if len(places) == 1:
        return places[0], False

    def shown(place: Place) -> int:
        score = 0
        for depth, parent in enumerate(place.parents):
            weight = 2 if depth == len(place.parents) - 1 else 1
            score += weight * (context.count(parent) + context.count(short_name(parent) or parent))
        return score

    best = max(places, key=shown)
    return best, shown(best) == 0


def _names_the_report(text: str, mention: Mention) -> bool:
    after = text[mention.start + len(mention.text):]
    before = text[max(0, mention.start - 2):mention.start]
    return not _ELSEWHERE_AFTER.match(after) and not before.endswith(_ELSEWHERE_BEFORE)


def self_reference(body: str) -> str:
    """The kind of place the report speaks for ("全省…" → province), or '' when it does not say."""
    counts = {kind: sum(body.count(w) for w in words) for kind, words in lexicon.SELF_REFERENCE.items()}
    kind = max(counts, key=counts.get)
    return kind if counts[kind] >= 2 else ""


def _fits(place: Place, kind: str) -> bool:
    if kind in ("", "department"):
        return True
    if kind == "city":   # 我市 also in a county-level city's report (义乌市)
        return place.kind == "city" or place.name.endswith("市")
    if kind == "county":  # 我区 also in an autonomous region's or a zone's report
        return place.kind in ("county", "zone") or place.name.endswith("自治区")
    return place.kind == kind


def place_in_body(body: str) -> tuple[Place, bool] | None:
    """The place a report without title or issuer speaks for: the most named place of the kind its own
    words claim (全区/我县/全省…), courts and places visited left out. Returns (place, ambiguous)."""
    kind = self_reference(body)
    mentions = [m for m in find_mentions(body) if _names_the_report(body, m)
                and any(_fits(p, kind) for p in m.places) and m.places[0].level >= 1]
    if not mentions:
        return None
    counts = Counter(m.text for m in mentions)
    first = {}
    for m in mentions:
        first.setdefault(m.text, m)
    best = max(counts, key=lambda t: (counts[t], max(p.level for p in first[t].places), -first[t].start))
    return resolve(tuple(p for p in first[best].places if _fits(p, kind)) or first[best].places, body)


def identify(title: str, issuers: list[tuple[str, str]], body: str) -> Identity:
    """The report's place: from the title, else each issuer line in order, else the body.

    Args:
        title: the title, document names already removed.
        issuers: (issuer text, where it was read) in order of authority: signature, title line, 来源.
        body: the folded text of the whole report.
    """
    found = place_in(title, body) if title else None
    if found:
        return Identity(found[0], "title", not found[1], found[1])
    for text, origin in issuers:
        found = place_in(text, body)
        if found:
            return Identity(found[0], origin, not found[1], found[1])
    if any(_MINISTRY.search(text) or text.startswith("国务院") for text, _ in issuers):
        return Identity(NATIONAL, "issuer", True)
    found = place_in_body(body)
    if found:
        return Identity(found[0], "body", False, found[1])
    return Identity(None)


def is_organisation(text: str) -> bool:
    """"XX区人民政府", "中共XX县委", "XX局": a line that names an issuing body."""
    names = [n for n in re.split(r"\s+|、", text.strip()) if n]
    return bool(names) and all(_ORG.search(n) for n in names) and len(text) <= 40
