"""Settings, read only from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable deployment."""


@dataclass(frozen=True, slots=True)
class Settings:
    env: str
    database_url: str | None
    data_dir: Path
    jwt_secret: str
    timezone: ZoneInfo
    host: str
    port: int
    workers: int
    log_level: str
    log_format: str
    duplicate_threshold: float
    fast_reads: bool

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def _secret(env: str, data_dir: Path) -> str:
    configured = os.environ.get("JIANDU_JWT_SECRET")
    if configured:
        if len(configured) < 32:
            raise ConfigurationError("JIANDU_JWT_SECRET must be at least 32 characters")
        return configured
    if env == "production":
        raise ConfigurationError("JIANDU_JWT_SECRET is required when JIANDU_ENV=production")
    # Development: generate once, keep it private to this user, reuse across restarts.
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_settings() -> Settings:
    env = os.environ.get("JIANDU_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigurationError("JIANDU_ENV must be development or production")
    data_dir = Path(os.environ.get("JIANDU_DATA_DIR", ".jiandu")).resolve()
    tz_name = os.environ.get("JIANDU_TIMEZONE", "Asia/Shanghai")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigurationError(f"JIANDU_TIMEZONE {tz_name!r} is not a known time zone") from error
    log_format = os.environ.get("JIANDU_LOG_FORMAT", "json" if env == "production" else "console")
    if log_format not in {"json", "console"}:
        raise ConfigurationError("JIANDU_LOG_FORMAT must be json or console")
    return Settings(
        env=env,
        database_url=os.environ.get("DATABASE_URL") or None,
        data_dir=data_dir,
        jwt_secret=_secret(env, data_dir),
        timezone=timezone,
        host=os.environ.get("JIANDU_HOST", "127.0.0.1"),
        port=int(os.environ.get("JIANDU_PORT", "8000")),
        workers=int(os.environ.get("JIANDU_WORKERS", "1")),
        log_level=os.environ.get("JIANDU_LOG_LEVEL", "info").upper(),
        log_format=log_format,
        duplicate_threshold=float(os.environ.get("JIANDU_DUPLICATE_THRESHOLD", "0.5")),
        fast_reads=os.environ.get("JIANDU_FAST_READS", "on") != "off",
    )
