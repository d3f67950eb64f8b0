"""Fleet kinds: the fleet itself and the release it runs."""
