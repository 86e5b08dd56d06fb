"""Settings an operator relies on: the secret key is generated once and kept
private in the data directory; SQLite runs in WAL mode."""

import os
import stat
import subprocess
import sys

import pytest


def run_python(code: str, data_dir) -> str:
    env = dict(os.environ, NASHR_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="nashr.site.settings")
    env.pop("NASHR_SECRET_KEY", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_secret_key_is_generated_once_and_private(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_python(code, tmp_path)
    second = run_python(code, tmp_path)
    assert first == second and len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_sqlite_database_is_in_wal_mode(tmp_path):
    code = ("import django; django.setup(); from django.db import connection;"
            "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])")
    assert run_python(code, tmp_path) == "wal"
    assert (tmp_path / "nashr.sqlite3").exists()


@pytest.mark.django_db
def test_nashr_command_runs_django_management_commands(tmp_path):
    env = dict(os.environ, NASHR_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "nashr", "check"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
