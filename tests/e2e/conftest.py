"""Fixtures for the end-to-end tests on a real Bluesky network on loopback (no Odoo).

The network comes from tools/bluesky_devnet (Node 22 + @atproto/dev-env). When it is
not installed, SOCIAL_CRM_INSTALL_DEVNET=1 runs install.sh first; otherwise, or when
the install fails (no node/npm, no registry), the tests are skipped with a loud
"Bluesky devnet SKIPPED: <reason>" line on stderr.
"""

import os
import pathlib
import subprocess
import sys
import time

import pytest

import social_crm_path

TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools" / "bluesky_devnet"
devnet = social_crm_path.load_file("social_crm_e2e_bluesky_devnet", "tools/bluesky_devnet/devnet.py")

_install_failure = []  # install once per session, remember why it failed


def _loud(message):
    sys.stderr.write(f"\n\033[1;33m{message}\033[0m\n")
    sys.stderr.flush()


def _skip(reason):
    _loud(f"Bluesky devnet SKIPPED: {reason}")
    pytest.skip(f"Bluesky devnet SKIPPED: {reason}")


def ensure_devnet():
    """None when the dev network can start, else the reason it cannot."""
    ok, reason = devnet.available()
    if ok:
        return None
    if os.environ.get("SOCIAL_CRM_INSTALL_DEVNET") != "1":
        return f"{reason}; set SOCIAL_CRM_INSTALL_DEVNET=1 to install it automatically"
    if _install_failure:
        return _install_failure[0]
    _loud(f"Bluesky devnet: installing with {TOOLS / 'install.sh'} (first time: about 1.5 minutes)")
    began = time.monotonic()
    try:
        result = subprocess.run(
            ["bash", str(TOOLS / "install.sh")], capture_output=True, text=True, timeout=1800, check=False
        )
        detail = (result.stderr or result.stdout).strip()[-600:]
    except (OSError, subprocess.TimeoutExpired) as exc:
        result, detail = None, str(exc)
    ok, reason = devnet.available()
    if ok:
        sys.stderr.write(f"Bluesky devnet installed in {time.monotonic() - began:.0f}s\n")
        return None
    _install_failure.append(f"install.sh failed (exit {getattr(result, 'returncode', '?')}): {detail or reason}")
    return _install_failure[0]


def start_network(**kwargs):
    reason = ensure_devnet()
    if reason:
        _skip(reason)
    network = devnet.BlueskyDevnet(**kwargs)
    try:
        network.start(timeout=180)
    except RuntimeError as exc:
        pytest.fail(f"the Bluesky dev network is installed but did not start: {exc}", pytrace=False)
    sys.stderr.write(
        f"\nBluesky devnet up in {network.startup_seconds}s: {network.pds_url}"
        f"{' (rate limits on)' if network.rate_limits else ''}\n"
    )
    return network


@pytest.fixture(scope="session")
def devnet_module():
    return devnet


@pytest.fixture(scope="session")
def start_devnet():
    """``start_devnet(**BlueskyDevnet kwargs)``: one more network; the caller stops it."""
    return start_network


@pytest.fixture(scope="session")
def bluesky_network():
    network = start_network(rate_limits=False)
    try:
        yield network
    finally:
        network.stop()
