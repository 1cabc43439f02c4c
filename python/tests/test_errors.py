"""Bad input raises a Python exception carrying the located message the CLI prints."""

from __future__ import annotations

import json

import pytest
import syncdoctor

from conftest import ROOT, run_cli

BROKEN = '{\n  "schema_version": 1,\n  "collected_at": "2026-11-20T09:30:00Z",\n  oops\n}\n'


def _cli_message(result) -> str:
    assert result.returncode == 2, result.stderr
    prefix = "syncdoctor: error: "
    assert result.stderr.startswith(prefix), result.stderr
    return result.stderr[len(prefix):].rstrip("\n")


def test_a_malformed_file_raises_the_cli_message(kb, cli, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(syncdoctor.SnapshotError) as raised:
        kb.evaluate(path)
    message = str(raised.value)
    assert f"{path}:4:" in message
    assert message.rstrip("\n") == _cli_message(run_cli(cli, "diagnose", "--format", "json", str(path)))


def test_a_schema_violation_raises_the_cli_message(kb, cli, tmp_path):
    document = json.loads((ROOT / "examples" / "expired-service-account-password.json").read_text())
    document["facts"]["products"] = ["not-a-product"]
    path = tmp_path / "bad-product.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    with pytest.raises(syncdoctor.SnapshotError) as raised:
        kb.validate(path)
    assert str(raised.value).rstrip("\n") == _cli_message(run_cli(cli, "diagnose", str(path)))
    # As text, the message is located the same way, in `<string>` instead of the file.
    with pytest.raises(syncdoctor.SnapshotError) as as_text:
        kb.validate(path.read_text())
    assert str(as_text.value) == str(raised.value).replace(str(path), "<string>")
    # As a dict, the message names the JSON pointer.
    with pytest.raises(syncdoctor.SnapshotError, match=r"<dict>: .*\(at /facts/products/0\)"):
        kb.validate(document)


def test_text_errors_are_located_like_standard_input(kb, cli):
    with pytest.raises(syncdoctor.SnapshotError) as raised:
        kb.evaluate(BROKEN)
    cli_message = _cli_message(run_cli(cli, "diagnose", "-", input=BROKEN))
    assert str(raised.value).rstrip("\n") == cli_message.replace("<stdin>", "<string>")
    with pytest.raises(syncdoctor.SnapshotError, match=r"<bytes>:4:"):
        kb.evaluate(BROKEN.encode())
    with pytest.raises(syncdoctor.SnapshotError, match="not UTF-8"):
        kb.evaluate(b"\xff\xfe")


def test_errors_are_syncdoctor_errors_and_wrong_types_are_type_errors(kb, tmp_path):
    assert issubclass(syncdoctor.SnapshotError, syncdoctor.SyncdoctorError)
    assert issubclass(syncdoctor.KnowledgeBaseError, syncdoctor.SyncdoctorError)
    with pytest.raises(TypeError, match="not int"):
        kb.evaluate(42)
    with pytest.raises(syncdoctor.SnapshotError, match="not JSON data"):
        kb.evaluate({"schema_version": 1, "facts": {"x": object()}})
    with pytest.raises(syncdoctor.SnapshotError, match="cannot read"):
        kb.evaluate(tmp_path / "missing.json")
    kb.validate(ROOT / "examples" / "expired-service-account-password.json")


def test_a_broken_knowledge_base_raises_its_located_problems(edited_rules, cli):
    rules = edited_rules("service/adsync-service-stopped.yaml", lambda t: t.replace("severity:", "severity: nonsense\nseverity_was:", 1))
    with pytest.raises(syncdoctor.KnowledgeBaseError) as raised:
        syncdoctor.KnowledgeBase(rules)
    message = str(raised.value)
    assert "adsync-service-stopped.yaml:" in message
    # The Python binding loads in the strict tier, as the CLI does with --strict.
    strict = run_cli(cli, "--rules", str(rules), "--strict", "diagnose", "examples/expired-service-account-password.json")
    assert message.rstrip("\n") == _cli_message(strict)
    # Without --strict the CLI leaves the broken rule out, warns with the same location, and the
    # other rules still diagnose the example (exit 1).
    lenient = run_cli(cli, "--rules", str(rules), "diagnose", "examples/expired-service-account-password.json")
    assert lenient.returncode == 1, lenient.stderr
    assert "rule `adsync-service-stopped` left out" in lenient.stderr
    assert "adsync-service-stopped.yaml:7:11:" in lenient.stderr
    with pytest.raises(syncdoctor.KnowledgeBaseError, match="nonexistent"):
        syncdoctor.KnowledgeBase("/nonexistent/rules")


def test_a_folder_knowledge_base_is_the_bundled_one_when_it_is_rules(kb):
    folder = syncdoctor.KnowledgeBase(ROOT / "rules")
    snapshot = ROOT / "examples" / "expired-service-account-password.json"
    assert folder.version == kb.version
    assert folder.evaluate_json(snapshot) == kb.evaluate_json(snapshot)
