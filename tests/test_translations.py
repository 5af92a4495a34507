"""The Dutch and Swedish catalogues: complete, compiled, covering every marked string, and used by the pages."""

from __future__ import annotations

import gettext
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from crm.choices import Stage
from crm.roles import Role
from placements.choices import PlacementStatus

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["nl", "sv"]
# What `make messages` runs; the test runs the same on a copy of the tree.
MAKEMESSAGES = ["makemessages", "-l", "nl", "-l", "sv", "--add-location=file", "--ignore=.venv", "--ignore=var"]
MAKEMESSAGES += ["--ignore=node_modules"]
COPY_SKIPS = shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "*_cache", "__pycache__", "*.mo")


def load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "werkbrug_check_catalogues", ROOT / "scripts" / "translations" / "check_catalogues.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


checker = load_checker()


def po_path(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def unfinished(path: Path, root: Path = ROOT) -> str:
    """The checker's lines for a catalogue, as a failure message that names every msgid to translate."""
    lines = [line.replace(f"{root}{os.sep}", "") for line in checker.report([path])]
    return f"{len(lines)} entries need a translator (run `make messages`, then translate them):\n" + "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = checker.parse_po(po_path(language))
    assert len(entries) > 800  # the whole workspace, not a stub
    assert not checker.report([po_path(language)]), unfinished(po_path(language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_po_file(language: str) -> None:
    """The committed .mo holds every translation of the .po: `compilemessages` ran after the last edit."""
    with (po_path(language).with_suffix(".mo")).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in checker.parse_po(po_path(language)):
        if entry.is_header:
            continue
        if entry.msgid_plural and entry.msgctxt is not None:
            got = [compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count) for count in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        elif entry.msgid_plural:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, count) for count in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        elif entry.msgctxt is not None:
            got, want = [compiled.pgettext(entry.msgctxt, entry.msgid)], [entry.msgstr[0]]
        else:
            got, want = [compiled.gettext(entry.msgid)], [entry.msgstr[0]]
        if got != want:
            stale.append(f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt is not None else entry.msgid)
    assert not stale, "Run `make messages` (or compilemessages); the .mo lacks:\n" + "\n".join(map(repr, stale))


def test_the_checker_names_untranslated_fuzzy_and_broken_entries(tmp_path: Path) -> None:
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        'msgid "Done"\nmsgstr "Afgerond"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "Geraden"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "Hallo %(naam)s"\n\n'
        'msgid "%(n)s row"\nmsgid_plural "%(n)s rows"\nmsgstr[0] "%(n)s rij"\nmsgstr[1] ""\n\n'
        '#~ msgid "Obsolete"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    lines = checker.report([sample])
    assert [line.split(": ", 1)[1] for line in lines] == [
        "untranslated: 'Untranslated'",
        "fuzzy: 'Guessed'",
        "placeholders differ in form 0: 'Hallo %(naam)s': 'Hello %(name)s'",
        "untranslated: '%(n)s row'",
    ]
    assert checker.main([str(sample)]) == 1


def test_every_string_marked_in_the_source_is_in_the_catalogues_and_translated(tmp_path: Path) -> None:
    """`make messages` on a copy of the tree adds nothing that lacks a translation.

    A string marked for translation after the catalogues were last updated fails here, listed by msgid:
    run `make messages`, translate the listed entries in locale/*/LC_MESSAGES/django.po, run it again.
    This is the gate for marked strings, so a machine without gettext fails it rather than skipping it.
    """
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext (xgettext) was not found, and this test needs it to collect the marked strings. "
            "Install it with `sudo apt-get install gettext` (Debian, Ubuntu), or run `make test` as root "
            "(it installs it).",
            pytrace=False,
        )
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=COPY_SKIPS)
    env = {**os.environ, "DEBUG": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    for language in LANGUAGES:
        assert not checker.report([po_path(language, copy)]), unfinished(po_path(language, copy), copy)


@pytest.mark.parametrize(
    ("language", "prospect", "active", "ended_early"),
    [
        ("en", "Prospect", "Active partner", "Ended early by employer"),
        ("nl", "Prospect", "Actieve partner", "Voortijdig beëindigd door werkgever"),
        ("sv", "Prospekt", "Aktiv partner", "Avbruten i förtid av arbetsgivaren"),
    ],
)
def test_the_pipeline_stages_read_in_the_active_language(
    language: str, prospect: str, active: str, ended_early: str
) -> None:
    with translation.override(language):
        assert [str(Stage.PROSPECT.label), str(Stage.ACTIVE.label), str(Stage.ENDED_EARLY.label)] == [
            prospect,
            active,
            ended_early,
        ]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("nl", ["Relatiebeheerder", "Jobcoach", "Casemanager", "Gepland", "Actief", "Voortijdig beëindigd"]),
        ("sv", ["Relationsansvarig", "Jobbcoach", "Handläggare", "Planerad", "Aktiv", "Avbruten i förtid"]),
    ],
)
def test_roles_and_placement_statuses_use_the_domain_words(language: str, labels: list[str]) -> None:
    with translation.override(language):
        assert [
            str(Role.RELATIONSHIP_MANAGER.label),
            str(Role.COACH.label),
            str(Role.CASE_MANAGER.label),
            str(PlacementStatus.PLANNED.label),
            str(PlacementStatus.ACTIVE.label),
            str(PlacementStatus.ENDED_EARLY.label),
        ] == labels


@pytest.mark.parametrize(
    ("accept", "heading", "tagline"),
    [
        ("en", "Sign in", "The workspace for relationship managers and coaches."),
        ("nl", "Aanmelden", "De werkplek voor relatiebeheerders en jobcoaches."),
        ("sv", "Logga in", "Arbetsytan för relationsansvariga och jobbcoacher."),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(
    client: Client, db: None, accept: str, heading: str, tagline: str
) -> None:
    response = client.get("/accounts/login/", headers={"accept-language": f"{accept},en;q=0.5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in page
    assert tagline in page
    assert f'lang="{accept}"' in page


@pytest.mark.parametrize(
    ("accept", "words"),
    [
        ("nl", ["Mijn opvolgingen", "Mijn cliënten", "Afmelden"]),
        ("sv", ["Mina uppföljningar", "Mina deltagare", "Logga ut"]),
    ],
)
def test_a_coachs_home_page_is_in_her_browsers_language(
    client: Client, alice: User, accept: str, words: list[str]
) -> None:
    client.force_login(alice)
    page = client.get("/", headers={"accept-language": accept}).content.decode()
    assert [word for word in words if word not in page] == []
    assert "My follow-ups" not in page
