"""Settings: read once from the environment (TICKETDESK_*)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETDESK_", extra="ignore")

    data_dir: Path = Field(default=Path("data"))
    database_url: str | None = None
    redis_url: str | None = None
    smtp_url: str | None = None
    secret_key: str | None = None
    webhook_allow_private: bool = False
    public_url: str = "http://127.0.0.1:8000"
    attachment_max_bytes: int = 25 * 1024 * 1024
    attachment_storage: str = "local"  # a name registered with attachments.service
    json_body_max_bytes: int = 1024 * 1024
    session_ttl_hours: int = 24 * 14
    # Failed logins: after `login_max_failures` for one email from one client IP, that pair
    # waits (login_slowdown_seconds, doubling up to the window) instead of being locked out;
    # one IP failing `login_ip_max_failures` times in the window is refused for a window.
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    login_slowdown_seconds: int = Field(default=60, ge=1)
    login_ip_max_failures: int = Field(default=50, ge=1)
    migrations_dir: Path = REPO_ROOT / "migrations"
    static_dir: Path | None = None
    queue_name: str = "ticketdesk:queue"
    # run jobs inside the API process when no Redis is configured (off only for schema fuzzing)
    embedded_jobs: bool = True
    worker_max_jobs: int = 20
    worker_poll_delay_seconds: float = 0.05
    webhook_timeout_seconds: float = 10.0
    # a claimed delivery whose worker died becomes due again after this long
    webhook_lease_seconds: int = 30
    sql_echo: bool = False
    # a report over at most this many tickets counts them exactly; above, the rollups answer
    reports_exact_tickets: int = Field(default=5_000, ge=0)
    # an OpenAI-compatible endpoint (`<url>/v1/chat/completions`) for ticket summaries and
    # reply drafts; unset, nothing leaves the machine
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    # similar tickets by MiniLM sentence embeddings when the `embeddings` extra is installed
    # (off: TF-IDF, as without the extra)
    triage_embeddings: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ticketdesk.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The signing secret: configured, or generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
