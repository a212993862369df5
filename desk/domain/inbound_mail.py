"""Inbound email rules that need no database: the signed per-case reply address, mail that
must never be answered (auto-replies, bounces, lists), trimming quoted history and
signatures, and guessing the writer's language.

Plain Python on strings and header mappings (the service parses the MIME structure).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desk.domain.business_id import is_valid_business_id, normalise_business_id
from desk.domain.reference_data import Municipality

# tyonantajat+TP-2026-000042.3f9a1c2b7d4e@desk.invalid: the reference and a keyed MAC of it.
SIGNATURE_LENGTH = 16
_TAG = re.compile(r"^(?P<reference>TP-\d{4}-\d{6})\.(?P<signature>[0-9a-f]{16})$", re.IGNORECASE)


def _signature(secret: str, reference: str) -> str:
    mac = hmac.new(secret.encode(), b"reply-to:" + reference.upper().encode(), hashlib.sha256)
    return mac.hexdigest()[:SIGNATURE_LENGTH]


def reply_address(secret: str, base_address: str, reference: str) -> str:
    """The case's Reply-To: the authority's inbound address with a signed +tag."""
    local, _, domain = base_address.partition("@")
    return f"{local}+{reference}.{_signature(secret, reference)}@{domain}"


def reference_from_address(secret: str, address: str) -> str | None:
    """The case reference of a signed reply address, or None (no tag, or a forged one)."""
    local = address.strip().strip("<>").partition("@")[0]
    if "+" not in local:
        return None
    match = _TAG.match(local.partition("+")[2])
    if match is None:
        return None
    reference = match["reference"].upper()
    if not hmac.compare_digest(_signature(secret, reference), match["signature"].lower()):
        return None
    return reference


def base_of(address: str) -> str:
    """An address without its +tag, lower-case: what names the authority's mailbox."""
    local, _, domain = address.strip().strip("<>").lower().partition("@")
    return f"{local.partition('+')[0]}@{domain}"


# --- mail that is never answered and never opens a case -------------------------------------

_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "mailing-list")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|out of (the )?office|autosvar|frånvaro|automaattinen vastaus|"
    r"poissa|lomalla|delivery status notification|undeliver|mail delivery failed|"
    r"returned mail)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounce[s]?)@", re.IGNORECASE)


@dataclass(frozen=True)
class LoopVerdict:
    """Why a message must not be answered ("" when it may)."""

    reason: str = ""
    bounce: bool = False

    @property
    def automatic(self) -> bool:
        return bool(self.reason)


def loop_verdict(
    headers: Mapping[str, str], content_type: str, report_type: str = ""
) -> LoopVerdict:
    """Recognise delivery reports (RFC 3464), auto-replies (RFC 3834), bulk and list mail.

    headers: lower-case names; content_type: the top-level type, lower-case.
    """
    if content_type == "multipart/report" and report_type.lower() == "delivery-status":
        return LoopVerdict("delivery report", bounce=True)
    if headers.get("return-path", "").strip() == "<>" or _DAEMON.match(
        headers.get("from-address", "")
    ):
        if content_type.startswith("multipart/report") or _AUTO_SUBJECT.match(
            headers.get("subject", "")
        ):
            return LoopVerdict("delivery report", bounce=True)
        return LoopVerdict("from a mail system (null sender or daemon)")
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return LoopVerdict(f"Auto-Submitted: {auto}")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return LoopVerdict(f"Precedence: {precedence}")
    for name in _LIST_HEADERS:
        if headers.get(name):
            return LoopVerdict(f"mailing list ({name})")
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"):
        value = headers.get(name, "").strip().lower()
        if value and (name != "x-auto-response-suppress" or "oof" in value or value == "all"):
            return LoopVerdict(f"auto-reply ({name})")
    if _AUTO_SUBJECT.match(headers.get("subject", "")):
        return LoopVerdict("auto-reply (subject)")
    return LoopVerdict()


# --- trimming for display --------------------------------------------------------------------

