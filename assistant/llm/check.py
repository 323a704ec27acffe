"""Every sentence a model wrote, checked against the passages it cites before anyone sees it.

A sentence passes when it cites at least one passage that exists ([n] within the answer's citations), every
figure in it (with its unit) stands in a cited passage in a clause whose metric words match its own (650件 of
行政诉讼 never becomes 行政复议: the figure reader's FIGURE pattern and the lexicon's case fields and rates decide),
every place and year it names fits the cited report's label or its text, and enough of its wording is found in
the cited passages (:data:`OVERLAP_FLOOR`). Each check is kept with its finding (:class:`assistant.records.Check`),
so a dropped sentence says why.

Example:
    >>> verdict = check("全年受理行政复议案件215件[1]。", answer)                # doctest: +SKIP
    >>> verdict.accepted, verdict.sentences[0].checks                          # doctest: +SKIP
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.answer.figures import FIGURE
from assistant.llm.guard import without_instructions
from assistant.records import Answer, Check, Hit, WrittenSentence
from assistant.regions import find_mentions
from assistant.text import normalize, split_sentences

# Share of a sentence's Chinese character pairs that must be found in the passages it cites. Calibrated by
# `python -m eval.llm_calibrate` (see the README, "LLM answers"): the floor that best separates the sentences of
# tuning-split answers checked against their own passages from the same sentences checked against another
# report's passages.
OVERLAP_FLOOR = 0.4
# At least this share of the model's sentences must pass, else the whole answer is not trusted.
MIN_PASSING_SHARE = 0.5
NOT_STATED = "报告未写明"
# What a refusal looks like: the model says the passages do not answer.
REFUSALS = ("没有找到", "未找到", "没有写明", "未写明", "未明确", "未提及", "没有提及", "无法回答", "无法确定",
            "未提供", "没有提供", "没有相关", "无相关", "不包含", "没有包含", "未涉及", "没有涉及")

_CITE = re.compile(r"\s*[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
_END = "。！？!?；;\n"
_CLAUSE = re.compile(r"(?:[^，,；;。！？!?：:]|(?<=\d),(?=\d{3}))+[，,；;。！？!?：:]?")
_YEAR = re.compile(rf"(?<!\d)({lexicon.YEAR})(?=\s*年)")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# A list mark the model puts before a sentence ("1. ", "（2）", "- "): not a figure.
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.、)]|[(]\d{1,2}[)]|[-*•])\s*")
_RATES = tuple(sorted((m for m in lexicon.METRICS if m.endswith(("率", "度"))), key=len, reverse=True))


@dataclass(frozen=True)
class Verdict:
    """The checked sentences, and whether what passed answers the question (else ``reason`` says why not)."""

    sentences: tuple[WrittenSentence, ...]
    accepted: bool
    reason: str = ""
    refused: bool = False

    @property
    def passing_share(self) -> float:
        return sum(s.passed for s in self.sentences) / len(self.sentences) if self.sentences else 0.0


def sentences(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """The model's sentences, each with the [n] that follow it ("…215件。[1]" and "…215件[1]。" alike)."""
    out: list[tuple[str, list[int]]] = []
    text = text.strip()
    pos = 0
    for a, b in _spans(text):
        piece = text[a:b]
        # Markers right after the end mark belong to the sentence before.
        lead = re.match(rf"(?:{_CITE.pattern})+", piece)
        if lead and out:
            out[-1][1].extend(_numbers(lead[0]))
            out[-1] = (out[-1][0] + lead[0].strip(), out[-1][1])
            piece = piece[lead.end():]
        piece = piece.strip()
        if piece and _CJK.search(piece) or (piece and _NUMBER.search(piece)):
            out.append((piece, _numbers(piece)))
        pos = b
    return [(s, tuple(dict.fromkeys(c))) for s, c in out]


def _spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    i = 0
    while i < len(text):
        if text[i] in _END:
            while i + 1 < len(text) and text[i + 1] in _END + "”’」』)）":
                i += 1
            spans.append((start, i + 1))
            start = i + 1
        i += 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _numbers(marks: str) -> list[int]:
    return [int(n) for m in _CITE.finditer(marks) for n in re.split(r"[,，、]", m[1])]


def bare(sentence: str) -> str:
    """A sentence without its [n] markers."""
    return _CITE.sub("", sentence).strip()


def is_refusal(sentence: str) -> bool:
    return any(r in sentence for r in REFUSALS)


