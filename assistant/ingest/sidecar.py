"""Metadata sidecars: ``report.txt.meta.json`` beside ``report.txt`` overrides fields of the report's metadata.

A sidecar is named after the whole file name, extension included, so ``报告.txt`` and ``报告.html`` never
share one. The earlier name without the extension (``report.meta.json``) is still read when no sidecar of
the new name exists and exactly one report has that stem (:func:`sidecar_of`); the app writes the new
name and removes the old one on the next edit (:func:`sidecars_of`).

A sidecar is validated before it is used: a JSON object of known keys, short strings, years within
1949–2100, at most three levels deep. One that fails is ignored with its reason and the report keeps the
metadata read from its own text; it never costs the report.

Example:
    >>> overrides = parse_sidecar('{"region": "肇庆市", "year": 2022}'.encode(), "r.meta.json")
    >>> overrides
    {'region': '肇庆市', 'year_from': 2022, 'year_to': 2022}
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Mapping

from assistant.records import ReportMeta
from assistant.regions import find_mentions, pick_place

SIDECAR_SUFFIX = ".meta.json"
MIN_YEAR, MAX_YEAR = 1949, 2100          # the People's Republic's first year; no report is dated further out
MAX_DEPTH = 3                            # {"region_path": ["…"]} is two levels deep
FIELD_CHARS = {"title": 200, "region": 64, "issuer": 200, "date": 32}
MAX_PATH_PARTS = 8                       # 国家 › 省 › 市 › 县 › 乡 and some room
YEAR_KEYS = ("year", "year_from", "year_to")
KNOWN = tuple(FIELD_CHARS) + ("region_path",) + YEAR_KEYS
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAME_MAX = 255                          # bytes in one file name on ext4, xfs, btrfs, NTFS and APFS


class SidecarError(ValueError):
    """A sidecar that cannot be used; ``reason`` says why in Chinese."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def fits(path: Path) -> bool:
    """Whether ``path``'s last part is short enough to be a file name in its folder."""
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = _NAME_MAX
    return len(os.fsencode(path.name)) <= limit


def sidecar_for(path: Path) -> Path | None:
    """``report.txt`` → ``report.txt.meta.json`` beside it, or None when that name is longer than a file name
    may be (a report with a 250-byte name simply has no sidecar)."""
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    return side if fits(side) else None


def legacy_sidecar_for(path: Path) -> Path | None:
    """The earlier sidecar name of ``path``: ``report.txt`` → ``report.meta.json`` (None when too long)."""
    side = path.with_name(path.stem + SIDECAR_SUFFIX)
    return side if path.stem and fits(side) else None


