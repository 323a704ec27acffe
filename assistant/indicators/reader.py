"""Read a report's standard indicators: for each, the figure its words name, as a scored choice over evidence.

A figure is a number with a unit (``215件``, ``5.9%``, ``120 余场次``). Each clause is cut at commas and at a
"、" that opens another figure ("99.87%事项实现“马上可办”、99.96%事项实现“网上可办”"), and each figure in it
gets its *own words*: the text between it and the figure before it. An indicator takes a figure when

- one of its words names it: ends right before it ("纠错率5.9%") or starts right after it ("1198项政务服务事项");
- its field is in the clause, the sentence or the section heading (a 行政诉讼 count is not a 行政复议 count);
- none of its *not* words is in the figure's own words (出庭应诉案件 is not 案件数, 马上可办 is not 网上可办);
- it is no target (力争…), no other year's figure ("2021年纠错率为37.5%"), and no part after 其中.

The best candidate fills the cell; a close second with another value makes the cell 不明确 (both kept in
``why``). Every candidate keeps its reasons, so a reader can print why a figure won.

Example:
    >>> from assistant.records import Chunk, ReportMeta
    >>> c = Chunk("a.txt", 0, ("一、主要举措和成效",), "2022年审结行政复议案件17件，纠错率5.9%。", 0, 24)
    >>> read_cells(ReportMeta(year_from=2022, year_to=2022), [c])[2].value
    '5.9%'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from assistant import lexicon
from assistant.indicators.catalogue import Indicator, indicators
from assistant.indicators.records import AMBIGUOUS, FOUND, UNSTATED, Candidate, Cell
from assistant.records import Chunk, ReportMeta
from assistant.text import normalize, simplified, split_sentences

READER_VERSION = "1"      # stored with each segment's table: a table read by another version is read again

# "第20个" is an ordinal, never a quantity.
_NUMBER = r"(?<![\d.,第])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_MAX_BEFORE = 16          # characters between a figure's word and the figure ("备案审查设区市政府和省直部门规范性文件312件")
_MAX_AFTER = 8            # characters between a figure and the word after it ("99.96%事项实现“网上可办”")
_TIE = 0.15               # a second value this close to the best makes the cell 不明确
_CLAUSE_END = re.compile(r"[，；;。！？!?：:]|(?<!\d),|,(?!\d{3}(?!\d))|[(（]|、(?=\d)")
_YEAR = re.compile(lexicon.YEAR_IN_TEXT)


def _units() -> tuple[str, ...]:
    every = set(lexicon.FIGURE_UNITS) | {u for i in indicators() for u in i.units}
    return tuple(sorted(every, key=len, reverse=True))


def _figure_pattern() -> re.Pattern:
    units = "|".join(re.escape(u) for u in _units())
    return re.compile(rf"({_NUMBER})\s*(万|亿)?\s*(?:余|多)?\s*({units})")


_FIGURE = _figure_pattern()
# "已受理法律援助案件104": a count whose unit the text lost, right after the word it counts, at a clause's end.
_BARE_COUNT = re.compile(r"(?<=案件)(\d{1,6})(?![\d.%年月日号])\s*$")


def fold(text: str) -> str:
    """Fold for matching, keeping every character where it is (so offsets map back to the report's text):
    full-width to half-width one character at a time, traditional to simplified only when lengths agree."""
    chars = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        chars.append(n if len(n) == 1 else ch)
    out = "".join(chars)
    simple = simplified(out)
    return simple if len(simple) == len(out) else out


@dataclass(frozen=True)
class _Figure:
    clause: str           # folded clause
    start: int            # of the figure in the sentence
    end: int
    unit: str
    before: str           # the clause's text from the figure before it (or the clause start) to this figure
    after: str            # from this figure to the next one (or the clause end)
    earlier: str          # the sentence before this clause


@dataclass(frozen=True)
class _Sentence:
    chunk: Chunk
    text: str             # the report's characters
    folded: str
    section: str          # folded heading path
    years: tuple = ()     # a table row under a header of years: (column, year) of that header


_YEAR_CELL = re.compile(rf"^\s*({lexicon.YEAR})\s*年?度?\s*$")


def _year_header(folded: str) -> tuple:
    """(column, year) of a table header row whose cells are years ("指标 | 2021年 | 2022年"), else ()."""
    cells = folded.split("|")
    years = tuple((i, int(m[1])) for i, c in enumerate(cells) if (m := _YEAR_CELL.match(c)))
    return years if years and len(years) >= len(cells) - 1 else ()


def sentences(chunks: Sequence[Chunk]) -> list[_Sentence]:
    """Every sentence of a report once (chunks overlap by a sentence), in reading order."""
    seen, out = set(), []
    for chunk in chunks:
        section = normalize(chunk.section)
        header: tuple = ()
        for a, b in split_sentences(chunk.text):
            text = chunk.text[a:b]
            folded = fold(text)
            if "|" in folded:
                header = _year_header(folded) or header
            else:
                header = ()
            key = re.sub(r"\s+", "", folded)
            if key in seen:
                continue
            seen.add(key)
            out.append(_Sentence(chunk, text, folded, section, header if "|" in folded else ()))
    return out


def _table_figures(sent: _Sentence, years: set[int]) -> list[_Figure]:
    """The figure of a table row in the column of the report's year (else the latest year): "行政复议纠错率 |
    9.3% | 7.1%" under "指标 | 2021年 | 2022年" is 7.1% in a 2022 report, never 9.3%."""
    if not sent.years or _year_header(sent.folded):
        return []
    wanted = [c for c, y in sent.years if y in years] or [max(sent.years, key=lambda cy: cy[1])[0]]
    bounds = [0] + [m.end() for m in re.finditer(r"\|", sent.folded)] + [len(sent.folded) + 1]
    column = wanted[0]
    if column + 1 >= len(bounds):
        return []
    start, end = bounds[column], bounds[column + 1] - 1
    label = sent.folded[:bounds[1] - 1].strip()
    m = _FIGURE.search(sent.folded, start, end)
    if not m:
        return []
    return [_Figure(f"{label} {sent.folded[start:end].strip()}", m.start(), m.end(), m[3], label + " ", "", "")]


def _clauses(folded: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(folded):
        cut = m.start() if m.group() in "(（" else m.end()
        if cut > start:
            spans.append((start, cut))
        start = cut
    if start < len(folded):
        spans.append((start, len(folded)))
    return spans


def figures(folded: str) -> list[_Figure]:
    """Every figure of a (folded) sentence, with its own words before and after it."""
    out = []
    for a, b in _clauses(folded):
        clause = folded[a:b]
        found = [(m.start(), m.end(), m[3]) for m in _FIGURE.finditer(clause)]
        bare = _BARE_COUNT.search(clause.rstrip(" ，,；;。"))
        if bare and not any(s <= bare.start() < e for s, e, _ in found):
            found.append((bare.start(), bare.end(), ""))
        found.sort()
        for k, (s, e, unit) in enumerate(found):
            prev_end = found[k - 1][1] if k else 0
            next_start = found[k + 1][0] if k + 1 < len(found) else len(clause)
            out.append(_Figure(clause, a + s, a + e, unit, clause[prev_end:s], clause[e:next_start], folded[:a]))
    return out


_QUOTES = re.compile(r"[“”\"‘’「」『』]")


def _bind(ind: Indicator, fig: _Figure) -> tuple[str, int, str] | None:
    """The indicator's word naming the figure: (word, gap, "before"|"after"), nearest first; None if none does.
    Quote marks inside a name do not part it (“一网通办”率 is 一网通办率)."""
    best = None
    before, after = _QUOTES.sub("", fig.before), _QUOTES.sub("", fig.after)
    for word in ind.words:
        at = before.rfind(word)
        if at >= 0:
            gap = len(before) - (at + len(word))
            if gap <= _MAX_BEFORE and (best is None or gap < best[1]):
                best = (word, gap, "before")
        at = after.find(word)
        if 0 <= at <= _MAX_AFTER and (best is None or at < best[1]):
            best = (word, at, "after")
    return best


def _judge(ind: Indicator, fig: _Figure, sent: _Sentence, years: set[int]) -> Candidate | None:
    """Weigh one figure for one indicator: a Candidate with its score and reasons, or None when no word names it."""
    unit = fig.unit or ("件" if "件" in ind.units else "")
    if unit not in ind.units:
        return None
    bound = _bind(ind, fig)
    if bound is None:
        return None
    word, gap, side = bound
    own = _QUOTES.sub("", fig.before) + (_tail(_QUOTES.sub("", fig.after), gap + len(word)) if side == "after" else "")
    value = sent.folded[fig.start:fig.end]
    reasons = [f"“{word}”在数字{'前' if side == 'before' else '后'}（相隔{gap}字）"]
    score = 2.0 + min(len(word), 6) / 6 - 0.04 * gap
    refused = []
    if ind.context:
        where, word_at = next(((name, k) for name, text in (("分句", fig.clause), ("句子", sent.folded),
                                                            ("标题", sent.section))
                               for k, c in enumerate(ind.context) if c in text), ("", 0))
        if not where:
            refused.append(f"分句、句子和标题都没有“{'/'.join(ind.context)}”")
        else:
            reasons.append(f"领域词“{ind.context[word_at]}”在{where}")
            # The catalogue lists a field's words most specific first: 人民调解 says more than 调解.
            score += {"分句": 1.0, "句子": 0.6, "标题": 0.5}[where] - (0.2 if word_at else 0.0)
    not_word = next((w for w in ind.not_words if w in own), "")
    if not_word:
        refused.append(f"数字自己的词里有“{not_word}”：是别的指标")
    target = next((w for w in lexicon.INDICATOR_TARGETS if w in own), "")
    if target:
        refused.append(f"“{target}”：是目标或要求，不是结果")
    other_years = {int(y) for y in _YEAR.findall(own)} - years
    if years and other_years:
        refused.append(f"说的是{min(other_years)}年")
    if not ind.rate and _part_of(sent.folded, fig):
        refused.append("在“其中”之后：是前一个数字的分项")
    total = next((w for w in lexicon.INDICATOR_TOTALS if w in own), "")
    if total and not ind.rate:
        score += 0.3
        reasons.append(f"“{total}”：是总数")
    if ind.rate and side == "before" and word.endswith("率"):
        score += 0.5          # "网办率达100%" names its figure more surely than "80%的事项实现全程网办"
    if side == "after" and ind.rate and fig.before.strip() and any(w in fig.before for w in ind.words):
        score -= 0.3
    if refused:
        return Candidate(value.strip(), -1.0, tuple(reasons + refused), fig.clause.strip(" ，,；;。"))
    return Candidate(value.strip(), score, tuple(reasons), fig.clause.strip(" ，,；;。"))


_RATE_NAME = re.compile(r"[\u4e00-\u9fff]{1,4}率")


def _tail(after: str, end: int) -> str:
    """A figure's words after it: up to its word, and a few characters more ("1361项政务服务事项“移动查…"),
    but not the name of the rate that follows ("1198项政务服务事项网办率达100%")."""
    text = after[:end + 6]
    rate = _RATE_NAME.search(text, end)
    return text[:rate.start()] if rate else text


def _part_of(folded: str, fig: _Figure) -> bool:
    """Whether the figure is a part listed after 其中 of a figure with the same unit before it."""
    head = folded[:fig.start]
    at = max(head.rfind(w) for w in lexicon.INDICATOR_BREAKDOWN)
    if at < 0:
        return False
    whole = [f for f in figures(folded) if f.end <= at]
    return bool(whole) and (whole[-1].unit or "件") == (fig.unit or "件")


_NONE = re.compile("|".join(map(re.escape, lexicon.NONE_HAPPENED)))


def _none_happened(ind: Indicator, sent: _Sentence) -> list[tuple[Candidate, _Figure]]:
    """"未发生行政复议案件": a count the report states as none. The indicator's word must follow the none-word in
    its clause (with the field's word), and none of its *not* words ("未发生行政复议被纠错案件" is no count of
    cases). Scored below any figure, so a stated figure always wins."""
    if "件" not in ind.units:
        return []
    out = []
    for a, b in _clauses(sent.folded):
        clause = sent.folded[a:b]
        m = _NONE.search(clause)
        if not m or _FIGURE.search(clause):
            continue
        rest = _QUOTES.sub("", clause[m.start():])
        word = next((w for w in ind.words if w in rest and "案件" in rest), "")
        if not word or (ind.context and not any(c in rest for c in ind.context)):
            continue
        if any(w in rest for w in ind.not_words):
            continue
        end = clause.find("案件", m.end())
        if end < 0:
            continue
        start, stop = a + m.start(), a + end + 2
        fig = _Figure(clause, start, stop, "", clause[:m.start()], clause[end + 2:], sent.folded[:a])
        cand = Candidate(sent.folded[start:stop], 1.5, (f"“{m[0]}”：报告写明没有发生（“{word}”）",), clause.strip(" ，,；;。"))
        out.append((cand, fig))
    return out


def _cell(ind: Indicator, found: list[tuple[Candidate, _Sentence, _Figure]]) -> Cell:
    accepted = [x for x in found if x[0].score > 0]
    why = tuple(c for c, _, _ in sorted(found, key=lambda x: -x[0].score))[:8]
    if not accepted:
        return Cell(ind.id, UNSTATED, why=why)
    # Best first; among equals the earliest (reports state the headline figure first).
    order = sorted(range(len(accepted)), key=lambda i: (-accepted[i][0].score, i))
    best, sent, fig = accepted[order[0]]
    rivals = [accepted[i] for i in order[1:] if accepted[i][0].score >= best.score - _TIE
              and _squeeze(accepted[i][0].value) != _squeeze(best.value)]
    chunk = sent.chunk
    quote = sent.text[_clause_span(sent, fig)[0]:_clause_span(sent, fig)[1]].strip(" ，,；;。")
    value = sent.text[fig.start:fig.end].strip()
    status = AMBIGUOUS if rivals else FOUND
    return Cell(ind.id, status, value if status == FOUND else "", quote, sent.text.strip(), chunk.section,
                chunk.source, chunk.ordinal, chunk.start, chunk.end, chunk.page, why)


def _clause_span(sent: _Sentence, fig: _Figure) -> tuple[int, int]:
    for a, b in _clauses(sent.folded):
        if a <= fig.start < b:
            return a, b
    return fig.start, fig.end


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_cells(meta: ReportMeta, chunks: Sequence[Chunk], sents: list[_Sentence] | None = None) -> list[Cell]:
    """One Cell per catalogue indicator for a report (its metadata and chunks), in catalogue order."""
    sents = sentences(chunks) if sents is None else sents
    years = set(range(meta.year_from, (meta.year_to or meta.year_from) + 1)) if meta.year_from else set()
    found: dict[str, list] = {ind.id: [] for ind in indicators()}
    for sent in sents:
        if _NONE.search(sent.folded):
            for ind in indicators():
                found[ind.id].extend((cand, sent, fig) for cand, fig in _none_happened(ind, sent))
        if not any(ch.isdigit() for ch in sent.folded):
            continue
        for fig in (_table_figures(sent, years) if sent.years else figures(sent.folded)):
            for ind in indicators():
                cand = _judge(ind, fig, sent, years)
                if cand is not None:
                    found[ind.id].append((cand, sent, fig))
    return [_cell(ind, found[ind.id]) for ind in indicators()]
