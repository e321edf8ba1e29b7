"""${message}

Revision ${up_revision}, after ${down_revision | comma,n}; written ${create_date}.
Runs inside the one transaction of ``server.db.migrate.upgrade`` on SQLite and
PostgreSQL alike: use ``op.batch_alter_table`` for anything SQLite cannot ALTER, and
declare the tables a data step touches here (``sa.table``), never from ``tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
