"""Take README screenshots of a running Odoo in headless Chromium (DevTools protocol).

Usage: python scripts/screenshot.py URL_PATH OUT.png [--base http://127.0.0.1:8069] [--db social_crm]
Logs in as admin/admin through JSON-RPC, hands the session cookie to Chromium,
opens the page, waits for it to settle, and saves a PNG.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

import requests
import websocket


def login(base, db, user, password):
    session = requests.Session()
    response = session.post(
        f"{base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    return session.cookies.get("session_id")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("out")
    parser.add_argument("--base", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="social_crm")
    parser.add_argument("--wait", type=float, default=6)
    parser.add_argument("--click", help="CSS selector to click before the shot")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    opts = parser.parse_args()
    sid = login(opts.base, opts.db, "admin", "admin")
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp()
    port = 9333
    proc = subprocess.Popen(
        [
            chrome,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            f"--window-size={opts.width},{opts.height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.2)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        counter = iter(range(1, 10_000))

        def call(method, **params):
            msg_id = next(counter)
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == msg_id:
                    return message.get("result", {})

        host = opts.base.split("//", 1)[1].split(":")[0]
        call("Network.enable")
        call("Network.setCookie", name="session_id", value=sid, domain=host, path="/")
        call(
            "Emulation.setDeviceMetricsOverride",
            width=opts.width,
            height=opts.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        call("Page.enable")
        call("Page.navigate", url=opts.base + opts.path)
        time.sleep(opts.wait)
        if opts.click:
            call("Runtime.evaluate", expression=f"document.querySelector({json.dumps(opts.click)}).click()")
            time.sleep(2)
        shot = call("Page.captureScreenshot", format="png")
        with open(opts.out, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        print(f"saved {opts.out}")
    finally:
        proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    main()
