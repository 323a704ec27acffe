"""The library's trash: what the app takes out of the library is moved to ``<library>/.trash/<time>/``, never
destroyed, keeping its path inside the library so it can be put back by hand.

Example:
    >>> to_trash(library, library / "report.txt", with_sidecar=True)      # doctest: +SKIP
    PosixPath('…/library/.trash/20260101-120000/report.txt')
"""
from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from assistant.index.roots import TRASH
from assistant.ingest.formats import SUPPORTED
from assistant.ingest.sidecar import sidecars_of


def to_trash(library: Path, path: Path, with_sidecar: bool = False, copy: bool = False) -> Path:
    """Move ``path`` (a file inside ``library``), and its metadata sidecar when asked, into the trash; with
    ``copy``, put a copy there instead (for a file about to be overwritten, which must stay in place until then).

    Returns:
        Where the file now is.

    Raises:
        OSError: the file could not be moved or copied.
    """
    target = library / TRASH / time.strftime("%Y%m%d-%H%M%S") / path.relative_to(library)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():                              # two removals in the same second
        target = target.with_name(f"{secrets.token_hex(3)}-{target.name}")
    # Its sidecars (the full-name one, and an old stem-named one no other report shares) go with it.
    sides = sidecars_of(path, SUPPORTED) if with_sidecar else []
    if copy:
        shutil.copy2(path, target)
    else:
        shutil.move(str(path), str(target))
    for side in sides:
        shutil.move(str(side), str(target.with_name(target.name + side.name[len(path.name):]
                                                    if side.name.startswith(path.name) else
                                                    target.stem + side.name[len(path.stem):])))
    return target
