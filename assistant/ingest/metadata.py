"""Read a report's identity from its text (title, region and level, issuer, period reported on, date)
and from sidecars, recording where each field was read and which are guesses."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from assistant import lexicon
from assistant.ingest.cleaning import Block
from assistant.ingest.headings import opens_heading
from assistant.ingest.identity import body_mentions, identify, is_organisation, self_reference, subject_text
from assistant.ingest.period import reported_period, without_document_names
from assistant.records import ReportMeta
from assistant.regions import describe, find_mentions, gazetteer, pick_place
from assistant.text import display, normalize, tighten

_DATE_CN = re.compile(lexicon.DATE_CN)
_DATE_NUMERALS = re.compile(lexicon.DATE_CN_NUMERALS)
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _numeral(text: str) -> int:
    """一 → 1, 十 → 10, 十八 → 18, 二十 → 20, 二〇二二 → 2022."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_DIGITS[c]) for c in text))


def parse_date(text: str) -> str:
    """"2023年3月4日" or "二〇二三年三月四日" → "2023-03-04"; '' when ``text`` is not a date."""
    m = _DATE_CN.fullmatch(text)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    m = _DATE_NUMERALS.fullmatch(text)
    if m:
        return f"{_numeral(m[1]):04d}-{_numeral(m[2]):02d}-{_numeral(m[3]):02d}"
    return ""
PUBLISHED_LINE = re.compile(lexicon.PUBLISHED_LINE)
SOURCE_LINE = re.compile(lexicon.SOURCE_LINE)
_TITLE_ISSUER = re.compile(lexicon.TITLE_ISSUER)
_BREADCRUMB = re.compile(lexicon.BREADCRUMB)
_TITLE_DOC_NUMBER = re.compile(lexicon.TITLE_DOC_NUMBER)
_TITLE_LABEL = re.compile(lexicon.TITLE_LABEL)
_PARTY_GROUP = re.compile(lexicon.PARTY_GROUP)
_OPENING_DEPARTMENT = re.compile(lexicon.OPENING_DEPARTMENT)
_YEAR = re.compile(lexicon.YEAR)
_PAGE_TITLE_SEP = re.compile(r"\s*(?:_|｜|\||\s-\s|——)\s*")
_CRUMB_SEP = re.compile(r"\s*[>＞›»]\s*")
HEAD_BLOCKS = 15


def _title_candidate(text: str) -> str:
    """The report title a line holds ("…的报告_工作报告_XX市人民政府" → "…的报告"), or ''."""
    folded = _TITLE_LABEL.sub("", normalize(text).strip())
    if _BREADCRUMB.search(folded) or any(folded.startswith(m) for m in lexicon.SOURCE_MARKERS):
        return ""
    parts = [p for p in _PAGE_TITLE_SEP.split(folded) if p]
    part = next((p for p in parts if "报告" in p), "")
    if (not part or len(part) > lexicon.TITLE_MAX_CHARS or part.endswith(("。", ":", "："))
            or "," in part or PUBLISHED_LINE.search(part)):
        return ""
    return part


def _title_score(title: str) -> int:
    score = 3 * bool(_YEAR.search(title)) + 3 * bool(find_mentions(title, shapes=False))
    score += 2 * ("法治" in title) + ("关于" in title) + 2 * (title.endswith("报告"))
    return score - 6 * (len(title) < 8)


