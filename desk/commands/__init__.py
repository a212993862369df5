"""`desk ...` command groups that grew beyond `desk/cli.py`: one module per feature, each a
click group or command that `desk/cli.py` attaches with `main.add_command`. Thin like the
views: parse, call a service, print."""
