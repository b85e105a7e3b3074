"""The REST API under /api/v1/: JSON in and out, bearer tokens only, problem+json errors.

It is exempt from CSRF because it accepts no cookie: a browser's session is no credential
here (see auth.authenticate), so a forged cross-site request carries nothing that counts.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from cac_news.errors import ValidationError
from cac_news.extensions import csrf
from cac_news.web.api.auth import authenticate
from cac_news.web.api.problems import ApiProblem, from_api_problem, from_exception
from cac_news.web.api.responses import from_validation_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")
API_PATH_PREFIX = "/api/"
# The codes the API can answer with; each gets a problem+json handler on the blueprint,
# which Flask prefers over the site's HTML error pages for the same code.
PROBLEM_CODES = (400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500)

bp.before_request(authenticate)
bp.register_error_handler(ApiProblem, from_api_problem)
bp.register_error_handler(ValidationError, from_validation_error)
for _code in PROBLEM_CODES:
    bp.register_error_handler(_code, from_exception)


@bp.after_request
def no_store(response):
    """Answers hold personal data and depend on the token: no cache keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


from cac_news.web.api import (  # noqa: E402, F401  (routes on the blueprint)
    content,
    docs,
    newsletters,
    segments,
    subscribers,
)


def register(app: Flask) -> None:
    """Mount the API, without CSRF (it takes no cookie)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
