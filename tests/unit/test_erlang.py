"""Erlang C against a published fixed point, and the simulator against Erlang C."""

from __future__ import annotations

import pytest

from ehd.acd.erlang import average_speed_of_answer, probability_of_waiting, service_level
from ehd.acd.simulate import simulate

RATE = 100 / 1800  # 100 calls per 30 minutes


def test_erlang_c_golden_vector() -> None:
    assert probability_of_waiting(RATE, 180, 14) == pytest.approx(0.17413, abs=5e-5)
    assert service_level(RATE, 180, 14, 20) == pytest.approx(0.88835, abs=5e-5)
    assert average_speed_of_answer(RATE, 180, 14) == pytest.approx(7.836, abs=5e-3)


def test_overloaded_queue_always_waits() -> None:
    assert probability_of_waiting(RATE, 180, 10) == 1.0
    assert service_level(RATE, 180, 10, 20) == 0.0


def test_simulation_is_reproducible_with_a_seed() -> None:
    a = simulate(arrival_rate_per_hour=120, aht=180, agents=8, sl_goal=20, hours=20, seed=3)
    b = simulate(arrival_rate_per_hour=120, aht=180, agents=8, sl_goal=20, hours=20, seed=3)
    assert a == b and a.calls > 2000


def test_simulation_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        simulate(arrival_rate_per_hour=0, aht=180, agents=1, sl_goal=20, hours=1)


# (calls per hour, AHT seconds, agents, hours), seed 1. Run lengths are set so the simulation's
# own sampling error is well under 2%: about a million calls, two million for the busiest
# vector, where the average speed of answer converges slowest.
VECTORS = [(200, 180, 14, 5000), (100, 300, 10, 20000), (600, 120, 25, 1500)]


def _compare(vector: tuple[int, int, int, int]) -> dict[str, tuple[float, float]]:
    rate, aht, agents, hours = vector
    result = simulate(
        arrival_rate_per_hour=rate, aht=aht, agents=agents, sl_goal=20, hours=hours, seed=1
    )
    lam = rate / 3600
    return {
        "p_wait": (result.p_wait, probability_of_waiting(lam, aht, agents)),
        "service_level": (result.service_level, service_level(lam, aht, agents, 20)),
        "asa": (result.asa, average_speed_of_answer(lam, aht, agents)),
        "occupancy": (result.occupancy, lam * aht / agents),
    }


def test_long_simulations_agree_with_erlang_c_within_two_percent() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_compare, VECTORS))
    for vector, metrics in zip(VECTORS, results, strict=True):
        for name, (simulated, expected) in metrics.items():
            relative = abs(simulated - expected) / expected
            assert relative <= 0.02, f"{vector} {name}: {simulated:.4f} vs {expected:.4f}"


@pytest.mark.parametrize(("rate", "aht", "agents"), [(100, 300, 10), (200, 180, 14)])
def test_the_engine_serves_exactly_like_an_independent_fifo_queue(
    rate: int, aht: int, agents: int
) -> None:
    from tests.unit.mmn_reference import reference_waits

    reference = reference_waits(rate, aht, agents, hours=300)
    result = simulate(arrival_rate_per_hour=rate, aht=aht, agents=agents, sl_goal=20, hours=300)
    assert result.calls == len(reference)
    assert result.asa == pytest.approx(sum(reference) / len(reference), rel=1e-12)
    assert result.p_wait == pytest.approx(sum(w > 1e-9 for w in reference) / len(reference))


def test_simulate_command_prints_the_documented_json() -> None:
    import json

    from click.testing import CliRunner

    from ehd.cli import main

    result = CliRunner().invoke(
        main,
        [
            "simulate",
            "--arrival-rate-per-hour",
            "200",
            "--aht",
            "180",
            "--agents",
            "14",
            "--sl-goal",
            "20",
            "--hours",
            "20",
            "--seed",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"p_wait", "service_level", "asa", "occupancy", "calls"}
    assert 0 < data["p_wait"] < 1 and data["calls"] > 3000
    bad = CliRunner().invoke(
        main,
        [
            "simulate",
            "--arrival-rate-per-hour",
            "200",
            "--aht",
            "180",
            "--agents",
            "0",
            "--hours",
            "1",
        ],
    )
    assert bad.exit_code == 2 and "positive" in bad.output
