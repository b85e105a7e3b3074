"""Admin views of the library: resources (list, write, edit with file, publish, delete) and
their kinds."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.mapping import form_data
from cac_news.forms.resources import ResourceForm, ResourceKindForm
from cac_news.models import Resource
from cac_news.resources import kinds as kind_ops
from cac_news.resources import library
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.kinds import KindPages
from cac_news.web.resources import file_response

# The kinds pages (templates/admin/kinds/) are shared: each list names its endpoints.
KIND_PAGES = {
    "list": "admin.resource_kinds",
    "edit": "admin.resource_kind_edit",
    "delete": "admin.resource_kind_delete",
    "back": "admin.resources",
}
KIND_VIEWS = KindPages(
    kind_ops.KINDS,
    ResourceKindForm,
    heading=_l("Kinds of resources"),
    back_label=_l("Back to the resources"),
    endpoints=KIND_PAGES,
)


@bp.get("/resources/")
def resources():
    """Every resource, newest first."""
    return render_template(
        "admin/resources/list.html",
        resources=library.list_resources(),
        action_form=ConfirmForm(),
    )


def _form_view(resource: Resource | None):
    form = ResourceForm(obj=resource)
    form.kind_id.choices = [(0, _("Choose…"))] + [(k.id, k.name) for k in kind_ops.list_kinds()]
    if request.method == "GET" and resource is not None:
        form.objective.data = resource.objective or ""
        form.tags.data = ", ".join(resource.tag_list)
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            saved = library.save_resource(
                form_data(form, library.ResourceData),
                resource,
                upload=library.Upload(upload.stream, upload.filename or "")
                if upload and upload.filename
                else None,
                remove_file=bool(form.remove_file.data),
            )
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            form.form_errors.extend(exc.errors.get("file", []))
        else:
            flash(_("Resource saved."), "success")
            return redirect(url_for("admin.resource_edit", resource_id=saved.id))
    return render_template(
        "admin/resources/form.html",
        form=form,
        resource=resource,
        max_mb=current_app.config.get("RESOURCE_MAX_BYTES", 0) / (1024 * 1024),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
def resource_new():
    """Write a new resource (a draft until published)."""
    return _form_view(None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
def resource_edit(resource_id: int):
    """Change a resource, replace or remove its file."""
    return _form_view(db.get_or_404(Resource, resource_id))


@bp.get("/resources/<int:resource_id>/file")
def resource_admin_file(resource_id: int):
    """The attached file, drafts included (pilots check it before publishing)."""
    return file_response(db.get_or_404(Resource, resource_id))


@bp.post("/resources/<int:resource_id>/publish")
def resource_publish(resource_id: int):
    """Publish a resource, or take it back to draft (`unpublish=1`)."""
    resource = db.get_or_404(Resource, resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish = request.form.get("unpublish") != "1"
    library.set_published(resource, publish)
    flash(_("Resource published.") if publish else _("Resource back to draft."), "success")
    return redirect(url_for("admin.resources"))


@bp.route("/resources/<int:resource_id>/delete", methods=["GET", "POST"])
def resource_delete(resource_id: int):
    """Ask for confirmation (GET), then delete the resource and its file (POST)."""
    resource = db.get_or_404(Resource, resource_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        library.delete_resource(resource)
        flash(_("Resource deleted."), "success")
        return redirect(url_for("admin.resources"))
    return render_template("admin/resources/delete.html", resource=resource, form=form)


@bp.route("/resources/kinds/", methods=["GET", "POST"])
def resource_kinds():
    """List the kinds of resources and add one."""
    return KIND_VIEWS.list_and_add()


@bp.route("/resources/kinds/<int:kind_id>/edit", methods=["GET", "POST"])
def resource_kind_edit(kind_id: int):
    """Rename a kind."""
    return KIND_VIEWS.edit(kind_id)


@bp.post("/resources/kinds/<int:kind_id>/delete")
def resource_kind_delete(kind_id: int):
    """Delete a kind no resource uses."""
    return KIND_VIEWS.delete(kind_id)
