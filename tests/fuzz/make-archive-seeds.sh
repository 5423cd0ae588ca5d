#!/usr/bin/env bash
# Writes the seed corpus of tests/fuzz/fuzz-archive.c: small archives and
# streams of every format the cross-check reads, each prefixed with the
# route byte (0 index, 1 stream, 2 raw, 3 tar concat, 4 self-extractor,
# 5 a zip found from its end record).
# Rerun only to change the seeds; the output is committed.
#   tests/fuzz/make-archive-seeds.sh [OUTDIR]   (default tests/fuzz/corpus/archive)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/archive}
shared=$here/../../../shared/testdata/clamav
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/t/d"
cd "$work"
printf 'hello\n' >t/a.txt
printf 'second file, a little longer than the first\n' >t/d/b.txt
ln -s a.txt t/link
seed() {  # seed NAME ROUTE FILE
  { printf "\\x$(printf %02x "$2")"; cat "$3"; } >"$out/$1"
}
(cd t && bsdtar --format zip -cf ../x.zip a.txt d link)
(cd t && bsdtar --format ustar -cf ../x.tar a.txt d)
(cd t && bsdtar --format pax -cf ../x.pax a.txt d)
(cd t && bsdtar --format 7zip -cf ../x.7z a.txt d)
(cd t && bsdtar --format cpio -cf ../x.cpio a.txt d)
(cd t && bsdtar --format ar -cf ../x.ar a.txt)
truncate -s 64K sparse && printf 'tail' >>sparse && bsdtar --format pax --read-sparse -cf x-sparse.tar sparse
gzip -9c x.tar >x.tar.gz
bzip2 -9c t/a.txt >a.bz2
xz -c t/a.txt >a.xz
zstd -q -c t/a.txt >a.zst
lz4 -q -c t/a.txt >a.lz4
lzip -c t/a.txt >a.lz
cat a.bz2 a.bz2 >two.bz2
cat x.tar x.tar >concat.tar
{ head -c 300 /bin/true; cat x.7z; } >sfx.bin
{ printf 'GIF89a....'; cat x.zip; } >appended.zip
cat x.tar x.zip >tar-then-zip
seed zip 0 x.zip;          seed zip-stream 1 x.zip
seed tar 0 x.tar;          seed pax 0 x.pax
seed 7z 0 x.7z;            seed cpio 0 x.cpio
seed ar 0 x.ar
seed sparse-tar 0 x-sparse.tar
seed tar-gz 0 x.tar.gz;    seed gz-raw 2 x.tar.gz
seed bz2-raw 2 a.bz2;      seed bz2-two-streams 2 two.bz2
seed xz-raw 2 a.xz;        seed zst-raw 2 a.zst
seed lz4-raw 2 a.lz4;      seed lz-raw 2 a.lz
seed tar-concat 3 concat.tar
seed 7z-sfx 4 sfx.bin;     seed zip-appended 0 appended.zip
seed tar-then-zip 5 tar-then-zip
for f in clam-v2.rar clam-v3.rar; do
  [ -f "$shared/$f" ] && seed "${f%.rar}-rar" 0 "$shared/$f"
done
for f in clam.arj clam.cab clam.7z; do
  [ -f "/usr/share/clamav-testfiles/$f" ] && seed "${f#clam.}" 0 "/usr/share/clamav-testfiles/$f"
done
ls "$out" | wc -l
