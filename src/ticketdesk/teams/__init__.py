"""Teams of a workspace and who is in them."""