def check(text: str, answer: Answer, units: tuple[str, ...] = (), known_short: frozenset[str] = frozenset(),
          floor: float = OVERLAP_FLOOR) -> Verdict:
    """Check every sentence of the model's ``text`` against ``answer``'s cited passages.

    Args:
        text: what the model wrote.
        answer: the extractive answer it was written from (its citations are the [n]).
        units: the units the question asks a figure in (``figures.asked_units``); when the extractive answer
            found the figure not stated, a sentence giving a figure in them fails.
        known_short: short forms of indexed regions that count as place names (西秀, 方山).
        floor: the wording-overlap floor.

    Returns:
        a :class:`Verdict`: every sentence with its checks; ``accepted`` when the passing sentences answer.
    """
    passages = [_Passage.of(hit) for hit in answer.citations]
    not_stated = answer.lead.startswith(NOT_STATED)
    checked = []
    refused = False
    for sentence, cites in sentences(text):
        if is_refusal(bare(sentence)) and not _has_figure(bare(sentence)):
            refused = True
            checked.append(WrittenSentence(sentence, cites, (Check("refusal", False, "模型称报告没有写明"),)))
            continue
        checked.append(check_sentence(sentence, cites, passages, not_stated, units, known_short, floor))
    checked = tuple(checked)
    passing = [s for s in checked if s.passed]
    if not checked:
        return Verdict(checked, False, "模型没有给出回答")
    if refused and not passing:
        if answer.found and not not_stated:
            return Verdict(checked, False, "模型称没有找到，但原文有答案", refused=True)
        return Verdict(checked, False, "模型称没有找到", refused=True)
    if not passing:
        return Verdict(checked, False, "没有一句通过核对", refused)
    share = len(passing) / len(checked)
    if share < MIN_PASSING_SHARE:
        return Verdict(checked, False, f"只有 {len(passing)}/{len(checked)} 句通过核对", refused)
    wanted = lead_figure(answer)
    if wanted and not not_stated and not any(wanted in normalize(bare(s.text)) for s in passing):
        return Verdict(checked, False, f"通过核对的句子没有给出原文的数字 {wanted}", refused)
    return Verdict(checked, True, "", refused)


def lead_figure(answer: Answer) -> str:
    """The figure the extractive lead gives in bold ("**5.9%**" → "5.9%"), or ""."""
    for bold in re.findall(r"\*\*(.+?)\*\*", answer.lead):
        m = FIGURE.search(normalize(bold))
        if m:
            return m[0].replace(" ", "")
    return ""


@dataclass(frozen=True)
class _Passage:
    hit: Hit
    text: str            # folded, without sentences that address a model
    label: str           # folded region, its parents, title and issuer
    years: tuple[int, ...]

    @classmethod
    def of(cls, hit: Hit) -> "_Passage":
        text = normalize(without_instructions(hit.text))
        label = normalize(" ".join([hit.region, *hit.region_path, hit.title, hit.issuer]))
        found = [int(y) for y in re.findall(lexicon.YEAR, hit.years or "")] or ([hit.year] if hit.year else [])
        years = tuple(range(min(found), max(found) + 1)) if found else ()
        return cls(hit, text, label, years)


def check_sentence(sentence: str, cites: tuple[int, ...], passages: list[_Passage], not_stated: bool = False,
                   units: tuple[str, ...] = (), known_short: frozenset[str] = frozenset(),
                   floor: float = OVERLAP_FLOOR) -> WrittenSentence:
    """The checks of one sentence (see the module's docstring); all are run, so every reason is kept."""
    text = _LIST_MARK.sub("", normalize(bare(sentence)))
    valid = [n for n in cites if 1 <= n <= len(passages)]
    bad = [n for n in cites if not 1 <= n <= len(passages)]
    checks = []
    if not cites:
        checks.append(Check("cited", False, "没有标注出处 [n]"))
    elif bad:
        checks.append(Check("cited", False, f"出处编号 {'、'.join(f'[{n}]' for n in bad)} 不存在"))
    else:
        checks.append(Check("cited", True, "、".join(f"[{n}]" for n in valid)))
    cited = [passages[n - 1] for n in valid]
    checks.extend(_figure_checks(text, cited))
    if not_stated:
        stated = [m[0] for m in FIGURE.finditer(text) if not units or m[3] in units]
        if stated:
            checks.append(Check("not_stated", False, f"报告未写明所问数字，模型却给出 {'、'.join(stated)}"))
    checks.extend(_place_checks(text, cited, known_short))
    checks.extend(_year_checks(text, cited))
    share = overlap(text, cited)
    checks.append(Check("wording", share >= floor and bool(cited),
                        f"措辞与所引原文重合 {share:.2f}（下限 {floor:.2f}）"))
    return WrittenSentence(sentence, cites, tuple(checks), share)


def _has_figure(text: str) -> bool:
    return bool(FIGURE.search(normalize(text)))


