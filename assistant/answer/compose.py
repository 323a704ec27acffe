"""Compose an extractive answer without an LLM, by what the question asks:

- a figure: a first line that states it from the report's own clause, or says the report does not
  state it ("报告未写明…") and offers the related figures it does give;
- a list (problems, plans, what was done about a topic): every item of the report's list;
- which places: every report that has it, one citation each;
- a comparison: one row per report in scope, the figure or 未写明, a citation per cell;
- anything else: the sentences that cover the question, grouped by report.

Every found answer quotes and cites; every figure and word of a first line comes from the cited text
(apart from the region and year labels).
"""
from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer import across, lists
from assistant.answer.figures import asked_thing, bold_value, statements, sub_figure
from assistant.answer.render import report_label
from assistant.answer.sentences import Sentence, about_asked_region, relevance, score_sentences
from assistant.records import RELATED, Answer, Hit, Point, Table, TableRow
from assistant.search.question import PLANS, PROBLEMS, Question
from assistant.search.retriever import Retrieval
from assistant.settings import Settings
from assistant.text import display, normalize, split_sentences

NOT_STATED = "报告未写明"
LIST_NAMES = {PROBLEMS: "问题和不足", PLANS: "下一步工作安排", "measures": "做法"}


def unanswerable(question: Question, has_filters: bool) -> str:
    """Why a question cannot be searched at all ('' when it can)."""
    if not question.raw:
        return "empty question"
    if not question.has_chinese:
        return ("问题中没有中文内容；报告是中文的，请用中文提问" if re.search(r"[A-Za-z]", question.raw)
                else "问题中没有可检索的内容")
    if not question.terms and not has_filters:
        return "问题中没有可检索的关键词（请说明地区、事项或数据）"
    return ""


def compose(question: Question, found: Retrieval, settings: Settings = Settings(),
            reader: across.Reader | None = None) -> Answer:
    """Build the Answer for ``question`` from what the retriever ``found``; a found answer always quotes and
    cites (otherwise it is "not found" with its reason).

    ``reader`` gives whole reports (for lists, not-stated checks and answers across reports); without
    one, answers quote the retrieved passages only. A year asked about that no report of the region
    covers must appear in every quoted sentence.
    """
    answer = _no_such_body(question, found, reader)
    answer = answer or (_item(question, found, reader) if question.item else None)
    answer = answer or (_within_previous(question, found) if question.previous else None)
    answer = answer or _compose(question, found, settings, reader)
    if answer.found and not (answer.citations and any(q for p in answer.points for q in p.quotes)):
        answer = replace(answer, found=False, points=(), citations=(), lead="", table=None,
                         reason=answer.reason or "没有可以引用的原文")
    if question.suggestion is not None:
        s = question.suggestion
        answer = replace(answer, suggestion=s.name, notices=(
            f"您是否要找{s.name}？问题中的“{s.said}”没有对应的报告，以下是按建议地区{s.name}检索的回答，请核对"
            f"（依据：{'、'.join(s.best.evidence)}）",) + answer.notices)
    return answer


def _compose(question: Question, found: Retrieval, settings: Settings,
             reader: across.Reader | None) -> Answer:
    filters = found.filters.describe()
    base = dict(question=question.raw, query=question.text, filters=filters, understood=question.to_dict(),
                notices=found.notices)
    reason = unanswerable(question, bool(filters))
    if reason:
        return Answer(False, reason=reason, **base)
    if reader is not None and question.intent == "places":
        return _places(question, found, reader, base)
    if reader is not None and question.intent == "compare":
        return _compare(question, found, reader, base)
    hits = [h for h in found.hits if about_asked_region(h, question)]
    if not hits:
        return Answer(False, reason=found.reason or ("检索到的段落都来自其他地区的报告" if found.hits
                                                     else "没有检索到相关段落"), **base)
    hits = hits[: settings.answer_hits]
    require = tuple(str(y) for y in found.filters.years) if found.year_in_text else ()
    sentences = score_sentences(question, hits, require)
    best = relevance(sentences)
    top_dense = max((h.dense or 0.0) for h in hits[:3])
    kind = lists.list_kind(question)
    # A problems or plans question is answered where the report has that section, whatever its words.
    in_section = kind in lists.SECTION_KINDS and any(lists.names_section(kind, h) for h in hits[:3])
    if not (best >= settings.min_coverage or in_section
            or (top_dense >= settings.min_dense and best >= settings.min_coverage / 2)):
        rescued = _scan_for_figure(question, found, reader) if reader is not None else []
        if not rescued:
            unstated = _unstated(question, found, hits)
            if unstated is not None:
                return replace(unstated, confidence=best, **base)
            why = found.reason or f"最相关段落只覆盖了问题的 {best:.0%} 关键词"
            return Answer(False, reason=why, confidence=best, **base)
        hits = rescued + hits
        sentences = score_sentences(question, hits, require)
        best = relevance(sentences)
    base["confidence"] = best
    if reader is not None and kind and not question.figure:
        answer = _list(question, kind, hits, reader, base)
        if answer is not None:
            return answer
    if question.figure:
        return _figure(question, hits, sentences, settings, reader, base, require)
    return _quotes(_choose(sentences, best, settings, figure=False), base)


