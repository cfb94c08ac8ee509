import asyncio

import pytest

from app.kit.batcher import Batcher


class Recorder:
    def __init__(self, delay: float = 0.01) -> None:
        self.batches: list[list[int]] = []
        self.running = 0
        self.most_running = 0
        self.delay = delay

    async def double(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(self.delay)
        self.running -= 1
        return [item * 2 for item in items]


@pytest.mark.asyncio
async def test_requests_in_flight_together_share_a_batch_and_get_their_own_result() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder.double, concurrency=1)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(50)))
    assert results == [n * 2 for n in range(50)]
    assert sorted(n for batch in recorder.batches for n in batch) == list(range(50))
    assert len(recorder.batches) < 50


@pytest.mark.asyncio
async def test_a_lone_request_is_sent_at_once() -> None:
    recorder = Recorder(delay=0)
    batcher: Batcher[int, int] = Batcher(recorder.double, concurrency=2)
    assert await batcher.submit(21) == 42
    assert await batcher.submit(1) == 2
    assert recorder.batches == [[21], [1]]


@pytest.mark.asyncio
async def test_no_more_batches_run_at_once_than_allowed_and_none_exceeds_the_maximum() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder.double, concurrency=2, max_batch=7)

    async def trickle(n: int) -> int:
        await asyncio.sleep(0.002 * (n % 10))
        return await batcher.submit(n)

    results = await asyncio.gather(*(trickle(n) for n in range(100)))
    assert results == [n * 2 for n in range(100)]
    assert recorder.most_running <= 2
    assert max(len(batch) for batch in recorder.batches) <= 7


@pytest.mark.asyncio
async def test_a_failing_batch_fails_each_of_its_waiters_and_the_next_batch_runs() -> None:
    calls = 0

    async def flaky(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("database went away")
        return items

    batcher: Batcher[int, int] = Batcher(flaky, concurrency=1)
    outcomes = await asyncio.gather(*(batcher.submit(n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(outcome, ValueError) for outcome in outcomes)
    assert await batcher.submit(5) == 5


@pytest.mark.asyncio
async def test_a_run_that_returns_the_wrong_number_of_results_is_an_error() -> None:
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    batcher: Batcher[int, int] = Batcher(short, concurrency=1)
    with pytest.raises(RuntimeError, match="gave"):
        await batcher.submit(1)
