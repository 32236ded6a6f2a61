"""Survey results over a real database: CFI and NPS per question in total, per queue and
per agent for chosen days, worked out by hand; the latest answers link their calls; the CSV
holds the same figures; bad parameters are a 400."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ehd.config import Config
from ehd.db.models import Role, SurveyAnswer, SurveyProfile
from tests.harness.web_client import app_client

QUESTIONS = [
    {"id": "csat", "prompt": "survey-question-csat", "low": 1, "high": 5},
    {"id": "nps", "prompt": "survey-question-nps", "low": 0, "high": 10},
]
FEBRUARY = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
ANSWERS = [  # call, queue, agent, question, answer, when
    ("c1", "support", "alice", "csat", 5, FEBRUARY),
    ("c1", "support", "alice", "nps", 10, FEBRUARY),
    ("c2", "support", "bob", "csat", 3, FEBRUARY),
    ("c2", "support", "bob", "nps", 6, FEBRUARY),
    ("c3", "sales", "alice", "csat", 4, FEBRUARY),
    ("c3", "sales", "alice", "nps", 8, FEBRUARY),
    ("c4", "support", "alice", "csat", 1, FEBRUARY),  # hung up before the second question
    ("c0", "support", "bob", "csat", 1, datetime(2027, 1, 31, 22, 0, tzinfo=UTC)),  # January
    # 00:30 on 1 February in Stockholm, the site's clock
    ("c5", "sales", "carl", "csat", 2, datetime(2027, 1, 31, 23, 30, tzinfo=UTC)),
]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    users = {"boss": Role.SUPERVISOR}
    async with app_client(Config(data_dir=tmp_path), users, login="boss") as client:
        await SurveyProfile.create(name="after-call", questions=QUESTIONS)
        for call, queue, agent, question, answer, when in ANSWERS:
            row = await SurveyAnswer.create(
                call_id=call, profile="after-call", queue_name=queue, agent=agent,
                question=question, answer=answer,
            )  # fmt: skip
            await SurveyAnswer.filter(id=row.id).update(answered_at=when)
        yield client


def _figures(page: str) -> list[dict[str, str]]:
    body = page.split('id="survey-figures"', 1)[1].split("</table>", 1)[0]
    rows = []
    for attributes, cells in re.findall(r"<tr (data-question[^>]*)>(.*?)</tr>", body, re.S):
        row = dict(re.findall(r'data-(question|group)="([^"]*)"', attributes))
        row |= dict(re.findall(r'data-measure="(\w+)">([^<]*)<', cells))
        rows.append(row)
    return rows


async def test_cfi_and_nps_in_total_and_per_agent(client: TestClient[Any, Any]) -> None:
    february = "from=2027-02-01&to=2027-02-28"
    page = await (await client.get(f"/statistics/surveys?{february}")).text()
    csat, nps = _figures(page)
    # 5, 3, 4, 1, 2 (January's 1 is outside the period)
    assert (csat["answers"], csat["average"], csat["cfi"]) == ("5", "3.0", "3.0")
    assert csat["nps"] == "–"  # not a 0-10 question
    assert csat["score_percent"] == "50.0"  # 3 is half way from 1 to 5
    # 10 (promoter), 6 (detractor), 8 (passive)
    assert (nps["answers"], nps["average"], nps["cfi"], nps["nps"]) == ("3", "8.0", "–", "0.0")
    assert 'href="/calls?call=c4"' in page and "c0" not in page.split('id="survey-answers"')[1]

    agents = _figures(
        await (await client.get(f"/statistics/surveys?{february}&group=agent")).text()
    )
    assert [(r["group"], r["question"], r["average"], r["nps"]) for r in agents] == [
        ("alice", "csat", "3.33", "–"),
        ("alice", "nps", "9.0", "50.0"),
        ("bob", "csat", "3.0", "–"),
        ("bob", "nps", "6.0", "-100.0"),
        ("carl", "csat", "2.0", "–"),
    ]
    sales = _figures(await (await client.get(f"/statistics/surveys?{february}&queue=sales")).text())
    assert [(r["question"], r["answers"]) for r in sales] == [("csat", "2"), ("nps", "1")]
    last_of_january = await client.get("/statistics/surveys?from=2027-01-31&to=2027-01-31")
    assert [(r["question"], r["answers"], r["average"]) for r in _figures(
        await last_of_january.text())] == [("csat", "1", "1.0")]  # fmt: skip

    async with client.get(f"/statistics/surveys?{february}&group=queue&format=csv") as response:
        assert response.status == 200
        rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["group"], r["question"], r["answers"], r["nps"]) for r in rows] == [
        ("sales", "csat", "2", ""),
        ("sales", "nps", "1", "0.0"),  # one passive: neither promoter nor detractor
        ("support", "csat", "3", ""),
        ("support", "nps", "2", "0.0"),
    ]


async def test_bad_parameters_are_a_400(client: TestClient[Any, Any]) -> None:
    for query in ("from=yesterday", "group=team", "format=xlsx", "to=2027-01-01&from=2027-02-01"):
        async with client.get(f"/statistics/surveys?{query}") as response:
            assert response.status == 400, query
