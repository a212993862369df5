"""Employer one-stop-shop service desk for the Päijät-Häme employment authorities."""
