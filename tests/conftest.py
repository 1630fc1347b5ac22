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


def png_bytes(width=4, height=3, rgb=(200, 30, 60)):
    """A real (tiny) PNG image, built by hand: no imaging library needed."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def png():
    """``png(width, height, rgb)``: the bytes of a real PNG image."""
    return png_bytes
