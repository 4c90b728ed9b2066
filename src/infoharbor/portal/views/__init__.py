"""The portal's pages: reading (public), writing (dashboard), actions and moderation."""
