"""sentence-transformers models keep their family's query/passage prefixes when their own prompts are empty."""
from __future__ import annotations

import pytest

from embeddings.encoder import prompt_prefixes

pytestmark = pytest.mark.unit


def test_empty_model_prompts_do_not_override_the_family_prefixes():
    empty = {"query": "", "document": ""}  # what sentence-transformers 6 gives every model
    assert prompt_prefixes(empty, "intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert prompt_prefixes(None, "BAAI/bge-small-zh-v1.5")[0] == "为这个句子生成表示以用于检索相关文章："
    assert prompt_prefixes({"query": "q> ", "document": ""}, "x/e5-base") == ("q> ", "passage: ")
    assert prompt_prefixes({"query": "", "document": "d> "}, "x/plain") == ("", "d> ")


def test_an_e5_model_with_empty_prompts_is_encoded_with_its_prefixes(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    st = pytest.importorskip("sentence_transformers")
    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import StaticEmbedding
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    from embeddings.encoder import SentenceTransformerEncoder

    words = ["[UNK]", "query:", "passage:", "行政复议", "法律援助"]
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    model = st.SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=8)],
                                   prompts={"query": "", "document": ""})
    folder = tmp_path / "tiny-multilingual-e5-small"
    model.save(str(folder))

    enc = SentenceTransformerEncoder(str(folder))
    seen: list[str] = []
    encode = enc._model.encode

    def spy(texts, *args, **kwargs):
        seen.extend(texts)
        return encode(texts, *args, **kwargs)

    monkeypatch.setattr(enc._model, "encode", spy)
    assert enc.encode_queries(["行政复议"]).shape == (1, 8)
    enc.encode_passages(["法律援助"])
    assert seen == ["query: 行政复议", "passage: 法律援助"]
