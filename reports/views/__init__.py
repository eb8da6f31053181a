"""Report views: the pages (pages.py), the CSV export (export.py) and import (imports.py)."""
