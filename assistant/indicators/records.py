"""The records of the indicator table: a Cell per indicator, an ElementCheck per required part, a ReportRow per report."""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import SECTION_SEP, Hit, ReportMeta

FOUND, UNSTATED, AMBIGUOUS = "found", "unstated", "ambiguous"
UNSTATED_TEXT = "未写明"
AMBIGUOUS_TEXT = "不明确"


@dataclass(frozen=True)
class Candidate:
    """A figure the reader weighed for an indicator: its value, score and the reasons for it (or for its refusal)."""

    value: str
    score: float
    reasons: tuple[str, ...]
    clause: str = ""

    def to_dict(self) -> dict:
        return {"value": self.value, "score": round(self.score, 3), "reasons": list(self.reasons),
                "clause": self.clause}

    @classmethod
    def from_dict(cls, d: dict) -> "Candidate":
        return cls(d["value"], d["score"], tuple(d.get("reasons", ())), d.get("clause", ""))


@dataclass(frozen=True)
class Cell:
    """One indicator of one report: the figure as the report writes it with its clause and place, or 未写明/不明确.

    ``quote`` is the clause holding the figure, ``sentence`` its whole sentence (both the report's own
    characters); ``ordinal``/``start``/``end`` locate the passage (chunk) for the 原文 viewer. ``why`` keeps the
    candidates weighed, best first, so a reader can see why this figure won (or why none did).

    Example:
        >>> Cell("review_correction_rate", "found", "5.9%", "纠错率5.9%").text
        '5.9%'
    """

    indicator: str
    status: str
    value: str = ""
    quote: str = ""
    sentence: str = ""
    section: str = ""
    source: str = ""
    ordinal: int = -1
    start: int = 0
    end: int = 0
    page: int | None = None
    why: tuple[Candidate, ...] = ()

    @property
    def found(self) -> bool:
        return self.status == FOUND

    @property
    def text(self) -> str:
        """What a table shows: the value, 未写明, or 不明确."""
        return self.value if self.found else (AMBIGUOUS_TEXT if self.status == AMBIGUOUS else UNSTATED_TEXT)

    @property
    def citation(self) -> str:
        if not self.source or self.ordinal < 0:
            return ""
        return SECTION_SEP.join([self.source] + ([f"第{self.page}页"] if self.page else []) + [self.section])

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "status": self.status, "value": self.value, "quote": self.quote,
                "sentence": self.sentence, "section": self.section, "source": self.source, "ordinal": self.ordinal,
                "start": self.start, "end": self.end, "page": self.page, "why": [c.to_dict() for c in self.why]}

    @classmethod
    def from_dict(cls, d: dict) -> "Cell":
        return cls(d["indicator"], d["status"], d.get("value", ""), d.get("quote", ""), d.get("sentence", ""),
                   d.get("section", ""), d.get("source", ""), d.get("ordinal", -1), d.get("start", 0),
                   d.get("end", 0), d.get("page"), tuple(Candidate.from_dict(c) for c in d.get("why", ())))


@dataclass(frozen=True)
class ElementCheck:
    """Whether a report has one of the required parts, where (its section), and how that was seen."""

    element: str
    present: bool
    section: str = ""
    how: str = ""          # heading | sentence | rest (the report's measures, under headings of their own)
    quote: str = ""
    ordinal: int = -1

    def to_dict(self) -> dict:
        return {"element": self.element, "present": self.present, "section": self.section, "how": self.how,
                "quote": self.quote, "ordinal": self.ordinal}

    @classmethod
    def from_dict(cls, d: dict) -> "ElementCheck":
        return cls(d["element"], d["present"], d.get("section", ""), d.get("how", ""), d.get("quote", ""),
                   d.get("ordinal", -1))


@dataclass(frozen=True)
class ReportRow:
    """One report's row of the table: who and when (from the index's metadata), a cell per indicator, the elements."""

    source: str
    meta: ReportMeta
    cells: tuple[Cell, ...]
    elements: tuple[ElementCheck, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    def cell(self, indicator: str) -> Cell:
        return next(c for c in self.cells if c.indicator == indicator)

    def hit(self, indicator: str) -> Hit | None:
        """The cited passage of a filled cell, as a Hit the 原文 viewer opens (its quote highlighted)."""
        cell = self.cell(indicator)
        if cell.ordinal < 0:
            return None
        return Hit(self.source, cell.section, cell.sentence, 0.0, self.meta.region, self.meta.year,
                   title=self.meta.title, years=self.meta.years, chunk_id=f"{self.source}#{cell.ordinal}",
                   start=cell.start, end=cell.end, page=cell.page, quotes=(cell.quote,),
                   region_path=self.meta.region_path, uncertain=self.meta.uncertain, issuer=self.meta.issuer)
