"""search speed: a narrow copy of the filter columns (SQLite) and the newest-first order index

A search for a common word matches tens of thousands of index rows; the facet counts must look
at every one of them (its type and who may see it). SQLite reads each match's row of
search_documents for that, and those rows are wide (title and body), so each lookup lands on a
different page. search_scopes holds only the columns the permission filter and the facets read
(about 20 bytes a row), kept in step by triggers like the FTS5 table; the counts read it instead.
On PostgreSQL the count stays one bitmap scan (GIN index AND the group index, then the heap):
a copy would not spare the heap, the tsvector being the wide column.

ix_search_documents_newest serves the newest-first listing of large result sets: the page is
read by walking this index from the newest row, stopping after one page, instead of sorting
every match.

Revision ID: 0024_search_speed
Revises: 0023_list_speed
Create Date: 2026-11-28 17:45:00

"""
from alembic import op

revision = '0024_search_speed'
down_revision = '0023_list_speed'
branch_labels = None
depends_on = None

COLUMNS = "id, source_type, visibility, group_id, strict_participant_id"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_search_documents_newest ON search_documents "
                   "(updated_at DESC NULLS LAST, id DESC)")
        return
    op.execute("CREATE INDEX ix_search_documents_newest ON search_documents (updated_at, id)")
    op.execute("CREATE TABLE search_scopes (id INTEGER PRIMARY KEY, source_type TEXT NOT NULL, "
               "visibility TEXT NOT NULL, group_id INTEGER, strict_participant_id INTEGER)")
    op.execute(f"INSERT INTO search_scopes ({COLUMNS}) SELECT {COLUMNS} FROM search_documents")
    new = "new.id, new.source_type, new.visibility, new.group_id, new.strict_participant_id"
    op.execute("CREATE TRIGGER search_scopes_ai AFTER INSERT ON search_documents BEGIN "
               f"INSERT INTO search_scopes ({COLUMNS}) VALUES ({new}); END")
    op.execute("CREATE TRIGGER search_scopes_ad AFTER DELETE ON search_documents BEGIN "
               "DELETE FROM search_scopes WHERE id = old.id; END")
    op.execute("CREATE TRIGGER search_scopes_au AFTER UPDATE ON search_documents BEGIN "
               "DELETE FROM search_scopes WHERE id = old.id; "
               f"INSERT INTO search_scopes ({COLUMNS}) VALUES ({new}); END")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_scopes_{name}")
        op.execute("DROP TABLE IF EXISTS search_scopes")
    op.execute("DROP INDEX IF EXISTS ix_search_documents_newest")
