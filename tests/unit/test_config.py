"""Settings: production refuses a default or short secret key; development runs without one;
`terreau serve` says so in one French line."""

from __future__ import annotations

import pytest
import uvicorn
from typer.testing import CliRunner

from web.cli import app
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


@pytest.mark.parametrize("secret", [None, "", "trop-courte"])
def test_serve_in_production_without_a_real_secret_says_why_in_one_line(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("TERREAU_ENV", "production")
    if secret is None:
        monkeypatch.delenv("TERREAU_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("TERREAU_SECRET_KEY", secret)
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 1
    assert started == []
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "TERREAU_SECRET_KEY" in lines[0] and "au moins 32 caractères" in lines[0]
    assert "TERREAU_ENV=production" in lines[0]
    assert "Traceback" not in result.output and result.stdout == ""


def test_serve_in_production_with_a_real_secret_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERREAU_ENV", "production")
    monkeypatch.setenv("TERREAU_SECRET_KEY", "k" * 32)
    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))

    result = CliRunner().invoke(app, ["serve", "--port", "8123"])

    assert result.exit_code == 0, result.output
    assert [call["port"] for call in started] == [8123]
