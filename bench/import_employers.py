"""Benchmark: import employers with our resource, against a plain bulk_create, COPY and the library's defaults.

    .venv/bin/python bench/import_employers.py --rows 100000 [--postgres URL] [--defaults-rows 20000] [--repeat 3]

Generates a CSV of believable Dutch, Belgian and Swedish employers with unique registration numbers
(var/bench/employers_<rows>_v1.csv), then for each database:

1. Baselines (issue 15: imports at no less than half the speed of a plain bulk_create of the same
   rows). Into an empty table, taking turns for --repeat rounds, each reporting its fastest:

   ours         crm.resources.EmployerResource through crm.importing.import_file, from the file's
                bytes to the commit: every cell parsed, every row checked, the stage history written;
   bulk_create  the same rows already parsed into Python values (untimed), then Employer(**values),
                normalise() as save() would, bulk_create(batch_size=1000) in one transaction;
   copy         (PostgreSQL) the same parsed rows as one COPY FROM STDIN with every column: the
                model's defaults, the normalised name, the timestamps.

   The table's last lines give ours/bulk_create and ours/copy from those times.

2. Ours and the defaults, each twice: into an empty table, then the same file again, with

   ours      as above (use_bulk, batch_size 1000, skip_diff, skip_unchanged done without the diff,
             cheap field checks before full_clean()'s, natural keys loaded up front, new rows
             written with COPY on PostgreSQL);
   defaults  a plain ModelResource keyed on registration_number with every other option at the
             library's default (use_bulk off, diff on, no full_clean, one lookup query per row).

SQLite is a file database under var/bench/. PostgreSQL runs when --postgres URL (or DATABASE_URL) is
given: the script drops and recreates a scratch database on that server (--pg-db, default wb_bench),
never the database named in the URL, and migrates it. Each database runs in its own process,
because Django's settings are fixed per process. Results go to stdout as a table and, with --json,
to a file. The defaults take many minutes at 100,000 rows; --defaults-rows N measures them at N/2 and
N rows and extrapolates to --rows (labelled as such in the table); --defaults-rows 0 skips them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
GENERATOR_VERSION = 1  # bump when the generator changes, so a cached file is not reused
COLUMNS = [
    "registration_number", "name", "street", "postcode", "city", "country", "sector", "size_band",
    "ownership", "website", "phone", "email", "stage", "source", "share_women_pct", "offers_flexitime",
    "childcare_support",
]  # fmt: skip

# --- A believable employer network ----------------------------------------------------------


def _words(text: str) -> list[str]:
    """A word list written as "a|b|c"."""
    return text.split("|")


_NL = {
    "trades": _words(
        "Bakkerij|Schoonmaakbedrijf|Zorggroep|Kinderopvang|Hoveniersbedrijf|Naaiatelier|Transportbedrijf|"
        "Installatiebedrijf|Restaurant|Eetcafé|Kapsalon|Drukkerij|Kringloopwinkel|Supermarkt|Thuiszorg|Wasserij|"
        "Timmerfabriek|Groothandel"
    ),
    "names": _words(
        "De Vries|Jansen|Van den Berg|Bakker|Visser|Smit|Meijer|De Boer|Mulder|De Groot|Bos|Vos|Peters|Hendriks|"
        "Van Leeuwen|Dekker|Brouwer|De Wit|Dijkstra|Smits|De Graaf|Van der Meer|Kok|Jacobs|Van Dijk|Het Anker|"
        "De Linde|Noord|Oost|De Brug|Het Hoekje|Zonnehof|De Eik|Tulp"
    ),
    "forms": ["B.V.", "", "", "V.O.F.", "Stichting"],
    "cities": _words(
        "Amsterdam|Rotterdam|Utrecht|Den Haag|Eindhoven|Groningen|Tilburg|Almere|Breda|Nijmegen|Zwolle|Enschede|"
        "Arnhem|Leiden|Maastricht|Deventer"
    ),
    "streets": _words("Hoofdstraat|Kerkstraat|Dorpsstraat|Stationsweg|Industrieweg|Marktplein"),
}
_BE = {
    "trades": _words(
        "Boulangerie|Bakkerij|Nettoyage|Schoonmaak|Brasserie|Garage|Atelier|Crèche|Transport|Boucherie|"
        "Zorgcentrum|Drukkerij"
    ),
    "names": _words(
        "Dupont|Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|De Smet|Dubois|Lambert|"
        "Martin|Leroy|Vermeulen|Van Damme"
    ),
    "forms": ["SRL", "BV", "NV", "VZW", "ASBL", ""],
    "cities": _words("Brussel|Antwerpen|Gent|Charleroi|Liège|Brugge|Namur|Leuven|Mechelen"),
    "streets": _words("Rue Haute|Kerkstraat|Chaussée de Mons|Grote Markt|Rue de la Station"),
}
_SE = {
    "trades": _words("Städ|Bageri|Vård|Bygg|Transport|Restaurang|Förskola|Tryckeri|Trädgård|Tvätteri|Hemtjänst|Café"),
    "names": _words(
        "Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson|Svensson|Gustafsson|Lindqvist|"
        "Åkesson|Lindberg|Björk|Sjöberg|Norr"
    ),
    "forms": ["AB", "HB", "KB", "Ek. för.", ""],
    "cities": _words("Stockholm|Göteborg|Malmö|Uppsala|Västerås|Örebro|Linköping|Umeå"),
    "streets": _words("Storgatan|Drottninggatan|Kungsgatan|Järnvägsgatan|Skolgatan"),
}
_SECTORS = _words(
    "hospitality|cleaning|care|logistics|retail|manufacturing|education|forestry|sewing|personal_services|"
    "administration|other"
)
_LETTERS = "ABCDEGHJKLMNPRSTVXZ"


def _employer(n: int, rng: random.Random) -> tuple[tuple[str, str, str], list[str]]:
    """One employer row and the key (name, postcode) that must be unique; registration numbers follow n."""
    country = rng.choices(["NL", "BE", "SE"], weights=[6, 2, 2])[0]
    words = {"NL": _NL, "BE": _BE, "SE": _SE}[country]
    trade, family = rng.choice(words["trades"]), rng.choice(words["names"])
    base = f"{family} {trade}" if country == "SE" else f"{trade} {family}"
    name = f"{base} {rng.choice(words['forms'])}".strip()
    if country == "NL":
        reg = f"{30000000 + n:08d}"
        postcode = f"{rng.randint(1000, 9999)} {rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
        phone = f"+31 {rng.randint(10, 79)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    elif country == "BE":
        digits = f"{400000000 + n:09d}"
        reg, postcode = f"0{digits[:3]}.{digits[3:6]}.{digits[6:]}", str(rng.randint(1000, 9999))
        phone = f"+32 {rng.randint(2, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    else:
        digits = f"{5560000000 + n:010d}"
        reg, postcode = f"{digits[:6]}-{digits[6:]}", f"{rng.randint(100, 999)} {rng.randint(10, 99)}"
        phone = f"+46 {rng.randint(8, 90)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    slug = "".join(ch for ch in base.lower() if ch.isascii() and ch.isalnum())
    tld = {"NL": "nl", "BE": "be", "SE": "se"}[country]
    row = [
        reg, name, f"{rng.choice(words['streets'])} {rng.randint(1, 250)}", postcode, rng.choice(words["cities"]),
        country, rng.choice(_SECTORS), rng.choice(["micro", "small", "small", "medium", "large"]),
        rng.choice(["profit", "profit", "profit", "non_profit", "public"]), f"https://www.{slug}.{tld}", phone,
        f"info@{slug}.{tld}", rng.choice(["prospect", "prospect", "contacted", "engaged", "active", "dormant"]),
        rng.choice(["existing", "referral", "event", "direct", "vacancy", "employer", ""]),
        rng.choice(["", str(rng.randint(5, 95))]), rng.choice(["", "1", "0"]), rng.choice(["", "1", "0"]),
    ]  # fmt: skip
    return (base.casefold(), postcode.replace(" ", ""), country), row


def generate_csv(rows: int, path: Path, seed: int = 20261102) -> Path:
    """Write the benchmark file once per row count; employers are unique by number and by name + postcode."""
    if path.exists():
        return path
    rng, seen, n = random.Random(seed), set(), 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        while n < rows:
            key, row = _employer(n, rng)
            if key in seen:
                continue
            seen.add(key)
            writer.writerow(row)
            n += 1
    return path


# --- One database, in its own process -------------------------------------------------------


def worker(database: str, csv_path: Path, rows: int, defaults_rows: int, repeat: int = 3) -> dict[str, Any]:
    """Migrate, then time both configurations on an empty table and on a re-import."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    data = csv_path.read_bytes()
    results: dict[str, Any] = {"database": database, "server": _server_version(connection), "runs": []}
    plan = [("ours", rows)]
    if 0 < defaults_rows < rows:  # measured at two sizes, extrapolated by the parent
        plan += [("defaults", defaults_rows // 2), ("defaults", defaults_rows)]
    elif defaults_rows:
        plan.append(("defaults", rows))
    for config in ("ours", "defaults"):  # untimed, so module loading and first queries are not measured
        _timed_import(config, _first_rows(data, 50))
    if repeat:
        results["runs"] += _baselines(csv_path, data, rows, connection.vendor, repeat)
    for config, count in plan:
        payload = data if count == rows else _first_rows(data, count)
        call_command("flush", interactive=False, verbosity=0)
        for phase in ("empty table", "same file again"):
            seconds, totals = _timed_import(config, payload)
            run = {"config": config, "phase": phase, "rows": count, "seconds": round(seconds, 2), **totals}
            run["rows_per_second"] = round(count / seconds)
            results["runs"].append(run)
            print(json.dumps(run), file=sys.stderr, flush=True)
    results["load_average_after"] = [round(load, 1) for load in os.getloadavg()]
    return results


def _baselines(csv_path: Path, data: bytes, rows: int, vendor: str, repeat: int) -> list[dict[str, Any]]:
    """Time ours, a plain bulk_create and (on PostgreSQL) COPY of the same rows into an empty table; best of N.

    The three take turns in this process for `repeat` rounds and each reports its fastest round, as
    timeit does: on a shared machine other work only ever adds time, and at a load average of 5 to 7
    on two cores single runs of bulk_create took 5.0 to 8.7 s for the same 20,000 rows, enough to move
    a ratio from 0.37 to 0.51. The plain writers start from the file's rows already
    parsed into Python values (untimed): bulk_create times building the instances, normalising the
    name (as Employer.save() would) and `bulk_create(batch_size=1000)`; COPY times building each
    row's tuple (the model's defaults, the file's values, the normalised name, the timestamps) and
    one `COPY ... FROM STDIN`. Ours times everything from the file's bytes to the commit.
    """
    from django.core.management import call_command

    values = _parsed_rows(csv_path)
    writers = [("ours", None), ("bulk_create", _plain_bulk_create)]
    if vendor == "postgresql":
        writers.append(("copy", _plain_copy))
    timings: dict[str, list[float]] = {config: [] for config, _write in writers}
    for _round in range(repeat):
        for config, write in writers:
            call_command("flush", interactive=False, verbosity=0)
            if write is None:
                seconds, _totals = _timed_import("ours", data)
            else:
                started = time.perf_counter()
                write(values)
                seconds = time.perf_counter() - started
            timings[config].append(seconds)
            print(json.dumps({"config": config, "baseline seconds": round(seconds, 2)}), file=sys.stderr, flush=True)
    call_command("flush", interactive=False, verbosity=0)
    runs = []
    for config, measured in timings.items():
        seconds = min(measured)
        run = {"config": config, "phase": "baseline, empty table", "rows": rows, "seconds": round(seconds, 2)}
        run.update(rows_per_second=round(rows / seconds), all_seconds=[round(t, 2) for t in measured])
        runs.append(run)
    return runs


def _parsed_rows(csv_path: Path) -> list[dict[str, Any]]:
    """The file's rows as the model's Python values (numbers, yes/no as booleans, empty as None)."""
    numbers, flags = {"share_women_pct"}, {"offers_flexitime", "childcare_support"}
    parsed = []
    with csv_path.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            values: dict[str, Any] = dict(row)
            for name in numbers:
                values[name] = int(row[name]) if row[name] else None
            for name in flags:
                values[name] = None if row[name] == "" else row[name] == "1"
            parsed.append(values)
    return parsed


def _plain_bulk_create(values: list[dict[str, Any]]) -> None:
    """Employer(**values), normalise() as save() would, bulk_create in batches of 1,000, one transaction."""
    from django.db import transaction

    from crm.models import Employer

    with transaction.atomic():
        employers = []
        for row in values:
            employer = Employer(**row)
            employer.normalise()
            employers.append(employer)
        Employer.objects.bulk_create(employers, batch_size=1000)


def _plain_copy(values: list[dict[str, Any]]) -> None:
    """The same rows as one COPY FROM STDIN: every column, defaults from the model, one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from crm.models import Employer, normalise_name, normalise_postcode

    fields = [f for f in Employer._meta.concrete_fields if not f.primary_key]
    template = Employer()
    defaults = {f.attname: getattr(template, f.attname) for f in fields}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    names = [f.attname for f in fields]
    with transaction.atomic(), connection.cursor() as cursor:
        now = timezone.now()
        sql = f"COPY {connection.ops.quote_name(Employer._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in values:
                record = {**defaults, **row, "created_at": now, "updated_at": now}
                record["name"] = " ".join(record["name"].split())  # as Employer.normalise()
                record["normalised_name"] = normalise_name(record["name"])
                record["postcode"] = normalise_postcode(record["postcode"])
                record["registration_number"] = record["registration_number"].strip().replace(" ", "")
                record["country"] = record["country"].strip().upper()
                copy.write_row([record[name] for name in names])


def _first_rows(data: bytes, count: int) -> bytes:
    """The header and the first `count` rows of the CSV."""
    lines = data.split(b"\r\n")
    return b"\r\n".join(lines[: count + 1]) + b"\r\n"


def _timed_import(config: str, data: bytes) -> tuple[float, dict[str, int]]:
    """Read and import the file with one configuration; fail loudly if any row did not import."""
    from django.db import transaction
    from import_export import resources
    from import_export.formats.base_formats import CSV

    from crm.importing import import_file
    from crm.models import Employer
    from crm.resources import EmployerResource

    class DefaultEmployerResource(resources.ModelResource):
        """django-import-export's defaults, keyed on the registration number."""

        class Meta:
            model = Employer
            import_id_fields = ("registration_number",)
            fields = COLUMNS

    started = time.perf_counter()
    if config == "ours":
        report = import_file(resource=EmployerResource(), data=data, actor=None, filename="employers.csv")
        if not report.ok:
            raise SystemExit(f"ours: import failed: {report.file_errors} {report.problems[:3]}")
        totals = {"new": report.created, "updated": report.updated, "unchanged": report.unchanged}
    else:
        dataset = CSV(encoding="utf-8-sig").create_dataset(data.decode("utf-8-sig"))
        with transaction.atomic():
            result = DefaultEmployerResource().import_data(dataset, raise_errors=True)
        totals = {"new": result.totals["new"], "updated": result.totals["update"], "unchanged": result.totals["skip"]}
    return time.perf_counter() - started, totals


def _server_version(connection: Any) -> str:
    """The database engine and version, for the results table."""
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# --- The parent: set up databases, run the workers, print the table ---------------------------


def _scratch_postgres(url: str, name: str) -> str:
    """Drop and create the scratch database on the server in `url`; return its URL."""
    import psycopg

    if "bench" not in name:
        raise SystemExit(f"--pg-db {name!r}: the scratch database is dropped, so its name must contain 'bench'")
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _run_worker(database: str, env: dict[str, str], args: argparse.Namespace, csv_path: Path) -> dict[str, Any]:
    """Run this script as a worker for one database and return its results."""
    # The import refuses files over 20,000 rows (config/settings.py, "import limits"); the bench's own
    # file may be larger, so the worker's limits are raised to fit it.
    env = {**env, "IMPORT_MAX_ROWS": str(max(args.rows, 20_000))}
    env["IMPORT_MAX_CELLS"] = str(max(args.rows * len(COLUMNS), 500_000))
    env["IMPORT_MAX_BYTES"] = str(max(args.rows * 1024, 50 * 1024 * 1024))
    command = [sys.executable, __file__, "--worker", database, "--rows", str(args.rows)]
    command += ["--defaults-rows", str(args.defaults_rows), "--repeat", str(args.repeat), "--csv", str(csv_path)]
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return dict(json.loads(done.stdout))


def _worker_env(database_url: str | None, sqlite_path: Path) -> dict[str, str]:
    """Production-like settings: DEBUG off (no query log), a throwaway key, the chosen database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DEBUG="0", SECRET_KEY=os.urandom(24).hex(), DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING"
    )
    env["PYTHONPATH"] = str(ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        env["SQLITE_PATH"] = str(sqlite_path)
    return env


def extrapolate(result: dict[str, Any], rows: int) -> list[dict[str, Any]]:
    """Estimate the defaults at `rows` from the same run at n and 2n rows.

    On PostgreSQL each row's lookup uses the index, so time grows linearly: rows/s at 2n. On SQLite
    the lookup scans the table (the only index on registration_number is partial, and a plain
    `registration_number = %s` does not repeat its condition), so each row costs more as the table
    grows: fit seconds = a*n + b*n*n through both runs (b kept >= 0).
    """
    estimates = []
    for phase in ("empty table", "same file again"):
        runs = [r for r in result["runs"] if r["config"] == "defaults" and r["phase"] == phase]
        measured = sorted(runs, key=lambda r: r["rows"])
        if len(measured) != 2 or measured[-1]["rows"] >= rows:
            continue
        (n1, t1), (n2, t2) = ((r["rows"], r["seconds"]) for r in measured)
        b = max(0.0, (t2 * n1 - t1 * n2) / (n1 * n2 * (n2 - n1))) if result["database"] == "sqlite" else 0.0
        a = (t2 - b * n2 * n2) / n2
        seconds = a * rows + b * rows * rows
        how = f"a·n + b·n² through {n1} and {n2} rows" if result["database"] == "sqlite" else f"linear from {n2} rows"
        run = {"config": f"defaults, extrapolated ({how})", "phase": phase, "rows": rows, "seconds": round(seconds)}
        estimates.append({**run, "rows_per_second": round(rows / seconds)})
    return estimates


def print_table(results: list[dict[str, Any]], rows: int) -> None:
    """The results as a Markdown table, with where and when they were measured."""
    print(f"\nEmployer import, {rows} rows, {time.strftime('%Y-%m-%d')}, {_machine()}\n")
    print("| configuration | database | run | rows | seconds | rows/s |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for result in results:
        for run in [*result["runs"], *extrapolate(result, rows)]:
            print(
                f"| {run['config']} | {result['server']} | {run['phase']} | {run['rows']} | "
                f"{run['seconds']} | {run['rows_per_second']} |"
            )
    for result in results:
        ratios = baseline_ratios(result)
        if ratios:
            shown = ", ".join(f"ours/{config} {ratio:.2f}" for config, ratio in ratios.items())
            print(
                f"\n{result['server']}, {_baseline_rows(result)} rows into an empty table, best of each in the "
                f"same run: {shown}."
            )
    loads = ", ".join(f"{r['database']} {r['load_average_after']}" for r in results)
    print(f"\nLoad average (1, 5, 15 min) when each database finished: {loads}.")


def baseline_ratios(result: dict[str, Any]) -> dict[str, float]:
    """Ours' rate divided by the plain bulk_create's and COPY's, from the same run (1.0: as fast)."""
    rates = {r["config"]: r["rows_per_second"] for r in result["runs"] if r["phase"] == "baseline, empty table"}
    if "ours" not in rates:
        return {}
    return {config: rates["ours"] / rate for config, rate in rates.items() if config != "ours"}


def _baseline_rows(result: dict[str, Any]) -> int:
    """How many rows the baselines wrote."""
    return next(r["rows"] for r in result["runs"] if r["phase"] == "baseline, empty table")


def _machine() -> str:
    """CPU model and count, and the Python version."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def main() -> None:
    """Parse arguments; run as the parent or as a worker."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Employers in the file (default 100000).")
    parser.add_argument(
        "--defaults-rows",
        type=int,
        help="Measure the slow defaults at half this and this many rows and extrapolate to --rows "
        "(default: the same as --rows, measured directly; 0 skips the defaults).",
    )
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: DATABASE_URL if set).")
    parser.add_argument("--pg-db", default="wb_bench", help="Scratch database to drop and create there.")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    parser.add_argument("--table", type=Path, help="Print the table of a --json file again, without measuring.")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Rounds of ours, plain bulk_create and COPY on an empty table; the fastest of each are compared "
        "(default 3, 0 skips them).",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.defaults_rows = args.rows if args.defaults_rows is None else min(args.defaults_rows, args.rows)
    if args.worker:
        print(json.dumps(worker(args.worker, args.csv, args.rows, args.defaults_rows, args.repeat)))
        return
    if args.table:
        saved = json.loads(args.table.read_text())
        print_table(saved, max(run["rows"] for result in saved for run in result["runs"]))
        return
    csv_path = generate_csv(args.rows, BENCH_DIR / f"employers_{args.rows}_v{GENERATOR_VERSION}.csv")
    results = [_run_worker("sqlite", _worker_env(None, BENCH_DIR / "import_bench.sqlite3"), args, csv_path)]
    postgres = args.postgres or os.environ.get("DATABASE_URL")
    if postgres:
        scratch = _scratch_postgres(postgres, args.pg_db)
        results.append(_run_worker("postgres", _worker_env(scratch, BENCH_DIR / "unused"), args, csv_path))
    print_table(results, args.rows)
    if args.json:
        for result in results:
            result["extrapolated"] = extrapolate(result, args.rows)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
