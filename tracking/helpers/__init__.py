"""The person's own helpers: idle detection and the auto tracker.

Both are off until the person turns them on in their profile (`User.idle_detection`,
`User.auto_tracker`), and what they record is seen by that person alone: every page, API
operation and query here is scoped to the requesting person's own user id, never to a
member picked by someone else, and no report, export, count or summary of another person
reads these tables.
"""
