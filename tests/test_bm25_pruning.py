"""Pruned BM25 top-k (MaxScore) against exhaustive scoring: the same rows, the same scores, bit for bit."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.index.lexical import LexicalIndex, exhaustive_top
from assistant.index.postings import Postings
from tests.conftest import ROOT

WORDS = ["行政", "复议", "法治", "政府", "诉讼", "纠错率", "府院", "联动", "援助", "执法", "普法", "听证", "备案", "审查"]


def _corpus(n: int, seed: int) -> list[list[str]]:
    """Rows drawn from a skewed vocabulary (common words in most rows, rare ones in few), repeats included."""
    rng = np.random.default_rng(seed)
    p = 1 / np.arange(1, len(WORDS) + 1) ** 1.3
    p /= p.sum()
    return [list(rng.choice(WORDS, size=rng.integers(0, 30), p=p)) for _ in range(n)]


def _split(docs: list[list[str]], cuts: list[int]) -> LexicalIndex:
    """The same rows held as several segments, as an index of several versions holds them."""
    parts, start = [], 0
    for end in cuts + [len(docs)]:
        postings = Postings.build(docs[start:end])
        parts.append((postings, np.arange(start, end)))
        start = end
    return LexicalIndex(parts, len(docs))


@pytest.mark.unit
@pytest.mark.parametrize("seed", range(6))
def test_pruned_top_k_equals_exhaustive_ranking_on_random_queries(seed):
    docs = _corpus(3000, seed)
    rng = np.random.default_rng(100 + seed)
    for index in (LexicalIndex.build(docs), _split(docs, [700, 2100])):
        for _ in range(30):
            query = list(rng.choice(WORDS + ["未登录词"], size=rng.integers(1, 7)))
            for k in (1, 5, 60):
                rows, scores = index.top(query, k)
                ref_rows, ref_scores = exhaustive_top(index.scores(query), k)
                assert rows.tolist() == ref_rows.tolist(), query
                assert scores.tobytes() == ref_scores.tobytes(), query     # bit for bit


@pytest.mark.unit
def test_scores_at_rows_are_the_exhaustive_scores_bit_for_bit():
    docs = _corpus(500, 7)
    index = _split(docs, [120, 300])
    query = ["行政", "复议", "行政", "纠错率"]
    rows = np.array([450, 3, 77, 3, 299, 300])                       # unordered, repeated
    assert index.scores_at(query, rows).tobytes() == index.scores(query)[rows].tobytes()


@pytest.mark.unit
def test_pruning_skips_the_long_postings_of_common_words():
    """A rare word fixes the top k; the common word's postings are looked up at those rows only."""
    docs = [["行政"] * 3 for _ in range(5000)] + [["纠错率", "行政"] for _ in range(5)]
    index = LexicalIndex.build(docs)
    touched = []
    original = index._part_scores
    index._part_scores = lambda term, rows=None: (touched.append((term.token, rows is None)), original(term, rows))[1]
    rows, _ = index.top(["行政", "纠错率"], 5)
    assert sorted(rows.tolist()) == list(range(5000, 5005))
    assert ("行政", True) not in touched and ("纠错率", True) in touched


@pytest.mark.unit
def test_a_segment_with_dead_rows_falls_back_to_exhaustive_and_agrees():
    docs = _corpus(400, 3)
    postings = Postings.build(docs)
    live = np.arange(400)
    live[10:50] = -1
    live[50:] -= 40
    index = LexicalIndex([(postings, live)], 360)
    rows, scores = index.top(["行政", "援助"], 10)
    ref = exhaustive_top(index.scores(["行政", "援助"]), 10)
    assert rows.tolist() == ref[0].tolist() and scores.tobytes() == ref[1].tobytes()


@pytest.mark.unit
def test_peaks_are_saved_and_bound_every_posting(tmp_path):
    docs = _corpus(300, 5)
    postings = Postings.build(docs)
    postings.save(tmp_path)
    loaded = Postings.load(tmp_path)
    for w in range(len(loaded.vocab)):
        a, b = int(loaded.indptr[w]), int(loaded.indptr[w + 1])
        assert loaded.bound(w) == (int(loaded.counts[a:b].max()), int(loaded.lengths[loaded.rows[a:b]].min()))
    (tmp_path / "peaks.npy").unlink()                                # a segment written before peaks existed
    old = Postings.load(tmp_path)
    assert [old.bound(w) for w in range(len(old.vocab))] == [loaded.bound(w) for w in range(len(loaded.vocab))]


@pytest.mark.integration
def test_pruned_search_equals_exhaustive_on_the_gold_questions(seeds_bot):
    """Every gold question's BM25 tokens, on the seeds index: the same top 60 rows and scores."""
    from assistant.search.question import analyze

    lexical = seeds_bot.store.lexical
    for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        question = analyze(json.loads(line)["question"])
        tokens = list(question.tokens) + list(question.place_tokens)
        for k in (5, 60):
            rows, scores = lexical.top(tokens, k)
            ref_rows, ref_scores = exhaustive_top(lexical.scores(tokens), k)
            assert rows.tolist() == ref_rows.tolist() and scores.tobytes() == ref_scores.tobytes(), tokens
