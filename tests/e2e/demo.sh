#!/usr/bin/env bash
# make demo: until the gateway lands, the codec on the real-format sample.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== iso8583 describe --profile mastercard < tests/data/mastercard-0100-a.bin"
build/bin/iso8583 describe --profile mastercard < tests/data/mastercard-0100-a.bin
echo
echo "== iso8583 decode (masked JSON, as logs and tools see it)"
build/bin/iso8583 decode --profile mastercard < tests/data/mastercard-0100-a.bin
