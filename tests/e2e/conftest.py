import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools" / "bluesky_devnet"
_spec = importlib.util.spec_from_file_location("bluesky_devnet", TOOLS / "devnet.py")
devnet = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devnet)


@pytest.fixture(scope="session")
def bluesky_network():
    ok, reason = devnet.BlueskyDevnet.available()
    if not ok and os.environ.get("SOCIAL_CRM_INSTALL_DEVNET") == "1":
        result = subprocess.run(["bash", str(TOOLS / "install.sh")], capture_output=True, text=True, check=False)
        ok, reason = devnet.BlueskyDevnet.available()
        if not ok:
            reason = f"{reason}; install.sh said: {result.stderr.strip()[-300:]}"
    if not ok:
        sys.stderr.write(f"\n\033[1;33mBluesky devnet SKIPPED: {reason}\033[0m\n")
        pytest.skip(f"Bluesky devnet SKIPPED: {reason}")
    with devnet.BlueskyDevnet() as network:
        yield network
