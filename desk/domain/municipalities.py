"""Recognise a workplace municipality from a code or a Finnish or Swedish name."""

from collections.abc import Iterable

from desk.domain.reference_data import Municipality


def resolve_municipality(text: str | None, municipalities: Iterable[Municipality]) -> str | None:
    """Return the code of the municipality text names, or None when outside the ten / unknown.

    Accepts "016", "Asikkala", "lahtis", " Itis " (case-insensitive, surrounding spaces ignored).
    """
    key = (text or "").strip().casefold()
    if not key:
        return None
    for municipality in municipalities:
        if key in (
            municipality.code,
            municipality.name_fi.casefold(),
            municipality.name_sv.casefold(),
        ):
            return municipality.code
    return None
