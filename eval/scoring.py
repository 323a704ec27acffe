"""Answer-level scores for one question: pure functions over a gold Question, an Answer and the reports' truth.

They measure what users meet: the region answered about, every item of a list, every row of a
comparison, an honest "未写明", the figure in the first line, and no number that the cited text
does not hold.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.regions import autonomous_alias, gazetteer, short_name
from assistant.records import Answer
from assistant.text import normalize
from eval.gold import Question

NOT_STATED = "未写明"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CITATION_MARK = re.compile(r"\[\d+\]")
# Counts of what an answer shows ("列出了4项", "共有3份报告", "5份报告中，4份写明"): not figures of a report.
_SHOWN_COUNTS = re.compile(r"列出了\d+项|共有\d+份报告|\d+份报告中|\d+份(?:未)?写明")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


@dataclass(frozen=True)
class Truth:
    """What a report really is, written by hand beside the reports (``truth.jsonl``)."""

    source: str
    region_path: tuple[str, ...]
    level: str
    year_from: int | None
    year_to: int | None
    issuer: str
    title: str


def load_truth(path: Path) -> dict[str, Truth]:
    """``truth.jsonl``: one line per report file; {} when there is no such file."""
    path = Path(path)
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        year_to = row.get("year_to", row.get("year"))
        out[row["source"]] = Truth(row["source"], tuple(row["region_path"]), row.get("level", ""),
                                   row.get("year_from", year_to), year_to, row.get("issuer", ""), row.get("title", ""))
    return out


def fold(text: str) -> str:
    """Fold for comparing gold strings with answers: normalised, no whitespace."""
    return re.sub(r"\s+", "", normalize(text or ""))


def label_checks(meta, truth: Truth) -> dict[str, bool]:
    """Which of a report's labels (a ReportMeta) agree with its truth line: region (the same place, with no
    parent the truth lacks), level, years and issuer."""
    return {"region": bool(meta.region_path) and meta.region_path[-1] == truth.region_path[-1]
            and set(meta.region_path) <= set(truth.region_path),
            "level": getattr(meta, "level", "") == truth.level,
            "year": (meta.year_from, meta.year_to) == (truth.year_from, truth.year_to),
            "issuer": same_issuer(meta.issuer, truth.issuer, truth.region_path)}


def same_issuer(got: str, truth: str, region_path: tuple[str, ...]) -> bool:
    """The same body, named with or without its parent region: 黄山区人民政府 = 黄山市黄山区人民政府; of two
    bodies issuing together ("中共X街道工作委员会、X街道办事处"), either."""
    parts = [p for p in re.split(r"、", got or "") if p]
    if len(parts) > 1 and any(_same_body(p, truth, region_path) for p in parts):
        return True
    return _same_body(got, truth, region_path)


def _same_body(got: str, truth: str, region_path: tuple[str, ...]) -> bool:
    a, b = fold(got), fold(truth)
    if not a or not b:
        return a == b
    short, long = sorted((a, b), key=len)
    if short == long or (long.endswith(short) and long[:-len(short)] in "".join(region_path)):
        return True
    # "州生态环境局" = "恩施州生态环境局" = "恩施土家族苗族自治州生态环境局": the same body of the same place, its
    # place named in full, short or as its level word only (but 湖北省人民政府 is not 恩施州人民政府).
    core_a, core_b = _issuer_core(a, region_path), _issuer_core(b, region_path)
    return bool(core_a[0]) and core_a[0] == core_b[0] and core_a[1] and core_b[1]


def _place_forms(name: str) -> set[str]:
    forms = {name, short_name(name) or name, autonomous_alias(name) or name}
    if short_name(name) and autonomous_alias(name):
        forms.add(short_name(name) + autonomous_alias(name)[-1])
    return forms


def _issuer_core(issuer: str, region_path: tuple[str, ...]) -> tuple[str, bool]:
    """(the issuer without the names of its places in front, whether the last place so named is the region
    itself or a bare level word): "恩施州生态环境局" → ("生态环境局", True)."""
    levels = {"省", "市", "州", "县", "区", "旗", "盟", "中华人民共和国"}
    own = _place_forms(region_path[-1]) | levels if region_path else levels
    forms = set(own) | {"中共"}
    for name in region_path:
        forms |= _place_forms(name)
    ordered = sorted(forms, key=len, reverse=True)
    core, last, changed = issuer, "", True
    while changed:
        changed = False
        for form in ordered:
            if form and core.startswith(form) and len(core) > len(form) + 1:
                core, last, changed = core[len(form):], form, True
                break
    return core, (not last or last in own)


def asked_path(q: Question, truth: dict[str, Truth]) -> tuple[str, ...] | None:
    """The region a question is about: its ``asked`` field, else the one region all its gold reports share
    (for gold files written before ``asked`` existed). None for questions about several regions."""
    if q.asked:
        return q.asked
    if q.type in ("places", "compare", "cross-report") or not q.gold:
        return None
    paths = {truth[g.source].region_path for g in q.gold if g.source in truth}
    return paths.pop() if len(paths) == 1 else None


def wrong_region(q: Question, answer: Answer, truth: dict[str, Truth]) -> bool:
    """A found answer that cites a report of another region than the one asked about.

    An answer whose first line says that the report cited is of another or uncertain region is
    not silent about it and does not count.
    """
    asked = asked_path(q, truth)
    if not answer.found or asked is None:
        return False
    if answer.notices and any("地区" in n for n in answer.notices):
        return False
    cited = {h.source for h in answer.citations}
    # "甘肃的几份报告里…各多少": a comparison or a places question over a region asks about every place in it.
    # So does a turn whose gold spans several reports ("关坝镇和通城镇…分别…", asked as their 重庆市).
    within = q.type in ("compare", "places") or len({g.source for g in q.gold}) > 1
    return any(s in truth and truth[s].region_path != asked
               and not (within and tuple(truth[s].region_path[:len(asked)]) == tuple(asked)) for s in cited)


def list_share(q: Question, answer: Answer) -> float:
    """The share of the report's list items the answer quotes (1.0 when the question has no items)."""
    if not q.items:
        return 1.0
    body = fold(answer_body(answer))
    return sum(fold(item) in body for item in q.items) / len(q.items)


