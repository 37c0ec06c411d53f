"""Durations for people to read (time on task on the progress, review and agreement pages). No Django."""


def duration_text(seconds: float | None) -> str:
    """`seconds` as "45 s", "3 min 20 s" or "2 h 05 min"; "—" when there is nothing to show (None)."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