# -- "其中…" ------------------------------------------------------------------------------------------

def _within_previous(question: Question, found: Retrieval) -> Answer | None:
    """"其中刑事案件有多少？": the sub-figure from the passages the previous answer cited, when one of their
    clauses names what is asked with a figure after it ("其中刑事81"); None when they hold none."""
    if not (question.figure or question.sub.figure):
        return None
    best = sub_figure(question.sub, question.previous)
    if best is None:
        return None
    hit, sentence, clause, value = best
    points, citations = _points([(hit, sentence)])
    lead = f"{_label(hit)}：{bold_value(clause, value)}[1]"
    return Answer(True, question=question.raw, query=question.text, points=points, citations=citations, lead=lead,
                  filters=found.filters.describe(), understood=question.to_dict(), notices=found.notices,
                  confidence=1.0)


def _no_such_body(question: Question, found: Retrieval, reader) -> Answer | None:
    """"县司法局呢？" after a 生态环境局 turn: a follow-up that only switches the body asks for that body's report;
    when no report in scope is issued by it, the answer is "not found", never the other body's figure."""
    catalog = getattr(reader, "catalog", None)
    if not question.issuers or "话题" not in question.carried or catalog is None or found.sources is None:
        return None
    if any(w in catalog.metas[s].issuer for s in found.sources if s in catalog.metas for w in question.issuers):
        return None
    where = "、".join(r.label for r in question.regions)
    return Answer(False, question=question.raw, query=question.text, filters=found.filters.describe(),
                  understood=question.to_dict(),
                  reason=f"已索引的报告中没有{where}{'、'.join(question.issuers)}的报告（上文的回答来自其他机关的报告）")


def _item(question: Question, found: Retrieval, reader: across.Reader | None) -> Answer | None:
    """"具体第三项是怎么做的？": the item the last answer listed third, with the sentences that follow it in the
    report up to the next item (read on into the next passage of the same section when the item runs on)."""
    hit = question.previous[0]
    passages = [hit]
    if reader is not None:
        every = reader.passages(hit.source)
        at = next((i for i, p in enumerate(every) if p.chunk_id == hit.chunk_id), None)
        if at is not None:
            passages += [p for p in every[at + 1:at + 3] if p.section == hit.section]
    said = lists.item_with_detail(question.item, passages)
    if not said:
        return None
    points, citations = _points(said)
    lead = f"{_label(hit)}：上文第{question.ordinal}项的原文如下（含其具体做法）："
    return Answer(True, question=question.raw, query=question.text, points=points, citations=citations, lead=lead,
                  filters=found.filters.describe(), understood=question.to_dict(), notices=found.notices,
                  confidence=1.0)


# -- quotes ------------------------------------------------------------------------------------------

def _choose(sentences: list[Sentence], best: float, settings: Settings, figure: bool) -> list[Sentence]:
    """The best sentences above a floor relative to the best one; a few per passage."""
    floor = max(best * (0.8 if figure else 0.5), settings.min_coverage * 0.75)
    limit = min(3, settings.answer_points) if figure else settings.answer_points
    chosen: list[Sentence] = []
    seen_text: set[str] = set()
    per_hit: dict[str, int] = {}
    for s in sentences:
        key = normalize(s.text)
        cap = 4 if s.hit_rank == 0 else 2
        if s.coverage < floor or key in seen_text or per_hit.get(s.hit.chunk_id, 0) >= cap:
            continue
        chosen.append(s)
        seen_text.add(key)
        per_hit[s.hit.chunk_id] = per_hit.get(s.hit.chunk_id, 0) + 1
        if len(chosen) >= limit:
            break
    return _grouped(chosen, figure)


def _quotes(chosen: list[Sentence], base: dict, lead: str = "") -> Answer:
    points, citations = _points([(s.hit, s.text) for s in chosen])
    return Answer(True, points=points, citations=citations, lead=lead, **base)


