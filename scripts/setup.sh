#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine that has Swift 6 on PATH: installs the C
# libraries Dragnet links, builds the release binary, audits the built-in demo shop
# offline (scripts/first-run.sh), then examples/urls.txt when the network answers.
#   bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y libcurl4-openssl-dev libxml2-dev libpsl-dev publicsuffix libssl-dev zlib1g-dev pkg-config libsqlite3-dev chromium dnsmasq-base

swift build -c release --product dragnet
echo
echo "Built .build/release/dragnet ($(.build/release/dragnet version | tail -1))"
bash scripts/first-run.sh .build/release/dragnet
