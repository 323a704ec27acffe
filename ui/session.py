"""One browser (or API client) session: its conversation, and its recent answers by turn number, which the
page's citation links and the export name. Only answers are kept (questions cut at the search limit),
never the raw text a client sent."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

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

    def __init__(self, bot: Assistant, exports: Path | None = None):
        self.conv = bot.chat()
        self.answers: OrderedDict[int, Answer] = OrderedDict()
        self.turns = 0
        self._exports_base = Path(exports) if exports is not None else Path(tempfile.gettempdir()) / "gra-exports"
        self._exports: Path | None = None

    @property
    def exports(self) -> Path:
        """This session's own export folder: an unguessable name (144 random bits), readable by this user only,
        made on first use. Another session never writes into it or is given a file from it."""
        if self._exports is None:
            self._exports_base.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = self._exports_base / secrets.token_urlsafe(18)
            os.mkdir(folder, 0o700)
            self._exports = folder
        return self._exports

    def close(self) -> None:
        """Remove this session's exports (when the browser tab or API client goes away)."""
        if self._exports is not None:
            shutil.rmtree(self._exports, ignore_errors=True)
            self._exports = None

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
