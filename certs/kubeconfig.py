"""kubeconfig files, as kubectl and client-go read them."""

from __future__ import annotations

import base64

import yaml


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kubeconfig(
    *,
    server: str,
    ca_pem: bytes,
    user: str,
    cert_pem: bytes | None = None,
    key_pem: bytes | None = None,
    token: str | None = None,
    name: str = "vapi",
) -> str:
    """A kubeconfig with one cluster, user and context (`name`), current."""
    creds: dict[str, str] = {}
    if cert_pem is not None and key_pem is not None:
        creds["client-certificate-data"] = _b64(cert_pem)
        creds["client-key-data"] = _b64(key_pem)
    if token is not None:
        creds["token"] = token
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": name, "cluster": {"server": server, "certificate-authority-data": _b64(ca_pem)}}
        ],
        "users": [{"name": user, "user": creds}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user}}],
        "current-context": name,
        "preferences": {},
    }
    text: str = yaml.safe_dump(doc, sort_keys=False)
    return text
