"""Find the report files of the folders an index covers, read and hash them safely, each failure a reason
that names the file.

Only regular files inside the folder are read. A link that leads out of the folder, a FIFO, a device or
a socket is skipped with its reason and never opened for reading (a FIFO would block the indexer while
it holds the write lock, and ``/dev/zero`` never ends). A file is opened without blocking, checked again
on the open descriptor (type, where it really lies, size), and read only up to the size limit. Names the
file system holds in another encoding (GBK names from Windows archives) are shown decoded.

Several roots are scanned as one (see :mod:`assistant.index.roots`): the library's files are named
``library/…``, a shipped report's metadata may come from the library's ``.sidecars/``, and the reports the
library hides are left out.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.ingest.formats import SUPPORTED
from assistant.ingest.reading import ReadError
from assistant.index.roots import Roots, display_name
from assistant.ingest.sidecar import SIDECAR_SUFFIX, SidecarError, parse_sidecar, sidecar_of
from assistant.settings import Settings

OUTSIDE = "符号链接指向报告文件夹之外，不读取"
MAX_DEPTH = 64            # folders nested deeper than this are not walked into (each one skipped with its reason)
_KINDS = ((stat.S_ISDIR, "文件夹"), (stat.S_ISFIFO, "命名管道 FIFO"), (stat.S_ISCHR, "字符设备"),
          (stat.S_ISBLK, "块设备"), (stat.S_ISSOCK, "套接字"))
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Candidate:
    """A file found in the folder: its readable name relative to the folder, its path, and the folder
    (resolved) it must lie inside. ``overlay`` is where a sidecar kept elsewhere (the library's, for a
    shipped report) would be: when that file exists it is used instead of the one beside the report."""

    source: str
    path: Path
    root: Path | None = None
    overlay: Path | None = None

    def sidecar_path(self) -> tuple[Path | None, Path | None, str]:
        """(the sidecar to read, the folder it must lie inside, why an old-named one beside the file is
        ignored): the overlay when it exists, else the one beside the file (see :func:`sidecar_of`)."""
        if self.overlay is not None and os.path.lexists(self.overlay):
            return self.overlay, self.overlay.parent.resolve(), ""
        side, problem = sidecar_of(self.path, SUPPORTED)
        return side, self.root, problem


@dataclass(frozen=True)
class Sidecar:
    """The metadata sidecar beside a report: its name and bytes, or why it cannot be used (``problem``).
    An empty ``name`` means there is none."""

    name: str = ""
    data: bytes | None = None
    problem: str = ""


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
    return f"不是普通文件（{kind}），不读取"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _entry_problem(path: Path, root: Path) -> str | None:
    """Why the entry at ``path`` must not be read (a link leaving ``root``, not a regular file), or None.
    Only metadata is read: nothing is opened."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = Path(os.path.realpath(path, strict=True))
            except OSError:
                return "符号链接失效或循环"
            if not _inside(target, root):
                return OUTSIDE
            info = os.stat(path)
    except FileNotFoundError:
        return "文件在索引过程中消失了"
    except OSError as exc:
        return f"无法读取：{exc.strerror or exc}"
    return None if stat.S_ISREG(info.st_mode) else _not_regular(info.st_mode)


