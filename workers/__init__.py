"""Celery worker and beat: thin tasks over desk.services."""
