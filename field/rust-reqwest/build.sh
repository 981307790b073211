#!/bin/sh
# Build the driver (cargo is incremental: quick when nothing changed); Cargo.lock pins every crate.
set -e
cd "$(dirname "$0")"
cargo build --release --locked --quiet
