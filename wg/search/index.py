"""The search index: a registry of source types and its upkeep inside each flush.

Every indexed type registers ONE function returning an Entry for one object (or None when the
object is not to be found). Session events collect new, changed and deleted objects of the
registered classes before each flush and write their index rows after it, on the same
connection, so the index commits or rolls back with the records themselves: no service can
forget it.

Adding a source (e.g. documents, wg/documents): in wg/search/sources.py write

    @register("document", "wg.documents.models:Document")
    def _document(doc):
        return Entry(doc.group_id, "group", doc.title, extracted_text(doc),
                     "documents.detail", doc.id, updated_at=doc.updated_at)

then add its label to TYPE_LABELS (wg/search/services.py) and run `flask wg search-reindex`
once. The visibility keys are listed in wg/search/services.py (visibility_clause).
"""

import importlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from wg.db_types import UTCDateTime, utcnow


@dataclass
class Entry:
    group_id: int | None  # None: coalition-wide
    visibility: str  # 'all' | 'group' | 'viewers' | 'chairs' | 'recorders'
    title: str
    body: str
    url_endpoint: str
    url_id: int
    url_anchor: str = ""
    updated_at: datetime | None = None
    # An AMBER+STRICT item: only this participant's people (and coordinators) may find it.
    strict_participant_id: int | None = None


@dataclass
class Source:
    type: str
    model_path: str
    build: callable
    # Other (type, id) keys to refresh when an object of this type changes (e.g. a meeting's
    # agenda items follow its agenda publication).
    related: callable = None
    load: tuple = ()  # relationships the build function reads (eager-loaded by reindex)

    @property
    def model(self):
        module, name = self.model_path.split(":")
        return getattr(importlib.import_module(module), name)


SOURCES: dict[str, Source] = {}


def register(source_type, model_path, related=None, load=()):
    def wrap(build):
        SOURCES[source_type] = Source(source_type, model_path, build, related, tuple(load))
        return build
    return wrap


