"""Plain value objects for the reference data the rules work on (loaded from config/)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Authority:
    """An employment authority (Lahti, or the Päijät-Häme employment area)."""

    slug: str
    names: dict[str, str]  # language -> customer-facing name


@dataclass(frozen=True)
class Municipality:
    """A municipality of the region with its Statistics Finland code."""

    code: str
    name_fi: str
    name_sv: str
    authority: str

    def name(self, language: str) -> str:
        """Name in the given language (Swedish where it differs, else Finnish)."""
        return self.name_sv if language == "sv" else self.name_fi


@dataclass(frozen=True)
class Team:
    """A team of advisers hosted by one authority."""

    slug: str
    authority: str
    regional: bool
    names: dict[str, str]


@dataclass(frozen=True)
class Need:
    """An entry of the needs catalogue."""

    code: str
    names: dict[str, str]


@dataclass(frozen=True)
class ReferenceData:
    """Everything routing needs to know about the region."""

    authorities: dict[str, Authority] = field(default_factory=dict)
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)
