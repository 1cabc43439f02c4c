"""Replay fleets of syncdoctor snapshots on Apache Spark.

Reads snapshots — files (``.json``/``.yaml``/``.yml``, folders walked recursively) and NDJSON
streams (``.ndjson``, one snapshot per line) — into a DataFrame, evaluates them with the
``syncdoctor`` Python package inside ``mapPartitions`` (each Python worker compiles the knowledge
base once and keeps it for every later partition), and writes one row per finding:

    source, rule_id, rule_version, outcome, severity, message, parent_rule_id, kb_version, error

(a snapshot that cannot be read gives one row with ``outcome = "bad-input"`` and ``error`` set,
as ``syncdoctor replay`` reports it). ``--against-rules DIR`` switches to the impact mode of
``syncdoctor replay --against-rules``: one row per finding that differs between the two knowledge
bases (``before``/``after`` outcome, severity, message and affected count).

    spark-submit examples/spark/syncdoctor_spark.py -o out/ fleet.ndjson snapshots/
    spark-submit examples/spark/syncdoctor_spark.py --against-rules pr/rules -o impact/ fleet.ndjson

Nothing about a snapshot is decided here: every report and every change comes from the engine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Iterable, Iterator, Optional

FINDING_COLUMNS = [
    ("source", "string"),
    ("rule_id", "string"),
    ("rule_version", "string"),
    ("outcome", "string"),
    ("severity", "string"),
    ("message", "string"),
    ("parent_rule_id", "string"),
    ("kb_version", "string"),
    ("error", "string"),
]

IMPACT_COLUMNS = [
    ("source", "string"),
    ("rule_id", "string"),
    ("before", "string"),
    ("after", "string"),
    ("severity_before", "string"),
    ("severity_after", "string"),
    ("message_before", "string"),
    ("message_after", "string"),
    ("affected_before", "long"),
    ("affected_after", "long"),
    ("kb_version", "string"),
    ("against_kb_version", "string"),
    ("error", "string"),
]

# Compiled knowledge bases of this Python worker, by rules folder ("" = bundled). Spark reuses
# Python workers between tasks (spark.python.worker.reuse, on by default), so each worker
# compiles each knowledge base once.
_KNOWLEDGE_BASES: dict = {}
LOADS = 0
"""How many knowledge bases this process compiled (for tests and logs)."""


def knowledge_base(rules: Optional[str]):
    """The worker's compiled knowledge base for ``rules`` (None: the bundled one)."""
    global LOADS
    key = rules or ""
    kb = _KNOWLEDGE_BASES.get(key)
    if kb is None:
        import syncdoctor

        kb = _KNOWLEDGE_BASES[key] = syncdoctor.KnowledgeBase(rules)
        LOADS += 1
    return kb


def _items(rows: Iterable) -> Iterator:
    """DataFrame rows (source, text, file, line) as the package's replay items."""
    import syncdoctor

    for row in rows:
        if row["line"] is not None:
            yield syncdoctor.NdjsonLine(row["file"], row["line"], row["text"])
        else:
            yield syncdoctor.SnapshotText(row["source"], row["text"])


def _walk(findings: list, parent: Optional[str]) -> Iterator:
    for f in findings:
        yield f, parent
        yield from _walk(f.get("explains", []), f["rule_id"])


def evaluate_partition(rows: Iterable, rules: Optional[str], loads=None) -> Iterator[tuple]:
    """Evaluates one partition's snapshots: one tuple (FINDING_COLUMNS) per finding."""
    before = LOADS
    kb = knowledge_base(rules)
    if loads is not None and LOADS != before:
        loads.add(LOADS - before)
    for result in kb.replay(_items(rows)):
        if result.error is not None:
            yield (result.source, None, None, "bad-input", None, None, None, kb.version, result.error)
            continue
        for f, parent in _walk(result.report["findings"], None):
            yield (result.source, f["rule_id"], f["rule_version"], f["outcome"], f["severity"], f["message"],
                   parent, result.report["kb_version"], None)


def impact_partition(rows: Iterable, rules: Optional[str], against: str, loads=None) -> Iterator[tuple]:
    """Evaluates one partition under two knowledge bases: one tuple (IMPACT_COLUMNS) per change."""
    before = LOADS
    kb, other = knowledge_base(rules), knowledge_base(against)
    if loads is not None and LOADS != before:
        loads.add(LOADS - before)
    for result in kb.replay(_items(rows), against=other):
        if result.error is not None:
            yield (result.source, None, None, None, None, None, None, None, None, None, kb.version, other.version,
                   result.error)
            continue
        for c in result.changes:
            severity, message, affected = c.get("severity") or {}, c.get("message") or {}, c.get("affected") or {}
            yield (result.source, c["rule_id"], c["before"], c["after"], severity.get("before"), severity.get("after"),
                   message.get("before"), message.get("after"), affected.get("before"), affected.get("after"),
                   kb.version, other.version, None)