def fold(value):
    """Accents and other combining marks dropped, lower case (for the PostgreSQL tsvector)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _table():
    from wg.search.models import SearchDocument

    return SearchDocument.__table__


def _types_by_class():
    from wg.search import sources  # noqa: F401  (registers the sources)

    by_class = {}
    for src in SOURCES.values():
        by_class.setdefault(src.model, []).append(src)
    return by_class


def write(connection, source, obj, new=False):
    """Insert, update or remove the index row of one object (`new`: created in this flush:
    written with one upsert instead of a look-up and an insert, for every progress entry)."""
    table = _table()
    entry = source.build(obj)
    key = (table.c.source_type == source.type) & (table.c.source_id == obj.id)
    if entry is None:
        connection.execute(delete(table).where(key))
        return
    values = dict(group_id=entry.group_id, visibility=entry.visibility,
                  title=(entry.title or "")[:400], body=entry.body or "",
                  url_endpoint=entry.url_endpoint, url_id=entry.url_id,
                  url_anchor=entry.url_anchor, updated_at=entry.updated_at or utcnow(),
                  strict_participant_id=entry.strict_participant_id)
    if new:
        # One upsert: a row left under the same key (an id SQLite reused after a delete that
        # went around the session) is overwritten rather than refused.
        upsert = _dialect_insert(connection)(table).values(
            source_type=source.type, source_id=obj.id, **values)
        existing = connection.scalar(upsert.on_conflict_do_update(
            index_elements=[table.c.source_type, table.c.source_id], set_=values)
            .returning(table.c.id))
    elif (existing := connection.scalar(select(table.c.id).where(key))) is None:
        existing = connection.execute(insert(table).values(
            source_type=source.type, source_id=obj.id, **values)).inserted_primary_key[0]
    else:
        connection.execute(update(table).where(table.c.id == existing).values(**values))
    if connection.dialect.name == "postgresql":
        # The tsvector (not mapped: SQLite has no such column) over accent-folded text.
        connection.execute(text(
            "UPDATE search_documents SET tsv = setweight(to_tsvector('simple', :t), 'A') || "
            "to_tsvector('simple', :b) WHERE id = :id"),
            {"t": fold(values["title"]), "b": fold(values["body"]), "id": existing})


def _dialect_insert(connection):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def remove(connection, source_type, source_id):
    table = _table()
    connection.execute(delete(table).where((table.c.source_type == source_type)
                                           & (table.c.source_id == source_id)))


def _row(source, obj, entry):
    return dict(source_type=source.type, source_id=obj.id, group_id=entry.group_id,
                visibility=entry.visibility, title=(entry.title or "")[:400],
                body=entry.body or "", url_endpoint=entry.url_endpoint, url_id=entry.url_id,
                url_anchor=entry.url_anchor, updated_at=entry.updated_at or utcnow(),
                strict_participant_id=entry.strict_participant_id)


def reindex(session, batch=2000):
    """Rebuild the whole index from the records (flask wg search-reindex, the demo), in
    batches of multi-row inserts; on PostgreSQL the bulk sources (actions and their progress
    entries, millions of rows at scale 100) are written by one INSERT ... SELECT each, and the
    secondary indexes are rebuilt once at the end instead of row by row."""
    from sqlalchemy.orm import selectinload

    connection = session.connection()
    table = _table()
    connection.execute(delete(table))
    pg = connection.dialect.name == "postgresql"
    if pg:
        indexes = _drop_secondary_indexes(connection)
    statement = insert(table)
    count = 0
    python_ranges, sql_ranges = [], []
    sql_sources = SQL_SOURCES if pg else SQLITE_SOURCES
    for source in [s for sources in _types_by_class().values() for s in sources]:
        first = _last_id(connection) if pg else 0
        if source.type in sql_sources:
            # SQLite: the FTS5 table and search_scopes follow by their triggers.
            count += _insert_select(connection, sql_sources[source.type])
            if pg:
                sql_ranges.append((first, _last_id(connection)))
            continue
        model = source.model
        query = select(model).order_by(model.id).options(
            *[selectinload(getattr(model, rel)) for rel in source.load])
        last = 0
        while True:
            objs = session.scalars(query.where(model.id > last).limit(batch)).all()
            if not objs:
                break
            last = objs[-1].id
            rows = [_row(source, obj, entry) for obj in objs
                    if (entry := source.build(obj)) is not None]
            if rows:
                connection.execute(statement, rows)
                count += len(rows)
        if pg:
            python_ranges.append((first, _last_id(connection)))
    if pg:
        for first, last in python_ranges:
            _refresh_tsv(connection, first, last)
        for first, last in sql_ranges:
            _refresh_tsv(connection, first, last, missing_only=True)
        _create_indexes(connection, indexes)
    else:
        # Merge the FTS5 index's many segments (written batch by batch) into one: searches on
        # a freshly rebuilt scale-10 index took about twice as long before (1-2 s here).
        connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    return count


def _insert_select(connection, sql):
    """Run one of the SQL sources below; returns the rows it indexed."""
    params = [bindparam("now", utcnow(), type_=UTCDateTime())]
    if ":blank" in sql:
        params.append(bindparam("blank", _WHITE_SPACE))
    return connection.execute(text(sql).bindparams(*params)).rowcount


def _last_id(connection):
    return connection.scalar(text("SELECT COALESCE(MAX(id), 0) FROM search_documents"))


# The tsvector in SQL where the text is plain ASCII (fold() changes nothing there but the case,
# which the 'simple' configuration lowers anyway); NULL otherwise, and _refresh_tsv then folds
# those rows in Python.
_TSV_SQL = ("CASE WHEN octet_length({t}) = char_length({t}) AND octet_length({b}) = "
            "char_length({b}) THEN setweight(to_tsvector('simple', {t}), 'A') || "
            "to_tsvector('simple', {b}) END")
_COLUMNS = ("source_type, source_id, group_id, visibility, title, body, url_endpoint, url_id, "
            "url_anchor, updated_at, strict_participant_id, tsv")
# SQL twins of the "action" and "progress" builders in wg/search/sources.py (same entries;
# tests/search compares them with the Python path on PostgreSQL).
SQL_SOURCES = {
    "action": (
        f"INSERT INTO search_documents ({_COLUMNS}) "
        "SELECT 'action', a.id, a.group_id, 'group', v.t, v.b, 'actions.detail', a.id, '', "
        "COALESCE(a.last_activity_at, a.updated_at, :now), CASE WHEN a.sensitivity = 'AMBER_STRICT' "
        "THEN a.sensitivity_participant_id END, " + _TSV_SQL.format(t="v.t", b="v.b") + " "
        "FROM action_items AS a CROSS JOIN LATERAL (SELECT left(COALESCE(a.title, ''), 400) "
        "AS t, COALESCE(a.description, '') AS b) AS v ORDER BY a.id"),
    # A progress entry is indexed when its note has more than white space.
    "progress": (
        f"INSERT INTO search_documents ({_COLUMNS}) "
        "SELECT 'progress', l.id, a.group_id, 'group', v.t, l.note, 'actions.detail', a.id, "
        "'', COALESCE(l.created_at, :now), CASE WHEN a.sensitivity = 'AMBER_STRICT' "
        "THEN a.sensitivity_participant_id END, " + _TSV_SQL.format(t="v.t", b="l.note") + " "
        "FROM progress_logs AS l JOIN action_items AS a ON a.id = l.action_id "
        "CROSS JOIN LATERAL (SELECT left(COALESCE(a.title, ''), 400) AS t) AS v "
        "WHERE btrim(l.note, :blank) <> '' ORDER BY l.id"),
}


# Every character str.strip() takes away (a progress note of only these is not indexed).
_WHITE_SPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_SQLITE_COLUMNS = _COLUMNS.removesuffix(", tsv")
# SQLite twins of SQL_SOURCES (the builders in wg/search/sources.py, tested against them):
# building a million index rows in Python was most of the demo's generation time.
SQLITE_SOURCES = {
    "action": (
        f"INSERT INTO search_documents ({_SQLITE_COLUMNS}) "
        "SELECT 'action', a.id, a.group_id, 'group', substr(COALESCE(a.title, ''), 1, 400), "
        "COALESCE(a.description, ''), 'actions.detail', a.id, '', COALESCE(a.last_activity_at, a.updated_at, :now), "
        "CASE WHEN a.sensitivity = 'AMBER_STRICT' THEN a.sensitivity_participant_id END "
        "FROM action_items AS a ORDER BY a.id"),
    "progress": (
        f"INSERT INTO search_documents ({_SQLITE_COLUMNS}) "
        "SELECT 'progress', l.id, a.group_id, 'group', substr(COALESCE(a.title, ''), 1, 400), "
        "l.note, 'actions.detail', a.id, '', COALESCE(l.created_at, :now), "
        "CASE WHEN a.sensitivity = 'AMBER_STRICT' THEN a.sensitivity_participant_id END "
        "FROM progress_logs AS l JOIN action_items AS a ON a.id = l.action_id "
        "WHERE trim(l.note, :blank) <> '' ORDER BY l.id"),
}


def _drop_secondary_indexes(connection):
    """PostgreSQL: drop search_documents' indexes that back no constraint (the GIN index on
    tsv among them) for the bulk load; returns their definitions for _create_indexes. Inside
    the reindex's transaction, so a failure puts them back."""
    rows = connection.execute(text(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
        "JOIN pg_class AS c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'search_documents'::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)"
    )).all()
    for name, _definition in rows:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _name, definition in rows]


