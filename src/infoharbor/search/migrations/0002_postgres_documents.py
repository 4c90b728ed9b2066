"""The PostgreSQL backend's documents (``infoharbor.search.backends.postgres``).

Created on PostgreSQL only: on SQLite the embedded backend is the index and this migration does
nothing. The table is derived data, filled by ``infoharbor reindex``; it is not a Django model.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = [
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
        terms tsvector NOT NULL
    ) WITH (toast_tuple_target = 256)
    """,
    # Keep the rows narrow: counts, facets and the newest-first candidates read only the filter
    # columns. A row over 2 kB is toasted until it fits toast_tuple_target: 256 moves the terms
    # out of line and stops there (128 would move the sectors too, and facets would detoast).
    "CREATE INDEX search_document_terms ON search_document USING gin (terms)",
    "CREATE INDEX search_document_published ON search_document (published DESC, entry_id DESC)",
    "CREATE INDEX search_document_sectors ON search_document USING gin (sectors)",
]
DROP = ["DROP TABLE IF EXISTS search_document"]


def _run(statements: list[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
