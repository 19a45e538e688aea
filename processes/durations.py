"""ISO 8601 durations (`P2D`, `PT4H`, `P1DT12H`, `P1W`) to timedeltas; months count 30 days, years 365."""

from __future__ import annotations

import datetime as dt
import re

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class InvalidDuration(ValueError):
    pass


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise InvalidDuration(f"'{text}' is not an ISO 8601 duration such as P2D or PT4H")
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return dt.timedelta(
        days=parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7 + parts.get("days", 0),
        hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0),
    )


def parse_instant(value: object) -> dt.datetime:
    """An ISO 8601 time (a `Z` or offset; naive means UTC) from an expression's result."""
    if not isinstance(value, str):
        raise ValueError(f"a time must be an ISO 8601 string, got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{value}' is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
