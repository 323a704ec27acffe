"""Optional answers written by the user's own OpenAI-compatible model server, every sentence checked against the
cited passages before anyone sees it (issue 23). Off by default: the extractive answer is the default and fallback.

Example:
    >>> from assistant.llm import LLMConfig
    >>> LLMConfig.from_url("http://127.0.0.1:8080", model="qwen2.5").chat_url
    'http://127.0.0.1:8080/v1/chat/completions'
"""
from assistant.llm.config import LLMConfig
from assistant.llm.writer import FALLBACK, LLMWriter, make_writer

__all__ = ["FALLBACK", "LLMConfig", "LLMWriter", "make_writer"]