def find_title(blocks: list[Block]) -> tuple[str, str, int]:
    """(title, issuer line above it, index of its block) from the blocks before the first heading.

    Breadcrumbs, a site's column name ("工作报告"), 来源/更新时间 lines and page-title suffixes are not
    titles; a title broken over two lines is joined.
    """
    best = None
    for i, block in enumerate(blocks[:HEAD_BLOCKS]):
        if opens_heading(normalize(block.text)):
            break
        title = _title_candidate(block.text)
        if not title:
            continue
        prev = _title_candidate(blocks[i - 1].text) if i else ""
        prev_line = normalize(blocks[i - 1].text).strip() if i else ""
        if (i and not prev and 4 <= len(prev_line) <= 40 and not prev_line.endswith(tuple(lexicon.PARAGRAPH_END))
                and not is_organisation(prev_line) and not _BREADCRUMB.search(prev_line)
                and not any(m in prev_line for m in lexicon.SOURCE_MARKERS) and not PUBLISHED_LINE.search(prev_line)
                and not title.startswith("关于") and len(prev_line + title) <= lexicon.TITLE_MAX_CHARS
                and _title_score(prev_line + title) > _title_score(title)):
            title = prev_line + title          # "…法治政府建设" + "工作情况的报告"
        score = _title_score(title)
        if best is None or score > best[0]:
            best = (score, title, i)
    if best is None:
        return "", "", -1
    _, title, i = best
    title = title.replace(" ", "")
    prev = normalize(blocks[i - 1].text).replace(" ", "") if i else ""
    if prev and is_organisation(prev) and not any(m in prev for m in lexicon.SOURCE_MARKERS):
        # "中共X局党组" / "X人民政府" above the title: its issuer ("X人民政府关于…" reads as one title).
        return (prev + title if title.startswith("关于") else title), prev, i
    return title, "", i


def _signature(blocks: list[Block], body_from: int = 0) -> tuple[str, str]:
    """(issuer, date) from the signature lines at the end of the report (never its head lines, from
    ``body_from`` on: a short page's "头部-XX厅" is chrome, not a signature)."""
    issuer, date = "", ""
    for block in reversed(blocks[max(body_from, len(blocks) - 8):]):
        folded = normalize(block.text).strip()
        if len(folded) > 40:
            if issuer or date:
                break
            continue
        compact = folded.replace(" ", "")
        when = parse_date(compact)
        if when and not date:
            date = when
            continue
        if is_organisation(block.text) and not issuer and not SOURCE_LINE.search(folded):
            # "来源：X局" at the foot of a page is the site's source line (read as such), not a signature.
            issuer = "、".join(normalize(p) for p in re.split(r"\s+|、", block.text.strip()) if p)
    return issuer, date


def _source_line(text: str) -> str:
    """The body named on a 来源 line, when it names a place ("来源：方山县司法局"); '' for "来源：司法局"."""
    m = SOURCE_LINE.search(text)
    if not m:
        return ""
    name = m[1]
    return name if find_mentions(name) else ""


_SITE = re.compile(lexicon.SITE_NAME)
# "中共X街道工作委员会X街道办事处": two bodies issuing together, written without a separator.
_JOINT = re.compile(r"(工作委员会|党工委|委员会|[市县区]委)(?=[\u4e00-\u9fff]{2,20}(?:人民政府|办事处|管委会)$)")
_DEPARTMENT = re.compile(lexicon.DEPARTMENT)


def _site_name(blocks: list[Block]) -> str:
    """The site's or page's name among the head lines ("…报告_工作报告_XX区人民政府", "XX区人民政府门户网站")."""
    for block in blocks[:HEAD_BLOCKS]:
        line = normalize(block.text).strip()
        parts = [p for piece in _PAGE_TITLE_SEP.split(line) for p in _CRUMB_SEP.split(piece)]
        for part in parts:
            m = _SITE.fullmatch(part.strip())
            # A page title's suffix, or a line that says it is a site: a bare "X人民政府" line is a signature.
            if m and "报告" not in part and (len(parts) > 1 or part.strip() != m[1]):
                return m[1]
    return ""


def _department(head: str) -> str:
    """The department a report speaks for as 我局/本局, named in its head lines ("州生态环境局"), or ''."""
    # "认真总结我局": a department's self-reference, not its name.
    counts = Counter(m[1] for m in _DEPARTMENT.finditer(head) if not m[1].startswith(lexicon.NOT_DEPARTMENT_START)
                     and not any(w in m[1] for w in lexicon.SELF_REFERENCE["department"])
                     and not m[1].endswith(lexicon.NOT_DEPARTMENT_END))
    if not counts:
        return ""
    name, _ = counts.most_common(1)[0]
    return name