def rows_right(q: Question, answer: Answer) -> tuple[int, int]:
    """(rows right, rows in scope) of a comparison: each report's figure in its row, or 未写明 where the
    report gives none. A report missing from the table is a wrong row."""
    table = {row.source: row for row in (answer.table.rows if answer.table else ())}
    right = 0
    for gold in q.rows:
        row = table.get(gold.source)
        if row is None:
            continue
        if gold.value is None:
            right += NOT_STATED in row.value
        else:
            right += fold(gold.value) in fold(row.value)
    return right, len(q.rows)


def says_not_stated(q: Question, answer: Answer) -> bool:
    """A not-stated question answered honestly: the answer says the figure is not given (未写明) and
    cites a report the question is about."""
    gold = {g.source for g in q.gold}
    first = answer.lead or (answer.notices[0] if answer.notices else "")
    return NOT_STATED in first and (not gold or any(h.source in gold for h in answer.citations))


def figure_in_lead(q: Question, answer: Answer) -> bool:
    """The exact figure asked for is stated in the answer's first line."""
    return bool(q.answer) and answer.found and fold(q.answer) in fold(answer.lead)


def empty_found(answer: Answer) -> bool:
    """A found answer without a quote or without a citation."""
    return answer.found and (not any(p.quotes for p in answer.points) or not answer.citations)


def unsupported_numbers(answer: Answer, question_text: str = "") -> list[str]:
    """Numbers in the lead line, points and table cells that no cited passage holds. Years named as labels
    (the question's, the cited reports' own) are labels, not figures; counts of the items or reports the
    answer shows are not figures either."""
    if not answer.found:
        return []
    cited = fold(" ".join(h.section + " " + h.text for h in answer.citations))
    labels = set(_NUMBER.findall(fold(question_text)))
    for h in answer.citations:
        labels.update(_NUMBER.findall(h.years or ""))
    out = []
    shown = _CITATION_MARK.sub(" ", _SHOWN_COUNTS.sub(" ", fold(answer_body(answer))))
    for number in _NUMBER.findall(shown):
        if number in cited or (number in labels and _YEAR.match(number)):
            continue
        out.append(number)
    return out


def answer_body(answer: Answer) -> str:
    """What an answer asserts: lead, quoted points and table cells (not headings or the source list)."""
    parts = [answer.lead] + [p.heading for p in answer.points] + [q for p in answer.points for q in p.quotes]
    if answer.table:
        parts += [r.value for r in answer.table.rows] + [q for r in answer.table.rows for q in r.quotes]
    return "\n".join(parts)


def answer_right(q: Question, answer: Answer) -> bool:
    """The answer a user needs: not found for a negative, 未写明 for a not-stated figure, the exact figure
    for a figure question, every gold report for places, the rows for a comparison, else a gold report cited."""
    gold = {g.source for g in q.gold}
    cited = {h.source for h in answer.citations}
    if q.negative:
        return not answer.found
    if q.type == "not-stated":
        return says_not_stated(q, answer)
    if not answer.found or not cited & gold:
        return False
    if q.type == "places":
        return gold <= cited
    if q.type == "compare":
        right, total = rows_right(q, answer)
        return right == total
    if q.answer:
        return fold(q.answer) in fold(answer_body(answer))
    return True


def place_is_real(name: str, truth: Truth | None = None) -> bool:
    """Whether a ``places`` entry names a real place: listed in the gazetteer (provinces to towns, and the
    names units had since 2014), or a place of the report's own truth path (a zone the gazetteer lacks).
    "年静海区", "面依法治区", "通过区" are not."""
    if name in gazetteer()[0]:
        return True
    path = truth.region_path if truth else ()
    return name in path or name in {a + b for a, b in zip(path, path[1:])}
