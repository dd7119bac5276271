"""The words of members' folded names (``Member.search_name``) in an index the database keeps itself, so a
name search that few members or none match reads the index instead of the list (a province holds up to
800,000 members, and a name nobody has otherwise reads them all).

SQLite: an FTS5 table over ``members_member.search_name`` (external content: only the index is stored), kept
by triggers. PostgreSQL: a GIN index on ``to_tsvector('simple', search_name)``. Both match each query word as
the start of a word of the name, as ``selectors.search`` does (their words split at punctuation too, so they
find a superset of what it finds, and the search keeps its own condition).

The database keeps the index, not ``Member.save``, so bulk writes (imports, the demo, benchmarks) are in it.
``ensure`` makes the index after every ``migrate`` (``MembersConfig.ready``): a migration that rebuilds the
member table on SQLite drops the table's triggers, and the index must not silently fall behind.
"""

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# Beyond this many matching members, the list's own order (the sort index) finds a page of them sooner.
FEW_MATCHES = 2000

FTS_TABLE = "member_name_words"
PG_INDEX = "members_member_name_words"
_FTS_ADD = f"INSERT INTO {FTS_TABLE} (rowid, search_name) VALUES (new.id, new.search_name);"
_FTS_REMOVE = (
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_name) VALUES ('delete', old.id, old.search_name);"
)
_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"AFTER INSERT ON members_member BEGIN {_FTS_ADD} END",
    f"{FTS_TABLE}_delete": f"AFTER DELETE ON members_member BEGIN {_FTS_REMOVE} END",
    f"{FTS_TABLE}_update": (
        "AFTER UPDATE OF search_name ON members_member WHEN old.search_name IS NOT new.search_name "
        f"BEGIN {_FTS_REMOVE} {_FTS_ADD} END"
    ),
}
_PG_MATCHES = "to_tsvector('simple', members_member.search_name) @@ to_tsquery('simple', %s)"


def ensure(using: str = "default") -> None:
    """Make the index (and on SQLite its triggers) where it is missing, filled from the members."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if "members_member" not in connection.introspection.table_names(cursor):
            return
        if connection.vendor == "postgresql":
            # Asked first: even "IF NOT EXISTS" is refused in a transaction that has written members.
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [PG_INDEX])
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE INDEX {PG_INDEX} ON members_member "
                    "USING gin (to_tsvector('simple', search_name))"
                )
        elif connection.vendor == "sqlite":
            made = {FTS_TABLE, *_TRIGGERS}
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            if made <= {name for (name,) in cursor.fetchall()}:
                return
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                "USING fts5(search_name, content='members_member', content_rowid='id')"
            )
            for name, body in _TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")


def narrow(queryset: QuerySet, words: list[str]) -> QuerySet:
    """``queryset`` (of members) limited through the index to the members with a word of the name starting
    with each of ``words`` (letters and digits), when at most FEW_MATCHES members have them; unchanged when
    more do, for then the list's own order soon finds a page of them.

    The index is asked how many match, not the planner: PostgreSQL estimates a prefix ("an" for An, Anh…) far
    too low and would read every match through the index and sort them."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        matching = f"SELECT id FROM members_member WHERE {_PG_MATCHES}"
    elif connection.vendor == "sqlite":
        query = " AND ".join(f'"{word}"*' for word in words)
        matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    else:
        return queryset
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({matching} LIMIT %s) AS matching", [query, FEW_MATCHES + 1])
        if cursor.fetchone()[0] > FEW_MATCHES:
            return queryset
    return queryset.filter(pk__in=RawSQL(matching, [query]))
