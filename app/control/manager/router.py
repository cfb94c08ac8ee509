"""The Official Account Manager: what businesses run without writing a bot."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends

from app.control.deps import ChannelServiceDep
from app.control.manager import schemas as s
from app.control.manager.repository import Figures
from app.control.manager.service import ManagerService, ResponseSettings, SendReport
from app.deps import UowDep
from app.models import Campaign, ManagerSend, MessageRequest, ResponseRule, StepScenario
from app.schemas.base import RowKey

router = APIRouter(prefix="/channels/{channelId}/manager", tags=["control: account manager"])


async def get_manager(channelId: str, channels: ChannelServiceDep, uow: UowDep) -> ManagerService:
    return ManagerService(uow, await channels.get(channelId))


ManagerDep = Annotated[ManagerService, Depends(get_manager)]


def _statistics(figures: Figures) -> s.Statistics:
    delivered = figures.delivered

    def rate(n: int) -> float:
        return round(n / delivered, 4) if delivered else 0.0

    return s.Statistics(
        requests=figures.requests,
        delivered=delivered,
        open_count=figures.open_count,
        unique_opens=figures.unique_opens,
        # The platform's table divides the open count (every open) by the delivered.
        open_rate=rate(figures.open_count),
        click_count=figures.click_count,
        unique_clicks=figures.unique_clicks,
        click_rate=rate(figures.unique_clicks),
        last_sent_at=figures.last_sent_at,
    )


def _settings_view(settings: ResponseSettings) -> s.ResponseSettingsView:
    return s.ResponseSettingsView(
        mode=settings.mode,
        chat=settings.chat,
        webhook=settings.webhook,
        greeting=settings.greeting,
        auto_response=settings.auto_response,
    )


# --- response settings ----------------------------------------------------------------------


@router.get(
    "/response-settings", response_model=s.ResponseSettingsView, summary="Response settings"
)
async def get_response_settings(manager: ManagerDep) -> s.ResponseSettingsView:
    """Who answers a friend's message: the bot (webhook), operators (manual chat) or both, and
    whether the greeting and the response messages are on (both on by default)."""
    return _settings_view(await manager.response_settings())


@router.put(
    "/response-settings", response_model=s.ResponseSettingsView, summary="Change response settings"
)
async def put_response_settings(
    body: s.ResponseSettingsUpdate, manager: ManagerDep
) -> s.ResponseSettingsView:
    """`mode` bot: webhook on, chat off; chat: chat on, webhook off (the bot gets no events);
    both: chat and webhook on. Greeting and auto-response answer whatever the mode."""
    settings = await manager.update_response_settings(body.mode, body.greeting, body.auto_response)
    return _settings_view(settings)


# --- greeting -------------------------------------------------------------------------------


@router.get("/greeting", response_model=s.GreetingView, response_model_exclude_none=True)
async def get_greeting(manager: ManagerDep) -> s.GreetingView:
    """The greeting message sent when a user adds (or unblocks) the account."""
    messages, campaign_pk, enabled = await manager.greeting()
    return s.GreetingView(enabled=enabled, messages=messages, campaign_id=campaign_pk)


@router.put(
    "/greeting",
    response_model=s.GreetingView,
    response_model_exclude_none=True,
    summary="Set the greeting message",
)
async def put_greeting(body: s.GreetingBody, manager: ManagerDep) -> s.GreetingView:
    """Up to 5 messages, sent on follow and unblock while the greeting is on, outside the
    message quota (inbox `via: greeting`)."""
    await manager.set_greeting(body.messages, body.campaign_id)
    messages, campaign_pk, enabled = await manager.greeting()
    return s.GreetingView(enabled=enabled, messages=messages, campaign_id=campaign_pk)


# --- response messages ----------------------------------------------------------------------


def _rule_view(
    rule: ResponseRule, keywords: list[str], figures: Figures | None = None
) -> s.RuleView:
    return s.RuleView(
        rule_id=rule.id,
        name=rule.name,
        keywords=keywords,
        default=rule.is_default,
        replies=rule.replies,
        enabled=rule.enabled,
        campaign_id=rule.campaign_pk,
        created_at=rule.created_at,
        statistics=_statistics(figures) if figures else None,
    )


@router.get("/responses", response_model=list[s.RuleView], response_model_exclude_none=True)
async def list_response_rules(manager: ManagerDep) -> list[s.RuleView]:
    """Response messages in the order they were made."""
    return [_rule_view(rule, keywords) for rule, keywords in await manager.rules()]


@router.post(
    "/responses",
    status_code=201,
    response_model=s.RuleView,
    response_model_exclude_none=True,
    summary="Add a response message",
)
async def create_response_rule(body: s.RuleBody, manager: ManagerDep) -> s.RuleView:
    """Keywords matched exactly against a friend's text (each names one rule of the account),
    or `default: true` for the reply to anything else; one of `replies` is sent at random,
    outside the quota (inbox `via: auto_reply`). At most 1,000 rules an account."""
    rule, keywords = await manager.create_rule(
        body.name, body.keywords, body.default, body.replies, body.enabled, body.campaign_id
    )
    return _rule_view(rule, keywords)


@router.get("/responses/{ruleId}", response_model=s.RuleView, response_model_exclude_none=True)
async def get_response_rule(ruleId: RowKey, manager: ManagerDep) -> s.RuleView:
    """The rule, with what its replies achieved."""
    rule = await manager.rule(ruleId)
    keywords = (await manager.repo.keywords([rule.id]))[rule.id]
    return _rule_view(rule, keywords, await manager.rule_figures(rule))


@router.put("/responses/{ruleId}", response_model=s.RuleView, response_model_exclude_none=True)
async def replace_response_rule(
    ruleId: RowKey, body: s.RuleBody, manager: ManagerDep
) -> s.RuleView:
    rule = await manager.rule(ruleId)
    keywords = await manager.replace_rule(
        rule, body.name, body.keywords, body.default, body.replies, body.enabled, body.campaign_id
    )
    return _rule_view(rule, keywords)


@router.delete("/responses/{ruleId}", status_code=204)
async def delete_response_rule(ruleId: RowKey, manager: ManagerDep) -> None:
    await manager.repo.delete_rule(await manager.rule(ruleId))


# --- step messages --------------------------------------------------------------------------


async def _scenario_views(
    manager: ManagerService, scenarios: Sequence[StepScenario]
) -> list[s.ScenarioView]:
    keys = [scenario.id for scenario in scenarios]
    steps = await manager.repo.steps(keys)
    figures = await manager.repo.step_figures(
        [step.id for found in steps.values() for step in found]
    )
    entries = await manager.repo.entries(keys)
    return [
        s.ScenarioView(
            scenario_id=scenario.id,
            name=scenario.name,
            friend_path=scenario.friend_path,
            target=scenario.condition,
            enabled=scenario.enabled,
            campaign_id=scenario.campaign_pk,
            created_at=scenario.created_at,
            entries=entries[scenario.id],
            steps=[
                s.StepView(
                    step_id=step.id,
                    days=step.days,
                    messages=step.messages,
                    sent=figures[step.id][0],
                    passed_over=figures[step.id][1],
                )
                for step in steps[scenario.id]
            ],
        )
        for scenario in scenarios
    ]


@router.get("/steps", response_model=list[s.ScenarioView], response_model_exclude_none=True)
async def list_step_scenarios(manager: ManagerDep) -> list[s.ScenarioView]:
    return await _scenario_views(manager, await manager.scenarios())


@router.post(
    "/steps",
    status_code=201,
    response_model=s.ScenarioView,
    response_model_exclude_none=True,
    summary="Add a step message scenario",
)
async def create_step_scenario(body: s.ScenarioBody, manager: ManagerDep) -> s.ScenarioView:
    """Friends who add the account from now on (by `friendPath` when set) enter the scenario;
    each step goes out `days` after they followed, on Kizuna's clock, to those who still
    follow and match `target`, counted against the quota (inbox `via: step`)."""
    scenario = await manager.create_scenario(
        body.name,
        body.friend_path,
        body.target,
        [(step.days, step.messages) for step in body.steps],
        body.enabled,
        body.campaign_id,
    )
    return (await _scenario_views(manager, [scenario]))[0]


@router.get("/steps/{scenarioId}", response_model=s.ScenarioView, response_model_exclude_none=True)
async def get_step_scenario(scenarioId: RowKey, manager: ManagerDep) -> s.ScenarioView:
    """The scenario with its entries and, per step, how many friends got it."""
    return (await _scenario_views(manager, [await manager.scenario(scenarioId)]))[0]


@router.delete("/steps/{scenarioId}", status_code=204)
async def delete_step_scenario(scenarioId: RowKey, manager: ManagerDep) -> None:
    scenario = await manager.scenario(scenarioId)
    await manager.uow.session.delete(scenario)


# --- sends ----------------------------------------------------------------------------------


def _request_view(request: MessageRequest) -> s.SentRequestView:
    return s.SentRequestView(
        request_id=request.request_id,
        phase=request.phase,
        target_count=request.target_count,
        success_count=request.success_count,
        error_code=request.error_code,
    )


async def _send_views(manager: ManagerService, sends: Sequence[ManagerSend]) -> list[s.SendView]:
    return [_send_view(report) for report in await manager.send_reports(sends)]


def _send_view(report: SendReport) -> s.SendView:
    send = report.send
    variants = None
    if send.variants:
        variants = [
            s.VariantView(
                variant=result.index,
                percentage=result.percentage,
                request=_request_view(result.request) if result.request else None,
                statistics=_statistics(result.figures),
            )
            for result in report.variants
        ]
    return s.SendView(
        send_id=send.send_id,
        status=send.status,
        messages=send.messages,
        target=send.target,
        max_recipients=send.max_recipients,
        campaign_id=send.campaign_pk,
        scheduled_at=send.scheduled_at,
        created_at=send.created_at,
        sent_at=send.sent_at,
        error=send.error,
        requests=[_request_view(request) for request in report.requests],
        statistics=_statistics(report.figures),
        variants=variants,
    )


@router.post(
    "/sends",
    status_code=201,
    response_model=s.SendView,
    response_model_exclude_none=True,
    summary="Send or schedule a message",
)
async def create_send(body: s.SendBody, manager: ManagerDep) -> s.SendView:
    """To every friend (a broadcast), or to a `target` and/or at most `maxRecipients` (a
    narrowcast, with its thresholds); now, or at `scheduledAt` on Kizuna's clock. `abTest`
    splits the target into variants by percentage, each sent its own messages."""
    variants = (
        [(variant.percentage, variant.messages) for variant in body.ab_test.variants]
        if body.ab_test
        else None
    )
    send = await manager.create_send(
        body.messages,
        body.target,
        body.max_recipients,
        body.scheduled_at,
        body.campaign_id,
        variants,
    )
    return (await _send_views(manager, [send]))[0]


@router.get("/sends", response_model=list[s.SendView], response_model_exclude_none=True)
async def list_sends(manager: ManagerDep) -> list[s.SendView]:
    """Newest first."""
    return await _send_views(manager, await manager.repo.sends(manager.channel.id))


@router.get("/sends/{sendId}", response_model=s.SendView, response_model_exclude_none=True)
async def get_send(sendId: str, manager: ManagerDep) -> s.SendView:
    """The send, its requests and statistics (per variant for an A/B test)."""
    return (await _send_views(manager, [await manager.send(sendId)]))[0]


@router.delete("/sends/{sendId}", response_model=s.SendView, response_model_exclude_none=True)
async def cancel_send(sendId: str, manager: ManagerDep) -> s.SendView:
    """Cancel a scheduled send (409 once it went out)."""
    send = await manager.send(sendId)
    await manager.cancel(send)
    return (await _send_views(manager, [send]))[0]


@router.post(
    "/test-sends",
    status_code=201,
    response_model=s.TestSendView,
    response_model_exclude_none=True,
    summary="Send a test to the operators",
)
async def test_send(body: s.TestSendBody, manager: ManagerDep) -> s.TestSendView:
    """The messages to every operator who follows the account, outside the quota (inbox
    `via: test`)."""
    sent = await manager.test_send(body.messages)
    return s.TestSendView(
        recipients=[
            s.TestRecipient(
                user_id=user.user_id, request_id=request.request_id if request else None
            )
            for user, request in sent
        ]
    )


@router.get("/operators", response_model=list[s.OperatorView])
async def list_operators(manager: ManagerDep) -> list[s.OperatorView]:
    """Users who administer the account (test sends reach them)."""
    return [
        s.OperatorView(user_id=user.user_id, display_name=user.display_name, following=following)
        for user, following in await manager.operators()
    ]


@router.put("/operators", response_model=list[s.OperatorView], summary="Set the operators")
async def put_operators(body: s.OperatorsBody, manager: ManagerDep) -> list[s.OperatorView]:
    await manager.set_operators(body.user_ids)
    return await list_operators(manager)


# --- campaigns ------------------------------------------------------------------------------


async def _campaign_views(
    manager: ManagerService, campaigns: Sequence[Campaign]
) -> list[s.CampaignView]:
    figures = await manager.campaign_figures(campaigns)
    return [
        s.CampaignView(
            campaign_id=campaign.id,
            label=campaign.label,
            created_at=campaign.created_at,
            statistics=_statistics(figures[campaign.id]),
        )
        for campaign in campaigns
    ]


@router.post(
    "/campaigns",
    status_code=201,
    response_model=s.CampaignView,
    response_model_exclude_none=True,
    summary="Create a campaign",
)
async def create_campaign(body: s.CampaignBody, manager: ManagerDep) -> s.CampaignView:
    """A label (unique in the account) to group sends, the greeting, response messages and
    step scenarios under (`campaignId`) for their statistics."""
    return (await _campaign_views(manager, [await manager.create_campaign(body.label)]))[0]


@router.get("/campaigns", response_model=list[s.CampaignView], response_model_exclude_none=True)
async def list_campaigns(manager: ManagerDep) -> list[s.CampaignView]:
    return await _campaign_views(manager, await manager.repo.campaigns(manager.channel.id))


@router.get(
    "/campaigns/{campaignId}", response_model=s.CampaignView, response_model_exclude_none=True
)
async def get_campaign(campaignId: RowKey, manager: ManagerDep) -> s.CampaignView:
    """Delivered, open count, unique opens, open rate and click rate, counted in SQL from the
    deliveries and the recorded opens and clicks of everything sent under the campaign."""
    return (await _campaign_views(manager, [await manager.campaign(campaignId)]))[0]
