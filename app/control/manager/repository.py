"""SQL of the manager features: rules and keywords, scenarios and their due steps, sends,
campaign statistics."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    func,
    insert,
    literal,
    not_,
    select,
    true,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute

from app.kit.repository import Repository
from app.models import (
    Campaign,
    Delivery,
    Engagement,
    EngagementKind,
    FanoutDelivery,
    Friendship,
    FriendshipStatus,
    ManagerRequest,
    ManagerSend,
    ManagerSettings,
    ManagerSource,
    MessageRequest,
    Operator,
    ResponseKeyword,
    ResponseRule,
    ScenarioEntry,
    SendStatus,
    Step,
    StepDelivery,
    StepScenario,
    User,
)


@dataclass(frozen=True)
class Figures:
    """What a campaign (or a send, or one variant of it) achieved."""

    requests: int
    delivered: int
    open_count: int
    unique_opens: int
    click_count: int
    unique_clicks: int
    last_sent_at: datetime | None


NO_FIGURES = Figures(0, 0, 0, 0, 0, 0, None)


class ManagerRepository(Repository):
    # --- settings, operators ----------------------------------------------------------------

    async def settings(self, channel_pk: int) -> ManagerSettings | None:
        return await self.session.get(ManagerSettings, channel_pk)

    async def operators(self, channel_pk: int) -> Sequence[tuple[User, bool]]:
        """The operators and whether each follows the account now."""
        rows = await self.session.execute(
            select(User, Friendship.status)
            .join(Operator, Operator.user_pk == User.id)
            .outerjoin(
                Friendship,
                and_(Friendship.user_pk == User.id, Friendship.channel_pk == channel_pk),
            )
            .where(Operator.channel_pk == channel_pk)
            .order_by(User.user_id)
        )
        return [(row[0], row[1] == FriendshipStatus.FOLLOWING) for row in rows]

    async def set_operators(self, channel_pk: int, user_pks: list[int]) -> None:
        await self.session.execute(delete(Operator).where(Operator.channel_pk == channel_pk))
        for user_pk in sorted(set(user_pks)):
            self.session.add(Operator(channel_pk=channel_pk, user_pk=user_pk))
        await self.session.flush()

    async def users_by_id(self, user_ids: list[str]) -> dict[str, User]:
        rows = await self.session.scalars(select(User).where(User.user_id.in_(user_ids)))
        return {user.user_id: user for user in rows}

    # --- campaigns --------------------------------------------------------------------------

    async def campaign(self, channel_pk: int, campaign_pk: int) -> Campaign | None:
        campaign = await self.session.get(Campaign, campaign_pk)
        return campaign if campaign is not None and campaign.channel_pk == channel_pk else None

    async def campaign_by_label(self, channel_pk: int, label: str) -> Campaign | None:
        return await self.session.scalar(
            select(Campaign).where(Campaign.channel_pk == channel_pk, Campaign.label == label)
        )

    async def campaigns(self, channel_pk: int) -> Sequence[Campaign]:
        rows = await self.session.scalars(
            select(Campaign).where(Campaign.channel_pk == channel_pk).order_by(Campaign.id)
        )
        return list(rows)

    async def link(
        self,
        request: MessageRequest,
        source: Any,
        source_pk: int | None,
        campaign_pk: int | None,
        variant: int | None = None,
    ) -> None:
        self.session.add(
            ManagerRequest(
                request_pk=request.id,
                channel_pk=request.channel_pk,
                source=source,
                source_pk=source_pk,
                variant=variant,
                campaign_pk=campaign_pk,
                sent_at=request.accepted_at,
            )
        )
        await self.session.flush()

    async def figures(self, scope: ColumnElement[bool]) -> Figures:
        """What the manager's requests in `scope` (a condition on ManagerRequest) achieved."""
        return (await self.figures_by(scope)).get((), NO_FIGURES)

    async def figures_by(
        self, scope: ColumnElement[bool], *keys: InstrumentedAttribute[Any]
    ) -> dict[tuple[Any, ...], Figures]:
        """Counted in SQL over the manager's requests in `scope`, per value of `keys` (columns
        of ManagerRequest): recipients delivered, opens and clicks recorded for them. Four
        statements however many groups; a group with no request is missing."""
        counted = await self.session.execute(
            select(*keys, func.count(), func.max(ManagerRequest.sent_at))
            .where(scope)
            .group_by(*keys)
        )
        # Broadcasts and narrowcasts land in the fan-out table, the rest in deliveries: counted
        # in each (a union of both would be read whole, every channel's, before the join).
        delivered: dict[tuple[Any, ...], int] = {}
        for table in (Delivery, FanoutDelivery):
            rows = await self.session.execute(
                select(*keys, func.count())
                .select_from(table)
                .join(ManagerRequest, ManagerRequest.request_pk == table.request_pk)
                .where(scope)
                .group_by(*keys)
            )
            for row in rows:
                key = tuple(row[: len(keys)])
                delivered[key] = delivered.get(key, 0) + int(row[len(keys)])
        # Unique per delivery: a user who opened two messages of the campaign counts twice, as
        # they were delivered twice.
        pairs = (
            select(*keys, Engagement.kind, func.count().label("times"))
            .join(ManagerRequest, ManagerRequest.request_pk == Engagement.request_pk)
            .where(scope)
            .group_by(*keys, Engagement.kind, Engagement.request_pk, Engagement.user_pk)
            .subquery()
        )
        pair_keys = [pairs.c[key.key] for key in keys]
        engaged = await self.session.execute(
            select(*pair_keys, pairs.c.kind, func.sum(pairs.c.times), func.count()).group_by(
                *pair_keys, pairs.c.kind
            )
        )
        width = len(keys)
        sums: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in counted:
            if row[width]:
                sums[tuple(row[:width])] = {"requests": int(row[width]), "last": row[width + 1]}
        for key, count in delivered.items():
            sums.setdefault(key, {})["delivered"] = count
        for row in engaged:
            kind = EngagementKind(row[width])
            group = sums.setdefault(tuple(row[:width]), {})
            group[kind] = (int(row[width + 1] or 0), int(row[width + 2] or 0))
        return {
            key: Figures(
                requests=group.get("requests", 0),
                delivered=group.get("delivered", 0),
                open_count=group.get(EngagementKind.OPEN, (0, 0))[0],
                unique_opens=group.get(EngagementKind.OPEN, (0, 0))[1],
                click_count=group.get(EngagementKind.CLICK, (0, 0))[0],
                unique_clicks=group.get(EngagementKind.CLICK, (0, 0))[1],
                last_sent_at=group.get("last"),
            )
            for key, group in sums.items()
        }

    async def requests_of(
        self, source: ManagerSource, source_pks: list[int]
    ) -> dict[int, list[tuple[ManagerRequest, MessageRequest]]]:
        """Per source row, its requests in the order they were accepted."""
        found: dict[int, list[tuple[ManagerRequest, MessageRequest]]] = {
            pk: [] for pk in source_pks
        }
        rows = await self.session.execute(
            select(ManagerRequest, MessageRequest)
            .join(MessageRequest, MessageRequest.id == ManagerRequest.request_pk)
            .where(ManagerRequest.source == source, ManagerRequest.source_pk.in_(source_pks))
            .order_by(MessageRequest.id)
        )
        for link, request in rows:
            assert link.source_pk is not None  # chosen by it
            found[link.source_pk].append((link, request))
        return found

    async def request_ids(self, scope: ColumnElement[bool]) -> list[str]:
        rows = await self.session.scalars(
            select(MessageRequest.request_id)
            .join(ManagerRequest, ManagerRequest.request_pk == MessageRequest.id)
            .where(scope)
            .order_by(MessageRequest.id)
        )
        return list(rows)

    # --- response rules ---------------------------------------------------------------------

    async def rule_count(self, channel_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(ResponseRule)
                .where(ResponseRule.channel_pk == channel_pk)
            )
            or 0
        )

    async def rules(self, channel_pk: int) -> Sequence[ResponseRule]:
        rows = await self.session.scalars(
            select(ResponseRule)
            .where(ResponseRule.channel_pk == channel_pk)
            .order_by(ResponseRule.id)
        )
        return list(rows)

    async def rule(self, channel_pk: int, rule_pk: int) -> ResponseRule | None:
        rule = await self.session.get(ResponseRule, rule_pk)
        return rule if rule is not None and rule.channel_pk == channel_pk else None

    async def keywords(self, rule_pks: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {pk: [] for pk in rule_pks}
        rows = await self.session.execute(
            select(ResponseKeyword.rule_pk, ResponseKeyword.keyword)
            .where(ResponseKeyword.rule_pk.in_(rule_pks))
            .order_by(ResponseKeyword.keyword)
        )
        for rule_pk, keyword in rows:
            found[int(rule_pk)].append(str(keyword))
        return found

    async def taken_keywords(
        self, channel_pk: int, keywords: list[str], except_rule: int | None
    ) -> list[str]:
        query = select(ResponseKeyword.keyword).where(
            ResponseKeyword.channel_pk == channel_pk, ResponseKeyword.keyword.in_(keywords)
        )
        if except_rule is not None:
            query = query.where(ResponseKeyword.rule_pk != except_rule)
        return list(await self.session.scalars(query))

    async def set_keywords(self, rule: ResponseRule, keywords: list[str]) -> None:
        await self.session.execute(
            delete(ResponseKeyword).where(ResponseKeyword.rule_pk == rule.id)
        )
        for keyword in keywords:
            self.session.add(
                ResponseKeyword(channel_pk=rule.channel_pk, keyword=keyword, rule_pk=rule.id)
            )
        await self.session.flush()

    async def default_rule(self, channel_pk: int) -> ResponseRule | None:
        return await self.session.scalar(
            select(ResponseRule).where(
                ResponseRule.channel_pk == channel_pk, ResponseRule.is_default.is_(True)
            )
        )

    async def matching_rule(self, channel_pk: int, text: str | None) -> ResponseRule | None:
        """The enabled rule whose keyword is exactly `text`, else the enabled default reply:
        one indexed statement, as it runs for every message a user sends."""
        answers: ColumnElement[bool] = ResponseRule.is_default.is_(True)
        if text is not None:
            keyed = select(ResponseKeyword.rule_pk).where(
                ResponseKeyword.channel_pk == channel_pk, ResponseKeyword.keyword == text
            )
            answers = answers | ResponseRule.id.in_(keyed)
        return await self.session.scalar(
            select(ResponseRule)
            .where(ResponseRule.channel_pk == channel_pk, ResponseRule.enabled.is_(True), answers)
            .order_by(ResponseRule.is_default)  # a keyword first, the default reply last
            .limit(1)
        )

    async def delete_rule(self, rule: ResponseRule) -> None:
        await self.session.delete(rule)
        await self.session.flush()

    # --- step scenarios ---------------------------------------------------------------------

    async def scenarios(self, channel_pk: int) -> Sequence[StepScenario]:
        rows = await self.session.scalars(
            select(StepScenario)
            .where(StepScenario.channel_pk == channel_pk)
            .order_by(StepScenario.id)
        )
        return list(rows)

    async def scenario(self, channel_pk: int, scenario_pk: int) -> StepScenario | None:
        scenario = await self.session.get(StepScenario, scenario_pk)
        return scenario if scenario is not None and scenario.channel_pk == channel_pk else None

    async def steps(self, scenario_pks: list[int]) -> dict[int, list[Step]]:
        found: dict[int, list[Step]] = {pk: [] for pk in scenario_pks}
        rows = await self.session.scalars(
            select(Step).where(Step.scenario_pk.in_(scenario_pks)).order_by(Step.days, Step.id)
        )
        for step in rows:
            found[step.scenario_pk].append(step)
        return found

    async def enter_scenarios(
        self, channel_pk: int, user_pk: int, friend_path: str | None, now: datetime
    ) -> int:
        """The new friend enters every enabled scenario of the channel open to their friend
        path (once: a friend who blocks and comes back does not start again)."""
        open_to: ColumnElement[bool] = StepScenario.friend_path.is_(None)
        if friend_path is not None:
            open_to = open_to | (StepScenario.friend_path == friend_path)
        chosen = select(StepScenario.id, literal(user_pk), literal(now, type_=_at_type())).where(
            StepScenario.channel_pk == channel_pk, StepScenario.enabled.is_(True), open_to
        )
        result = await self.session.execute(
            self.insert(ScenarioEntry)
            .from_select(["scenario_pk", "user_pk", "entered_at"], chosen)
            .on_conflict_do_nothing()
        )
        return _rowcount(result)

    async def entries(self, scenario_pks: list[int]) -> dict[int, int]:
        """How many friends entered each scenario."""
        rows = await self.session.execute(
            select(ScenarioEntry.scenario_pk, func.count())
            .where(ScenarioEntry.scenario_pk.in_(scenario_pks))
            .group_by(ScenarioEntry.scenario_pk)
        )
        found = dict.fromkeys(scenario_pks, 0)
        found.update({int(pk): int(n) for pk, n in rows})
        return found

    async def live_steps(self, channel_pk: int | None = None) -> list[tuple[Step, int]]:
        """Every step of an enabled scenario, with its channel: each is checked for friends it
        is due to (the cut-off differs per step, and there are few steps)."""
        query = (
            select(Step, StepScenario.channel_pk)
            .join(StepScenario, StepScenario.id == Step.scenario_pk)
            .where(StepScenario.enabled.is_(True))
            .order_by(Step.id)
        )
        if channel_pk is not None:
            query = query.where(StepScenario.channel_pk == channel_pk)
        return [(row[0], int(row[1])) for row in await self.session.execute(query)]

    def due_friends(self, step: Step, channel_pk: int, now: datetime) -> Select[Any]:
        """Friendship and user of every friend following now whose entry makes `step` due."""
        return (
            select(Friendship.user_pk)
            .join(User, User.id == Friendship.user_pk)
            .join(
                ScenarioEntry,
                and_(
                    ScenarioEntry.user_pk == Friendship.user_pk,
                    ScenarioEntry.scenario_pk == step.scenario_pk,
                ),
            )
            .where(
                Friendship.channel_pk == channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
                _due_entry(step, now),
            )
        )

    def due_entries(self, step: Step, now: datetime) -> Select[Any]:
        """Every entry `step` is due to, friend now or not."""
        return select(ScenarioEntry.user_pk).where(
            ScenarioEntry.scenario_pk == step.scenario_pk, _due_entry(step, now)
        )

    async def any_due(self, step: Step, now: datetime) -> bool:
        return bool(await self.session.scalar(select(self.due_entries(step, now).exists())))

    async def count_due(self, step: Step, channel_pk: int, now: datetime, condition: Any) -> int:
        chosen = self.due_friends(step, channel_pk, now).where(condition).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(chosen)) or 0)

    async def mark_step(
        self,
        step: Step,
        chosen: Any,
        request_pk: int | None,
        now: datetime,
    ) -> int:
        """Record the step as done for the chosen friends (`user_pk` column) not done yet;
        concurrent runs agree through the key: a friend is marked by one of them only."""
        rows = select(
            literal(step.id), chosen.c.user_pk, literal(request_pk), literal(now, type_=_at_type())
        ).select_from(chosen)
        # A WHERE keeps SQLite from reading ON CONFLICT as a join constraint.
        rows = rows.where(true())
        result = await self.session.execute(
            self.insert(StepDelivery)
            .from_select(["step_pk", "user_pk", "request_pk", "done_at"], rows)
            .on_conflict_do_nothing()
        )
        return _rowcount(result)

    async def deliver_marked(self, request: MessageRequest, step: Step, now: datetime) -> int:
        chosen = select(
            literal(request.id), StepDelivery.user_pk, literal(now, type_=_at_type(Delivery))
        ).where(StepDelivery.step_pk == step.id, StepDelivery.request_pk == request.id)
        result = await self.session.execute(
            insert(Delivery).from_select(["request_pk", "user_pk", "delivered_at"], chosen)
        )
        return _rowcount(result)

    async def step_figures(self, step_pks: list[int]) -> dict[int, tuple[int, int]]:
        """Per step, (friends sent the step, friends passed over)."""
        skipped = StepDelivery.request_pk.is_(None)
        rows = await self.session.execute(
            select(StepDelivery.step_pk, skipped, func.count())
            .where(StepDelivery.step_pk.in_(step_pks))
            .group_by(StepDelivery.step_pk, skipped)
        )
        counts = {(int(pk), bool(passed)): int(n) for pk, passed, n in rows}
        return {pk: (counts.get((pk, False), 0), counts.get((pk, True), 0)) for pk in step_pks}

    # --- sends ------------------------------------------------------------------------------

    async def sends(self, channel_pk: int) -> Sequence[ManagerSend]:
        rows = await self.session.scalars(
            select(ManagerSend)
            .where(ManagerSend.channel_pk == channel_pk)
            .order_by(ManagerSend.id.desc())
        )
        return list(rows)

    async def send(self, channel_pk: int, send_id: str) -> ManagerSend | None:
        return await self.session.scalar(
            select(ManagerSend).where(
                ManagerSend.channel_pk == channel_pk, ManagerSend.send_id == send_id
            )
        )

    async def due_sends(self, now: datetime) -> list[int]:
        rows = await self.session.scalars(
            select(ManagerSend.id)
            .where(ManagerSend.status == SendStatus.SCHEDULED, ManagerSend.scheduled_at <= now)
            .order_by(ManagerSend.scheduled_at, ManagerSend.id)
        )
        return list(rows)

    async def cancel_send(self, send_pk: int) -> bool:
        """Cancels the send if it is still scheduled: False if the schedule took it first."""
        result = await self.session.execute(
            update(ManagerSend)
            .where(ManagerSend.id == send_pk, ManagerSend.status == SendStatus.SCHEDULED)
            .values(status=SendStatus.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def claim_send(self, send_pk: int) -> ManagerSend | None:
        """The scheduled send, taken by this transaction; None if another run took it."""
        result = await self.session.execute(
            update(ManagerSend)
            .where(ManagerSend.id == send_pk, ManagerSend.status == SendStatus.SCHEDULED)
            .values(status=SendStatus.SENT)
        )
        if _rowcount(result) != 1:
            return None
        return await self.session.get(ManagerSend, send_pk)


def _at_type(table: Any = ScenarioEntry) -> Any:
    column = "delivered_at" if table is Delivery else "entered_at"
    return table.__table__.c[column].type


def _due_entry(step: Step, now: datetime) -> ColumnElement[bool]:
    """Entries that became due to `step` by `now` and are not done: only those past the step's
    watermark (a clock moved back past it reads them all once more)."""
    cutoff = due_cutoff(step, now)
    done = (
        select(StepDelivery.user_pk)
        .where(StepDelivery.step_pk == step.id, StepDelivery.user_pk == ScenarioEntry.user_pk)
        .exists()
    )
    condition = and_(ScenarioEntry.entered_at <= cutoff, not_(done))
    if step.due_through is not None and step.due_through <= cutoff:
        condition = and_(condition, ScenarioEntry.entered_at > step.due_through)
    return condition


def due_cutoff(step: Step, now: datetime) -> datetime:
    """Entries that entered at or before this are due to `step` at `now`."""
    return now - timedelta(days=step.days)


def _rowcount(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0
