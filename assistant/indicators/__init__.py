"""指标总览: every standard indicator of every report as a cited table, with the element check (报告要素).

The catalogue and the elements are plain data (catalogue.tsv, elements.tsv); :mod:`.reader` reads the figures,
:mod:`.elements` the required parts, :mod:`.stored` keeps each segment's rows in a file of the segment,
:mod:`.table` assembles, filters and exports the table.

Example:
    >>> row = read_report(report.source, report.meta, report.chunks)      # doctest: +SKIP
    >>> row.cell("review_correction_rate").value, row.cell("review_correction_rate").citation  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Sequence

from assistant.indicators.catalogue import Indicator, indicator, indicators
from assistant.indicators.elements import check_elements
from assistant.indicators.reader import read_cells, sentences
from assistant.indicators.records import Cell, ElementCheck, ReportRow
from assistant.records import Chunk, ReportMeta

__all__ = ["Cell", "ElementCheck", "Indicator", "ReportRow", "indicator", "indicators", "read_report"]


def read_report(source: str, meta: ReportMeta, chunks: Sequence[Chunk]) -> ReportRow:
    """A report's row: a cell per indicator and its element check, read from its chunks."""
    sents = sentences(chunks)
    return ReportRow(source, meta, tuple(read_cells(meta, chunks, sents)), tuple(check_elements(chunks, sents)))
