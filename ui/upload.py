"""Uploads from the browser into the user's library: safe names, format and size checks, then an
incremental index update.

Uploads go to the library folder (``--library``, by default in the user's data folder), never into the
shipped report folder, and are named ``library/<name>`` in the index. An upload never replaces a file. A name already taken gets the next free one (``report (2).txt``), and
the same content uploaded again is not stored twice. Replacing a report is its own action,
:func:`replace_upload`: it checks that the new file can be indexed before touching the old one, and says
what it replaced. Kept apart from Gradio so it can be tested with plain files.
"""
from __future__ import annotations

import filecmp
import json
import logging
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from assistant.api import Assistant
from assistant.index.roots import LIBRARY
from assistant.index.store import IndexUnusable, Store
from assistant.ingest.formats import SUPPORTED
from assistant.ingest.reading import ReadError
from assistant.ingest.sidecar import sidecars_of
from assistant.ingest.report import parse_report
from ui.trash import to_trash

log = logging.getLogger(__name__)

NAME_BYTES = 150      # leaves room for " (99)" and ".meta.json" within the 255-byte limit of a file name
MAX_COPIES = 999      # report (2).txt … report (999).txt

Progress = Callable[[str, int, int, str], None]


def safe_name(name: str) -> str:
    """A file name that stays inside the upload folder: no folders, no leading dots, only plain characters,
    at most NAME_BYTES bytes with its format suffix kept."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w\u4e00-\u9fff.\-（）()]+", "_", base).lstrip(".") or "upload.txt"
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, suffix = base, ""
    else:
        suffix = "." + suffix
    budget = NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore") or "upload"
    return stem + suffix


def numbered(name: str, n: int) -> str:
    """The n-th copy's name: "report.txt" → "report (2).txt" (n = 1: the name itself)."""
    stem, dot, suffix = name.rpartition(".")
    return name if n == 1 else (f"{stem} ({n}).{suffix}" if dot else f"{name} ({n})")


@dataclass
class Received:
    """What happened to a batch of uploaded files before indexing."""

    added: list[str] = field(default_factory=list)   # names in the index (library/<name>)
    notes: list[str] = field(default_factory=list)   # one line per refused or renamed file
    same: dict[str, str] = field(default_factory=dict)  # uploaded name → the stored file with the same content


def _same_file(path: Path, other: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode) and filecmp.cmp(path, other, shallow=False)
    except OSError:
        return False


def _hidden_copy(src: Path, target: Path) -> Path:
    """A copy of ``src`` in ``target`` under a hidden name, which the indexer never reads."""
    tmp = target / f".upload-{secrets.token_hex(6)}.part"
    try:
        shutil.copyfile(src, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _store_new(tmp: Path, target: Path, name: str) -> tuple[str | None, str | None]:
    """Give the hidden copy ``tmp`` the first free name among ``name``, ``name (2)``, …: (stored name, None),
    or (None, existing name) when a file there already holds the same content. Taking a name is atomic
    (a hard link fails if the name exists), so two uploads at once never overwrite each other."""
    try:
        for n in range(1, MAX_COPIES + 1):
            candidate = numbered(name, n)
            dest = target / candidate
            try:
                os.link(tmp, dest)
                return candidate, None
            except FileExistsError:
                if _same_file(dest, tmp):
                    return None, candidate
            except OSError:               # no hard links here: claim the name, then move the copy onto it
                try:
                    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)))
                except FileExistsError:
                    if _same_file(dest, tmp):
                        return None, candidate
                    continue
                os.replace(tmp, dest)
                return candidate, None
        raise FileExistsError(f"{name} 已有 {MAX_COPIES} 个同名副本")
    finally:
        tmp.unlink(missing_ok=True)


