"""Score the 指标总览 against gold tables written by reading the reports (eval/indicators/*.jsonl).

A gold line is one report: ``{"source", "split", "cells": {indicator id: value | null | {"value", "accept"}},
"elements": {element id: true | false}}``. ``value`` is the figure as the report writes it (spaces aside), null
when the report does not state it; ``accept`` lists other answers a careful reader could defend (null in it: 未写明
is also right). Scores:

- cell precision: filled cells whose value is the gold value (or an accepted one);
- cell recall: of the cells the gold states, those filled with the right value;
- 未写明 right: of the cells left 未写明 or 不明确, those the gold allows to be empty;
- element check right: parts marked present/missing as the gold says;
- verbatim: filled cells whose value is in their quote and whose quote is in the cited passage.
"""
from __future__ import annotations

import json
import re
from pathlib import Path


def load_gold(path: Path, part: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if part is None or r.get("split", "tune") == part]


def _squeeze(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", "", text)


def acceptable(gold) -> set:
    """The answers a gold cell allows (None: 未写明)."""
    if isinstance(gold, dict):
        return {_squeeze(gold.get("value"))} | {_squeeze(v) for v in gold.get("accept", [])}
    return {_squeeze(gold)}


def stated(gold) -> bool:
    return (gold.get("value") if isinstance(gold, dict) else gold) is not None


def _ratio(good: int, n: int) -> float | None:
    return good / n if n else None


def indicator_scores(bot, gold_rows: list[dict], show_failures: bool = True) -> dict:
    """Every figure of the indicator table against ``gold_rows`` (reports missing from the index are named)."""
    table = {row.source: row for row in bot.indicators().rows}
    filled = filled_right = stated_n = stated_right = empty = empty_right = 0
    elements = elements_right = verbatim = 0
    failures, missing = [], []
    for gold in gold_rows:
        row = table.get(gold["source"])
        if row is None:
            missing.append(gold["source"])
            continue
        for cell in row.cells:
            if cell.indicator not in gold["cells"]:
                continue
            want = gold["cells"][cell.indicator]
            ok_values = acceptable(want)
            got = _squeeze(cell.value) if cell.found else None
            right = got in ok_values
            if cell.found:
                filled += 1
                filled_right += right
                passage = bot.store.chunks[bot.store.files[row.source].first + _local(bot, row.source, cell.ordinal)].text
                verbatim += cell.value in cell.quote and cell.quote in passage
            else:
                empty += 1
                empty_right += right
            if stated(want):
                stated_n += 1
                stated_right += cell.found and right
            if not right:
                failures.append({"source": row.source, "indicator": cell.indicator, "got": cell.text,
                                 "gold": want, "quote": cell.quote})
        for check in row.elements:
            if check.element in gold.get("elements", {}):
                elements += 1
                right = check.present == gold["elements"][check.element]
                elements_right += right
                if not right:
                    failures.append({"source": row.source, "element": check.element, "got": check.present,
                                     "section": check.section})
    return {"reports": len(gold_rows) - len(missing), "missing": missing,
            "cells": filled + empty, "filled": filled, "precision": _ratio(filled_right, filled),
            "stated": stated_n, "recall": _ratio(stated_right, stated_n),
            "unstated": empty, "unstated_right": _ratio(empty_right, empty),
            "elements": elements, "elements_right": _ratio(elements_right, elements),
            "verbatim": _ratio(verbatim, filled), "failures": failures if show_failures else len(failures)}


def _local(bot, source: str, ordinal: int) -> int:
    """The row offset of a report's chunk ``ordinal`` among the report's rows."""
    entry = bot.store.files[source]
    for k in range(entry.count):
        if bot.store.chunks[entry.first + k].ordinal == ordinal:
            return k
    raise ValueError(f"{source} has no chunk {ordinal}")
