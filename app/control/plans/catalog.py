"""The built-in billing plans (LINE Official Account's Taiwan price table) and their pricing.

Amounts are exact decimals: the additional-message prices go to a ten-thousandth of a dollar
(0.1045 TWD) and a statement adds up hundreds of thousands of them.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Tier:
    """Messages numbered `first`..`last` of the month (inclusive; `last` None: no end) cost
    `unit_price` each."""

    first: int
    last: int | None
    unit_price: Decimal


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    currency: str
    monthly_fee: Decimal
    free_messages: int
    # No tiers: sending stops at the free messages (the quota is limited to them).
    tiers: tuple[Tier, ...]

    built_in: bool = True

    @property
    def additional_messages(self) -> bool:
        return bool(self.tiers)

    @property
    def rank(self) -> tuple[Decimal, int]:
        """A plan of a higher rank is an upgrade (applies at once), a lower one a downgrade."""
        return self.monthly_fee, self.free_messages


def tiers_after(first: int, steps: list[tuple[int | None, str]]) -> tuple[Tier, ...]:
    """Tiers from message `first` on, each step naming its last message (None: no end)."""
    tiers = []
    for last, price in steps:
        tiers.append(Tier(first, last, Decimal(price)))
        first = (last or 0) + 1
    return tuple(tiers)


PLAN_SET = "TW"
PLANS: dict[str, Plan] = {
    plan.code: plan
    for plan in (
        Plan("free", "Light (輕用量)", "TWD", Decimal(0), 200, ()),
        Plan("middle", "Middle (中用量)", "TWD", Decimal(800), 3_000, ()),
        Plan(
            "high",
            "High (高用量)",
            "TWD",
            Decimal(1_200),
            6_000,
            tiers_after(
                6_001,
                [
                    (25_000, "0.2"),
                    (35_000, "0.165"),
                    (45_000, "0.154"),
                    (65_000, "0.143"),
                    (105_000, "0.132"),
                    (185_000, "0.121"),
                    (345_000, "0.1045"),
                    (665_000, "0.1034"),
                    (825_000, "0.099"),
                    (1_305_000, "0.0946"),
                    (2_585_000, "0.0858"),
                    (3_525_000, "0.077"),
                    (5_145_000, "0.066"),
                    (8_025_000, "0.055"),
                    (10_265_000, "0.0385"),
                    (20_505_000, "0.0187"),
                    (None, "0.011"),
                ],
            ),
        ),
    )
}


@dataclass(frozen=True)
class TierCharge:
    tier: Tier
    messages: int
    amount: Decimal


def overage(plan: Plan, messages: int) -> list[TierCharge]:
    """What the month's `messages` beyond the free ones cost, tier by tier (graduated: each
    message is priced by the tier its number falls in)."""
    charges = []
    for tier in plan.tiers:
        if messages < tier.first:
            break
        last = messages if tier.last is None else min(messages, tier.last)
        count = last - tier.first + 1
        charges.append(TierCharge(tier, count, tier.unit_price * count))
    return charges


def money(amount: Decimal) -> str:
    """An amount as a plain decimal string without trailing zeros (15670, 0.2, 10.45)."""
    return format(amount.normalize(), "f")
