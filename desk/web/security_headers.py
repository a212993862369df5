"""Security headers on every response: a strict CSP, no framing, no sniffing, no caching.

The CSP allows no inline script at all; the only inline style is the <style> element of a
server-drawn pygal chart, which carries this request's nonce (csp_nonce()). Every dynamic
response is `Cache-Control: no-store` unless its view chose otherwise: nearly every page
shows personal data (staff, admin, the employer's case page), and a rule per page could
miss one. Static files keep their normal caching.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from flask.wrappers import Response

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce for the few inline <style> elements the desk draws itself."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("ENV") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, error pages and the API included."""
    app.after_request(_add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
