"""The domain records: a Report's metadata, its Chunks, and the Hits and Answers built from them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

SECTION_SEP = " › "
PREAMBLE = "（开篇）"


@dataclass(frozen=True)
class ReportMeta:
    """What a report is about: where, when reported on, by whom.

    ``year_from``..``year_to`` is the period reported on (not the publication date):
    a report covering 2017–2019 and dated 2019-11 has year_from=2017, year_to=2019.
    """

    title: str = ""
    region: str = ""
    region_path: tuple[str, ...] = ()
    issuer: str = ""
    year_from: int | None = None
    year_to: int | None = None
    date: str = ""

    @property
    def year(self) -> int | None:
        return self.year_to

    @property
    def years(self) -> str:
        if self.year_from and self.year_to and self.year_from != self.year_to:
            return f"{self.year_from}–{self.year_to}"
        return str(self.year_to or "")

    def covers(self, year: int) -> bool:
        return self.year_from is not None and self.year_from <= year <= (self.year_to or self.year_from)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["region_path"] = list(self.region_path)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ReportMeta":
        data = dict(data)
        data["region_path"] = tuple(data.get("region_path") or ())
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Chunk:
    """A piece of one section of a report, with its heading path and its span in the file.

    Example:
        >>> Chunk("a.txt", 0, ("一、主要做法",), "正文……", 10, 15).section
        '一、主要做法'
    """

    source: str
    ordinal: int
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    page: int | None = None

    @property
    def section(self) -> str:
        return SECTION_SEP.join(self.path) if self.path else PREAMBLE

    @property
    def id(self) -> str:
        return f"{self.source}#{self.ordinal}"

    def to_dict(self) -> dict:
        data = {"source": self.source, "ordinal": self.ordinal, "path": list(self.path),
                "text": self.text, "start": self.start, "end": self.end}
        if self.page is not None:
            data["page"] = self.page
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        return cls(data["source"], data["ordinal"], tuple(data["path"]), data["text"],
                   data["start"], data["end"], data.get("page"))


@dataclass(frozen=True)
class Report:
    """One ingested report file: its metadata and its chunks."""

    source: str
    meta: ReportMeta
    chunks: tuple[Chunk, ...]
    encoding: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Hit:
    """One retrieved passage. ``quotes`` holds the sentences an answer quoted from it."""

    source: str
    section: str
    text: str
    score: float
    region: str
    year: int | None
    title: str = ""
    years: str = ""
    chunk_id: str = ""
    start: int = 0
    end: int = 0
    page: int | None = None
    quotes: tuple[str, ...] = ()
    dense: float | None = None   # cosine of the dense match, when the dense retriever found it

    @property
    def citation(self) -> str:
        """file › page › section, as shown after each answered point."""
        parts = [self.source] + ([f"第{self.page}页"] if self.page else []) + [self.section]
        return SECTION_SEP.join(parts)


@dataclass(frozen=True)
class Answer:
    """An extractive answer: quoted sentences grouped by report, each followed by its citation.

    ``found`` is False when the reports do not answer the question; ``query`` is the
    standalone query that was searched (after rewriting a follow-up).
    """

    text: str
    citations: list[Hit] = field(default_factory=list)
    found: bool = False
    query: str = ""
    question: str = ""
    filters: str = ""
    reason: str = ""
    confidence: float = 0.0   # share of the question's key words the best quoted sentence covers
