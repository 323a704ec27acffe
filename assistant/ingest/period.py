"""The period a report covers: read from its title or opening words, never from a document name or a date.

《X市法治政府建设实施方案（2016—2020年）》 inside a 2019 report is a planning period, not the year
reported on; a report published in 2023-02 about 2022 reports on 2022.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant import lexicon

_DOCUMENT = re.compile(lexicon.DOCUMENT_NAME)
_PERIOD = re.compile(lexicon.PERIOD_IN_BRACKETS)
_YEAR = re.compile(lexicon.YEAR_IN_TEXT)
_RANGE = re.compile(lexicon.YEAR_RANGE)
_REPORTED_RANGE = re.compile(lexicon.REPORTED_RANGE)
_REPORTED_YEAR = re.compile(lexicon.REPORTED_YEAR)
_DATE = re.compile(lexicon.DATE_CN)
_OPENING_YEAR = re.compile(rf"^({lexicon.YEAR})年(?:度)?(?:[,，以来]|是|我|全|本)")
MAX_SPAN = 10   # a "period" longer than this is a plan's horizon, not what a report covers


@dataclass(frozen=True)
class Period:
    """Years reported on, where they were read (title, intro, body, date) and whether that is certain."""

    year_from: int | None = None
    year_to: int | None = None
    origin: str = ""
    certain: bool = False


def without_document_names(text: str) -> str:
    """Text without 《document names》 and bracketed periods "（2016—2020年）", whose years are not the report's."""
    return _PERIOD.sub(" ", _DOCUMENT.sub(" ", text))


def reported_period(title: str, opening: list[str], body: str, date: str) -> Period:
    """The period a report covers.

    Args:
        title: the report's title ('' when it has none).
        opening: the folded paragraphs before its first heading, title excluded.
        body: the folded text of the whole report.
        date: the date it was signed or published (YYYY-MM-DD), or ''.
    """
    title = without_document_names(title)
    head = without_document_names("\n".join(opening))
    # A period first ("现将2017-2019年…汇报如下" in a report titled "…2019年…"), then a single year.
    for pattern, text, origin in ((_RANGE, title, "title"), (_REPORTED_RANGE, head, "intro")):
        m = pattern.search(text)
        if m and 0 < int(m[2]) - int(m[1]) <= MAX_SPAN:
            return Period(int(m[1]), int(m[2]), origin, True)
    m = _YEAR.search(title) or re.search(rf"({lexicon.YEAR})年?度", title)
    if m:
        return Period(int(m[1]), int(m[1]), "title", True)
    m = _REPORTED_YEAR.search(head)
    if m:
        return Period(int(m[1]), int(m[1]), "intro", True)
    for paragraph in opening[:3]:
        m = _OPENING_YEAR.match(paragraph.strip())
        if m:
            return Period(int(m[1]), int(m[1]), "intro", True)
    issued = int(date[:4]) if date else None
    # Dates ("2023年3月4日") say when, not what about; a tie goes to the year before publication.
    counts = Counter(int(y) for y in _YEAR.findall(_DATE.sub(" ", without_document_names(body))))
    candidates = {y: c for y, c in counts.items() if issued is None or y <= issued}
    if candidates:
        year = max(candidates, key=lambda y: (candidates[y], y != issued, y))
        return Period(year, year, "body", False)
    if issued:
        # Reports are published early in the next year.
        year = issued - 1 if int(date[5:7] or 12) <= 6 else issued
        return Period(year, year, "date", False)
    return Period()
