from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Subquery

from app.kit.repository import Repository
from app.models import (
    Delivery,
    DeliveryBatch,
    FanoutDelivery,
    Friendship,
    FriendshipStatus,
    MessageRequest,
    Phase,
    ReplyToken,
    RetryKey,
    SendKind,
    User,
)
from app.models.message import FANOUT_KINDS, FANOUT_REQUEST

# Only sends that reach friends count toward the monthly quota; replies are free, and so are the
# manager's greeting, auto-replies and test sends (step messages count, as on the platform).
QUOTA_KINDS = (
    SendKind.PUSH,
    SendKind.MULTICAST,
    SendKind.BROADCAST,
    SendKind.NARROWCAST,
    SendKind.STEP,
)


class DeliveryRepository(Repository):
    async def retry_key(self, channel_pk: int, key: str, since: datetime) -> MessageRequest | None:
        return await self.session.scalar(
            select(MessageRequest)
            .join(RetryKey, RetryKey.request_pk == MessageRequest.id)
            .where(
                RetryKey.channel_pk == channel_pk,
                RetryKey.retry_key == key,
                RetryKey.created_at > since,
            )
        )

    async def forget_retry_key(self, channel_pk: int, key: str) -> None:
        """Drop an expired key so that it can be accepted again."""
        await self.session.execute(
            delete(RetryKey).where(RetryKey.channel_pk == channel_pk, RetryKey.retry_key == key)
        )

    async def request_by_id(self, channel_pk: int, request_id: str) -> MessageRequest | None:
        return await self.session.scalar(
            select(MessageRequest).where(
                MessageRequest.channel_pk == channel_pk, MessageRequest.request_id == request_id
            )
        )

    async def recipient(self, channel_pk: int, user_id: str) -> tuple[int, bool] | None:
        """The user's key and whether they follow the channel now; None for an unknown user."""
        row = (
            await self.session.execute(
                select(User.id, Friendship.status)
                .outerjoin(
                    Friendship,
                    and_(Friendship.user_pk == User.id, Friendship.channel_pk == channel_pk),
                )
                .where(User.user_id == user_id)
            )
        ).first()
        if row is None:
            return None
        return int(row[0]), row[1] == FriendshipStatus.FOLLOWING

    async def is_following(self, channel_pk: int, user_pk: int) -> bool:
        status = await self.session.scalar(
            select(Friendship.status).where(
                Friendship.channel_pk == channel_pk, Friendship.user_pk == user_pk
            )
        )
        return status == FriendshipStatus.FOLLOWING

    async def add_delivery(self, request: MessageRequest, user_pk: int, now: datetime) -> Delivery:
        return await self.add(
            Delivery(
                request_pk=request.id,
                user_pk=user_pk,
                delivered_at=now,
            )
        )

    async def reply_token(self, token: str) -> ReplyToken | None:
        return await self.session.scalar(select(ReplyToken).where(ReplyToken.token == token))

    async def use_reply_token(self, token_pk: int, now: datetime) -> bool:
        """Marks the token used; False if another request used it first."""
        result = await self.session.execute(
            update(ReplyToken)
            .where(ReplyToken.id == token_pk, ReplyToken.used_at.is_(None))
            .values(used_at=now)
        )
        return _rowcount(result) == 1

    async def usage(self, channel_pk: int, since: datetime) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(MessageRequest.success_count), 0)).where(
                MessageRequest.channel_pk == channel_pk,
                MessageRequest.kind.in_(QUOTA_KINDS),
                MessageRequest.accepted_at >= since,
            )
        )
        return int(total or 0)

    async def reserved(self, channel_pk: int, since: datetime) -> int:
        """Recipients of unfinished fan-outs not yet counted as delivered."""
        total = await self.session.scalar(
            select(
                func.coalesce(
                    func.sum(
                        func.coalesce(MessageRequest.target_count, 0) - MessageRequest.success_count
                    ),
                    0,
                )
            ).where(
                MessageRequest.channel_pk == channel_pk,
                MessageRequest.kind.in_(QUOTA_KINDS),
                MessageRequest.accepted_at >= since,
                MessageRequest.phase.in_((Phase.WAITING, Phase.SENDING)),
            )
        )
        return max(int(total or 0), 0)

    async def follower_key_range(self, channel_pk: int) -> tuple[int, int] | None:
        row = (
            await self.session.execute(
                select(func.min(Friendship.id), func.max(Friendship.id)).where(
                    Friendship.channel_pk == channel_pk,
                    Friendship.status == FriendshipStatus.FOLLOWING,
                )
            )
        ).one()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    async def count_targets(self, channel_pk: int, condition: ColumnElement[bool]) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Friendship)
                .join(User, User.id == Friendship.user_pk)
                .where(_followers(channel_pk), condition)
            )
            or 0
        )

    async def nth_target_key(
        self, channel_pk: int, condition: ColumnElement[bool], n: int
    ) -> int | None:
        """The friendship key of the n-th target in key order (for `limit.max`)."""
        return await self.session.scalar(
            select(Friendship.id)
            .join(User, User.id == Friendship.user_pk)
            .where(_followers(channel_pk), condition)
            .order_by(Friendship.id)
            .offset(n - 1)
            .limit(1)
        )

    async def claim_batch(self, batch_pk: int) -> DeliveryBatch | None:
        """Marks a batch done inside the caller's transaction; None if it already was.

        Whoever claims it inserts its deliveries in the same transaction, so a crash undoes
        both and a second run finds it done: exactly one copy per recipient.
        """
        result = await self.session.execute(
            update(DeliveryBatch)
            .where(DeliveryBatch.id == batch_pk, DeliveryBatch.done.is_(False))
            .values(done=True)
        )
        if _rowcount(result) != 1:
            return None
        return await self.session.get(DeliveryBatch, batch_pk)

    async def relax_commit(self) -> None:
        """Let this transaction's commit return before its WAL reaches disk (Postgres).

        A batch's deliveries and its done mark commit together, so losing such a commit in a
        crash loses both, and the reconciler delivers the batch again: still exactly once.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SET LOCAL synchronous_commit TO OFF"))

    async def pending_batches(self) -> list[int]:
        rows = await self.session.scalars(
            select(DeliveryBatch.id).where(DeliveryBatch.done.is_(False)).order_by(DeliveryBatch.id)
        )
        return list(rows)

    async def deliver_range(
        self,
        request: MessageRequest,
        lo: int,
        hi: int,
        condition: ColumnElement[bool],
        now: datetime,
        *,
        needs_users: bool,
    ) -> int:
        table = FanoutDelivery if request.kind in FANOUT_KINDS else Delivery
        chosen = select(
            literal(request.id),
            Friendship.user_pk,
            literal(now, type_=table.__table__.c.delivered_at.type),
        ).where(_followers(request.channel_pk), Friendship.id.between(lo, hi), condition)
        if needs_users:
            chosen = chosen.join(User, User.id == Friendship.user_pk)
        result = await self.session.execute(
            insert(table).from_select(["request_pk", "user_pk", "delivered_at"], chosen)
        )
        return _rowcount(result)

    async def finish_batch(self, batch: DeliveryBatch, delivered: int, now: datetime) -> None:
        batch.delivered = delivered
        left = MessageRequest.batches_left - 1
        await self.session.execute(
            update(MessageRequest)
            .where(MessageRequest.id == batch.request_pk)
            .values(
                success_count=MessageRequest.success_count + delivered,
                batches_left=left,
                phase=_case_done(left, Phase.SUCCEEDED, MessageRequest.phase),
                completed_at=_case_done(left, now, MessageRequest.completed_at),
            )
        )

    async def inbox(
        self, channel_pk: int, user_pk: int, after: datetime | None, latest: int | None = None
    ) -> list[tuple[Delivery | FanoutDelivery, MessageRequest]]:
        """Oldest first: by delivery time, then by the order the requests were accepted; only
        the `latest` deliveries when given.

        The user's own deliveries come by the user's key; fan-outs by visiting the channel's
        fan-out requests (few) and looking the user up in each.
        """
        direct = (
            select(Delivery, MessageRequest)
            .join(MessageRequest, MessageRequest.id == Delivery.request_pk)
            .where(Delivery.user_pk == user_pk, MessageRequest.channel_pk == channel_pk)
        )
        fanned = (
            select(FanoutDelivery, MessageRequest)
            .join(
                FanoutDelivery,
                and_(
                    FanoutDelivery.request_pk == MessageRequest.id,
                    FanoutDelivery.user_pk == user_pk,
                ),
            )
            .where(MessageRequest.channel_pk == channel_pk, FANOUT_REQUEST)
        )
        if after is not None:
            direct = direct.where(Delivery.delivered_at > after)
            fanned = fanned.where(FanoutDelivery.delivered_at > after)
        if latest is not None:
            # The latest of each table; the latest of both are among them.
            direct = direct.order_by(
                Delivery.delivered_at.desc(), Delivery.request_pk.desc()
            ).limit(latest)
            fanned = fanned.order_by(
                FanoutDelivery.delivered_at.desc(), FanoutDelivery.request_pk.desc()
            ).limit(latest)
        rows: list[tuple[Delivery | FanoutDelivery, MessageRequest]] = []
        for query in (direct, fanned):
            rows.extend((row[0], row[1]) for row in await self.session.execute(query))
        rows.sort(key=lambda row: (row[0].delivered_at, row[0].request_pk))
        return rows if latest is None else rows[-latest:]

    async def reached_one_on_one_since(
        self, channel_pk: int, user_pk: int, since: datetime
    ) -> bool:
        """Whether any message of the channel reached the user's one-on-one chat since then."""
        direct = (
            select(Delivery.request_pk)
            .join(MessageRequest, MessageRequest.id == Delivery.request_pk)
            .where(
                Delivery.user_pk == user_pk,
                Delivery.delivered_at >= since,
                MessageRequest.channel_pk == channel_pk,
                MessageRequest.group_pk.is_(None),
                MessageRequest.room_pk.is_(None),
            )
            .limit(1)
        )
        fanned = (
            select(FanoutDelivery.request_pk)
            .join(MessageRequest, MessageRequest.id == FanoutDelivery.request_pk)
            .where(
                FanoutDelivery.user_pk == user_pk,
                FanoutDelivery.delivered_at >= since,
                MessageRequest.channel_pk == channel_pk,
                FANOUT_REQUEST,
            )
            .limit(1)
        )
        for query in (direct, fanned):
            if await self.session.scalar(query) is not None:
                return True
        return False


