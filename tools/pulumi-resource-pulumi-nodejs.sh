#!/bin/sh
# The plugin that runs Node.js dynamic providers, started by Pulumi in the
# program's folder. Clusters made by an earlier version of this stack hold
# dynamic resources (its host audits), and Pulumi needs this to delete them.
# Pulumi's own releases ship the same launcher beside the CLI; a CLI built from
# Go modules does not, so setup puts this one there.
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"
