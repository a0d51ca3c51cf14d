"""search: one index table over the coalition's records, full-text by dialect

SQLite: search_documents plus an FTS5 external-content table search_fts (unicode61,
remove_diacritics 2) kept in step by triggers. PostgreSQL: a tsvector column (the 'simple'
configuration over accent-folded text, written with each row) under a GIN index.
Chinese is not segmented by either tokenizer: CJK terms are matched with LIKE (wg/search/index.py).

Revision ID: 0019_search
Revises: 0020_sensitivity
Create Date: 2026-11-28 15:15:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0019_search'
down_revision = '0020_sensitivity'
branch_labels = None
depends_on = None


def upgrade():
    pg = op.get_bind().dialect.name == "postgresql"
    columns = [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_type", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("visibility", sa.String(12), nullable=False),
        sa.Column("title", sa.String(400), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("url_endpoint", sa.String(60), nullable=False),
        sa.Column("url_id", sa.Integer(), nullable=False),
        sa.Column("url_anchor", sa.String(40), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("strict_participant_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("source_type", "source_id", name="uq_search_documents_source"),
    ]
    if pg:
        columns.append(sa.Column("tsv", postgresql.TSVECTOR(), nullable=True))
    op.create_table("search_documents", *columns)
    op.create_index("ix_search_documents_group", "search_documents", ["group_id", "visibility"])
    op.create_index("ix_search_documents_url", "search_documents", ["url_endpoint", "url_id"])
    if pg:
        op.create_index("ix_search_documents_tsv", "search_documents", ["tsv"],
                        postgresql_using="gin")
        return
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
               "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
               "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
    op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, title, body) "
               "VALUES ('delete', old.id, old.title, old.body); END")
    op.execute("CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, title, body) "
               "VALUES ('delete', old.id, old.title, old.body); "
               "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_documents_{name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.drop_index("ix_search_documents_tsv", table_name="search_documents")
    op.drop_index("ix_search_documents_url", table_name="search_documents")
    op.drop_index("ix_search_documents_group", table_name="search_documents")
    op.drop_table("search_documents")
