"""The vault's PostgreSQL index and its migrations (docs/vault.md "Index").

Migrations are numbered and applied in order, each in its own transaction, under an
advisory lock, so several instances starting at once apply each exactly once. The index is
what makes a package *visible*: a stored object that no ``packages`` row names is invisible
(an interrupted deposit's, adopted by its retry).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import tuple_row

_LOCK_ID = 0x717A7661  # "qzva": the vault's advisory lock for migrations

MIGRATIONS: tuple[str, ...] = (
    # 1: cases, packages, deposits, custody events, the access log, roles, request nonces
    """
    CREATE TABLE cases (
        case_id     text PRIMARY KEY,
        number      text NOT NULL DEFAULT '',
        title       text NOT NULL DEFAULT '',
        party       text NOT NULL DEFAULT '',
        platform    text NOT NULL DEFAULT '',
        agency      text NOT NULL DEFAULT '',
        opened_at   timestamptz
    );
    CREATE TABLE case_members (
        case_id     text NOT NULL REFERENCES cases,
        key_fp      text NOT NULL,
        badge       text NOT NULL DEFAULT '',
        name        text NOT NULL DEFAULT '',
        PRIMARY KEY (case_id, key_fp)
    );
    CREATE INDEX case_members_key ON case_members (key_fp);
    CREATE INDEX case_members_badge ON case_members (badge);
    CREATE TABLE packages (
        sha256          text PRIMARY KEY,
        case_id         text NOT NULL REFERENCES cases,
        package_id      text NOT NULL DEFAULT '',
        file_name       text NOT NULL,
        size            bigint NOT NULL,
        sm3             text NOT NULL DEFAULT '',
        object_key      text NOT NULL,
        object_version  text NOT NULL,
        seal_sha256     text NOT NULL,
        seal_key        text NOT NULL,
        seal_version    text NOT NULL,
        retain_until    timestamptz NOT NULL,
        deposited_at    timestamptz NOT NULL,
        verified_at     timestamptz NOT NULL,
        verdict         text NOT NULL
    );
    CREATE INDEX packages_case ON packages (case_id);
    CREATE INDEX packages_deposited ON packages (deposited_at DESC, sha256);
    CREATE TABLE deposits (
        id              bigserial PRIMARY KEY,
        package_sha256  text NOT NULL UNIQUE REFERENCES packages,
        depositor_key   text NOT NULL,
        depositor_badge text NOT NULL,
        deposited_at    timestamptz NOT NULL,
        receipt         jsonb NOT NULL
    );
    CREATE TABLE custody_events (
        id              bigserial PRIMARY KEY,
        package_sha256  text NOT NULL REFERENCES packages,
        kind            text NOT NULL,
        actor_key       text NOT NULL,
        actor_badge     text NOT NULL,
        at              timestamptz NOT NULL DEFAULT now(),
        detail          jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX custody_events_package ON custody_events (package_sha256, id);
    CREATE TABLE access_log (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor_key   text NOT NULL,
        actor_badge text NOT NULL,
        action      text NOT NULL,
        target      text NOT NULL DEFAULT '',
        outcome     text NOT NULL,
        remote      text NOT NULL DEFAULT ''
    );
    CREATE INDEX access_log_target ON access_log (target, id);
    CREATE TABLE roles (
        key_fp      text PRIMARY KEY,
        role        text NOT NULL CHECK (role IN ('officer', 'reviewer', 'admin')),
        granted_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE nonces (
        nonce       text PRIMARY KEY,
        seen_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE transfer_links (
        token_sha256    text PRIMARY KEY,
        package_sha256  text NOT NULL REFERENCES packages,
        expires_at      timestamptz NOT NULL,
        created_by      text NOT NULL,
        to_name         text NOT NULL,
        to_agency       text NOT NULL,
        reason          text NOT NULL
    );
    CREATE TABLE verifications (
        id              bigserial PRIMARY KEY,
        package_sha256  text NOT NULL REFERENCES packages,
        at              timestamptz NOT NULL DEFAULT now(),
        verdict         text NOT NULL,
        detail          text NOT NULL DEFAULT ''
    );
    """,
)


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Apply the migrations not yet applied; returns the schema version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        with conn.cursor(row_factory=tuple_row) as cur:
            row = cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        have = int(row[0]) if row else 0
        for version, sql in enumerate(MIGRATIONS, 1):
            if version > have:
                conn.execute(sql)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
    return len(MIGRATIONS)
