"""SQL for report arithmetic: an entry's length (interval or seconds) and its billable amount."""

from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, DurationField, ExpressionWrapper, F, Func, IntegerField

AMOUNT_FIELD = DecimalField(max_digits=20, decimal_places=6)


def entry_length() -> ExpressionWrapper:
    """`end` minus `start` as an interval: summed per group, far cheaper than per-row seconds."""
    return ExpressionWrapper(F("end") - F("start"), output_field=DurationField())


class DurationSeconds(Func):
    """Whole seconds from `start` to `end` of an entry, computed by the database."""

    output_field = IntegerField()

    def __init__(self, start: str = "start", end: str = "end") -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # Django keeps SQLite datetimes as UTC text; strftime('%s') reads it as epoch seconds.
        sql = (
            f"(CAST(strftime('%%s', {end}) AS INTEGER) - CAST(strftime('%%s', {start}) AS INTEGER))"
        )
        return sql, [*end_params, *start_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # date_part gives a double, several times cheaper than EXTRACT's numeric over a
        # million rows, and exact for whole seconds.
        return f"CAST(date_part('epoch', {end} - {start}) AS bigint)", [
            *end_params,
            *start_params,
        ]

    as_sql = as_postgresql


class BillableAmount(Func):
    """Seconds times the hourly rate / 3600 for a billable entry with a rate; NULL otherwise."""

    output_field = AMOUNT_FIELD

    def __init__(self) -> None:
        super().__init__(
            DurationSeconds(), F("hourly_rate"), F("billable"), output_field=AMOUNT_FIELD
        )

    def _parts(self, compiler: Any) -> tuple[list[str], list]:
        sql, params = [], []
        for expression in self.get_source_expressions():
            part, part_params = compiler.compile(expression)
            sql.append(part)
            params.extend(part_params)
        return sql, params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        (seconds, rate, billable), params = self._parts(compiler)
        # REAL, not INTEGER: SQLite would otherwise divide whole rates as integers.
        sql = f"(CASE WHEN {billable} THEN {seconds} * CAST({rate} AS REAL) / 3600.0 END)"
        return sql, params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        (seconds, rate, billable), params = self._parts(compiler)
        return f"(CASE WHEN {billable} THEN {seconds} * {rate} / 3600 END)", params

    as_sql = as_postgresql
