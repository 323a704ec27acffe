"""Follow-up questions: rewrite each turn into a standalone query from the chat so far (offline, no LLM).

"肇庆在行政复议方面做了什么？" → "那方山县呢？" becomes "方山县 行政复议方面做了什么"; the region is
replaced, the topic carried. "其中刑事案件有多少？" narrows the previous topic; "下一步打算怎么做？"
keeps the report and asks for its plan. A question naming a region no report covers is searched
as it is, so it gets "not found" rather than the previous region's answer.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from assistant.answer.compose import question_terms
from assistant.records import Answer
from assistant.search.filters import parse_filters
from assistant.text import normalize

_LEAD = re.compile(r"^(?:那么|那|那在|那个|还有|另外|再问一下|再问|再说说|请问|再看看|换成|换个地方|如果是)[,，、\s]*")
_TAIL = re.compile(r"[,，\s]*(?:的情况|情况|怎么样|如何|呢|吗)*[?？。!！\s]*$")
_PRONOUNS = re.compile(r"(?:其中|它们|它|这方面|这一方面|那方面|该报告|该地|该|此项|上述|同样|这个|这些|那里|这里|当地)")
_NARROW = re.compile(r"其中|这方面|这一方面|此项|上述|这些")
_FOLLOW = re.compile(r"^(?:那|还有|另外|再)|[呢吗]\s*[?？]?\s*$|其中|它|这方面|该|上述|下一步|接下来|同样|这些|那里|当地")
_CROSS = re.compile(r"哪些地方|哪些地区|哪个地方|哪些区县|各地|哪里|哪些报告|所有报告|哪几个")
MAX_TURNS = 20


@dataclass(frozen=True)
class Turn:
    """One exchange: what was asked, what was searched, and the answer."""

    question: str
    query: str
    answer: Answer
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    topic: str = ""


@dataclass
class _Context:
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    topic: str = ""


@dataclass
class Rewrite:
    """A follow-up turned into a standalone query, with what it carried over."""

    query: str
    regions: tuple[str, ...]
    years: tuple[int, ...]
    topic: str
    carried: list[str] = field(default_factory=list)


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    for word in sorted(set(words), key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def rewrite(question: str, context: _Context, metas: list, known_short: frozenset[str] | None = None) -> Rewrite:
    """Turn ``question`` into a standalone query given the ``context`` of the previous turn.

    Deterministic: the same question and context always give the same query.
    """
    folded = normalize(question).strip()
    found = parse_filters(folded, metas, known_short)
    is_follow = bool(_FOLLOW.search(folded))
    cross = bool(_CROSS.search(folded))
    bare = _TAIL.sub("", _LEAD.sub("", _strip_words(folded, found.mentions))).strip()
    bare = _PRONOUNS.sub(" ", bare)
    bare = re.sub(r"\s+", " ", bare).strip(" ,，、的")
    own_terms = question_terms(bare)
    carried: list[str] = []

    regions = found.regions
    if not regions and not cross and context.regions and (is_follow or own_terms):
        regions = context.regions
        carried.append("地区")
    years = found.years
    if not years and context.years and not found.regions and not cross and regions:
        years = context.years
        carried.append("年份")

    if not own_terms and context.topic:
        topic = context.topic          # "那方山县呢？": same topic, new place
        carried.append("话题")
    elif _NARROW.search(folded) and context.topic:
        topic = f"{context.topic} {bare}"  # "其中刑事案件有多少？": narrower figure, same topic
        carried.append("话题")
    else:
        topic = bare
    parts = list(regions) + [f"{y}年" for y in years] + [topic]
    query = " ".join(p for p in parts if p).strip() or folded
    return Rewrite(query, tuple(regions), tuple(years), topic, carried)


class Conversation:
    """A chat with memory of the previous turns. The Gradio UI holds one per browser session.

    Example:
        >>> conv = bot.chat()                                  # doctest: +SKIP
        >>> conv.ask("肇庆在行政复议方面做了什么？").found        # doctest: +SKIP
        >>> conv.ask("那方山县呢？").query                       # doctest: +SKIP
        '方山县 行政复议方面做了什么'
    """

    def __init__(self, assistant, max_turns: int = MAX_TURNS):
        self.assistant = assistant
        self.history: deque[Turn] = deque(maxlen=max_turns)
        self._context = _Context()

    def reset(self) -> None:
        """Forget the chat so far."""
        self.history.clear()
        self._context = _Context()

    def rewrite(self, question: str) -> Rewrite:
        retriever = self.assistant.retriever
        return rewrite(question, self._context, retriever.meta_list, retriever.known_short)

    def ask(self, question: str, mode: str = "hybrid", filters=None) -> Answer:
        """Answer ``question`` in the light of the chat so far; ``Answer.query`` shows what was searched.

        ``filters`` (a :class:`~assistant.search.filters.Filters`) are applied on top, e.g. the UI's region/year choice.
        """
        if not (question or "").strip():
            return self.assistant.answer_query("", "")
        step = self.rewrite(question)
        answer = self.assistant.answer_query(question, step.query, filters, mode, topic_question=step.query)
        self.history.append(Turn(question, step.query, answer, step.regions, step.years, step.topic))
        # Only what a later turn can use is carried: place, period, topic.
        self._context = _Context(step.regions, step.years, step.topic)
        return answer
