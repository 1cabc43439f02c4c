"""Throughput of the three ways to replay a fleet, measured side by side in one run on one corpus:
`syncdoctor replay` (the Rust CLI), the Python binding (`KnowledgeBase.evaluate_json`, one and two
threads) and the Spark job (examples/spark/syncdoctor_spark.py, `local[1]` and `local[2]`).

    python3 python/bench/throughput.py [--snapshots 2000] [--cli target/release/syncdoctor]

The corpus is the bundled scenarios (tests/scenarios/*/snapshot.json and examples/*.json) copied
round-robin into a temporary folder until it holds `--snapshots` files; nothing is committed.
Every figure is the median of `--runs` runs, whole work included (reading the files, evaluating
with the bundled knowledge base, writing the reports); the Spark rows also give the job's own time
without JVM start-up. Prints a Markdown table (snapshots per second, and per core used).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def corpus(folder: Path, count: int) -> list[Path]:
    sources = sorted(ROOT.glob("tests/scenarios/*/snapshot.json")) + sorted(ROOT.glob("examples/*.json"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    paths = []
    for n in range(count):
        path = folder / f"{n:06d}.json"
        path.write_text(texts[n % len(texts)], encoding="utf-8")
        paths.append(path)
    return paths


def median_time(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "syncdoctor"))
    parser.add_argument("--no-spark", action="store_true", help="leave the Spark rows out")
    args = parser.parse_args()

    import syncdoctor

    rows = []
    with tempfile.TemporaryDirectory(prefix="syncdoctor-throughput-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        paths = corpus(folder, args.snapshots)
        n = len(paths)
        size = sum(p.stat().st_size for p in paths) / n / 1024

        for jobs in (1, 2):
            def replay(jobs=jobs):
                subprocess.run([args.cli, "replay", "-j", str(jobs), "--format", "json", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            rows.append((f"`syncdoctor replay -j {jobs}`", jobs, median_time(args.runs, replay), None))

        kb = syncdoctor.KnowledgeBase()

        def python_one():
            for p in paths:
                kb.evaluate_json(p)

        rows.append(("Python `evaluate_json`, 1 thread", 1, median_time(args.runs, python_one), None))
        with ThreadPoolExecutor(max_workers=2) as pool:
            def python_two():
                list(pool.map(kb.evaluate_json, paths, chunksize=64))

            rows.append(("Python `evaluate_json`, 2 threads", 2, median_time(args.runs, python_two), None))

        if not args.no_spark:
            job = ROOT / "examples" / "spark" / "syncdoctor_spark.py"
            env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
            for cores in (1, 2):
                inner = []

                def spark(cores=cores, inner=inner):
                    out = Path(tmp) / f"spark-{cores}"
                    shutil.rmtree(out, ignore_errors=True)
                    run = subprocess.run(
                        [sys.executable, str(job), "--master", f"local[{cores}]", "--partitions", str(4 * cores),
                         "-o", str(out), str(folder)],
                        capture_output=True, text=True, env=env, check=True,
                    )
                    found = re.search(r"(\d+) snapshots in ([\d.]+) s", run.stderr)
                    if found:
                        inner.append(float(found.group(2)))

                total = median_time(args.runs, spark)
                rows.append((f"Spark job, `local[{cores}]`", cores, total, statistics.median(inner) if inner else None))

    print(f"{n} snapshots (bundled scenarios, {size:.1f} KB each on average), median of {args.runs}, "
          f"{os.cpu_count()} cores\n")
    print("| way | cores | wall | snapshots/s | per core | job only (no JVM start) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, cores, seconds, inner in rows:
        rate = n / seconds
        job_only = f"{inner:.2f} s ({n / inner:.0f}/s)" if inner else "—"
        print(f"| {name} | {cores} | {seconds:.2f} s | {rate:.0f} | {rate / cores:.0f} | {job_only} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
