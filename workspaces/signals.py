"""What the directory tells the feature apps, so that it never imports them.

The feature apps (tracking, reports, privacy) build on this app and import it; it imports
none of them (tests/test_layering.py). Where a directory action must also change what a
feature app keeps in the workspace's region, the directory sends one of these signals and
the feature app connects a receiver in its `AppConfig.ready()`.

Receivers run at once, in the sender's thread and transactions, and an exception in one
reaches the sender (`send`, not `send_robust`), so a failure rolls back what the sender's
transaction holds, as a direct call would.
"""

from django.dispatch import Signal

member_removed = Signal()
"""A member left or was removed, and the directory has committed it.

Sent with `workspace` and `user_id`, outside any transaction: each receiver deletes what its
app keeps about that person in the workspace's region, and must be safe to run again.
"""

default_rate_applied_to_past = Signal()
"""An admin saved the workspace's settings asking that its default rate apply to past work.

Sent with `workspace` after the new settings are saved, inside the settings save's
transactions (the region's, then the directory's): a receiver that raises rolls the whole
save back. Each receiver returns how many past time entries it gave the rate.
"""
