"""Every item of a list a report gives: its problems, its plans, or what it did about a topic.

The items come from the right section (存在的问题/不足, 下一步/工作安排, or the topic's own section),
enumerated by the report's own markers: sub-headings, 一是…五是, （一）…（四）, 1.…n., (1)…, or clauses
separated by "；" after "主要表现在". Signatures, dates, bare headings and lead-ins are never items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.answer.sentences import is_heading_sentence
from assistant.ingest.chunking import is_closing
from assistant.ingest.identity import is_organisation
from assistant.records import Hit
from assistant.records import SECTION_SEP
from assistant.search.question import PLANS, PROBLEMS, Question
from assistant.text import display, normalize, split_sentences

_HEADINGS = {PROBLEMS: re.compile(lexicon.PROBLEMS_HEADING), PLANS: re.compile(lexicon.PLANS_HEADING)}
SECTION_KINDS = tuple(_HEADINGS)
# Where a list starts inside a paragraph that has no heading of its own.
_OPENERS = {PROBLEMS: re.compile(r"存在[^。；;]{0,12}(?:问题|不足|短板|差距)|(?:问题|不足)主要(?:表现|体现)在"),
            PLANS: re.compile(r"下一步|今后|接下来|(?:20\d\d)年(?:将|工作(?:计划|打算|安排|思路))")}
_MARK = re.compile(rf"(?:^|(?<=[。；;：:\n]))\s*(?:\*\*)?(?=[{lexicon.CN_NUMERALS}]{{1,3}}是|[(（][{lexicon.CN_NUMERALS}\d]{{1,3}}[)）]|"
                   rf"\d{{1,2}}[、.．](?!\d)|第[{lexicon.CN_NUMERALS}]{{1,3}}[，,、])|(?<=[，,])(?=[{lexicon.CN_NUMERALS}]{{1,3}}是)")
_DATE = re.compile(lexicon.DATE_CN)
_ACHIEVED = re.compile(r"取得了?[^。]{0,12}(?:成效|成绩|进展)|成效明显|显著提升")
MAX_ITEMS = 15


@dataclass(frozen=True)
class Item:
    """One item of a list: the words quoted, the passage they come from, and the item's own heading
    where it has one ("1.畅通投诉渠道")."""

    quote: str
    hit: Hit
    heading: str = ""


def names_section(kind: str, hit: Hit) -> bool:
    """Whether a passage sits under a heading of that kind ("二、存在的不足" for problems)."""
    return bool(_HEADINGS[kind].search(normalize(hit.section)))


def list_kind(question: Question) -> str:
    """problems, plans or measures: the list a question asks for ('' for none)."""
    if question.section in (PROBLEMS, PLANS):
        return question.section
    return "measures" if question.measures else ""


def find_section(kind: str, question: Question, passages: list[Hit],
                 near: Hit | None = None) -> tuple[tuple[str, ...], list[Hit]]:
    """The heading path and the passages of one report that hold the list: the section whose heading names
    it (the whole subtree, in order), else the passages that open such a list in their text. For what was
    done about a topic, the section whose heading names the topic, else the section of ``near`` (the best
    passage found)."""
    if kind in _HEADINGS:
        pattern = _HEADINGS[kind]
        prefix = _prefix(passages, lambda title: bool(pattern.search(normalize(title))))
    else:
        # Not the body that acts ("市场监管局", "自规局"): the topic's own words, most of them in the heading.
        terms = [t for t in question.topic.terms or question.terms
                 if t not in lexicon.GENERIC_ACTIONS and not t.endswith(lexicon.BODY_ENDINGS)]
        achieved = [p for p in passages if not any(names_section(k, p) for k in SECTION_KINDS)]
        need = len(terms) if len(terms) <= 2 else max(2, (len(terms) + 1) // 2)
        prefix = _prefix(achieved, lambda title: bool(terms) and sum(t in normalize(title) for t in terms) >= need)
        if not prefix and near is not None and not any(names_section(k, near) for k in SECTION_KINDS):
            prefix = _path(near)
        passages = achieved
        if prefix and question.list_items and "话题" in question.carried and len(prefix) > 1:
            # "具体做了哪几件事？" after "…在行政执法方面做了什么？": the things are the sibling headings of the
            # part found, under their parent (a question naming its own topic keeps the part its words found).
            siblings = {_path(p)[len(prefix) - 1] for p in passages
                        if len(_path(p)) >= len(prefix) and _path(p)[:len(prefix) - 1] == prefix[:-1]}
            if len(siblings) >= 2:
                prefix = prefix[:-1]
    if prefix:
        return prefix, [p for p in passages if _path(p)[:len(prefix)] == prefix]
    if kind in _OPENERS:
        opener = _OPENERS[kind]
        at = [i for i, p in enumerate(passages) if opener.search(normalize(p.text))]
        if not at:
            return (), []
        # The list may run on into the next windows of the same section, or into sub-points cut out of it
        # ("…一是…；" | "二是…；" | "三是…。").
        keep = set()
        for i in at:
            keep.add(i)
            j = i + 1
            while j < len(passages) and _continues_list(_path(passages[i]), _path(passages[j]), j == i + 1):
                keep.add(j)
                j += 1
        found = [passages[j] for j in sorted(keep)]
        return min((_path(p) for p in found), key=len), found
    return (), []


_SUBPOINT_TITLE = re.compile(rf"^[{lexicon.CN_NUMERALS}]{{1,3}}是")


def _continues_list(first: tuple[str, ...], path: tuple[str, ...], adjacent: bool) -> bool:
    """Whether a passage carries on a list that opened in a passage of path ``first``: the next window of
    the same section, a part below it, or a sibling sub-point cut out of the same paragraph ("二是…")."""
    if path == first:
        return adjacent
    if len(path) > len(first) and path[:len(first)] == first:
        return True
    return (len(path) == len(first) and path[:-1] == first[:-1] and bool(path)
            and bool(_SUBPOINT_TITLE.match(path[-1])))


def _path(hit: Hit) -> tuple[str, ...]:
    return tuple(hit.section.split(SECTION_SEP)) if hit.section else ()


def _prefix(passages: list[Hit], matches) -> tuple[str, ...]:
    """The shortest heading path whose last heading matches, over the report's passages."""
    best: tuple[str, ...] = ()
    for hit in passages:
        path = _path(hit)
        for depth in range(1, len(path) + 1):
            if matches(path[depth - 1]):
                if not best or depth < len(best):
                    best = path[:depth]
                break
    return best