_QUOTE_INTRO = re.compile(
    r"^\s*(On .{1,200} wrote:|.{1,200} kirjoitti:|Den .{1,200} skrev .{0,200}:|"
    r".{1,200} skrev:|-{2,}\s*(Original Message|Alkuperäinen viesti|Ursprungligt meddelande)"
    r"\s*-{2,}|_{5,}|(From|Lähettäjä|Från):\s.+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(-- ?|Sent from my .+|Lähetetty .+(iPhone|Android|Outlook).*)$")


def trim_reply(text: str) -> str:
    """The new part of a reply: without quoted history (> lines and what follows an
    "On ... wrote:" line) and without a signature after "-- "."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE_INTRO.match(line) or _SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()


# --- what the text says ---------------------------------------------------------------------

_FINNISH = {
    "hei", "moi", "kiitos", "ja", "on", "ei", "että", "meidän", "haluaisimme", "tarvitsemme",
    "yritys", "työntekijä", "työntekijöitä", "terveisin", "ystävällisin", "kanssa", "voisitteko",
}  # fmt: skip
_SWEDISH = {
    "hej", "tack", "och", "är", "inte", "att", "vi", "skulle", "vill", "behöver", "företag",
    "med", "vänliga", "hälsningar", "för", "på", "anställda",
}  # fmt: skip
_ENGLISH = {
    "hello", "hi", "thanks", "thank", "and", "is", "the", "we", "would", "like", "need",
    "company", "with", "regards", "please", "our", "employees", "to",
}  # fmt: skip
_WORD = re.compile(r"[a-zåäö]+")


def guess_language(text: str) -> str:
    """fi, sv or en by common words; Finnish when unsure (the desk's first language)."""
    words = _WORD.findall(text.lower())
    scores = {
        "fi": sum(w in _FINNISH for w in words),
        "sv": sum(w in _SWEDISH for w in words),
        "en": sum(w in _ENGLISH for w in words),
    }
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0 or scores[best] <= scores["fi"]:
        return "fi"
    return best


_BUSINESS_ID = re.compile(r"\b(\d{7}-\d)\b")


def business_id_in(text: str) -> str:
    """The first valid Business ID written in the text, or ""."""
    for candidate in _BUSINESS_ID.findall(text):
        if is_valid_business_id(candidate):
            return normalise_business_id(candidate)
    return ""


# Finnish inflects names ("Sysmässä", "Heinolasta"): a word may run a few letters past the
# name, but a surname built on it ("Lahtinen") is no place.
_MAX_ENDING = 5


def municipality_in(text: str, municipalities: Iterable[Municipality]) -> str:
    """The code of the first of the region's municipalities named in a text, or ""."""
    known = [(m.code, name.casefold()) for m in municipalities for name in (m.name_fi, m.name_sv)]
    for word in re.findall(r"[^\W\d_]+", text):
        word = word.casefold()
        for code, name in known:
            if word == name:
                return code
            if (
                len(name) >= 4
                and word.startswith(name)
                and len(word) - len(name) <= _MAX_ENDING
                and not word.endswith("nen")
            ):
                return code
    return ""


# --- threading -------------------------------------------------------------------------------

_OUTBOX_ID = re.compile(r"^<outbox-(\d+)\.\d+@[^>]+>$")
_THREAD_ROOT = re.compile(r"^<case-(TP-\d{4}-\d{6})@[^>]+>$", re.IGNORECASE)


def thread_root(reference: str, domain: str) -> str:
    """The Message-ID every email of a case refers to (References), so clients thread them."""
    return f"<case-{reference}@{domain}>"


def outbox_id_in(message_id: str) -> int | None:
    """The outbox row of one of the desk's own Message-IDs (delivery.message_id), or None."""
    match = _OUTBOX_ID.match(message_id.strip())
    return int(match[1]) if match else None


def reference_in_thread_id(message_id: str) -> str | None:
    """The case reference of a thread root Message-ID, or None."""
    match = _THREAD_ROOT.match(message_id.strip())
    return match[1].upper() if match else None
