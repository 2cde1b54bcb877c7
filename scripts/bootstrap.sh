#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine for Quzheng: system packages, a Python >= 3.12
# virtual environment in .venv, and the project installed into it (editable, with dev tools).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Qt WebEngine / Chromium runtime libraries
  libnss3 libnspr4 libxkbcommon0 libxkbcommon-x11-0 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxfixes3 libxshmfence1 libgbm1 libdrm2 libasound2 libegl1 libgl1 libglib2.0-0
  libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxkbfile1 libxi6 libxrender1 libxss1 libpulse0
  # CJK text in the browser and the UI
  fonts-noto-cjk
  # standard tools the interop tests and the README's verification steps use
  openssl ca-certificates poppler-utils qpdf zbar-tools
  # the package benchmark's baseline (7zz)
  7zip
  # the capture browser: Debian's Chromium, driven with Playwright (never a downloaded one)
  chromium
  # the browser's sound in the recording: a private PulseAudio sink of the session's own
  pulseaudio pulseaudio-utils
  # the capture browser's own window (headed), tested on a virtual display
  xvfb
  # the agency vault's engines for tests/vault (scripts/vault-dev.sh): single-node Ceph RGW
  # (S3 Object Lock) and PostgreSQL
  ceph-mon ceph-osd radosgw ceph-common postgresql
)
# Node.js and npm (ReplayWeb.page for tests/interop) come with many machines; Debian's only
# where npm is missing.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
# Java reads packages with ZipInputStream in tests/interop (a single-file program, so the
# JDK's compiler module is needed); Debian's where no java is on the machine.
command -v java >/dev/null 2>&1 || APT_PACKAGES+=(default-jdk-headless)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these system packages are missing; install them and run again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# Find a Python >= 3.12: on PATH first, then through pyenv. The oldest that qualifies is
# preferred (3.12 is what the field notes were measured on); QUZHENG_PYTHON overrides.
py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
PY="${QUZHENG_PYTHON:-}"
if [[ -n "$PY" ]] && ! py_ok "$PY"; then
  echo "bootstrap: QUZHENG_PYTHON=$PY is not a Python >= 3.12" >&2
  exit 1
fi
if [[ -z "$PY" ]]; then
  for cand in python3.12 python3.13 python3.14 python3; do
    if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then PY=$(command -v "$cand"); break; fi
  done
fi
if [[ -z "$PY" ]] && command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | sort -V); do
    cand="$(pyenv root)/versions/$v/bin/python3"
    if [[ -x "$cand" ]] && py_ok "$cand"; then PY="$cand"; break; fi
  done
fi
if [[ -z "$PY" ]]; then
  echo "bootstrap: Quzheng needs Python 3.12 or newer and none was found." >&2
  echo "  Debian 13 / Ubuntu 24.04: sudo apt-get install -y python3 python3-venv" >&2
  echo "  older systems: install Python 3.12 with pyenv (pyenv install 3.12) or from python.org" >&2
  exit 1
fi

if [[ ! -x .venv/bin/python ]] || ! py_ok .venv/bin/python; then
  rm -rf .venv
  echo "bootstrap: creating .venv with $PY ($("$PY" --version))"
  if ! "$PY" -m venv .venv; then
    echo "bootstrap: '$PY -m venv' failed; on Debian/Ubuntu install python3-venv for that Python" >&2
    exit 1
  fi
fi

stamp=.venv/.quzheng-installed
want=$(sha256sum pyproject.toml | cut -c1-64)
if [[ ! -f $stamp ]] || [[ $(cat "$stamp") != "$want" ]]; then
  echo "bootstrap: installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" >"$stamp"
fi

# pywb for tests/interop (issue #18), in a venv of its own: pywb 2.10 pins werkzeug==3.1.7 and
# pyOpenSSL<26.2 (so cryptography<48, older than .venv's), and its brotlipy would shadow the
# Brotli module mitmproxy decodes with. About 10 s; again only when the requirements change.
if [[ ! -x .venv-pywb/bin/python ]] || ! py_ok .venv-pywb/bin/python; then
  rm -rf .venv-pywb
  "$PY" -m venv .venv-pywb
fi
pywb_stamp=.venv-pywb/.quzheng-installed
pywb_want=$(sha256sum tests/interop/pywb-requirements.txt | cut -c1-64)
if [[ ! -f $pywb_stamp ]] || [[ $(cat "$pywb_stamp") != "$pywb_want" ]]; then
  echo "bootstrap: installing pywb into .venv-pywb (tests/interop)"
  .venv-pywb/bin/python -m pip install -q --upgrade pip
  .venv-pywb/bin/python -m pip install -q -r tests/interop/pywb-requirements.txt
  echo "$pywb_want" >"$pywb_stamp"
fi

# Interop tests (tests/interop, issue #20): ReplayWeb.page's static build from the npm
# registry, pinned by tests/interop/package-lock.json (Playwright drives /usr/bin/chromium,
# installed above). npm ci runs again only when the lock file changes; --ignore-scripts:
# nothing of it runs in Node.
interop_stamp=tests/interop/node_modules/.quzheng-installed
interop_want=$(sha256sum tests/interop/package-lock.json | cut -c1-64)
if [[ ! -f $interop_stamp ]] || [[ $(cat "$interop_stamp") != "$interop_want" ]]; then
  echo "bootstrap: installing ReplayWeb.page into tests/interop/node_modules (npm ci)"
  npm ci --prefix tests/interop --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$interop_want" >"$interop_stamp"
fi
