#!/usr/bin/env bash
# Installs every Debian package Kikan needs to build, test and benchmark,
# if it is missing.  Idempotent; needs root (or sudo) the first time only.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates xz-utils
  # scanner/
  libclamav-dev clamav libarchive-dev libunarr-dev libseccomp-dev libssl-dev zlib1g-dev
  # scanner/: media without mounting (libtsk, libblkid), user-space unlocking
  libtsk-dev libblkid-dev libcryptsetup-dev libbde-dev libbfio-dev
  # scanner/: installed software (registry hives, Info.plist)
  libhivex-dev libplist-dev
  # kiosk/
  libglib2.0-dev libjson-glib-dev
  # kiosk/: the policy file (INI with line numbers in every error)
  libinih-dev
  # kiosk/ check-in (issue #9): the store, the ledger CSV, USB identity
  libsqlite3-dev sqlite3 libcsv-dev libusb-1.0-0-dev libgudev-1.0-dev
  # kiosk/audit/: BLAKE2b for the audit chain (issue #10)
  libsodium-dev
  # kiosk/slip/ and kiosk/print/ (issue #10): the slip PDF (cairo + pango,
  # Japanese in IPAGothic, a TrueType font cairo subsets; Noto CJK for the
  # kiosk's screens), its QR code, the signed payload (CBOR, zlib),
  # printing through CUPS
  libcairo2-dev libpango1.0-dev fonts-noto-cjk fonts-ipafont-gothic libqrencode-dev libcbor-dev
  libcups2-dev
  # tests (umockdev: USB devices and hot-plug without a USB bus)
  umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi
  libcmocka-dev python3 zip unzip clamav-testfiles libarchive-tools procps
  # the hostile-media corpus measures each scan's peak memory with GNU time
  time
  # test images made at test time: mkfs.*, partition tables, LUKS headers,
  # filling FAT/exFAT/NTFS images without kernel drivers
  dosfstools exfatprogs exfat-fuse ntfs-3g e2fsprogs mtools fdisk cryptsetup-bin util-linux
  # software tests: hives written with libhivex, a real NSIS installer, a
  # real MSI, Authenticode-signed programs, test certificates
  python3-hivex libhivex-bin nsis msitools wixl osslsigncode openssl
  # hostile-archive tests (issue #8): bare streams of every compressor a
  # person's tools decode; the hostile-media corpus (issue #12) also makes a
  # 7z bomb with 7-Zip (7zz)
  zstd lz4 lzip ncompress 7zip
  # a FUSE file system that plays a medium changing under the scan
  fuse3 libfuse3-dev
  # ISO 9660 media whose Rock Ridge and Joliet trees list different files
  genisoimage
  # bench: clamscan, clamd and clamdscan in the same run
  clamav-daemon clamdscan
  # slip and print tests: render and read back the PDF, decode its QR, a
  # private cupsd of the test's own
  poppler-utils zbar-tools cups-daemon cups-client cups-filters
  # the attacker of the seal and export tests signs with Ed25519 keys of
  # its own (Debian's python3)
  python3-nacl
  # the GTK4 kiosk kikan-kiosk (issue #11): GTK 4.8 and libadwaita 1.2,
  # its gettext catalogs, and Xvfb for the UI tests and screenshots
  libgtk-4-dev libadwaita-1-dev gettext xvfb xauth
  # GTK kiosk (issue #11): the kiosk session's lockdown and its tests: the
  # cage compositor (needs xwayland), a GTK 4 probe client in Debian's
  # python3 (gir1.2-gtk-4.0), ip for the KR-38 network test's namespace,
  # systemd-analyze and systemd-sysusers to check the files in data/
  cage xwayland gir1.2-gtk-4.0 iproute2 systemd
  # scripts/soak.sh (issue #12 item 5): the memory and descriptor curves of a
  # day of check-ins, drawn as PNG without X
  gnuplot-nox
  # fuzz harnesses (libFuzzer) and sanitizer runtime
  clang libclang-rt-14-dev
  # the coverage report of docs/robustness.md (scripts/coverage.sh, issue #12)
  gcovr
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "kikan: installing missing Debian packages: ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The clamav-freshclam/clamav-daemon services try the network; this is an
# offline kiosk, so stop them if the package started them.
if command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now clamav-freshclam clamav-daemon >/dev/null 2>&1 || true
fi
