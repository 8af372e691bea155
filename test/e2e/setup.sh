#!/usr/bin/env bash
# Installs what the e2e tier needs, idempotently: Debian's Chromium and the build dependencies of
# code-server's native modules (apt), then code-server 4.100.3 from npm into .e2e/ (cached: a second run
# only checks). code-server's own postinstall downloads ripgrep from the internet, so it is installed
# without scripts and finished by hand with Debian's ripgrep (see shared/reference/real-vscode.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
E2E="$ROOT/.e2e"
CS_VERSION=4.100.3
CS_DIR="$E2E/code-server"
MARK="$CS_DIR/.installed-$CS_VERSION"
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export npm_config_yes=true
export npm_config_audit=false
export npm_config_fund=false

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
if [ ! -f "$MARK" ]; then
  for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config g++ make python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e setup: need root to apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  echo "e2e setup: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -f "$MARK" ] && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  echo "e2e setup: code-server $CS_VERSION already installed in $CS_DIR"
  exit 0
fi

echo "e2e setup: installing code-server $CS_VERSION into $CS_DIR (a few minutes on 2 cores)"
start=$(date +%s)
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cd "$CS_DIR"
echo '{"name":"ksd-e2e-code-server","private":true}' >package.json
npm install --no-save --ignore-scripts --no-package-lock "code-server@$CS_VERSION"
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-package-lock
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --omit=dev --ignore-scripts --no-package-lock)
cd "$CS_DIR"
npm rebuild argon2
touch "$MARK"
echo "e2e setup: done in $(( $(date +%s) - start )) s"
