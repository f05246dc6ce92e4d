# Nothing to undo: the host stays out of the swarm. Parameters: HOST GONE
say "$GONE is out of the inventory; nothing to undo"
