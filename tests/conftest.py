import os

import pytest

import social_crm_path

# Tests never download models or data sets.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

loopback = social_crm_path.loopback()


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 answering recorded vendor payloads."""
    with loopback.LoopbackServer() as running:
        yield running
