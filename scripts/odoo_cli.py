"""How the test and bench scripts start ``odoo-bin``: one command line builder and free loopback ports."""

import os
import socket


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command(python, odoo_dir, conf, db, *args, subcommand=None):
    """``python odoo-bin [subcommand] -c conf -d db args...``.

    ``-d`` alone, no ``--db-filter``: with a filter Odoo lists the databases (a new connection to the
    postgres database) for every request.
    """
    program = [python, os.path.join(odoo_dir, "odoo-bin")]
    return [*program, *([subcommand] if subcommand else []), "-c", conf, "-d", db, *args]


def http_ports(port=None):
    """The HTTP port to serve on (a free one by default), and a free one for the gevent (longpolling) server."""
    return ["--http-port", str(port or free_port()), "--gevent-port", str(free_port())]
