"""Reader comments: the comment model, the spam guard, moderation."""
