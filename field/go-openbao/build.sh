#!/bin/sh
# Build the driver into bin/ (idempotent: skipped when bin/driver is newer than every source).
set -e
cd "$(dirname "$0")"
if [ -x bin/driver ] && [ -z "$(find . -name '*.go' -newer bin/driver)" ] && [ go.mod -ot bin/driver ]; then exit 0; fi
go build -o bin/driver .