def _government(place, body: str = "") -> str:
    """The body that governs a place: 人民政府, a street's 办事处, a zone's 管委会 (also a 新区 the official
    list counts as a district, when its report speaks of its 管委会)."""
    if place.kind == "zone" or (place.name.endswith(tuple(lexicon.ZONE_SUFFIXES)) and _zone_run(place.name, body)):
        return lexicon.GOVERNMENT_OF["zone"]
    return next((body for end, body in lexicon.GOVERNMENT_OF.items() if place.name.endswith(end)), "人民政府")


def _zone_run(name: str, body: str) -> bool:
    """Whether a report on a place named like a zone ("两江新区") speaks as a zone: of its 管委会, or of itself
    by the zone word alone ("新区法治政府建设"), and never of its 人民政府/区政府."""
    if any(w in body for w in lexicon.GOVERNMENT_WORDS + ("区政府",)):
        return False
    suffix = max((z for z in lexicon.ZONE_SUFFIXES if name.endswith(z)), key=len)
    return lexicon.GOVERNMENT_OF["zone"] in body or body.count(suffix) > body.count(name)


def _opening_department(opening: list[str]) -> str:
    """The department an opening sentence starts with ("2025年以来,汕尾市司法局在市委…"), or ''."""
    subject = subject_text(opening, 40)
    m = _OPENING_DEPARTMENT.match(subject)
    return m[1] if m and not m[1].startswith(lexicon.NOT_DEPARTMENT_START) else ""


def _named_issuer(issuers: list[tuple[str, str]], place) -> tuple[str, str]:
    """(issuer, where read): the first by where it was read; one that does not name its place ("市医保局")
    gives way to a later one of the same kind of body that does ("来源：信阳市医疗保障局"), else takes the
    report's place ("区司法局" → "盘龙区司法局"). A 来源 line naming the host government never replaces a
    department."""
    if not issuers:
        return "", ""
    first, origin = issuers[0]
    if find_mentions(first, shapes=False):
        return first, origin
    same_kind = [(t, o) for t, o in issuers[1:] if t[-1:] == first[-1:] and find_mentions(t, shapes=False)]
    if same_kind:
        return same_kind[0]
    return (_with_place(first, place) if place else first), origin


def _with_place(issuer: str, place) -> str:
    """An issuer named by its level word only ("区司法局", "市医保局") is the body of the report's place:
    "盘龙区司法局". The level word must be the place's own (区 for a 区)."""
    if (len(issuer) < 3 or issuer[0] not in lexicon.LEVEL_WORDS or find_mentions(issuer, shapes=False)
            or not place.name.endswith(issuer[0])):
        return issuer
    return place.name + issuer[1:]


def _level(place, body: str) -> str:
    """The place's level; a 新区 the official list counts as a district is a zone when it is governed by a
    管委会, not a 人民政府 (重庆两江新区; 浦东新区 has its 人民政府)."""
    if place.kind == "county" and _government(place, body) == lexicon.GOVERNMENT_OF["zone"]:
        return "zone"
    return place.kind


