#!/bin/sh
# The plugin that runs this project's dynamic providers (the host audits),
# started by Pulumi in the program's folder. Pulumi's own releases ship the same
# launcher beside the CLI; a CLI built from Go modules does not, so setup puts
# this one there.
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"
