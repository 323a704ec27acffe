"""The floors of the region and trust issues on the generalisation set (reports of other provinces and
years, in many layouts), with the real default encoder. The held-out set is never asserted on here:
it is only scored, by python -m eval."""
from pathlib import Path

import pytest

from assistant import Assistant
from eval import scoring
from eval.evaluate import answer_scores, conversation_scores, identity_scores, retrieval_scores
from eval.gold import load_questions

pytestmark = pytest.mark.integration
HERE = Path(__file__).resolve().parent.parent / "eval" / "generalisation"


@pytest.fixture(scope="module")
def gen_bot(tmp_path_factory):
    return Assistant.from_folder(HERE / "reports", index_dir=tmp_path_factory.mktemp("gen-index"))


@pytest.fixture(scope="module")
def truth():
    return scoring.load_truth(HERE / "truth.jsonl")


def test_report_identity(gen_bot, truth):
    scores = identity_scores(gen_bot, truth)
    assert scores["region"] == 1.0 and scores["year"] >= 0.95 and scores["level"] >= 0.95, scores["wrong"]


def test_retrieval_and_answer_floors(gen_bot, truth):
    questions = load_questions(HERE / "qa.jsonl")
    hit5 = retrieval_scores(gen_bot, questions, k=10)["hybrid+filters"]["all"]["hit_rate@5"]
    a = answer_scores(gen_bot, questions, truth)
    assert hit5 >= 0.97
    assert a["wrong_region"] == 0 and a["empty_found"] == 0 and a["numbers_supported"] == 1.0, a["failures"]
    assert a["answer_right"] >= 0.95 and a["list_completeness"] >= 0.95 and a["rows_right"] >= 0.9, a["failures"]
    assert a["not_stated_honest"] >= 0.95 and a["figure_in_lead"] >= 0.9, a["failures"]


def test_follow_ups_never_cite_another_region(gen_bot, truth):
    conv = conversation_scores(gen_bot, HERE / "conversations.jsonl", truth)
    assert conv["wrong_region"] == 0 and conv["followup_accuracy"] >= 0.9
