"""The trash view: the uploads a delete moved to ``<library>/.trash/<time>/``, and putting one back.

A trashed upload is named by its path inside the library's trash (``.trash/20260101-120000/report.txt``);
restoring it moves it (and its metadata sidecar) back to where it was, under the next free name when that
one has been taken since (``report (2).txt``), and refreshes the index.

Example:
    >>> [t["source"] for t in trashed(library)]           # doctest: +SKIP
    ['library/report.txt']
    >>> restore_upload(bot, "library/report.txt")          # doctest: +SKIP
    '✓ 已从回收站恢复 library/report.txt，重新加入索引'
"""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant.api import Assistant
from assistant.index.roots import TRASH
from assistant.ingest.formats import SUPPORTED
from assistant.ingest.sidecar import sidecar_for
from ui.upload import MAX_COPIES, Progress, numbered, refresh_index

LIBRARY_PREFIX = "library/"


def trashed(library: Path | None) -> list[dict]:
    """Every upload in the trash, newest first: its name in the index (``source``), its place in the trash
    (``trash``), and when it was deleted (``deleted_at``, from the trash folder's name)."""
    if library is None or not (library / TRASH).is_dir():
        return []
    out = []
    for stamp in sorted((library / TRASH).iterdir(), reverse=True):
        if not stamp.is_dir():
            continue
        for path in sorted(stamp.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUPPORTED and not path.name.endswith(".meta.json"):
                inner = path.relative_to(stamp).as_posix()
                out.append({"source": LIBRARY_PREFIX + inner, "trash": path.relative_to(library).as_posix(),
                            "deleted_at": _when(stamp.name)})
    return out


def _when(stamp: str) -> str:
    """"20260101-120000" → "2026-01-01 12:00:00" (the name as it is when it has another form)."""
    digits = stamp.replace("-", "")
    if len(digits) == 14 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]} {digits[8:10]}:{digits[10:12]}:{digits[12:14]}"
    return stamp


def _free(target: Path) -> Path | None:
    if not target.exists():
        return target
    for n in range(2, MAX_COPIES + 1):
        candidate = target.with_name(numbered(target.name, n))
        if not candidate.exists():
            return candidate
    return None


def restore_upload(bot: Assistant, name: str, progress: Progress) -> str:
    """Move a trashed upload back into the library and index it again. ``name`` is its trash path, or its
    name in the index (``library/report.txt``: the most recently deleted copy).

    Returns:
        One line: ✓ with where it is now, or ✗ with why nothing changed.
    """
    found = [t for t in trashed(bot.library) if name in (t["trash"], t["source"])]
    if not found:
        return f"✗ {name} 既没有被隐藏，也不在回收站中"
    entry = found[0]
    path = bot.library / entry["trash"]
    inner = Path(entry["source"][len(LIBRARY_PREFIX):])
    target = _free(bot.library / inner)
    if target is None:
        return f"✗ 未恢复 {entry['source']}：报告库中同名文件太多"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(target))
        side = sidecar_for(path)
        if side is not None and side.exists():
            back = sidecar_for(target)
            if back is not None:
                shutil.move(str(side), str(back))
    except OSError as exc:
        return f"✗ 未恢复 {entry['source']}：{exc.strerror or exc}"
    source = LIBRARY_PREFIX + target.relative_to(bot.library).as_posix()
    renamed = f"（原名已被占用，改名为 {source}）" if source != entry["source"] else ""
    store, failure = refresh_index(bot, progress)
    if store is None:
        return f"已从回收站恢复 {source}{renamed}，但{failure}"
    if source not in store.files:
        return f"✗ 已从回收站恢复 {source}，但未能索引：{dict(store.skipped).get(source, '原因未知')}"
    return f"✓ 已从回收站恢复 {source}{renamed}，重新加入索引"


def trash_rows(library: Path | None) -> list[dict]:
    """The trash as rows of the library table (``where`` = "trash"), restorable by their ``source``."""
    return [{"source": t["trash"], "title": f"（已删除）{t['source']}", "region": "—", "years": "", "chunks": 0,
             "where": "trash",
             "provenance_text": f"删除于 {t['deleted_at']}，原为 {t['source']}"} for t in trashed(library)]
