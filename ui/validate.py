"""Checks on what API clients send (filters, questions, chat history), each refusal a Chinese message.

The browser only sends values from its own widgets; an API client can send anything: a year "²" or one of
5,000 digits, a list where text belongs, a NUL. Each endpoint passes its arguments through here first, so an
odd value is answered with what is wrong instead of an uncaught error.

Example:
    >>> year_filter("2022"), year_filter("全部年份"), year_filter(None)
    (2022, None, None)
"""
from __future__ import annotations

import re

from assistant.ingest.sidecar import MAX_YEAR, MIN_YEAR

ALL = "全部"
MAX_REGION_CHARS = 64
MAX_QUESTION_CHARS = 10_000      # longer text is refused before it is read (the search reads the first 500)
MAX_MESSAGE_CHARS = 20_000       # one chat message a client sends back in the history
MAX_PARTS = 20                   # parts of one message (Gradio sends a message as a list of parts)
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}      # ２０２２ → 2022 (and nothing else: ² stays ²)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Invalid(ValueError):
    """An argument an endpoint cannot use; the message says which and why, in Chinese."""


def _text(value, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise Invalid(f"{what}必须是文字，不是 {type(value).__name__}")
    text = str(value)
    if len(text) > limit:
        raise Invalid(f"{what}过长（{len(text):,} 个字符，上限 {limit:,}）")
    if _CONTROL.search(text):
        raise Invalid(f"{what}含有控制字符")
    return text.strip()


def year_filter(value) -> int | None:
    """A year filter as an int, or None for none ("", "全部", "全部年份"); full-width digits are read.

    Raises:
        Invalid: anything but a four-digit year within 1949–2100.
    """
    text = _text(value, "年份筛选", 16)
    if not text or text.startswith(ALL):
        return None
    text = text.translate(_FULL_WIDTH).removesuffix("年")
    if not re.fullmatch(r"[0-9]{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise Invalid(f"年份筛选“{text[:20]}”无效：请给出 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份，或“全部年份”")
    return int(text)


def region_filter(value) -> str | None:
    """A region filter, or None for none ("", "全部", "全部地区")."""
    text = _text(value, "地区筛选", MAX_REGION_CHARS)
    return None if not text or text.startswith(ALL) else text


def question_text(value) -> str:
    """A question as text ("" for none), control characters made spaces, cut a long way past what the search
    reads (500 characters; the answer says it was cut), so a 10 MB question is never held."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"问题必须是文字，不是 {type(value).__name__}")
    return _CONTROL.sub(" ", value[:MAX_QUESTION_CHARS])


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "……（已截断）"


def _bounded(content):
    """A message's content (text, or Gradio's list of parts) with its text cut; None when it has no known shape."""
    if isinstance(content, str):
        return _cut(content)
    if isinstance(content, list):
        parts = []
        for part in content[:MAX_PARTS]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append({**part, "text": _cut(part["text"])})
            elif isinstance(part, dict) and "text" not in part:
                parts.append(part)           # a file or component part: no free text of the client's
        return parts
    return None


def chat_history(value, keep: int) -> list:
    """The last ``keep`` messages of a chat history a client sent, each text cut to ``MAX_MESSAGE_CHARS``:
    a session keeps nothing unbounded that a client sent. Messages of no known shape are dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"对话历史必须是消息列表，不是 {type(value).__name__}")
    out = []
    for message in value[-keep:]:
        if isinstance(message, dict) and message.get("role") in ("user", "assistant"):
            content = _bounded(message.get("content"))
            if content is not None:
                out.append({**message, "content": content})
    return out
