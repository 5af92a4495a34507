"""Run every benchmark in bench/ with the sizes the issues name, one after the other.

    .venv/bin/python bench/run_all.py            # full sizes (takes a long while on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # small sizes, to check the scripts still work
    .venv/bin/python bench/run_all.py --postgres postgres://postgres@127.0.0.1:5432  # PostgreSQL too

Each script prints its own figures; bench/README.md records the last measured ones.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL: dict[str, list[str]] = {
    "import_employers.py": ["--rows", "100000", "--defaults-rows", "20000"],
    "sweep_followups.py": ["--placements", "100000", "--due", "10000"],
    "render_packs.py": ["--renders", "50", "--packs", "1000"],
    "workspace_pages.py": ["--employers", "50000"],
    "coverage.py": ["--employers", "50000"],
    "programme_reports.py": [],
    "load_pages.py": [],
    "survey_load.py": [],
    "mentor_page.py": [],
}
QUICK: dict[str, list[str]] = {
    "import_employers.py": ["--rows", "2000", "--defaults-rows", "1000"],
    "sweep_followups.py": ["--placements", "2000", "--due", "200", "--rounds", "1"],
    "render_packs.py": ["--renders", "3", "--packs", "10", "--placements", "10"],
    "workspace_pages.py": ["--employers", "500", "--repeat", "2"],
    "coverage.py": [
        "--employers",
        "500",
        "--clients",
        "100",
        "--db",
        "var/bench/coverage_quick.sqlite3",
        "--repeat",
        "2",
    ],
    "programme_reports.py": [
        "--employers",
        "2000",
        "--placements",
        "4000",
        "--steps",
        "40000",
        "--db",
        "var/bench/reports_small.sqlite3",
        "--repeat",
        "2",
    ],
    "load_pages.py": [
        "--employers",
        "2000",
        "--placements",
        "4000",
        "--steps",
        "40000",
        "--contacts",
        "8000",
        "--db",
        "var/bench/load_small.sqlite3",
        "--requests",
        "12",
    ],
    "survey_load.py": ["--count", "200"],
    "mentor_page.py": ["--placements", "30", "--posts", "60"],
}
TAKES_POSTGRES = {"import_employers.py", "sweep_followups.py", "render_packs.py", "mentor_page.py"}


def main() -> int:
    """Run the benchmarks; the exit status is the number of scripts that failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the scripts run")
    parser.add_argument("--postgres", help="also run the database benchmarks on this PostgreSQL URL")
    parser.add_argument("--only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    failed = 0
    for script, script_args in plan.items():
        if args.only and script not in args.only:
            continue
        runs = [script_args]
        if args.postgres and script in TAKES_POSTGRES:
            runs.append([*script_args, "--postgres", args.postgres])
        for run in runs:
            print(f"\n=== {script} {' '.join(run)}", flush=True)
            failed += subprocess.call([sys.executable, str(HERE / script), *run]) != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
