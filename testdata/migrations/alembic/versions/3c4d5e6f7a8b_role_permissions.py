"""role permissions

Revision ID: 3c4d5e6f7a8b
Revises: 2b3c4d5e6f7a
Create Date: 2024-01-07 12:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c4d5e6f7a8b'
down_revision = '2b3c4d5e6f7a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own')")
    op.execute("""
        CREATE TABLE role_permissions (
            role_id       integer NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
            permission_id integer NOT NULL REFERENCES permissions (id),
            scope         permission_scope NOT NULL DEFAULT 'global',
            PRIMARY KEY (role_id, permission_id, scope)
        )
    """)


def downgrade():
    op.execute("DROP TABLE role_permissions")
    op.execute("DROP TYPE permission_scope")
