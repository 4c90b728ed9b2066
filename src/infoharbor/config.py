"""The one place where the harbor's settings are declared.

Every setting an operator may change is an ``INFOHARBOR_*`` environment variable declared
here with its type, default and documentation. ``settings.py`` reads them through
:func:`load`, and ``infoharbor settings-doc`` writes ``docs/operator/settings.md`` from the
same declarations, so the reference can never drift from the code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

PREFIX = "INFOHARBOR_"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says how to fix it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(f"expected a positive whole number, got {raw!r}")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(f"expected zero or a positive whole number, got {raw!r}")
    return value


def _hour(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 23:
        raise ValueError(f"expected an hour from 0 to 23, got {raw!r}")
    return value


def _seconds(raw: str) -> float:
    value = float(raw)
    if not value >= 0 or value == float("inf"):  # also refuses NaN
        raise ValueError(f"expected a number of seconds (0 or more), got {raw!r}")
    return value


def _networks(raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for item in _list(raw):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"expected addresses or networks like 10.0.0.0/8, got {item!r}"
            ) from None
    return tuple(networks)


def _environment(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"development", "production", "test"}:
        raise ValueError("expected development, production or test")
    return value


def _tasks_backend(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"database", "immediate"}:
        raise ValueError("expected database or immediate")
    return value


def _search_backend(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"auto", "embedded", "postgres"}:
        raise ValueError("expected auto, embedded or postgres")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: str | None
    doc: str
    example: str = ""
    secret: bool = False

    @property
    def env_var(self) -> str:
        return PREFIX + self.name


DECLARATIONS: tuple[Setting, ...] = (
    Setting(
        "ENVIRONMENT",
        _environment,
        "development",
        "`development` (the default: secrets generated under the var directory, mail printed "
        "to the console), `production` (secret key and allowed hosts required, secure cookies, "
        "SMTP mail) or `test`.",
        "production",
    ),
    Setting(
        "VAR_DIR",
        str,
        "var",
        "Directory for the embedded database, generated secrets, uploaded and collected "
        "static files. Relative paths are taken from the working directory. (Logs go to "
        "standard error, for systemd's journal or your process manager.)",
        "/srv/infoharbor/var",
    ),
    Setting(
        "DATABASE_URL",
        str,
        None,
        "Database as a URL. Unset: SQLite in WAL mode at `<VAR_DIR>/infoharbor.sqlite3`. "
        "PostgreSQL 13 or newer is supported for the scale-out configuration.",
        "postgres://harbor:secret@db.internal:5432/infoharbor",
        secret=True,
    ),
    Setting(
        "SECRET_KEY",
        str,
        None,
        "Key that signs sessions, password-reset links and tokens. Required in production; "
        "in development a random key is generated once and kept in `<VAR_DIR>/secret_key`.",
        "a long random string, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`",
        secret=True,
    ),
    Setting(
        "DEBUG",
        _bool,
        "false",
        "Show Django's debug pages. Never turn this on for a server others can reach.",
        "true",
    ),
    Setting(
        "ALLOWED_HOSTS",
        _list,
        "127.0.0.1,localhost,[::1]",
        "Comma-separated host names this harbor answers to; requests for any other host get "
        "400. In production list the public name(s), and the name your load balancer's "
        "health checks use.",
        "harbor.example.org",
    ),
    Setting(
        "SITE_URL",
        str,
        "http://127.0.0.1:8000",
        "The public address of the harbor, used in links sent by email and in feeds.",
        "https://harbor.example.org",
    ),
    Setting(
        "CSRF_TRUSTED_ORIGINS",
        _list,
        "",
        "Comma-separated origins (scheme and host) allowed to post forms, when the harbor is "
        "reached through a proxy under another name.",
        "https://harbor.example.org",
    ),
    Setting(
        "BEHIND_PROXY",
        _bool,
        "false",
        "Trust the `X-Forwarded-Proto` and `X-Forwarded-For` headers set by a reverse proxy. "
        "Only turn this on when a proxy you control always sets them.",
        "true",
    ),
    Setting(
        "SECURE_COOKIES",
        _bool,
        None,
        "Send session and CSRF cookies over HTTPS only. Default: on in production, off otherwise.",
        "true",
    ),
    Setting(
        "TIME_ZONE",
        str,
        "UTC",
        "Time zone for people without one in their profile (times are stored in UTC).",
        "Asia/Bangkok",
    ),
    Setting(
        "CACHE_URL",
        str,
        "locmem://",
        "Cache used for login rate limits and page fragments: `locmem://` (one process), "
        "`redis://host:port/db` for several web processes.",
        "redis://127.0.0.1:6379/1",
    ),
    Setting(
        "EMAIL_BACKEND",
        str,
        None,
        "`smtp`, `console` (print messages) or `file` (write them under "
        "`<VAR_DIR>/mail`). Default: `console` in development, `smtp` in production.",
        "smtp",
    ),
    Setting("EMAIL_HOST", str, "localhost", "SMTP server host.", "smtp.example.org"),
    Setting("EMAIL_PORT", _positive_int, "25", "SMTP server port.", "587"),
    Setting("EMAIL_HOST_USER", str, "", "SMTP user name, if the server wants one.", "harbor"),
    Setting("EMAIL_HOST_PASSWORD", str, "", "SMTP password.", "app-password", secret=True),
    Setting("EMAIL_USE_TLS", _bool, "false", "Use STARTTLS on the SMTP connection.", "true"),
    Setting("EMAIL_USE_SSL", _bool, "false", "Use implicit TLS (usually port 465).", "false"),
    Setting(
        "EMAIL_FROM",
        str,
        "Information Harbor <harbor@localhost>",
        "Sender address of the mail the harbor sends.",
        "Information Harbor <no-reply@harbor.example.org>",
    ),
    Setting(
        "MAIL_DIGEST_HOUR",
        _hour,
        "7",
        "Local hour (0-23) at which daily digests go out, in each subscriber's time zone; "
        "weekly digests go out at the same hour on Mondays.",
        "6",
    ),
    Setting(
        "MAIL_BOUNCE_LIMIT",
        _positive_int,
        "3",
        "Permanent refusals (SMTP 5xx) in a row after which an address is marked failing: "
        "no more subscription mail is composed for it until its owner asks to try again or "
        "changes it. A delivered message resets the count.",
        "5",
    ),
    Setting(
        "MAIL_MAX_ATTEMPTS",
        _positive_int,
        "8",
        "Attempts to send one message through a server that refuses for now (4xx), times out "
        "or drops the connection, before the message is marked failed.",
        "12",
    ),
    Setting(
        "MAIL_RETRY_SECONDS",
        _seconds,
        "60",
        "Wait before the first retry of a message; each further retry waits twice as long "
        "(at most six hours), plus a random part of up to a quarter, so that many messages "
        "to one server do not all come back at once.",
        "30",
    ),
    Setting(
        "MAX_REQUEST_BYTES",
        _positive_int,
        str(5 * 1024 * 1024),
        "Largest request body accepted; larger ones are refused with 413.",
        "10485760",
    ),
    Setting(
        "LOGIN_MAX_ATTEMPTS",
        _positive_int,
        "10",
        "Failed sign-ins allowed per account and per client address within the window below "
        "before further attempts are refused.",
        "5",
    ),
    Setting(
        "LOGIN_WINDOW_SECONDS",
        _positive_int,
        "900",
        "Length of the sign-in rate-limit window in seconds.",
        "600",
    ),
    Setting(
        "SEARCH_BACKEND",
        _search_backend,
        "auto",
        "Where the search index lives: `embedded` (a tantivy index under "
        "`<VAR_DIR>/search`, no server needed), `postgres` (tables in the PostgreSQL "
        "database, for several web processes on several machines) or `auto` (the default: "
        "`postgres` when the database is PostgreSQL, else `embedded`).",
        "postgres",
    ),
    Setting(
        "SEARCH_PATH",
        str,
        None,
        "Directory of the embedded search index. Unset: `<VAR_DIR>/search`.",
        "/srv/infoharbor/search",
    ),
    Setting(
        "SEARCH_INDEX_IN_BACKGROUND",
        _bool,
        "true",
        "Update the search index in a background thread after each change is committed. "
        "Turned off, the index is updated before the response is sent (tests use this).",
        "false",
    ),
    Setting(
        "INGEST_MIN_INTERVAL_MINUTES",
        _positive_int,
        "15",
        "Shortest polling interval a source may have, in minutes; sources asking for less are "
        "refused, so no publisher is polled harder than this.",
        "30",
    ),
    Setting(
        "INGEST_USER_AGENT",
        str,
        None,
        "User-Agent header of the harbor's fetches, and the name robots.txt rules are matched "
        "against (its first word). Unset: `InformationHarbor/<version> (+<SITE_URL>)`, so a "
        "publisher can see who fetches and where to write.",
        "InformationHarbor/1.0 (+https://harbor.example.org; ops@example.org)",
    ),
    Setting(
        "INGEST_CONNECT_TIMEOUT_SECONDS",
        _seconds,
        "10",
        "How long a fetch waits to connect to a source's server.",
        "5",
    ),
    Setting(
        "INGEST_READ_TIMEOUT_SECONDS",
        _seconds,
        "30",
        "How long a fetch waits for each piece of a response before giving up.",
        "60",
    ),
    Setting(
        "INGEST_MAX_BYTES",
        _positive_int,
        str(10 * 1024 * 1024),
        "Largest response body read from a source, after decompression; a fetch stops reading "
        "at this size and records the source as failed.",
        "52428800",
    ),
    Setting(
        "INGEST_MAX_REDIRECTS",
        _non_negative_int,
        "5",
        "Redirects followed per fetch before it is given up.",
        "3",
    ),
    Setting(
        "INGEST_HOST_DELAY_SECONDS",
        _seconds,
        "2",
        "Politeness: the least time between two requests to the same host (a longer "
        "`Crawl-delay` in the host's robots.txt wins, up to 60 seconds).",
        "5",
    ),
    Setting(
        "INGEST_RETRIES",
        _non_negative_int,
        "2",
        "Retries after a 429, a 5xx, a timeout or a dropped connection, with exponential "
        "backoff (1, 2, 4... seconds) or the wait the server's `Retry-After` asks for.",
        "3",
    ),
    Setting(
        "INGEST_MAX_RETRY_WAIT_SECONDS",
        _seconds,
        "60",
        "Longest wait for one retry. When a server's `Retry-After` asks for more, the fetch "
        "stops and the source is not tried again before that time.",
        "300",
    ),
    Setting(
        "INGEST_ALLOWED_NETWORKS",
        _networks,
        "",
        "Comma-separated addresses or networks that sources may be fetched from although they "
        "are not public (loopback, private, link-local...). Empty: only public addresses; "
        "every connection, redirects included, is checked on the address it resolves to.",
        "10.20.0.0/16,192.168.5.10",
    ),
    Setting(
        "INGEST_TIME_BUDGET_SECONDS",
        _seconds,
        "300",
        "Longest one harvest of a catalogue (CKAN, DCAT) or of a sitemap's pages may take. "
        "A harvest that reaches it stops after the item at hand, keeps its place, and goes "
        "on at the next run, so no harvest ever runs for days.",
        "600",
    ),
    Setting(
        "INGEST_CATALOGUE_MAX_PAGES",
        _positive_int,
        "20",
        "Pages of results one harvest of a catalogue reads (CKAN: 100 datasets a page; "
        "DCAT: the catalogue's own pages); the rest waits for the next run.",
        "50",
    ),
    Setting(
        "INGEST_MAX_PAGES",
        _positive_int,
        "100",
        "Article pages one harvest of a pages source fetches; the rest waits for the next run.",
        "300",
    ),
    Setting(
        "TASKS_BACKEND",
        _tasks_backend,
        "database",
        "Where background tasks wait for the worker. `database` (the default): a table in the "
        "harbor's database, run by `infoharbor worker`; on PostgreSQL this is also the "
        "scale-out configuration (several workers on several machines). `immediate`: run "
        "each task at once in the process that enqueues it, with no worker (for development "
        "only: a request then waits for the task).",
        "immediate",
    ),
    Setting(
        "WORKER_CONCURRENCY",
        _positive_int,
        "1",
        "Tasks one `infoharbor worker` process runs at the same time (threads). For more, "
        "run more worker processes, on this machine or others (PostgreSQL).",
        "4",
    ),
    Setting(
        "WORKER_POLL_SECONDS",
        _seconds,
        "1",
        "How long an idle worker waits before it looks for new tasks again.",
        "0.5",
    ),
    Setting(
        "WORKER_LEASE_SECONDS",
        _seconds,
        "30",
        "A worker that has not reported for this long is taken for dead: the tasks it was "
        "running are given back to the queue and the scheduler may move to another worker. "
        "(A worker on the same machine whose process is gone is known to be dead at once.)",
        "60",
    ),
    Setting(
        "WORKER_MAX_ATTEMPTS",
        _positive_int,
        "3",
        "Times a task is started before a worker that dies running it makes it fail for "
        "good (so a task that crashes its worker cannot do so forever).",
        "5",
    ),
    Setting(
        "TASK_RESULTS_KEEP_DAYS",
        _positive_int,
        "7",
        "Days a finished task's row stays in the queue's table (shown in the admin's task "
        "list) before the scheduler deletes it.",
        "14",
    ),
    Setting(
        "TASK_FAILURES_KEEP_DAYS",
        _positive_int,
        "30",
        "Days a failed task's row, with its error, stays for operators to read.",
        "90",
    ),
    Setting(
        "SCHEDULER_INTERVAL_SECONDS",
        _seconds,
        "60",
        "How often the scheduler in `infoharbor worker` enqueues the sources that are due "
        "and the search changes still waiting. One worker at a time is the scheduler.",
        "30",
    ),
    Setting(
        "INGEST_BATCH_SIZE",
        _positive_int,
        "200",
        "New items of a feed written together, in one transaction with a few bulk inserts "
        "(entries, audit events, search outbox). An item that fails fails alone; a batch "
        "that meets another harvest's write is done again one item at a time. 1: every "
        "item in its own transaction, as before.",
        "500",
    ),
    Setting(
        "WEBHOOK_ALLOWED_NETWORKS",
        _networks,
        "",
        "Comma-separated addresses or networks webhooks may be delivered to although they are "
        "not public (loopback, private, link-local...); plain `http://` addresses are only "
        "accepted in these networks. Empty: only public `https://` addresses. Checked when "
        "an endpoint is saved and again on the address every connection goes to.",
        "10.30.0.0/16",
    ),
    Setting(
        "WEBHOOK_TIMEOUT_SECONDS",
        _seconds,
        "10",
        "Longest one webhook request may take, from connecting to the end of the (bounded) "
        "response; a receiver that takes longer has failed that attempt.",
        "5",
    ),
    Setting(
        "WEBHOOK_RETRY_BASE_SECONDS",
        _seconds,
        "30",
        "First retry delay of a failed webhook delivery; each further retry waits up to "
        "twice as long (exponential backoff with full jitter, at most 6 hours).",
        "10",
    ),
    Setting(
        "WEBHOOK_MAX_AGE_SECONDS",
        _seconds,
        "86400",
        "How long a webhook delivery is retried before the harbor gives it up.",
        "172800",
    ),
    Setting(
        "WEBHOOK_MAX_FAILURES",
        _positive_int,
        "15",
        "Failed attempts in a row after which an endpoint is paused and its owner told by "
        "email (a success sets the count back to zero).",
        "30",
    ),
    Setting(
        "WEBHOOK_CONCURRENCY",
        _positive_int,
        "64",
        "Webhook requests one worker task has in flight at the same time (HTTP/1.1 "
        "connections, kept alive between requests to the same host).",
        "128",
    ),
    Setting(
        "LOG_LEVEL",
        str,
        "INFO",
        "Level of the harbor's own log messages (DEBUG, INFO, WARNING, ERROR).",
        "WARNING",
    ),
    Setting(
        "STORIES_CROSS_LANGUAGE_HOURS",
        _non_negative_int,
        "72",
        "An entry that starts a story is linked to a story in another language published "
        "within this many hours before or after it when the two entries share enough "
        "anchors (numbers, addresses, names in Latin letters). 0: stories stay within one "
        "language.",
        "48",
    ),
    Setting(
        "STORIES_ANCHOR_MAX_STORIES",
        _positive_int,
        "30",
        "An anchor carried by more stories than this within the cross-language window (a "
        "year, a country's name) is not used to look for a translation's story: it would "
        "propose too many. It still counts when two entries are compared.",
        "50",
    ),
)


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse every declared setting from ``environ``; name -> typed value (None if unset)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in DECLARATIONS:
        raw = environ.get(setting.env_var, setting.default)
        if raw is None:
            values[setting.name] = None
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{setting.env_var}: {error}") from error
    return values


def secret_key(values: Mapping[str, Any], var_dir: Path) -> str:
    """The configured key, or in development one generated once and kept on disk."""
    if values["SECRET_KEY"]:
        return str(values["SECRET_KEY"])
    if values["ENVIRONMENT"] == "production":
        raise ConfigError(
            "INFOHARBOR_SECRET_KEY is required in production. Generate one with\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "and set it in the service's environment."
        )
    import secrets

    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def markdown_reference() -> str:
    """The settings reference as Markdown, for ``docs/operator/settings.md``."""
    lines = [
        "# Settings reference",
        "",
        "<!-- Generated by `infoharbor settings-doc` from src/infoharbor/config.py; "
        "do not edit by hand. -->",
        "",
        "Every setting is an environment variable. Unset variables take the default.",
        "",
    ]
    for setting in DECLARATIONS:
        default = "(unset)" if setting.default is None else f"`{setting.default}`"
        if setting.default == "":
            default = "(empty)"
        lines += [
            f"## `{setting.env_var}`",
            "",
            setting.doc,
            "",
            f"- Default: {default}",
            f"- Example: `{setting.example}`" if setting.example else "",
        ]
        if setting.secret:
            lines.append("- Secret: keep it out of version control and logs.")
        lines.append("")
    return "\n".join(line for line in lines if line is not None) + "\n"