def _points(quoted: list[tuple]) -> tuple[tuple[Point, ...], tuple[Hit, ...]]:
    """One point per (passage, quote[, heading]), and one citation per quoted passage (in order of first
    quote), each citation carrying the sentences quoted from it."""
    order: list[str] = []
    quotes: dict[str, list[str]] = {}
    hits: dict[str, Hit] = {}
    points = []
    for hit, text, *heading in quoted:
        cid = hit.chunk_id
        if cid not in hits:
            order.append(cid)
            hits[cid] = hit
            quotes[cid] = []
        quote = display(text)
        if quote not in quotes[cid]:
            quotes[cid].append(quote)
        points.append(Point((quote,), order.index(cid) + 1, hit.source, heading[0] if heading else ""))
    return tuple(points), tuple(replace(hits[c], quotes=tuple(quotes[c])) for c in order)


def _grouped(chosen: list[Sentence], by_score: bool = False) -> list[Sentence]:
    """Sentences grouped by report (reports in order of their best sentence); within a report best first
    for a figure question, else in reading order."""
    reports: list[str] = []
    for s in chosen:
        if s.hit.source not in reports:
            reports.append(s.hit.source)
    if by_score:
        return sorted(chosen, key=lambda s: (reports.index(s.hit.source), -s.score))
    return sorted(chosen, key=lambda s: (reports.index(s.hit.source), s.hit.start, s.hit.text.find(s.text)))


def _unstated(question: Question, found: Retrieval, hits: list[Hit]) -> Answer | None:
    """A figure asked of a place whose report of that year is indexed but never speaks of it: 报告未写明, citing
    the report searched; None when the question names no place, or no report of it covers the year."""
    if question.intent != "figure" or not question.regions or found.year_in_text or not found.sources:
        return None
    first: dict[str, Hit] = {}
    for h in hits:
        if h.source in found.sources:
            first.setdefault(h.source, h)
    own = list(first.values())[:3]   # the best passage of each report searched
    if not own:
        return None
    lead = f"{NOT_STATED}{_label(own[0])}{asked_thing(question)}"
    searched = "、".join(h.source for h in own)
    return Answer(False, lead=lead, citations=tuple(own),
                  reason=f"{lead}（已检索{searched}，其中没有提到相关内容）")


def _label(hit: Hit) -> str:
    """"安顺市西秀区2022年": the region and year labels a first line may add to the report's words."""
    years = f"{hit.years}年" if hit.years else ""
    return f"{hit.region or '（未识别地区）'}{years}"


# -- figures -----------------------------------------------------------------------------------------

SCAN_REPORTS = 3   # a figure question about at most this many reports may be answered by reading them whole


def _scan_for_figure(question: Question, found: Retrieval, reader: across.Reader) -> list[Hit]:
    """When retrieval missed, a figure question about one or a few named reports reads them whole: the
    passages of a clause that holds every key word and a figure of the asked kind."""
    if not question.figure or not question.regions or found.sources is None or len(found.sources) > SCAN_REPORTS:
        return []
    terms = [t for t in question.terms if not t.isdigit()]
    out = []
    for source in found.sources:
        for s in statements(question, reader.passages(source), ranked=False):
            text = normalize(s.sentence + s.hit.section)
            if terms and all(t in text for t in terms) and s.hit not in out:
                out.append(s.hit)
    return out[:3]


def _figure(question: Question, hits: list[Hit], sentences: list[Sentence], settings: Settings,
            reader: across.Reader | None, base: dict, require: tuple[str, ...]) -> Answer:
    """A figure question: the clause that states it, per report, in the first line; else 报告未写明."""
    reports = list(dict.fromkeys(h.source for h in hits[:3]))[:2]
    stated = []
    for source in reports:
        own = [h for h in hits if h.source == source]
        rest = [p for p in reader.passages(source) if p.chunk_id not in {h.chunk_id for h in own}] if reader else []
        found = [s for s in statements(question, own + rest) if not require
                 or any(r in normalize(s.sentence + s.lead + s.hit.section) for r in require)]
        if found:
            stated.append(found[0])
    chosen = _choose(sentences, relevance(sentences), settings, figure=True)
    if not stated and (require or not chosen):
        # No report covers the year asked, and the one that mentions it gives no such figure: not found.
        years = "、".join(f"{y}年" for y in question.year_values)
        why = (f"{'、'.join(question.region_names) or '已索引的报告'}没有{years}的报告，其他年份的报告也没有写明{years}的"
               f"{asked_thing(question)}" if require else f"报告中没有写明{asked_thing(question)}的句子")
        return Answer(False, reason=why, **base)
    if not stated:
        # The report is there and talks about it, but gives no such figure: say so, and offer what it does give.
        label = _label(hits[0])
        lead = f"{NOT_STATED}{label}{asked_thing(question)}。报告中的相关内容如下（仅供参考，并非所问数字）："
        return _quotes(chosen, base, lead)
    quoted = [(s.hit, s.sentence) for s in stated]
    quoted += [(s.hit, s.text) for s in chosen if normalize(s.text) not in {normalize(q) for _, q in quoted}]
    points, citations = _points(quoted[:3])
    number = {h.chunk_id: i + 1 for i, h in enumerate(citations)}
    lead = "；".join(f"{_label(s.hit)}：{s.lead or bold_value(s.clause, s.value)}[{number[s.hit.chunk_id]}]"
                    for s in stated)
    return Answer(True, points=points, citations=citations, lead=lead, **base)


