"""Pages for clients, projects, tasks, tags and member rates."""