def _words(clause: str) -> tuple[set[str], set[str]]:
    """The case fields (行政复议, 行政诉讼…) and rates (纠错率…) a clause names."""
    fields = {f for f in lexicon.CASE_FIELDS if f in clause}
    rates = set()
    for rate in _RATES:
        if rate in clause and not any(rate in r for r in rates):
            rates.add(rate)
    return fields, rates


def _clause_at(text: str, at: int) -> str:
    for m in _CLAUSE.finditer(text):
        if m.start() <= at < m.end():
            return m[0]
    return text


def _sentence_at(text: str, at: int) -> str:
    for a, b in split_sentences(text):
        if a <= at < b:
            return text[a:b]
    return text


def _context_words(text: str, at: int, section: str) -> tuple[set[str], set[str]]:
    """The metric words of a figure's clause; of its sentence when the clause names none; of its section last."""
    for scope in (_clause_at(text, at), _sentence_at(text, at), section):
        fields, rates = _words(scope)
        if fields or rates:
            return fields, rates
    return set(), set()


def _related(mine: set[str], theirs: set[str]) -> bool:
    """Whether two sets of metric words name the same thing (纠错率 and 行政复议纠错率 do)."""
    return any(m in t or t in m for m in mine for t in theirs)


def _same_figure(a: re.Match, b: re.Match) -> bool:
    number = lambda m: m[1].replace(",", "")
    return number(a) == number(b) and (a[2] or "") == (b[2] or "") and a[3] == b[3]


def _figure_checks(text: str, cited: list[_Passage]) -> list[Check]:
    checks = []
    spans = []
    for fig in FIGURE.finditer(text):
        spans.append(fig.span())
        value = fig[0].replace(" ", "")
        m_fields, m_rates = _context_words(text, fig.start(), "")
        if not (m_fields or m_rates):
            m_fields, m_rates = _words(text)
        places, wrong = [], []
        for p in cited:
            for other in FIGURE.finditer(p.text):
                if not _same_figure(fig, other):
                    continue
                p_fields, p_rates = _context_words(p.text, other.start(), normalize(p.hit.section))
                clash = ((m_fields and p_fields and not _related(m_fields, p_fields))
                         or (m_rates and p_rates and not _related(m_rates, p_rates)))
                (wrong if clash else places).append((p_fields | p_rates))
        if places:
            checks.append(Check("figure", True, f"{value} 见于所引原文"))
        elif wrong:
            said = "、".join(sorted(m_fields | m_rates))
            there = "、".join(sorted(set().union(*wrong))) or "其他事项"
            checks.append(Check("figure", False, f"{value} 在原文中属于{there}，不是{said}"))
        else:
            checks.append(Check("figure", False, f"{value} 不在所引原文中"))
    years = [m.span() for m in _YEAR.finditer(text)]
    for num in _NUMBER.finditer(text):
        if any(a <= num.start() < b for a, b in spans + years):
            continue
        digits = num[0]
        found = any(re.search(rf"(?<![\d.]){re.escape(digits)}(?![\d.])", p.text) for p in cited)
        checks.append(Check("figure", found, f"{digits} {'见于' if found else '不在'}所引原文{'' if found else '中'}"))
    return checks


def _place_checks(text: str, cited: list[_Passage], known_short: frozenset[str]) -> list[Check]:
    checks = []
    for mention in find_mentions(text, known_short, shapes=False):
        name = mention.text
        ok = any(name in p.label or name in p.text for p in cited)
        if not ok:
            # A place named by another form of the report's region (安顺 for 安顺市西秀区's parent).
            ok = any(place.name in p.label for place in mention.places for p in cited)
        labels = "、".join(dict.fromkeys(p.hit.region or "未识别地区" for p in cited)) or "无"
        checks.append(Check("place", ok, f"{name}{'' if ok else '与所引报告（' + labels + '）不符'}"))
    return checks


def _year_checks(text: str, cited: list[_Passage]) -> list[Check]:
    checks = []
    for m in _YEAR.finditer(text):
        year = int(m[1])
        ok = any(year in p.years or f"{year}年" in p.text for p in cited)
        labels = "、".join(dict.fromkeys(p.hit.years or "未识别年份" for p in cited)) or "无"
        checks.append(Check("year", ok, f"{year}年{'' if ok else '与所引报告（' + labels + '年）不符'}"))
    return checks


def _pairs(text: str) -> set[str]:
    return {run[i:i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)}


def overlap(text: str, cited: list[_Passage]) -> float:
    """Share of the sentence's Chinese character pairs found in the cited passages (with their labels and
    sections: a sentence may name the report's region and heading). 1.0 for a sentence with no Chinese pairs."""
    mine = _pairs(text)
    if not mine:
        return 1.0
    theirs = set().union(*(_pairs(p.text + " " + p.label + " " + normalize(p.hit.section)) for p in cited)) if cited else set()
    return len(mine & theirs) / len(mine)
