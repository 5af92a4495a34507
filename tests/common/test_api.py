"""The API building blocks load in any order: DRF imports the default classes while its views load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD = """
from django.conf import settings
settings.INSTALLED_APPS
import {first}
from common.api import WorkflowViewSet
from common.api_defaults import CursorPagination, ModelPermissions
assert WorkflowViewSet.permission_classes == [ModelPermissions], WorkflowViewSet.permission_classes
assert WorkflowViewSet.pagination_class is CursorPagination
"""


@pytest.mark.parametrize("first", ["common.api", "common.api_defaults"])
def test_the_api_modules_import_first_in_a_fresh_process(first):
    # A fresh interpreter: in this one DRF's views are already loaded, which would hide an import cycle.
    result = subprocess.run(
        [sys.executable, "-c", LOAD.format(first=first)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "PATH": ""},
        check=False,
    )

    assert result.returncode == 0, result.stderr
