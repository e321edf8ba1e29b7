"""The data layer: SQLAlchemy Core over SQLite (default) or PostgreSQL, Alembic migrations.

``await Store.open(url)`` gives the database (``.db``) and one repository per
aggregate; see ``docs/data.md``.
"""

from server.db.database import Database, StoreClosed
from server.db.store import Store, default_url

__all__ = ["Database", "Store", "StoreClosed", "default_url"]
