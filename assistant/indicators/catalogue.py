"""The indicator catalogue and the report elements, read from their plain-data tables (catalogue.tsv, elements.tsv).

Example:
    >>> [i.name for i in indicators()][:3]
    ['行政复议收案', '行政复议审结', '行政复议纠错率']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
CATALOGUE = HERE / "catalogue.tsv"
ELEMENTS = HERE / "elements.tsv"


@dataclass(frozen=True)
class Indicator:
    """One standard indicator: its name, units, the words reports use for it, and what it is not."""

    id: str
    name: str
    group: str
    units: tuple[str, ...]
    words: tuple[str, ...]
    context: tuple[str, ...]
    not_words: tuple[str, ...]
    note: str = ""

    @property
    def rate(self) -> bool:
        return self.units == ("%",)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "group": self.group, "units": list(self.units),
                "words": list(self.words), "context": list(self.context), "not": list(self.not_words),
                "note": self.note}


@dataclass(frozen=True)
class Element:
    """A part every annual report must have, and how a heading or a sentence shows it."""

    id: str
    name: str
    heading: re.Pattern
    body: re.Pattern | None
    rest: bool


def _rows(path: Path) -> list[dict]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path.name}: 第{number}行有 {len(cells)} 列，表头有 {len(header)} 列")
        rows.append(dict(zip(header, cells)))
    return rows


def _list(cell: str) -> tuple[str, ...]:
    return tuple(w for w in cell.split("|") if w)


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """Every indicator of the catalogue, in table order."""
    out = []
    for row in _rows(CATALOGUE):
        out.append(Indicator(row["id"], row["name"], row["group"], _list(row["units"]),
                             # longest first: "法律援助案件" binds before "法律援助"
                             tuple(sorted(_list(row["words"]), key=len, reverse=True)),
                             _list(row["context"]), _list(row["not"]), row.get("note", "")))
    ids = [i.id for i in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{CATALOGUE.name}: 指标编号重复")
    return tuple(out)


def indicator(key: str) -> Indicator:
    """An indicator by its id or its name; KeyError naming the known ones otherwise."""
    for item in indicators():
        if key in (item.id, item.name):
            return item
    raise KeyError(f"没有指标“{key}”；可选：{'、'.join(i.name for i in indicators())}")


@lru_cache(maxsize=1)
def elements() -> tuple[Element, ...]:
    """The report elements (报告要素), in checklist order."""
    return tuple(Element(r["id"], r["name"], re.compile(r["heading"]), re.compile(r["body"]) if r["body"] else None,
                         r["rest"] == "1") for r in _rows(ELEMENTS))


def tables_text() -> str:
    """Both tables as text: part of the lexicon's fingerprint, so an edit re-reads every report."""
    return CATALOGUE.read_text(encoding="utf-8") + "\n" + ELEMENTS.read_text(encoding="utf-8")
