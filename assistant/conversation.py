"""Follow-up questions: each turn's Question is completed from the conversation's slots into a standalone
Question (no LLM).

The conversation keeps explicit slots: places, years, issuer, topic (with its metric) and the passages the
last answer cited. A question that names its own place, topic or metric *replaces* that slot; only a
question that lacks a slot inherits it, and every choice is kept as a :class:`SlotDecision` with its
evidence ("沿用上文" in what was searched). Relative years (上一年, 去年, 前年, 同期) are resolved against the
year slot; "该区", "这个县", "县政府", "县司法局" stand for the place slot.

"肇庆在行政复议方面做了什么？" → "那方山县呢？" becomes "方山县 行政复议方面做了什么". "其中刑事案件有多少？"
narrows the previous topic and is answered from the previous answer's passages first.

A question may hold several asks ("…是多少万元？其中违规金额多少？"): each part is answered in order
(:mod:`assistant.search.parts`), a part carrying the place and year of the part before it, never its metric.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable

from assistant import lexicon
from assistant.answer.parts import combine, practice_lead
from assistant.records import Answer, Hit
from assistant.search import cues
from assistant.search.filters import Filters
from assistant.search.parts import Part, split
from assistant.search.question import Question, RegionRef, Topic, YearRef, standalone

MAX_TURNS = 20

# What a slot decision did.
OWN, INHERITED, RESOLVED, NONE = "问题自带", "沿用上文", "按上文换算", "无"


@dataclass(frozen=True)
class SlotDecision:
    """How one slot of a turn was filled, and why (printable; shown in "what was searched").

    Example:
        >>> SlotDecision("年份", RESOLVED, "2023年", "“上一年”：上文年份2024年减1").text()
        '年份：按上文换算 2023年（“上一年”：上文年份2024年减1）'
    """

    slot: str        # 地区 / 年份 / 发布机关 / 话题
    action: str      # 问题自带 / 沿用上文 / 按上文换算 / 无
    value: str
    evidence: str
    replaced: str = ""   # the earlier value this question's own value replaced (never merged)

    def text(self) -> str:
        value = f" {self.value}" if self.value else ""
        return f"{self.slot}：{self.action}{value}（{self.evidence}）"

    def to_dict(self) -> dict:
        return {"slot": self.slot, "action": self.action, "value": self.value, "evidence": self.evidence,
                "replaced": self.replaced}


@dataclass(frozen=True)
class Slots:
    """What the conversation is about after a turn: its places, years, issuers, topic and cited passages.

    ``answered_year`` is the year of the report the last answer cited (when the question named none): what
    "上一年" counts from.
    """

    regions: tuple[RegionRef, ...] = ()
    years: tuple[YearRef, ...] = ()
    issuers: tuple[str, ...] = ()
    topic: Topic = field(default_factory=Topic)
    cited: tuple[Hit, ...] = ()
    answered_year: int | None = None
    items: tuple[tuple[str, Hit], ...] = ()   # the last answer's points in order: (first quote, its passage)

    @classmethod
    def of(cls, question: Question | None, answer: Answer | None = None) -> "Slots":
        """The slots a standalone question (and its answer) leave."""
        if question is None:
            return cls()
        cited = tuple(answer.citations) if answer is not None and answer.found else ()
        years = {h.year for h in cited if h.year}
        items = tuple((p.quotes[0], cited[p.citation - 1]) for p in answer.points
                      if p.quotes and 0 < p.citation <= len(cited)) if cited else ()
        return cls(question.regions, question.years, question.issuers, question.topic, cited,
                   years.pop() if len(years) == 1 else None, items)

    @property
    def year(self) -> int | None:
        return self.years[0].year if self.years else self.answered_year


def rewrite(question: Question, last: "Question | Slots | None", within: bool = False) -> Question:
    """Complete ``question`` from the conversation's slots (``last``) into a standalone one.

    Args:
        question: this turn (or part) as read.
        last: the slots so far (or the last standalone Question).
        within: ``question`` is a later part of one question: it may take the place and year of the part
            before it, never its topic, metric or issuer.

    Deterministic. What was taken is listed in ``Question.carried`` (地区, 年份, 话题) and every slot's
    choice, with its evidence, in ``Question.decisions``.
    """
    slots = last if isinstance(last, Slots) else Slots.of(last)
    decisions: list[SlotDecision] = []
    carried: list[str] = []

    regions, decision = _regions(question, slots)
    decisions.append(decision)
    if decision.action == INHERITED:
        carried.append("地区")

    years, decision = _years(question, slots, regions)
    decisions.append(decision)
    if decision.action in (INHERITED, RESOLVED):
        carried.append("年份")

    issuers = question.issuers
    if not issuers and slots.issuers and not within and regions == slots.regions and question.follows \
            and not question.regions:
        issuers = slots.issuers
        decisions.append(SlotDecision("发布机关", INHERITED, "、".join(issuers), "追问未换地区，也未提别的机关"))
    elif issuers:
        decisions.append(SlotDecision("发布机关", OWN, "、".join(issuers), "问题中写明",
                                      "、".join(slots.issuers) if slots.issuers != issuers else ""))

    topic, decision = _topic(question, slots, within)
    decisions.append(decision)
    if decision.action == INHERITED:
        carried.append("话题")

    step = standalone(question, regions, years, topic, tuple(carried))
    narrowing = question.narrows and bool(slots.cited) and decision.action == INHERITED
    if question.ordinal and 0 < question.ordinal <= len(slots.items) and not question.regions:
        # "具体第三项是怎么做的？": the third item the last answer listed, in its own passage.
        quote, hit = slots.items[question.ordinal - 1]
        decisions.append(SlotDecision("条目", RESOLVED, quote[:30], f"“第{question.ordinal}项”指上文回答列出的第"
                                                                     f"{question.ordinal}项"))
        return replace(step, issuers=issuers, decisions=tuple(decisions), previous=(hit,), item=quote,
                       figure=False, compare=False)
    return replace(step, issuers=issuers, decisions=tuple(decisions),
                   previous=slots.cited if narrowing else (), sub=question.topic if narrowing else Topic(),
                   figure=step.figure and not question.list_items,
                   compare=step.compare or (step.figure and len(regions) > 1 and not question.regions
                                            and not step.cross))


def _label(regions: tuple[RegionRef, ...]) -> str:
    return "、".join(r.label for r in regions)


def _fits(kind: str, region: RegionRef) -> bool:
    """Whether a reference's kind ("县") fits the region (方山县, or a county-level 市)."""
    return not kind or any(region.name.endswith(k) for k in cues.REFERENCE_KINDS.get(kind, (kind,)))


