"""Reports: aggregate figures computed in the database, one module per report."""
