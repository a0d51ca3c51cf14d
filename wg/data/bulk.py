"""Bulk loading for the demo generators: COPY on PostgreSQL, Core executemany elsewhere.

psycopg's executemany sends one INSERT per row; at scale 100 the demo writes ~10 million rows
(actions, their participants, progress logs, search entries), so on PostgreSQL the rows go
through `COPY ... FROM STDIN` on the session's own connection (same transaction: a failed demo
leaves nothing behind). SQLite keeps its multi-row Core inserts (already fast there).
"""

from wg.extensions import db


def _python_defaults(table, given):
    """{column: value} for the columns left out that have a Python-side default (as a Core
    INSERT would fill them in); server defaults are the database's own under COPY too."""
    out = {}
    for column in table.c:
        if column.name in given or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            out[column.name] = default.arg
        elif default.is_callable:
            out[column.name] = default.arg(None)
    return out


def copy_rows(connection, table, rows, columns=None):
    """COPY `rows` (dicts with the same keys, or tuples in `columns` order) into `table` on a
    PostgreSQL SQLAlchemy connection; values go through the columns' bind processing (enums,
    aware UTC datetimes) exactly as in a Core insert."""
    if not rows:
        return 0
    dialect = connection.dialect
    if columns is None:
        columns = list(rows[0])
        rows = [[row[c] for c in columns] for row in rows]
    defaults = _python_defaults(table, set(columns))
    names = list(columns) + list(defaults)
    extra = list(defaults.values())
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                 "FROM STDIN")
    raw = connection.connection.driver_connection
    processed = [(i, p) for i, p in enumerate(processors) if p is not None]
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            values = list(row) + extra if extra or processed else row
            for i, p in processed:
                values[i] = p(values[i])
            write(values)
    return len(rows)


def insert_rows(table, rows, batch=20000):
    """Insert dict rows (same keys) into a Core table in the session's transaction: COPY on
    PostgreSQL, multi-row executemany batches elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, rows)
        return
    for start in range(0, len(rows), batch):
        connection.execute(table.insert(), rows[start:start + batch])
