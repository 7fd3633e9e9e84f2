from flask import Blueprint, Flask, current_app

from portal.services.docs import DocLibrary, library_for, set_default_content_dir

bp = Blueprint("docs", __name__)


def docs_library() -> DocLibrary:
    """The documentation library of this app's DOCS_CONTENT_DIR."""
    return library_for(current_app.config["DOCS_CONTENT_DIR"])


def init_app(app: Flask) -> None:
    """Make the configured content folder the default for code that has no app at hand."""
    set_default_content_dir(app.config["DOCS_CONTENT_DIR"])


from portal.web.docs import badge, suggestions, views  # noqa: E402,F401
