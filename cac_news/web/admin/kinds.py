"""The admin pages of an editable list of kinds (of events, of resources): list and add,
rename, delete; one set of views and templates (templates/admin/kinds/) for every list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from cac_news.content.kinds import EditableKinds
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.web.admin.helpers import apply_errors


@dataclass(frozen=True)
class KindPages:
    """One list's kinds, its name form, its labels and the endpoints of its pages."""

    kinds: EditableKinds
    form_class: type
    heading: object  # lazy strings, translated when the page is drawn
    back_label: object
    endpoints: dict[str, str]  # list, edit, delete, back

    def list_and_add(self):
        """The list of kinds, with the form that adds one."""
        form = self.form_class()
        if form.validate_on_submit():
            try:
                kind = self.kinds.save(form.name.data or "")
            except ValidationError as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                flash(_("Kind “%(name)s” added.", name=kind.name), "success")
                return redirect(url_for(self.endpoints["list"]))
        return render_template(
            "admin/kinds/list.html",
            kinds=self.kinds.list(),
            form=form,
            delete_form=ConfirmForm(),
            heading=str(self.heading),
            back_label=str(self.back_label),
            endpoints=self.endpoints,
        )

    def edit(self, kind_id: int):
        """Rename a kind (its slug, in public URLs, stays)."""
        kind = db.get_or_404(self.kinds.model, kind_id)
        form = self.form_class(obj=kind)
        if form.validate_on_submit():
            try:
                self.kinds.save(form.name.data or "", kind=kind)
            except ValidationError as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for(self.endpoints["list"]))
        return render_template(
            "admin/kinds/form.html", form=form, kind=kind, endpoints=self.endpoints
        )

    def delete(self, kind_id: int):
        """Delete a kind nothing uses."""
        kind = db.get_or_404(self.kinds.model, kind_id)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            self.kinds.delete(kind)
        except ValidationError as exc:
            db.session.rollback()
            flash(" ".join(exc.errors["name"]), "error")
        else:
            flash(_("Kind deleted."), "success")
        return redirect(url_for(self.endpoints["list"]))
