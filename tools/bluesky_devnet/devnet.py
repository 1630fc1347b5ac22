"""A real Bluesky network on loopback for tests (stdlib + requests; no Odoo, no pytest).

    from devnet import BlueskyDevnet
    ok, why = BlueskyDevnet.available()
    with BlueskyDevnet() as net:                 # PLC + PDS + AppView from @atproto/dev-env
        brand = net.create_account("acme.test", "brand-pass")
        jane = net.create_account("jane.test", "jane-pass")
        net.post(jane, "@acme.test help", mentions=[("acme.test", brand["did"])])
        ...                                      # net.pds_url is the base URL for the client

Needs ``tools/bluesky_devnet/install.sh`` to have run (Node 22 and dev-env in
``$SOCIAL_CRM_HOME/bluesky_devnet``) and a PostgreSQL reachable on the local
unix socket (the AppView keeps its data there, in a schema per run).
"""

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone

import requests

HOME = os.environ.get("SOCIAL_CRM_HOME") or os.path.join(
    os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "social_crm")
INSTALL_DIR = os.path.join(HOME, "bluesky_devnet")
PG_SOCKET = os.environ.get("PG_SOCKET_DIR", "/var/run/postgresql")
PG_DB = "social_crm_bluesky_devnet"
HANDLE_RE = re.compile(r"@([a-z0-9.-]+\.test)")


def _lift_memory_limit():
    """Node reserves large virtual memory for WebAssembly: drop an address-space limit
    inherited from the parent (Odoo sets one on its workers)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


class BlueskyDevnet:
    def __init__(self, install_dir=INSTALL_DIR, rate_limits=False):
        self.install_dir = install_dir
        self.rate_limits = rate_limits
        self.process = None
        self.tmpdir = None
        self.pds_url = None
        self.bsky_url = None
        self.log = []

    # --- lifecycle -------------------------------------------------------

    @classmethod
    def available(cls, install_dir=INSTALL_DIR):
        node = os.path.join(install_dir, "node", "bin", "node")
        if not os.path.exists(node):
            return False, f"Node 22 is not installed in {install_dir} (run tools/bluesky_devnet/install.sh)"
        if not os.path.exists(os.path.join(install_dir, "node_modules", ".social_crm_ok")):
            return False, f"@atproto/dev-env is not installed in {install_dir} (run tools/bluesky_devnet/install.sh)"
        if not shutil.which("createdb") and not os.path.exists(PG_SOCKET):
            return False, "no PostgreSQL on the local unix socket"
        return True, ""

    def _ensure_database(self):
        result = subprocess.run(["createdb", "-h", PG_SOCKET, PG_DB], capture_output=True, text=True, check=False)
        if result.returncode and "already exists" not in result.stderr:
            raise RuntimeError(f"cannot create the AppView database: {result.stderr.strip()}")

    def start(self, timeout=180):
        ok, reason = self.available(self.install_dir)
        if not ok:
            raise RuntimeError(reason)
        self._ensure_database()
        self.tmpdir = tempfile.mkdtemp(prefix="bsky-devnet-")
        schema = "devnet_" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:10])  # letters only
        user = os.environ.get("USER") or "root"
        env = {
            **os.environ,
            "PATH": os.path.join(self.install_dir, "node", "bin") + os.pathsep + os.environ.get("PATH", ""),
            "DB_POSTGRES_URL": f"postgresql://{user}@localhost/{PG_DB}?host={PG_SOCKET}",
            "DB_POSTGRES_SCHEMA": schema,
            "REDIS_HOST": "127.0.0.1:6379",
            "TMPDIR": self.tmpdir,
            "DEVNET_RATE_LIMITS": "1" if self.rate_limits else "0",
            "NODE_ENV": "development",
        }
        self.process = subprocess.Popen(
            [os.path.join(self.install_dir, "node", "bin", "node"), "--import", "./loopback.mjs", "start.mjs"],
            cwd=self.install_dir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True, preexec_fn=_lift_memory_limit,
        )
        deadline = time.time() + timeout
        ready = threading.Event()

        def read():
            for line in self.process.stdout:
                self.log.append(line.rstrip())
                if line.startswith("{") and "pds_url" in line and not ready.is_set():
                    urls = json.loads(line)
                    self.pds_url, self.bsky_url = urls["pds_url"], urls["bsky_url"]
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        while not ready.wait(0.5):
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("the Bluesky dev network did not start:\n" + "\n".join(self.log[-30:]))
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- acting as users -------------------------------------------------

    def xrpc(self, method, nsid, session=None, **kwargs):
        headers = {"Authorization": f"Bearer {session['accessJwt']}"} if session else {}
        response = requests.request(method, f"{self.pds_url}/xrpc/{nsid}", headers=headers, timeout=30, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{nsid} failed: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}

    def create_account(self, handle, password):
        return self.xrpc("POST", "com.atproto.server.createAccount",
                         json={"handle": handle, "password": password, "email": f"{handle}@example.com"})

    def post(self, session, text, mentions=(), reply_to=None):
        """Post as ``session``; ``mentions`` are (handle, did) pairs turned into facets with UTF-8 byte offsets."""
        facets = []
        for handle, did in mentions:
            start = text.index("@" + handle)
            byte_start = len(text[:start].encode("utf-8"))
            byte_end = byte_start + len(("@" + handle).encode("utf-8"))
            facets.append({"index": {"byteStart": byte_start, "byteEnd": byte_end},
                           "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]})
        record = {"$type": "app.bsky.feed.post", "text": text,
                  "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        if facets:
            record["facets"] = facets
        if reply_to:
            record["reply"] = reply_to
        return self.xrpc("POST", "com.atproto.repo.createRecord", session,
                         json={"repo": session["did"], "collection": "app.bsky.feed.post", "record": record})

    def thread(self, session, uri):
        return self.xrpc("GET", "app.bsky.feed.getPostThread", session, params={"uri": uri, "depth": 6})

    @staticmethod
    def wait_for(predicate, timeout=15, interval=0.3):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError("condition not met in time")
