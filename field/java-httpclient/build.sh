#!/bin/sh
# Build target/driver.jar with Maven (idempotent: skipped when the jar is newer than the pom and
# every source).
set -e
cd "$(dirname "$0")"
if [ -f target/driver.jar ] && [ pom.xml -ot target/driver.jar ] &&
  [ -z "$(find src -name '*.java' -newer target/driver.jar)" ]; then exit 0; fi
mvn -q -B package
