"""Bearer API keys with scopes: `ingest:<source>`, `read`, `admin` (admin implies all).

Keys are compared by SHA-256 digest with `hmac.compare_digest` against every configured key, so
the time taken says nothing about how much of a key matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status


@dataclass(frozen=True, slots=True)
class Principal:
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    def may_ingest(self, source: str) -> bool:
        return self.allows(f"ingest:{source}")

    @property
    def ingests_anything(self) -> bool:
        return "admin" in self.scopes or any(s.startswith("ingest:") for s in self.scopes)


class KeyRing:
    def __init__(self, keys: Mapping[str, Sequence[str]]) -> None:
        self._keys = [(_digest(key), frozenset(scopes)) for key, scopes in keys.items()]

    def authenticate(self, presented: str) -> Principal | None:
        digest = _digest(presented)
        found: frozenset[str] | None = None
        for candidate, scopes in self._keys:
            if hmac.compare_digest(candidate, digest):
                found = scopes
        return None if found is None else Principal(found)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


KEY_HEADERS = ("x-api-key",)
"""Where webhook senders that cannot set `Authorization` put a fixed secret (Sunshine
Conversations webhooks): accepted as the API key."""


def presented_key(request: Request) -> str | None:
    """The API key the request carries, if any: a bearer token, else a key header."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    for name in KEY_HEADERS:
        if value := request.headers.get(name, "").strip():
            return value
    return None


async def optional_principal(request: Request) -> Principal | None:
    """FastAPI dependency: the caller when a key is presented (401 if it is unknown), else None.
    (Dependencies are coroutines: FastAPI runs plain functions on a thread pool, a thread hop
    per request on the ingest path.)"""
    return presented_caller(request)


async def principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    return authenticated_caller(request)


def presented_caller(request: Request) -> Principal | None:
    """The caller when a key is presented (401 if it is unknown), else None."""
    key = presented_key(request)
    if key is None:
        return None
    keyring: KeyRing = request.app.state.keyring
    found = keyring.authenticate(key)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown API key",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return found


def authenticated_caller(request: Request) -> Principal:
    """The authenticated caller, or 401."""
    found = presented_caller(request)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <api key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


async def reader(caller: Principal = Depends(principal)) -> Principal:
    """FastAPI dependency: a caller with the `read` scope (or admin), else 401/403."""
    require(caller, "read")
    return caller


def require(caller: Principal, scope: str) -> None:
    if not caller.allows(scope):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this API key lacks the {scope!r} scope")
