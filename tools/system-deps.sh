#!/bin/sh
# Debian packages the test suite drives for real: chromium (browser tests), Java and npm
# (the W3C Nu checker), dovecot-imapd (the IMAP bounce mailbox), spamassassin (the
# newsletter template's score). Installs what is missing; needs root (apt-get) when anything is.
set -eu
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need chromium chromium
need java default-jre-headless
need npm npm
need dovecot dovecot-imapd
need spamassassin spamassassin
need nginx nginx-light
need pg_dump postgresql-client
need systemd-analyze systemd
need caddy caddy
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages:$missing — install them: sudo apt-get install$missing" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
