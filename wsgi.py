"""The one entry point for gunicorn and `flask --app wsgi ...`."""

import sys

from portal import create_app
from portal.settings import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.stderr.write(f"\n{exc}\n\n")
    sys.exit(78)  # EX_CONFIG: a service manager should not restart in a loop
