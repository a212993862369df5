"""The reference data of config/reference.toml as domain values, without a database."""

from desk.config import PROJECT_ROOT
from desk.domain.reference_data import Authority, Municipality, Need, ReferenceData, Team
from desk.services.reference_data import read_reference_file


def load() -> ReferenceData:
    data = read_reference_file(PROJECT_ROOT / "config" / "reference.toml")

    def names(row: dict[str, str]) -> dict[str, str]:
        return {lang: row[f"name_{lang}"] for lang in ("fi", "sv", "en")}

    return ReferenceData(
        authorities={a["slug"]: Authority(a["slug"], names(a)) for a in data["authorities"]},
        municipalities={
            m["code"]: Municipality(m["code"], m["name_fi"], m["name_sv"], m["authority"])
            for m in data["municipalities"]
        },
        teams={
            t["slug"]: Team(t["slug"], t["authority"], t["regional"], names(t))
            for t in data["teams"]
        },
        needs={n["code"]: Need(n["code"], names(n)) for n in data["needs"]},
    )


REFERENCE = load()
NINE = ("016", "081", "111", "098", "142", "316", "560", "576", "781")


def _default_rules() -> tuple:
    from desk.services.routing import read_rules_file

    return read_rules_file(PROJECT_ROOT / "config" / "routing.toml")


DEFAULT_RULES = _default_rules()
