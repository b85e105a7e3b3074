#!/bin/sh
# The W3C Nu HTML checker (npm vnu-jar) on the given files, errors only, with Debian's Java.
# Usage: tools/vnu.sh FILE.html...   (exit status 0 when every file is valid)
# The jar is fetched once into .cache/vnu (git-ignored); its npm post-install script,
# which would download a Java runtime, is skipped: /usr/bin/java is used.
set -eu
VNU_VERSION=26.9.27
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX="$ROOT/.cache/vnu"
JAR="$PREFIX/node_modules/vnu-jar/build/dist/vnu.jar"
if [ ! -f "$JAR" ]; then
  npm install --prefix "$PREFIX" --no-save --ignore-scripts --no-audit --no-fund \
    "vnu-jar@$VNU_VERSION" >&2
fi
exec java -jar "$JAR" --errors-only "$@"
