"""Shared fixtures: the repository, the `syncdoctor` CLI the Python reports are compared with,
and the bundled scenarios."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def scenario_files() -> list[Path]:
    """Every bundled scenario: tests/scenarios/*/snapshot.json and examples/*.json."""
    files = sorted(ROOT.glob("tests/scenarios/*/snapshot.json")) + sorted(ROOT.glob("examples/*.json"))
    assert files, "no bundled scenarios found"
    return files


def _find_cli() -> Path | None:
    given = os.environ.get("SYNCDOCTOR_BIN")
    if given:
        return Path(given)
    targets = [os.environ.get("CARGO_TARGET_DIR"), str(ROOT / "target")]
    for target in filter(None, targets):
        for profile in ("debug", "release"):
            candidate = Path(target) / profile / "syncdoctor"
            if candidate.is_file():
                return candidate
    found = shutil.which("syncdoctor")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `syncdoctor` binary ($SYNCDOCTOR_BIN, else target/{debug,release}/, else PATH). When it is
    absent the test is skipped and says so — and fails under CI=true."""
    path = _find_cli()
    if path is None or not path.is_file():
        message = "the syncdoctor CLI is not built (cargo build, or set SYNCDOCTOR_BIN): cannot compare with it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def run_cli(cli: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Runs the CLI from the repository root with the bundled knowledge base."""
    env = {k: v for k, v in os.environ.items() if k != "SYNCDOCTOR_RULES"}
    return subprocess.run([str(cli), *args], cwd=ROOT, input=input, capture_output=True, text=True, env=env)


@pytest.fixture(scope="session")
def kb():
    """The bundled knowledge base, loaded once for the session."""
    import syncdoctor

    return syncdoctor.KnowledgeBase()


@pytest.fixture
def edited_rules(tmp_path):
    """Returns a function that copies rules/ into tmp_path, applies `edit` to one rule file and
    returns the folder (failing when the edit changed nothing)."""

    def make(rule: str, edit) -> Path:
        rules = tmp_path / "rules"
        shutil.copytree(ROOT / "rules", rules)
        path = rules / rule
        text = path.read_text(encoding="utf-8")
        edited = edit(text)
        assert edited != text, f"{rule} no longer has what this test changes"
        path.write_text(edited, encoding="utf-8")
        return rules

    return make
