"""Reports: the Detailed report CSV (export and import) and, later, the report pages."""
