"""The directory app: people, workspaces, memberships, invitations, API keys; the region kernel.

The feature apps (tracking, reports, privacy) build on it and import it; it imports none of
them, and tells them what they must know through `signals`. From `clockify` it imports only
plumbing that imports no app (the Celery app, the client's address). tests/test_layering.py
checks it.
"""
