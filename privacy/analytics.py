"""The page view counts of a range of days, as the staff page shows them: totals per route
and a bar per day, laid out for a server-drawn SVG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from .models import PageViews

CHART_WIDTH = 720
CHART_HEIGHT = 160  # the bars' area; day labels go below it
LABEL_EVERY = {7: 1, 30: 5, 90: 15}


@dataclass(frozen=True)
class DayBar:
    """One day's total, placed in the chart."""

    day: date
    views: int
    x: float
    y: float
    width: float
    height: float
    label: str  # empty on the days whose label is left out to keep them legible

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Traffic:
    """What a range of days holds: totals per route, a bar per day, the grand total."""

    start: date
    end: date
    routes: list[dict]
    bars: list[DayBar]
    total: int
    busiest: int


def traffic(days: int, today: date) -> Traffic:
    """Sum the counts of the `days` days ending `today` (two queries)."""
    start = today - timedelta(days=days - 1)
    counts = PageViews.objects.filter(day__gte=start, day__lte=today)
    routes = list(counts.values("route").annotate(views=Sum("count")).order_by("-views", "route"))
    per_day = dict(counts.values_list("day").annotate(views=Sum("count")).order_by("day"))
    busiest = max(per_day.values(), default=0)
    slot = CHART_WIDTH / days
    every = LABEL_EVERY.get(days, max(1, days // 6))
    bars = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        views = per_day.get(day, 0)
        height = round(CHART_HEIGHT * views / busiest, 1) if busiest else 0
        bars.append(
            DayBar(
                day=day,
                views=views,
                x=round(offset * slot + slot * 0.1, 1),
                y=round(CHART_HEIGHT - height, 1),
                width=round(slot * 0.8, 1),
                height=height,
                label=f"{day:%b} {day.day}" if (days - 1 - offset) % every == 0 else "",
            )
        )
    return Traffic(
        start=start,
        end=today,
        routes=routes,
        bars=bars,
        total=sum(per_day.values()),
        busiest=busiest,
    )