# -- lists -------------------------------------------------------------------------------------------

def _list(question: Question, kind: str, hits: list[Hit], reader: across.Reader, base: dict) -> Answer | None:
    """Every item of the list the question asks for, from the top report's section that holds it."""
    source = hits[0].source
    prefix, section = lists.find_section(kind, question, reader.passages(source), hits[0])
    found = lists.items(kind, prefix, section)
    if len(found) < 2 and kind == "measures":
        return None     # no list of measures: quote the sentences that answer instead
    if not found:
        return None
    points, citations = _points([(i.hit, i.quote, i.heading) for i in found])
    lead = f"{_label(hits[0])}的报告列出了{len(found)}项{LIST_NAMES[kind]}："
    return Answer(True, points=points, citations=citations, lead=lead, **base)


# -- across reports ----------------------------------------------------------------------------------

def _places(question: Question, found: Retrieval, reader: across.Reader, base: dict) -> Answer:
    """Every report that has what was asked, one citation each."""
    sources = list(found.sources) if found.sources is not None else None
    mentions = across.reports_with(question, reader, sources)
    if not mentions:
        why = found.reason or f"没有报告提到“{'、'.join(across.core_words(question))}”"
        return Answer(False, reason=why, **base)
    mentions.sort(key=lambda m: (m.hit.region, m.hit.years))
    points, citations = _points([(m.hit, m.sentence) for m in mentions])
    labels = "、".join(dict.fromkeys(_label(m.hit) for m in mentions))
    lead = f"共有{len(mentions)}份报告提到{'、'.join(across.core_words(question))}：{labels}"
    return Answer(True, points=points, citations=citations, lead=lead, confidence=1.0, **base)


def _compare(question: Question, found: Retrieval, reader: across.Reader, base: dict) -> Answer:
    """A table: one row per report in scope, its figure with the unit or 未写明, a citation per cell."""
    sources = list(found.sources) if found.sources is not None else reader.reports()
    if not sources:
        return Answer(False, reason=found.reason or "没有符合条件的报告", **base)
    cells = across.compare(question, reader, sources)
    # A 未写明 cell quotes the report's related sentence, labelled 相关原文, or nothing (only its report).
    quoted = [_cell_quote(question, c, reader) for c in cells]
    points, citations = _points([q for q in quoted if q])
    number = {h.chunk_id: i + 1 for i, h in enumerate(citations)}
    rows = []
    for cell, q in zip(cells, quoted):
        value = cell.statement.value if cell.statement else "未写明"
        hit = q[0] if q else cell.anchor
        rows.append(TableRow(cell.source, report_label(hit.region, hit.years, hit.uncertain), value,
                             number[hit.chunk_id] if q else None, (display(q[1]),) if q else (), q[2] if q else ""))
    rows.sort(key=lambda r: r.label)
    stated = sum(1 for c in cells if c.statement)
    lead = f"{len(cells)}份报告中，{stated}份写明了{asked_thing(question)}，{len(cells) - stated}份未写明："
    table = Table(asked_thing(question), tuple(rows))
    return Answer(True, points=points, citations=citations, lead=lead, table=table, confidence=1.0, **base)


def _cell_quote(question: Question, cell: across.Cell, reader: across.Reader) -> tuple[Hit, str, str] | None:
    """(passage, sentence, label) a comparison cell quotes: the stating clause, else the related sentence
    labelled 相关原文, else None."""
    if cell.statement:
        return cell.statement.hit, cell.statement.sentence, ""
    found = across.related(question, reader.passages(cell.source))
    return (found[0], found[1], RELATED) if found else None

