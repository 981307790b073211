#!/bin/sh
# Install go-plugin's own gRPC example plugin, unmodified, from the Go module proxy into bin/
# (idempotent: skipped when bin/plugin-go-grpc exists; ~20 s the first time).
set -e
cd "$(dirname "$0")"
if [ -x bin/plugin-go-grpc ]; then exit 0; fi
GOBIN="$(pwd)/bin" go install github.com/hashicorp/go-plugin/examples/grpc/plugin-go-grpc@v1.8.0
