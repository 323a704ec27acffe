"""The report library as the app shows and changes it: one row per report, metadata edits, delete and restore.

Nothing here writes into the shipped report folder. A shipped report's metadata goes to the library's
``.sidecars/``, and deleting it hides it (``.hidden.json``) until it is restored. An uploaded report's
metadata goes beside it, and deleting it moves it with its sidecar to ``<library>/.trash/<time>/``:
nothing is destroyed. Every change is followed by an index refresh. Kept apart from Gradio, so it can be
tested with plain files.

Example:
    >>> set_metadata(bot, "library/report.txt", {"region": "新城县"})      # doctest: +SKIP
    '✓ 已修改 library/report.txt 的元数据：地区 晋中市 → 新城县；索引已更新'
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Mapping

from filelock import FileLock, Timeout

from assistant.answer.render import FIELD_NAMES, provenance_text, report_label
from assistant.api import Assistant
from assistant.index.roots import HIDDEN
from assistant.ingest.formats import SUPPORTED
from assistant.ingest.sidecar import SidecarError, fits, parse_sidecar, sidecar_for, sidecar_of, sidecars_of
from assistant.regions import KIND_NAMES
from ui.recover import restore_upload
from ui.trash import to_trash
from ui.upload import NO_LIBRARY, Progress, refresh_index

EDITABLE = ("title", "region", "year_from", "year_to", "issuer")
EDIT_LOCK = ".edit.lock"         # in the library: one metadata or hide/restore edit at a time
LOCK_WAIT_S = 10.0
BUSY = "✗ 未保存：另一个修改正在写入报告库，请稍后重试"
MAX_SOURCE_CHARS = 1024
SHIPPED, LIBRARY_FILE, HIDDEN_FILE = "shipped", "library", "hidden"
WHERE = {SHIPPED: "内置（只读）", LIBRARY_FILE: "报告库", HIDDEN_FILE: "已隐藏"}


def _quiet(*_args) -> None:
    """A Progress that says nothing."""


def rows(bot: Assistant) -> list[dict]:
    """One dict per indexed report (title, region with its level, years, issuer, chunks, file, where each label
    was read and which are guesses, where the file lives), then the hidden shipped reports."""
    out = []
    store = bot.store
    for source, meta in bot.reports.items():
        entry = store.files[source]
        out.append({
            "source": source, "title": meta.title, "region": meta.region, "region_path": list(meta.region_path),
            "level": meta.level, "level_name": KIND_NAMES.get(meta.level, meta.level or "未识别"),
            "years": meta.years, "year_from": meta.year_from, "year_to": meta.year_to,
            "issuer": meta.issuer, "date": meta.date, "chunks": entry.count, "aliases": list(entry.aliases),
            "label": report_label(meta.region, meta.years, meta.uncertain),
            "provenance": dict(meta.provenance), "provenance_text": provenance_text(meta.provenance),
            "uncertain": list(meta.uncertain),
            "where": LIBRARY_FILE if bot.roots.in_library(source) else SHIPPED})
    for source, info in sorted(bot.roots.hidden().items()):
        out.append({"source": source, "title": str(info.get("title", "")), "region": str(info.get("region", "")),
                    "years": str(info.get("years", "")), "chunks": 0, "where": HIDDEN_FILE,
                    "hidden_at": str(info.get("hidden_at", ""))})
    return out


def source_problem(source) -> str:
    """Why ``source`` cannot name a report (not text, empty, too long, a NUL), or ''."""
    if not isinstance(source, str):
        return f"报告名必须是文字，不是 {type(source).__name__}"
    if not source.strip():
        return "没有给出报告名"
    if len(source) > MAX_SOURCE_CHARS:
        return f"报告名过长（{len(source):,} 个字符）"
    if "\0" in source or any(part in ("..",) for part in source.split("/")):
        return "报告名含有不允许的字符"
    return ""


def changes_problem(changes) -> str:
    """Why ``changes`` is not a set of metadata edits (not an object, values not text, numbers or empty), or ''."""
    if not isinstance(changes, Mapping):
        return f"要修改的字段必须是一个对象，例如 {{\"region\": \"新城县\"}}，不是 {type(changes).__name__}"
    for key, value in changes.items():
        if not isinstance(key, str):
            return f"字段名必须是文字，不是 {key!r:.40}"
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            return f"{key} 的值必须是文字或年份，不是 {type(value).__name__}"
        if isinstance(value, str) and len(value) > 1000:
            return f"{key} 的值过长（{len(value):,} 个字符）"
    return ""


@contextlib.contextmanager
def edit_lock(library: Path):
    """Hold the library's edit lock (one read-modify-write of a sidecar or the hidden list at a time), or
    raise Timeout after ``LOCK_WAIT_S``: then the caller says to retry, and nothing was written."""
    library.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(library / EDIT_LOCK))
    lock.acquire(timeout=LOCK_WAIT_S)
    try:
        yield
    finally:
        lock.release()


def _sidecar_path(bot: Assistant, source: str) -> Path | None:
    """Where the app writes the metadata of ``source``: beside an uploaded file (named after its whole file
    name), in ``.sidecars/`` for a shipped one; None when that name would be too long for the file system."""
    if bot.roots.in_library(source):
        return sidecar_for(bot.roots.path_of(source))
    path = bot.roots.overlay(source)
    return path if path is not None and fits(path) else None


def _current_sidecar(bot: Assistant, source: str, path: Path) -> Path:
    """The sidecar that holds ``source``'s overrides now: ``path``, or an old stem-named one it alone uses."""
    if bot.roots.in_library(source) and not os.path.lexists(path):
        old, _ = sidecar_of(bot.roots.path_of(source), SUPPORTED)
        if old is not None:
            return old
    return path