def receive(files: Iterable, library: Path, max_mb: float, prefix: str = LIBRARY) -> Received:
    """Copy uploaded files into ``library`` under safe names, refusing other formats and big files.
    A name that is taken gets a number (``report (2).txt``); nothing is ever overwritten. The names
    returned are those of the index: ``prefix`` + the stored name.

    ``files`` are paths, or objects with ``.name`` (the temporary path) and optionally ``.orig_name``.
    """
    target = Path(library)
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
        if (target / name).resolve().parent != target.resolve():
            out.notes.append(f"✗ {name}：文件名不安全")
            continue
        try:
            stored, existing = _store_new(_hidden_copy(src, target), target, name)
        except OSError as exc:
            out.notes.append(f"✗ {name}：保存失败（{exc.strerror or exc}）")
            continue
        if existing is not None:
            out.same[name] = f"{prefix}{existing}"
            continue
        if stored != name:
            out.notes.append(f"· 已有同名文件 {prefix}{name}，本文件另存为 {prefix}{stored}"
                             "（如要替换原文件，请用“替换”）")
        out.added.append(f"{prefix}{stored}")
    return out


def _label(store: Store, name: str) -> str:
    """（region years年） of an indexed file, under its own name or as another name of the same content."""
    entry = store.files.get(name) or next((e for e in store.files.values() if name in e.aliases), None)
    meta = entry.meta if entry else None
    return f"（{meta.region} {meta.years}年）" if meta and meta.region else ""


def _indexed(store: Store, name: str) -> bool:
    return name in store.files or any(name in e.aliases for e in store.files.values())


def _status(store: Store, name: str) -> str:
    skipped = dict(store.skipped)
    if _indexed(store, name):
        return f"✓ {name}{_label(store, name)} 已加入索引"
    if name in skipped:
        return f"✗ {name}：{skipped[name]}"
    return f"… {name} 已保存，正由另一个更新加入索引"


def without_paths(bot: Assistant, text: str) -> str:
    """``text`` with the server's folders named instead of spelled out: a reply never shows a server path
    (the full message goes to the server's log)."""
    for folder, name in ((bot.index_dir, "<索引目录>"), (bot.library, "<报告库>"), (bot.folder, "<内置报告目录>")):
        if folder is not None:
            for spelled in {str(folder), str(Path(folder).resolve())}:
                text = text.replace(spelled, name)
    return text


def refresh_index(bot: Assistant, progress: Progress) -> tuple[Store | None, str]:
    """(the new snapshot, '') after refreshing the index, or (None, why it failed): the old one stays live."""
    try:
        return bot.refresh(progress=progress), ""
    except IndexUnusable as exc:        # says itself that the previous index stays live
        log.warning("index update failed: %s", exc)
        return None, without_paths(bot, f"索引更新失败：{exc}")
    except Exception as exc:
        log.warning("index update failed: %r", exc)
        return None, without_paths(bot, f"索引更新失败，原索引保持不变：{exc}")


NO_LIBRARY = "✗ 没有报告库，无法修改（用 python -m ui --library 文件夹 指定报告库）"


def upload(bot: Assistant, files: Iterable, progress: Progress) -> str:
    """Receive ``files`` into the bot's library and index them; one line per file, then the time taken.

    The previous index stays live when the update fails.
    """
    if bot.library is None:
        return NO_LIBRARY
    received = receive(files, bot.library, bot.settings.max_file_mb)
    notes = list(received.notes)
    started = time.perf_counter()
    store, failure = refresh_index(bot, progress)
    if store is None:
        return "\n".join(notes + [failure])
    notes.extend(_status(store, name) for name in received.added)
    for name, existing in received.same.items():
        notes.append(f"= {name}：与已上传的 {existing} 内容相同，未重复保存；{_status(store, existing)}")
    notes.append(f"用时 {time.perf_counter() - started:.1f} 秒")
    return "\n".join(notes)


