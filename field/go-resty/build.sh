#!/bin/sh
# Build the driver into bin/ (idempotent: skipped when bin/driver is newer than every source,
# including the shared jsonl package of ../go-nethttp).
set -e
cd "$(dirname "$0")"
if [ -x bin/driver ] && [ go.mod -ot bin/driver ] &&
  [ -z "$(find . ../go-nethttp/jsonl -name '*.go' -newer bin/driver)" ]; then exit 0; fi
go build -o bin/driver .
