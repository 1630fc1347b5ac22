import importlib.util
import os
import pathlib

import pytest

# Tests never download models or data sets.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_LOOPBACK = pathlib.Path(__file__).resolve().parent.parent / "social_crm" / "tests" / "loopback.py"
_spec = importlib.util.spec_from_file_location("social_crm_loopback", _LOOPBACK)
loopback = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loopback)


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 answering recorded vendor payloads."""
    with loopback.LoopbackServer() as running:
        yield running
