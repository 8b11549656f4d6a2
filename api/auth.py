"""Bearer JWTs (HS256, `exp` required): the actor of every request and every audit event."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt

from domain.actor import Actor, Role

ISSUER = "jiandu"
ALGORITHM = "HS256"
TOKEN_ROLES = frozenset(Role) - {Role.SYSTEM}


class AuthenticationFailed(Exception):
    """No token, a forged or expired one, or claims we cannot act on."""


def mint(
    secret: str,
    *,
    subject: str,
    role: Role,
    unit: str | None = None,
    officer: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": subject,
        "role": role.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    if unit:
        claims["unit"] = unit
    if officer:
        claims["officer"] = officer
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_verified: dict[tuple[str, str], tuple[Actor, float]] = {}
_VERIFIED_MAX = 4096


def authenticate(authorization: str | None, secret: str) -> Actor:
    """The actor a bearer token names; verified tokens are remembered until they expire."""
    if authorization:
        known = _verified.get((authorization, secret))
        if known is not None and known[1] > time.time():
            return known[0]
    actor, expires = _verify(authorization, secret)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[(authorization or "", secret)] = (actor, expires)
    return actor


def _verify(authorization: str | None, secret: str) -> tuple[Actor, float]:
    if not authorization:
        raise AuthenticationFailed("missing bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("the Authorization header must be `Bearer <token>`")
    try:
        claims = jwt.decode(
            token.strip(),
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("the token has expired") from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("the token is not valid") from None
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise AuthenticationFailed("the token names no known role") from None
    if role not in TOKEN_ROLES:
        raise AuthenticationFailed("the token names no known role")
    unit = claims.get("unit")
    if role is Role.HANDLER and not unit:
        raise AuthenticationFailed("a handler token must name its unit")
    actor = Actor(
        subject=str(claims["sub"]),
        role=role,
        issuer=str(claims.get("iss", ISSUER)),
        unit=str(unit) if unit else None,
        officer=str(claims["officer"]) if claims.get("officer") else None,
    )
    return actor, float(claims["exp"])
