"""The data revision: one counter that every committed change to the portal's data moves on."""

from __future__ import annotations

from sqlalchemy import BigInteger, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class DataRevision(Base):
    """A single row whose value grows with each committed write; cached pages key on it."""

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# The current revision; no row yet reads as None, which means 0.
REVISION = select(DataRevision.value).where(DataRevision.id == 1)
