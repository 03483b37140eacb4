"""Settings come from the environment, with clear errors for bad values."""

import pytest

from mobility.config import load_settings
from mobility.errors import ConfigError


def test_defaults_use_sqlite_file_under_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'mobility.sqlite'}"
    assert settings.is_sqlite
    assert settings.redis_url is None
    assert not settings.stripe_enabled
    assert (tmp_path / "var").is_dir()


def test_reads_environment():
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/x",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "WEB_PORT": "8081",
            "OCPP_AUTO_REGISTER": "yes",
            "STRIPE_SECRET_KEY": "sk_test_123",
            "COMMAND_TIMEOUT": "2.5",
        }
    )
    assert settings.web_port == 8081
    assert settings.ocpp_auto_register is True
    assert settings.stripe_enabled
    assert settings.command_timeout == 2.5
    assert not settings.is_sqlite


def test_settings_are_frozen():
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.web_port = 1  # type: ignore[misc]
    assert settings.with_(web_port=1).web_port == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_PORT": "eighty"}, "WEB_PORT must be a number"),
        ({"WEB_PORT": "70000"}, "between 0 and 65535"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must be"),
        ({"OCPP_AUTO_REGISTER": "maybe"}, "true or false"),
        ({"OCPP_TLS_CERT": "/c.pem"}, "set together"),
        ({"CURRENCY": "EURO"}, "ISO 4217"),
        ({"STRIPE_SECRET_KEY": "pk_live"}, "sk_"),
    ],
)
def test_invalid_settings_give_clear_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_secret_key_not_in_repr():
    settings = load_settings({"SECRET_KEY": "super-secret-value"})
    assert "super-secret-value" not in repr(settings)


def test_map_tiles_default_to_openstreetmap_and_can_be_turned_off():
    default = load_settings({})
    assert default.map_tiles == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in default.map_tile_attribution
    own = load_settings(
        {"MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png", "MAP_TILE_ATTRIBUTION": "Us"}
    )
    assert own.map_tiles == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert own.map_tile_attribution == "Us"
    assert load_settings({"MAP_TILE_URL": "none"}).map_tiles is None
    with pytest.raises(ConfigError, match="MAP_TILE_URL"):
        load_settings({"MAP_TILE_URL": "javascript:alert(1)"})
