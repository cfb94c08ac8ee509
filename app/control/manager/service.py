"""The Official Account Manager's rules: response settings, greeting, keyword replies, step
scenarios, sends (scheduled, tested, capped, A/B), campaigns and operators.

Messages go out through `app.delivery.service` like any send: the greeting, auto-replies and
test sends as one-recipient requests outside the quota (`SendKind.GREETING`, `AUTO_REPLY`,
`TEST`), steps as one request per step and run counted against it (`SendKind.STEP`), sends as
the platform's broadcast or narrowcast. Every request is linked to its feature and campaign in
`manager_requests`, which the statistics are counted from.
"""

import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import true

from app.api.audience.repository import AudienceRepository, audience_key
from app.control.manager.repository import NO_FIGURES, Figures, ManagerRepository, due_cutoff
from app.delivery.narrowcast import TargetParser, resolve_audiences, target_condition
from app.delivery.service import NarrowcastService, SendService
from app.kit.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    LineError,
    NotFound,
    body_errors,
)
from app.kit.repository import unique_or
from app.kit.uow import UnitOfWork
from app.models import (
    Audience,
    AudienceStatus,
    Campaign,
    Channel,
    ChatMode,
    Friendship,
    ManagerRequest,
    ManagerSend,
    ManagerSettings,
    ManagerSource,
    MessageRequest,
    ResponseRule,
    SendKind,
    SendStatus,
    Step,
    StepScenario,
    User,
)
from app.schemas.messages import collect_message_errors

log = logging.getLogger(__name__)

MAX_RULES = 1000  # auto-response and keyword rules together, per account
MAX_GREETING_MESSAGES = 5
MAX_VARIANTS = 4
PLACEHOLDERS = ("{displayName}", "{accountName}")


@dataclass(frozen=True)
class ResponseSettings:
    chat: bool
    webhook: bool
    greeting: bool
    auto_response: bool

    @property
    def mode(self) -> Literal["bot", "chat", "both", "off"]:
        if self.chat:
            return "both" if self.webhook else "chat"
        return "bot" if self.webhook else "off"


@dataclass(frozen=True)
class VariantResult:
    index: int
    percentage: int
    request: MessageRequest | None
    figures: Figures


@dataclass(frozen=True)
class SendReport:
    send: ManagerSend
    requests: list[MessageRequest]
    figures: Figures
    variants: list[VariantResult]


def check_messages(value: object, prop: str, *, min_items: int = 1) -> list[dict[str, Any]]:
    errors = collect_message_errors(value, prop, min_items=min_items, max_items=5)
    if errors:
        raise body_errors(errors)
    assert isinstance(value, list)
    return value


def check_target(target: dict[str, Any] | None, prop: str) -> dict[str, Any] | None:
    """A narrowcast's `recipient` and `filter` (checked as the API checks them)."""
    if target is None:
        return None
    unknown = sorted(set(target) - {"recipient", "filter"})
    parser = TargetParser()
    parser.parse(target)
    errors = [ErrorDetail("Unknown property", f"{prop}.{key}") for key in unknown]
    errors += [ErrorDetail(e.message, f"{prop}.{e.property}") for e in parser.errors]
    if errors:
        raise body_errors(errors)
    kept = {key: target[key] for key in ("recipient", "filter") if target.get(key) is not None}
    return kept or None


class ManagerSender(SendService):
    """The account sending by itself: what the delivery rules need beyond the API's sends."""

    async def to_friend(
        self, kind: SendKind, user_pk: int, messages: list[dict[str, Any]]
    ) -> MessageRequest:
        """One friend receives `messages` (greeting, auto-reply, test send: outside quota)."""
        request = await self._request(
            kind, messages, notification_disabled=False, target_count=1, success_count=1
        )
        await self.deliveries.add_delivery(request, user_pk, self.clock.now())
        return request

    async def step_reach(self, messages: list[dict[str, Any]], recipients: int) -> int:
        """How many of `recipients` the quota lets a step reach now."""
        remaining = await self.remaining_quota()
        return recipients if remaining is None else min(recipients, remaining)

    async def new_step_request(self, messages: list[dict[str, Any]]) -> MessageRequest:
        return await self._request(
            SendKind.STEP, messages, notification_disabled=False, target_count=0
        )


