"""Benchmark the DataCite sandbox: seed N DOIs into a SQLite file, then time typical list requests.

    .venv/bin/python bench/sandbox_seed.py            # 1,000,000 DOIs (about a minute on an idle machine)
    SANDBOX_BENCH_DOIS=200000 .venv/bin/python bench/sandbox_seed.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.datacite.sandbox import SandboxRepository, create_sandbox  # noqa: E402

REQUESTS = (
    ("anonymous default list (findable, 18 facets)", None, {}),
    ("one repository, owner view", "ORGB.REPO", {"client-id": "orgb.repo"}),
    ("one repository, state counts only", "ORGB.REPO", {"client-id": "orgb.repo", "page[size]": "0", "facets": "states"}),
    ("free-text query with facets", None, {"query": "glacier"}),
    ("created year filter with facets", None, {"created": "2020"}),
    ("incremental sync window", "ORGB.REPO", {"client-id": "orgb.repo", "query": "updated:[2025-06-01 TO *]"}),
    ("DOI prefix wildcard, no facets", None, {"query": "doi:10.5001/*", "disable-facets": "true"}),
    ("page 400 of the 10k window", None, {"sort": "-created", "page[number]": "400"}),
    ("cursor page of 1000", None, {"page[cursor]": "1", "page[size]": "1000"}),
)


def main() -> None:
    count = int(os.environ.get("SANDBOX_BENCH_DOIS", "1000000"))
    repositories = [SandboxRepository(symbol=f"ORG{c}.REPO", password="bench", prefixes=[f"10.{5000 + i}"])
                    for i, c in enumerate("ABCDEFGH")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sandbox.db"
        sandbox = create_sandbox(path, repositories)
        started, cpu = time.perf_counter(), time.process_time()
        added = sandbox.seed_dois(count, seed=1)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time is what an idle machine would take; wall time grows with whatever else runs.
        print(f"seeded {added:,} DOIs in {elapsed:.1f} s wall, {cpu:.1f} s CPU; file {path.stat().st_size / 2**20:,.0f} MiB")
        for label, symbol, params in REQUESTS:
            auth = (symbol.lower(), "bench") if symbol else None
            with httpx.Client(transport=httpx.WSGITransport(app=sandbox), base_url="http://sandbox", auth=auth) as http:
                http.get("/dois", params=params)  # warm the page cache once
                started, cpu = time.perf_counter(), time.process_time()
                response = http.get("/dois", params=params)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            total = response.json()["meta"]["total"]
            print(f"{elapsed * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU  {label:<46} total={total:,}")
        sandbox.close()


if __name__ == "__main__":
    main()
