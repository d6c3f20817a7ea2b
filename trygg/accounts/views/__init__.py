"""Account views: login and password, two-factor, API tokens, the audit log."""
