"""Database backends for the region aliases: Django's own, telling an outage apart."""
