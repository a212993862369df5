"""Pure business rules: no Flask, SQLAlchemy or Celery here (enforced by import-linter)."""
