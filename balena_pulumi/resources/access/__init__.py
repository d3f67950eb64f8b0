"""Access kinds: the organization, its members and fleet members with their roles, and invites."""
