"""Encoder worker processes that never re-run the user's script, and never outlive their parent.

``multiprocessing`` (spawn or forkserver) re-imports ``__main__`` in every worker: a script without an
``if __name__ == "__main__":`` guard runs again there (its output printed three times), and from stdin or a
notebook the pool dies ("terminated abruptly"). These workers are plain ``python -c`` subprocesses that
import only ``embeddings.workers``, talk over their stdin/stdout pipes, and exit:

- when the parent closes the pipes (``close()``, interpreter exit, or the parent killed by any signal, as
  the kernel then closes its ends: the worker's next read sees end-of-file);
- when the parent is gone while the worker is busy (a thread watches ``os.getppid()`` every second; a
  parent-death signal would not do, as Linux sends it when the *thread* that started the worker ends);
- never on Ctrl-C by themselves: SIGINT reaches the whole terminal's process group, and the workers leave
  it to the parent, which then closes them (no traceback from a worker).

There is no resource tracker and no semaphore, so nothing else is left behind.

Example:
    >>> pool = WorkerPool(2, ("hash-64",))     # doctest: +SKIP
    >>> pool.map([["行政复议"], ["法律援助"]]).__len__()
    2
"""
from __future__ import annotations

import atexit
import os
import pickle
import struct
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("<Q")
_LIVE: "weakref.WeakSet[WorkerPool]" = weakref.WeakSet()


class WorkerError(RuntimeError):
    """A worker died or answered with an error; the pool is closed."""


def _send(stream, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class WorkerPool:
    """``n`` encoder subprocesses, each building ``make_encoder(*spec)`` once and encoding passages.

    Args:
        n: worker processes.
        spec: arguments of :func:`make_encoder` in the worker (picklable).
    """

    def __init__(self, n: int, spec: tuple):
        if n < 1:
            raise ValueError(f"a worker pool needs at least 1 worker, got {n}")
        self._lock = threading.Lock()
        self._procs: list[subprocess.Popen] = []
        code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                "from embeddings.workers import serve; serve()")
        for _ in range(n):
            proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    env={**os.environ, "GRA_WORKER_PARENT": str(os.getpid())})
            self._procs.append(proc)
            _send(proc.stdin, spec)
        _LIVE.add(self)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    def map(self, shares: Sequence[list[str]]) -> list[Any]:
        """Encode one share of texts per worker (``len(shares)`` ≤ workers); results in the same order.

        Raises:
            WorkerError: a worker died or failed; the pool is then closed.
        """
        with self._lock:
            if not self._procs:
                raise WorkerError("the worker pool is closed")
            if len(shares) > len(self._procs):
                raise ValueError(f"{len(shares)} shares for {len(self._procs)} workers")
            try:
                for proc, share in zip(self._procs, shares):
                    _send(proc.stdin, list(share))
                replies = [_receive(proc.stdout) for proc, _ in zip(self._procs, shares)]
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                self._close_locked()
                raise WorkerError(f"an encoder worker stopped: {exc!r}") from exc
        for reply in replies:
            if isinstance(reply, BaseException):
                self.close()
                raise WorkerError(f"an encoder worker failed: {reply!r}") from reply
        return replies

    def close(self, timeout: float = 3.0) -> None:
        """Close the pipes (the workers exit on end-of-file) and wait; kill any that do not exit."""
        with self._lock:
            self._close_locked(timeout)

    def _close_locked(self, timeout: float = 3.0) -> None:
        procs, self._procs = self._procs, []
        for proc in procs:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        for proc in procs:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@atexit.register
def _close_all() -> None:
    for pool in list(_LIVE):
        pool.close(timeout=1.0)


def make_encoder(kind: str, *args):
    """The encoder a worker runs: ``("onnx", weights, cache_dir, batch_size, recipe)`` or a ``load_encoder`` spec."""
    if kind == "onnx":
        from embeddings.onnx_e5 import OnnxE5Encoder

        weights, cache_dir, batch_size, recipe = args
        return OnnxE5Encoder(threads=1, batch_size=batch_size, weights=weights, cache_dir=cache_dir, workers=1,
                             recipe=recipe)
    from embeddings.encoder import load_encoder

    return load_encoder(kind)


def _watch_parent(parent: int) -> None:
    import time

    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


def serve() -> None:
    """A worker's main loop: read the encoder spec, then shares of texts until end-of-file."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it closes us on Ctrl-C
    parent = int(os.environ.get("GRA_WORKER_PARENT", os.getppid()))
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        spec = _receive(requests)
        encoder = make_encoder(*spec)
        while True:
            texts = _receive(requests)
            try:
                reply = encoder.encode_passages(texts)
            except Exception as exc:  # sent back: the parent raises it with the worker's reason
                reply = RuntimeError(f"{type(exc).__name__}: {exc}")
            _send(replies, reply)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass
    os._exit(0)
