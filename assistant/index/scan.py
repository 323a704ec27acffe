"""Find the report files of a folder and read them, each failure a reason that names the file."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.formats import SUPPORTED
from assistant.ingest.metadata import SIDECAR_SUFFIX, sidecar_for
from assistant.ingest.reading import ReadError
from assistant.settings import Settings


@dataclass(frozen=True)
class Candidate:
    """A file found in the folder, named relative to it."""

    source: str
    path: Path


def discover(folder: Path, suffixes: tuple[str, ...] = SUPPORTED) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """List report files under ``folder`` (sorted), skipping hidden folders and never following directory links.

    Returns:
        The candidates, and (file, reason) pairs for entries that cannot be read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    found, skipped = [], []

    def onerror(exc: OSError) -> None:
        skipped.append((os.path.relpath(exc.filename or str(folder), folder), f"cannot list folder: {exc.strerror}"))

    for root, dirs, files in os.walk(folder, onerror=onerror, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if not name.lower().endswith(suffixes):
                continue
            if path.is_symlink() and not path.exists():
                skipped.append((rel, "broken or looping symbolic link"))
                continue
            found.append(Candidate(rel, path))
    return found, skipped


def read_file(candidate: Candidate, settings: Settings) -> bytes:
    """The bytes of a candidate file, or ReadError naming it and the reason."""
    try:
        size = candidate.path.stat().st_size
    except FileNotFoundError as exc:
        raise ReadError(candidate.source, "file disappeared while indexing") from exc
    except OSError as exc:
        raise ReadError(candidate.source, f"cannot read: {exc.strerror}") from exc
    limit = settings.max_file_mb * 1024 * 1024
    if size > limit:
        raise ReadError(candidate.source, f"too large ({size / 2**20:.1f} MB > {settings.max_file_mb:g} MB limit; "
                                          "raise Settings.max_file_mb to index it)")
    try:
        return candidate.path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(candidate.source, "file disappeared while indexing") from exc
    except PermissionError as exc:
        raise ReadError(candidate.source, "permission denied") from exc
    except IsADirectoryError as exc:
        raise ReadError(candidate.source, "is a folder, not a file") from exc
    except OSError as exc:
        raise ReadError(candidate.source, f"cannot read: {exc.strerror or exc}") from exc


def fingerprint(data: bytes, path: Path) -> str:
    """The content hash of a report and its metadata sidecar: what decides whether to re-read it."""
    digest = hashlib.sha256(data)
    sidecar = sidecar_for(path)
    if sidecar.exists():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()
