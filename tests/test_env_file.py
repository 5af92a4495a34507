"""The local .env: manage.py works in a fresh shell with it, and production stays strict without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(tmp_path: Path, env_file: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check` in a clean environment: only PATH, HOME, the .env to read and what is given."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "ENV_FILE": env_file, **extra}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_manage_py_works_in_a_fresh_shell_with_the_env_file_setup_writes(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# Written by make setup\nDEBUG=1\nSECRET_KEY='a-local-key-$(not-run)#&*'\n", encoding="utf-8")

    result = _manage(tmp_path, str(env_file))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_debug_and_without_a_secret_key_the_error_stays(tmp_path):
    result = _manage(tmp_path, str(tmp_path / "missing.env"))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\n", encoding="utf-8")

    result = _manage(tmp_path, str(env_file), DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_setup_writes_an_env_file_with_debug_and_a_secret_key_and_git_ignores_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()

    assert "setup: $(STAMP) .env" in makefile
    assert "DEBUG=1" in makefile and "get_random_secret_key" in makefile
    assert ".env" in ignored
