"""Key kinds: the user's API keys and SSH keys, and fleets' provisioning keys."""
