#!/usr/bin/env bash
# Installs the tools bench/harness.mjs compares cluster-exec with, from
# Debian 12 packages: pdsh, ClusterShell (clush), pssh (parallel-ssh), GNU
# parallel and ansible-core (Ansible ad-hoc; about 13 s and 8 small packages
# here). Does nothing when they are present; uses sudo when not root.
# The benchmark runs without them too and reports each missing one as
# "not installed", so this script is a convenience, not a dependency.
set -euo pipefail

packages=(openssh-client pdsh clustershell pssh parallel ansible-core)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-peers: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-peers: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# Recommends are not needed: every peer here is driven through OpenSSH.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
