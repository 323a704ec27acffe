"""Thread counts and idle thread behaviour of the encoders (GRA_THREADS, ONNX Runtime options, OpenMP policy)."""
from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.unit


def test_thread_settings(monkeypatch):
    from embeddings.threads import cores, ort_session_options, passive_openmp, resolve_threads

    monkeypatch.delenv("GRA_THREADS", raising=False)
    assert resolve_threads() == cores() and resolve_threads(3) == 3
    monkeypatch.setenv("GRA_THREADS", "1")
    assert resolve_threads() == 1
    monkeypatch.setenv("GRA_THREADS", "many")
    with pytest.raises(ValueError, match="GRA_THREADS"):
        resolve_threads()
    with pytest.raises(ValueError):
        resolve_threads(0)
    pytest.importorskip("onnxruntime")
    options = ort_session_options(2)
    assert options.intra_op_num_threads == 2 and options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    with passive_openmp(2):
        assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE" and os.environ["OMP_NUM_THREADS"] == "2"
    assert "OMP_WAIT_POLICY" not in os.environ and os.environ["OMP_NUM_THREADS"] == "7"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # a user's explicit choice stays
    with passive_openmp(2):
        assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
