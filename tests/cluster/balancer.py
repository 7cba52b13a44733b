"""The balancer configurations shipped in packaging/balancer/, run for real: nginx or HAProxy in front.

The shipped file is read and only its marked lines are changed: the backends'
addresses, the TLS listener's address and certificate (a throwaway
self-signed one).  One listener is added beside it, plain HTTP on loopback,
for the in-process kiosk core whose HTTP client trusts only the system's
certificate store; the balancing rules it goes through are the shipped ones.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import requests

from tests.support.log_tail import log_tail
from tests.support.server_process import free_port

SHIPPED = Path(__file__).resolve().parents[2] / "packaging" / "balancer"
KINDS = ("nginx", "haproxy")


def missing(kind: str) -> str | None:
    binary = {"nginx": "nginx", "haproxy": "haproxy"}[kind]
    if shutil.which(binary) is None and not Path(f"/usr/sbin/{binary}").exists():
        return f"{binary} is not installed (Debian: apt install {'nginx-light' if kind == 'nginx' else kind})"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    return None


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


class Balancer:
    """nginx or HAProxy with the shipped configuration, on free loopback ports."""

    def __init__(
        self, kind: str, backends: Sequence[int], folder: Path, *, round_robin: bool = False
    ) -> None:
        self.kind = kind
        self.folder = folder
        self.tls_port, self.plain_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.plain_port}"
        self.tls_url = f"https://127.0.0.1:{self.tls_port}"
        self.cert, key = self_signed(folder)
        self.log_path = folder / f"{kind}.log"
        self._process: subprocess.Popen[bytes] | None = None
        if kind == "nginx":
            self._command = self._nginx(backends, key, round_robin)
        else:
            self._command = self._haproxy(backends, key, round_robin)

    def _nginx(self, backends: Sequence[int], key: Path, round_robin: bool) -> list[str]:
        text = (SHIPPED / "nginx-kiosk.conf").read_text()
        text = _backends(
            text,
            r"    server 10\.0\.0\.1\d:5000 (.*?);.*\n",
            lambda port: f"    server 127.0.0.1:{port} \\1;\n",
            backends,
        )
        text = text.replace(
            "    listen 443 ssl;\n",
            f"    listen 127.0.0.1:{self.tls_port} ssl;\n    listen 127.0.0.1:{self.plain_port};\n",
        )
        text = text.replace("/etc/ssl/kiosk/fullchain.pem", str(self.cert)).replace(
            "/etc/ssl/kiosk/privkey.pem", str(key)
        )
        if round_robin:
            text = text.replace("    hash $remote_addr consistent;\n", "")
        (self.folder / "kiosk.conf").write_text(text)
        temp = self.folder / "temp"
        temp.mkdir()
        (self.folder / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.folder}/nginx.pid;\nerror_log {self.log_path} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
            f"  include {self.folder}/kiosk.conf;\n}}\n"
        )
        return [
            "nginx",
            "-p",
            str(self.folder),
            "-e",
            str(self.log_path),
            "-c",
            str(self.folder / "nginx.conf"),
        ]

    def _haproxy(self, backends: Sequence[int], key: Path, round_robin: bool) -> list[str]:
        pem = self.folder / "kiosk.pem"
        pem.write_text(self.cert.read_text() + key.read_text())
        text = (SHIPPED / "haproxy-kiosk.cfg").read_text()
        text = _backends(
            text,
            r"    server kiosk(\d) 10\.0\.0\.1\d:5000 (.*?)\s*#.*\n",
            lambda port: f"    server k{port} 127.0.0.1:{port} \\2\n",
            backends,
        )
        text = text.replace(
            "    bind :443 ssl crt /etc/ssl/kiosk/kiosk.pem",
            f"    bind 127.0.0.1:{self.tls_port} ssl crt {pem}\n    bind 127.0.0.1:{self.plain_port}",
        )
        if round_robin:
            text = text.replace("    balance source\n", "    balance roundrobin\n")
        (self.folder / "haproxy.cfg").write_text(text)
        return ["haproxy", "-db", "-f", str(self.folder / "haproxy.cfg")]

    def start(self, timeout: float = 15) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(self._command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)  # polling interval of a deadline-bounded wait
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)


def _backends(text: str, pattern: str, line: object, ports: Sequence[int]) -> str:
    """The shipped backend lines, one per test server (the first line's options kept for all)."""
    found = list(re.finditer(pattern, text))
    if len(found) < 2:
        raise AssertionError(f"the shipped file no longer has its two marked backend lines ({pattern})")
    template = found[0]
    rendered = "".join(template.expand(line(port)) for port in ports)  # type: ignore[operator]
    return text[: found[0].start()] + rendered + text[found[-1].end() :]
