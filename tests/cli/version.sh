#!/usr/bin/env bash
# version.sh NSBI SOURCE_DIR — `nsbi --version` (and so report.json's "git") names the commit the
# sources are at: the build refreshes it, however old the build directory. Skipped (77) outside git.
set -uo pipefail
nsbi=$1 src=$2
head=$(git -C "$src" rev-parse --short HEAD 2>/dev/null) || { echo "not a git checkout: skipped"; exit 77; }
got=$("$nsbi" --version)
case "$got" in
  *"($head)"* | *"($head-dirty)"*) echo "ok: $got (HEAD $head)" ;;
  *) echo "FAIL: --version says '$got', HEAD is $head"; exit 1 ;;
esac
