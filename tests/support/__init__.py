"""Helpers shared by the test tiers: real services per run, strict tiers in CI."""