def extract_metadata(text: str, blocks: list[Block]) -> ReportMeta:
    """Read metadata from a report's decoded ``text`` and cleaned ``blocks``.

    The title decides the region, then the issuer (signature, the line above the title, the title's
    own first words), then the 来源 line; the body only when none of them names a place, and then the
    region is marked uncertain. The year is the period reported on, not a planning period in a
    document name nor the date of issue.
    """
    folded_all = normalize(text)
    body = normalize("\n".join(b.text for b in blocks))[:40000]
    title, pre_title_issuer, at = find_title(blocks)
    opening = [normalize(b.text) for j, b in enumerate(blocks[:HEAD_BLOCKS]) if j != at
               and not opens_heading(normalize(b.text))][:6]
    body_from = next((j for j, b in enumerate(blocks) if opens_heading(normalize(b.text))), at + 1)
    sig_issuer, sig_date = _signature(blocks, max(body_from, at + 1))
    web_date = PUBLISHED_LINE.search(folded_all)
    date = sig_date or (f"{int(web_date[1]):04d}-{int(web_date[2]):02d}-{int(web_date[3]):02d}" if web_date else "")
    source = _source_line(folded_all)
    title_issuer = _TITLE_ISSUER.match(_TITLE_DOC_NUMBER.sub("", title))
    issuers = [(sig_issuer, "signature"), (pre_title_issuer, "title"),
               (title_issuer[1] if title_issuer and len(title_issuer[1]) >= 3 else "", "title"), (source, "source")]
    issuers.append((_opening_department(opening), "opening"))
    issuers = [(_PARTY_GROUP.sub(r"\1", _JOINT.sub(r"\1、", t)), o) for t, o in issuers if t]
    site = _site_name(blocks)
    who = identify(without_document_names(title), issuers, body, opening, site)
    place = who.place
    # A name one of several places bear, none of whose parents the text shows, is labelled by that name alone.
    region = (place.name if who.ambiguous else describe(place, body + title)) if place else ""
    # Its path holds only what the text shows: a namesake's parents are a guess, not a label ("大河乡", not
    # "广西壮族自治区桂林市叠彩区大河乡"); the gazetteer's candidates stay in the evidence.
    path = (place.name,) if place and who.ambiguous else (place.chain if place else ())
    level = _level(place, body) if place else ""
    issuer, issuer_origin = _named_issuer(issuers, place)
    if issuer and place and not is_organisation(issuer) and issuer.endswith(place.name):
        # "来源：辰溪县小龙门乡": a place, whose report its government issued.
        issuer += _government(place)
    speaks_as_department = self_reference(body[:6000]) == "department"
    if not issuer and speaks_as_department:
        # "我局…": a department's report; its name is in the head lines, its region is its government's.
        issuer = _department("\n".join(opening) + "\n" + body[:3000])
        issuer = _with_place(issuer, place) if issuer and place else issuer
        issuer_origin = "body" if issuer else ""
    if not issuer and place and place.kind == "national":
        issuer, issuer_origin = place.name, "body"
    if not issuer and place and place.kind != "national" and not speaks_as_department:
        # A report that speaks as 我厅 and never names its department is not its government's.
        kind_words = lexicon.SELF_REFERENCE.get(place.kind, ())
        own = _government(place, body)
        if (re.search(r"[区县市镇乡]人民政府|[区县市镇乡]政府", body) or any(w in body for w in kind_words)
                or own in body or level == "zone"):   # a zone's report is its 管委会's (see _level)
            issuer, issuer_origin = region + own, "body"
    period = reported_period(title, opening, body, date)
    uncertain = tuple(name for name, sure in (("region", who.certain), ("year", period.certain),
                                               ("issuer", issuer_origin in ("signature", "title", "source")))
                      if not sure)
    provenance = {"title": "title" if title else "", "region": who.origin, "year": period.origin,
                  "issuer": issuer_origin, "date": "signature" if sig_date else ("web" if web_date else ""),
                  "confidence": {"region": who.confidence,
                                 "issuer": lexicon.ISSUER_CONFIDENCE.get(issuer_origin, 0.0) if issuer else 0.0},
                  "namesakes": len([p for p in gazetteer()[0].get(place.name, ()) if not p.now])
                  if who.ambiguous and place else 0,
                  "evidence": {"region": who.explain()[:4],
                               "issuer": [{"kind": o, "text": t} for t, o in issuers] or (
                                   [{"kind": issuer_origin, "text": issuer}] if issuer else [])}}
    strong = "\n".join([title, sig_issuer, source, pre_title_issuer, site])
    named = tuple(dict.fromkeys(m.places[0].name for m in find_mentions(strong) + body_mentions("\n".join(opening))))
    return ReportMeta(title=tighten(display(title)), region=region, region_path=path,
                      issuer=issuer, year_from=period.year_from, year_to=period.year_to, date=date,
                      level=level, provenance=provenance, uncertain=uncertain, places=named)