def _regions(question: Question, slots: Slots) -> tuple[tuple[RegionRef, ...], SlotDecision]:
    if question.regions:
        evidence = ("问题中写明" if question.suggestion is None
                    else f"问题中的“{question.suggestion.said}”没有对应的报告，按相近地名{question.suggestion.name}")
        old = _label(slots.regions)
        return question.regions, SlotDecision("地区", OWN, _label(question.regions), evidence,
                                              old if old != _label(question.regions) else "")
    if question.cross:
        return (), SlotDecision("地区", NONE, "", "问的是各地/哪些地方，不限于上文地区")
    if not slots.regions:
        return (), SlotDecision("地区", NONE, "", "问题和上文都没有地区")
    if question.reference:
        fits = all(_fits(question.reference_kind, r) for r in slots.regions)
        why = f"“{question.reference}”指上文的{_label(slots.regions)}" + ("" if fits else "（级别与指代词不完全相符）")
        return slots.regions, SlotDecision("地区", INHERITED, _label(slots.regions), why)
    if question.follows or question.topic.terms or question.years or question.relative:
        return slots.regions, SlotDecision("地区", INHERITED, _label(slots.regions), "问题没有写地区，沿用上文")
    return (), SlotDecision("地区", NONE, "", "问题没有写地区，也不像追问")


