"""`.ci/secrets-scan` (detect-secrets): a new secret in a tracked file fails CI; the audited
baseline's entries, even when their lines move, do not."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCAN = PROJECT_ROOT / ".ci" / "secrets-scan"
DETECT_SECRETS = PROJECT_ROOT / ".venv" / "bin" / "detect-secrets"
# Built at run time, so this file itself holds no key-shaped string.
FAKE_AWS_KEY = "AKIA" + "ZX4TQ7P2LM9K3BVW"
KNOWN = 'SMTP_PASSWORD = "fixture-only-value"\n'  # pragma: allowlist secret


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def scan(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCAN)], cwd=repo, capture_output=True, text=True, timeout=120)


def test_a_new_secret_fails_and_known_ones_pass(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "settings.py").write_text(KNOWN)
    git(repo, "add", "settings.py")
    baseline = subprocess.run(
        [str(DETECT_SECRETS), "scan"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert "settings.py" in json.loads(baseline)["results"]  # the known one is audited
    (repo / ".secrets.baseline").write_text(baseline)
    git(repo, "add", ".secrets.baseline")

    clean = scan(repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # Known secrets moving down a few lines are no finding, and the checkout is not edited.
    (repo / "settings.py").write_text("# a comment\n\n" + KNOWN)
    moved = scan(repo)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert (repo / ".secrets.baseline").read_text() == baseline

    (repo / "deploy.py").write_text(f'AWS_ACCESS_KEY_ID = "{FAKE_AWS_KEY}"\n')
    git(repo, "add", "deploy.py")
    leaked = scan(repo)
    assert leaked.returncode == 1
    assert "deploy.py" in leaked.stdout and "AWS Access Key" in leaked.stdout
