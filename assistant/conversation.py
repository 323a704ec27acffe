"""Follow-up questions: each turn's Question is completed from the last one into a standalone Question (no LLM).

"肇庆在行政复议方面做了什么？" → "那方山县呢？" becomes "方山县 行政复议方面做了什么": the region is
replaced, the topic carried. "其中刑事案件有多少？" narrows the previous topic; "下一步打算怎么做？"
keeps the report and asks for its plan. A question naming a region no report covers is searched
as it is, so it gets "not found" rather than the previous region's answer.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

from assistant import lexicon
from assistant.records import Answer
from assistant.search.filters import Filters
from assistant.search.question import Question, Topic, standalone

MAX_TURNS = 20


@dataclass(frozen=True)
class Turn:
    """One exchange: what was asked, the standalone question that was searched, and the answer."""

    question: str
    understood: Question
    answer: Answer

    @property
    def query(self) -> str:
        return self.understood.text


def rewrite(question: Question, last: Question | None) -> Question:
    """Complete ``question`` from the ``last`` turn's standalone question into a standalone one.

    Deterministic: the same question and last turn always give the same result. What was taken
    from the last turn is listed in ``Question.carried`` (地区, 年份, 话题).
    """
    last = last or Question("", "")
    carried: list[str] = []
    regions = question.regions
    if not regions and not question.cross and last.regions and (question.follows or question.topic.terms):
        regions = last.regions
        carried.append("地区")
    years = question.years
    # A newly named place drops the old year: "那方山县呢？" asks about 方山县's own report.
    if not years and last.years and not question.regions and not question.cross and regions:
        years = last.years
        carried.append("年份")
    if question.narrows and last.topic.text:
        topic = last.topic.join(question.topic)      # "其中刑事案件有多少？", "其中有多少件？": same topic, narrower
        carried.append("话题")
    elif not question.topic.terms and last.topic.text:
        topic = last.topic                           # "那方山县呢？": same topic, new place
        carried.append("话题")
    elif question.follows and question.topic.metric and _fields(last.topic) and not _fields(question.topic):
        # "纠错率呢？" after "…办理了多少件行政复议案件？": the 纠错率 of the same kind of case.
        topic = Topic(" ".join(_fields(last.topic)), _fields(last.topic)).join(question.topic)
        carried.append("话题")
    else:
        topic = question.topic
    return standalone(question, regions, years, topic, tuple(carried))


def _fields(topic: Topic) -> tuple[str, ...]:
    """The kinds of case a topic names (行政复议, 法律援助…)."""
    return tuple(f for f in lexicon.CASE_FIELDS if f in topic.text)


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

    def __init__(self, read: Callable[[str], Question],
                 answer: Callable[[Question, Filters | None, str], Answer], max_turns: int = MAX_TURNS):
        self._read = read
        self._answer = answer
        self.history: deque[Turn] = deque(maxlen=max_turns)
        self._last: Question | None = None

    def reset(self) -> None:
        """Forget the chat so far."""
        self.history.clear()
        self._last = None

    def rewrite(self, text: str) -> Question:
        """The standalone question ``text`` would be searched as, given the chat so far."""
        return rewrite(self._read(text), self._last)

    def ask(self, text: str, mode: str = "hybrid", filters: Filters | None = None) -> Answer:
        """Answer ``text`` in the light of the chat so far; ``Answer.query`` shows what was searched.

        ``filters`` are applied on top, e.g. the UI's region/year choice.
        """
        question = self._read(text or "")
        if not question.raw:
            return self._answer(question, filters, mode)
        step = rewrite(question, self._last)
        answer = self._answer(step, filters, mode)
        self.history.append(Turn(question.raw, step, answer))
        self._last = step
        return answer