def every_delivery() -> Subquery:
    """Both tables of deliveries as one (request_pk, user_pk, delivered_at): for counting and
    checking, not for hot paths, which query the table that holds their kind."""
    return union_all(
        select(Delivery.request_pk, Delivery.user_pk, Delivery.delivered_at),
        select(FanoutDelivery.request_pk, FanoutDelivery.user_pk, FanoutDelivery.delivered_at),
    ).subquery("every_delivery")


def delivered_to(request_pk: int, user_pk: int) -> Select[tuple[bool]]:
    """Whether a request reached a user, whichever table holds its kind (a keyed probe each)."""
    return select(
        or_(
            exists().where(Delivery.user_pk == user_pk, Delivery.request_pk == request_pk),
            exists().where(
                FanoutDelivery.request_pk == request_pk, FanoutDelivery.user_pk == user_pk
            ),
        )
    )


def recipients_of_request(request_pk: int) -> CompoundSelect[tuple[int]]:
    """The users an earlier request reached, from whichever table holds its kind."""
    return union_all(
        select(Delivery.user_pk).where(Delivery.request_pk == request_pk),
        select(FanoutDelivery.user_pk).where(FanoutDelivery.request_pk == request_pk),
    )


def _followers(channel_pk: int) -> ColumnElement[bool]:
    return and_(
        Friendship.channel_pk == channel_pk, Friendship.status == FriendshipStatus.FOLLOWING
    )


def _case_done(left: Any, done_value: Any, otherwise: Any) -> Any:
    return case((left <= 0, done_value), else_=otherwise)


def _rowcount(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0
