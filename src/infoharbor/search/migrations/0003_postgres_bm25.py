"""The PostgreSQL backend's BM25 tables (``infoharbor.search.backends.postgres``).

Replaces the documents of ``0002`` (their tsvector held grams, and ranking had no IDF): the
documents keep their field lengths, a lexicon holds each lexeme's document frequency per field,
and impact-ordered postings let a frequent word's best matches be read first. Created on
PostgreSQL only, like ``0002``; all of it is derived data that ``infoharbor reindex`` fills.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = [
    """
    CREATE TABLE search_document (
        entry_id bigint PRIMARY KEY,
        platform text NOT NULL,
        kind text NOT NULL,
        country text NOT NULL,
        language text NOT NULL,
        visibility text NOT NULL,
        sectors text[] NOT NULL DEFAULT '{}',
        org bigint NOT NULL,
        published timestamptz NOT NULL,
        expires timestamptz NOT NULL,  -- 9999-01-01 when the entry does not expire
        lengths integer[] NOT NULL,  -- terms per field: title, organization, body, parts, ...
        terms tsvector NOT NULL
    )
    """,
    # Terms stay in line (no toast_tuple_target): candidates are tested against the tsquery
    # and re-scored from their terms, and reading terms out of TOAST cost ~30 us a row.
    """
    CREATE TABLE search_lexicon (
        lexeme text COLLATE "C" NOT NULL,
        field smallint NOT NULL,  -- -1: documents with the lexeme in any field
        df integer NOT NULL,
        PRIMARY KEY (lexeme, field)
    )
    """,
    "CREATE TABLE search_stats (name text PRIMARY KEY, value bigint NOT NULL)",
    """
    CREATE TABLE search_posting (
        lexeme text COLLATE "C" NOT NULL,
        impact real NOT NULL,
        entry_id bigint NOT NULL
    )
    """,
    "CREATE INDEX search_posting_entry ON search_posting (entry_id)",
]
# The same as PostgresBackend.optimize() makes again after a bulk load (schema.DEFERRED).
INDEXES = [
    "CREATE INDEX search_document_terms ON search_document USING gin (terms)",
    "CREATE INDEX search_document_published ON search_document (published DESC, entry_id DESC)",
    "CREATE INDEX search_document_sectors ON search_document USING gin (sectors)",
    "CREATE INDEX search_posting_best ON search_posting (lexeme, impact DESC) INCLUDE (entry_id)",
]

DROP = [
    "DROP TABLE IF EXISTS search_posting",
    "DROP TABLE IF EXISTS search_lexicon",
    "DROP TABLE IF EXISTS search_stats",
    "DROP TABLE IF EXISTS search_document",
]
CREATE = [*DROP, *TABLES, *INDEXES]


def _run(statements: list[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_documents")]

    # Backwards: the tables of 0002 are dropped too (the reverse of 0002 drops nothing twice).
    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
