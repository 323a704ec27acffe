"""The LLM mode: the user's model writes a short answer from our extractive answer's passages, every sentence is
checked, and only an answer that passes is shown; anything else gives the extractive answer with a one-line notice."""
from __future__ import annotations

import time
from dataclasses import replace

from assistant.answer.figures import asked_units
from assistant.llm import prompt
from assistant.llm.check import OVERLAP_FLOOR, check
from assistant.llm.client import ChatClient, LLMUnavailable
from assistant.llm.config import LLMConfig
from assistant.records import Answer, Written
from assistant.search.question import Question

FALLBACK = "模型回答未通过核对，以下为原文摘录"
UNAVAILABLE = "模型服务不可用（{reason}），以下为原文摘录"


class LLMWriter:
    """Writes answers with the user's model and keeps only what the check passes.

    Example:
        >>> writer = LLMWriter(LLMConfig.from_url("http://127.0.0.1:8080"))          # doctest: +SKIP
        >>> answer = writer.write(bot.ask("西秀区2022年行政复议纠错率是多少？"))        # doctest: +SKIP
        >>> answer.written.accepted, [s.text for s in answer.written.shown]           # doctest: +SKIP
    """

    def __init__(self, config: LLMConfig, client: ChatClient | None = None, extra: dict | None = None,
                 floor: float = OVERLAP_FLOOR):
        self.config = config
        self.client = client or ChatClient(config)
        self.extra = dict(extra or {})   # more request fields (tests force answers with llama.cpp's ``grammar``)
        self.floor = floor

    def close(self) -> None:
        self.client.close()

    def write(self, answer: Answer, question: Question | None = None,
              known_short: frozenset[str] = frozenset()) -> Answer:
        """``answer`` with the model's checked sentences (``answer.written``), or ``answer`` itself with a notice
        when the server fails or the check does not pass. A not-found answer is returned as it is: there is
        nothing to write from."""
        if not answer.found or not answer.citations:
            return answer
        start = time.monotonic()
        try:
            done = self.client.complete(prompt.messages(answer), self.extra)
        except LLMUnavailable as exc:
            return replace(answer, notices=answer.notices + (UNAVAILABLE.format(reason=exc),),
                           written=Written(False, reason=str(exc), model=self.config.model,
                                           seconds=time.monotonic() - start))
        units = asked_units(question) if question is not None else ()
        verdict = check(done.text, answer, units, known_short, self.floor)
        written = Written(verdict.accepted, verdict.sentences, verdict.reason, done.model or self.config.model,
                          time.monotonic() - start, done.text)
        if verdict.accepted:
            return replace(answer, written=written)
        return replace(answer, notices=answer.notices + (FALLBACK,), written=written)


def make_writer(llm: "LLMWriter | LLMConfig | str | None", model: str = "") -> LLMWriter | None:
    """An LLMWriter from what a caller passes as ``llm=``: a writer, a config, a base URL, or None (off)."""
    if llm is None or llm == "":
        return None
    if isinstance(llm, LLMWriter):
        return llm
    if isinstance(llm, str):
        llm = LLMConfig.from_url(llm, model)
    return LLMWriter(llm)
