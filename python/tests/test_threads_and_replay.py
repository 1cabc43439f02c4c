"""One knowledge base shared by threads, the GIL released while the engine works, and replay:
lazy, never stopped by a bad snapshot, and the same as `syncdoctor replay`."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import syncdoctor

from conftest import ROOT, run_cli, scenario_files

SCENARIOS = scenario_files()


def test_one_knowledge_base_serves_many_threads(kb):
    expected = {p: kb.evaluate_json(p) for p in SCENARIOS}
    work = [p for _ in range(8) for p in SCENARIOS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(kb.evaluate_json, work))
    assert results == [expected[p] for p in work]


def _large_directory(copies: int) -> str:
    """The data-quality scenario with its 431 users copied `copies` times (each copy with its own
    names), as JSON text: evaluating it keeps the engine busy for a measurable time."""
    snapshot = json.loads((ROOT / "tests/scenarios/connect-data-quality-duplicates/snapshot.json").read_text())
    users = snapshot["facts"]["ad"]["users"]
    many = []
    for n in range(copies):
        for user in users:
            copy = dict(user)
            for key in ("sam_account_name", "user_principal_name", "mail", "distinguished_name", "object_guid"):
                if isinstance(copy.get(key), str):
                    copy[key] = f"c{n}-{copy[key]}"
            many.append(copy)
    snapshot["facts"]["ad"]["users"] = many
    return json.dumps(snapshot)


def test_the_gil_is_released_while_the_engine_reads_and_evaluates(kb):
    # A Python thread counts while the main thread evaluates a large snapshot. Native code that
    # keeps the GIL is never preempted, so with the GIL held the counter could only move in the
    # few milliseconds around the call; released, it counts on the other core all along.
    copies, text = 1, _large_directory(1)
    while True:  # a snapshot that takes at least 0.3 s, whatever the build profile
        started = time.perf_counter()
        kb.evaluate_json(text)
        elapsed = time.perf_counter() - started
        if elapsed >= 0.3 or copies >= 256:
            break
        copies = min(256, copies * max(2, int(0.4 / max(elapsed, 1e-3)) + 1))
        text = _large_directory(copies)
    counter = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1

    counting = threading.Thread(target=count, daemon=True)
    counting.start()
    try:
        before = counter[0]
        time.sleep(0.3)  # sleeping releases the GIL: the counter's free rate
        free_rate = (counter[0] - before) / 0.3
        before, started = counter[0], time.perf_counter()
        kb.evaluate_json(text)
        elapsed = time.perf_counter() - started
        counted = counter[0] - before
    finally:
        stop.set()
        counting.join()
    assert elapsed >= 0.2, elapsed
    # Held, the counter would reach at most ~10 ms worth (about 3 % of the call); released, it
    # gets most of a core (at least a fifth even if the engine used both).
    assert counted >= 0.2 * free_rate * elapsed, (
        f"the counter stalled while the engine ran: {counted} counts in {elapsed:.2f} s, "
        f"free rate {free_rate:.0f}/s"
    )


def test_replay_is_lazy(kb):
    pulled = []

    def snapshots():
        for path in SCENARIOS:
            pulled.append(path)
            yield path

    results = kb.replay(snapshots())
    assert pulled == []
    first = next(results)
    assert len(pulled) == 1 and first.source == str(SCENARIOS[0]) and first.ok
    rest = list(results)
    assert len(pulled) == len(SCENARIOS) == len(rest) + 1


def test_replay_matches_syncdoctor_replay_and_goes_on_after_a_bad_snapshot(kb, cli, tmp_path):
    stream = tmp_path / "fleet.ndjson"
    lines = [json.dumps(json.loads(p.read_text())) for p in SCENARIOS[:4]]
    lines.insert(2, '{"schema_version": 1, oops}')
    lines.insert(1, "")
    stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ours = list(kb.replay(syncdoctor.read_ndjson(stream)))
    out = run_cli(cli, "replay", "--format", "json", str(stream))
    assert out.returncode == 2, out.stderr
    theirs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.source for r in ours] == [t["source"] for t in theirs]
    assert len(ours) == 5
    for mine, cli_line in zip(ours, theirs):
        if "error" in cli_line:
            assert mine.error == cli_line["error"] and mine.report is None and not mine.ok
        else:
            assert mine.report == cli_line["report"]
            assert json.loads(mine.report_json) == cli_line["report"]
    assert sum(1 for r in ours if not r.ok) == 1
    bad = next(r for r in ours if not r.ok)
    assert f"{stream}:4:" in bad.error


def test_replay_names_items_and_accepts_pairs(kb):
    text = SCENARIOS[0].read_text()
    results = list(kb.replay([text, ("tenant-a/2026-11-20", json.loads(text)), SCENARIOS[0], "not a snapshot"]))
    assert [r.source for r in results] == ["#1", "tenant-a/2026-11-20", str(SCENARIOS[0]), "#4"]
    assert results[0].report == results[1].report == results[2].report
    assert results[3].error and "<string>.yaml" in results[3].error


def test_replay_against_another_knowledge_base_gives_the_cli_changes(kb, cli, edited_rules):
    rules = edited_rules(
        "service/adsync-service-stopped.yaml",
        lambda t: t.replace('s.present && s.state != "Running"', 's.present && s.state == "Running"'),
    )
    other = syncdoctor.KnowledgeBase(rules)
    inputs = [ROOT / "rules" / "baselines" / "connect-sync.json", ROOT / "examples" / "expired-service-account-password.json"]
    ours = list(kb.replay(inputs, against=other))
    out = run_cli(cli, "replay", "--format", "json", *map(str, inputs), "--against-rules", str(rules))
    theirs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.changes for r in ours] == [t["changes"] for t in theirs]
    assert any(c["rule_id"] == "adsync-service-stopped" and c["after"] == "match" for c in ours[0].changes)


def test_snapshot_text_read_elsewhere_is_named_by_its_path(kb, tmp_path):
    path = tmp_path / "broken.json"
    broken = '{\n  "schema_version": 1,\n  oops\n}\n'
    path.write_text(broken, encoding="utf-8")
    good = SCENARIOS[0]
    results = list(kb.replay([syncdoctor.SnapshotText(str(path), broken), syncdoctor.SnapshotText(str(good), good.read_text())]))
    with pytest.raises(syncdoctor.SnapshotError) as raised:
        kb.evaluate(path)
    assert results[0].source == str(path) and results[0].error == str(raised.value).rstrip()
    assert results[1].source == str(good) and results[1].report_json == kb.evaluate_json(good)
