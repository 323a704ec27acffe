"""What an index update must do, decided from names and content hashes alone: keep, add, drop."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping, Sequence


@dataclass(frozen=True)
class Plan:
    """The files an update keeps (same content: reuse their rows), adds (new or changed: read and
    embed), drops (gone from the folder), and the other names of duplicated content.

    Example:
        >>> plan_update([("a.txt", "h1"), ("b.txt", "h2"), ("c.txt", "h1")], {"a.txt": "h1", "d.txt": "h4"})
        Plan(keep=('a.txt',), add=('b.txt',), drop=('d.txt',), aliases={'a.txt': ('c.txt',)})
    """

    keep: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        """Whether the update changes which reports the index holds."""
        return bool(self.add or self.drop)


def plan_update(found: Sequence[tuple[str, str]], old: Mapping[str, str], reread: bool = False,
                pending: Collection[str] = ()) -> Plan:
    """Plan an update from the files found now and the indexed ones.

    Args:
        found: (file, content hash) of every readable file, in the order they are indexed.
        old: file → content hash of the files in the current index.
        reread: read every file again (after the lexicon changed), reusing nothing but vectors.
        pending: files another update is reading right now: left to it, so their indexed version (if
            any) is kept and they are neither added nor dropped here.

    Example:
        >>> plan_update([("a.txt", "h1"), ("big.txt", "h9")], {"a.txt": "h1", "big.txt": "h8"}, pending={"big.txt"})
        Plan(keep=('a.txt', 'big.txt'), add=(), drop=(), aliases={})
    """
    primary: dict[str, str] = {}              # content hash → the first file that has it
    aliases: dict[str, list[str]] = {}
    keep, add = [], []
    for source, digest in found:
        if source in pending:
            if source in old:
                keep.append(source)
            continue
        if digest in primary:                  # the same report under another name: index it once
            aliases.setdefault(primary[digest], []).append(source)
            continue
        primary[digest] = source
        (keep if not reread and old.get(source) == digest else add).append(source)
    present = set(primary.values()) | set(pending)
    drop = tuple(s for s in old if s not in present)
    return Plan(tuple(keep), tuple(add), drop, {k: tuple(v) for k, v in aliases.items()})
