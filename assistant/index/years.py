"""Which rows mention which year, found when a segment is written, so a question about a year no report
covers looks its passages up instead of reading every allowed passage again.

A row "mentions" a year exactly when the four digits occur anywhere in its normalised heading and text,
as the per-question scan it replaces tested (``str(year) in normalize(section + text)``); every
occurrence of 19xx and 20xx is recorded, overlapping ones included (``12021`` holds 2021 and 2021's
neighbours alike). Years outside that range cannot come from a question and are scanned for instead.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np

FIRST, LAST = 1900, 2099
_YEAR = re.compile(r"(?=((?:19|20)\d\d))")   # a lookahead: overlapping occurrences are all found


def years_in(folded: str) -> set[int]:
    """The years 1900–2099 whose four digits occur in already-normalised text."""
    return {int(m) for m in _YEAR.findall(folded)}


def indexed(year: int) -> bool:
    """Whether a year index can answer for ``year`` (else scan)."""
    return FIRST <= year <= LAST


class YearIndex:
    """year → rows of one segment, as three arrays (years ascending, offsets, rows ascending per year).

    Example:
        >>> index = YearIndex.build(["2021年受理", "2019—2021年", "无"])
        >>> index.rows(2021).tolist(), index.rows(2019).tolist(), index.rows(2020).tolist()
        ([0, 1], [1], [])
    """

    FILES = ("years.npy", "year_offsets.npy", "year_rows.npy")

    def __init__(self, years: np.ndarray, offsets: np.ndarray, rows: np.ndarray):
        self.years, self.offsets, self._rows = years, offsets, rows

    @classmethod
    def build(cls, folded_texts: Iterable[str]) -> "YearIndex":
        """From each row's normalised heading and text."""
        pairs = [(year, row) for row, text in enumerate(folded_texts) for year in years_in(text)]
        return cls.from_pairs(np.array([y for y, _ in pairs], dtype=np.int16),
                              np.array([r for _, r in pairs], dtype=np.int32))

    def rows(self, year: int) -> np.ndarray:
        """Rows mentioning ``year``, ascending."""
        i = int(np.searchsorted(self.years, year))
        if i >= len(self.years) or int(self.years[i]) != year:
            return np.zeros(0, dtype=np.int32)
        return np.asarray(self._rows[self.offsets[i]:self.offsets[i + 1]])

    def remap(self, new_row: np.ndarray) -> "YearIndex":
        """The same mentions with rows renumbered by ``new_row`` (-1: dropped), for merging segments."""
        new_row = np.asarray(new_row)
        per_year = np.repeat(np.asarray(self.years), np.diff(np.asarray(self.offsets)))
        target = new_row[np.asarray(self._rows)]
        keep = target >= 0
        return YearIndex.from_pairs(per_year[keep], target[keep])

    @classmethod
    def from_pairs(cls, years: np.ndarray, rows: np.ndarray) -> "YearIndex":
        order = np.lexsort((rows, years))
        years, rows = np.asarray(years)[order], np.asarray(rows)[order]
        unique, counts = np.unique(years, return_counts=True)
        offsets = np.zeros(len(unique) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(unique.astype(np.int16), offsets, rows.astype(np.int32))

    @classmethod
    def merge(cls, parts: list["YearIndex"]) -> "YearIndex":
        """Indexes already renumbered into one row space."""
        per_year = [np.repeat(np.asarray(p.years), np.diff(np.asarray(p.offsets))) for p in parts]
        rows = [np.asarray(p._rows) for p in parts]
        if not parts:
            return cls.from_pairs(np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int32))
        return cls.from_pairs(np.concatenate(per_year), np.concatenate(rows))

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        np.save(folder / "years.npy", self.years)
        np.save(folder / "year_offsets.npy", self.offsets)
        np.save(folder / "year_rows.npy", self._rows)

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> "YearIndex":
        folder = Path(folder)
        mode = "r" if mmap else None
        out = cls(np.load(folder / "years.npy"), np.load(folder / "year_offsets.npy"),
                  np.load(folder / "year_rows.npy", mmap_mode=mode))
        if len(out.offsets) != len(out.years) + 1 or int(out.offsets[-1]) != len(out._rows):
            raise ValueError(f"year index in {folder} disagrees with itself")
        return out
