from datetime import timedelta
from typing import Any

from app.api.oauth.repository import TokenRepository
from app.kit.db import transaction
from app.kit.queue import job
from app.kit.services import Services

# Dead tokens are kept a while so that a bot using one still hears "expired", not "unknown".
DEAD_TOKEN_RETENTION = timedelta(days=7)


@job
async def purge_dead_tokens(ctx: dict[str, Any]) -> int:
    services: Services = ctx["services"]
    async with transaction(services.session_maker) as session:
        return await TokenRepository(session).purge_dead(
            services.clock.now() - DEAD_TOKEN_RETENTION
        )
