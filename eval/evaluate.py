"""Score retriever configurations and answers on gold QA files, with ranx for the IR metrics.

A *case* is a folder of reports with its questions, follow-up chains and the reports' truth:
``seeds`` (the shipped reports), ``formats`` (the same reports as HTML/PDF/DOCX), ``generalisation``
(reports of other provinces and years, written for tuning) and ``heldout`` (written by another
author and never read while tuning; it is only ever scored).
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from embeddings.encoder import DEFAULT_ENCODER
from assistant.index.store import IndexMismatch
from assistant.text import normalize
from eval import scoring
from eval.gold import UNMATCHED, Question, load_questions, qrels_for, question_of

HERE = Path(__file__).parent
METRICS = ("hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10")
# (name, retriever mode, read filters from the question)
CONFIGS = (("bm25", "bm25", False), ("dense", "dense", False), ("hybrid", "hybrid", False),
           ("hybrid+filters", "hybrid", True))


@dataclass(frozen=True)
class Case:
    """A folder of reports and what is asked about it. ``split`` is "tune" or "heldout"; ``part`` keeps only the
    questions and conversations whose own "split" is it (a set that holds out a third of its rows)."""

    name: str
    folder: Path
    qa: tuple[Path, ...]
    conversations: Path | None = None
    truth: Path | None = None
    split: str = "tune"
    configs: tuple = CONFIGS
    part: str | None = None
    extra: dict = field(default_factory=dict)


def default_cases(seeds: Path = Path("seeds")) -> dict[str, Case]:
    gen, held, gen2 = HERE / "generalisation", HERE / "heldout", HERE / "generalisation2"
    real = HERE / "real"
    return {
        "seeds": Case("seeds", seeds, (HERE / "qa.jsonl",), HERE / "conversations.jsonl", HERE / "seeds_truth.jsonl"),
        "seeds-kinds": Case("seeds-kinds", seeds, (HERE / "qa_seeds.jsonl",), None, HERE / "seeds_truth.jsonl",
                            configs=CONFIGS[-1:]),
        "formats": Case("formats", HERE / "formats", (HERE / "qa_formats.jsonl",), None, HERE / "formats_truth.jsonl",
                        configs=CONFIGS[-1:]),
        "generalisation": Case("generalisation", gen / "reports", (gen / "qa.jsonl",), gen / "conversations.jsonl",
                               gen / "truth.jsonl"),
        # A second set, written after the first was tuned on; ids divisible by 3 are held out (its README).
        "generalisation2": Case("generalisation2", gen2 / "reports", (gen2 / "qa.jsonl",), gen2 / "conversations.jsonl",
                                gen2 / "truth.jsonl", part="tune"),
        "generalisation2-heldout": Case("generalisation2-heldout", gen2 / "reports", (gen2 / "qa.jsonl",),
                                        gen2 / "conversations.jsonl", gen2 / "truth.jsonl", split="heldout",
                                        part="heldout"),
        # Real published reports as found on web pages; reports at positions divisible by 3 in truth.jsonl and
        # every question about them are held out (eval/real/README.md).
        "real": Case("real", real / "reports", (real / "qa.jsonl",), real / "conversations.jsonl", real / "truth.jsonl",
                     part="tune"),
        "real-heldout": Case("real-heldout", real / "reports", (real / "qa.jsonl",), real / "conversations.jsonl",
                             real / "truth.jsonl", split="heldout", part="heldout"),
        "heldout": Case("heldout", held / "reports", (held / "qa.jsonl",), held / "conversations.jsonl",
                        held / "truth.jsonl", split="heldout"),
        # 指标总览: gold tables written by reading the reports (eval/indicators/README.md says which are held out).
        "indicators-seeds": Case("indicators-seeds", seeds, (), extra={"indicators": HERE / "indicators" / "seeds.jsonl"}),
        "indicators-generalisation": Case("indicators-generalisation", gen / "reports", (),
                                          extra={"indicators": HERE / "indicators" / "generalisation.jsonl"}),
        "indicators-generalisation2": Case("indicators-generalisation2", gen2 / "reports", (), part="tune",
                                           extra={"indicators": HERE / "indicators" / "generalisation2.jsonl"}),
        "indicators-generalisation2-heldout": Case("indicators-generalisation2-heldout", gen2 / "reports", (),
                                                   split="heldout", part="heldout",
                                                   extra={"indicators": HERE / "indicators" / "generalisation2.jsonl"}),
        "indicators-real": Case("indicators-real", HERE / "real" / "reports", (), part="tune",
                                extra={"indicators": HERE / "indicators" / "real.jsonl"}),
        "indicators-real-heldout": Case("indicators-real-heldout", HERE / "real" / "reports", (), split="heldout",
                                        part="heldout", extra={"indicators": HERE / "indicators" / "real.jsonl"}),
        "heldout-seeds": Case("heldout-seeds", seeds, (held / "qa_seeds.jsonl",), None, HERE / "seeds_truth.jsonl",
                              split="heldout", configs=CONFIGS[-1:]),
        # Analyst conversations over the seeds (issue 19), scored turn by turn; ids divisible by 3 held out.
        "analyst": Case("analyst", seeds, (), None, HERE / "seeds_truth.jsonl", configs=(), part="tune",
                        extra={"analyst": HERE / "analyst" / "conversations.jsonl"}),
        "analyst-heldout": Case("analyst-heldout", seeds, (), None, HERE / "seeds_truth.jsonl", configs=(),
                                split="heldout", part="heldout",
                                extra={"analyst": HERE / "analyst" / "conversations.jsonl"}),
        # real-data's conversations over real reports, scored turn by turn as the analyst sets are.
        "real-turns": Case("real-turns", real / "reports", (), None, real / "truth.jsonl", configs=(), part="tune",
                           extra={"analyst": real / "conversations.jsonl"}),
        "real-turns-heldout": Case("real-turns-heldout", real / "reports", (), None, real / "truth.jsonl", configs=(),
                                   split="heldout", part="heldout", extra={"analyst": real / "conversations.jsonl"}),
        # The same kind of conversations over the generalisation reports (a tuning folder).
        "analyst-gen": Case("analyst-gen", gen / "reports", (), None, gen / "truth.jsonl", configs=(), part="tune",
                            extra={"analyst": HERE / "analyst" / "conversations_generalisation.jsonl"}),
        "analyst-gen-heldout": Case("analyst-gen-heldout", gen / "reports", (), None, gen / "truth.jsonl", configs=(),
                                    split="heldout", part="heldout",
                                    extra={"analyst": HERE / "analyst" / "conversations_generalisation.jsonl"}),
    }


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
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def retrieval_scores(bot: Assistant, questions: list[Question], configs=CONFIGS, k: int = 10) -> dict:
    """ranx metrics per configuration, overall and per question type."""
    from ranx import Qrels, Run, evaluate

    answerable = [q for q in questions if not q.negative]
    if not answerable:
        return {}
    qrels_dict = qrels_for(answerable, bot.store.chunks)
    qrels = Qrels(qrels_dict)
    by_id = {q.id: q for q in answerable}
    out = {}
    for name, mode, use_filters in configs:
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
            mask = [i for i, qid in enumerate(ids) if by_id[qid].type == qtype]
            table[qtype] = {m: float(np.mean(np.asarray(per_query[m])[mask])) for m in METRICS}
            table[qtype]["n"] = len(mask)
        table["misses@5"] = [ids[i] for i, v in enumerate(per_query["hit_rate@5"]) if v == 0]
        table["unmatched_gold"] = [qid for qid, rel in qrels_dict.items() if UNMATCHED in rel]
        out[name] = table
    return out


def answer_scores(bot: Assistant, questions: list[Question], truth: dict) -> dict:
    """Answer-level figures from ``bot.ask`` (hybrid with question filters)."""
    signals, failures = [], []
    counts = {"figure_n": 0, "figure_ok": 0, "cite_n": 0, "cite_ok": 0, "neg_n": 0, "neg_ok": 0, "false_nf": 0,
              "right": 0, "wrong_region": 0, "empty_found": 0, "unsupported": 0, "found_n": 0,
              "lead_n": 0, "lead_ok": 0, "ns_n": 0, "ns_ok": 0, "ns_false_found": 0,
              "rows_right": 0, "rows_n": 0}
    lists = []
    for q in questions:
        ans = bot.ask(q.question)
        signals.append({"id": q.id, "negative": q.negative or q.type == "not-stated", "coverage": ans.confidence})
        problems = []
        right = scoring.answer_right(q, ans)
        counts["right"] += right
        if not right:
            problems.append("answer not right")
        if scoring.wrong_region(q, ans, truth):
            counts["wrong_region"] += 1
            problems.append("cites another region")
        if ans.found:
            counts["found_n"] += 1
            counts["empty_found"] += scoring.empty_found(ans)
            bad = scoring.unsupported_numbers(ans, q.question)
            if bad:
                counts["unsupported"] += 1
                problems.append(f"numbers not in cited text: {bad}")
        if q.negative:
            counts["neg_n"] += 1
            counts["neg_ok"] += not ans.found
        elif q.type == "not-stated":
            counts["ns_n"] += 1
            counts["ns_ok"] += scoring.says_not_stated(q, ans)
            counts["ns_false_found"] += ans.found and not scoring.says_not_stated(q, ans)
        else:
            counts["cite_n"] += 1
            counts["false_nf"] += not ans.found
            counts["cite_ok"] += any(c.source in {g.source for g in q.gold} for c in ans.citations)
        if q.answer:
            counts["figure_n"] += 1
            counts["figure_ok"] += normalize(q.answer) in normalize(ans.text)
            counts["lead_n"] += 1
            counts["lead_ok"] += scoring.figure_in_lead(q, ans)
        if q.items:
            lists.append(scoring.list_share(q, ans))
        if q.rows:
            got, total = scoring.rows_right(q, ans)
            counts["rows_right"] += got
            counts["rows_n"] += total
        if problems:
            failures.append({"id": q.id, "type": q.type, "question": q.question, "problems": problems,
                             "found": ans.found, "cited": sorted({c.source for c in ans.citations}),
                             "reason": ans.reason})
    c = counts
    ratio = lambda a, b: a / b if b else None  # noqa: E731
    return {
        "n": len(questions), "answer_right": ratio(c["right"], len(questions)),
        "figure_exact": ratio(c["figure_ok"], c["figure_n"]), "figure_n": c["figure_n"],
        "gold_file_cited": ratio(c["cite_ok"], c["cite_n"]), "answerable_n": c["cite_n"],
        "negatives_not_found": ratio(c["neg_ok"], c["neg_n"]), "negative_n": c["neg_n"],
        "false_not_found": ratio(c["false_nf"], c["cite_n"]),
        "wrong_region": c["wrong_region"], "empty_found": c["empty_found"],
        "numbers_supported": ratio(c["found_n"] - c["unsupported"], c["found_n"]),
        "figure_in_lead": ratio(c["lead_ok"], c["lead_n"]),
        "not_stated_honest": ratio(c["ns_ok"], c["ns_n"]), "not_stated_n": c["ns_n"],
        "not_stated_false_found": c["ns_false_found"],
        "list_completeness": statistics.mean(lists) if lists else None, "list_n": len(lists),
        "rows_right": ratio(c["rows_right"], c["rows_n"]), "rows_n": c["rows_n"],
        "signals": signals, "failures": failures,
    }


def identity_scores(bot: Assistant, truth: dict) -> dict:
    """How often each report's region, level, year and issuer are read right, against ``truth.jsonl``, and
    how many entries of the reports' ``places`` are not real places."""
    fields = {"region": 0, "level": 0, "year": 0, "issuer": 0}
    wrong = []
    unreal = 0
    n = 0
    for source, t in truth.items():
        meta = bot.reports.get(source)
        if meta is None:
            continue
        n += 1
        unreal += sum(not scoring.place_is_real(p, t) for p in meta.places)
        got = scoring.label_checks(meta, t)
        for name, ok in got.items():
            fields[name] += ok
        if not all(got.values()):
            wrong.append({"source": source, "wrong": [k for k, v in got.items() if not v],
                          "got": {"region_path": list(meta.region_path), "level": getattr(meta, "level", ""),
                                  "years": [meta.year_from, meta.year_to], "issuer": meta.issuer},
                          "truth": {"region_path": list(t.region_path), "level": t.level,
                                    "years": [t.year_from, t.year_to], "issuer": t.issuer}})
    return {"reports": n, **{k: v / n if n else None for k, v in fields.items()}, "places_unreal": unreal,
            "wrong": wrong}