def _existing(path: Path) -> dict:
    """The overrides a sidecar holds now, as its JSON keys (``year`` as ``year_from``/``year_to``); {} when
    there is none or it is broken (an edit then starts afresh)."""
    try:
        parse_sidecar(path.read_bytes(), path.name)
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    if "year" in raw:
        raw["year_from"] = raw["year_to"] = raw.pop("year")
    return raw


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _shown(value) -> str:
    return str(value) if value not in (None, "") else "（空）"


def set_metadata(bot: Assistant, source: str, changes: Mapping[str, object], progress: Progress = _quiet) -> str:
    """Set fields of a report's metadata (``title``, ``region``, ``year_from``, ``year_to``, ``issuer``) by
    writing its sidecar, then refresh the index. An empty value ("" or None) drops the override, so the field
    is read from the report's text again. The values are validated as a sidecar is before anything is written.

    Returns:
        One line saying what changed (✓) or why nothing was saved (✗).
    """
    if bot.library is None:
        return NO_LIBRARY
    problem = source_problem(source) or changes_problem(changes)
    if problem:
        return f"✗ 未保存：{problem}"
    if source not in bot.store.files:
        return f"✗ 未保存：索引中没有 {source}"
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        return f"✗ 未保存：不能修改的字段 {unknown}；可修改：{', '.join(EDITABLE)}"
    path = _sidecar_path(bot, source)
    if path is None:
        return f"✗ 未保存：{source} 的文件名过长，无法再为它保存元数据文件"
    before = bot.reports[source]
    try:
        with edit_lock(bot.library):
            written = _write_overrides(bot, source, path, changes)
    except Timeout:
        return BUSY
    except OSError as exc:
        return f"✗ 未保存 {source} 的元数据：{exc.strerror or exc}"
    if written:
        return written
    store, failure = refresh_index(bot, progress)
    if store is None:
        return f"已保存 {source} 的元数据，但{failure}"
    after = bot.reports.get(source)
    if after is None:
        return f"✗ 已保存元数据，但 {source} 未能重新索引：{dict(bot.skipped).get(source, '原因未知')}"
    said = []
    for key, name in (("title", "title"), ("region", "region"), ("years", "year"), ("issuer", "issuer")):
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            said.append(f"{FIELD_NAMES[name]} {_shown(old)} → {_shown(new)}")
    where = "报告库" if bot.roots.in_library(source) else "报告库（内置报告的文件不改动）"
    return (f"✓ 已修改 {source} 的元数据：{'；'.join(said) or '标签未变'}；元数据保存在{where}，索引已更新")


