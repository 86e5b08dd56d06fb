"""Members: magic-link sign-in, access rules, the subscriber gate."""
