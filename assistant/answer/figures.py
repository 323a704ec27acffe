"""Figures in report text, and where a report states the measure a question asks about.

A figure is a number with its unit as the report writes it ("215件", "5.9%", "1.86万件"). A report
states a measure when one clause holds the measure's name (纠错率) or the question's topic words
(行政复议, 申请) together with a figure of the asked kind: "划转行政编制3个" is not a case count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.records import Hit
from assistant.search import cues
from assistant.search.question import Question
from assistant.text import display, normalize, split_sentences

_UNITS = "|".join(re.escape(u) for u in lexicon.FIGURE_UNITS)
FIGURE = re.compile(rf"(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万|亿)?(?:余|多)?\s*({_UNITS})")
# Clauses end at these marks, but not at the comma of a figure's thousands ("307,695万元").
_CLAUSE = re.compile(r"(?:[^，,；;。！？!?：:]|(?<=\d),(?=\d{3}))+[，,；;。！？!?：:]?")
_ASK_WORDS = re.compile(rf"(?:是|有|为|达到|达)?(?:多少|几)(?:{_UNITS})?|"
                        r"多高|多大|如何|怎么样|有没有|吗|呢|[?？]|各地|各区县?|分别|各自|比较|对比|相比|哪些地方|都|"
                        r"(?:(?:的|这)?几份)?报告里[,，]?|(?:的|这)?几份报告|各(?=多少|有|是)|"
                        r"这(?:两|几|三)(?:年|个地方|个地区|个)?|近(?:两|三|几)年|这些地方")
_RATE_CORES = tuple(sorted((m for m in lexicon.METRICS if m.endswith(("率", "度"))), key=len))


@dataclass(frozen=True)
class Statement:
    """A clause of a passage that states the figure asked for."""

    hit: Hit
    sentence: str     # the whole sentence, as in the report
    clause: str       # the clause holding the figure, as in the report
    value: str        # the figure with its unit ("5.9%"), or what the clause says instead ("未发生行政复议案件")
    score: float
    lead: str = ""    # how a first line states it, where the clause alone would not (a table cell)


def asked_units(question: Question) -> tuple[str, ...]:
    """The units a figure question accepts: "多少件" → 件 (and 起, 宗, 例); a rate → %; () for any."""
    text = question.topic.text or question.text
    if metric_core(question.metric).endswith(("率", "度")) or any(w in text for w in lexicon.RATE_ASKED):
        return ("%", "‰")
    # "多少次" before "几份报告里…": 几 asks for a count only when no 多少 does, and never of reports.
    m = re.search(rf"多少({_UNITS})", text) or re.search(rf"几({_UNITS})(?!报告)", text)
    if m:
        return lexicon.ASKED_UNITS.get(m[1], (m[1],))
    for word, unit in lexicon.UNIT_WORDS.items():
        if word in text and unit:
            return lexicon.ASKED_UNITS.get(unit, (unit,))
    # "多少执法人员": the thing counted says the unit (人), where no unit word does.
    m = re.search(r"(?:多少|几)([\u4e00-\u9fff]{0,8})", text)
    if m:
        unit = next((u for noun, u in cues.COUNTED_NOUNS.items() if m[1].endswith(noun)), "")
        if unit:
            return lexicon.ASKED_UNITS.get(unit, (unit,))
    return ()


def metric_core(metric: str) -> str:
    """The shortest name of a rate that a report would write (行政复议纠错率 → 纠错率); '' for a count
    ("案件数" is never written as such: the unit and the topic words find it)."""
    known = next((m for m in _RATE_CORES if metric.endswith(m)), "")
    return known or (metric if metric.endswith(("率", "度")) else "")


def asked_thing(question: Question) -> str:
    """What a figure question asks for, in words for "报告未写明…": the measure, or the topic without its
    asking words ("行政复议案件有多少件" → "行政复议案件的数字")."""
    if question.metric.endswith(("率", "度")):
        return question.metric
    thing = _ASK_WORDS.sub("", question.topic.text).strip(" ,，的")
    thing = re.sub(r"^(?:的|在|了)+", "", thing)
    return f"{thing}的具体数字" if thing else "相关数字"


def figures(text: str) -> list[re.Match]:
    """Every figure in ``text`` with a unit; bare years are not figures."""
    return list(FIGURE.finditer(text))


def statements(question: Question, hits: list[Hit], ranked: bool = True) -> list[Statement]:
    """Clauses of ``hits`` that state the figure asked for, best first. ``ranked``: the hits are best first
    (retrieved), so a later one counts a little less; otherwise they are a report in reading order."""
    core = metric_core(question.metric)
    units = asked_units(question)
    terms = [t for t in question.terms if t not in lexicon.FIGURE_WORDS and t != core and not t.isdigit()]
    # The kind of case a question names (行政复议, 法律援助) must be the sentence's (or its section's): a
    # 行政诉讼 count is not a 行政复议 count.
    # Only kinds the question itself names: a synonym ("调解" → "人民调解") must not demand its own word.
    anchors = [] if core else [t for t in terms if t in lexicon.CASE_FIELDS and t in question.text]
    fields = [f for f in lexicon.CASE_FIELDS if f in question.text]
    verbs = [v for v in lexicon.COUNT_VERBS if v in question.text]
    scopes = {k for w, k in lexicon.SCOPE_WORDS.items() if w in question.text}
    # The thing counted, where its unit is the one asked ("几个城市的报告里…多少人" counts 人, not 城市).
    counted = next((m[2] for m in _COUNTED.finditer(question.text) if not units or m[1] in units), "")
    out = []
    for position, hit in enumerate(hits):
        rank = position if ranked else 0
        out.extend(_table_cells(question, hit, rank, terms, units))
        for a, b in split_sentences(hit.text):
            sentence = hit.text[a:b]
            if "|" in sentence:
                continue   # table rows: read by column above
            folded_sentence = normalize(sentence)
            # "一是全面推进“市县同权”改革。…办件数达8793件": the item's lead sentence heads what follows it.
            context = folded_sentence + normalize(hit.section) + normalize(_item_lead(hit.text, a))
            if any(a not in folded_sentence for a in anchors) and not all(
                    a in context for a in anchors):
                continue
            if _other_scope(folded_sentence, scopes):
                continue   # a sentence about the 全国 honours states no 省级 count in any of its clauses
            if not all(q in context for q in question.quoted):
                continue   # “法律明白人”: not any 法律 figure
            for clause in _CLAUSE.findall(sentence):
                folded = normalize(clause)
                if _other_scope(folded, scopes):
                    continue   # "全国…示范村" does not state the 省级 ones
                written = _written_core(folded, core)   # 合格率 written as 通过率
                if core and written not in folded and not _rate_before(folded, core):
                    continue
                named = [f for f in lexicon.CASE_FIELDS if f in folded]
                if fields and named and not set(named) & set(fields):
                    continue
                value = _value(folded, written, units, question.text, terms)
                if not value or _counts_another(folded, value, counted):
                    continue
                got = sum(t in folded for t in terms) + 0.5 * sum(t in context and t not in folded for t in terms)
                if terms and got == 0 and not core:
                    continue
                score = (2.0 if core and (written in folded or _rate_before(folded, core)) else 0.0) + got / max(len(terms), 1) - 0.05 * rank
                # "审结行政复议案件17件" beats "行政复议案件邮件申请8件", and "15项行政许可事项" beats "6家部门":
                # the figure right next to the asked words.
                score += _nearness(folded, value, terms)
                if verbs:
                    said = [v for v in lexicon.COUNT_VERBS if v in folded]
                    score += 1.0 if set(said) & set(verbs) else (-0.5 if said else 0.0)
                if any(w in folded for w in lexicon.TARGET_WORDS):
                    score -= 1.5
                if folded.lstrip().startswith("其中") and "其中" not in question.text:
                    score -= 1.0   # "共制定计划4个,其中3个为联合检查": the part is not the whole asked for
                out.append(Statement(hit, display(sentence), display(clause).strip(" ，,；;。！？"), value, score))
    # Best first; among equals the earliest clause (reports state the headline count first).
    return sorted(out, key=lambda s: -s.score)


_LABEL_UNIT = re.compile(rf"[（(]\s*({_UNITS})\s*[)）]\s*$")
_BARE_NUMBER = re.compile(r"^\s*\d[\d,]*(?:\.\d+)?\s*$")
_BARE_COUNT = re.compile(r"(?:案件|申请|案)(\d{1,6})(?![\d.%年月日号万])\s*$")
_YEAR_CELL = re.compile(rf"^\s*({lexicon.YEAR})\s*年?(?:度)?\s*$")


def _table_cells(question: Question, hit: Hit, rank: int, terms: list[str], units: tuple[str, ...]) -> list[Statement]:
    """Figures in a table kept as rows ("指标 | 2022年 | 2023年" / "行政复议收案 | 118件 | 156件"): the cell of
    the year asked (else the latest year) in the row whose label names the question's words."""
    lines = [ln for ln in hit.text.split("\n") if ln.count("|") >= 1]
    header: dict[int, int] = {}
    out = []
    for line in lines:
        cells = [c.strip() for c in line.split("|")]
        years = {i: int(m[1]) for i, c in enumerate(cells) if (m := _YEAR_CELL.match(normalize(c)))}
        if len(years) >= 1 and len(years) >= len(cells) - 1:
            header = years
            continue
        if not header:
            continue
        label = normalize(cells[0])
        got = sum(t in label for t in terms)
        core = metric_core(question.metric)
        if (core and core not in label) or (not core and got == 0):
            continue
        wanted = [i for i, y in header.items() if y in question.year_values] or [max(header, key=header.get)]
        column = wanted[0]
        if column >= len(cells):
            continue
        cell = normalize(cells[column])
        # "行政复议纠错率（%） | 11.2 | 13.5": the row's label gives the unit its bare numbers leave out.
        unit = _LABEL_UNIT.search(label)
        if unit and _BARE_NUMBER.match(cell):
            cell += unit[1]
        match = FIGURE.search(cell)
        if not match or (units and match[3] not in units):
            continue
        value = match[0].replace(" ", "")
        lead = f"{cells[0]}（{header[column]}年）**{cell if unit else cells[column]}**"
        score = (2.0 if core else 0.0) + got / max(len(terms), 1) + 0.5 - 0.05 * rank
        out.append(Statement(hit, line.strip(), line.strip(), value, score, lead))
    return out