def _where(fd: int) -> Path | None:
    """Where an open file really is (Linux), to catch a link swapped in after the folder was listed."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def read_regular(path: Path, name: str, limit: int, too_large: Callable[[int], str], root: Path | None = None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them, or ReadError naming ``name``.

    The file is opened without blocking (a FIFO swapped in after the listing cannot hang the indexer) and
    checked on the open descriptor: a regular file, inside ``root``, not over ``limit`` bytes (before and
    while reading).
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError as exc:
        raise ReadError(name, "文件在索引过程中消失了") from exc
    except PermissionError as exc:
        raise ReadError(name, "没有读取权限") from exc
    except OSError as exc:
        reason = {errno.ELOOP: "符号链接失效或循环", errno.ENXIO: "不是普通文件（套接字或设备），不读取",
                  errno.ENAMETOOLONG: "文件名过长"}.get(exc.errno, f"无法读取：{exc.strerror or exc}")
        raise ReadError(name, reason) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(name, _not_regular(info.st_mode))
        where = _where(fd) if root is not None else None
        if where is not None and not _inside(where, root):
            raise ReadError(name, OUTSIDE)
        if info.st_size > limit:
            raise ReadError(name, too_large(info.st_size))
        parts, total = [], 0
        while True:                        # a file growing while it is read is still cut at the limit
            block = os.read(fd, min(1 << 20, limit + 1 - total))
            if not block:
                break
            parts.append(block)
            total += len(block)
            if total > limit:
                raise ReadError(name, too_large(total))
        return b"".join(parts)
    except OSError as exc:
        raise ReadError(name, f"无法读取：{exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def discover(folder: Path, suffixes: tuple[str, ...] = SUPPORTED, prefix: str = "",
             exclude: tuple[Path, ...] = ()) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """List report files under ``folder`` (sorted), skipping hidden entries and never following directory links.

    Args:
        prefix: put before each file's relative name (``library/``).
        exclude: folders (resolved) not to walk into: another root that lies inside this one.

    Returns:
        The candidates, and (file, reason) pairs for entries that must not or cannot be read: links that
        leave the folder or lead nowhere, FIFOs, devices and sockets.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    root = folder.resolve()
    found: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    names: dict[str, str] = {}

    def listed(base: Path) -> list[os.DirEntry] | None:
        try:
            with os.scandir(base) as entries:
                return sorted(entries, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            where = display_name(os.path.relpath(base, folder))
            skipped.append((prefix + where, f"无法列出文件夹：{exc.strerror or exc}"))
            return None

    # An explicit stack, not os.walk: on Python 3.11 os.walk recurses, and a folder nested 1,000 deep
    # raised RecursionError and cost every file. Folders are walked in name order, files before subfolders.
    stack: list[tuple[Path, int]] = [(folder, 0)]
    while stack:
        base, depth = stack.pop()
        entries = listed(base)
        if entries is None:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                path = Path(base) / name
                if exclude and path.resolve() in exclude:
                    continue
                if depth + 1 > MAX_DEPTH:
                    where = display_name(path.relative_to(folder).as_posix())
                    skipped.append((prefix + where + "/", f"文件夹层级超过 {MAX_DEPTH} 层，其中的文件未读取"))
                    continue
                subfolders.append(path)
                continue
            if name.endswith(SIDECAR_SUFFIX) or not name.lower().endswith(suffixes):
                continue
            path = Path(base) / name
            raw = path.relative_to(folder).as_posix()
            source = prefix + display_name(raw)
            problem = _entry_problem(path, root)
            if problem is None and source in names and names[source] != raw:
                problem = "文件名换成可读编码后与另一个文件同名，未读取"
            if problem:
                skipped.append((source, problem))
                continue
            names[source] = raw
            found.append(Candidate(source, path, root))
        stack.extend((sub, depth + 1) for sub in reversed(subfolders))
    found.sort(key=lambda c: c.source)
    return found, skipped


def read_file(candidate: Candidate, settings: Settings) -> bytes:
    """The bytes of a candidate file, or ReadError naming it and the reason."""
    limit_mb = settings.max_file_mb
    return read_regular(candidate.path, candidate.source, int(limit_mb * 2**20),
                        lambda n: f"文件过大（{n / 2**20:.1f} MB，上限 {limit_mb:g} MB；确需索引请调高 Settings.max_file_mb）",
                        candidate.root)


def read_sidecar(candidate: Candidate, settings: Settings) -> Sidecar:
    """The metadata sidecar of a candidate (see :mod:`assistant.ingest.sidecar`), read with the same care as
    a report and bounded by ``Settings.max_sidecar_kb``; a name too long for a sidecar means there is none."""
    path, root, ignored = candidate.sidecar_path()
    if ignored:
        folder = candidate.source.rsplit("/", 1)[0] + "/" if "/" in candidate.source else ""
        old = Path(candidate.path).stem + SIDECAR_SUFFIX
        return Sidecar(folder + display_name(old), None, ignored)
    if path is None:
        return Sidecar()
    if path == candidate.overlay:
        name = f"{candidate.source}{SIDECAR_SUFFIX}（报告库中的元数据）"
    else:
        folder = candidate.source.rsplit("/", 1)[0] + "/" if "/" in candidate.source else ""
        name = folder + display_name(path.name)
    try:
        os.lstat(path)
    except FileNotFoundError:
        return Sidecar()
    except OSError as exc:
        return Sidecar(name, None, f"无法读取：{exc.strerror or exc}")
    problem = _entry_problem(path, root) if root is not None else None
    if problem:
        return Sidecar(name, None, problem)
    limit_kb = settings.max_sidecar_kb
    try:
        data = read_regular(path, name, int(limit_kb * 1024),
                            lambda n: f"元数据文件过大（{n / 1024:.0f} KB，上限 {limit_kb:g} KB）", root)
    except ReadError as exc:
        return Sidecar(name, None, exc.reason)
    return Sidecar(name, data)


def fingerprint(data: bytes, sidecar: Sidecar = Sidecar()) -> str:
    """The content hash of a report and its metadata sidecar: what decides whether to re-read it."""
    digest = hashlib.sha256(data)
    if sidecar.data is not None:
        digest.update(b"\0sidecar\0" + sidecar.data)
    elif sidecar.problem:
        digest.update(b"\0sidecar-problem\0" + sidecar.problem.encode("utf-8"))
    return digest.hexdigest()


SIDECAR_IGNORED = "已忽略，报告按正文中的元数据索引"
RACY_NS = 2 * 10**9           # a file's stat is trusted for its hash only once it is this much older than the scan


def discover_roots(roots: Roots) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """The candidates of every root, named as :class:`~assistant.index.roots.Roots` says, without the hidden ones.

    A library that does not exist yet holds nothing; a root inside another is listed once, as itself.
    """
    parts = roots.parts()
    resolved = [folder.resolve() for _, folder in parts]
    hidden = roots.hidden()
    found: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, (prefix, folder) in enumerate(parts):
        if prefix and not folder.is_dir():
            continue
        inner = tuple(r for j, r in enumerate(resolved) if j != i and resolved[i] in r.parents)
        cands, skips = discover(folder, prefix=prefix, exclude=inner)
        for cand in cands:
            source = roots.name(prefix, cand.source[len(prefix):])
            if source in hidden:
                continue
            if source in seen:
                skipped.append((source, "与另一个文件夹中的文件同名，未读取"))
                continue
            seen.add(source)
            found.append(Candidate(source, cand.path, cand.root, roots.overlay(source)))
        skipped.extend((roots.name(prefix, name[len(prefix):]), why) for name, why in skips)
    return found, skipped


class Scanner:
    """Lists and hashes the report files of the folders of an index for one update. Each file's hash is
    remembered by its and its sidecar's stat, so scanning again later in the same update reads only what changed.

    Example:
        >>> found, paths, skipped = Scanner(Path("seeds"), Settings()).scan()   # doctest: +SKIP
    """

    def __init__(self, folder: Path | Roots, settings: Settings,
                 progress: Callable[[str, int, int, str], None] = lambda *a: None):
        self.roots, self.settings, self.progress = Roots.of(folder), settings, progress
        self.folder = Path(self.roots.folder)
        self.scanned = 0
        self._digests: dict[tuple, tuple[str, Sidecar]] = {}    # stat signature → (hash, sidecar's state)
        self._started_ns = time.time_ns()
        self._seen: set[tuple] = set()                          # the signatures of the latest scan

    def remember(self, known: list) -> None:
        """Take the hashes an earlier update saved (see :meth:`known`): a file whose stat is unchanged is not
        read again, so a start on an unchanged folder reads no report."""
        for item in known:
            try:
                signature, digest, name, problem = item
                side = signature[-1]
                key = (*signature[:-1], tuple(side) if isinstance(side, list) else side)
                self._digests[key] = (str(digest), Sidecar(str(name), None, str(problem)))
            except (TypeError, ValueError):
                continue              # an entry of another shape: that file is simply hashed again

    def known(self) -> list:
        """The hashes of this update as plain lists, for the manifest. Files changed less than ``RACY_NS``
        before the scan began are left out: another write within the file system's time resolution could
        leave their stat unchanged (git's "racy" files), so they are hashed again next time."""
        out = []
        for signature in self._seen:
            digest, side = self._digests[signature]
            if signature[4] < self._started_ns - RACY_NS and signature[5] < self._started_ns - RACY_NS:
                out.append([list(signature), digest, side.name, side.problem])
        return out

    def sidecar(self, sidecar: Sidecar) -> tuple[dict | None, str]:
        """(validated overrides or None, why the sidecar is ignored or '')."""
        if sidecar.problem:
            return None, sidecar.problem
        if sidecar.data is None:
            return None, ""
        try:
            return parse_sidecar(sidecar.data, sidecar.name, int(self.settings.max_sidecar_kb * 1024)), ""
        except SidecarError as exc:
            return None, exc.reason

    def _signature(self, cand: Candidate) -> tuple | None:
        """What identifies a file's content without reading it: its and its sidecar's stat."""
        try:
            info = os.stat(cand.path)
        except OSError:
            return None
        side, _, ignored = cand.sidecar_path()
        try:
            side_info = os.stat(side) if side is not None else None
            side_key = side_info and (side_info.st_ino, side_info.st_size, side_info.st_mtime_ns, side_info.st_ctime_ns)
        except OSError as exc:
            side_key = exc.errno
        if ignored:
            return None       # whether an old-named sidecar is shared depends on other files: hash each time
        # The path as valid text (a GBK name holds lone surrogates, which cannot be written as UTF-8 JSON).
        where = os.fsencode(cand.path).decode("utf-8", "backslashreplace")
        return (where, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, side_key)

    def _hash(self, cand: Candidate) -> tuple[str, Sidecar]:
        """(content hash, the sidecar's name and why it is ignored, if it is)."""
        signature = self._signature(cand)
        if signature is not None and signature in self._digests:
            self._seen.add(signature)
            return self._digests[signature]
        data = read_file(cand, self.settings)
        sidecar = read_sidecar(cand, self.settings)
        result = fingerprint(data, sidecar), Sidecar(sidecar.name, None, self.sidecar(sidecar)[1])
        if signature is not None:
            self._digests[signature] = result
            self._seen.add(signature)
        return result

    def scan(self) -> tuple[list[tuple[str, str]], dict[str, Candidate], list[tuple[str, str]]]:
        """(file, hash) of every readable file, the files by name, and (name, reason) for the rest."""
        candidates, skipped = discover_roots(self.roots)
        self.scanned = len(candidates)
        self._seen = set()
        found, paths = [], {}
        for i, cand in enumerate(candidates):
            self.progress("read", i, len(candidates), cand.source)
            try:
                digest, sidecar = self._hash(cand)
            except ReadError as exc:
                skipped.append((cand.source, exc.reason))
                continue
            except Exception as exc:  # anything else about one file is still about that file only
                skipped.append((cand.source, f"读取失败（{type(exc).__name__}: {str(exc)[:120]}）"))
                continue
            if sidecar.problem:
                skipped.append((sidecar.name, f"{sidecar.problem}；{SIDECAR_IGNORED}"))
            found.append((cand.source, digest))
            paths[cand.source] = cand
        return found, paths, skipped
