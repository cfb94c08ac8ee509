"""A seeded population drawn entirely inside the database.

Each attribute is a function of (seed, position) through `kizuna_draw`, the first 31 bits of
md5("seed:position:salt"): a SQL function on Postgres (created by migration 0001) and a Python
function registered on every SQLite connection. A million users never pass through Python, and
the same seed draws the same population on either database.
"""

import hashlib


def draw(seed: int, position: int, salt: int) -> int:
    digest = hashlib.md5(f"{seed}:{position}:{salt}".encode(), usedforsecurity=False).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


COUNTRY_MIX = (
    ("jp", 47, "ja", 60),
    ("tw", 22, "zh-TW", 20),
    ("th", 8, "th", 10),
    ("id", 12, "id", 10),
)
SUBSCRIPTION_SPREAD_SECONDS = 730 * 86_400  # friends made over the last two years


def _draw(position_sql: str, seed: int, salt: int) -> str:
    """A pseudo-random integer in [0, 2**31) for the row at `position_sql` ."""
    return f"kizuna_draw({int(seed)}, {position_sql}, {salt})"


def _pad2(value_sql: str) -> str:
    return f"(CASE WHEN {value_sql} < 10 THEN '0' ELSE '' END || ({value_sql}))"


def gender_sql(position_sql: str, seed: int) -> str:
    draw = _draw(position_sql, seed, 1)
    return (
        f"(CASE WHEN {draw} % 100 < 48 THEN 'male' "
        f"WHEN {draw} % 100 < 96 THEN 'female' ELSE NULL END)"
    )


def age_sql(position_sql: str, seed: int) -> str:
    draw = _draw(position_sql, seed, 2)
    return f"(CASE WHEN {draw} % 20 = 0 THEN NULL ELSE 13 + ({draw} / 20) % 62 END)"


def _country_case(position_sql: str, seed: int, pick: int) -> str:
    draw = _draw(position_sql, seed, 3)
    area_draw = _draw(position_sql, seed, 4)
    branches, threshold = [], 0
    for code, regions, language, share in COUNTRY_MIX:
        threshold += share
        value = (
            f"'{code}_' || {_pad2(f'(1 + {area_draw} % {regions})')}"
            if pick == 0
            else f"'{language}'"
        )
        branches.append(f"WHEN {draw} % 100 < {threshold} THEN {value}")
    return "(CASE " + " ".join(branches) + " END)"


def area_sql(position_sql: str, seed: int) -> str:
    return _country_case(position_sql, seed, 0)


def language_sql(position_sql: str, seed: int) -> str:
    return _country_case(position_sql, seed, 1)


def app_type_sql(position_sql: str, seed: int) -> str:
    draw = _draw(position_sql, seed, 5)
    return f"(CASE WHEN {draw} % 100 < 55 THEN 'ios' ELSE 'android' END)"


def friend_age_seconds_sql(position_sql: str, seed: int) -> str:
    """How long ago the user added the account, in seconds."""
    return f"({_draw(position_sql, seed, 6)} % {SUBSCRIPTION_SPREAD_SECONDS})"
