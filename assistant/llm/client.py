"""A streaming chat client for an OpenAI-compatible server, with connect, first-token and total time-outs and a
bound on concurrent requests. Any failure raises :class:`LLMUnavailable` with a one-line Chinese reason, which
the caller shows above the extractive answer."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlparse

from assistant.llm.config import LLMConfig

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
_ERROR_BODY = 300   # characters of an error reply kept for the notice


class LLMUnavailable(Exception):
    """The server could not give an answer in time; ``str(exc)`` is the one-line reason, in Chinese."""


@dataclass(frozen=True)
class Completion:
    """What the model streamed: its text, how long the first token and the whole answer took, and the chunks."""

    text: str
    first_token_s: float
    seconds: float
    chunks: int
    model: str = ""
    finish_reason: str = ""


class ChatClient:
    """Streams ``/v1/chat/completions`` with httpx.

    Example:
        >>> client = ChatClient(LLMConfig.from_url("http://127.0.0.1:8080"))       # doctest: +SKIP
        >>> client.complete([{"role": "user", "content": "你好"}]).text             # doctest: +SKIP
    """

    def __init__(self, config: LLMConfig, transport=None):
        try:
            import httpx
        except ImportError as exc:  # pragma: no cover - comes with gradio
            raise ImportError("模型回答需要 httpx：pip install httpx") from exc
        self._httpx = httpx
        self.config = config
        self._slots = threading.BoundedSemaphore(config.concurrency)
        read = min(config.first_token, config.total)
        # A server on this machine is never reached through a proxy the environment names for the internet.
        local = urlparse(config.base_url).hostname in _LOOPBACK
        self._http = httpx.Client(timeout=httpx.Timeout(connect=config.connect, read=read, write=config.connect,
                                                        pool=config.connect),
                                  transport=transport, trust_env=not local)

    def close(self) -> None:
        self._http.close()

    def complete(self, messages: list[dict], extra: dict | None = None,
                 on_text: Callable[[str], None] | None = None) -> Completion:
        """Send ``messages`` and gather the streamed answer.

        Args:
            messages: OpenAI chat messages.
            extra: more request fields the server understands (llama.cpp's ``grammar``, vLLM's ``guided_regex``).
            on_text: called with each streamed piece of text as it arrives (a progress line; never shown as the
                answer, which is checked first).

        Raises:
            LLMUnavailable: no free slot, refused or timed-out connection, an HTTP error, a reply that is not a
                stream of chat chunks, a connection lost mid-answer, or an answer past the total time-out.
        """
        cfg = self.config
        if not self._slots.acquire(timeout=cfg.first_token):
            raise LLMUnavailable(f"模型服务繁忙（已有 {cfg.concurrency} 个请求在等待回答）")
        try:
            return self._stream(messages, extra or {}, on_text)
        finally:
            self._slots.release()

    def _stream(self, messages: list[dict], extra: dict, on_text) -> Completion:
        cfg, httpx = self.config, self._httpx
        body = {"messages": messages, "stream": True, "max_tokens": cfg.max_tokens, "temperature": cfg.temperature,
                **({"model": cfg.model} if cfg.model else {}), **extra}
        headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
        start = time.monotonic()
        first = None
        parts: list[str] = []
        chunks, model, finish, done = 0, "", "", False
        try:
            with self._http.stream("POST", cfg.chat_url, json=body, headers=headers) as response:
                if response.status_code != 200:
                    detail = response.read().decode("utf-8", "replace")[:_ERROR_BODY].replace("\n", " ")
                    raise LLMUnavailable(f"模型服务返回 HTTP {response.status_code}：{detail}".rstrip("："))
                for line in response.iter_lines():
                    if time.monotonic() - start > cfg.total:
                        raise LLMUnavailable(f"模型服务在 {cfg.total:g} 秒内未答完")
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    try:
                        event = json.loads(data)
                    except json.JSONDecodeError:
                        raise LLMUnavailable("模型服务的回复不是有效的流式数据") from None
                    if "error" in event:
                        raise LLMUnavailable(f"模型服务报错：{str(event['error'])[:_ERROR_BODY]}")
                    choices = event.get("choices") or [{}]
                    delta = (choices[0].get("delta") or {}).get("content") or ""
                    finish = choices[0].get("finish_reason") or finish
                    model = event.get("model", model)
                    if delta:
                        if first is None:
                            first = time.monotonic() - start
                        parts.append(delta)
                        chunks += 1
                        if on_text is not None:
                            on_text(delta)
        except httpx.ConnectTimeout:
            raise LLMUnavailable(f"连接模型服务超时（{cfg.connect:g} 秒）") from None
        except httpx.ConnectError:
            raise LLMUnavailable(f"无法连接模型服务 {cfg.base_url}") from None
        except httpx.ReadTimeout:
            what = "首个回答" if first is None else "后续回答"
            raise LLMUnavailable(f"模型服务在 {min(cfg.first_token, cfg.total):g} 秒内没有给出{what}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise LLMUnavailable("模型服务在回答中途断开") from None
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"模型服务出错：{type(exc).__name__}") from None
        if not done and not finish:
            raise LLMUnavailable("模型服务在回答中途断开")
        if first is None:
            raise LLMUnavailable("模型服务返回了空回答")
        return Completion("".join(parts), first, time.monotonic() - start, chunks, model, finish)