def _years(question: Question, slots: Slots, regions: tuple[RegionRef, ...]
           ) -> tuple[tuple[YearRef, ...], SlotDecision]:
    if question.years:
        old = "、".join(str(y.year) for y in slots.years)
        own = "、".join(str(y.year) for y in question.years)
        return question.years, SlotDecision("年份", OWN, own, "问题中写明", old if old != own else "")
    if question.relative:
        word, offset = question.relative[0]
        base = slots.year
        if base is None:
            return (), SlotDecision("年份", NONE, "", f"“{word}”无法换算：上文没有年份")
        year = base + offset
        source = "上文年份" if slots.years else "上文引用报告的年份"
        sign = f"减{-offset}" if offset < 0 else (f"加{offset}" if offset > 0 else "不变")
        return (YearRef(year, word),), SlotDecision("年份", RESOLVED, f"{year}年", f"“{word}”：{source}{base}年{sign}")
    if question.cross or not regions:
        return (), SlotDecision("年份", NONE, "", "问题没有写年份")
    if question.regions:
        # A newly named place drops the old year: "那方山县呢？" asks about 方山县's own report.
        return (), SlotDecision("年份", NONE, "", "问题换了地区，不沿用上文年份")
    if slots.years:
        return slots.years, SlotDecision("年份", INHERITED, "、".join(f"{y.year}年" for y in slots.years),
                                         "问题没有写年份，沿用上文")
    return (), SlotDecision("年份", NONE, "", "问题和上文都没有年份")


def _topic(question: Question, slots: Slots, within: bool) -> tuple[Topic, SlotDecision]:
    last = slots.topic
    if question.narrows and last.text:
        # "其中刑事案件有多少？": the same topic, narrower (searched with both, answered from the last passages).
        topic = last.join(question.topic)
        return topic, SlotDecision("话题", INHERITED, topic.text, f"“其中…”在上文“{last.text}”之内追问")
    if not question.topic.terms and last.text and not within:
        return last, SlotDecision("话题", INHERITED, last.text, "问题没有写事项，沿用上文")
    if (not within and question.follows and question.topic.metric and _fields(last)
            and not _fields(question.topic)):
        # "纠错率呢？" after "…办理了多少件行政复议案件？": the 纠错率 of the same kind of case.
        topic = Topic(" ".join(_fields(last)), _fields(last)).join(question.topic)
        return topic, SlotDecision("话题", INHERITED, topic.text,
                                   f"只问了“{question.topic.metric}”，沿用上文的案件类别{'、'.join(_fields(last))}")
    replaced = last.text if last.text and last.text != question.topic.text else ""
    why = "问题中写明" + ("，替换上文话题" if replaced else "")
    topic = question.topic
    if (not within and question.follows and last.figure and not topic.figure and not topic.section
            and not question.measures and _names_only(question)):
        # "马上可办呢？" after a figure question: a new metric, asked the same way (a figure).
        topic = replace(topic, figure=True)
        why += "；问法沿用上文（问数字）"
    return topic, SlotDecision("话题", OWN if question.topic.text else NONE, question.topic.text, why, replaced)


def _names_only(question: Question) -> bool:
    """A "…呢？" follow-up: it names what, not how it asks."""
    return question.raw.rstrip("？?。 ").endswith(("呢", "的呢", "怎么样", "如何")) or len(question.topic.text) <= 8


def _fields(topic: Topic) -> tuple[str, ...]:
    """The kinds of case a topic names (行政复议, 法律援助…)."""
    return tuple(f for f in lexicon.CASE_FIELDS if f in topic.text)


