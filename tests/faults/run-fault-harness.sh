#!/usr/bin/env bash
# The fault-injection harness on its own: real jobs (embedded Temporal, supervised worker JVMs)
# whose workers are killed with SIGKILL during steps, checkpoint writes and merges.
# Writes fault-report.md and fault-report.json to --out (default tests/target/fault-harness).
#   tests/faults/run-fault-harness.sh [--session toy|dinov2] [--single-node-kills N] [--two-node-kills N]
#                                     [--kills-per-job N] [--seed S] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
# Compile the reactor (no tests) and write the test class path of each module; the tests module is
# built last, so the file ends with its class path (in the reactor, sibling modules resolve to
# their target/classes and target/test-classes, the worker's test classes holding the toy session).
cp_file=target/fault-harness.classpath
mvn -B -q -o -pl tests -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file" \
  -Dmdep.includeScope=test >/dev/null
cp="tests/target/test-classes:tests/target/classes:$(cat "$cp_file")"
args=("$@")
has_out=0
for a in "${args[@]}"; do [ "$a" = "--out" ] && has_out=1; done
[ $has_out = 1 ] || args+=(--out tests/target/fault-harness)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$cp" org.dinoj.tests.faults.FaultHarnessMain "${args[@]}"
