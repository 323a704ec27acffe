"""Decode report bytes into text: detect the encoding (UTF-8/BOM, UTF-16, GB18030/GBK, mixed), never assume it."""
from __future__ import annotations

import codecs
from dataclasses import dataclass


class ReadError(Exception):
    """A file that cannot be read as a report; ``str()`` names the file and the reason (in Chinese, as users see it)."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    """Text decoded from a file, with the encoding that was found."""

    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_utf16(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the zero bytes fall (ASCII-heavy text) or from decodability."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zeros > 0.3 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.3 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    """Control characters above 2%, or replaced bytes above 10%, of the first 20,000 characters."""
    sample = text[:20000]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    replaced = sample.count("\ufffd")
    return control > 0.02 * len(sample) or replaced > 0.1 * len(sample)


def _decode_lines(data: bytes) -> tuple[str, str]:
    """Decode line by line, UTF-8 first then GB18030, so a file that mixes both still reads."""
    counts = {"utf-8": 0, "gb18030": 0, "replaced": 0}
    out = []
    for line in data.split(b"\n"):
        for enc in ("utf-8", "gb18030"):
            try:
                out.append(line.decode(enc))
                counts[enc] += 1
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append(line.decode("utf-8", errors="replace"))
            counts["replaced"] += 1
    used = [k for k in ("utf-8", "gb18030") if counts[k]]
    label = "mixed " + "+".join(used) if len(used) > 1 else (used[0] if used else "utf-8")
    if counts["replaced"]:
        label += f" ({counts['replaced']} lines with invalid bytes replaced)"
    return "\n".join(out), label


def decode(data: bytes, name: str) -> Decoded:
    """Decode ``data`` (the bytes of file ``name``) to text with ``\\n`` newlines.

    Raises:
        ReadError: for an empty, whitespace-only or binary file.
    """
    if not data:
        raise ReadError(name, "空文件（0 字节）")
    encoding = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None:
        encoding = _looks_utf16(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text, encoding = data.decode(encoding, errors="replace"), encoding + " (invalid bytes replaced)"
    elif data[:8192].count(0) > 0.01 * len(data[:8192]):
        raise ReadError(name, "二进制文件（含 NUL 字节），不是文本")
    else:
        data = data.replace(b"\x00", b"")  # a stray NUL in scraped text is noise, not a reason to give up
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                text, encoding = _decode_lines(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        raise ReadError(name, f"二进制或无法解码的内容（已尝试 {encoding}），不是文本")
    if not text.strip():
        raise ReadError(name, "没有文字（文件只有空白字符）")
    return Decoded(text, encoding)
