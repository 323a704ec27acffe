"""``python -m eval``: retrieval and answer evaluation on every case; table, JSON and PNG chart."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.evaluate import CONFIGS, METRICS, Case, default_cases, run
from embeddings.encoder import DEFAULT_ENCODER

HERE = Path(__file__).parent


def _f(value, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def indicator_lines(result: dict) -> list[str]:
    """The 指标总览 case: its scores against the gold table (and a tuning case's failures)."""
    s = result["indicators"]
    lines = [f"== {result['case']} ({'held out: never tuned on' if result['split'] == 'heldout' else 'tuning'}): "
             f"指标总览 of {s['reports']} reports over {result['folder']}",
             f"cells {s['cells']} ({s['filled']} filled): precision {_f(s['precision'])}, recall {_f(s['recall'])} "
             f"of {s['stated']} stated, 未写明 right {_f(s['unstated_right'])} of {s['unstated']}, "
             f"verbatim {_f(s['verbatim'])}; element check right {_f(s['elements_right'])} of {s['elements']}"]
    if s["missing"]:
        lines.append(f"gold reports not indexed: {', '.join(s['missing'])}")
    if isinstance(s["failures"], list):
        lines += [f"  ✗ {json.dumps(f, ensure_ascii=False)}" for f in s["failures"]]
    else:
        lines.append(f"  {s['failures']} failures (held out: not shown)")
    return lines


def case_table(result: dict) -> list[str]:
    if "indicators" in result:
        return indicator_lines(result)
    lines = [f"== {result['case']} ({'held out: never tuned on' if result['split'] == 'heldout' else 'tuning'}): "
             f"{result['questions']} questions over {result['folder']} ({result['files']} files, "
             f"{len(result['skipped'])} skipped)"]
    retrieval = result["retrieval"]
    if retrieval:
        header = f"{'config':<16}" + "".join(f"{m:>12}" for m in METRICS)
        lines += [header, "-" * len(header)]
        for name, _, _ in CONFIGS:
            if name in retrieval:
                row = retrieval[name]["all"]
                lines.append(f"{name:<16}" + "".join(f"{row[m]:>12.3f}" for m in METRICS))
        best = retrieval.get("hybrid+filters")
        if best and len(retrieval) > 1:
            lines.append("hybrid+filters by question type:")
            for qtype, row in best.items():
                if qtype in ("all", "n", "misses@5", "unmatched_gold"):
                    continue
                lines.append(f"  {qtype:<14} n={row['n']:<3}" + "".join(f"{row[m]:>12.3f}" for m in METRICS))
        unmatched = (best or next(iter(retrieval.values())))["unmatched_gold"]
        if unmatched:
            lines.append(f"gold that no indexed passage matches (scored as misses): {', '.join(unmatched)}")
    a = result["answers"]
    lines.append(f"answers: right {_f(a['answer_right'])} (n={a['n']}), exact figure quoted {_f(a['figure_exact'])} "
                 f"(n={a['figure_n']}), gold file cited {_f(a['gold_file_cited'])} (n={a['answerable_n']}), "
                 f"negatives → not found {_f(a['negatives_not_found'])} (n={a['negative_n']}), "
                 f"false not-found {_f(a['false_not_found'])}")
    lines.append(f"trust: wrong-region answers {a['wrong_region']}, empty found answers {a['empty_found']}, "
                 f"numbers in cited text {_f(a['numbers_supported'])}, figure in lead {_f(a['figure_in_lead'])}, "
                 f"list completeness {_f(a['list_completeness'])} (n={a['list_n']}), comparison rows right "
                 f"{_f(a['rows_right'])} (n={a['rows_n']}), not stated said {_f(a['not_stated_honest'])} "
                 f"(n={a['not_stated_n']})")
    c = result["calibration"]
    false_found = round((1 - (a["negatives_not_found"] or 1)) * a["negative_n"])
    false_nf = round((a["false_not_found"] or 0) * a["answerable_n"])
    lines.append(f"calibration (min_coverage in force {c['in_force']}): false found {false_found} of {a['negative_n']} "
                 f"negatives and {a['not_stated_false_found']} of {a['not_stated_n']} not-stated answered with a "
                 f"figure; false not-found {false_nf} of {a['answerable_n']}; the best threshold on this case alone "
                 f"would be {c['min_coverage']} ({c['accuracy']:.3f} separated)")
    if "identity" in result:
        i = result["identity"]
        lines.append(f"report identity ({i['reports']} reports): region {_f(i['region'])}, level {_f(i['level'])}, "
                     f"year {_f(i['year'])}, issuer {_f(i['issuer'])}; places not real {i.get('places_unreal', 0)}")
    if "conversation" in result:
        conv = result["conversation"]
        lines.append(f"follow-ups: {conv['followup_accuracy']:.3f} of {conv['followup_turns']} follow-up turns right; "
                     f"wrong-region turns {conv['wrong_region']}")
    if "analyst" in result:
        an = result["analyst"]
        lines.append(f"analyst conversations ({an['conversations']}, {an['turns']} turns): per-turn right "
                     f"{_f(an['turn_right'])}; wrong-region turns {an['wrong_region']}; multi-part every part answered "
                     f"{_f(an['every_part'])} (n={an['multi_n']}); near-miss places suggested {_f(an['suggested'])} "
                     f"(n={an['near_n']}); turns that inherited a slot the question replaced {an['leaked']}")
    return lines


def floors(result: dict) -> list[str]:
    """Issue 19's floors over every conversation case scored turn by turn, held-out and tuning apart."""
    out = []
    for split in ("heldout", "tune"):
        rows = [t for c in result["cases"].values() if c["split"] == split and "analyst" in c
                for t in c["analyst"]["rows"]]
        if not rows:
            continue
        multi = [t for t in rows if t["every_part"] is not None]
        near = [t for t in rows if t["suggested"] is not None]
        share = lambda part, key: f"{sum(bool(t[key]) for t in part) / len(part):.3f} (n={len(part)})" if part else "—"  # noqa: E731
        out.append(f"conversations turn by turn, {'held out' if split == 'heldout' else 'tuning'}: "
                   f"{len({(t['chain'], t['split']) for t in rows})} conversations, per-turn right {share(rows, 'right')}, "
                   f"wrong-region turns {sum(t['wrong_region'] for t in rows)}, every part answered "
                   f"{share(multi, 'every_part')}, near-miss suggested {share(near, 'suggested')}")
    return out + ([""] if out else [])


def table(result: dict) -> str:
    lines = []
    for case in result["cases"].values():
        lines += case_table(case) + [""]
    lines += floors(result)
    m = result["machine"]
    lines.append(f"machine: {m['cores']} cores, {m['cpu']}; encoder {result['encoder']}; {result['seconds']:.1f} s")
    return "\n".join(lines)


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_retrieval = [c for c in result["cases"].values() if c.get("retrieval")]
    if not with_retrieval:
        return
    seeds = result["cases"].get("seeds") or with_retrieval[0]
    names = [n for n, _, _ in CONFIGS if n in seeds["retrieval"]]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(METRICS)
    for i, metric in enumerate(METRICS):
        values = [seeds["retrieval"][n]["all"][metric] for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=metric)
    ax.set_xticks([x + width * (len(METRICS) - 1) / 2 for x in range(len(names))], names)
    ax.set_ylim(0, 1)
    ax.set_title(f"Retrieval on {seeds['questions']} {seeds['case']} questions ({result['encoder']})")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    cases = default_cases()
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluate retrieval and answers.")
    parser.add_argument("--cases", default=",".join(cases),
                        help=f"comma-separated cases to run (default all: {', '.join(cases)})")
    parser.add_argument("--qa", help="a QA file of your own (JSON Lines; see README), over --folder")
    parser.add_argument("--folder", default="seeds", help="folder of reports --qa is about")
    parser.add_argument("--conversations", help="follow-up chains of your own, over --folder")
    parser.add_argument("--truth", help="truth.jsonl for the reports of --folder (for wrong-region counts)")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER)
    parser.add_argument("--index-dir", default=None, help="index folder for the first folder evaluated")
    parser.add_argument("--out", default="eval/results", help="folder for the JSON and PNG results")
    parser.add_argument("--llm", default=None, metavar="URL",
                        help="also measure the LLM mode against your own OpenAI-compatible server (issue 23)")
    parser.add_argument("--llm-model", default="", metavar="M", help="the model name to ask that server for")
    args = parser.parse_args(argv)
    if args.qa:
        chosen = [Case("custom", Path(args.folder), (Path(args.qa),),
                       Path(args.conversations) if args.conversations else None,
                       Path(args.truth) if args.truth else None)]
    else:
        names = [n.strip() for n in args.cases.split(",") if n.strip()]
        unknown = [n for n in names if n not in cases]
        if unknown:
            print(f"错误：unknown case {unknown}; choose from {list(cases)}", file=sys.stderr)
            return 2
        chosen = [cases[n] for n in names]
    try:
        llm = None
        if args.llm:
            from assistant.llm import make_writer

            llm = make_writer(args.llm, args.llm_model)
        result = run(chosen, args.encoder, args.index_dir, llm)
    except (ValueError, FileNotFoundError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for name in (f"eval-{stamp}.json", "latest.json"):
        (out / name).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    chart(result, out / "latest.png")
    print(table(result))
    if args.llm:
        from eval.llm_eval import llm_table

        print(llm_table(result))
    print(f"results: {out / 'latest.json'}, chart: {out / 'latest.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
