#!/bin/sh
# Remakes the seed corpus of fuzz-unlock (tests/fuzz/corpus/unlock): each
# seed is one byte choosing the kind (0 LUKS1, 1 LUKS2, 2 FileVault 2,
# 3 BitLocker) followed by under 64 KiB of volume.
#   luks1.bin, luks2.bin, luks2-4k.bin  the start of volumes made by cryptsetup
#                                       (header and the start of key slot 0)
#   fvault2.bin   a synthetic Core Storage header and disk label with valid
#                 CRC32C, pointing at metadata blocks inside the seed
#   bitlocker.bin a synthetic BitLocker boot sector pointing at an FVE
#                 metadata block inside the seed
# The seeds are committed; run this only to change them.
#   make-unlock-seeds.sh [OUTDIR]
set -eu
out=${1:-$(dirname "$0")/corpus/unlock}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed () {  # seed KIND IMAGE NAME
    { printf "\\$(printf '%03o' "$1")"; head -c 61440 "$2"; } > "$out/$3"
}

printf 'fuzz-Pa55phrase!' > "$work/pass"
truncate -s 4M "$work/l1"
cryptsetup luksFormat --type luks1 --pbkdf-force-iterations 1000 -q --disable-locks \
    --key-file "$work/pass" "$work/l1"
seed 0 "$work/l1" luks1.bin
truncate -s 20M "$work/l2"
cryptsetup luksFormat --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 -q \
    --disable-locks --sector-size 512 --key-file "$work/pass" "$work/l2"
seed 1 "$work/l2" luks2.bin
cryptsetup luksFormat --type luks2 --pbkdf argon2id --pbkdf-force-iterations 4 \
    --pbkdf-memory 32 -q --disable-locks --sector-size 4096 --key-file "$work/pass" "$work/l2"
seed 1 "$work/l2" luks2-4k.bin

python3 - "$out" <<'PY'
import os, struct, sys
out = sys.argv[1]
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(b, c=0xffffffff):
    for x in b:
        c = T[(c ^ x) & 0xff] ^ (c >> 8)
    return c
def seal(block):
    # Core Storage blocks start with CRC32C value and seed (0xffffffff).
    block[4:8] = struct.pack('<I', 0xffffffff)
    block[0:4] = struct.pack('<I', crc32c(bytes(block[8:])))

# FileVault 2: volume header at 0, disk label (block 1 of 4 KiB), volume
# groups descriptor 8 KiB after it, 4 "encrypted metadata" blocks at 16 KiB.
vol = bytearray(61440)
vh = bytearray(512)
struct.pack_into('<HH', vh, 8, 1, 0x10)           # version, block type
vh[88:90] = b'CS'                                 # magic, big-endian
struct.pack_into('<I', vh, 96, 4096)              # block size
struct.pack_into('<Q', vh, 104, 1)                # disk label block
struct.pack_into('<I', vh, 168, 16)               # key data size
vh[176:192] = bytes(range(16))                    # key data
vh[304:320] = bytes(range(100, 116))              # physical volume UUID
seal(vh)
vol[0:512] = vh
dl = bytearray(8192)
struct.pack_into('<HH', dl, 8, 1, 0x11)
struct.pack_into('<I', dl, 220, 8192)             # volume groups descriptor offset
seal(dl)
vol[4096:4096 + 8192] = dl
struct.pack_into('<Q', vol, 12288 + 8, 4)         # encrypted metadata blocks
struct.pack_into('<Q', vol, 12288 + 32, 4)        # ... from block 4
vol[16384:16384 + 4 * 8192] = os.urandom(4 * 8192)
open(os.path.join(out, 'fvault2.bin'), 'wb').write(b'\x02' + bytes(vol))

# BitLocker: boot sector with the three FVE metadata offsets, one FVE block.
vol = bytearray(61440)
vol[0:3] = b'\xebX\x90'
vol[3:11] = b'-FVE-FS-'
struct.pack_into('<H', vol, 11, 512)
vol[510:512] = b'\x55\xaa'
for i, off in enumerate((8192, 24576, 40960)):
    struct.pack_into('<Q', vol, 0xb0 + 8 * i, off)
    vol[off:off + 8] = b'-FVE-FS-'
    struct.pack_into('<HHHHQ', vol, off + 8, 0x39, 2, 4, 4, 61440)
    struct.pack_into('<QQQ', vol, off + 32, 8192, 24576, 40960)
open(os.path.join(out, 'bitlocker.bin'), 'wb').write(b'\x03' + bytes(vol))
PY
ls -l "$out"
