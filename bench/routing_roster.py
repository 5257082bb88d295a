"""Rosters for the routing simulation (bench_routing.py): when each agent's 8-hour shift starts.

Both rosters are planned from the forecast, never from the simulated arrivals: the hourly arrival
curve (`demand`, the same curve the arrivals are drawn from, as a workforce plan uses its
forecast), the day's volume and mix, and for the staggered one what the product knows of each agent
(capacities and languages), as a skills-based workforce plan would.

- `blocks`: three non-overlapping shifts from 00, 08 and 16 h, heads split 14 / 52 / 34 % (each
  block's share of the arrivals). The roster of the first measurements.
- `staggered`: a shift may start at any full hour (24/7 contact centres stagger starts and let
  shifts overlap), with at least `MIN_ON` agents on at every hour. Starting from the blocks, one
  agent at a time moves to another start hour while that lowers, first, the planned occupancy
  above `CEILING` (an hour whose capacity is nearly full breaches its SLA), then the spread
  (max / min) of the agents' expected work, until no move lowers either. An hour's expected
  occupancy is its forecast work of each kind over the capacity for that kind on (routing shares
  an hour's work in proportion to capacity), the work of a language beyond its speakers' share of
  the capacity counted slower (others answer it); an agent's expected work is the occupancy of each
  hour of their shift, more for a speaker of a language whose speakers are few that hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.services.routing.strategies import Agent

SHIFT_HOURS = 8  # every agent works one shift of this length within the day, so work per hour is comparable
# The blocks roster: shift starts and the share of each group's agents on them, staffed to the
# arrival curve (a block's agents see about the same arrivals per head).
BLOCKS = ((0, 0.14), (8 * 3600, 0.52), (16 * 3600, 0.34))
CEILING = 0.85  # planned occupancy of any kind's capacity in any hour at most: room for the peaks
MIN_ON = 2  # never fewer agents of a group on: one alone could not pass on an offer they let expire


def demand(hour: float) -> float:
    """Relative arrivals per hour at `hour` of the day: a two-hump working day over a night floor."""
    return 0.25 + (0.9 if 8 <= hour < 13 else 0) + (0.75 if 14 <= hour < 20 else 0) + (0.2 if 6 <= hour < 22 else 0)


def blocks(size: int) -> list[int]:
    """Shift starts in seconds for `size` agents on the three blocks (`BLOCKS`), in agent order."""
    starts, bound = [], 0.0
    for index in range(size):
        bound = 0.0
        for start, part in BLOCKS:
            bound += part * size
            if index < round(bound):
                starts.append(start)
                break
        else:
            starts.append(BLOCKS[-1][0])
    return starts


@dataclass(frozen=True)
class Forecast:
    """A group's forecast day: what a workforce plan knows before the day."""

    minutes: dict[str, float]  # kind -> minutes of work a day (arrivals x mean handling minutes)
    languages: dict[str, float]  # language -> share of the arrivals
    slower: float  # handling time of an agent without the customer's language, as a factor


def _hours(start: int) -> list[int]:
    return [(start + h) % 24 for h in range(SHIFT_HOURS)]


def _languages(agent: Agent) -> set[str]:
    return {value for kind, value in agent.skills if kind == "language"}


def _spoken(starts: list[int], agents: list[Agent], forecast: Forecast) -> list[dict[str, float]]:
    """For each hour, each forecast language's speakers' share of the capacity on (all kinds)."""
    found: list[dict[str, float]] = [dict.fromkeys(forecast.languages, 0.0) for _ in range(24)]
    whole = [0.0] * 24
    for start, agent in zip(starts, agents, strict=True):
        weight = sum(agent.capacity.values())
        for hour in _hours(start):
            whole[hour] += weight
            for language in _languages(agent) & set(forecast.languages):
                found[hour][language] += weight
    return [{lang: part / whole[h] if whole[h] else 0.0 for lang, part in found[h].items()} for h in range(24)]


def occupancy(starts: list[int], agents: list[Agent], forecast: Forecast) -> list[dict[str, float]]:
    """Each hour's expected occupancy per kind (starts in hours, one per agent): the hour's share
    of the day's forecast minutes of that kind (as `demand`) over the minutes of capacity for that
    kind on. A language's arrivals beyond its speakers' share of the capacity are answered by
    others (skills routing falls back when they are urgent), `slower`."""
    online: list[dict[str, int]] = [dict.fromkeys(forecast.minutes, 0) for _ in range(24)]
    for start, agent in zip(starts, agents, strict=True):
        for hour in _hours(start):
            for kind in forecast.minutes:
                online[hour][kind] += agent.capacity.get(kind, 0)
    spoken = _spoken(starts, agents, forecast)
    total = sum(demand(h) for h in range(24))
    found = []
    for hour in range(24):
        beyond = sum(max(0.0, part - spoken[hour][lang]) for lang, part in forecast.languages.items())
        slow = 1 + (forecast.slower - 1) * beyond
        found.append(
            {
                k: minutes * demand(hour) / total * slow / (60 * online[hour][k]) if online[hour][k] else float("inf")
                for k, minutes in forecast.minutes.items()
            }
        )
    return found


def expected_loads(starts: list[int], agents: list[Agent], forecast: Forecast) -> list[float]:
    """Each agent's expected work over their shift, hour by hour: the hour's occupancy summed over
    kinds (routing shares an hour's work in proportion to capacity), or more for a speaker of a
    language whose speakers on hold less of the capacity than its share of the arrivals (skills
    routing gives that language's work to them first)."""
    level = [sum(kinds.values()) for kinds in occupancy(starts, agents, forecast)]
    spoken = _spoken(starts, agents, forecast)
    loads = []
    for start, agent in zip(starts, agents, strict=True):
        total = 0.0
        for hour in _hours(start):
            crowded = [
                forecast.languages[lang] / spoken[hour][lang]
                for lang in _languages(agent) & set(forecast.languages)
                if spoken[hour][lang]
            ]
            total += level[hour] * max([1.0, *crowded])
        loads.append(total)
    return loads


def heads(starts: list[int]) -> list[int]:
    """How many agents are on in each hour of the day (starts in hours)."""
    found = [0] * 24
    for start in starts:
        for hour in _hours(start):
            found[hour] += 1
    return found


def _score(starts: list[int], agents: list[Agent], forecast: Forecast) -> tuple[float, float, float]:
    over = sum(max(0.0, x - CEILING) for kinds in occupancy(starts, agents, forecast) for x in kinds.values())
    loads = expected_loads(starts, agents, forecast)
    mean = sum(loads) / len(loads)
    return over, max(loads) / min(loads), sum((x - mean) ** 2 for x in loads)


def staggered(agents: list[Agent], forecast: Forecast) -> list[int]:
    """Shift starts in seconds for `agents`, in their order (see the module's docstring):
    deterministic, the best move of each round taken (the first in agent then hour order)."""
    starts = [s // 3600 for s in blocks(len(agents))]
    best = _score(starts, agents, forecast)
    while True:
        move = None
        for index in range(len(starts)):
            for hour in range(24):
                trial = starts[:index] + [hour] + starts[index + 1 :]
                if hour == starts[index] or min(heads(trial)) < MIN_ON:
                    continue
                score = _score(trial, agents, forecast)
                if score < (move[0] if move else best):
                    move = (score, index, hour)
        if move is None:
            return [h * 3600 for h in starts]
        best, index, hour = move
        starts[index] = hour