def _write_overrides(bot: Assistant, source: str, path: Path, changes: Mapping) -> str:
    """Merge ``changes`` into the sidecar at ``path`` (holding the edit lock): '' when written, else why not.
    An old stem-named sidecar only this report used is read, and removed once the full-name one is written."""
    old = _current_sidecar(bot, source, path)
    overrides = _existing(old)
    for key, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            overrides.pop(key, None)
        else:
            overrides[key] = value
    if "year_from" in overrides and "year_to" not in overrides:
        overrides["year_to"] = overrides["year_from"]
    if "year_to" in overrides and "year_from" not in overrides:
        overrides["year_from"] = overrides["year_to"]
    text = json.dumps(overrides, ensure_ascii=False, indent=1)
    try:
        parse_sidecar(text.encode("utf-8"), path.name)
    except SidecarError as exc:
        return f"✗ 未保存：{exc.reason}"
    if overrides:
        _write_atomically(path, text)
    else:
        path.unlink(missing_ok=True)
    if old != path:
        old.unlink(missing_ok=True)          # migrated: the full-name sidecar now holds these overrides
    return ""


def delete(bot: Assistant, source: str, progress: Progress = _quiet) -> str:
    """Take a report out of the index. An uploaded report is moved, with its sidecar, to
    ``<library>/.trash/<time>/``; a shipped one is hidden (its file is not touched) and can be restored."""
    if bot.library is None:
        return NO_LIBRARY
    problem = source_problem(source)
    if problem:
        return f"✗ 未删除：{problem}"
    if source not in bot.store.files:
        return f"✗ 未删除：索引中没有 {source}"
    meta = bot.reports[source]
    label = f"{source}（{report_label(meta.region, meta.years, meta.uncertain)}《{meta.title or '无标题'}》）"
    try:
        with edit_lock(bot.library):
            if bot.roots.in_library(source):
                target = to_trash(bot.library, bot.roots.path_of(source), with_sidecar=True)
                shown = target.relative_to(bot.library).as_posix()
                done = f"✓ 已删除 {label}：文件已移到报告库的 {shown}（可从那里取回）"
            else:
                hidden = bot.roots.hidden()
                hidden[source] = {"title": meta.title, "region": meta.region, "years": meta.years,
                                  "hidden_at": time.strftime("%Y-%m-%d %H:%M:%S")}
                _write_atomically(bot.library / HIDDEN, json.dumps(hidden, ensure_ascii=False, indent=1))
                done = f"✓ 已隐藏内置报告 {label}：不再参与问答，原文件未改动，可在报告库中恢复"
    except Timeout:
        return BUSY.replace("未保存", "未删除")
    except OSError as exc:
        return f"✗ 未删除 {source}：{exc.strerror or exc}"
    store, failure = refresh_index(bot, progress)
    return done if store is not None else f"{done}，但{failure}"


def restore(bot: Assistant, source: str, progress: Progress = _quiet) -> str:
    """Bring a hidden shipped report back into the index, or a deleted upload back from the trash."""
    if bot.library is None:
        return NO_LIBRARY
    problem = source_problem(source)
    if problem:
        return f"✗ 未恢复：{problem}"
    try:
        with edit_lock(bot.library):
            hidden = bot.roots.hidden()
            from_trash = source not in hidden
            if not from_trash:
                del hidden[source]
                _write_atomically(bot.library / HIDDEN, json.dumps(hidden, ensure_ascii=False, indent=1))
    except Timeout:
        return BUSY.replace("未保存", "未恢复")
    except OSError as exc:
        return f"✗ 未恢复 {source}：{exc.strerror or exc}"
    if from_trash:
        # Not a hidden shipped report: a deleted upload may be waiting in the trash.
        return restore_upload(bot, source, progress)
    store, failure = refresh_index(bot, progress)
    if store is None:
        return f"已恢复 {source}，但{failure}"
    return f"✓ 已恢复 {source}，重新加入索引" if source in store.files else \
        f"✗ 已恢复 {source}，但未能索引：{dict(store.skipped).get(source, '文件已不存在')}"
