"""Who an employer is: identity providers behind one interface (provider.IdentityProvider).

Today the email magic link (magic_link.MagicLinkProvider); Suomi.fi e-Identification and
e-Authorisations can be added beside it without touching the portal's views.
"""
