"""Benchmark the DataCite client against the offline sandbox (issue 3).

Seeds a sandbox with 100,000 DOIs: one large repository (60% of them) and 2,000 smaller ones sharing the
rest. Then, through ``portal.datacite.client.DataCiteClient`` exactly as the portal's jobs use it:

1. lists every DOI of the large repository by cursor (``iter_dois``, 1,000 per page), and
2. runs one facet-only query per repository for all 2,000 repositories (``facets``: ``page[size]=0``).

For each it prints the requests the sandbox received, requests per repository, wall time and the
process's peak memory, and how long DataCite's per-IP limits (3,000 per 5 minutes in production, 750 in
the test environment) would make the same work take at the least.

    .venv/bin/python bench/datacite_client.py
    DATACITE_BENCH_DOIS=20000 DATACITE_BENCH_REPOSITORIES=200 .venv/bin/python bench/datacite_client.py
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.datacite.client import DataCiteClient  # noqa: E402
from portal.datacite.credentials import Credentials  # noqa: E402
from portal.datacite.sandbox import SandboxRepository, create_sandbox  # noqa: E402
from portal.datacite.sandbox.seed import seed_dois  # noqa: E402
from portal.vault import Secret  # noqa: E402

PASSWORD = "bench-password"  # noqa: S105  (a throw-away sandbox account)
AGENT = "RSP-Portal/bench (http://127.0.0.1:5000; mailto:bench@example.org)"
LIMITS = {"production": 3000, "test": 750}  # requests per 5 minutes per IP


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def at_limits(requests: int) -> str:
    """The least time DataCite's per-IP rate limits allow for this many requests."""
    parts = [f"{name} >= {requests / limit * 5:.1f} min" for name, limit in LIMITS.items()]
    return "at DataCite's limits: " + ", ".join(parts)


def report(label: str, requests: int, repositories: int, elapsed: float, grown: float) -> None:
    print(f"{label}")
    print(f"  requests made       {requests:,}")
    print(f"  per repository      {requests / repositories:.3f}")
    print(f"  wall time           {elapsed:.2f} s ({elapsed / max(requests, 1) * 1000:.1f} ms per request)")
    print(f"  peak memory         {peak_rss_mib():.0f} MiB process RSS so far, +{grown:.0f} MiB during this run")
    print(f"  {at_limits(requests)}")


def main() -> None:
    total = int(os.environ.get("DATACITE_BENCH_DOIS", "100000"))
    small_count = int(os.environ.get("DATACITE_BENCH_REPOSITORIES", "2000"))
    big_share = int(total * 0.6)
    big = SandboxRepository(symbol="BENCH.BIG", password=PASSWORD, prefixes=["10.80000"])
    small = [SandboxRepository(symbol=f"BENCH.R{i:04d}", password=PASSWORD, prefixes=[f"10.{81000 + i}"])
             for i in range(small_count)]
    with tempfile.TemporaryDirectory() as folder:
        sandbox = create_sandbox(Path(folder) / "sandbox.db", [big])
        started = time.perf_counter()
        sandbox.seed_dois(big_share, seed=3)
        for repository in small:
            sandbox.add_repository(repository)
        seed_dois(sandbox.store, small, total - big_share, seed=4, now_ms=sandbox.now_ms())
        print(f"seeded {total:,} DOIs ({big_share:,} in BENCH.BIG, the rest over {small_count:,} repositories) "
              f"in {time.perf_counter() - started:.1f} s")

        client = DataCiteClient("sandbox", sandbox_url="http://sandbox", user_agent=AGENT,
                                transport=httpx.WSGITransport(app=sandbox))
        with client:
            credentials = Credentials("BENCH.BIG", Secret(PASSWORD))
            sandbox.reset_counters()
            before = peak_rss_mib()
            started = time.perf_counter()
            listed = sum(1 for _ in client.iter_dois(credentials, client_id="bench.big", size=1000))
            elapsed = time.perf_counter() - started
            grown = peak_rss_mib() - before
            print(f"\n1. all DOIs of BENCH.BIG by cursor: {listed:,} DOIs listed")
            report("   (1,000 per page)", sandbox.request_count, 1, elapsed, grown)
            if listed != big_share:
                raise SystemExit(f"listed {listed:,} DOIs but BENCH.BIG holds {big_share:,}")

            sandbox.reset_counters()
            before = peak_rss_mib()
            started = time.perf_counter()
            counted = 0
            for repository in small:
                facets = client.facets(Credentials(repository.symbol, Secret(PASSWORD)),
                                       client_id=repository.symbol.lower())
                counted += facets.total
            elapsed = time.perf_counter() - started
            grown = peak_rss_mib() - before
            print(f"\n2. one facet query per repository: {small_count:,} repositories, {counted:,} DOIs counted")
            report("   (page[size]=0, states, years, resource types, schema versions)", sandbox.request_count,
                   small_count, elapsed, grown)
            if counted != total - big_share:
                raise SystemExit(f"facets counted {counted:,} DOIs but the repositories hold {total - big_share:,}")
        sandbox.close()


if __name__ == "__main__":
    main()
