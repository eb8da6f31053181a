"""Every Django app of ours is in the installable package list (pyproject.toml)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def test_every_app_of_ours_is_packaged():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    ours = [app.name for app in apps.get_app_configs() if Path(app.path).parent == ROOT]
    assert ours, "no app found in the repository"
    missing = [name for name in ours if not any(fnmatch(name, p) for p in patterns)]
    assert missing == [], f"add these to [tool.setuptools.packages.find] include: {missing}"
