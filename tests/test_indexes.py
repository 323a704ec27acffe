import math

import numpy as np
import pytest

from assistant.index.lexical import LexicalIndex
from embeddings.encoder import HashEncoder
from embeddings.vector_index import VectorIndex

pytestmark = pytest.mark.unit

DOCS = [["行政", "复议", "纠错率"], ["法律", "援助", "案件", "案件"], ["行政", "执法", "案件"], ["府院", "联动"]]


def reference_bm25(docs, query, k1=1.5, b=0.75):
    """Lucene's BM25 written out independently of bm25s (Lucene drops the classic (k1 + 1) numerator)."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    scores = []
    for doc in docs:
        s = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            s += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(s)
    return np.array(scores)


@pytest.mark.parametrize("query", [["案件"], ["行政", "案件"], ["府院", "联动", "未知"]])
def test_bm25_matches_reference(query):
    index = LexicalIndex.build(DOCS)
    np.testing.assert_allclose(index.scores(query), reference_bm25(DOCS, query), rtol=1e-5)


def test_bm25_round_trip(tmp_path):
    index = LexicalIndex.build(DOCS)
    index.save(tmp_path / "bm25")
    again = LexicalIndex.load(tmp_path / "bm25")
    np.testing.assert_allclose(again.scores(["行政", "案件"]), index.scores(["行政", "案件"]))


def random_unit(n, d, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_index_is_exact_and_filters(tmp_path):
    vectors = random_unit(500, 32)
    index = VectorIndex.build(vectors)
    q = vectors[7]
    hits = index.search(q, 5)
    np.testing.assert_array_equal(hits.ids, np.argsort(-(vectors @ q))[:5])
    allowed = np.arange(100, 200)
    sub = index.search(q, 3, allowed)
    assert set(sub.ids) <= set(allowed.tolist())
    index.save(tmp_path)
    again = VectorIndex.load(tmp_path)
    np.testing.assert_array_equal(again.search(q, 5).ids, hits.ids)


def clustered_unit(n, d, clusters=40, seed=1):
    """Vectors grouped around topics, as text embeddings are."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(clusters, d))[rng.integers(0, clusters, n)] + 0.3 * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_above_the_size_rule_keeps_recall():
    vectors = clustered_unit(4000, 32)
    index = VectorIndex.build(vectors, exact_limit=1000)
    assert index.kind == "ivf"
    queries = vectors[:50] + 0.05 * random_unit(50, 32, seed=2)
    recall = np.mean([len(set(index.search(q, 10).ids) & set(np.argsort(-(vectors @ q))[:10])) / 10 for q in queries])
    assert recall >= 0.9
    rebuilt = VectorIndex.build(vectors, exact_limit=1000, centroids=index.centroids())
    assert rebuilt.kind == "ivf"


def test_hash_encoder_is_deterministic_and_similar_for_shared_words():
    enc = HashEncoder(64)
    a, b, c = enc.encode_passages(["行政复议纠错率", "行政复议案件", "垃圾分类"])
    assert np.allclose(enc.encode_queries(["行政复议纠错率"])[0], a)
    assert a @ b > a @ c
