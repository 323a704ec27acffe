"""The folders one index covers: a shipped folder (plain names, never written to) and a per-user library.

Files of the library are named ``library/<name>``; files of the shipped folder keep their plain relative
names, so gold files naming ``000_f67df9fa3c27168c.txt`` keep working. The library also holds what the
user changed about shipped reports, so the shipped folder is never written to:

    <library>/
      方正县报告.txt, 方正县报告.txt.meta.json   # uploads, and their metadata sidecars beside them (full name)
      .sidecars/<source>.meta.json            # metadata of shipped reports, set in the app
      .hidden.json                            # shipped reports hidden from the index
      .trash/<time>/                          # deleted uploads, with their sidecars

A shipped folder may itself hold a ``library/`` folder: its files are then named ``./library/<name>``, so
an upload and a shipped file can never take one name (and shadow each other).

Example:
    >>> roots = Roots(Path("seeds"), Path("/tmp/library"))
    >>> roots.source_path("library/a.txt"), roots.source_path("000_x.txt")
    (PosixPath('/tmp/library/a.txt'), PosixPath('seeds/000_x.txt'))
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

LIBRARY = "library/"
SHIPPED_MARK = "./"      # before a shipped file's name that would otherwise start with LIBRARY
SIDECARS = ".sidecars"
HIDDEN = ".hidden.json"
TRASH = ".trash"
APP_NAME = "gov-report-assistant"


def display_name(relative: str) -> str:
    """A file's name relative to the folder as valid text: each part read as UTF-8, else as GB18030 (names
    from Windows archives), else with its undecodable bytes written as ``\\xNN``."""
    parts = []
    for part in relative.split("/"):
        raw = os.fsencode(part)
        for encoding in ("utf-8", "gb18030"):
            try:
                parts.append(raw.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            parts.append(raw.decode("utf-8", "backslashreplace"))
    return "/".join(parts)


def data_home() -> Path:
    """``$XDG_DATA_HOME/gov-report-assistant``, else ``~/.local/share/gov-report-assistant``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def default_library() -> Path:
    """Where uploads go unless ``--library DIR`` says otherwise: outside any repository."""
    return data_home() / "library"


def encoder_slug(encoder_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", encoder_name).strip("_")


@dataclass(frozen=True)
class Roots:
    """The shipped ``folder`` and the optional ``library`` one index covers."""

    folder: Path
    library: Path | None = None

    @classmethod
    def of(cls, folder: "Roots | str | Path") -> "Roots":
        return folder if isinstance(folder, Roots) else cls(Path(folder))

    def parts(self) -> list[tuple[str, Path]]:
        """(name prefix, folder) of each root, the shipped folder first."""
        out = [("", Path(self.folder))]
        if self.library is not None:
            out.append((LIBRARY, Path(self.library)))
        return out

    def in_library(self, source: str) -> bool:
        return self.library is not None and source.startswith(LIBRARY)

    def name(self, prefix: str, relative: str) -> str:
        """The index's name of the file ``relative`` (readable text) in the root of ``prefix``: distinct by root."""
        if not prefix and self.library is not None and relative.startswith(LIBRARY):
            return SHIPPED_MARK + relative
        return prefix + relative

    def source_path(self, source: str) -> Path:
        """The file a source name stands for (it may no longer exist)."""
        if self.in_library(source):
            return Path(self.library) / source[len(LIBRARY):]
        return Path(self.folder) / source

    def path_of(self, source: str) -> Path:
        """The file a source name stands for on disk. Names the file system holds in another encoding (GBK
        from Windows archives) are shown decoded, so the entry whose shown name matches is looked up part by
        part; a name that matches nothing gives :meth:`source_path`."""
        path = self.source_path(source)
        if os.path.lexists(path):
            return path
        inside = self.in_library(source)
        current = Path(self.library) if inside else Path(self.folder)
        for part in (source[len(LIBRARY):] if inside else source).split("/"):
            if part in ("", "."):
                continue
            direct = current / part
            if not os.path.lexists(direct):
                try:
                    direct = next((current / n for n in sorted(os.listdir(current)) if display_name(n) == part), None)
                except OSError:
                    direct = None
                if direct is None:
                    return path
            current = direct
        return current

    def overlay(self, source: str) -> Path | None:
        """Where the app keeps the metadata sidecar of a shipped report: ``<library>/.sidecars/<source>.meta.json``
        (None without a library, or for a library file, whose sidecar lies beside it)."""
        if self.library is None or self.in_library(source):
            return None
        return Path(self.library) / SIDECARS / (source.removeprefix(SHIPPED_MARK) + ".meta.json")

    def hidden(self) -> dict[str, dict]:
        """Shipped reports hidden from the index: source → what it was (title, region) and when it was hidden.
        An unreadable or malformed list hides nothing."""
        if self.library is None:
            return {}
        try:
            data = json.loads((Path(self.library) / HIDDEN).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)} \
            if isinstance(data, dict) else {}

    def key(self) -> str:
        """A short hash naming this combination of folders (where its index is kept)."""
        text = "\0".join(str(Path(p).resolve()) for _, p in self.parts())
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    def index_dir(self, encoder_name: str) -> Path:
        """``<data>/index/<hash of the roots>/<encoder>``: the shipped folder may be read-only."""
        return data_home() / "index" / self.key() / encoder_slug(encoder_name)

    def to_dict(self) -> dict:
        return {"folder": str(Path(self.folder).resolve()),
                "library": str(Path(self.library).resolve()) if self.library is not None else None}
