"""Live updates: the WebSocket endpoint and the broker that fans events out to sockets."""