def calibrate(signals: list[dict]) -> dict:
    """The coverage threshold that best separates answerable questions from negatives."""
    best = None
    for t in np.round(np.arange(0.05, 0.95, 0.01), 2):
        correct = sum((s["coverage"] >= t) != s["negative"] for s in signals)
        if best is None or correct > best[1]:
            best = (float(t), correct)
    return {"min_coverage": best[0], "accuracy": best[1] / max(len(signals), 1)}


def conversation_scores(bot: Assistant, path: Path, truth: dict, part: str | None = None) -> dict:
    """Follow-up accuracy: share of follow-up turns whose rewritten query finds a gold passage in the top 5
    (for a negative turn: whose answer is "not found"); and turns whose answer cites another region."""
    ok = total = wrong_region = 0
    turns_out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        chain = json.loads(line)
        if part and chain.get("split", "tune") != part:
            continue
        conv = bot.chat()
        for i, turn in enumerate(chain["turns"]):
            q = question_of({**turn, "type": turn.get("type", "follow-up")}, f"{path.name}:{chain['id']}")
            ans = conv.ask(turn["question"])
            if q.gold:
                hits = bot.search(ans.query, k=5)
                good = any(any(g.matches(h.source, h.section, h.text) for g in q.gold) for h in hits)
            else:
                good = not ans.found
            bad_region = scoring.wrong_region(q, ans, truth)
            wrong_region += bad_region
            if i > 0:
                total += 1
                ok += good
            turns_out.append({"chain": chain["id"], "turn": i, "question": turn["question"], "query": ans.query,
                              "ok": bool(good), "wrong_region": bad_region})
    return {"followup_accuracy": ok / max(total, 1), "followup_turns": total, "wrong_region": wrong_region,
            "turns": turns_out}


