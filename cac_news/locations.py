"""Where the templates, static files, migrations and instance folder live.

In a checkout they sit beside the package (the layout of the design card). A wheel
carries copies of them inside the package, under `cac_news/bundled/`, put there by the
build step in setup.py; the installed package finds those.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_ROOT = PACKAGE_DIR.parent
BUNDLED_DIR = PACKAGE_DIR / "bundled"
RESOURCES = ("templates", "static", "migrations")


def running_from_checkout() -> bool:
    """True when the package is imported from a source tree rather than an installed wheel."""
    return not BUNDLED_DIR.is_dir() and (CHECKOUT_ROOT / "pyproject.toml").is_file()


def resource_dir(name: str) -> Path:
    """The folder of one of RESOURCES: the wheel's bundled copy, else the checkout's."""
    if name not in RESOURCES:
        raise ValueError(f"unknown resource folder {name!r}")
    bundled = BUNDLED_DIR / name
    return bundled if bundled.is_dir() else CHECKOUT_ROOT / name


def default_instance_path() -> Path:
    """CAC_NEWS_INSTANCE_PATH, else the checkout's instance/, else instance/ in the cwd."""
    configured = os.environ.get("CAC_NEWS_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    if running_from_checkout():
        return CHECKOUT_ROOT / "instance"
    return Path.cwd().resolve() / "instance"
