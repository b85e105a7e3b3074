"""Background imports: a real worker process imports while people unsubscribe; resumption;
bounded memory; staged files removed."""

from __future__ import annotations

import json
import os
import signal
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import func, select

from cac_news.audience import import_jobs, links
from cac_news.audience.import_jobs import ImportJobRunner
from cac_news.audience.importer import MAX_REPORTED_ERRORS, ImportOptions, import_csv
from cac_news.extensions import db
from cac_news.models import ImportJob, Subscriber
from tests.audience_helpers import path_of
from tests.mailing.test_engine_processes import start_worker, wait_for, worker_env

CODES = ["75", "69", "13", "2A", "33", "59", "93", "44", "971", "FR"]
SAVED = {"filename": "big.csv", "modes": [], "territory": "", "status": "active"}


def stage_file(app, rows: int, tmp_path: Path) -> str:
    """A staged upload of `rows` people, as the upload page leaves it."""
    upload_id = "ab" * 16
    path = Path(app.instance_path) / "imports" / f"{upload_id}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("courriel;prénom;nom;département\n")
        for i in range(rows):
            out.write(f"p{i}@exemple.org;Prénom{i};Nom{i};{CODES[i % len(CODES)]}\n")
    path.with_suffix(".json").write_text(json.dumps(SAVED))
    return upload_id


def job_state(job_id: int) -> ImportJob:
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def subscribers() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscriber))


def test_unsubscribes_succeed_while_a_worker_imports_300000_rows(
    app, client, tmp_path, make_subscriber
):
    people = [make_subscriber(email=f"leaving{i}@exemple.org") for i in range(30)]
    urls = [path_of(links.unsubscribe_url(p)) for p in people]
    upload_id = stage_file(app, 300_000, tmp_path)
    job = import_jobs.create_job(upload_id, "big.csv", SAVED, dry_run=False, actor=None)
    env = worker_env(app, tmp_path, INSTANCE_PATH=app.instance_path)
    worker = start_worker(env)
    try:
        wait_for(lambda: job_state(job.id).bytes_done > 0, timeout=120)
        answered, during = [], []
        for url in urls:
            started = time.monotonic()
            response = client.post(url, data={"List-Unsubscribe": "One-Click"})
            answered.append((response.status_code, time.monotonic() - started))
            during.append(job_state(job.id).status == "running")
        wait_for(lambda: job_state(job.id).status == "done", timeout=600)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert [code for code, _ in answered] == [200] * len(urls)
    assert any(during)  # the unsubscribes really happened while the import ran
    print("one-click answers (s):", sorted(round(s, 3) for _, s in answered))
    db.session.expire_all()
    assert all(p.status == "unsubscribed" for p in db.session.scalars(select(Subscriber).where(
        Subscriber.email.like("leaving%"))))  # fmt: skip
    report = import_jobs.report_of(job_state(job.id))
    assert report.created == 300_000 and subscribers() == 300_030
    assert not import_jobs.staged_path(upload_id).exists()  # removed once used


def test_a_job_resumes_after_its_last_committed_batch(app, tmp_path, monkeypatch):
    from cac_news.audience import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 100)
    upload_id = stage_file(app, 1_000, tmp_path)
    job = import_jobs.create_job(upload_id, "big.csv", SAVED, dry_run=False, actor=None)
    first = ImportJobRunner("worker-a", slice_seconds=0)
    first.tick()  # one batch, committed with the job's progress; then the worker "dies"
    first.run.close()
    state = job_state(job.id)
    assert subscribers() == 100 and import_jobs.report_of(state).lines_done == 101
    state.lease_until = state.lease_until.replace(year=2000)  # the lease ran out
    db.session.commit()
    second = ImportJobRunner("worker-b")
    while second.tick():
        pass
    report = import_jobs.report_of(job_state(job.id))
    assert (report.created, report.rows, report.merged) == (1_000, 1_000, 0)
    assert subscribers() == 1_000 and job_state(job.id).status == "done"


def test_a_dry_run_job_writes_nothing_then_the_same_file_is_imported(admin_client, app, tmp_path):
    upload_id = stage_file(app, 50, tmp_path)
    check = admin_client.post(
        f"/admin/subscribers/import/{upload_id}",
        data={"action": "check", "column_0": "email", "column_1": "first_name"},
    )
    runner = ImportJobRunner("worker")
    while runner.tick():
        pass
    page = admin_client.get(check.location).get_data(as_text=True)
    assert "Rien n'a été enregistré" in page
    assert subscribers() == 0 and import_jobs.staged_path(upload_id).exists()
    job_id = int(check.location.rsplit("/", 1)[1])
    real = admin_client.post(f"/admin/subscribers/imports/{job_id}/commit")
    assert real.status_code == 303
    while runner.tick():
        pass
    assert subscribers() == 50
    names = select(Subscriber.first_name, Subscriber.last_name)
    assert db.session.execute(names.where(Subscriber.email == "p1@exemple.org")).one() == (
        "Prénom1",
        "",  # the check's mapping left the last name out
    )
    assert not import_jobs.staged_path(upload_id).exists()


def test_abandoned_staged_files_are_removed(app, tmp_path):
    upload_id = stage_file(app, 3, tmp_path)
    old = time.time() - 2 * 86400
    path = import_jobs.staged_path(upload_id)
    for staged in (path, path.with_suffix(".json")):
        os.utime(staged, (old, old))
    assert import_jobs.forget_abandoned() == 2 and not path.exists()


def test_a_dry_run_of_a_million_bad_lines_keeps_a_bounded_report(app, tmp_path):
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("email,first_name\n")
        for i in range(200_000):
            out.write(f"not-an-address-{i},X\n")
    tracemalloc.start()
    report = import_csv(path, ImportOptions(dry_run=True))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.invalid == 200_000 and len(report.errors) == MAX_REPORTED_ERRORS
    assert report.unlisted_errors == 200_000 - MAX_REPORTED_ERRORS
    assert peak < 20_000_000, peak  # the kept reasons, not one per line
