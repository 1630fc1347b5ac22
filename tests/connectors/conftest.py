import pytest


@pytest.fixture
def other_server(server):
    """A second loopback server on another port: "another host" for redirects and next-page links."""
    with type(server)() as running:
        yield running


def _parse_multipart(request):
    """``{field: {"filename", "content_type", "data"}}`` of a recorded multipart/form-data request."""
    from email.parser import BytesParser
    from email.policy import HTTP

    content_type = request["headers"]["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary="), content_type
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"])
    return {
        part.get_param("name", header="content-disposition"): {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "data": part.get_payload(decode=True),
        }
        for part in message.iter_parts()
    }


@pytest.fixture(scope="session")
def multipart():
    """``multipart(request)``: the fields of a recorded multipart/form-data request."""
    return _parse_multipart
