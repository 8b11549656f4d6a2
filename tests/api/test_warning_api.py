import pytest
from sqlalchemy import select, text
from datetime import timedelta
from service import evaluation
from store.warning import load_rules, CLOCKS, W
from tests.api.support import routed, register

pytestmark = pytest.mark.db


async def test_explore(runtime, clock, owner):
    print(owner.execute("SELECT code, name, aliases FROM evaluation_forbidden_indicator").fetchall())
    c = await routed(runtime, "FT-XS")
    c2 = await routed(runtime, "FT", channel="HOTLINE_12345")
    async with runtime.engine.connect() as conn:
        for r in await conn.execute(select(CLOCKS)):
            print(dict(r._mapping))
        rules = {r.code: r for r in await load_rules(conn)}
    clock.advance(timedelta(days=6)) if hasattr(clock, "advance") else None
    print(clock.now())
    out = await evaluation.evaluate(runtime, rules["DEADLINE"])
    print(out.as_stats())
    async with runtime.engine.connect() as conn:
        for r in await conn.execute(select(W)):
            print(dict(r._mapping))
    print(runtime.tz)
