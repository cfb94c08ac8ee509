"""A seeded population drawn entirely inside the database.

A user's id is `"U" + md5("seed:position")`, and every attribute is read from 16-bit pieces of
that same hash, so one hash per row draws the whole user, a million users never pass through
Python, and the same seed draws the same population on Postgres and on SQLite. Only the way hex
text becomes an integer differs between the two (see `hex_to_int_sql`).
"""

COUNTRY_MIX = (
    ("jp", 47, "ja", 60),
    ("tw", 22, "zh-TW", 20),
    ("th", 8, "th", 10),
    ("id", 12, "id", 10),
)
SUBSCRIPTION_SPREAD_SECONDS = 730 * 86_400  # friends made over the last two years

# Which 16-bit piece (4 hex digits) of the hash each attribute reads.
GENDER, AGE, COUNTRY, REGION, APP = 0, 1, 2, 3, 4
FRIEND_AGE = 5  # reads two pieces (32 bits): 5 and 6


def hex_to_int(text: str) -> int:
    """What `hex_to_int_sql` computes; registered on SQLite connections as kizuna_hex."""
    return int(text, 16)


def hex_to_int_sql(expression: str, dialect: str, digits: int) -> str:
    if dialect == "postgresql":
        return f"('x' || {expression})::bit({digits * 4})::bigint"
    return f"kizuna_hex({expression})"


class PopulationSql:
    """The attribute expressions over a column `hash_sql` holding 32 hex digits."""

    def __init__(self, hash_sql: str, dialect: str) -> None:
        self.hash_sql = hash_sql
        self.dialect = dialect

    def piece(self, index: int, digits: int = 4) -> str:
        return hex_to_int_sql(
            f"substr({self.hash_sql}, {1 + 4 * index}, {digits})", self.dialect, digits
        )

    def gender(self) -> str:
        draw = self.piece(GENDER)
        return f"(CASE WHEN {draw} % 100 < 48 THEN 'male' WHEN {draw} % 100 < 96 THEN 'female' END)"

    def age(self) -> str:
        draw = self.piece(AGE)
        return f"(CASE WHEN {draw} % 20 = 0 THEN NULL ELSE 13 + ({draw} / 20) % 62 END)"

    def app_type(self) -> str:
        return f"(CASE WHEN {self.piece(APP)} % 100 < 55 THEN 'ios' ELSE 'android' END)"

    def _by_country(self, pick_area: bool) -> str:
        country, region = self.piece(COUNTRY), self.piece(REGION)
        branches, threshold = [], 0
        for code, regions, language, share in COUNTRY_MIX:
            threshold += share
            number = f"(1 + {region} % {regions})"
            padded = f"(CASE WHEN {number} < 10 THEN '0' ELSE '' END || {number})"
            value = f"'{code}_' || {padded}" if pick_area else f"'{language}'"
            branches.append(f"WHEN {country} % 100 < {threshold} THEN {value}")
        return "(CASE " + " ".join(branches) + " END)"

    def area(self) -> str:
        return self._by_country(pick_area=True)

    def language(self) -> str:
        return self._by_country(pick_area=False)

    def friend_age_seconds(self) -> str:
        """How long ago the user added the account, in seconds."""
        return f"({self.piece(FRIEND_AGE, digits=8)} % {SUBSCRIPTION_SPREAD_SECONDS})"
