"""Helpers for the library tests: sample files made in code, a resource factory."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from cac_news.resources.kinds import kind_by_slug
from cac_news.resources.library import ResourceData, Upload, save_resource, set_published
from cac_news.resources.pdf import one_page_pdf

# The first bytes of a Linux executable and of a Windows one.
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200


def odt_bytes() -> bytes:
    """A minimal ODT: a zip whose first member, stored, is its mimetype."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """A minimal DOCX: [Content_Types].xml naming the main document part."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def make_resource(
    title: str = "Note sur la Fédération des centres sociaux",
    published: bool = True,
    kind: str = "note-d-analyse",
    file: tuple[bytes, str] | None = None,
    **fields,
):
    """A resource saved through the domain function, published unless told otherwise."""
    data = ResourceData(
        title=title,
        kind_id=kind_by_slug(kind).id,
        date=fields.pop("date", date(2026, 11, 3)),
        authors=fields.pop("authors", "Groupe de travail"),
        summary=fields.pop("summary", "Une synthèse pour le réseau."),
        body_md=fields.pop("body_md", "La **Fédération** a publié ses comptes."),
        tags=fields.pop("tags", "CIS, financement"),
        objective=fields.pop("objective", "expertise"),
    )
    upload = Upload(io.BytesIO(file[0]), file[1]) if file else None
    resource = save_resource(data, upload=upload)
    if published:
        set_published(resource, True)
    return resource


def sample_pdf() -> bytes:
    """A real one-page PDF."""
    return one_page_pdf("Note du groupe de travail")
