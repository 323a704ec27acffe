"""One browser (or API client) session: its conversation, and its recent answers by turn number, which the
page's citation links and the export name. Only answers are kept (questions cut at the search limit),
never the raw text a client sent."""
from __future__ import annotations

from collections import OrderedDict

from assistant.api import Assistant
from assistant.conversation import MAX_TURNS
from assistant.records import Answer
from assistant.search.filters import Filters
from assistant.search.question import MAX_CHARS


class Session:
    """A Conversation plus its last ``MAX_TURNS`` answers, numbered from 1 for the whole session.

    Example:
        >>> s = Session(bot); turn, answer = s.ask("肇庆在行政复议方面做了什么？")   # doctest: +SKIP
        >>> s.answer(turn) is answer                                            # doctest: +SKIP
        True
    """

    def __init__(self, bot: Assistant):
        self.conv = bot.chat()
        self.answers: OrderedDict[int, Answer] = OrderedDict()
        self.turns = 0

    def ask(self, question: str, filters: Filters | None = None) -> tuple[int, Answer]:
        """Answer ``question`` as the next turn; a question longer than the search reads is cut here, one
        character past the limit so the answer still says it was cut."""
        answer = self.conv.ask((question or "").strip()[: MAX_CHARS + 1], filters=filters)
        if not answer.question:
            return 0, answer
        self.turns += 1
        self.answers[self.turns] = answer
        while len(self.answers) > MAX_TURNS:
            self.answers.popitem(last=False)
        return self.turns, answer

    def answer(self, turn: int) -> Answer | None:
        return self.answers.get(turn)

    @property
    def last(self) -> Answer | None:
        return next(reversed(self.answers.values()), None)

    def all(self) -> list[Answer]:
        return list(self.answers.values())
