"""A real Cairn server for lila's own API tests: one fresh server (fresh data directory,
embedded SQLite) per test, started where lila's tests run their migrations, and lila's test
user created with Cairn's CLI. Nothing of lila's application runs here."""
import atexit
import os
import socket
import sqlite3
import subprocess
import tempfile
import time

import requests

JAR = os.environ.get("CAIRN_JAR", "target/cairn.jar")
_server = None
_data_dir = None
base_url = None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env():
    env = dict(os.environ)
    env["CAIRN_DATA_DIR"] = _data_dir
    env["CAIRN_DATABASE_URL"] = ""
    return env


def stop():
    global _server
    if _server is not None:
        _server.terminate()
        _server.wait(timeout=30)
        _server = None


def fresh():
    """Stops the previous server and starts one on an empty data directory."""
    global _server, _data_dir, base_url
    stop()
    _data_dir = tempfile.mkdtemp(prefix="cairn-lila-")
    port = _free_port()
    env = _env()
    env["CAIRN_HTTP_PORT"] = str(port)
    env["CAIRN_HTTP_REQUEST_LOG"] = "false"
    _server = subprocess.Popen(["java", "-jar", JAR, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = "http://127.0.0.1:%d" % port
    for _ in range(600):
        try:
            if requests.get(base_url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("cairn did not become ready at " + base_url)


def create_user(name, token):
    # lila has no roles and lets its users add link patterns, which Cairn lets only admins do.
    subprocess.run(["java", "-jar", JAR, "user", "create", name, "--role", "admin", "--token", token], env=_env(), check=True,
                   stdout=subprocess.DEVNULL)


def orphan_attestation(user_token, digest, name, output_hash, sig):
    """lila's test stores an attestation whose derivation row does not exist; Cairn's schema
    cannot hold one, so the nearest: post it, then make its derivation's ident unusable."""
    r = requests.post(base_url + "/attestation/orphan-" + digest, headers={"Authorization": "Bearer " + user_token},
                      json=[{"output_digest": digest, "output_name": name, "output_hash": output_hash, "output_sig": sig}])
    r.raise_for_status()
    with sqlite3.connect(os.path.join(_data_dir, "cairn.db")) as db:
        db.execute("UPDATE derivations SET ident = 'a/b' WHERE ident = ?", ("orphan-" + digest,))


atexit.register(stop)
