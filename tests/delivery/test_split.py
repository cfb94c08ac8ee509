"""A/B variants: the split condition run as SQL over 1,000 keys."""

import sqlite3

from sqlalchemy.dialects import sqlite

from app.delivery.narrowcast import SALT_MULTIPLIER, SPLIT_MULTIPLIER, split_condition


def _variant(salt: int, start: int, end: int) -> set[int]:
    condition = split_condition({"salt": salt, "from": start, "to": end})
    where = str(condition.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE friendships (user_pk INTEGER)")
        db.executemany("INSERT INTO friendships VALUES (?)", [(k,) for k in range(1, 1001)])
        return {row[0] for row in db.execute(f"SELECT user_pk FROM friendships WHERE {where}")}


def _bucket(key: int, salt: int) -> int:
    """The documented hash in Python's unbounded integers: what the SQL must compute exactly,
    whatever the database's integer arithmetic."""
    hashed = key * SPLIT_MULTIPLIER % 2**32
    return ((hashed + salt) % 2**32 * SALT_MULTIPLIER % 2**32) * 100 // 2**32


def test_variants_of_one_test_are_disjoint_and_cover_the_target() -> None:
    ranges = ((0, 10), (10, 40), (40, 100))
    parts = [_variant(7_654_321, a, b) for a, b in ranges]
    assert set().union(*parts) == set(range(1, 1001))
    assert sum(len(p) for p in parts) == 1000
    # Each variant holds exactly the keys whose bucket is in its range: shares near the
    # percentages (a hash, not an exact cut).
    for (start, end), part in zip(ranges, parts, strict=True):
        assert part == {k for k in range(1, 1001) if start <= _bucket(k, 7_654_321) < end}
    assert [round(len(p), -1) for p in parts] == [100, 300, 600]


def test_another_salt_draws_other_groups() -> None:
    first, second = _variant(1234, 0, 10), _variant(34, 0, 10)
    assert first == {k for k in range(1, 1001) if _bucket(k, 1234) < 10}
    assert second == {k for k in range(1, 1001) if _bucket(k, 34) < 10}
    # A salt only added after the hash would rotate the same groups: these would be equal.
    assert first != second
    assert len(first & second) < len(first) // 2
