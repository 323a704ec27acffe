"""eval/real stays a valid set: every gold string in its report, the split rule applied, no excluded issuer
(eval/real/check.py); and a case with ``part`` scores identity on that part's reports only."""
import importlib.util
import json
from pathlib import Path

import pytest

from eval import scoring
from eval.evaluate import Case, truth_part

pytestmark = pytest.mark.unit
REAL = Path(__file__).resolve().parent.parent / "eval" / "real"


def _checker():
    spec = importlib.util.spec_from_file_location("real_check", REAL / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_set_passes_its_checker(capsys):
    checker = _checker()
    assert checker.main() == 0, capsys.readouterr().out[-3000:]
    assert len(checker.base.errors) == 0


def test_truth_part_keeps_only_that_part(tmp_path):
    rows = [{"source": "a.txt", "region_path": ["甲省"], "split": "tune"},
            {"source": "b.txt", "region_path": ["乙省"], "split": "heldout"}]
    path = tmp_path / "truth.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    truth = scoring.load_truth(path)
    assert set(truth_part(Case("t", tmp_path, (), None, path, part="tune"), truth)) == {"a.txt"}
    assert set(truth_part(Case("h", tmp_path, (), None, path, part="heldout"), truth)) == {"b.txt"}
    assert set(truth_part(Case("all", tmp_path, (), None, path), truth)) == {"a.txt", "b.txt"}


def test_truth_part_without_split_field_keeps_everything(tmp_path):
    path = tmp_path / "truth.jsonl"
    path.write_text(json.dumps({"source": "a.txt", "region_path": ["甲省"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    truth = scoring.load_truth(path)
    assert set(truth_part(Case("t", tmp_path, (), None, path, part="tune"), truth)) == {"a.txt"}
