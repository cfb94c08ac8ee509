import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class AudienceType(enum.StrEnum):
    UPLOAD = "UPLOAD"
    CLICK = "CLICK"
    IMP = "IMP"
    CHAT_TAG = "CHAT_TAG"


class AudienceStatus(enum.StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    READY = "READY"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    INACTIVE = "INACTIVE"
    ACTIVATING = "ACTIVATING"


class AudienceFailedType(enum.StrEnum):
    AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT = "AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# Longer than `str_enum`'s 24 characters.
FAILED_TYPE = Enum(
    AudienceFailedType,
    name="audience_failed_type",
    native_enum=False,
    create_constraint=True,
    length=40,
    values_callable=lambda members: [m.value for m in members],
)


class AudienceJobStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    WORKING = "WORKING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"


class Audience(IntKeyMixin, Base):
    """An audience of one channel; its `audienceGroupId` is derived from the key."""

    __tablename__ = "audiences"
    __table_args__ = (Index("ix_audiences_channel_created", "channel_pk", "created_at"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    type: Mapped[AudienceType] = mapped_column(str_enum(AudienceType, "audience_type"))
    description: Mapped[str] = mapped_column(String(120))
    status: Mapped[AudienceStatus] = mapped_column(str_enum(AudienceStatus, "audience_status"))
    failed_type: Mapped[AudienceFailedType | None] = mapped_column(FAILED_TYPE)
    is_ifa: Mapped[bool] = mapped_column(Boolean, default=False)
    # Click- and impression-based audiences: the send whose engagement they were built from.
    request_id: Mapped[str | None] = mapped_column(String(36))
    click_url: Mapped[str | None] = mapped_column(Text)
    audience_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # IN_PROGRESS becomes READY once Kizuna's clock passes this (read time, not a timer, so
    # advancing the clock through the control plane makes it happen).
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AudienceJob(IntKeyMixin, Base):
    """One upload of ids into an audience (`jobs[]`, type DIFF_ADD)."""

    __tablename__ = "audience_jobs"

    audience_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("audiences.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AudienceJobStatus] = mapped_column(
        str_enum(AudienceJobStatus, "audience_job_status")
    )
    failed_type: Mapped[AudienceFailedType | None] = mapped_column(FAILED_TYPE)
    audience_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finishes_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AudienceMember(Base):
    """A user ID or IFA in an audience, as uploaded (or as recorded engagement found it).

    Built for loading 1.5 million rows in seconds: no key or unique index (a random-order
    b-tree insert per row was most of the cost), so uploads dedupe in SQL as they insert; on
    Postgres a BRIN index for the audience, whose keys mostly grow, and no foreign key (like
    deliveries); deleting an audience deletes its members explicitly.
    """

    __tablename__ = "audience_members"
    __table_args__ = (
        Index("ix_audience_members_audience_pk", "audience_pk", postgresql_using="brin"),
    )
    __mapper_args__ = {"primary_key": ("audience_pk", "member_id")}  # noqa: RUF012

    audience_pk: Mapped[int] = mapped_column(BigIntKey)
    member_id: Mapped[str] = mapped_column(String(64))


class AudienceShare(Base):
    """An audience shared with another channel (what Business Manager does on the platform)."""

    __tablename__ = "audience_shares"

    audience_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True
    )
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)
