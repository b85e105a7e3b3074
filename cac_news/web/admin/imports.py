"""Admin import: upload, check the detected format and columns, then a background job."""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news import territories
from cac_news.accounts import audit
from cac_news.audience import import_jobs
from cac_news.audience.csvfiles import CsvSource
from cac_news.audience.exporter import iter_csv
from cac_news.audience.import_formats import FIELDS, FORMAT_LABELS
from cac_news.audience.modes import list_modes
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.imports import ImportForm
from cac_news.models import ImportJob, ImportJobStatus
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.segments import csv_download

SAMPLE_ROWS = 3
SAMPLE_FILE = (
    "courriel;prénom;nom;structure;territoire;pays;modes;langue;statut\r\n"
    "camille.martin@exemple.org;Camille;Martin;Collectif d'Aubervilliers;93;France;"
    "information;fr;\r\n"
    "lea.dupont@exemple.org;Léa;Dupont;;Auvergne-Rhône-Alpes;;information,contributeur;fr;\r\n"
    "jan.peeters@exemple.be;Jan;Peeters;;1000;BE;information;en;\r\n"
    "parti@exemple.org;Sam;Leroy;;2A004;;;fr;désinscrit\r\n"
)


def _form() -> ImportForm:
    form = ImportForm()
    form.mode_ids.choices = [(m.id, m.name) for m in list_modes()]
    form.territory.choices = [("", _("None")), (territories.NATIONAL, _("National"))] + [
        (d.code, f"{d.code} – {d.name}") for d in territories.departements()
    ]
    form.source_format.choices = [("", _("Recognise from the header"))] + list(
        FORMAT_LABELS.items()
    )
    return form


def _saved(upload_id: str) -> dict:
    try:
        sidecar = import_jobs.staged_path(upload_id).with_suffix(".json")
        return json.loads(sidecar.read_text())
    except (ValueError, OSError):
        abort(404)


@bp.route("/subscribers/import", methods=["GET", "POST"])
def subscribers_import():
    """Upload a file: it is stored, then its format and columns are shown for checking."""
    form = _form()
    if form.validate_on_submit():
        upload_id = import_jobs.stage(form.file.data)
        slugs = {m.id: m.slug for m in list_modes()}
        saved = {
            "filename": Path(form.file.data.filename or "upload.csv").name[:100],
            "modes": [slugs[i] for i in form.mode_ids.data or []],
            "territory": form.territory.data,
            "status": form.status.data,
            "source_format": form.source_format.data or None,
        }
        path = import_jobs.staged_path(upload_id)
        try:
            CsvSource(path, saved["source_format"]).close()
        except ValidationError as exc:
            path.unlink(missing_ok=True)
            apply_errors(form, ValidationError({"file": sum(exc.errors.values(), [])}))
        else:
            path.with_suffix(".json").write_text(json.dumps(saved))
            return redirect(url_for("admin.subscribers_import_mapping", upload_id=upload_id), 303)
    return render_template("admin/imports/form.html", form=form)


@bp.get("/subscribers/import/sample.csv")
def subscribers_import_sample():
    """A sample file in the French spreadsheet shape (semicolons, BOM)."""
    return csv_download(iter(["\ufeff" + SAMPLE_FILE]), "exemple-import.csv")


@bp.route("/subscribers/import/<upload_id>", methods=["GET", "POST"])
def subscribers_import_mapping(upload_id: str):
    """The detected format and the field of each column; nothing is written before a job."""
    saved = _saved(upload_id)
    path = import_jobs.staged_path(upload_id)
    if not path.exists():
        abort(404)  # imported already, or abandoned and deleted
    form = ConfirmForm()
    if form.validate_on_submit():
        mapping = [request.form.get(f"column_{i}", "") for i in range(200)]
        saved["mapping"] = [m if m in FIELDS else "" for m in mapping]
        dry_run = request.form.get("action") != "import"
        job = import_jobs.create_job(
            upload_id, saved["filename"], saved, dry_run, current_user._get_current_object()
        )
        return redirect(url_for("admin.subscribers_import_job", job_id=job.id), 303)
    source = CsvSource(path, saved.get("source_format"), saved.get("mapping"))
    try:
        samples = [row for _, (_, row) in zip(range(SAMPLE_ROWS), source.rows(), strict=False)]
        layout = source.layout
        header = source.header if not layout.headerless else None
        mapping = layout.mapping(source.width)
    finally:
        source.close()
    columns = [
        {
            "index": i,
            "label": header[i] if header else _("Column %(n)d", n=i + 1),
            "field": mapping[i],
            "samples": [row[i] for row in samples if isinstance(row, list) and i < len(row)],
        }
        for i in range(source.width)
    ]
    return render_template(
        "admin/imports/mapping.html",
        saved=saved,
        form=form,
        format_label=FORMAT_LABELS[layout.format],
        columns=columns,
        fields=FIELDS,
    )


@bp.get("/subscribers/imports/<int:job_id>")
def subscribers_import_job(job_id: int):
    """A job's progress, then its report."""
    job = db.get_or_404(ImportJob, job_id)
    running = job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)
    return render_template(
        "admin/imports/job.html",
        job=job,
        report=import_jobs.report_of(job),
        running=running,
        commit_form=ConfirmForm(formdata=None),
        staged=import_jobs.staged_path(job.upload_id).exists(),
    )


@bp.post("/subscribers/imports/<int:job_id>/commit")
def subscribers_import_commit(job_id: int):
    """After a check, import the same file with the same columns for real."""
    checked = db.get_or_404(ImportJob, job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not checked.dry_run or not import_jobs.staged_path(checked.upload_id).exists():
        abort(404)
    saved = json.loads(checked.options)
    job = import_jobs.create_job(
        checked.upload_id, checked.filename, saved, False, current_user._get_current_object()
    )
    return redirect(url_for("admin.subscribers_import_job", job_id=job.id), 303)


@bp.get("/subscribers/export.csv")
def subscribers_export():
    """Download every subscriber as CSV (UTF-8 with BOM)."""
    audit.record("subscribers.exported", details={"segment_id": None})
    return csv_download(iter_csv(None), "subscribers.csv")
