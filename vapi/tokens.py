"""Bearer tokens: tokens vapi issues, and a static token file.

An issued token is `<name>.<secret>`. Its `AccessToken` object (tenancy.vapi.dev/v1alpha1,
cluster-scoped, in the root workspace) holds only the SHA-256 of the secret, the user and
groups it stands for, and an optional expiry; deleting the object revokes the token at once.
`vapi kubeconfig --token` makes the secret on the client side, so the server never stores
it. The static file has kube-apiserver's `--token-auth-file` format: CSV lines
`token,user,uid,"group1,group2"`.
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import logging
import hashlib
import hmac
import secrets
import string
from typing import Any

from storage import errors as storage_errors
from vapi import access, clock, errors, objects
from vapi.resources import Resource, builtin

log = logging.getLogger("vapi.tokens")

ROOT = "root"
SWEEP_SECONDS = 600.0
# What a token must be for to work at vapi's API: vapi's name, and the audiences clients use
# for a Kubernetes API server
API_AUDIENCES = ("vapi", "https://kubernetes.default.svc.cluster.local", "https://kubernetes.default.svc", "kubernetes")
HASH_PREFIX = "sha256:"
NAME_ALPHABET = string.ascii_lowercase + string.digits


def token_resource() -> Resource:
    res = builtin().lookup(access.TENANCY, "v1alpha1", "accesstokens")
    assert res is not None
    return res


def digest(secret: str) -> str:
    return HASH_PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def new(user: str, groups: list[str], expires: datetime.datetime | None,
        bound: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """A fresh token and the AccessToken object that makes it valid; `bound` (workspace,
    serviceAccount) ties it to one workspace's service account."""
    name = "t-" + "".join(secrets.choice(NAME_ALPHABET) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    spec: dict[str, Any] = {"user": user, "groups": groups, "tokenHash": digest(secret), **(bound or {})}
    if expires is not None:
        spec["expirationTimestamp"] = expires.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj = {"apiVersion": f"{access.TENANCY}/v1alpha1", "kind": "AccessToken", "metadata": {"name": name}, "spec": spec}
    return f"{name}.{secret}", obj


def load_static(path: str) -> dict[str, access.User]:
    """A kube-apiserver token file, keyed by each token's digest."""
    users: dict[str, access.User] = {}
    with open(path, newline="") as f:
        for number, record in enumerate(csv.reader(f), 1):
            if not record or not record[0].strip() or record[0].lstrip().startswith("#"):
                continue
            if len(record) < 2 or not record[1].strip():
                raise ValueError(f"{path}:{number}: want token,user[,uid[,\"group1,group2\"]]")
            groups = tuple(g.strip() for g in record[3].split(",") if g.strip()) if len(record) > 3 else ()
            uid = record[2].strip() if len(record) > 2 else ""
            users[digest(record[0].strip())] = access.User(record[1].strip(), groups, uid)
    return users


class Tokens:
    """Finds the user a bearer token stands for: the static file first, then issued tokens
    (one storage read; nothing cached, so revocation and expiry take effect on the next
    request in every replica)."""

    def __init__(self, store: objects.Objects, static: dict[str, access.User], admin_token: str) -> None:
        self.store = store
        self.static = static
        self.admin_token = admin_token
        self._sweeper: asyncio.Task[None] | None = None

    async def user(self, token: str, workspace: str = "") -> access.User | None:
        """The user a token stands for at vapi's API in `workspace`: a token minted for other
        audiences does not work here."""
        found = await self.lookup(token, workspace)
        if found is None or not set(found[1]) & set(API_AUDIENCES):
            return None
        return found[0]

    async def lookup(self, token: str, workspace: str = "") -> tuple[access.User, list[str]] | None:
        """The user a token stands for in `workspace`, and the audiences it is for; a service
        account's token stands for it only in the service account's workspace, and only while
        that service account lives."""
        if hmac.compare_digest(token, self.admin_token):
            return access.User("admin", ("system:masters",)), list(API_AUDIENCES)
        found = self.static.get(digest(token))
        if found is not None:
            return found, list(API_AUDIENCES)
        name, dot, secret = token.partition(".")
        if not dot or not name or not secret or any(c not in NAME_ALPHABET + "-" for c in name) or len(name) > 63:
            return None
        try:
            kv = await self.store.backend.get(objects.key(ROOT, token_resource(), "", name))
        except storage_errors.KeyNotFound:
            return None
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, access.TENANCY, "accesstokens", name) from e
        spec = objects.decode(kv).get("spec") or {}
        if not isinstance(spec, dict) or not hmac.compare_digest(str(spec.get("tokenHash", "")), digest(secret)):
            return None
        if "expirationTimestamp" in spec:
            expires = clock.parse(spec["expirationTimestamp"])
            if expires is None or expires <= datetime.datetime.now(datetime.timezone.utc):
                return None
        user = spec.get("user")
        groups = spec.get("groups") or []
        if not isinstance(user, str) or not user or not isinstance(groups, list):
            return None
        if "workspace" in spec and (spec["workspace"] != workspace or not await self._account_lives(spec)):
            return None
        audiences = spec.get("audiences")
        audiences = [str(a) for a in audiences] if isinstance(audiences, list) and audiences else list(API_AUDIENCES)
        return access.User(user, tuple(str(g) for g in groups)), audiences

    def start(self, every: float = SWEEP_SECONDS) -> None:
        self._sweeper = asyncio.create_task(self._sweep_loop(every), name="token sweeper")

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

    async def _sweep_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                gone = await self.sweep()
                if gone:
                    log.info("deleted %d access tokens that can no longer work", gone)
            except storage_errors.StorageError as e:
                log.warning("access tokens not swept: %s", e)
            except Exception:
                log.exception("access tokens not swept")

    async def sweep(self) -> int:
        """Delete the AccessTokens that can never work again: expired, or bound to a service
        account that is gone (`kubectl create token` would otherwise grow root forever)."""
        res = token_resource()
        now = datetime.datetime.now(datetime.timezone.utc)
        gone = 0
        for kv in (await self.store.backend.list(objects.prefix(ROOT, res))).items:
            spec = objects.decode(kv).get("spec") or {}
            expires = clock.parse(spec.get("expirationTimestamp")) if isinstance(spec, dict) else None
            dead = expires is not None and expires <= now
            if not dead and isinstance(spec, dict) and "workspace" in spec:
                dead = not await self._account_lives(spec)
            if dead:
                try:
                    await self.store.backend.delete(kv.key, revision=kv.mod_revision)
                    gone += 1
                except (storage_errors.KeyNotFound, storage_errors.Conflict):
                    continue  # changed or deleted meanwhile: the next sweep looks again
        return gone

    async def _account_lives(self, spec: dict[str, Any]) -> bool:
        account = spec.get("serviceAccount")
        if not isinstance(account, dict):
            return False
        res = builtin().lookup("", "v1", "serviceaccounts")
        assert res is not None
        try:
            kv = await self.store.backend.get(objects.key(str(spec["workspace"]), res, str(account.get("namespace")),
                                                          str(account.get("name"))))
        except storage_errors.KeyNotFound:
            return False
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, "", "serviceaccounts", str(account.get("name"))) from e
        return bool(objects.decode(kv)["metadata"].get("uid") == account.get("uid"))
