"""The stat cache (each file's stat → its hash, so an update does not read a file whose stat is unchanged) kept as
a full copy written now and then plus the changes since, so an update writes what changed in the folder rather
than one line per file.

Layout::

    stat-cache/c-<time>-<rand>.jsonl   # a full copy, one entry per line: immutable, named (with its SHA-256)
                                       # by the versions that use it, deleted once none does
    v-…/changes.jsonl                  # {"stat": entry}: added since that copy; {"unstat": entry}: gone since

A new full copy is written once the changes outgrow a quarter of the copy (and ``MIN_CHANGES`` lines), so an
entry is rewritten a bounded number of times over the index's life; small indexes never write one. It is only
a cache: a copy that is missing or fails its checksum is ignored with a warning, and the files are hashed again.

Example:
    >>> cache = StatCache(None).updated([[["a.txt", 1, 2, 3, 4, 5, None], "ab12", "", ""]])
    >>> cache.entries()[0][1], len(cache.change_lines())
    ('ab12', 1)
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.index.filetable import json_line

log = logging.getLogger(__name__)

FOLDER = "stat-cache"
MIN_CHANGES = 1024     # ≈ 190 KB of changes: below it an update rewrites no full copy
SHARE = 4          # a new full copy once the changes exceed 1/SHARE of it


def canonical(entry) -> str:
    """The entry's line: equal entries give equal lines."""
    return json_line(entry).decode("utf-8").rstrip("\n")


def _key(entry):
    """The entry as a hashable value: cheaper to compare than its line (an entry of another shape: its line)."""
    try:
        signature, digest, name, problem = entry
        side = signature[-1]
        return (*signature[:-1], tuple(side) if isinstance(side, list) else side, digest, name, problem)
    except (TypeError, ValueError, IndexError, KeyError):
        return canonical(entry)


@dataclass(frozen=True)
class StatCache:
    """The stat cache of one version: its full copy (``base``: name, SHA-256 and lines, or None) and the
    lines added and removed since."""

    index_dir: Path | None
    base: dict | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @classmethod
    def of_version(cls, index_dir: Path | None, manifest: dict, lines: list[dict]) -> "StatCache":
        """The cache a version names; a version of format 3 holds it whole in its manifest."""
        if "stat_cache" in manifest:
            return cls(index_dir, None, tuple(canonical(e) for e in manifest.get("stat_cache") or ()))
        added = tuple(canonical(line["stat"]) for line in lines if "stat" in line)
        removed = tuple(canonical(line["unstat"]) for line in lines if "unstat" in line)
        return cls(index_dir, manifest.get("stat_base"), added, removed)

    @cached_property
    def _base_lines(self) -> tuple[str, ...]:
        if not self.base or self.index_dir is None:
            return ()
        path = Path(self.index_dir) / FOLDER / self.base["name"]
        try:
            raw = path.read_bytes()
            if hashlib.sha256(raw).hexdigest() != self.base["sha256"]:
                raise ValueError("it does not match its checksum")
            return tuple(raw.decode("utf-8").splitlines())
        except (OSError, ValueError) as exc:
            log.warning("the stat cache %s is unusable (%s): every file is hashed again", path, exc)
            return ()

    @cached_property
    def _base_keys(self) -> dict:
        return {_key(json.loads(line)): line for line in self._base_lines}

    def lines(self) -> list[str]:
        gone = set(self.removed)
        return [line for line in self._base_lines if line not in gone] + list(self.added)

    def entries(self) -> list:
        """Every entry, as :meth:`assistant.index.scan.Scanner.remember` takes them."""
        return [json.loads(line) for line in self.lines()]

    def updated(self, known: list) -> "StatCache":
        """The cache holding exactly ``known`` (a Scanner's :meth:`~assistant.index.scan.Scanner.known`),
        as changes to the same full copy."""
        base = self._base_keys
        new = {_key(e): e for e in known}
        added = tuple(dict.fromkeys(canonical(e) for key, e in new.items() if key not in base))
        return StatCache(self.index_dir, self.base if self._base_lines else None, added,
                         tuple(line for key, line in base.items() if key not in new))

    def settled(self, index_dir: Path, written: list[Path]) -> "StatCache":
        """This cache as a version will name it: with a new full copy (written, fsync'd and renamed into
        ``stat-cache/``, its path appended to ``written``) when the changes have outgrown the old one."""
        changes = len(self.added) + len(self.removed)
        if changes <= max(MIN_CHANGES, len(self._base_lines) // SHARE):
            return self if Path(index_dir) == self.index_dir else StatCache(Path(index_dir), self.base, self.added,
                                                                            self.removed)
        from assistant.index.store import fsync_dir

        data = "".join(line + "\n" for line in self.lines()).encode("utf-8")
        folder = Path(index_dir) / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        name = f"c-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}.jsonl"
        tmp = folder / (name + ".tmp")
        written.append(tmp)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
        written.append(folder / name)
        fsync_dir(folder)
        return StatCache(Path(index_dir), {"name": name, "sha256": hashlib.sha256(data).hexdigest(),
                                           "lines": data.count(b"\n")})

    def change_lines(self) -> list[dict]:
        """The version's lines for this cache (see the module's layout)."""
        return [{"stat": json.loads(line)} for line in self.added] + \
               [{"unstat": json.loads(line)} for line in self.removed]
