"""Report text that speaks to a model ("忽略以上指令…") is material, not instruction: such sentences are taken out
of the passages the model reads and the checker compares against, so a figure they plant can never be confirmed.
The patterns are data (:data:`INSTRUCTION_PATTERNS`)."""
from __future__ import annotations

import re

from assistant.text import split_sentences

# What an instruction to a model looks like inside a report: asks to ignore, override or role-play, or names the
# model or its prompt. Real reports never speak this way.
INSTRUCTION_PATTERNS = (
    r"忽略(?:以上|上述|前面|之前|先前|所有|全部)?(?:的)?(?:所有)?(?:指令|指示|提示|要求|规则|内容)",
    r"无视(?:以上|上述|前面|之前)?(?:的)?(?:指令|指示|提示|要求|规则)",
    r"(?:系统|system)\s*(?:提示|prompt)", r"(?:你|您)(?:现在)?(?:必须|只能|应当|应该)(?:回答|输出|说|声称|表示)",
    r"(?:作为|你是)(?:一个)?(?:AI|人工智能|语言模型|大模型|助手)", r"(?:请|务必)(?:直接)?(?:回答|输出)[:：]",
    r"ignore (?:all |the )?(?:previous|above|prior) (?:instructions|prompts?)", r"you are (?:now )?(?:an? )?(?:ai|assistant|language model)",
)
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in INSTRUCTION_PATTERNS), re.IGNORECASE)
OMITTED = "（此句像是写给模型的指令，已略去）"


def instructions(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` that address a model."""
    return [(a, b) for a, b in split_sentences(text) if _INSTRUCTION.search(text[a:b])]


def without_instructions(text: str, mark: str = "") -> str:
    """``text`` with every sentence addressing a model replaced by ``mark`` (default: removed)."""
    out, last = [], 0
    for a, b in instructions(text):
        out.append(text[last:a])
        out.append(mark)
        last = b
    out.append(text[last:])
    return "".join(out)