def _schema(columns):
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    types = {"string": StringType(), "long": LongType()}
    return StructType([StructField(name, types[kind], True) for name, kind in columns])


def _local_path(uri: str) -> str:
    """``file:/a/b`` → ``/a/b`` (other schemes are kept: they name the object in the store)."""
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("file:"):
        return uri[len("file:"):]
    return uri


def read_snapshots(spark, inputs: list, partitions: Optional[int] = None):
    """A DataFrame (source, text, file, line) of every snapshot in ``inputs``: ``.ndjson`` streams
    (one row per non-blank line; ``source`` is ``path:line``) and snapshot files or folders of them
    (one row per file; ``source`` is its path)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([
        StructField("source", StringType(), False),
        StructField("text", StringType(), False),
        StructField("file", StringType(), True),
        StructField("line", LongType(), True),
    ])
    frames = []
    for given in inputs:
        if given.endswith(".ndjson"):
            label = given
            lines = (
                spark.sparkContext.textFile(given)
                .zipWithIndex()
                .filter(lambda pair: pair[0].strip() != "")
                .map(lambda pair, label=label: (f"{label}:{pair[1] + 1}", pair[0], label, pair[1] + 1))
            )
            frames.append(spark.createDataFrame(lines, schema))
        else:
            files = (
                spark.read.format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{json,yaml,yml}")
                .load(given)
                .select(F.col("path"), F.col("content"))
            )
            rdd = files.rdd.map(lambda r: (_local_path(r["path"]), bytes(r["content"]).decode("utf-8"), None, None))
            frames.append(spark.createDataFrame(rdd, schema))
    if not frames:
        raise ValueError("give snapshot files, folders or NDJSON streams")
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionByName(other)
    return frame.repartition(partitions) if partitions else frame


def findings(spark, snapshots, rules: Optional[str] = None, loads=None):
    """One row per finding (FINDING_COLUMNS) of every snapshot of ``snapshots``."""
    rows = snapshots.rdd.mapPartitions(lambda part: evaluate_partition(part, rules, loads))
    return spark.createDataFrame(rows, _schema(FINDING_COLUMNS))


def impact(spark, snapshots, against: str, rules: Optional[str] = None, loads=None):
    """One row per finding that differs between ``rules`` and ``against`` (IMPACT_COLUMNS)."""
    rows = snapshots.rdd.mapPartitions(lambda part: impact_partition(part, rules, against, loads))
    return spark.createDataFrame(rows, _schema(IMPACT_COLUMNS))


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="snapshot files, folders, or .ndjson streams")
    parser.add_argument("-o", "--output", required=True, help="output folder (Parquet or JSON lines)")
    parser.add_argument("--format", choices=["parquet", "json"], default="parquet")
    parser.add_argument("--rules", help="rules/ folder (default: the knowledge base bundled in the package)")
    parser.add_argument("--against-rules", help="impact mode: compare with this rules/ folder")
    parser.add_argument("--partitions", type=int, help="repartition the snapshots into this many partitions")
    parser.add_argument("--master", help="Spark master (default: spark-submit's)")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("syncdoctor-replay")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    # Executors import this module (the partition functions and the knowledge-base cache).
    spark.sparkContext.addPyFile(os.path.abspath(__file__))
    loads = spark.sparkContext.accumulator(0)
    started = time.perf_counter()
    snapshots = read_snapshots(spark, args.inputs, args.partitions).cache()
    count = snapshots.count()
    if args.against_rules:
        out = impact(spark, snapshots, args.against_rules, args.rules, loads)
    else:
        out = findings(spark, snapshots, args.rules, loads)
    writer = out.write.mode("overwrite")
    (writer.parquet if args.format == "parquet" else writer.json)(args.output)
    elapsed = time.perf_counter() - started
    print(
        f"syncdoctor-spark: {count} snapshots in {elapsed:.1f} s ({count / max(elapsed, 1e-9):.0f}/s), "
        f"knowledge bases compiled {loads.value} time(s), output {args.output}",
        file=sys.stderr,
    )
    spark.stop()
    return 0


if __name__ == "__main__":
    # Run as the module `syncdoctor_spark`, not `__main__`: Spark then pickles the partition
    # functions by reference, and each executor's worker keeps one module (and its compiled
    # knowledge bases) for every task instead of unpickling a fresh copy per task.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import syncdoctor_spark

    sys.exit(syncdoctor_spark.main())