def stem_mates(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The report files beside ``path`` (itself included) that share its stem: they would share a sidecar
    of the earlier name."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return [path]
    return [path.parent / n for n in names if n.lower().endswith(suffixes) and Path(n).stem == path.stem
            and not n.startswith(".")] or [path]


def sidecar_of(path: Path, suffixes: tuple[str, ...]) -> tuple[Path | None, str]:
    """(the sidecar that holds ``path``'s metadata, or None; why an old-named one is ignored, or '').

    The full name when it exists; else the earlier stem name when exactly one report has that stem; a stem
    name shared by several reports belongs to none of them (relabelling one would relabel the others)."""
    side = sidecar_for(path)
    if side is not None and os.path.lexists(side):
        return side, ""
    old = legacy_sidecar_for(path)
    if old is None or not os.path.lexists(old):
        return side, ""
    mates = stem_mates(path, suffixes)
    if len(mates) > 1:
        names = "、".join(sorted(os.fsdecode(p.name) for p in mates))[:200]
        return None, (f"旧式元数据文件 {old.name} 被同名的多个报告共用（{names}），不知属于哪一个，已忽略；"
                      f"请在报告库中分别设置，新元数据保存为“文件全名{SIDECAR_SUFFIX}”")
    return old, ""


def sidecars_of(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Every existing sidecar that belongs to ``path`` alone: its full-name one, and the earlier stem one when
    no other report shares that stem (moved or removed with it)."""
    out = []
    side = sidecar_for(path)
    if side is not None and os.path.lexists(side):
        out.append(side)
    old = legacy_sidecar_for(path)
    if old is not None and os.path.lexists(old) and len(stem_mates(path, suffixes)) == 1:
        out.append(old)
    return out


def _depth(text: str) -> int:
    """How deeply arrays and objects nest, strings skipped; stops counting past MAX_DEPTH."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    return deepest


def _year(name: str, key: str, value) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SidecarError(name, f"{key} 必须是年份整数，不是 {json.dumps(value, ensure_ascii=False)[:40]}")
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise SidecarError(name, f"{key} 为 {value}，超出 {MIN_YEAR}–{MAX_YEAR}")
    return value


def _text(name: str, key: str, value) -> str:
    if not isinstance(value, str):
        raise SidecarError(name, f"{key} 必须是字符串，不是 {type(value).__name__}")
    value = value.strip()
    limit = FIELD_CHARS.get(key, FIELD_CHARS["region"])
    if len(value) > limit:
        raise SidecarError(name, f"{key} 过长（{len(value)} 个字符，上限 {limit}）")
    return value


def parse_sidecar(data: bytes, name: str, max_bytes: int = 64 * 1024) -> dict:
    """Validated overrides from the bytes of sidecar ``name``: ReportMeta fields only (``year`` becomes
    ``year_from`` and ``year_to``).

    Raises:
        SidecarError: naming the sidecar and what is wrong with it.
    """
    if len(data) > max_bytes:
        raise SidecarError(name, f"元数据文件过大（{len(data) / 1024:.0f} KB，上限 {max_bytes / 1024:g} KB）")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SidecarError(name, "不是 UTF-8 文本") from exc
    if _depth(text) > MAX_DEPTH:
        raise SidecarError(name, f"JSON 嵌套超过 {MAX_DEPTH} 层")

    def no_constant(word: str):
        raise ValueError(f"{word} 不是合法的 JSON 数值")

    try:
        raw = json.loads(text, parse_constant=no_constant)
    except ValueError as exc:   # JSONDecodeError is a ValueError
        raise SidecarError(name, f"不是有效的 JSON（{str(exc)[:80]}）") from exc
    if not isinstance(raw, dict):
        raise SidecarError(name, "必须是一个 JSON 对象，例如 {\"region\": \"…\", \"year\": 2022}")
    unknown = sorted(set(raw) - set(KNOWN))
    if unknown:
        raise SidecarError(name, f"未知字段 {unknown[:5]}；可用字段：{', '.join(KNOWN)}")
    if "year" in raw and ("year_from" in raw or "year_to" in raw):
        raise SidecarError(name, "year 与 year_from/year_to 只能给出一种")
    out: dict = {}
    for key, value in raw.items():
        if key in YEAR_KEYS:
            year = _year(name, key, value)
            if key == "year":
                out["year_from"] = out["year_to"] = year
            else:
                out[key] = year
        elif key == "region_path":
            if not isinstance(value, list) or len(value) > MAX_PATH_PARTS:
                raise SidecarError(name, f"region_path 必须是不超过 {MAX_PATH_PARTS} 个地名的列表")
            out[key] = tuple(_text(name, key, part) for part in value)
        else:
            out[key] = _text(name, key, value)
            if key == "date" and out[key] and not _DATE.fullmatch(out[key]):
                raise SidecarError(name, f"date 应写成 YYYY-MM-DD，不是 {out[key]!r}")
    if out.get("year_from", MIN_YEAR) > out.get("year_to", MAX_YEAR):
        raise SidecarError(name, f"year_from {out['year_from']} 晚于 year_to {out['year_to']}")
    return out


def apply_sidecar(meta: ReportMeta, overrides: Mapping) -> ReportMeta:
    """``meta`` with the fields of validated ``overrides`` (see :func:`parse_sidecar`) replaced.

    A region without a region_path gets its place in the gazetteer. When only one end of the period is
    overridden and the other would then lie on its wrong side, the period becomes that one year.
    """
    merged = meta.to_dict()
    merged.update(overrides)
    if "region" in overrides:
        # The kind of place follows the region: 晋中市 relabelled 新城县 is a county, not a city.
        mentions = find_mentions(overrides["region"])
        chosen = pick_place(mentions, overrides["region"]) if mentions else None
        merged["level"] = chosen.kind if chosen else ""
        if "region_path" not in overrides:
            unknown = [overrides["region"]] if overrides["region"] else []
            merged["region_path"] = list(chosen.chain) if chosen else unknown
    start, end = merged.get("year_from"), merged.get("year_to")
    if start is not None and end is not None and start > end:   # only one end was overridden
        merged["year_from"] = merged["year_to"] = overrides.get("year_to", overrides.get("year_from"))
    # Metadata that records where each field came from (and which are guesses) learns that these came from the user.
    fields = {"year" if k.startswith("year") else k for k in overrides}
    if isinstance(merged.get("provenance"), dict):
        merged["provenance"] = {**merged["provenance"], **{k: "sidecar" for k in fields}}
    if isinstance(merged.get("uncertain"), (list, tuple)):
        merged["uncertain"] = [k for k in merged["uncertain"] if k not in fields]
    return ReportMeta.from_dict(merged)
