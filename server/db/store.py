"""The data layer in one object: the database and a repository per aggregate."""

from __future__ import annotations

from pathlib import Path

from server.db.accounts import AccountRepo
from server.db.applications import ApplicationRepo
from server.db.audit import AuditRepo
from server.db.bookings import BookingRepo
from server.db.booth_figures import BoothFigureRepo
from server.db.booths import BoothRepo
from server.db.cards import CardRepo
from server.db.catalogue import CatalogueRepo
from server.db.chat import ChatRepo
from server.db.database import Database
from server.db.directory import DirectoryRepo
from server.db.inbox import InboxRepo
from server.db.invitations import InvitationRepo, PasswordResetRepo
from server.db.jobs import JobRepo
from server.db.likes import LikeRepo
from server.db.organizations import OrganizationRepo
from server.db.park_office import ParkOfficeRepo
from server.db.policies import PolicyRepo
from server.db.positions import PositionRepo
from server.db.profiles import ProfileRepo
from server.db.showcases import ShowcaseRepo
from server.db.signin_codes import SigninCodeRepo
from server.db.spaces import SpaceRepo
from server.db.visits import VisitRepo
from server.db.zone_figures import ZoneFigureRepo

DB_FILE = "cloudpark.sqlite3"


def default_url(data_dir: Path) -> str:
    """The zero-setup database: one SQLite file in the data folder."""
    return f"sqlite+aiosqlite:///{Path(data_dir) / DB_FILE}"


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.accounts = AccountRepo(db)
        self.orgs = OrganizationRepo(db)
        self.booths = BoothRepo(db)
        self.likes = LikeRepo(db)
        self.cards = CardRepo(db)
        self.visits = VisitRepo(db)
        self.chat = ChatRepo(db)
        self.positions = PositionRepo(db)
        self.jobs = JobRepo(db)
        self.profiles = ProfileRepo(db)
        self.invitations = InvitationRepo(db)
        self.password_resets = PasswordResetRepo(db)
        self.audit = AuditRepo(db)
        self.inbox = InboxRepo(db)
        self.directory = DirectoryRepo(db)
        self.spaces = SpaceRepo(db)
        self.park_office = ParkOfficeRepo(db)
        self.booth_figures = BoothFigureRepo(db)
        self.zone_figures = ZoneFigureRepo(db)
        self.bookings = BookingRepo(db)
        self.catalogue = CatalogueRepo(db)
        self.signin_codes = SigninCodeRepo(db)
        self.policies = PolicyRepo(db)
        self.applications = ApplicationRepo(db)
        self.showcases = ShowcaseRepo(db)

    @classmethod
    async def open(cls, url: str) -> Store:
        return cls(await Database.open(url))

    async def flush(self) -> None:
        await self.db.flush()

    async def close(self) -> None:
        await self.db.close()
