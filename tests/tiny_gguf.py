"""A tiny random-weights llama GGUF, written by the tests with the ``gguf`` package (no weights are downloaded).

Two layers, 64 wide, a vocabulary of about 1,400 tokens: the control tokens, the 256 byte tokens llama.cpp needs,
and single characters (ASCII, then the Chinese characters of the tests' reports, the prompt, the lexicon and
the shipped reports, in order of first appearance).
The weights are random, except that every embedding carries one large constant component and the output matrix
maps it to a large negative logit for control and byte tokens: the model never emits a partial UTF-8 sequence or a
control token on its own (llama.cpp's server answers HTTP 500 for those), while a request's ``grammar`` can still
force any exact answer out of it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant import lexicon
from assistant.llm.prompt import SYSTEM

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
N_EMBD, N_HEAD, N_FF, N_LAYER, N_CTX = 64, 4, 128, 2, 4096


def vocabulary(texts: list[str], size: int = 1400) -> list[str]:
    """Special tokens, the 256 byte tokens, ASCII, then Chinese characters from ``texts`` and the lexicon."""
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["▁"]
    tokens += [chr(c) for c in range(33, 127)]
    seen = set(tokens)
    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    source = "".join(texts) + SYSTEM + Path(lexicon.__file__).read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in seeds)
    for ch in source:
        if len(tokens) >= size:
            break
        if "\u4e00" <= ch <= "\u9fff" or ch in "，。；：？！（）【】“”、％":
            if ch not in seen:
                seen.add(ch)
                tokens.append(ch)
    return tokens


def write_model(path: Path, texts: list[str] = (), seed: int = 0) -> Path:
    """Write the model to ``path`` (about 1 MB) and return it."""
    import gguf

    rng = np.random.default_rng(seed)
    tokens = vocabulary(list(texts))
    n_vocab = len(tokens)
    types = ([gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
             + [gguf.TokenType.BYTE] * 256 + [gguf.TokenType.NORMAL] * (n_vocab - 259))
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("gra-tiny-random")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * 259 + [-float(i) for i in range(n_vocab - 259)])
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHATML)

    def small(*shape, scale=0.02):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    embd = small(n_vocab, N_EMBD, scale=0.1)
    embd[:, 0] = 8.0                       # the constant component every hidden state keeps
    out = rng.standard_normal((n_vocab, N_EMBD)).astype(np.float32)
    out[:, 0] = 1.0
    out[:259, 0] = -30.0                   # control and byte tokens: a logit far below any character's
    writer.add_tensor("token_embd.weight", embd)
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    writer.add_tensor("output.weight", out)
    for i in range(N_LAYER):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{i}.{name}.weight", small(N_EMBD, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", small(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", small(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", small(N_EMBD, N_FF))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
