"""One frozen settings object with defaults, validated on construction and saved beside the index."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from embeddings.encoder import DEFAULT_ENCODER


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an index and its answers.

    Example:
        >>> Settings(encoder="hash-64", chunk_chars=300).chunk_chars
        300

    Raises:
        ValueError: with a message saying which value is wrong and what is allowed.
    """

    encoder: str = DEFAULT_ENCODER
    chunk_chars: int = 360
    overlap_chars: int = 80
    fusion: str = "rrf"          # "rrf" or "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.5     # for fusion="weighted"
    candidates: int = 60          # per retriever, before fusion
    answer_hits: int = 6          # passages an answer may quote from
    answer_points: int = 6        # quoted sentences at most
    min_coverage: float = 0.25    # negatives peak at 0.10, answerable questions start at 0.15 (python -m eval)
    min_dense: float = 0.86       # cosine that still counts as relevant when few words match
    max_file_mb: float = 64.0         # a bigger file is skipped before it is read
    max_expanded_mb: float = 64.0     # what one DOCX, PDF or HTML may unpack or decode to (zip bombs, huge pages)
    max_chunks_per_file: int = 2000   # ≈700,000 characters; the largest seed report has 40 chunks
    max_sidecar_kb: float = 64.0      # a metadata sidecar holds a few short fields
    # What the IVF lists of a segment above 50k rows hold: "flat" floats, or for millions of chunks "sq8"
    # (a quarter of the memory) or "pq" codes, candidates re-scored exactly (python -m eval.bench --only scale).
    # "auto" (the default) chooses by size: exact search up to 50k rows, IVF-SQ8 above (recall@10 0.968 at
    # 300k, 0.980 at 1M: embeddings.vector_index.codec_for). Applied when a segment's vectors are written or
    # merged; no rebuild needed.
    vector_codec: str = "auto"

    def __post_init__(self):
        if self.chunk_chars < 80 or self.chunk_chars > 2000:
            raise ValueError(f"chunk_chars must be between 80 and 2000, got {self.chunk_chars}")
        if not 0 <= self.overlap_chars < self.chunk_chars // 2:
            raise ValueError(f"overlap_chars must be >= 0 and below half of chunk_chars, got {self.overlap_chars}")
        if self.fusion not in ("rrf", "weighted"):
            raise ValueError(f"fusion must be 'rrf' or 'weighted', got {self.fusion!r}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be within [0, 1], got {self.dense_weight}")
        for name in ("rrf_k", "candidates", "answer_hits", "answer_points"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0.0 <= self.min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be within [0, 1], got {self.min_coverage}")
        for name in ("max_file_mb", "max_expanded_mb", "max_sidecar_kb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.vector_codec not in ("auto", "flat", "sq8", "pq"):
            raise ValueError(f"vector_codec must be 'auto', 'flat', 'sq8' or 'pq', got {self.vector_codec!r}")
        if self.max_chunks_per_file < 1:
            raise ValueError(f"max_chunks_per_file must be at least 1, got {self.max_chunks_per_file}")

    @property
    def max_text_chars(self) -> int:
        """Text beyond which a file would be cut into more than ``max_chunks_per_file`` chunks: checked while
        a file is read, so a bomb is refused before it is parsed for minutes (twice the exact figure, so the
        estimate never refuses a file the chunker would have kept)."""
        return 2 * self.max_chunks_per_file * self.chunk_chars

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Settings":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def index_key(self) -> dict:
        """The settings an index depends on; any change needs a rebuild."""
        return {"encoder": self.encoder, "chunk_chars": self.chunk_chars, "overlap_chars": self.overlap_chars}
