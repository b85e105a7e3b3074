"""Build step: the wheel carries the compiled catalogues, templates, static files and
migrations. Metadata lives in pyproject.toml; this file only adds that step."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "static", "migrations")


def compile_catalogues(translations: Path) -> None:
    """Compile every messages.po under translations/ into the messages.mo beside it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalogue)


class BuildWithResources(build_py):
    """build_py, then the catalogues compiled and the resource folders copied in."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            # An editable install reads the checkout itself; compile in place only.
            compile_catalogues(ROOT / "cac_news" / "translations")
            return
        package = Path(self.build_lib) / "cac_news"
        compile_catalogues(package / "translations")
        for name in BUNDLED:
            target = package / "bundled" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                ROOT / name,
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules"),
            )


setup(cmdclass={"build_py": BuildWithResources})
