#!/usr/bin/env bash
# Run HERE (a machine with JDK 25 and Maven), from anywhere in the repository. Builds the modules the
# GPU tests and benchmarks need and packs what the GPU machine (no Maven, no internet, maybe no JDK)
# needs to run them: .gpujars/ (the dinoj jars incl. bench, the test classes, slf4j, AssertJ,
# Jackson/SnakeYAML for the configs, picocli and the JUnit console launcher; not the oneDNN jar)
# and .jre.tgz (a jlink'ed Java 25 from ../shared/device/pack-jre.sh). Both are git-ignored; carry
# them to the GPU machine and run tests/gpu/run-on-gpu.sh (tests) or tests/gpu/bench-on-gpu.sh
# (tests, then dinoj's and PyTorch's DINOv2 step) there.
#   Usage: tests/gpu/prepare-gpu-bundle.sh [--offline]   (--offline: Maven -o; the console launcher
#          jar must then already be in ~/.m2)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS=${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}
offline=()
[ "${1:-}" = "--offline" ] && offline=(-o)
console_version=1.11.4   # the JUnit platform of junit-bom 5.11.4 in pom.xml

echo "== building native, bindings, model, bench (jars and test jars, tests skipped)"
mvn -B -q "${offline[@]}" -pl native,bindings,model,bench package -DskipTests

bundle="$root/.gpujars"
rm -rf "$bundle"
mkdir -p "$bundle"
cp native/target/dinoj-native-*[0-9T].jar bindings/target/dinoj-bindings-*[0-9T].jar "$bundle/"
cp model/target/dinoj-model-*[0-9T].jar model/target/dinoj-model-*-tests.jar "$bundle/"
cp bench/target/dinoj-bench-*[0-9T].jar "$bundle/"
"$JAVA_HOME/bin/jar" cf "$bundle/dinoj-bindings-tests.jar" -C bindings/target/test-classes .

echo "== dependencies (slf4j, AssertJ, Jackson, SnakeYAML, picocli) and the JUnit console launcher"
mvn -B -q "${offline[@]}" -pl model,bench dependency:copy-dependencies -DincludeScope=test \
  -DincludeGroupIds=org.slf4j,org.assertj,com.fasterxml.jackson.core,com.fasterxml.jackson.dataformat,org.yaml,info.picocli \
  -DoutputDirectory="$bundle"
mvn -B -q "${offline[@]}" dependency:copy -N \
  -Dartifact=org.junit.platform:junit-platform-console-standalone:$console_version -DoutputDirectory="$bundle"

echo "== Java 25 runtime"
if [ ! -f .jre.tgz ] || [ "${REPACK_JRE:-0}" = 1 ]; then
  # jdk.zipfs: JUnit scans the test jars through the zip file system; java.xml: its XML reports.
  # pack-jre.sh appends to .git/info/exclude, which a worktree lacks (.gitignore covers .jre.tgz).
  bash "$root/../shared/device/pack-jre.sh" java.xml,jdk.zipfs || [ -f .jre.tgz ]
fi

ls -la "$bundle"
echo "bundle: $(du -sh "$bundle" | cut -f1) in .gpujars, $(du -h .jre.tgz | cut -f1) in .jre.tgz"
echo "on the GPU machine: carry [\".gpujars\", \".jre.tgz\"] and run: bash tests/gpu/bench-on-gpu.sh (or run-on-gpu.sh: tests only)"