@dataclass(frozen=True)
class Turn:
    """One exchange: what was asked, the standalone question that was searched, and the answer."""

    question: str
    understood: Question
    answer: Answer

    @property
    def query(self) -> str:
        return self.understood.text


Reader = Callable[[str], Question]
Answerer = Callable[[Question, "Filters | None", str], Answer]


def answer_parts(text: str, read: Reader, answer: Answerer, slots: Slots = Slots(), mode: str = "hybrid",
                 filters: Filters | None = None, first: Question | None = None
                 ) -> tuple[Answer, Question, Slots]:
    """Answer every part of ``text`` in order from ``slots``; (the answer, the last part's standalone
    question, the slots after it). One part gives that part's own Answer; several give one Answer whose
    ``parts`` hold each part's own lead, points and citations."""
    pieces = split(text)
    if len(pieces) <= 1:
        pieces = (Part(text, ""),)
    done: list[tuple[Part, Question, Answer]] = []
    for i, piece in enumerate(pieces):
        question = first if (first is not None and len(pieces) == 1) else read(piece.text)
        step = rewrite(question, slots, within=i > 0)
        if step.practice and len(step.regions) > 1:
            result = _practice(step, answer, filters, mode)
        else:
            result = answer(step, filters, mode)
        done.append((piece, step, result))
        slots = Slots.of(step, result)
        if step.practice:
            # A later part ("以及…公示了多少执法人员") asks about every place compared.
            slots = replace(slots, topic=Topic())
    if len(done) == 1:
        return done[0][2], done[0][1], slots
    return combine(text, [(p.text, a) for p, _, a in done]), done[-1][1], slots


def _practice(step: Question, answer: Answerer, filters: Filters | None, mode: str) -> Answer:
    """Each place's measures on the topic, side by side: one part per place, none dropped."""
    topic = replace(step.topic, figure=False)
    parts = []
    for region in step.regions:
        one = standalone(step, (region,), step.years, topic, step.carried)
        one = replace(one, practice=False, compare=False, measures=True, figure=False, decisions=step.decisions)
        parts.append((f"{region.label}：{topic.text}", answer(one, filters, mode)))
    return combine(step.raw, parts, lead=practice_lead(step.regions, topic.text))


class Conversation:
    """A chat with memory of the previous turns. The Gradio UI holds one per browser session.

    Args:
        read: turns the text of a turn into a Question (``Assistant.analyze``).
        answer: answers a standalone Question under optional explicit filters (``Assistant.answer``).
        max_turns: how many turns ``history`` keeps.

    Example:
        >>> conv = bot.chat()                                  # doctest: +SKIP
        >>> conv.ask("肇庆在行政复议方面做了什么？").found        # doctest: +SKIP
        >>> conv.ask("那方山县呢？").query                       # doctest: +SKIP
        '方山县行政复议方面做了什么'
    """

    def __init__(self, read: Reader, answer: Answerer, max_turns: int = MAX_TURNS):
        self._read = read
        self._answer = answer
        self.history: deque[Turn] = deque(maxlen=max_turns)
        self.slots = Slots()

    def reset(self) -> None:
        """Forget the chat so far."""
        self.history.clear()
        self.slots = Slots()

    def rewrite(self, text: str) -> Question:
        """The standalone question ``text`` (its first part) would be searched as, given the chat so far."""
        return rewrite(self._read(text), self.slots)

    def ask(self, text: str, mode: str = "hybrid", filters: Filters | None = None) -> Answer:
        """Answer ``text`` in the light of the chat so far; ``Answer.query`` shows what was searched.

        ``filters`` are applied on top, e.g. the UI's region/year choice.
        """
        question = self._read(text or "")
        if not question.raw:
            return self._answer(question, filters, mode)
        answer, step, self.slots = answer_parts(question.raw, self._read, self._answer, self.slots, mode, filters,
                                                first=question)
        self.history.append(Turn(question.raw, step, answer))
        return answer
