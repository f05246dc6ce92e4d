# Prints the manager join token. Parameters: HOST
docker swarm join-token -q manager
