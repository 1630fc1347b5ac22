"""Print Odoo's requirements.txt resolved for this interpreter, installable from wheels.

Odoo 18 pins old releases for Python 3.11 that must be compiled (and fail to);
the pins it gives Python 3.12 ship wheels for 3.11 as well. So markers are
evaluated as if this were Python 3.12, markers are dropped, and packages that
need system headers are swapped for their binary builds or left out.
"""

import re
import sys

SWAP = {"psycopg2": "psycopg2-binary"}
SKIP = {"python-ldap"}  # only used by auth_ldap; needs libldap headers


def marker_holds(marker):
    env = {
        "python_version": "3.12",
        "sys_platform": sys.platform,
        "platform_system": "Linux",
    }
    try:
        from packaging.markers import Marker
    except ImportError:  # pip always vendors packaging
        from pip._vendor.packaging.markers import Marker
    return Marker(marker).evaluate(env)


def main(path):
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, _, marker = line.partition(";")
        spec = spec.strip()
        if marker.strip() and not marker_holds(marker.strip()):
            continue
        name = re.split(r"[=<>!~\[ ]", spec, maxsplit=1)[0]
        if name.lower() in SKIP:
            continue
        if name.lower() in SWAP:
            spec = SWAP[name.lower()] + spec[len(name) :]
        print(spec)


if __name__ == "__main__":
    main(sys.argv[1])
