"""An offline stand-in for the DataCite REST API: its own WSGI app and SQLite store, fault injection, seeding.

    sandbox = create_sandbox(repositories=[parse_repository_spec("DATACITE.TEST:secret:10.5072")])
    client = httpx.Client(transport=httpx.WSGITransport(app=sandbox), base_url="http://sandbox")
"""

from portal.datacite.sandbox.app import Sandbox, create_sandbox
from portal.datacite.sandbox.faults import Faults, SimulatedTimeout
from portal.datacite.sandbox.repositories import SandboxRepository, parse_repository_spec

__all__ = ["Faults", "Sandbox", "SandboxRepository", "SimulatedTimeout", "create_sandbox", "parse_repository_spec"]
