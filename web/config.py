"""One settings object, read from the environment; production refuses a default secret."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from web.deps import database_url, get_settings

DEVELOPMENT_SECRET = "terreau-development-secret-do-not-use-in-production"


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    environment: str = "development"
    smtp_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 2_000_000
    default_locale: str = "fr"
    https: bool = False

    @property
    def is_production(self) -> bool:
        return self.environment != "development"

    @classmethod
    def from_env(cls) -> Settings:
        """Read TERREAU_* variables; outside development a real secret key is required."""
        environment = os.environ.get("TERREAU_ENV", "development").strip() or "development"
        secret = os.environ.get("TERREAU_SECRET_KEY", "")
        base_url = os.environ.get("TERREAU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        settings = cls(
            database_url=database_url(),
            secret_key=secret or DEVELOPMENT_SECRET,
            environment=environment,
            smtp_url=os.environ.get("TERREAU_SMTP_URL") or None,
            base_url=base_url,
            https=base_url.startswith("https://"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.is_production and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ConfigError(
                "TERREAU_SECRET_KEY must be set to a random value of at least 32 characters "
                f"outside development (TERREAU_ENV={self.environment!r}); refusing to start. "
                "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )


SettingsDep = Annotated[Settings, Depends(get_settings)]
