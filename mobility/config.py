"""Settings are data: one frozen dataclass, built from the environment in one place."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mobility.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its environment."""

    database_url: str = "sqlite:///var/mobility.sqlite"
    redis_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    ocpp_host: str = "127.0.0.1"
    ocpp_port: int = 9000
    ocpp_tls_cert: str | None = None
    ocpp_tls_key: str | None = None
    # A second listener for wss:// next to ws:// on OCPP_PORT (profiles 2-3 beside profile 1).
    ocpp_tls_port: int | None = None
    # CA certificates trusted for chargers' client certificates (security profile 3); unset
    # with the internal CA: that CA.
    ocpp_tls_client_ca: str | None = None
    # Who signs chargers' certificates: "internal" (the CSMS-run CA below) or "external"
    # (CSRs are kept; the operator sends CertificateSigned with the external CA's answer).
    ocpp_ca: str = "internal"
    ocpp_ca_cert: str = "var/ocpp-ca/ca-cert.pem"
    ocpp_ca_key: str = field(default="var/ocpp-ca/ca-key.pem", repr=False)
    ocpp_ca_name: str = "Mobility hub charger CA"
    charger_cert_days: int = 365
    # Chargers' certificates expiring within this many days are renewed (a job asks for a CSR).
    charger_cert_renew_days: int = 30
    # Where critical security events are mailed (unset: every operator).
    security_alert_mail: str | None = None
    ocpp_auto_register: bool = False
    heartbeat_interval: int = 300
    offline_grace: int = 60
    command_timeout: float = 30.0
    # Longest a charger may trust a cached "Accepted" before asking again (0: card expiry only).
    auth_cache_hours: int = 24
    # Ask chargers for their whole configuration after each boot (some crash on it: off by
    # default; models known to choke are skipped anyway, see ocpp_server/v16/quirks.py).
    ocpp_probe_configuration: bool = False
    # After-boot requests (local list, probing) start within this many seconds of the boot,
    # spread at random so a reconnect storm does not double.
    ocpp_after_boot_delay: float = 10.0
    # Websocket pings: a charger whose socket answers no ping within the timeout is closed.
    ocpp_ping_interval: float = 30.0
    ocpp_ping_timeout: float = 30.0
    stripe_secret_key: str | None = field(default=None, repr=False)
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_api_base: str | None = None
    # Stripe.js collects card numbers in the browser (they never reach our servers).
    stripe_js_url: str = "https://js.stripe.com/v3/"
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "Mobility hub <no-reply@localhost>"
    # Base URL of the web app as users reach it (links in emails).
    public_url: str | None = None
    currency: str = "EUR"
    timezone: str = "Europe/Paris"
    node_id: str = "node-1"
    # Signed-in browsers stay signed in this long; cookies are Secure when served over https
    # (SECURE_COOKIES, by default when PUBLIC_URL is https).
    session_days: int = 14
    secure_cookies: bool | None = None
    run_scheduler: bool = True
    # GBFS open data feeds (docs/open-data.md); the feed contact defaults to MAIL_FROM's address.
    gbfs_system_id: str = "mobility-hub"
    gbfs_name: str = "Mobility hub"
    gbfs_feed_contact_email: str | None = None
    gbfs_languages: str = "en,fr,de"
    gbfs_opening_hours: str = "24/7"
    gbfs_license_id: str | None = None
    gbfs_ttl: int = 30
    # Who we are on OCPI roaming (CPO role): ISO 3166 alpha-2 country, 3-character party id.
    ocpi_country_code: str = "FR"
    ocpi_party_id: str = "MOB"
    ocpi_business_name: str = "Mobility hub"
    # How long a call to a partner platform may take (registration, pushes, command results).
    ocpi_http_timeout: float = 10.0
    # Uploaded files (problem-report photos): "disk" under FILE_DIR, or "s3" (S3-compatible).
    file_store: str = "disk"
    file_dir: str = "var/uploads"
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None  # unset: AWS; else MinIO, Ceph, Garage...
    s3_region: str | None = None
    s3_access_key_id: str | None = None  # unset: boto3's own chain (environment, role)
    s3_secret_access_key: str | None = field(default=None, repr=False)
    # The citizen map's tiles ({z}/{x}/{y}; "none": no tiles, markers only) and their credit.
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )
    testing: bool = False

    @property
    def is_sqlite(self) -> bool:
        """True on the embedded default database."""
        return self.database_url.startswith("sqlite")

    @property
    def stripe_enabled(self) -> bool:
        """Stripe is used when a secret key is set."""
        return bool(self.stripe_secret_key)

    @property
    def base_url(self) -> str:
        """Where users reach the web app (PUBLIC_URL, else the local web address)."""
        return (self.public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry the Secure flag."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.startswith("https://")

    @property
    def map_tiles(self) -> str | None:
        """The map's tile URL template, None when the map shows no tiles."""
        url = self.map_tile_url.strip()
        return None if url.lower() in ("", "none", "off") else url

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests, CLI flags)."""
        return replace(self, **changes)


_ENV: dict[str, tuple[str, type]] = {
    "DATABASE_URL": ("database_url", str),
    "REDIS_URL": ("redis_url", str),
    "SECRET_KEY": ("secret_key", str),
    "WEB_HOST": ("web_host", str),
    "WEB_PORT": ("web_port", int),
    "OCPP_HOST": ("ocpp_host", str),
    "OCPP_PORT": ("ocpp_port", int),
    "OCPP_TLS_CERT": ("ocpp_tls_cert", str),
    "OCPP_TLS_KEY": ("ocpp_tls_key", str),
    "OCPP_TLS_PORT": ("ocpp_tls_port", int),
    "OCPP_TLS_CLIENT_CA": ("ocpp_tls_client_ca", str),
    "OCPP_CA": ("ocpp_ca", str),
    "OCPP_CA_CERT": ("ocpp_ca_cert", str),
    "OCPP_CA_KEY": ("ocpp_ca_key", str),
    "OCPP_CA_NAME": ("ocpp_ca_name", str),
    "CHARGER_CERT_DAYS": ("charger_cert_days", int),
    "CHARGER_CERT_RENEW_DAYS": ("charger_cert_renew_days", int),
    "SECURITY_ALERT_MAIL": ("security_alert_mail", str),
    "OCPP_AUTO_REGISTER": ("ocpp_auto_register", bool),
    "HEARTBEAT_INTERVAL": ("heartbeat_interval", int),
    "OFFLINE_GRACE": ("offline_grace", int),
    "COMMAND_TIMEOUT": ("command_timeout", float),
    "AUTH_CACHE_HOURS": ("auth_cache_hours", int),
    "OCPP_PROBE_CONFIGURATION": ("ocpp_probe_configuration", bool),
    "OCPP_AFTER_BOOT_DELAY": ("ocpp_after_boot_delay", float),
    "OCPP_PING_INTERVAL": ("ocpp_ping_interval", float),
    "OCPP_PING_TIMEOUT": ("ocpp_ping_timeout", float),
    "STRIPE_SECRET_KEY": ("stripe_secret_key", str),
    "STRIPE_PUBLISHABLE_KEY": ("stripe_publishable_key", str),
    "STRIPE_WEBHOOK_SECRET": ("stripe_webhook_secret", str),
    "STRIPE_API_BASE": ("stripe_api_base", str),
    "STRIPE_JS_URL": ("stripe_js_url", str),
    "SMTP_URL": ("smtp_url", str),
    "MAIL_FROM": ("mail_from", str),
    "PUBLIC_URL": ("public_url", str),
    "CURRENCY": ("currency", str),
    "TIMEZONE": ("timezone", str),
    "NODE_ID": ("node_id", str),
    "SESSION_DAYS": ("session_days", int),
    "SECURE_COOKIES": ("secure_cookies", bool),
    "RUN_SCHEDULER": ("run_scheduler", bool),
    "GBFS_SYSTEM_ID": ("gbfs_system_id", str),
    "GBFS_NAME": ("gbfs_name", str),
    "GBFS_FEED_CONTACT_EMAIL": ("gbfs_feed_contact_email", str),
    "GBFS_LANGUAGES": ("gbfs_languages", str),
    "GBFS_OPENING_HOURS": ("gbfs_opening_hours", str),
    "GBFS_LICENSE_ID": ("gbfs_license_id", str),
    "GBFS_TTL": ("gbfs_ttl", int),
    "OCPI_COUNTRY_CODE": ("ocpi_country_code", str),
    "OCPI_PARTY_ID": ("ocpi_party_id", str),
    "OCPI_BUSINESS_NAME": ("ocpi_business_name", str),
    "OCPI_HTTP_TIMEOUT": ("ocpi_http_timeout", float),
    "FILE_STORE": ("file_store", str),
    "FILE_DIR": ("file_dir", str),
    "S3_BUCKET": ("s3_bucket", str),
    "S3_PREFIX": ("s3_prefix", str),
    "S3_ENDPOINT_URL": ("s3_endpoint_url", str),
    "S3_REGION": ("s3_region", str),
    "S3_ACCESS_KEY_ID": ("s3_access_key_id", str),
    "S3_SECRET_ACCESS_KEY": ("s3_secret_access_key", str),
    "MAP_TILE_URL": ("map_tile_url", str),
    "MAP_TILE_ATTRIBUTION": ("map_tile_attribution", str),
}


def _convert(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    if kind is int or kind is float:
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    return raw


def _validate(s: Settings) -> None:
    if not s.database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"DATABASE_URL must be a sqlite:// or postgresql:// URL, got {s.database_url!r}"
        )
    if s.redis_url and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL must be a redis:// URL, got {s.redis_url!r}")
    for name, port in (("WEB_PORT", s.web_port), ("OCPP_PORT", s.ocpp_port)):
        if not 0 <= port <= 65535:
            raise ConfigError(f"{name} must be between 0 and 65535, got {port}")
    if bool(s.ocpp_tls_cert) != bool(s.ocpp_tls_key):
        raise ConfigError("OCPP_TLS_CERT and OCPP_TLS_KEY must be set together")
    _validate_security(s)
    if s.heartbeat_interval <= 0 or s.command_timeout <= 0:
        raise ConfigError("HEARTBEAT_INTERVAL and COMMAND_TIMEOUT must be positive")
    if s.ocpp_after_boot_delay < 0:
        raise ConfigError("OCPP_AFTER_BOOT_DELAY must be 0 or more")
    if s.ocpp_ping_interval <= 0 or s.ocpp_ping_timeout <= 0:
        raise ConfigError("OCPP_PING_INTERVAL and OCPP_PING_TIMEOUT must be positive")
    if s.auth_cache_hours < 0:
        raise ConfigError("AUTH_CACHE_HOURS must be 0 or more")
    if len(s.currency) != 3 or not s.currency.isalpha():
        raise ConfigError(f"CURRENCY must be an ISO 4217 code, got {s.currency!r}")
    if s.smtp_url and not s.smtp_url.startswith(("smtp://", "smtps://")):
        raise ConfigError("SMTP_URL must be an smtp:// or smtps:// URL")
    if s.public_url and not s.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"PUBLIC_URL must be an http(s) URL, got {s.public_url!r}")
    if s.map_tiles and not s.map_tiles.startswith(("https://", "http://", "/")):
        raise ConfigError(f"MAP_TILE_URL must be an http(s) URL or a path, got {s.map_tile_url!r}")
    if s.gbfs_ttl < 0:
        raise ConfigError("GBFS_TTL must be 0 or more seconds")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", s.gbfs_system_id):
        raise ConfigError("GBFS_SYSTEM_ID may hold letters, digits, '.', '_' and '-' only")
    if s.stripe_secret_key and not s.stripe_secret_key.startswith(("sk_", "rk_")):
        raise ConfigError("STRIPE_SECRET_KEY must start with sk_ or rk_")
    _validate_ocpi(s)
    if s.file_store not in ("disk", "s3") or (s.file_store == "s3" and not s.s3_bucket):
        raise ConfigError("FILE_STORE must be disk, or s3 with S3_BUCKET set")


def _validate_ocpi(s: Settings) -> None:
    if len(s.ocpi_country_code) != 2 or not s.ocpi_country_code.isalpha():
        raise ConfigError(f"OCPI_COUNTRY_CODE must be 2 letters, got {s.ocpi_country_code!r}")
    if len(s.ocpi_party_id) != 3 or not s.ocpi_party_id.isalnum():
        raise ConfigError(f"OCPI_PARTY_ID must be 3 letters or digits, got {s.ocpi_party_id!r}")
    if s.ocpi_http_timeout <= 0:
        raise ConfigError("OCPI_HTTP_TIMEOUT must be positive")


def _validate_security(s: Settings) -> None:
    if s.ocpp_tls_port is not None and not s.ocpp_tls_cert:
        raise ConfigError("OCPP_TLS_PORT needs OCPP_TLS_CERT and OCPP_TLS_KEY")
    if s.ocpp_tls_port is not None and not 0 <= s.ocpp_tls_port <= 65535:
        raise ConfigError(f"OCPP_TLS_PORT must be between 0 and 65535, got {s.ocpp_tls_port}")
    if s.ocpp_ca not in ("internal", "external"):
        raise ConfigError(f"OCPP_CA must be internal or external, got {s.ocpp_ca!r}")
    if not 0 < s.charger_cert_renew_days < s.charger_cert_days:
        raise ConfigError("CHARGER_CERT_RENEW_DAYS must be positive and below CHARGER_CERT_DAYS")


def _sqlite_under(url: str, base: Path) -> str:
    """Make a relative SQLite path absolute under the working folder and create its parent."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    rel = url[len(prefix) :]
    if rel.startswith(":memory:"):
        return url
    path = (base / rel).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return prefix + str(path)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (os.environ by default); raise ConfigError if invalid."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for var, (attr, kind) in _ENV.items():
        raw = env.get(var)
        if raw is not None and raw != "":
            values[attr] = _convert(var, raw, kind)
    values.update(overrides)
    settings = Settings(**values)
    settings = replace(settings, database_url=_sqlite_under(settings.database_url, Path.cwd()))
    _validate(settings)
    return settings
