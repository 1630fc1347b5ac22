"""The benches that need no Odoo run once at a tiny size: a figure in the README comes from code that still runs.

No timing is asserted (the machine may be busy); a bench that breaks fails here. The Odoo benches
(bench/ingest.py, bench/ui.py, ...) run the same way in scripts/bench_smoke.sh, called by scripts/test.sh.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SOCIAL_CRM_DATA") or os.path.join(ROOT, "..", "shared", "data")


def run_bench(*args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"{args[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def test_connectors_bench_runs():
    out = run_bench("bench/connectors.py", "--smoke")
    for network in ("bluesky", "mastodon", "x", "reddit", "youtube", "feed"):
        assert f"\n{network} " in out, f"no figure for {network}"


@pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "sentiment")), reason=f"no training data in {DATA}")
def test_nlp_bench_runs():
    out = run_bench("bench/nlp.py", "--smoke", "--data", DATA)
    assert "analyze(), fast tier" in out
    assert "model files in total" in out