_COUNTED = re.compile(rf"(?:几|多少)({_UNITS})([\u4e00-\u9fff]{{2,16}})(?=[?？,，。]|$)")


def _counts_another(folded: str, value: str, counted: str) -> bool:
    """Whether a figure counts another thing than the one asked: "3名执法人员" for 几名法律顾问 (the noun right
    after the figure shares nothing with the asked one); "68件申请" for 多少件行政复议申请 counts it."""
    if not counted:
        return False
    at = folded.find(value)
    after = folded[at + len(value):at + len(value) + 2] if at >= 0 else ""
    return len(after) == 2 and all("\u4e00" <= c <= "\u9fff" for c in after) and after not in counted


def _other_scope(folded: str, scopes: set[str]) -> bool:
    """Whether a clause names only levels other than the ones a question asks about."""
    named = {k for w, k in lexicon.SCOPE_WORDS.items() if w in folded}
    return bool(scopes and named and not named & scopes)


_ITEM_LEAD = re.compile(r"(?:^|[。；;\n])\s*((?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、])[^。；;\n]{0,60}[。；;])")


def _item_lead(text: str, at: int) -> str:
    """The lead sentence of the enumerated item ("一是…。") that a sentence at ``at`` belongs to, or ''."""
    leads = [m for m in _ITEM_LEAD.finditer(text, 0, at + 1) if m.end(1) <= at]
    return leads[-1][1] if leads else ""


