#!/usr/bin/env bash
# Installs everything the tests need: Debian's etcd-server, a virtualenv in .venv with vapi
# and its test dependencies, and kubectl/helm unpacked into .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
  echo "installing etcd-server (Debian)" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server >&2
  # Debian's package may start a system etcd on the default ports; the tests use their own.
  $sudo systemctl disable --now etcd >/dev/null 2>&1 || true
fi

if [ ! -x .venv/bin/python ]; then
  echo "creating .venv" >&2
  python3 -m venv .venv
fi
echo "installing vapi and test dependencies into .venv" >&2
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]' >&2
.venv/bin/python hack/install_tools.py >&2
