#!/usr/bin/env bash
# Turns a Debian 12 machine on which Kikan is built and installed
# (`cmake --install build`) into a locked-down kiosk (issue #11 item 6;
# KR-38; docs/deploy.md).  Needs root; idempotent: running it again
# changes nothing that is already as it should be.
#
#   scripts/kiosk-install.sh [--dry-run] [--offline] [--prefix DIR]
#
#   --dry-run     print every action ("+ command") and change nothing;
#                 may run without root
#   --offline     also disable and mask the services that bring network
#                 interfaces up (NetworkManager, ifupdown, networkd,
#                 wpa_supplicant, ModemManager) and take every interface
#                 but loopback down now (KR-38)
#   --prefix DIR  where Kikan was installed (default /usr/local): the unit
#                 runs DIR/bin/kikan-kiosk
#
# It downloads nothing but Debian packages, through apt-get.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dry_run=0
offline=0
prefix=/usr/local

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --offline) offline=1 ;;
    --prefix)
      [ $# -ge 2 ] || { echo "kiosk-install: --prefix needs a directory" >&2; exit 2; }
      prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    -h|--help) usage; exit 0 ;;
    *) echo "kiosk-install: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$prefix" in
  /*) ;;
  *) echo "kiosk-install: --prefix must be an absolute path, not '$prefix'" >&2; exit 2 ;;
esac
# The path goes into a unit file through sed: refuse what would break either.
if printf '%s' "$prefix" | grep -q '[^A-Za-z0-9_./-]'; then
  echo "kiosk-install: --prefix may hold only letters, digits and _ . / -" >&2
  exit 2
fi

if [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "kiosk-install: run as root (or with --dry-run to see what it would do)" >&2
  exit 1
fi

# Every change goes through run(): printed, then done unless --dry-run.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [ "$dry_run" -eq 0 ]; then
    "$@"
  fi
}
note() { printf 'kiosk-install: %s\n' "$*"; }

# systemd is PID 1 (not a chroot or a container without it): only then can
# services be stopped now; enabling, disabling and masking work either way.
systemd_running() { [ -d /run/systemd/system ]; }

# ---- 1. Debian packages ----------------------------------------------
# The kiosk session on top of what scripts/install-deps.sh installed to
# build Kikan: the compositor and its X11 fallback (cage needs xwayland),
# software GL for wlroots and GTK where there is no GPU driver, a logind
# session for the unit (pam_systemd), the slip fonts, CUPS, and the tools
# the lockdown uses (udevadm, ip, blockdev).
PKGS=(cage xwayland libgl1-mesa-dri libegl-mesa0 libgtk-4-1 libpam-systemd dbus
      fonts-noto-cjk cups cups-daemon cups-client cups-filters
      udev iproute2 util-linux)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  note "missing Debian packages: ${missing[*]}"
  run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
fi
# Always the whole list: apt-get leaves installed packages alone, and the
# action list is then the same on every machine.
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PKGS[@]}"

# ---- 2. The kiosk user -------------------------------------------------
# A system user with no password and no shell; its home is the kiosk's
# home (KIKAN_HOME), 0700 (data/kikan-kiosk.sysusers says the same).
if getent passwd kikan >/dev/null; then
  note "user kikan exists"
else
  run useradd --system --user-group --home-dir /var/lib/kikan --no-create-home \
      --shell /usr/sbin/nologin --comment "Kikan kiosk" kikan
fi
run install -d -m 0700 -o kikan -g kikan /var/lib/kikan
# A home that root set up before (README: kikan commands run as root, e.g.
# the first signature import) holds root's files, which the kiosk, run as
# kikan, could not open.  The unit's StateDirectory= would chown them at
# the first start anyway; do it here, where the administrator sees it.
if [ -d /var/lib/kikan ] && getent passwd kikan >/dev/null &&
   [ -n "$(find /var/lib/kikan \( ! -user kikan -o ! -group kikan \) -print -quit)" ]; then
  note "files in /var/lib/kikan not owned by kikan (set up as root?): giving them to kikan"
  run chown -R kikan:kikan /var/lib/kikan
fi
run install -d -m 0700 -o kikan -g kikan /var/cache/kikan
# /etc/kikan: IT's policy and USB models; root's, readable by the kiosk.
run install -d -m 0755 -o root -g root /etc/kikan

# ---- 3. The unit, the udev and polkit rules ----------------------------
unit_tmp=$(mktemp)
trap 'rm -f "$unit_tmp"' EXIT
sed "s#/usr/local/bin/kikan-kiosk#$prefix/bin/kikan-kiosk#" \
    "$top/data/kikan-kiosk.service" >"$unit_tmp"
note "the unit runs: $(grep '^ExecStart=' "$unit_tmp")"
run install -D -m 0644 "$unit_tmp" /etc/systemd/system/kikan-kiosk.service
run install -D -m 0644 "$top/data/90-kikan-automount.rules" /etc/udev/rules.d/90-kikan-automount.rules
run install -D -m 0644 "$top/data/50-kikan-no-mount.rules" /etc/polkit-1/rules.d/50-kikan-no-mount.rules
run install -D -m 0644 "$top/data/kikan-kiosk.sysusers" /usr/lib/sysusers.d/kikan-kiosk.conf
if [ -S /run/udev/control ]; then
  run udevadm control --reload
  run udevadm trigger --action=change --subsystem-match=block --subsystem-match=usb
else
  note "udevd is not running: the udev rules take effect at the next boot"
fi

# ---- 4. Automount off --------------------------------------------------
# Masking works for units not installed (yet): a later `apt-get install
# udisks2` cannot start it either.  udisks2 is what desktops automount
# through; gvfs's volume monitor is a per-user service (--global); autofs
# mounts on access.
for u in udisks2.service autofs.service; do
  if systemd_running; then run systemctl stop "$u" || true; fi
  run systemctl disable "$u" || true
  run systemctl mask "$u"
done
run systemctl --global mask gvfs-udisks2-volume-monitor.service

# ---- 5. Network off (--offline) ------------------------------------------
NET_UNITS=(NetworkManager.service NetworkManager-wait-online.service networking.service
           ifup@.service systemd-networkd.service systemd-networkd.socket
           wpa_supplicant.service ModemManager.service)
if [ "$offline" -eq 1 ]; then
  for u in "${NET_UNITS[@]}"; do
    if systemd_running && [ "$u" != ifup@.service ]; then run systemctl stop "$u" || true; fi
    run systemctl disable "$u" || true
    run systemctl mask "$u"
  done
  # What is up now goes down now; nothing above brings it up again.
  for dev in $(ip -o link show up 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    [ "$dev" = lo ] && continue
    run ip link set dev "$dev" down
  done
else
  note "network services left alone (no --offline): kikan-kiosk warns on screen while an interface is up (KR-38)"
fi

# ---- 6. Start the kiosk at boot ----------------------------------------
run systemctl enable kikan-kiosk.service
run systemctl set-default graphical.target

# ---- What the installer cannot do for you ------------------------------
if [ ! -x "$prefix/bin/kikan-kiosk" ]; then
  note "WARNING: $prefix/bin/kikan-kiosk is missing: build and install Kikan first (docs/deploy.md)"
fi
cat <<EOF

Next steps (docs/deploy.md):
  1. Official ClamAV databases from an IT update medium:
       runuser -u kikan -- env KIKAN_HOME=/var/lib/kikan kikan signatures import DIR
  2. With the auditor present, once (docs/audit.md):
       runuser -u kikan -- env KIKAN_HOME=/var/lib/kikan kikan audit init --kiosk-id ID --key-file FILE
  3. IT accounts (docs/it-accounts.md):
       runuser -u kikan -- env KIKAN_HOME=/var/lib/kikan kikan it account add ID --password-file FILE
  4. Policy in /etc/kikan/policy.conf, USB models in /etc/kikan/usb.conf,
     the ledger (kikan ledger import), the printer ([print] queue: docs/printing.md).
  5. Reboot; the kiosk starts on tty1.  journalctl -u kikan-kiosk shows its log.
EOF