def _written_core(folded: str, core: str) -> str:
    """The name a clause gives the rate asked for: its own, or another name of the same rate (lexicon)."""
    return next((name for name in lexicon.RATE_ALIASES.get(core, ()) if core not in folded and name in folded), core)


def _rate_before(folded: str, core: str) -> re.Match | None:
    """A rate written before what it measures, with no 率: "负责人100%出庭应诉" states the 应诉率."""
    if len(core) < 3 or not core.endswith("率"):
        return None
    return re.search(rf"(\d+(?:\.\d+)?\s*%)[\u4e00-\u9fff]{{0,2}}{re.escape(core[:-1])}", folded)


def _nearness(folded: str, value: str, terms: list[str]) -> float:
    """0.5 when an asked word touches the figure ("审结行政复议案件17件", "15项行政许可事项"), 0.3 when it is a
    few characters away ("案件邮件申请8件"), else 0."""
    at = folded.find(value)
    if at < 0:
        return 0.0
    before, after = folded[max(0, at - 6):at], folded[at + len(value):at + len(value) + 6]
    words = [t for t in terms if len(t) >= 2]
    if any(before.endswith(t) or after.startswith(t) for t in words):
        return 0.5
    return 0.3 if any(t in before or t in after for t in words) else 0.0


def _value(folded: str, core: str, units: tuple[str, ...], asked: str = "", terms: list[str] | tuple = ()) -> str:
    """The figure a (folded) clause gives in one of ``units`` (any unit when empty), after the rate's name
    when there is one ("纠错率5.9%"); or the clause itself when it says the thing did not happen.

    Where the clause gives several such figures ("99.87%事项实现'马上可办'、99.96%事项实现'网上可办'"), the one
    whose own stretch of the clause (between 、 marks) holds the most asked words."""
    before = _rate_before(folded, core) if core and core not in folded else None
    if before:
        return before[1]   # "负责人100%出庭应诉": the rate before what it measures
    fitting = [m for m in FIGURE.finditer(folded)
               if not (units and m[3] not in units) and not (core and folded.find(core) > m.start())]
    if fitting:
        return _asked_figure(folded, fitting, terms)[0].replace(" ", "")
    if not core and (not units or set(units) & set(lexicon.ASKED_UNITS["件"])):
        # "已受理法律援助案件104": a count whose unit the text lost, right after the word it counts.
        bare = _BARE_COUNT.search(folded.rstrip(" ，,；;。"))
        if bare:
            return bare[1]
    none = next((w for w in lexicon.NONE_HAPPENED if w in folded), "")
    if none:
        # "未发生行政复议被纠错案件" says none was corrected, not that there were no cases.
        after = folded[folded.find(none):]
        if any(o in after and o not in asked for o in lexicon.OUTCOME_WORDS):
            return ""
        return folded.strip(" ，,；;。")
    return ""


