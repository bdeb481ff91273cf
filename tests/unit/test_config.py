"""Settings: production refuses a default or short secret key; development runs without one."""

from __future__ import annotations

import pytest

from web.config import DEVELOPMENT_SECRET, ConfigError, Settings


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERREAU_ENV", "production")
    monkeypatch.delenv("TERREAU_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="TERREAU_SECRET_KEY"):
        Settings.from_env()


def test_production_refuses_a_short_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERREAU_ENV", "production")
    monkeypatch.setenv("TERREAU_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        Settings.from_env()


def test_production_starts_with_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERREAU_ENV", "production")
    monkeypatch.setenv("TERREAU_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("TERREAU_BASE_URL", "https://coop.example/")
    settings = Settings.from_env()
    assert settings.is_production and settings.https and settings.base_url == "https://coop.example"


def test_development_uses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERREAU_ENV", raising=False)
    monkeypatch.delenv("TERREAU_SECRET_KEY", raising=False)
    assert Settings.from_env().secret_key == DEVELOPMENT_SECRET
