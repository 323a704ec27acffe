"""Read a report's metadata from its text (title, region, issuer, period reported on, date) and sidecars."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from assistant import lexicon
from assistant.ingest.cleaning import Block
from assistant.ingest.headings import opens_heading
from assistant.records import ReportMeta
from assistant.regions import describe, find_mentions, pick_place
from assistant.text import normalize

_ORG_END = re.compile(lexicon.ORG_SUFFIX)
_DATE_CN = re.compile(lexicon.DATE_CN)
PUBLISHED_LINE = re.compile(lexicon.PUBLISHED_LINE)
SOURCE_LINE = re.compile(lexicon.SOURCE_LINE)
_YEAR = re.compile(lexicon.YEAR_IN_TEXT)
_RANGE = re.compile(lexicon.YEAR_RANGE)
_REPORTED_RANGE = re.compile(lexicon.REPORTED_RANGE)
_REPORTED_YEAR = re.compile(lexicon.REPORTED_YEAR)
_TITLE_ISSUER = re.compile(lexicon.TITLE_ISSUER)


def _is_title(text: str) -> bool:
    folded = normalize(text)
    return (len(folded) <= lexicon.TITLE_MAX_CHARS and "报告" in folded and not folded.endswith(("。", ":", "："))
            and "," not in folded)


def find_title(blocks: list[Block]) -> tuple[str, str]:
    """(title, issuer line before it) from the blocks before the first heading."""
    for i, block in enumerate(blocks[:15]):
        if opens_heading(normalize(block.text)):
            break
        if _is_title(block.text):
            title = normalize(block.text).replace(" ", "")
            prev = normalize(blocks[i - 1].text).replace(" ", "") if i else ""
            if prev and len(prev) <= 30 and _ORG_END.search(prev) and title.startswith("关于"):
                return prev + title, prev
            return title, ""
    return "", ""


def _signature(blocks: list[Block]) -> tuple[str, str]:
    """(issuer, date) from the signature lines at the end of the report."""
    issuer, date = "", ""
    for block in reversed(blocks[-8:]):
        folded = normalize(block.text).strip()
        if len(folded) > 40:
            if issuer or date:
                break
            continue
        compact = folded.replace(" ", "")
        m = _DATE_CN.fullmatch(compact)
        if m and not date:
            date = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
            continue
        names = [normalize(p) for p in re.split(r"\s+|、", block.text.strip()) if p]
        if names and all(_ORG_END.search(n.replace(" ", "")) for n in names) and not issuer:
            issuer = "、".join(names)
    return issuer, date


def _period(title: str, head: str, body: str, date: str) -> tuple[int | None, int | None]:
    m = _REPORTED_RANGE.search(head) or _RANGE.search(title)
    if m and 0 < int(m[2]) - int(m[1]) <= 10:
        return int(m[1]), int(m[2])
    m = _YEAR.search(title) or _REPORTED_YEAR.search(head)
    if m:
        return int(m[1]), int(m[1])
    issued = int(date[:4]) if date else None
    counts = Counter(int(y) for y in _YEAR.findall(body))
    candidates = {y: c for y, c in counts.items() if issued is None or y <= issued}
    if not candidates:
        return None, None
    year = max(candidates, key=lambda y: (candidates[y], y))
    return year, year


def extract_metadata(text: str, blocks: list[Block]) -> ReportMeta:
    """Read metadata from a report's decoded ``text`` and cleaned ``blocks``.

    The region comes from the title, else the issuer, else the body (a report with no
    title still names itself); the year is the period reported on, not the date of issue.
    """
    folded_all = normalize(text)
    head = normalize("\n".join(b.text for b in blocks[:6]))
    body = normalize("\n".join(b.text for b in blocks))[:40000]
    title, pre_title_issuer = find_title(blocks)
    sig_issuer, sig_date = _signature(blocks)
    web_date = PUBLISHED_LINE.search(folded_all)
    date = sig_date or (f"{int(web_date[1]):04d}-{int(web_date[2]):02d}-{int(web_date[3]):02d}" if web_date else "")
    source = SOURCE_LINE.search(folded_all)
    issuer = sig_issuer or pre_title_issuer or (source[1] if source else "")
    if not issuer and title:
        m = _TITLE_ISSUER.match(title)
        issuer = m[1] if m else ""

    place = None
    for scope in (title, issuer, body):
        mentions = [m for m in find_mentions(scope) if max(p.level for p in m.places) >= 2]
        if mentions:
            place = pick_place(mentions, body)
            break
    region = describe(place, body) if place else ""
    if not issuer and place and re.search(r"[区县市]人民政府", body):
        issuer = region + "人民政府"
    year_from, year_to = _period(title, head, body, date)
    return ReportMeta(title=title, region=region, region_path=place.chain if place else (),
                      issuer=issuer, year_from=year_from, year_to=year_to, date=date)


SIDECAR_SUFFIX = ".meta.json"


def sidecar_for(path: Path) -> Path:
    """``report.txt`` → ``report.meta.json`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def apply_sidecar(meta: ReportMeta, path: Path) -> ReportMeta:
    """Override any metadata field from the sidecar JSON beside ``path``, if there is one.

    Keys: title, region, region_path, issuer, year (or year_from/year_to), date.

    Raises:
        ValueError: naming the sidecar, when it is not a JSON object of known keys.
    """
    sidecar = sidecar_for(path)
    if not sidecar.exists():
        return meta
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{sidecar.name}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{sidecar.name}: must hold a JSON object")
    known = set(ReportMeta.__dataclass_fields__) | {"year"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{sidecar.name}: unknown keys {sorted(unknown)}; use {sorted(known)}")
    merged = meta.to_dict()
    if "year" in data:
        merged["year_from"] = merged["year_to"] = int(data.pop("year"))
    merged.update(data)
    if "region" in data and "region_path" not in data:
        mentions = find_mentions(data["region"])
        chosen = pick_place(mentions, data["region"]) if mentions else None
        merged["region_path"] = list(chosen.chain) if chosen else [data["region"]]
    return ReportMeta.from_dict(merged)
