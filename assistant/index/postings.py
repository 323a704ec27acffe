"""One segment's BM25 postings as plain arrays: for each word the rows holding it and how often, and
each row's length. Saved as ``.npy`` files and memory-mapped, so no token list is held at query time.

bm25s bakes the collection's statistics (IDF, average length) into the scores it saves, so a segment
written today could not be scored with tomorrow's collection. The raw counts kept here can: the scorer
(:mod:`assistant.index.lexical`) applies the statistics of all live rows at query time, so an index
in several segments scores exactly as one built at once (tested against bm25s and a reference).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

EMPTY = "\u0000"   # stands in for a row without words, as before: every row keeps a length of at least 1


class Vocabulary:
    """The sorted distinct words of a segment as one UTF-8 blob and offsets; looked up by binary search.

    UTF-8 byte order is code point order, so the blob sorts as Python sorts strings and a lookup
    compares bytes, reading only the ~log2(n) words it visits from the memory-mapped file.

    Example:
        >>> v = Vocabulary.build(["复议", "行政"])
        >>> v.find("行政"), v.find("援助")
        (1, -1)
    """

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self.blob = blob
        self.offsets = offsets
        self._found: dict[str, int] = {}       # words looked up before: questions repeat their common words

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def build(cls, words: Sequence[str]) -> "Vocabulary":
        """From distinct words in sorted order."""
        encoded = [w.encode("utf-8") for w in words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def word(self, i: int) -> bytes:
        return self.blob[self.offsets[i]:self.offsets[i + 1]].tobytes()

    def find(self, word: str) -> int:
        """The word's id, or -1."""
        if word in self._found:
            return self._found[word]
        key = word.encode("utf-8")
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.word(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        found = lo if lo < len(self) and self.word(lo) == key else -1
        if len(self._found) < 100_000:
            self._found[word] = found
        return found

    def words(self) -> list[str]:
        """Every word, in order (for merging segments, never at query time)."""
        data = self.blob.tobytes()
        bounds = self.offsets.tolist()
        return [data[a:b].decode("utf-8") for a, b in zip(bounds, bounds[1:])]


class Postings:
    """Rows and counts per word, and row lengths, of one segment (CSC layout: ``indptr`` by word id).

    Example:
        >>> p = Postings.build([["行政", "复议"], ["行政", "行政"]])
        >>> p.lookup("行政")[0].tolist(), p.lookup("行政")[1].tolist(), p.lengths.tolist()
        ([0, 1], [1, 2], [2, 2])
    """

    FILES = ("words.bin", "word_offsets.npy", "indptr.npy", "rows.npy", "counts.npy", "lengths.npy")

    def __init__(self, vocab: Vocabulary, indptr: np.ndarray, rows: np.ndarray, counts: np.ndarray,
                 lengths: np.ndarray, peaks: np.ndarray | None = None):
        self.vocab, self.indptr, self.rows, self.counts, self.lengths = vocab, indptr, rows, counts, lengths
        # Per word: its largest count and its shortest row (``peaks.npy``, 2 × words), what bounds its BM25
        # contribution for pruning. Segments written before it have none: computed per word when first asked.
        self.peaks = peaks
        self._bounds: dict[int, tuple[int, int]] = {}

    def bound(self, word: int) -> tuple[int, int]:
        """(largest count, shortest row length) among the postings of word ``word``."""
        if self.peaks is not None:
            return int(self.peaks[0, word]), int(self.peaks[1, word])
        if word not in self._bounds:
            a, b = int(self.indptr[word]), int(self.indptr[word + 1])
            self._bounds[word] = (int(np.max(self.counts[a:b])), int(np.min(np.asarray(self.lengths)[self.rows[a:b]])))
        return self._bounds[word]

    @staticmethod
    def _peaks(indptr: np.ndarray, rows: np.ndarray, counts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        starts = np.asarray(indptr[:-1])
        if not len(starts) or not len(rows):
            return np.zeros((2, len(starts)), dtype=np.int32)
        return np.stack([np.maximum.reduceat(np.asarray(counts, dtype=np.int32), starts),
                         np.minimum.reduceat(np.asarray(lengths, dtype=np.int32)[np.asarray(rows)], starts)])

    @property
    def size(self) -> int:
        return len(self.lengths)

    def lookup(self, word: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, counts) of the rows holding ``word``, or None."""
        i = self.vocab.find(word)
        if i < 0:
            return None
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.rows[a:b], self.counts[a:b]

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> "Postings":
        """From each row's tokens (an empty row counts as one placeholder word, as bm25s was given)."""
        documents = [doc if len(doc) else (EMPTY,) for doc in documents]
        lengths = np.fromiter((len(d) for d in documents), dtype=np.int32, count=len(documents))
        words = sorted({w for doc in documents for w in doc})
        ids = {w: i for i, w in enumerate(words)}
        flat = np.fromiter((ids[w] for doc in documents for w in doc), dtype=np.int64, count=int(lengths.sum()))
        owner = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
        return cls._from_pairs(Vocabulary.build(words), flat, owner, np.ones(len(flat), dtype=np.int64), lengths)

    @classmethod
    def _from_pairs(cls, vocab: Vocabulary, word_ids: np.ndarray, rows: np.ndarray, counts: np.ndarray,
                    lengths: np.ndarray) -> "Postings":
        """Sum ``counts`` per (word, row) and lay them out by word, rows ascending."""
        n = max(len(lengths), 1)
        key = word_ids * n + rows
        unique, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=counts, minlength=len(unique)) if len(unique) else np.zeros(0)
        word_of = unique // n
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(word_of, minlength=len(vocab)), out=indptr[1:])
        rows, counts, lengths = (unique % n).astype(np.int32), summed.astype(np.uint16), lengths.astype(np.int32)
        return cls(vocab, indptr, rows, counts, lengths, cls._peaks(indptr, rows, counts, lengths))

    @classmethod
    def merge(cls, parts: Sequence[tuple["Postings", np.ndarray]]) -> "Postings":
        """One Postings from several, each with the new row of each of its rows (-1: dropped)."""
        words = sorted(set().union(*[p.vocab.words() for p, _ in parts])) if parts else []
        ids = {w: i for i, w in enumerate(words)}
        total = max((int(np.max(new_row, initial=-1)) + 1 for _, new_row in parts), default=0)
        all_lengths = np.zeros(total, dtype=np.int32)
        word_ids, rows, counts = [], [], []
        for postings, new_row in parts:
            new_row = np.asarray(new_row, dtype=np.int64)
            remap = np.fromiter((ids[w] for w in postings.vocab.words()), dtype=np.int64, count=len(postings.vocab))
            old_words = np.repeat(remap, np.diff(np.asarray(postings.indptr)))
            target = new_row[np.asarray(postings.rows)]
            keep = target >= 0
            word_ids.append(old_words[keep])
            rows.append(target[keep])
            counts.append(np.asarray(postings.counts)[keep].astype(np.int64))
            kept = new_row >= 0
            all_lengths[new_row[kept]] = np.asarray(postings.lengths)[kept]
        cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64))
        used, word_ids = np.unique(cat(word_ids), return_inverse=True)   # words left with no row are dropped
        return cls._from_pairs(Vocabulary.build([words[i] for i in used.tolist()]), word_ids.astype(np.int64),
                               cat(rows), cat(counts), all_lengths)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "words.bin").write_bytes(self.vocab.blob.tobytes())
        for name, array in (("word_offsets", self.vocab.offsets), ("indptr", self.indptr), ("rows", self.rows),
                            ("counts", self.counts), ("lengths", self.lengths)):
            np.save(folder / f"{name}.npy", np.asarray(array))
        if self.peaks is not None:
            np.save(folder / "peaks.npy", np.asarray(self.peaks))

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> "Postings":
        """Read what :meth:`save` wrote, memory-mapped unless ``mmap`` is False; ValueError when the parts disagree."""
        folder = Path(folder)
        mode = "r" if mmap else None

        def array(name):
            return np.load(folder / f"{name}.npy", mmap_mode=mode)

        words = folder / "words.bin"
        blob = (np.memmap(words, dtype=np.uint8, mode="r") if mmap and words.stat().st_size
                else np.fromfile(words, dtype=np.uint8))
        vocab = Vocabulary(blob, array("word_offsets"))
        peaks = array("peaks") if (folder / "peaks.npy").is_file() else None
        out = cls(vocab, array("indptr"), array("rows"), array("counts"), array("lengths"), peaks)
        if (len(out.indptr) != len(vocab) + 1 or int(vocab.offsets[-1]) != len(blob)
                or int(out.indptr[-1]) != len(out.rows) or len(out.rows) != len(out.counts)
                or (peaks is not None and peaks.shape != (2, len(vocab)))):
            raise ValueError(f"BM25 postings in {folder} disagree with each other")
        return out