def _rule_conflict(database_message: str) -> Conflict:
    """A rule's keyword or default reply another rule took (first by a check, or by a
    concurrent request through the unique keys)."""
    if "keyword" in database_message:
        return Conflict(
            "Another response rule has one of the keywords",
            [ErrorDetail("Taken by another rule", "keywords")],
        )
    return Conflict(
        "The account already has a default reply", [ErrorDetail("Already exists", "default")]
    )


class ManagerService:
    def __init__(self, uow: UnitOfWork, channel: Channel) -> None:
        self.uow = uow
        self.channel = channel
        self.repo = ManagerRepository(uow.session)
        self.clock = uow.services.clock
        self.ids = uow.services.ids

    def sender(self) -> ManagerSender:
        # Each request names itself with a fresh id (none of them answers an API request).
        return ManagerSender(self.uow, self.channel, "")

    # --- response settings ------------------------------------------------------------------

    async def _settings_row(self) -> ManagerSettings:
        row = await self.repo.settings(self.channel.id)
        if row is None:
            row = await self.repo.add(
                ManagerSettings(
                    channel_pk=self.channel.id,
                    greeting_enabled=True,
                    auto_response_enabled=True,
                    greeting_messages=[],
                )
            )
        return row

    async def response_settings(self) -> ResponseSettings:
        row = await self.repo.settings(self.channel.id)
        return ResponseSettings(
            chat=self.channel.chat_mode == ChatMode.CHAT,
            webhook=self.channel.webhook_enabled,
            greeting=row.greeting_enabled if row else True,
            auto_response=row.auto_response_enabled if row else True,
        )

    async def update_response_settings(
        self, mode: str | None, greeting: bool | None, auto_response: bool | None
    ) -> ResponseSettings:
        if mode is not None:
            self.channel.chat_mode = ChatMode.BOT if mode == "bot" else ChatMode.CHAT
            self.channel.webhook_enabled = mode != "chat"
        if greeting is not None or auto_response is not None:
            row = await self._settings_row()
            if greeting is not None:
                row.greeting_enabled = greeting
            if auto_response is not None:
                row.auto_response_enabled = auto_response
        await self.uow.session.flush()
        return await self.response_settings()

    # --- campaigns --------------------------------------------------------------------------

    async def campaign_key(self, campaign_id: int | None, prop: str = "campaignId") -> int | None:
        if campaign_id is None:
            return None
        if await self.repo.campaign(self.channel.id, campaign_id) is None:
            raise BadRequest(
                f"Campaign {campaign_id} not found", [ErrorDetail("No such campaign", prop)]
            )
        return campaign_id

    async def create_campaign(self, label: str) -> Campaign:
        taken = Conflict(
            f"A campaign is already labelled {label}", [ErrorDetail("Already exists", "label")]
        )
        if await self.repo.campaign_by_label(self.channel.id, label) is not None:
            raise taken
        async with unique_or(self.uow.session, lambda _: taken):
            return await self.repo.add(
                Campaign(channel_pk=self.channel.id, label=label, created_at=self.clock.now())
            )

    async def campaign(self, campaign_id: int) -> Campaign:
        campaign = await self.repo.campaign(self.channel.id, campaign_id)
        if campaign is None:
            raise NotFound(f"Campaign {campaign_id} not found")
        return campaign

    async def campaign_figures(self, campaigns: Sequence[Campaign]) -> dict[int, Figures]:
        """Per campaign (by key), in a fixed number of statements however many there are."""
        keys = [campaign.id for campaign in campaigns]
        grouped = await self.repo.figures_by(
            ManagerRequest.campaign_pk.in_(keys), ManagerRequest.campaign_pk
        )
        return {key: grouped.get((key,), NO_FIGURES) for key in keys}

    # --- greeting ---------------------------------------------------------------------------

    async def greeting(self) -> tuple[list[dict[str, Any]], int | None, bool]:
        row = await self.repo.settings(self.channel.id)
        if row is None:
            return [], None, True
        return row.greeting_messages, row.greeting_campaign_pk, row.greeting_enabled

    async def set_greeting(self, messages: object, campaign_id: int | None) -> None:
        checked = check_messages(messages, "messages", min_items=0)
        campaign_pk = await self.campaign_key(campaign_id)
        row = await self._settings_row()
        row.greeting_messages = checked
        row.greeting_campaign_pk = campaign_pk
        await self.uow.session.flush()

    def _personal(self, messages: list[dict[str, Any]], user: User) -> list[dict[str, Any]]:
        """The greeting's text with the friend's display name and the account's name."""
        names = dict(zip(PLACEHOLDERS, (user.display_name, self.channel.name), strict=True))
        personal = []
        for message in messages:
            if message.get("type") == "text" and isinstance(message.get("text"), str):
                text = message["text"]
                for placeholder, value in names.items():
                    text = text.replace(placeholder, value)
                message = {**message, "text": text}
            personal.append(message)
        return personal

    # --- what users do ----------------------------------------------------------------------

    async def followed(self, user: User, *, is_unblocked: bool, friend_path: str | None) -> None:
        """A follow (or unblock) the platform answers by itself: the greeting when it is on,
        and a new friend enters the step scenarios open to them."""
        row = await self.repo.settings(self.channel.id)
        if row is not None and row.greeting_enabled and row.greeting_messages:
            messages = self._personal(row.greeting_messages, user)
            request = await self._quietly(
                self.sender().to_friend(SendKind.GREETING, user.id, messages)
            )
            if request is not None:
                await self.repo.link(
                    request, ManagerSource.GREETING, None, row.greeting_campaign_pk
                )
        if not is_unblocked:
            await self.repo.enter_scenarios(self.channel.id, user.id, friend_path, self.clock.now())

    async def said(self, user: User, content: dict[str, Any]) -> None:
        """A friend's message in the one-to-one chat: the matching response message (a keyword
        matched exactly, else the default reply) when auto-response is on."""
        text = content.get("text") if content.get("type") == "text" else None
        rule = await self.repo.matching_rule(self.channel.id, text)
        if rule is None:
            return  # the common case: one statement and done
        row = await self.repo.settings(self.channel.id)
        if row is not None and not row.auto_response_enabled:
            return
        sender = self.sender()
        if not await sender.deliveries.is_following(self.channel.id, user.id):
            return
        reply = rule.replies[self.ids.pick(len(rule.replies))]
        request = await self._quietly(sender.to_friend(SendKind.AUTO_REPLY, user.id, reply))
        if request is not None:
            await self.repo.link(request, ManagerSource.AUTO_REPLY, rule.id, rule.campaign_pk)

    async def _quietly(self, sending: Coroutine[Any, Any, MessageRequest]) -> MessageRequest | None:
        """A send the account makes by itself as a user acts: if the platform refuses it now
        (a coupon in it has closed since), the user's act still happens, with no message.
        The refusal comes before anything is written."""
        try:
            return await sending
        except LineError as error:
            log.warning("channel %s: not sent: %s", self.channel.channel_id, error.message)
            return None

    # --- response rules ---------------------------------------------------------------------

    async def _check_rule(
        self,
        keywords: list[str],
        is_default: bool,
        replies: list[Any],
        rule: ResponseRule | None,
    ) -> None:
        errors: list[ErrorDetail] = []
        if is_default and keywords:
            errors.append(ErrorDetail("The default reply has no keywords", "keywords"))
        if not is_default and not keywords:
            errors.append(ErrorDetail("May not be empty", "keywords"))
        if len(set(keywords)) != len(keywords):
            errors.append(ErrorDetail("Keywords must differ", "keywords"))
        for index, reply in enumerate(replies):
            errors += collect_message_errors(reply, f"replies[{index}]", max_items=5)
        if errors:
            raise body_errors(errors)
        taken = await self.repo.taken_keywords(self.channel.id, keywords, rule.id if rule else None)
        if taken:
            raise Conflict(
                f"Another response rule has the keyword {sorted(taken)[0]}",
                [ErrorDetail("Taken by another rule", "keywords")],
            )
        if is_default:
            existing = await self.repo.default_rule(self.channel.id)
            if existing is not None and (rule is None or existing.id != rule.id):
                raise _rule_conflict("default")

    async def create_rule(
        self,
        name: str,
        keywords: list[str],
        is_default: bool,
        replies: list[Any],
        enabled: bool,
        campaign_id: int | None,
    ) -> tuple[ResponseRule, list[str]]:
        if await self.repo.rule_count(self.channel.id) >= MAX_RULES:
            raise BadRequest(f"An account has at most {MAX_RULES} response messages")
        await self._check_rule(keywords, is_default, replies, None)
        campaign_pk = await self.campaign_key(campaign_id)
        async with unique_or(self.uow.session, _rule_conflict):
            rule = await self.repo.add(
                ResponseRule(
                    channel_pk=self.channel.id,
                    name=name,
                    is_default=is_default,
                    enabled=enabled,
                    replies=replies,
                    campaign_pk=campaign_pk,
                    created_at=self.clock.now(),
                )
            )
            await self.repo.set_keywords(rule, keywords)
        return rule, sorted(keywords)

    async def rule(self, rule_id: int) -> ResponseRule:
        rule = await self.repo.rule(self.channel.id, rule_id)
        if rule is None:
            raise NotFound(f"Response rule {rule_id} not found")
        return rule

    async def replace_rule(
        self,
        rule: ResponseRule,
        name: str,
        keywords: list[str],
        is_default: bool,
        replies: list[Any],
        enabled: bool,
        campaign_id: int | None,
    ) -> list[str]:
        await self._check_rule(keywords, is_default, replies, rule)
        campaign_pk = await self.campaign_key(campaign_id)
        async with unique_or(self.uow.session, _rule_conflict):
            rule.name, rule.is_default, rule.enabled = name, is_default, enabled
            rule.replies, rule.campaign_pk = replies, campaign_pk
            await self.repo.set_keywords(rule, keywords)
        return sorted(keywords)

    async def rules(self) -> list[tuple[ResponseRule, list[str]]]:
        rules = await self.repo.rules(self.channel.id)
        keywords = await self.repo.keywords([rule.id for rule in rules])
        return [(rule, keywords[rule.id]) for rule in rules]

    async def rule_figures(self, rule: ResponseRule) -> Figures:
        return await self.repo.figures(
            (ManagerRequest.source == ManagerSource.AUTO_REPLY)
            & (ManagerRequest.source_pk == rule.id)
        )

    # --- step scenarios ---------------------------------------------------------------------

    async def create_scenario(
        self,
        name: str,
        friend_path: str | None,
        target: dict[str, Any] | None,
        steps: list[tuple[int, object]],
        enabled: bool,
        campaign_id: int | None,
    ) -> StepScenario:
        condition = check_target(target, "target")
        if condition is not None:
            await self._check_target_refs(condition, "target")
        checked = [
            (days, check_messages(messages, f"steps[{index}].messages"))
            for index, (days, messages) in enumerate(steps)
        ]
        scenario = await self.repo.add(
            StepScenario(
                channel_pk=self.channel.id,
                name=name,
                friend_path=friend_path,
                condition=condition,
                enabled=enabled,
                campaign_pk=await self.campaign_key(campaign_id),
                created_at=self.clock.now(),
            )
        )
        for days, messages in checked:
            self.uow.session.add(Step(scenario_pk=scenario.id, days=days, messages=messages))
        await self.uow.session.flush()
        return scenario

    async def _check_target_refs(self, target: dict[str, Any], prop: str) -> None:
        """The audiences and requests a scenario's target names exist for the channel now (an
        audience still being made is let through: the steps wait for it; a failed or expired
        one never becomes ready, so its steps would never go)."""
        parser = TargetParser()
        parser.parse(target)
        audiences = AudienceRepository(self.uow.session)
        deliveries = self.sender().deliveries
        errors: list[ErrorDetail] = []
        for where, group_id in parser.audience_ids:
            key = audience_key(group_id)
            audience = None
            if key is not None:
                await audiences.settle(self.clock.now(), Audience.id == key)
                audience = await audiences.visible(self.channel.id, key)
            if audience is None or audience.status in (
                AudienceStatus.FAILED,
                AudienceStatus.EXPIRED,
            ):
                errors.append(ErrorDetail("Invalid audience group id", f"{prop}.{where}"))
        for where, request_id in parser.request_ids:
            if await deliveries.request_by_id(self.channel.id, request_id) is None:
                errors.append(ErrorDetail("Invalid request id", f"{prop}.{where}"))
        if errors:
            raise BadRequest("The target names what the channel does not have", errors)

    async def scenario(self, scenario_id: int) -> StepScenario:
        scenario = await self.repo.scenario(self.channel.id, scenario_id)
        if scenario is None:
            raise NotFound(f"Step scenario {scenario_id} not found")
        return scenario

    async def scenarios(self) -> list[StepScenario]:
        return list(await self.repo.scenarios(self.channel.id))

    async def run_step(self, step: Step, scenario: StepScenario, now: datetime) -> int:
        """Send `step` to every friend it is due to who still matches the scenario's target,
        within the quota; the others due are passed over. Answers how many received it."""
        if not await self.repo.any_due(step, now):
            # The usual beat: a look at the entries index past the watermark, and no more.
            step.due_through = due_cutoff(step, now)
            return 0
        condition: Any = true()
        if scenario.condition is not None:
            try:
                condition = target_condition(await self.resolved(scenario.condition, now))
            except BadRequest:
                return 0  # an audience not ready (yet): the step waits for it
        due = await self.repo.count_due(step, self.channel.id, now, condition)
        if due == 0:
            await self._pass_over(step, now)
            step.due_through = due_cutoff(step, now)
            return 0
        sender = self.sender()
        reach = await sender.step_reach(step.messages, due)
        sent = 0
        if reach > 0:
            request = await sender.new_step_request(step.messages)
            chosen = (
                self.repo.due_friends(step, self.channel.id, now)
                .where(condition)
                .order_by(Friendship.user_pk)
                .limit(reach)
                .subquery()
            )
            marked = await self.repo.mark_step(step, chosen, request.id, now)
            sent = await self.repo.deliver_marked(request, step, now)
            assert marked == sent
            request.target_count = request.success_count = sent
            if sent:
                await self.repo.link(request, ManagerSource.STEP, step.id, scenario.campaign_pk)
            else:
                await self.uow.session.delete(request)  # another run got there first
            await self.uow.session.flush()
        await self._pass_over(step, now)
        step.due_through = due_cutoff(step, now)
        return sent

    async def _pass_over(self, step: Step, now: datetime) -> None:
        """Whoever the step is still due to now did not match, blocked the account or found
        the quota spent: they never get this step (the platform does not send a step late)."""
        chosen = self.repo.due_entries(step, now).subquery()
        await self.repo.mark_step(step, chosen, None, now)

    async def resolved(self, target: dict[str, Any], now: datetime) -> dict[str, Any]:
        """A stored recipient and filter with their audiences and requests looked up now, as
        `target_condition` takes them."""
        parser = TargetParser()
        parser.parse(target)
        audience_keys, _ = await resolve_audiences(
            self.uow.session, self.channel.id, parser.audience_ids, now
        )
        request_keys: dict[str, int] = {}
        sender = self.sender()
        for prop, request_id in parser.request_ids:
            earlier = await sender.deliveries.request_by_id(self.channel.id, request_id)
            if earlier is None:
                raise BadRequest(
                    f"Invalid request id: {request_id}", [ErrorDetail("Invalid request id", prop)]
                )
            request_keys[request_id] = earlier.id
        return {
            **target,
            "asOf": now.isoformat(),
            "audienceKeys": audience_keys,
            "requestKeys": request_keys,
        }

    # --- sends ------------------------------------------------------------------------------

    async def create_send(
        self,
        messages: object | None,
        target: dict[str, Any] | None,
        max_recipients: int | None,
        scheduled_at: datetime | None,
        campaign_id: int | None,
        variants: Sequence[tuple[int, object]] | None,
    ) -> ManagerSend:
        now = self.clock.now()
        checked_variants: list[dict[str, Any]] | None = None
        checked: list[dict[str, Any]] | None = None
        if variants:
            if messages is not None:
                raise body_errors(
                    [ErrorDetail("An A/B test has its messages in its variants", "messages")]
                )
            if not 2 <= len(variants) <= MAX_VARIANTS:
                raise body_errors(
                    [ErrorDetail(f"Size must be between 2 and {MAX_VARIANTS}", "abTest.variants")]
                )
            if sum(percentage for percentage, _ in variants) > 100:
                raise body_errors(
                    [ErrorDetail("The percentages add up to at most 100", "abTest.variants")]
                )
            checked_variants = [
                {
                    "percentage": percentage,
                    "messages": check_messages(v, f"abTest.variants[{index}].messages"),
                }
                for index, (percentage, v) in enumerate(variants)
            ]
        else:
            checked = check_messages(messages, "messages")
        condition = check_target(target, "target")
        if scheduled_at is not None and scheduled_at <= now:
            raise body_errors([ErrorDetail("Must be in the future", "scheduledAt")])
        send = await self.repo.add(
            ManagerSend(
                channel_pk=self.channel.id,
                send_id=str(self.ids.webhook_event_id(int(now.timestamp() * 1000))),
                status=SendStatus.SCHEDULED if scheduled_at else SendStatus.SENT,
                messages=checked,
                target=condition,
                max_recipients=max_recipients,
                variants=checked_variants,
                campaign_pk=await self.campaign_key(campaign_id),
                scheduled_at=scheduled_at,
                created_at=now,
            )
        )
        if scheduled_at is None:
            await self.execute(send)
        return send

    async def execute(self, send: ManagerSend) -> None:
        """Send it now: a plain broadcast when it goes to every friend, else one narrowcast
        per variant (each to its share of the target, under its share of the maximum)."""
        send.status, send.sent_at = SendStatus.SENT, self.clock.now()
        if not send.variants and send.target is None and send.max_recipients is None:
            request = await SendService(self.uow, self.channel, "").broadcast(
                send.messages or [],
                notification_disabled=False,
                aggregation_units=None,
                retry_key=None,
            )
            await self.repo.link(request, ManagerSource.SEND, send.id, send.campaign_pk)
            return
        variants = send.variants or [{"percentage": 100, "messages": send.messages}]
        salt, start = self.ids.pick(4294967296), 0
        for index, variant in enumerate(variants):
            percentage = int(variant["percentage"])
            body: dict[str, Any] = {"messages": variant["messages"], **(send.target or {})}
            if send.max_recipients is not None:
                body["limit"] = {"max": max(1, send.max_recipients * percentage // 100)}
            parser = TargetParser()
            parser.parse(body)
            split = None
            if send.variants:
                split = {"salt": salt, "from": start, "to": start + percentage}
            request = await NarrowcastService(self.uow, self.channel, "").narrowcast(
                body, parser, retry_key=None, share=split
            )
            await self.repo.link(
                request,
                ManagerSource.SEND,
                send.id,
                send.campaign_pk,
                variant=index if send.variants else None,
            )
            start += percentage

    async def send(self, send_id: str) -> ManagerSend:
        send = await self.repo.send(self.channel.id, send_id)
        if send is None:
            raise NotFound(f"Send {send_id} not found")
        return send

    async def cancel(self, send: ManagerSend) -> None:
        # Conditional, as the schedule's claim is: of the two, exactly one wins.
        if send.status == SendStatus.SCHEDULED and await self.repo.cancel_send(send.id):
            send.status = SendStatus.CANCELLED
            return
        await self.uow.session.refresh(send)
        raise Conflict(f"Send {send.send_id} is {send.status.value}: only a scheduled one")

    async def send_reports(self, sends: Sequence[ManagerSend]) -> list[SendReport]:
        """Each send with its requests and statistics (per variant for an A/B test), in a
        fixed number of statements however many sends and variants."""
        keys = [send.id for send in sends]
        scope = (ManagerRequest.source == ManagerSource.SEND) & ManagerRequest.source_pk.in_(keys)
        requests = await self.repo.requests_of(ManagerSource.SEND, keys)
        figures = await self.repo.figures_by(scope, ManagerRequest.source_pk)
        tested = [send.id for send in sends if send.variants]
        by_variant = (
            await self.repo.figures_by(
                scope & ManagerRequest.source_pk.in_(tested),
                ManagerRequest.source_pk,
                ManagerRequest.variant,
            )
            if tested
            else {}
        )
        reports = []
        for send in sends:
            variant_requests = {link.variant: request for link, request in requests[send.id]}
            variants = [
                VariantResult(
                    index,
                    int(variant["percentage"]),
                    variant_requests.get(index),
                    by_variant.get((send.id, index), NO_FIGURES),
                )
                for index, variant in enumerate(send.variants or [])
            ]
            reports.append(
                SendReport(
                    send,
                    [request for _, request in requests[send.id]],
                    figures.get((send.id,), NO_FIGURES),
                    variants,
                )
            )
        return reports

    # --- operators and test sends -----------------------------------------------------------

    async def set_operators(self, user_ids: list[str]) -> None:
        users = await self.repo.users_by_id(user_ids)
        missing = [
            ErrorDetail("No such user", f"userIds[{index}]")
            for index, user_id in enumerate(user_ids)
            if user_id not in users
        ]
        if missing:
            raise body_errors(missing)
        await self.repo.set_operators(self.channel.id, [user.id for user in users.values()])

    async def operators(self) -> list[tuple[User, bool]]:
        return list(await self.repo.operators(self.channel.id))

    async def test_send(self, messages: object) -> list[tuple[User, MessageRequest | None]]:
        """The messages to every operator who follows the account (outside the quota); the
        others are listed with no request, as the LINE app of a non-friend shows nothing."""
        checked = check_messages(messages, "messages")
        operators = await self.operators()
        if not operators:
            raise BadRequest("The account has no operators to send a test to")
        sent: list[tuple[User, MessageRequest | None]] = []
        for user, following in operators:
            request = None
            if following:
                request = await self.sender().to_friend(SendKind.TEST, user.id, checked)
                await self.repo.link(request, ManagerSource.TEST, None, None)
            sent.append((user, request))
        return sent


async def auto_respond(
    uow: UnitOfWork, channel: Channel, user: User, content: dict[str, Any]
) -> None:
    """What the platform does with every one-to-one message a user sends (the route, a tapped
    message action, a rich menu area): the account's response message, if any."""
    await ManagerService(uow, channel).said(user, content)