def truth_part(case: Case, truth: dict) -> dict:
    """The reports whose identity a case scores: with ``part`` and a truth file whose lines carry a "split",
    only that part's reports (a held-out report's labels are never shown by the tuning case); else all."""
    if not case.part or not case.truth:
        return truth
    splits = {}
    for line in Path(case.truth).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            splits[row["source"]] = row.get("split")
    if not any(splits.values()):
        return truth
    return {s: t for s, t in truth.items() if splits.get(s, "tune") == case.part}


def run_case(case: Case, bot: Assistant, llm=None) -> dict:
    """Every figure of one case, on the bot indexing its folder; with ``llm`` (an LLMWriter) also the LLM mode's."""
    started = time.perf_counter()
    if case.extra.get("indicators"):       # a gold indicator table: scored on its own, no questions
        from eval.indicator_scoring import indicator_scores, load_gold

        gold = load_gold(case.extra["indicators"], case.part)
        return {"case": case.name, "split": case.split, "folder": str(case.folder), "files": len(bot.store.files),
                "skipped": bot.skipped, "indicators": indicator_scores(bot, gold, case.split != "heldout"),
                "seconds": time.perf_counter() - started}
    truth = scoring.load_truth(case.truth) if case.truth else {}
    questions = [q for path in case.qa if Path(path).exists() for q in load_questions(path, case.part)]
    result = {"case": case.name, "split": case.split, "folder": str(case.folder), "questions": len(questions),
              "files": len(bot.store.files), "skipped": bot.skipped,
              "retrieval": retrieval_scores(bot, questions, case.configs),
              "answers": answer_scores(bot, questions, truth)}
    result["calibration"] = {**calibrate(result["answers"]["signals"]), "in_force": bot.settings.min_coverage}
    if truth:
        result["identity"] = identity_scores(bot, truth_part(case, truth))
    if case.conversations and Path(case.conversations).exists():
        result["conversation"] = conversation_scores(bot, Path(case.conversations), truth, case.part)
    if case.extra.get("analyst") and Path(case.extra["analyst"]).exists():
        from eval.turns import analyst_scores

        result["analyst"] = analyst_scores(bot, Path(case.extra["analyst"]), truth, case.part)
    if llm is not None:
        from eval.llm_eval import llm_scores

        result["llm"] = llm_scores(bot, questions, truth, llm)
    result["seconds"] = time.perf_counter() - started
    return result


def run(cases: list[Case], encoder: str = DEFAULT_ENCODER, index_dir: Path | None = None, llm=None) -> dict:
    """Run ``cases``; cases over the same folder share one index (``index_dir`` serves the first folder,
    the others are indexed afresh in a temporary folder)."""
    started = time.perf_counter()
    out = {"machine": machine(), "encoder": encoder, "cases": {}}
    folders = list(dict.fromkeys(c.folder for c in cases))
    with tempfile.TemporaryDirectory() as tmp:
        for i, folder in enumerate(folders):
            built = time.perf_counter()
            where = index_dir if (index_dir and i == 0) else Path(tmp) / f"index{i}"
            try:
                bot = Assistant.from_folder(folder, index_dir=where, encoder=encoder)
            except IndexMismatch:   # an evaluation index from an older chunker: build it afresh
                bot = Assistant.from_folder(folder, index_dir=where, encoder=encoder, rebuild=True)
            out.setdefault("index_seconds", {})[str(folder)] = time.perf_counter() - built
            out["encoder"] = bot.encoder.name
            for case in cases:
                if case.folder == folder:
                    out["cases"][case.name] = run_case(case, bot, llm)
    out["seconds"] = time.perf_counter() - started
    return out
