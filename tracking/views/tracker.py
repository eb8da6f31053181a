"""The tracker page: the timer bar and the list of entries."""
