"""Notifications: who hears of what, on which channel, in their language, as they chose.

publish      fan a case event out (no commit): employer email, staff bell and email, webhooks
recipients   who the staff are for an event (assignee or team; the followers hook)
preferences  staff delivery choices per event type; employer opt-outs
delivery     one delivery attempt of an outbox row: the gates, the send, the rules of failure
emails       the email builder of every kind (BUILDERS, keyed by the catalogue's Kind)
spec         what builders and delivery share: EmailSpec, Undeliverable, links, case facts
webhooks     subscriptions, the signed POST
digest       the daily digest on business days (and the at-risk/breached report)
inbox        the bell: unread count, list, mark read
operations   delivery state, dead letters (retry, discard), what a case was sent
"""
