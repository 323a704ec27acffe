"""Indexes written by earlier versions of this program (formats 1 and 2: one folder per version holding
chunks.jsonl with tokens, vectors.npy and bm25s files): read only for their vectors, so the first update
after upgrading reads the reports again but embeds nothing whose indexed text it already has."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.index.store import LEGACY, FileEntry, _verify_files, _verify_manifest
from assistant.records import Chunk


class LegacyStore:
    """What :func:`assistant.index.embedding.reusable_vectors` needs of an old index: files, chunks, vectors."""

    def __init__(self, files: dict[str, FileEntry], chunks: list[Chunk], vectors: np.ndarray):
        self.files, self.chunks, self._vectors = files, chunks, vectors

    def file_vectors(self, source: str) -> np.ndarray | None:
        entry = self.files[source]
        return np.asarray(self._vectors[entry.first:entry.first + entry.count])


def load_legacy(index_dir: Path, encoder_name: str, dim: int) -> LegacyStore | None:
    """The old index of ``index_dir`` if it is of a legacy format, sound (format 2 is checked against its
    checksums) and of an encoder whose vectors these are; else None."""
    from embeddings.encoder import vector_space

    index_dir = Path(index_dir)
    try:
        folder = index_dir / (index_dir / "CURRENT").read_text().strip()
        raw = (folder / "manifest.json").read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
        if manifest.get("format") not in LEGACY or manifest.get("dim") != dim:
            return None
        if vector_space(manifest.get("encoder") or "") != vector_space(encoder_name):
            return None
        if manifest.get("format") == 2:
            _verify_manifest(folder, raw, index_dir)
            _verify_files(folder, manifest.get("checksums"), index_dir)
        chunks = []
        with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                row.pop("tokens", None)
                chunks.append(Chunk.from_dict(row))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        files = {}
        for name, data in manifest.get("files", {}).items():
            entry = FileEntry.from_dict(name, data)
            files[name] = FileEntry(name, entry.sha256, entry.size, entry.encoding, entry.meta, data["first"],
                                    entry.count, entry.aliases)
        if vectors.shape != (len(chunks), dim):
            return None
        return LegacyStore(files, chunks, vectors)
    except Exception:   # anything wrong with an old index only means its vectors are not reused
        return None
