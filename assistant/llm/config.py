"""Where the model server is and how long to wait for it: one frozen, validated settings object."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp's server, Xinference…).

    ``base_url`` is the server's root or its ``/v1``; ``api_key_env`` names the environment variable holding the
    key (the key itself is never stored or saved). Time-outs are in seconds: ``connect`` to open the connection,
    ``first_token`` until the first streamed token, ``total`` for the whole answer. ``concurrency`` bounds how
    many questions are with the server at once; a question that finds no free slot within ``first_token``
    seconds gets the extractive answer.

    Example:
        >>> LLMConfig.from_url("http://127.0.0.1:11434/v1", model="qwen2.5:7b").model
        'qwen2.5:7b'
    """

    base_url: str
    model: str = ""
    api_key_env: str = "GRA_LLM_API_KEY"
    connect: float = 3.0
    first_token: float = 30.0
    total: float = 90.0
    max_tokens: int = 400
    concurrency: int = 2
    temperature: float = 0.0

    def __post_init__(self):
        url = urlparse(self.base_url or "")
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError(f"模型服务地址无效：{self.base_url!r}（应形如 http://127.0.0.1:8080 或 …/v1）")
        for name in ("connect", "first_token", "total"):
            if not getattr(self, name) > 0:
                raise ValueError(f"模型服务的超时 {name} 必须大于 0 秒，现为 {getattr(self, name)}")
        if self.first_token > self.total:
            raise ValueError(f"首个词元的超时（{self.first_token} 秒）不能超过总超时（{self.total} 秒）")
        if not 1 <= self.concurrency <= 64:
            raise ValueError(f"并发数应在 1–64 之间，现为 {self.concurrency}")
        if not 16 <= self.max_tokens <= 8192:
            raise ValueError(f"max_tokens 应在 16–8192 之间，现为 {self.max_tokens}")

    @classmethod
    def from_url(cls, url: str, model: str = "", **kwargs) -> "LLMConfig":
        return cls(base_url=url, model=model or "", **kwargs)

    @property
    def chat_url(self) -> str:
        root = self.base_url.rstrip("/")
        if root.endswith("/chat/completions"):
            return root
        return (root if root.endswith("/v1") else root + "/v1") + "/chat/completions"

    @property
    def api_key(self) -> str:
        return os.environ.get(self.api_key_env, "") if self.api_key_env else ""

    def to_dict(self) -> dict:
        return asdict(self)
