#!/bin/sh
# Installs the Debian packages the test suite drives for real: Chromium (browser tests), a
# PostgreSQL server (the suite starts a throw-away cluster), a Chinese TrueType font (pages in
# Chromium, and later the certificate PDFs), and Xvfb with xdotool (the exam-station agent's
# keyboard listener is tested on a virtual X display), and poppler-utils (pdftotext and pdfsig read
# our PDFs back as an independent reader). Does nothing when they are present.
# With --fonts only the fonts the certificates and admission tickets embed (certificates/fonts.py):
# `make run` needs those and nothing else.
set -eu
need=""
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need="$need fonts-wqy-zenhei"
# HanaMin (TrueType): the name characters Zen Hei lacks, CJK extension B and beyond (陈𬱖)
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || need="$need fonts-hanazono"
if [ "${1:-}" = "--fonts" ]; then
  fonts_only=1
else
  fonts_only=0
fi
[ "$fonts_only" -eq 1 ] || {
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need="$need chromium"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
command -v xdotool >/dev/null 2>&1 || need="$need xdotool"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
# certutil (NSS tools): the certificate PDF tests give pdfsig a trust store holding our CA
command -v certutil >/dev/null 2>&1 || need="$need libnss3-tools"
# npm: the browser tests install axe-core from npm (tests/browser/package.json) to check WCAG 2 AA
command -v npm >/dev/null 2>&1 || need="$need npm"
# extra tools named on the command line (e.g. wrk for the benchmarks), when missing
for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || need="$need $tool"; done
}
[ -n "$need" ] || exit 0
echo "安装系统依赖：$need"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need