def _labels(path: Path | None) -> str:
    """The labels a sidecar sets, as the reply names them: "地区 方正县、年份 2021"."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig")) if path is not None else {}
    except (OSError, ValueError):
        return ""
    names = {"region": "地区", "year": "年份", "year_from": "起始年份", "year_to": "结束年份", "title": "标题",
             "issuer": "发布机关"}
    return "、".join(f"{names.get(k, k)} {v}" for k, v in data.items() if k in names) if isinstance(data, dict) else ""


def replace_upload(bot: Assistant, file, target: str, progress: Progress, keep_labels: bool = False) -> str:
    """Replace the uploaded report ``target`` (``library/<name>``) with ``file``, as an explicit action.

    The new file must have the same format and must itself be indexable; otherwise nothing is replaced.
    The old version goes to the library's trash. Labels set by hand on the old version (its sidecar) are
    cleared by default, going to the trash with it, so the new version is read from its own text; with
    ``keep_labels`` they are carried over. The reply says which, what the report is indexed as now, and
    where (inside the library) the old version is.
    """
    if bot.library is None:
        return NO_LIBRARY
    if not isinstance(target, str) or not target or "\0" in target or len(target) > 1024:
        return "✗ 未替换：要替换的报告名无效（须是报告库中的文件名，如 library/报告.txt）"
    dest = bot.roots.path_of(target)
    try:
        regular = stat.S_ISREG(os.lstat(dest).st_mode)
    except (OSError, ValueError):
        regular = False
    library = bot.library.resolve()
    inner = target[len(LIBRARY):].split("/") if bot.roots.in_library(target) else []
    if (not bot.roots.in_library(target) or any(p.startswith(".") or p in ("", "..") for p in inner)
            or library not in dest.resolve().parents or not regular):
        return f"✗ 未替换：{target} 不是报告库中的报告（内置报告、回收站中的文件不能替换）"
    src = Path(file if isinstance(file, (str, Path)) else file.name)
    shown = getattr(file, "orig_name", None) or src.name
    if Path(shown).suffix.lower() != dest.suffix.lower():
        return f"✗ 未替换 {target}：新文件的格式（{Path(shown).suffix or '无扩展名'}）与原文件不同；请直接上传"
    size = src.stat().st_size
    if size > bot.settings.max_file_mb * 2**20:
        return f"✗ 未替换 {target}：文件过大（{size / 2**20:.1f} MB，上限 {bot.settings.max_file_mb:g} MB）"
    try:
        parse_report(target, src.read_bytes(), bot.settings)
    except ReadError as exc:
        return f"✗ 未替换 {target}：新文件无法索引（{exc.reason}）"
    old = bot.store.files.get(target)
    before = (f"{old.meta.region} {old.meta.years}年《{old.meta.title}》" if old and old.meta.region
              else (old.meta.title if old else "未索引的文件"))
    sides = sidecars_of(dest, SUPPORTED)
    labels = "、".join(x for x in (_labels(p) for p in sides) if x)
    copy = _hidden_copy(src, dest.parent)
    try:
        # The old version goes to the trash; its hand-set labels with it unless they are to be kept.
        old_version = to_trash(bot.library, dest, with_sidecar=not keep_labels, copy=True)
        os.replace(copy, dest)
    except OSError as exc:
        return f"✗ 未替换 {target}：{exc.strerror or exc}"
    finally:
        copy.unlink(missing_ok=True)
    if not labels:
        said = "旧版本没有手动设置的标签"
    elif keep_labels:
        said = f"沿用了旧版本手动设置的标签（{labels}）"
    else:
        said = f"已清除旧版本手动设置的标签（{labels}，随旧版本移到回收站），新版本的标签从正文读取"
    store, failure = refresh_index(bot, progress)
    where = old_version.relative_to(bot.library).as_posix()
    if store is None:
        return f"已用 {shown} 替换 {target}，但{failure}"
    entry = store.files.get(target)
    after = (f"{entry.meta.region} {entry.meta.years}年《{entry.meta.title}》" if entry and entry.meta.region
             else (entry.meta.title if entry else "尚未索引"))
    return (f"✓ 已用 {shown} 替换 {target}：原为 {before}，现为 {after}；{said}；旧版本已移到报告库的 {where}\n"
            f"{_status(store, target)}")
