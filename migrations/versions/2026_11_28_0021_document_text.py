"""documents' extracted text (for search) and their own TLP label

document_versions.text: the text extracted at upload from a PDF, DOCX or plain-text file
(bounded, see wg/documents/text.py); NULL when nothing was extracted.
documents.sensitivity: the document's own TLP 2.0 label; NULL means it inherits its parent's.
sensitivity_participant_id: the owning participant of an AMBER+STRICT document.

Revision ID: 0021_document_text
Revises: 0018_documents
Create Date: 2026-11-28 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_document_text'
down_revision = '0018_documents'
branch_labels = None
depends_on = None

FK = "fk_documents_sensitivity_participant_id_participants"


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    # Plain ADD COLUMN (no batch table copy): on SQLite a copy of `documents` would cascade
    # to its versions.
    op.add_column("document_versions", sa.Column("text", sa.Text(), nullable=True))
    op.add_column("documents", sa.Column("sensitivity", sa.String(length=20), nullable=True))
    if _sqlite():  # SQLite adds a column with its REFERENCES, never a constraint later
        op.execute(f"ALTER TABLE documents ADD COLUMN sensitivity_participant_id INTEGER "
                   f"CONSTRAINT {FK} REFERENCES participants (id)")
    else:
        op.add_column("documents", sa.Column("sensitivity_participant_id", sa.Integer(),
                                              nullable=True))
        op.create_foreign_key(FK, "documents", "participants", ["sensitivity_participant_id"],
                              ["id"])


def downgrade():
    if _sqlite():
        # The table copy of batch mode, with foreign keys off so that no cascade runs.
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("documents") as batch:
        if not _sqlite():
            batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("sensitivity_participant_id")
        batch.drop_column("sensitivity")
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("text")
    if _sqlite():
        op.execute("PRAGMA foreign_keys=ON")