def items(kind: str, prefix: tuple[str, ...], section: list[Hit]) -> list[Item]:
    """The items of the list in ``section``: one report's passages under heading path ``prefix``, in order."""
    if not section:
        return []
    depth = len(prefix) if prefix else min(len(_path(h)) for h in section)
    nested = any(len(_path(h)) > depth for h in section)
    out: list[Item] = []
    seen_titles: set[str] = set()
    for hit in section:
        path = _path(hit)
        if len(path) > depth:
            # A sub-heading is one item, quoted from its own first words.
            if path[depth] not in seen_titles:
                seen_titles.add(path[depth])
                quote = _lead_sentences(hit.text)
                heading = "" if normalize(quote).startswith(normalize(path[depth]).rstrip("…")) else path[depth]
                out.append(Item(quote or path[depth], hit, heading))
        else:
            # Text right under the heading: the items themselves, or (above sub-headings) a lead-in.
            found = _inline_items(kind, hit)
            if not nested or _MARK.search(hit.text):
                out.extend(found)
    out = _unique([i for i in out if _is_item(kind, i.quote)])
    return out[:MAX_ITEMS]


def _inline_items(kind: str, hit: Hit) -> list[Item]:
    """Items inside one passage: by its markers, else by "；" after a lead-in, else by paragraph."""
    text = hit.text
    opener = _OPENERS.get(kind)
    start = 0
    if opener is not None:
        m = opener.search(normalize(text))
        if m:
            start = m.start()
    body = text[start:]
    first = _MARK.search(body)
    if start and first and "\n" not in body[:first.start()]:
        # "存在一些短板。第一，…；第二，…。": the list ends with its paragraph, not with the passage.
        end = body.find("\n", first.start())
        body = body[:end] if end >= 0 else body
    marks = [m.start() for m in _MARK.finditer(body)]
    if marks == [0] and kind == "measures":
        marks = []   # "3.坚持…。正文…": the paragraph's own number, not a list
    if marks:
        bounds = marks + [len(body)]
        return [Item(_lead_sentences(body[a:b]), hit) for a, b in zip(bounds, bounds[1:])]
    lead_in = next((w for w in lexicon.LIST_LEAD_INS if w in body), "")
    if not lead_in and opener is not None and start < len(text):
        colon = re.search(r"[：:]", body[:body.find("。") if "。" in body else len(body)])
        lead_in = body[:colon.end()] if colon else ""   # "存在一些不足：A；B；C。"
    if lead_in:
        after = body[body.index(lead_in) + len(lead_in):].lstrip("：: ")
        end = after.find("。")
        clauses = re.split(r"[；;]", after[:end if end >= 0 else len(after)])
        if len(clauses) >= 2:
            return [Item(display(c).strip(" ，,等。") , hit) for c in clauses if c.strip()]
    paragraphs = [p for p in body.split("\n") if p.strip()]
    if kind == PLANS and start and len(paragraphs) == 1:
        # "下一步，将继续…，坚决…，切实…。": the plans are the clauses of that sentence.
        end = body.find("。")
        sentence = body[:end if end >= 0 else len(body)]
        clauses = [c for c in re.split(r"[，,]", sentence) if len(normalize(c)) >= 6]
        return [Item(display(c).strip(), hit) for c in clauses] or [Item(_lead_sentences(body), hit)]
    if kind == "measures" and len(paragraphs) == 1:
        # One paragraph of what was done: each sentence is a measure.
        return [Item(display(body[a:b]), hit) for a, b in split_sentences(body)
                if not is_heading_sentence(normalize(body[a:b]), normalize(hit.section))]
    return [Item(_lead_sentences(p), hit) for p in paragraphs]