def _asked_figure(folded: str, matches: list[re.Match], terms) -> re.Match:
    """Of several figures in one clause, the one the asked words sit beside (the first on a tie)."""
    if len(matches) == 1 or not terms:
        return matches[0]
    bounds = [0] + [m.end() for m in re.finditer(r"[、和及与]", folded)] + [len(folded) + 1]

    def stretch(m: re.Match) -> str:
        a = max(b for b in bounds if b <= m.start())
        z = min(b for b in bounds if b > m.start())
        return folded[a:z]
    # Only words that tell the figures apart count ("可办" is beside every one of them, "网上" beside one); the
    # words before the first figure are the whole list's subject ("政务服务事项98.1%…、99.5%…"), not the first's.
    lead = folded[:matches[0].start()]
    words = [t for t in terms if len(t) >= 2 and t not in lead and not all(t in stretch(m) for m in matches)]
    return max(matches, key=lambda m: sum(t in stretch(m) for t in words))


def bold_value(clause: str, value: str) -> str:
    """The clause with its figure in bold, for a lead line ("纠错率 **5.9%**")."""
    at = normalize(clause).find(value)
    if at < 0 or len(normalize(clause)) != len(clause):
        if value in clause:
            return clause.replace(value, f"**{value}**", 1)
        # "137 条", "5.9 %": the report's spacing inside the figure, which the folded value lost.
        spaced = re.search(r"\s*".join(re.escape(c) for c in value), clause)
        return clause[:spaced.start()] + f"**{spaced[0]}**" + clause[spaced.end():] if spaced else clause
    return clause[:at] + f"**{clause[at:at + len(value)]}**" + clause[at + len(value):]


_NUMBER_AFTER = re.compile(rf"(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万|亿)?(?:余|多)?\s*({_UNITS})?")
_NOT_SUB_WORDS = frozenset(lexicon.FIGURE_WORDS) | {"案件", "事项", "其中", "多少", "数量", "情况", "一共", "共有"}


def sub_figure(sub, passages) -> tuple[Hit, str, str, str] | None:
    """The figure of a part inside passages already cited ("其中刑事81"): (passage, sentence, clause, value) for
    the clause that names the sub-topic's words with a figure right after them; None when none does.

    ``sub`` is the narrowing question's own Topic ("刑事案件有多少"). Sentences the answer quoted are read
    first, then the rest of their passages."""
    from assistant.index.tokens import tokenize

    words = sorted({t for t in tokenize(sub.text) if len(t) >= 2 and t not in _NOT_SUB_WORDS},
                   key=len, reverse=True)
    if not words:
        return None
    best, best_score = None, 0.0
    for hit in passages:
        quoted = {normalize(q) for q in hit.quotes}
        for a, b in split_sentences(hit.text):
            sentence = hit.text[a:b]
            in_quote = normalize(sentence) in quoted or any(normalize(sentence) in q for q in quoted)
            for clause in _CLAUSE.findall(sentence):
                folded = normalize(clause)
                named = [w for w in words if w in folded]
                if not named:
                    continue
                word = named[0]
                after = _NUMBER_AFTER.search(folded, folded.find(word) + len(word))
                if not after or after.start() - (folded.find(word) + len(word)) > 8:
                    continue
                score = len(word) / 10 + len(named) + (1.0 if in_quote else 0.0) + (0.5 if "其中" in folded else 0.0)
                if score > best_score:
                    value = after[0].replace(" ", "")
                    best, best_score = (hit, display(sentence), display(clause).strip(" ，,；;。！？"), value), score
    return best
