"""Coalescing concurrent calls into one: many requests in flight, one statement for all of them.

Under load, a statement per request spends most of its time on the round trip and the commit,
not on the rows. A `Batcher` lets each request await its own result while the rows of every
request that arrived meanwhile go to the database together. At most `concurrency` batches run
at once; whatever arrives while they run waits and forms the next, so batches grow with load
and a lone request is sent at once.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class Batcher(Generic[In, Out]):
    def __init__(
        self,
        run: Callable[[list[In]], Awaitable[Sequence[Out]]],
        *,
        concurrency: int,
        max_batch: int = 256,
    ) -> None:
        self._run = run
        self._slots = asyncio.Semaphore(concurrency)
        self._max_batch = max_batch
        self._pending: list[tuple[In, asyncio.Future[Out]]] = []
        self._draining = False
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def submit(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if not self._draining:
            self._draining = True
            self._spawn()
        return await future

    def _spawn(self) -> None:
        task = asyncio.get_running_loop().create_task(self._drain())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self) -> None:
        async with self._slots:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            if self._pending:
                self._spawn()
            else:
                self._draining = False
            try:
                results = await self._run([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
            except Exception as exc:  # every waiter hears of it; the batch's task ends quietly
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                return
            except BaseException:
                for _, future in batch:
                    future.cancel()
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
