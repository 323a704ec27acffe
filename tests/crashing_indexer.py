"""Run the real indexer, killing this process with SIGKILL at its N-th file-system write step.

Usage: python tests/crashing_indexer.py N <indexer args...>. With N = 0 it never kills itself and
prints how many write steps a full run takes.
"""
import os
import shutil
import signal
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TARGET = int(sys.argv[1])
STEPS = 0


def counted(fn):
    def wrapper(*args, **kwargs):
        global STEPS
        STEPS += 1
        if STEPS == TARGET:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapper


import faiss  # noqa: E402

os.replace = counted(os.replace)
os.fsync = counted(os.fsync)
np.save = counted(np.save)
faiss.write_index = counted(faiss.write_index)
Path.write_text = counted(Path.write_text)
Path.mkdir = counted(Path.mkdir)
shutil.rmtree = counted(shutil.rmtree)

from assistant.__main__ import main  # noqa: E402

code = main(sys.argv[2:])
if TARGET == 0:
    print(f"steps={STEPS}")
sys.exit(code)
