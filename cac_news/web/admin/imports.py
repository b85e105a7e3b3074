"""Admin CSV import (upload, dry-run report and preview, then commit) and export download."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from cac_news import territories
from cac_news.accounts import audit
from cac_news.audience.exporter import iter_csv
from cac_news.audience.importer import ImportOptions, import_csv
from cac_news.audience.invitations import send_confirmations
from cac_news.audience.modes import list_modes
from cac_news.errors import ValidationError
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.segments import ImportForm
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.segments import csv_download

UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


UPLOAD_MAX_AGE = 24 * 3600


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    """Delete previews that were never committed (they hold personal data)."""
    limit = time.time() - UPLOAD_MAX_AGE
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _form() -> ImportForm:
    form = ImportForm()
    form.mode_ids.choices = [(m.id, m.name) for m in list_modes()]
    form.territory.choices = [("", _("None")), (territories.NATIONAL, _("National"))] + [
        (d.code, f"{d.code} – {d.name}") for d in territories.departements()
    ]
    return form


def _options(saved: dict, dry_run: bool) -> ImportOptions:
    return ImportOptions(
        mode_slugs=saved["modes"],
        territory=saved["territory"] or None,
        status=saved["status"],
        dry_run=dry_run,
        source_name=saved["filename"],
        actor=current_user._get_current_object(),
    )


@bp.route("/subscribers/import", methods=["GET", "POST"])
def subscribers_import():
    """Upload a CSV file; show the dry-run report and the first rows before committing."""
    form = _form()
    if form.validate_on_submit():
        upload_id = secrets.token_hex(16)
        _forget_old_uploads(_upload_dir())
        path = _upload_dir() / f"{upload_id}.csv"
        form.file.data.save(path)
        slugs = {m.id: m.slug for m in list_modes()}
        saved = {
            "filename": Path(form.file.data.filename or "upload.csv").name[:100],
            "modes": [slugs[i] for i in form.mode_ids.data or []],
            "territory": form.territory.data,
            "status": form.status.data,
        }
        (path.with_suffix(".json")).write_text(json.dumps(saved))
        try:
            report = import_csv(path, _options(saved, dry_run=True))
        except ValidationError as exc:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)
            apply_errors(form, ValidationError({"file": sum(exc.errors.values(), [])}))
        else:
            return render_template(
                "admin/imports/report.html",
                report=report,
                saved=saved,
                upload_id=upload_id,
                commit_form=ConfirmForm(formdata=None),
                mode_names={m.id: m.name for m in list_modes()},
            )
    return render_template("admin/imports/form.html", form=form)


@bp.post("/subscribers/import/<upload_id>")
def subscribers_import_commit(upload_id: str):
    """Run the previewed import for real, in one transaction."""
    if not UPLOAD_ID.fullmatch(upload_id) or not ConfirmForm().validate_on_submit():
        abort(400)
    path = _upload_dir() / f"{upload_id}.csv"
    if not path.exists():
        abort(404)
    saved = json.loads(path.with_suffix(".json").read_text())
    try:
        report = import_csv(path, _options(saved, dry_run=False))
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)
    sent = failed = 0
    if report.pending_ids:
        sent, failed = send_confirmations(report.pending_ids)
    flash(
        _("Import done: %(n)d created, %(u)d updated.", n=report.created, u=report.updated),
        "success",
    )
    return render_template(
        "admin/imports/report.html", report=report, saved=saved, sent=sent, failed=failed,
        mode_names={},
    )  # fmt: skip


@bp.get("/subscribers/export.csv")
def subscribers_export():
    """Download every subscriber as CSV (UTF-8 with BOM)."""
    audit.record("subscribers.exported", details={"segment_id": None})
    return csv_download(iter_csv(None), "subscribers.csv")
