"""Users of a workspace: who they are, their role, whether they may still log in."""
