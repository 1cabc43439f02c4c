"""Reports from Python are the CLI's reports, byte for byte, whatever form the snapshot comes in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import syncdoctor

from conftest import ROOT, run_cli, scenario_files

SCENARIOS = scenario_files()


@pytest.mark.parametrize("snapshot", SCENARIOS, ids=lambda p: p.parent.name if p.name == "snapshot.json" else p.stem)
def test_reports_are_byte_identical_to_diagnose_format_json(kb, cli, snapshot: Path):
    expected = run_cli(cli, "diagnose", "--format", "json", str(snapshot))
    assert expected.returncode in (0, 1, 3), expected.stderr
    assert kb.evaluate_json(snapshot) == expected.stdout
    expected_all = run_cli(cli, "diagnose", "--format", "json", "--all", str(snapshot))
    assert kb.evaluate_json(snapshot, all=True) == expected_all.stdout


def test_every_bundled_scenario_was_compared():
    names = {p.parent.name for p in SCENARIOS}
    assert len(SCENARIOS) >= 10 and "localdb-full" in names


def test_text_bytes_dict_path_and_yaml_give_the_same_report(kb, tmp_path):
    snapshot = ROOT / "examples" / "expired-service-account-password.json"
    text = snapshot.read_text(encoding="utf-8")
    expected = kb.evaluate_json(snapshot)
    assert kb.evaluate_json(text) == expected
    assert kb.evaluate_json(text.encode()) == expected
    assert kb.evaluate_json(json.loads(text)) == expected
    with pytest.raises(syncdoctor.SnapshotError):
        kb.evaluate_json(str(snapshot))  # a str is snapshot text, never a path
    yaml_text = _as_yaml(json.loads(text))
    assert kb.evaluate_json(yaml_text) == expected
    assert kb.evaluate(snapshot) == json.loads(expected)


def test_the_report_dict_follows_the_contract(kb):
    report = kb.evaluate(ROOT / "examples" / "expired-service-account-password.json")
    for key in ("schema_version", "kb_version", "engine_version", "snapshot", "summary", "findings"):
        assert key in report
    assert report["kb_version"] == kb.version
    assert report["engine_version"] == kb.engine_version == syncdoctor.ENGINE_VERSION
    assert any(f["rule_id"] == "service-account-password-expired" for f in report["findings"])


def test_typed_objects(kb):
    report = kb.report(ROOT / "examples" / "expired-service-account-password.json")
    assert isinstance(report, syncdoctor.Report)
    assert report.kb_version == kb.version
    assert all(isinstance(f, syncdoctor.Finding) for f in report.all_findings())
    assert "service-account-password-expired" in report.matched
    finding = next(f for f in report.all_findings() if f.rule_id == "service-account-password-expired")
    assert finding.outcome == "match" and finding.severity == "critical" and finding.message
    assert finding.raw["rule_id"] == finding.rule_id


def test_only_and_skip_select_rules_as_the_cli_does(kb, cli):
    snapshot = ROOT / "examples" / "expired-service-account-password.json"
    expected = run_cli(cli, "diagnose", "--format", "json", "--only", "service", "--skip", "info", str(snapshot))
    assert kb.evaluate_json(snapshot, only=["service"], skip="info") == expected.stdout
    with pytest.raises(ValueError):
        kb.evaluate_json(snapshot, only=["no-such-rule-anywhere"])


def test_rules_lists_the_knowledge_base(kb):
    rules = kb.rules()
    assert len(rules) == len(kb) > 10
    assert {"id", "version", "title", "severity", "area", "path"} <= set(rules[0])
    assert repr(kb).startswith("<syncdoctor.KnowledgeBase ")


def _as_yaml(value, indent: int = 0) -> str:
    """A tiny JSON-to-YAML writer (block style, every scalar as JSON, which is valid YAML)."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{json.dumps(k)}:\n{_as_yaml(v, indent + 2)}")
            else:
                lines.append(f"{pad}{json.dumps(k)}: {json.dumps(v)}")
        return "\n".join(lines)
    if isinstance(value, list) and value:
        lines = []
        for v in value:
            if isinstance(v, (dict, list)) and v:
                body = _as_yaml(v, indent + 2).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {json.dumps(v)}")
        return "\n".join(lines)
    return pad + json.dumps(value)