def _create_indexes(connection, definitions):
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for definition in definitions:
        connection.execute(text(definition))


def _refresh_tsv(connection, first=0, last=2**31 - 1, missing_only=False, batch=5000):
    """PostgreSQL: write the tsvector of the rows with first < id <= last (folded in Python,
    like write()); `missing_only`: only those left NULL by the SQL sources."""
    missing = " AND tsv IS NULL" if missing_only else ""
    while True:
        rows = connection.execute(text(
            "SELECT id, title, body FROM search_documents WHERE id > :first AND id <= :last"
            f"{missing} ORDER BY id LIMIT :n"), {"first": first, "last": last, "n": batch}).all()
        if not rows:
            return
        first = rows[-1].id
        # One UPDATE per batch (arrays unnested), not one per row: the same Python fold() and
        # the same tsvector expression as write(), far fewer round trips at scale 100.
        connection.execute(text(
            "UPDATE search_documents AS d SET tsv = setweight(to_tsvector('simple', v.t), 'A') "
            "|| to_tsvector('simple', v.b) "
            "FROM unnest(CAST(:ids AS integer[]), CAST(:ts AS text[]), CAST(:bs AS text[])) "
            "AS v(id, t, b) WHERE d.id = v.id"),
            {"ids": [r.id for r in rows], "ts": [fold(r.title) for r in rows],
             "bs": [fold(r.body) for r in rows]})


_PENDING = "wg_search_pending"


@event.listens_for(Session, "before_flush")
def _collect(session, flush_context, instances):
    by_class = _types_by_class()
    pending = session.info.setdefault(_PENDING, {"write": [], "remove": set()})
    for new, objs in ((True, session.new), (False, session.dirty)):
        for obj in objs:
            for source in by_class.get(type(obj), ()):
                pending["write"].append((source, obj, new))
    for obj in session.deleted:
        for source in by_class.get(type(obj), ()):
            if obj.id is None:
                continue
            pending["remove"].add((source.type, obj.id))
            if source.related:
                pending["remove"].update(source.related(obj, deleted=True))


@event.listens_for(Session, "after_flush_postexec")
def _apply(session, flush_context):
    """Write the collected rows once the flush is complete (identity map settled): building an
    entry may load related rows (a meeting's agenda items), which inside `after_flush` would
    load objects the flush has not registered yet."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    with session.no_autoflush:
        removed = pending["remove"]
        for source_type, source_id in removed:
            remove(connection, source_type, source_id)
        done = set()
        for source, obj, new in pending["write"]:
            state = inspect(obj)
            if state.deleted or state.was_deleted or (source.type, obj.id) in done \
                    or obj.id is None:
                continue
            done.add((source.type, obj.id))
            write(connection, source, obj, new=new and (source.type, obj.id) not in removed)
            for related_source, related in (source.related(obj) if source.related else ()):
                if (related_source.type, related.id) not in done:
                    done.add((related_source.type, related.id))
                    write(connection, related_source, related)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_PENDING, None)


def alembic_include_object(obj, name, type_, reflected, compare_to):
    """Schema comparisons skip what only the database engine owns: the FTS5 table and its
    shadow tables (SQLite) and the tsvector column (PostgreSQL), both made by migration 0019;
    the trigger-kept search_scopes (SQLite) and the newest-first index of 0024_search_speed."""
    if type_ == "table" and name and (name.startswith("search_fts") or name == "search_scopes"):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None \
            and obj.table.name == "search_documents":
        return False
    if type_ == "index" and name in ("ix_search_documents_tsv", "ix_search_documents_newest"):
        return False
    return True
