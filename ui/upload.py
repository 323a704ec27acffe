"""Uploads from the browser: safe names, format and size checks, then an incremental index update.

Kept apart from Gradio so it can be tested with plain files.
"""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from assistant.api import Assistant
from assistant.ingest.formats import SUPPORTED

UPLOAD_DIR = "uploads"


def safe_name(name: str) -> str:
    """A file name that stays inside the upload folder: no folders, no leading dots, only plain characters."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w\u4e00-\u9fff.\-（）()]+", "_", base).lstrip(".") or "upload.txt"
    return base[:120]


@dataclass
class Received:
    """What happened to a batch of uploaded files before indexing."""

    added: list[str] = field(default_factory=list)   # names relative to the report folder
    notes: list[str] = field(default_factory=list)   # one line per refused file


def receive(files: Iterable, folder: Path, max_mb: float) -> Received:
    """Copy uploaded files into ``folder/uploads`` under safe names, refusing other formats and big files.

    ``files`` are paths, or objects with ``.name`` (the temporary path) and optionally ``.orig_name``.
    """
    target = Path(folder) / UPLOAD_DIR
    target.mkdir(parents=True, exist_ok=True)
    out = Received()
    for f in files:
        src = Path(f if isinstance(f, (str, Path)) else f.name)
        name = safe_name(getattr(f, "orig_name", None) or src.name)
        if not name.lower().endswith(SUPPORTED):
            out.notes.append(f"✗ {name}：不支持的格式（支持 {'、'.join(SUPPORTED)}）")
            continue
        size = src.stat().st_size
        if size > max_mb * 2**20:
            out.notes.append(f"✗ {name}：文件过大（{size / 2**20:.1f} MB，上限 {max_mb:g} MB）")
            continue
        dest = (target / name).resolve()
        if target.resolve() not in dest.parents:
            out.notes.append(f"✗ {name}：文件名不安全")
            continue
        shutil.copyfile(src, dest)
        out.added.append(f"{UPLOAD_DIR}/{name}")
    return out


def upload(bot: Assistant, files: Iterable, progress: Callable[[str, int, int, str], None]) -> str:
    """Receive ``files`` into the bot's folder and index them; one line per file, then the time taken.

    The previous index stays live when the update fails.
    """
    received = receive(files, bot.folder, bot.settings.max_file_mb)
    notes = list(received.notes)
    started = time.perf_counter()
    try:
        bot.refresh(progress=progress)
    except Exception as exc:  # the previous index stays live; say why
        return f"索引更新失败，原索引保持不变：{exc}"
    skipped = dict(bot.skipped)
    for name in received.added:
        if name in skipped:
            notes.append(f"✗ {name}：{skipped[name]}")
        else:
            meta = bot.reports.get(name)
            label = f"（{meta.region} {meta.years}年）" if meta and meta.region else ""
            notes.append(f"✓ {name}{label} 已加入索引")
    notes.append(f"用时 {time.perf_counter() - started:.1f} 秒")
    return "\n".join(notes)
