# Dissolves the swarm on its first manager, if this tool created it.
# Parameters: HOST
leave_marked_swarm
