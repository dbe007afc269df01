"""Labels of a workspace: the names tickets are tagged with."""
