"""The admin's HTTP client for `vapi` commands that change a running server (tokens,
workspaces): the server URL, CA and admin token come from the data directory. Standard
library only, so these commands start fast."""

from __future__ import annotations

import json
import os
import re
import ssl
import urllib.error
import urllib.request
from typing import Any

import yaml

TENANCY = "/apis/tenancy.vapi.dev/v1alpha1"
DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")


class AdminError(Exception):
    """The server could not be reached, or refused: the message says which and why, and
    `code` is the HTTP status of a refusal (0 when there was no answer)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


def parse_duration(text: str) -> float:
    """Seconds in a Go-style duration ("24h", "1h30m", "90s"; "0" is zero)."""
    text = text.strip()
    if text == "0":
        return 0.0
    pos, total = 0, 0.0
    for m in DURATION.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {text!r} (want e.g. 24h, 30m, 1h30m, or 0 for none)")
    return total


class Admin:
    def __init__(self, data_dir: str) -> None:
        try:
            with open(os.path.join(data_dir, "admin.kubeconfig")) as f:
                server = yaml.safe_load(f)["clusters"][0]["cluster"]["server"]
            with open(os.path.join(data_dir, "admin.token")) as f:
                self.token = f.read().strip()
        except (OSError, KeyError, TypeError, IndexError, yaml.YAMLError) as e:
            raise AdminError(f"cannot read the admin credentials in {data_dir}: {e} "
                             f"(start `vapi serve --data-dir {data_dir}` once first)") from e
        self.base = server.split("/clusters/")[0]
        self.ssl = ssl.create_default_context(cafile=os.path.join(data_dir, "ca.crt"))

    def request(self, method: str, workspace: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The decoded answer of a request below /clusters/<workspace>; AdminError with the
        server's Status message if it is not a success."""
        req = urllib.request.Request(
            f"{self.base}/clusters/{workspace}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=30) as r:
                answer: dict[str, Any] = json.loads(r.read() or b"{}")
                return answer
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("message", "")
            except ValueError:
                message = ""
            raise AdminError(f"{e.code} {message or e.reason}", e.code) from e
        except (urllib.error.URLError, OSError) as e:
            raise AdminError(f"cannot reach vapi at {self.base}: {e} (is `vapi serve` running?)") from e
