#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine that has Swift 6 on PATH: installs the C
# libraries Dragnet links, builds the release binary, and runs it on an example.
#   bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y libcurl4-openssl-dev libxml2-dev libpsl-dev publicsuffix libssl-dev zlib1g-dev pkg-config libsqlite3-dev chromium

swift build -c release --product dragnet
echo
echo "Built .build/release/dragnet. Auditing examples/urls.txt (report, Markdown and HTML in reports/):"
status=0
.build/release/dragnet audit --format json,md,html examples/urls.txt || status=$?
echo
case $status in
    0) echo "done (exit 0: at least one page audited; see reports/ and \`.build/release/dragnet history\`)" ;;
    3) echo "every URL failed (exit 3): is this machine offline? The errors above say why for each URL." ;;
    *) echo "dragnet exited with $status"; exit "$status" ;;
esac