def _lead_sentences(text: str) -> str:
    """An item's own words: its first sentence, and the next when the first is only a short heading."""
    spans = split_sentences(text)
    if not spans:
        return display(text)
    quote = text[spans[0][0]:spans[0][1]]
    if len(display(quote)) < 25 and len(spans) > 1 and not is_closing(text[spans[1][0]:spans[1][1]]):
        quote = text[spans[0][0]:spans[1][1]]
    return display(quote)


def _is_item(kind: str, quote: str) -> bool:
    folded = normalize(quote).strip()
    if len(folded) < 6 or _DATE.fullmatch(folded.replace(" ", "")) or is_organisation(folded):
        return False
    if folded.endswith((":", "：")) or any(folded.startswith(w) for w in ("现将", "特此报告")):
        return False
    return not (kind == PROBLEMS and _ACHIEVED.search(folded) and not _OPENERS[PROBLEMS].search(folded))


def _unique(found: list[Item]) -> list[Item]:
    """Items in order, without repeats (windows of a long section overlap)."""
    out: list[Item] = []
    seen: list[str] = []
    for item in found:
        key = normalize(item.quote)
        if any(key in s or s in key for s in seen):
            continue
        seen.append(key)
        out.append(item)
    return out


def item_with_detail(item: str, passages: list[Hit]) -> list[tuple[Hit, str]]:
    """The sentences of one list item, from the sentence that starts it to the next item's marker, over
    ``passages`` (the item's passage, then the next ones of its section): (passage, sentence) pairs."""
    start = re.split(r"[。！？；;!?]", normalize(item).strip())[0][:12]
    out: list[tuple[Hit, str]] = []
    begun = False
    for hit in passages:
        text = hit.text
        for a, b in split_sentences(text):
            sentence = text[a:b]
            folded = normalize(sentence)
            if not begun:
                begun = bool(start) and (folded.startswith(start) or start in folded)
                if begun:
                    out.append((hit, display(sentence)))
                continue
            if _MARK.match(sentence) or _NEXT_ITEM.match(folded):
                return out
            out.append((hit, display(sentence)))
            if len(out) >= 8:
                return out
    return out


_NEXT_ITEM = re.compile(rf"^\s*(?:[{lexicon.CN_NUMERALS}]{{1,3}}是|[(（][{lexicon.CN_NUMERALS}\d]{{1,3}}[)）]|\d{{1,2}}[、.．](?!\d)|第[{lexicon.CN_NUMERALS}]{{1,3}}[，,、])")
