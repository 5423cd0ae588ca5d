#!/usr/bin/env python3
"""Writes Kikan's hostile-media corpus (issue #12 item 2) into a folder.

Usage:
  make-corpus.py [--subset] [--only NAME[,NAME...]] OUTDIR
  make-corpus.py --list

Every item is made here, at run time, from python3's standard library and
Debian tools (scripts/install-deps.sh): mkfs.vfat, mkfs.exfat, mkfs.ntfs,
mkfs.ext4, debugfs, mtools, sfdisk, genisoimage, tar, bzip2, xz, zstd,
7zz.  exFAT and NTFS images are filled through FUSE (root), as
tests/fixtures/make-media.py does.  No malware-like bytes live in the
repository: the EICAR test string is assembled from reversed pieces by
tests/fixtures/make-fixtures.py.

OUTDIR/manifest.json lists every item made:
  {"format": "kikan-hostile-corpus", "generator_sha256": ...,
   "items": [{"name", "target" (relative to OUTDIR), "kind" (file | folder |
              image), "attacks" (what it attacks), "expect" (the results
              allowed: a subset of infected / not_inspected, never clean),
              "subset" (part of the fast subset), "bytes", "seconds"}]}

The rule every item follows (KR-10, KR-09): it holds something that must
keep it from being cleared.  Items that cannot be inspected (bombs,
corrupt structures, limits) must come back not_inspected with a reason;
items that are weird but fully readable (hostile names, link loops,
100,000 files) carry an EICAR payload somewhere, so that they must come
back infected.  None may come back clean.
"""

import argparse
import hashlib
import importlib.util
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
MiB = 1 << 20
GiB = 1 << 30
SECTOR = 512


def _load(name, path):
    sys.dont_write_bytecode = True      # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


FX = _load("kikan_make_fixtures", os.path.join(FIXTURES, "make-fixtures.py"))
MEDIA = _load("kikan_make_media", os.path.join(FIXTURES, "make-media.py"))


class CorpusError(Exception):
    pass


def eicar():
    return FX.eicar()


def run(argv, **kw):
    try:
        return MEDIA.run(argv, **kw)
    except MEDIA.MediaError as e:
        raise CorpusError(str(e))


def tool(name):
    exe = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if exe is None:
        raise CorpusError("%s is not installed: run scripts/install-deps.sh" % name)
    return exe


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def rm_tree(path):
    # shutil.rmtree recurses in Python: a 4,096-deep tree overflows it.
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--", path], check=True)


# ------------------------------------------------------------------ deflate

def zeros_deflate(nbytes, chunk=16 * MiB):
    """A raw deflate stream of @nbytes zeros, made in constant time: one
    chunk compressed with a full flush is byte-aligned and stateless, so
    the same bytes repeat.  Returns (compressed, crc32)."""
    assert nbytes % chunk == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    body = one * (nbytes // chunk) + b"\x03\x00"      # an empty final block
    return body, crc32_zeros(nbytes)


def crc32_zeros(n, piece=16 * MiB):
    """CRC-32 of @n zero bytes: one piece read, then crc(A + B) from crc(A)
    and crc(B) with the shift operator of one piece (crc32_shift_op), so
    that a 4 GiB bomb does not cost 4 GiB of CRC."""
    whole, rest = divmod(n, piece)
    crc_piece = zlib.crc32(bytes(piece))
    op = crc32_shift_op(piece) if whole > 1 else None
    crc = 0
    for k in range(whole):
        crc = crc_piece if k == 0 else crc32_combine_op(op, crc, crc_piece)
    return zlib.crc32(bytes(rest), crc)


def gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def crc32_shift_op(len2):
    """zlib's crc32_combine as a matrix: crc(A+B) = times(op, crc(A)) ^ crc(B)
    with op = crc32_shift_op(len(B)).  Lets a chain of overlapping members
    get its CRCs without re-reading a large shared tail each time."""
    def square(m):
        return [gf2_times(m, m[n]) for n in range(32)]

    def mul(a, b):        # a after b
        return [gf2_times(a, b[n]) for n in range(32)]
    ident = [1 << n for n in range(32)]
    op = ident
    odd = [0xEDB88320] + [1 << n for n in range(31)]      # one zero bit
    m = square(square(odd))                                 # one zero byte... 4 bits
    m = square(m)                                           # 8 bits = one byte
    while len2:
        if len2 & 1:
            op = mul(m, op)
        len2 >>= 1
        if len2:
            m = square(m)
    return op


def crc32_combine_op(op, crc1, crc2):
    return gf2_times(op, crc1) ^ crc2


# ------------------------------------------------------------------ zip by hand

def lfh(name, method, crc, csize, usize, flags=0):
    n = name if isinstance(name, bytes) else name.encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc,
                       csize, usize, len(n), 0) + n


def cdh(name, method, crc, csize, usize, offset, flags=0):
    n = name if isinstance(name, bytes) else name.encode()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, 0, 0x21,
                       crc, csize, usize, len(n), 0, 0, 0, 0, 0, offset) + n


def eocd(count, cd_size, cd_offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)


def zip_raw(entries):
    """entries: [(name, method, compressed, crc, usize)] -> zip bytes."""
    body, cd = bytearray(), bytearray()
    for name, method, comp, crc, usize in entries:
        off = len(body)
        body += lfh(name, method, crc, len(comp), usize) + comp
        cd += cdh(name, method, crc, len(comp), usize, off)
    return bytes(body + cd + eocd(len(entries), len(cd), len(body)))


def zip_py(members, method=zipfile.ZIP_DEFLATED):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", method, compresslevel=9) as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = method
            zf.writestr(zi, data)
    return bio.getvalue()


# ------------------------------------------------------------------ registry

ITEMS = []


def item(name, attacks, expect, subset=False, kind="file"):
    """Registers a builder: fn(outdir) -> target path relative to outdir."""
    assert set(expect) <= {"infected", "not_inspected"} and expect, name
    def deco(fn):
        ITEMS.append({"name": name, "attacks": attacks, "expect": sorted(expect),
                      "subset": subset, "kind": kind, "build": fn})
        return fn
    return deco


NI = {"not_inspected"}
INF = {"infected"}
ANY = {"infected", "not_inspected"}

# ------------------------------------------------------------------ archive bombs


@item("zip-bomb", "one deflated member of 4 GiB - 1 of zeros in a 4 MiB zip "
      "(max_filesize, max_scansize)", NI, subset=True)
def _zip_bomb(out):
    size = 4 * GiB - 16 * MiB
    comp, crc = zeros_deflate(size)
    write(os.path.join(out, "zip-bomb.zip"), zip_raw([("zeros.bin", 8, comp, crc, size)]))
    return "zip-bomb.zip"


@item("zip-bomb-many", "12,000 deflated members of 1 MiB of zeros each "
      "(max_files 10,000, max_scansize: 12 GiB in all)", NI)
def _zip_bomb_many(out):
    size = 1 * MiB
    comp, crc = zeros_deflate(size, chunk=size)
    write(os.path.join(out, "zip-bomb-many.zip"),
          zip_raw([("z%05d.bin" % i, 8, comp, crc, size) for i in range(12000)]))
    return "zip-bomb-many.zip"


@item("zip-nested-42", "42.zip-style: 16 zips in 16 zips in 16 zips in 16 zips, each "
      "leaf 16 members of 1 GiB of zeros (16^5 GiB; max_recursion, max_files, "
      "max_scansize)", NI)
def _zip_nested(out):
    comp, crc = zeros_deflate(1 * GiB)
    level = zip_raw([("%x.bin" % i, 8, comp, crc, 1 * GiB) for i in range(16)])
    for depth in range(4):
        level = zip_py([("lib%x.zip" % i, level) for i in range(16)])
    write(os.path.join(out, "42.zip"), level)
    return "42.zip"


@item("zip-nested-deep", "a zip 40 levels deep (past max_recursion 16), EICAR at the "
      "bottom: the depth cut must be a reason, never clean", NI, subset=True)
def _zip_deep(out):
    data = zip_py([("eicar.com", eicar())])
    for i in range(40):
        data = zip_py([("level%02d.zip" % (39 - i), data)])
    write(os.path.join(out, "deep40.zip"), data)
    return "deep40.zip"


@item("zip-of-bombs", "a zip of 64 distinct zip bombs (each one member of 256-1264 MiB of "
      "zeros): every one is new content to the cross-check, which rescans it", NI)
def _zip_of_bombs(out):
    inner = []
    for i in range(64):
        size = 256 * MiB + 16 * MiB * i
        comp, crc = zeros_deflate(size)
        inner.append(("bomb%02d.zip" % i, 0, zip_raw([("zeros.bin", 8, comp, crc, size)])))
    write(os.path.join(out, "zip-of-bombs.zip"),
          zip_raw([(n, 0, d, zlib.crc32(d), len(d)) for n, _, d in inner]))
    return "zip-of-bombs.zip"


def stream_bomb(out, name, argv, piece=64 * MiB, count=32):
    """A bare compressed stream of @count concatenated streams, each
    @piece zeros (2 GiB in all by default): every decoder a person uses
    reads the concatenation (gzip -d, bzip2 -d, xz -d, zstd -d)."""
    exe = tool(argv[0])
    p = subprocess.run([exe] + argv[1:], input=bytes(piece), stdout=subprocess.PIPE,
                       check=True)
    write(os.path.join(out, name), p.stdout * count)
    return name


@item("gzip-bomb", "a bare .gz of 2 GiB of zeros (32 members)", NI, subset=True)
def _gzip_bomb(out):
    comp, crc = zeros_deflate(64 * MiB)
    member = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + comp
              + struct.pack("<II", crc, 64 * MiB))
    write(os.path.join(out, "zeros.gz"), member * 32)
    return "zeros.gz"


@item("bzip2-bomb", "a bare .bz2 of 2 GiB of zeros (32 streams)", NI)
def _bzip2_bomb(out):
    return stream_bomb(out, "zeros.bz2", ["bzip2", "-9", "-c"])


@item("xz-bomb", "a bare .xz of 2 GiB of zeros (32 streams)", NI)
def _xz_bomb(out):
    return stream_bomb(out, "zeros.xz", ["xz", "-6", "-c", "-T1"])


@item("zstd-bomb", "a bare .zst of 2 GiB of zeros (32 frames)", NI)
def _zstd_bomb(out):
    return stream_bomb(out, "zeros.zst", ["zstd", "-19", "-c", "-q"])


@item("7z-bomb", "a 7z (LZMA2) of two 1 GiB files of zeros", NI)
def _7z_bomb(out):
    work = tempfile.mkdtemp(prefix="kikan-corpus-7z-", dir=out)
    try:
        for i in range(2):
            with open(os.path.join(work, "zeros%d.bin" % i), "wb") as f:
                f.truncate(1 * GiB)
        dst = os.path.join(out, "zeros.7z")
        if os.path.exists(dst):
            os.unlink(dst)
        run([tool("7zz"), "a", "-bd", "-mx=1", "-mmt=2", dst] +
            ["zeros%d.bin" % i for i in range(2)], cwd=work, timeout=900)
    finally:
        rm_tree(work)
    return "zeros.7z"


@item("tar-sparse-huge", "a GNU sparse tar member of 64 GiB (one 4 KiB chunk with EICAR at "
      "its end): rebuilt it is far over max_filesize", ANY)
def _tar_sparse(out):
    work = tempfile.mkdtemp(prefix="kikan-corpus-sparse-", dir=out)
    try:
        p = os.path.join(work, "disk.vhd")
        with open(p, "wb") as f:
            f.truncate(64 * GiB - 4096)
            f.seek(64 * GiB - 4096)
            f.write(eicar().ljust(4096, b"\0"))
        run(["tar", "--sparse", "--format=gnu", "-cf", os.path.join(out, "sparse.tar"),
             "-C", work, "disk.vhd"], timeout=600)
    finally:
        rm_tree(work)
    return "sparse.tar"


@item("tar-pax-sparse-lie", "a PAX 1.0 sparse member whose map puts 68 bytes (EICAR) at "
      "offset 2^50 and claims a real size of 2^50 + 68: libarchive would rebuild a "
      "petabyte of zeros", ANY, subset=True)
def _pax_sparse(out):
    off = 1 << 50
    data = eicar()
    mapblk = b"1\n%d\n%d\n" % (off, len(data))
    mapblk += b"\0" * (512 - len(mapblk))
    stored = mapblk + data
    ti = tarfile.TarInfo("GNUSparseFile.0/payload.bin")
    ti.size = len(stored)
    ti.mtime = 0
    ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                      "GNU.sparse.name": "payload.bin",
                      "GNU.sparse.realsize": str(off + len(data))}
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti, io.BytesIO(stored))
    write(os.path.join(out, "pax-sparse.tar"), bio.getvalue())
    return "pax-sparse.tar"


# ------------------------------------------------------------------ recursive, overlapping

@item("zip-overlap-chain", "Fifield-style overlapping zip: 1,500 members whose local "
      "headers lie inside the previous member's data (stored-block quoting), all "
      "sharing one 32 MiB kernel of zeros (~47 GiB from 1 MiB)", ANY)
def _zip_overlap(out):
    n = 1500
    kernel_size = 32 * MiB
    kernel, kcrc = zeros_deflate(kernel_size)
    names = ["%04d.bin" % i for i in range(n)]
    # Built from the last member back: member i's data is a non-final
    # stored block quoting member i+1's local header, followed by member
    # i+1's data, so it inflates to that header and all that member holds.
    headers = [None] * n
    crc, csize, usize = kcrc, len(kernel), kernel_size
    op = crc32_shift_op(usize)
    op_header = None
    for i in range(n - 1, -1, -1):
        h = lfh(names[i], 8, crc, csize, usize)
        headers[i] = h
        if op_header is None:
            op_header = crc32_shift_op(len(h))
        assert len(h) == len(headers[-1])
        # crc(h + data of i+1's member) from crc(h) and crc(that data),
        # whose length is usize: op is the shift by usize bytes.
        crc = crc32_combine_op(op, zlib.crc32(h), crc)
        csize += 5 + len(h)
        usize += len(h)
        op = [gf2_times(op_header, op[k]) for k in range(32)]
    body = bytearray()
    offsets = []
    for i in range(n):
        offsets.append(len(body))
        body += headers[i]
        if i < n - 1:
            nh = len(headers[i + 1])
            body += b"\x00" + struct.pack("<HH", nh, nh ^ 0xFFFF)
    body += kernel
    cd = bytearray()
    for i in range(n):
        crc_i, csize_i, usize_i = struct.unpack_from("<III", headers[i], 14)
        cd += cdh(names[i], 8, crc_i, csize_i, usize_i, offsets[i])
    write(os.path.join(out, "overlap.zip"), bytes(body + cd + eocd(n, len(cd), len(body))))
    return "overlap.zip"


@item("zip-overlap-same", "10,000 central-directory entries that all point at one local "
      "header (EICAR, stored), plus one member of 256 MiB of zeros", ANY, subset=True)
def _zip_same(out):
    e = eicar()
    crc = zlib.crc32(e)
    body = lfh("x.com", 0, crc, len(e), len(e)) + e
    comp, zcrc = zeros_deflate(256 * MiB)
    off2 = len(body)
    body += lfh("zeros.bin", 8, zcrc, len(comp), 256 * MiB) + comp
    cd = b"".join(cdh("x.com" if i == 0 else "copy%05d.com" % i, 0, crc, len(e), len(e), 0)
                  for i in range(10000))
    cd += cdh("zeros.bin", 8, zcrc, len(comp), 256 * MiB, off2)
    write(os.path.join(out, "overlap-same.zip"), body + cd + eocd(10001, len(cd), len(body)))
    return "overlap-same.zip"


@item("zip-self-reference", "a zip whose only member is stored and whose data is the "
      "whole archive from its first byte (the member's offset points back at itself), "
      "with a second member holding EICAR", ANY)
def _zip_self(out):
    e = eicar()
    a = lfh("self.zip", 0, 0, 0, 0)
    b_off = len(a)
    b = lfh("eicar.com", 0, zlib.crc32(e), len(e), len(e)) + e
    body = a + b
    cd = (cdh("self.zip", 0, 0, 0, 0, 0) + cdh("eicar.com", 0, zlib.crc32(e), len(e), len(e),
                                               b_off))
    end = eocd(2, len(cd), len(body))
    whole_len = len(body) + len(cd) + len(end)
    # Now make member 0 claim the whole file as its stored data, starting
    # at the archive's own first byte: a reader that follows it opens the
    # same zip again.
    cd = (cdh("self.zip", 0, 0, whole_len, whole_len, 0)
          + cdh("eicar.com", 0, zlib.crc32(e), len(e), len(e), b_off))
    write(os.path.join(out, "self.zip"), body + cd + end)
    return "self.zip"


# ------------------------------------------------------------------ readers disagree

@item("zip-readers-disagree", "the central directory lists a harmless text file, a "
      "local entry it does not list holds EICAR (streaming readers extract it)", INF,
      subset=True)
def _zip_disagree(out):
    clean = b"just a harmless text file\n" * 4
    e = eicar()
    hidden = lfh("hidden.com", 0, zlib.crc32(e), len(e), len(e)) + e
    visible = lfh("visible.txt", 0, zlib.crc32(clean), len(clean), len(clean)) + clean
    cd = cdh("visible.txt", 0, zlib.crc32(clean), len(clean), len(clean), len(hidden))
    write(os.path.join(out, "disagree.zip"),
          hidden + visible + cd + eocd(1, len(cd), len(hidden) + len(visible)))
    return "disagree.zip"


@item("zip-method-disagree", "local header says stored, central directory deflate, over "
      "a deflated EICAR (Python's zipfile extracts EICAR, others read deflate bytes)",
      ANY)
def _zip_method(out):
    e = eicar()
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    comp = c.compress(e) + c.flush()
    local = lfh("readme.txt", 0, zlib.crc32(comp), len(comp), len(comp)) + comp
    cd = cdh("readme.txt", 8, zlib.crc32(e), len(comp), len(e), 0)
    write(os.path.join(out, "method.zip"), local + cd + eocd(1, len(cd), len(local)))
    return "method.zip"


@item("zip-tar-polyglot", "a file that is a tar (harmless member) and a zip (EICAR "
      "member) at once: tar readers and zip readers see different files", INF,
      subset=True)
def _polyglot(out):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        d = b"harmless tar member\n" * 10
        ti = tarfile.TarInfo("notes.txt")
        ti.size = len(d)
        tf.addfile(ti, io.BytesIO(d))
    tar = bio.getvalue()
    e = eicar()
    local = lfh("payload.com", 0, zlib.crc32(e), len(e), len(e)) + e
    cd = cdh("payload.com", 0, zlib.crc32(e), len(e), len(e), len(tar))
    write(os.path.join(out, "polyglot.tar"),
          tar + local + cd + eocd(1, len(cd), len(tar) + len(local)))
    return "polyglot.tar"


# ------------------------------------------------------------------ names and trees

HOSTILE_NAMES = [
    b"ctl-\x1b[2J\x1b[31mRED\x07-bell.txt",
    b"newline-\nin-name.txt",
    b"tab-\tand-\r-cr.txt",
    b"invalid-utf8-\xff\xfe\xc0\xaf.txt",
    b"overlong-\xc0\xae\xc0\xae.txt",
    b"rlo-invoice-\xe2\x80\xaegpj.exe",            # U+202E: shows as ...exe.jpg
    b"c1-\xc2\x9b31m.txt",
    b"bom-\xef\xbb\xbf-zwsp-\xe2\x80\x8b.txt",
    b"x" * 251 + b".txt",                           # 255 bytes
    (b"\xe3\x81\x82" * 84) + b".txt"[:3],          # 255 bytes of UTF-8 (CJK)
]


def hostile_tree(root, payload_name_index=5):
    """Files under @root named HOSTILE_NAMES; the one at @payload_name_index
    (the right-to-left override) holds EICAR, the others harmless text."""
    os.makedirs(root, exist_ok=True)
    for i, n in enumerate(HOSTILE_NAMES):
        assert len(n) <= 255, n
        with open(os.path.join(os.fsencode(root), n), "wb") as f:
            f.write(eicar() if i == payload_name_index else b"harmless %d\n" % i)


@item("names-ext4", "ext4 whose names hold terminal escapes, newlines, invalid UTF-8, "
      "overlong UTF-8, C1 controls, a right-to-left override, zero-width characters and "
      "255-byte names; EICAR in the RLO-named file", INF, subset=True, kind="image")
def _names_ext4(out):
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=out) as src:
        hostile_tree(os.path.join(src, "names"))
        img = os.path.join(out, "names-ext4.img")
        MEDIA.mkfs_ext4(img, 8 * MiB, "names", "4b696b61-0000-4000-8000-0000000012a1", src)
    return "names-ext4.img"


@item("names-folder", "the same hostile names in a folder target", INF, kind="folder")
def _names_folder(out):
    root = os.path.join(out, "names.d")
    rm_tree(root)
    hostile_tree(root)
    return "names.d"


@item("names-zip", "a zip whose member names hold escapes, invalid UTF-8, an RLO, path "
      "traversal (../../etc/x), an absolute path, and the same name twice (first "
      "harmless, second EICAR)", INF, subset=True)
def _names_zip(out):
    e = eicar()
    ents = []
    for n in HOSTILE_NAMES[:8] + [b"../../../../etc/cron.d/x", b"/abs/path.txt"]:
        d = b"harmless member\n"
        ents.append((n, 0, d, zlib.crc32(d), len(d)))
    d = b"the first of two members named alike, harmless\n"
    ents.append((b"dup.com", 0, d, zlib.crc32(d), len(d)))
    ents.append((b"dup.com", 0, e, zlib.crc32(e), len(e)))
    write(os.path.join(out, "names.zip"), zip_raw(ents))
    return "names.zip"


def fat_lfn_patch(img, name_ascii, utf16_units):
    """Rewrites the first long-name characters of @name_ascii's LFN entry
    in the root of the FAT image @img with the 16-bit @utf16_units (e.g. a
    lone surrogate): invalid UTF-16 as a broken driver or an attacker
    writes it."""
    fat = MEDIA.Fat(img)
    with open(img, "rb") as f:
        f.seek(fat.root_off)
        root = f.read(fat.root_ent * 32)
    with open(img, "r+b") as f:
        for i in range(0, len(root), 32):
            e = root[i:i + 32]
            # The entry with sequence number 1 holds the name's first 13
            # characters; its checksum covers the short name only.
            if e[11] == 0x0F and e[0] & 0x3F == 1:
                chars = (e[1:11] + e[14:26] + e[28:32]).decode("utf-16-le", "replace")
                if chars.startswith(name_ascii[:13]):
                    for k, u in zip((1, 3, 5, 7, 9), utf16_units):
                        f.seek(fat.root_off + i + k)
                        f.write(struct.pack("<H", u))
                    return
    raise CorpusError("no long-name entry for %r in %s" % (name_ascii, img))


@item("names-fat-utf16", "FAT16 whose long names hold lone UTF-16 surrogates (invalid "
      "UTF-16) and whose directory lists one 8.3 name twice (first harmless, second "
      "EICAR)", INF, kind="image")
def _names_fat(out):
    img = os.path.join(out, "names-fat.img")
    tree = {"Surrogate long name one.txt": b"harmless\n",
            "Surrogate long name two.com": eicar(),
            "DUPA.TXT": b"the first DUPA.TXT, harmless\n",
            "DUPB.COM": eicar()}
    MEDIA.mkfs_fat(img, 16 * MiB, 16, "NAMES", "C0FFEE31", tree)
    fat_lfn_patch(img, "Surrogate long name one.txt", [0xD800, 0xDC00 - 1, 0xDFFF, 0x0000,
                                                       0xDBFF])
    fat_lfn_patch(img, "Surrogate long name two.com", [0xDC00, 0xD800, 0x202E])
    # DUPB.COM renamed DUPA.TXT: two entries, one name.
    ent = MEDIA.Fat(img).find("DUPB    COM")
    with open(img, "r+b") as f:
        f.seek(ent[0])
        f.write(b"DUPA    TXT")
    return "names-fat.img"


@item("tree-100k-files", "ext4 holding 100,000 tiny files in 100 folders, EICAR in the "
      "last one", INF, kind="image")
def _many(out):
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=out) as src:
        for d in range(100):
            dd = os.path.join(src, "d%03d" % d)
            os.mkdir(dd)
            for i in range(1000):
                with open(os.path.join(dd, "f%04d.txt" % i), "wb") as f:
                    f.write(b"tiny %d %d\n" % (d, i))
        write(os.path.join(src, "d099", "zz-last.com"), eicar())
        img = os.path.join(out, "many-100k.img")
        MEDIA.mkfs_ext4(img, 160 * MiB, "many", "4b696b61-0000-4000-8000-0000000012a2", src,
                        inodes=110000)
    return "many-100k.img"


def deep_tree(root, depth, payload):
    """A chain of @depth one-letter directories (paths past PATH_MAX: made
    with directory descriptors), @payload at the bottom."""
    os.makedirs(root, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            try:
                os.mkdir("d", dir_fd=fd)
            except FileExistsError:
                pass
            nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        wfd = os.open("bottom.com", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=fd)
        os.write(wfd, payload)
        os.close(wfd)
    finally:
        os.close(fd)


@item("deep-4096-ext4", "ext4 with directories 4,096 deep, EICAR at the bottom (past the "
      "walk's max_depth: a limit, never clean)", ANY, subset=True, kind="image")
def _deep_ext4(out):
    src = tempfile.mkdtemp(prefix="kikan-corpus-deep-", dir=out)
    try:
        deep_tree(os.path.join(src, "deep"), 4096, eicar())
        write(os.path.join(src, "top.txt"), b"harmless\n")
        img = os.path.join(out, "deep-4096.img")
        MEDIA.mkfs_ext4(img, 32 * MiB, "deep", "4b696b61-0000-4000-8000-0000000012a3", src,
                        inodes=8192)
    finally:
        rm_tree(src)
    return "deep-4096.img"


@item("deep-4096-folder", "a folder target 4,096 directories deep, EICAR at the bottom",
      ANY, kind="folder")
def _deep_folder(out):
    root = os.path.join(out, "deep-4096.d")
    rm_tree(root)
    deep_tree(root, 4096, eicar())
    return "deep-4096.d"


@item("links-ext4", "ext4 with symbolic-link loops (a->b->a, self, ../ chains) and a "
      "directory hard-linked into its own child (debugfs link: a directory loop); "
      "EICAR in one regular file", INF, subset=True, kind="image")
def _links(out):
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=out) as src:
        os.makedirs(os.path.join(src, "loop", "sub"))
        os.symlink("b", os.path.join(src, "loop", "a"))
        os.symlink("a", os.path.join(src, "loop", "b"))
        os.symlink("self", os.path.join(src, "loop", "self"))
        os.symlink("../loop", os.path.join(src, "loop", "sub", "up"))
        os.symlink("/", os.path.join(src, "loop", "root"))
        write(os.path.join(src, "loop", "sub", "payload.com"), eicar())
        write(os.path.join(src, "readme.txt"), b"harmless\n")
        img = os.path.join(out, "links-ext4.img")
        MEDIA.mkfs_ext4(img, 8 * MiB, "links", "4b696b61-0000-4000-8000-0000000012a4", src)
    # Hard links to directories, which only a raw editor can make: the
    # loop's child links back to the loop, and the root to the child.
    run(["debugfs", "-w", "-R", "link /loop /loop/sub/again", img])
    run(["debugfs", "-w", "-R", "link /loop/sub /loop/sub/sub-again", img])
    run(["debugfs", "-w", "-R", "link / /loop/sub/root-again", img])
    return "links-ext4.img"


# ------------------------------------------------------------------ corrupt file systems

def small_tree(seed):
    """Files with EICAR in three places (root, a folder, deep), so that a
    byte flipped in one directory cannot hide every copy."""
    return {"README.txt": b"Returned medium, corrupt on purpose (%s).\n" % seed.encode(),
            "a.com": eicar(),
            "Documents/report.txt": b"Line of the report.\n" * 300,
            "Documents/b.com": eicar(),
            "Projects/2024/q3/c.com": eicar(),
            "Projects/2024/q3/big.bin": MEDIA.prng("big-" + seed, 200 * 1024)}


def flip(img, seed, regions, count):
    """Flips @count bytes (XOR with a non-zero value) at positions drawn
    from @regions [(start, length)] with a deterministic generator."""
    h = hashlib.shake_256(seed.encode()).digest(count * 8)
    total = sum(n for _, n in regions)
    done = []
    with open(img, "r+b") as f:
        for k in range(count):
            r = int.from_bytes(h[k * 8:k * 8 + 6], "little") % total
            for start, n in regions:
                if r < n:
                    pos = start + r
                    break
                r -= n
            f.seek(pos)
            b = f.read(1)[0]
            x = h[k * 8 + 6] or 0x5A
            f.seek(pos)
            f.write(bytes([b ^ x]))
            done.append(pos)
    return done


def fat_regions(img):
    fat = MEDIA.Fat(img)
    # boot sector, both FATs, root directory, and the first data clusters
    # (subdirectories are allocated first by mcopy -s).
    return [(0, 512), (fat.rsvd * fat.bps, fat.nfats * fat.fatsz * fat.bps),
            (fat.root_off, fat.root_ent * 32), (fat.data_off, 16 * fat.clus_bytes)]


CORRUPT = {
    # name: (builder of the pristine image, regions, flips)
    "fat16": lambda img, seed: MEDIA.mkfs_fat(img, 16 * MiB, 16, "CORRUPT", "C0FFEE40",
                                              small_tree(seed)),
    "fat32": lambda img, seed: MEDIA.mkfs_fat(img, 40 * MiB, 32, "CORRUPT", "C0FFEE41",
                                              small_tree(seed)),
    "ext4": lambda img, seed: MEDIA.mkfs_ext4_tree(img, 16 * MiB, "corrupt",
                                                   "4b696b61-0000-4000-8000-0000000012b0",
                                                   small_tree(seed)),
    "exfat": lambda img, seed: MEDIA.mkfs_exfat(img, 8 * MiB, "CORRUPT", small_tree(seed)),
    "ntfs": lambda img, seed: MEDIA.mkfs_ntfs(img, 16 * MiB, "CORRUPT", small_tree(seed)),
    "iso": None,
}


def iso_image(img, seed):
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=os.path.dirname(img)) as src:
        MEDIA.materialise(small_tree(seed), src)
        run(["genisoimage", "-quiet", "-R", "-J", "-V", "CORRUPT", "-o", img, src])


def meta_regions(fs, img):
    size = os.path.getsize(img)
    if fs.startswith("fat"):
        return fat_regions(img)
    if fs == "ext4":
        # superblock + group descriptors, bitmaps and the first inode table
        # blocks, where mkfs puts the root and the first directories.
        return [(1024, 1024), (2048, 6144), (8 * 4096 if size > 8 * MiB else 8192, 256 * 1024)]
    if fs == "exfat":
        return [(0, 512 * 12), (1 * MiB, 256 * 1024)]
    if fs == "ntfs":
        return [(0, 512), (4 * 4096, 64 * 1024)] + ntfs_mft_region(img)
    if fs == "iso":
        # volume descriptors, path tables and the directory records.
        return [(16 * 2048, 4 * 2048), (20 * 2048, 16 * 2048)]
    raise CorpusError(fs)


def ntfs_mft_region(img):
    with open(img, "rb") as f:
        bs = f.read(512)
    bps, spc = struct.unpack_from("<HB", bs, 11)
    mft_lcn, = struct.unpack_from("<Q", bs, 48)
    return [(mft_lcn * bps * spc, 48 * 1024)]


def corrupt_item(fs, variant, flips, subset):
    name = "corrupt-%s-%d" % (fs, variant)

    @item(name, "%s made by mkfs (EICAR in three files), then %d bytes of its metadata "
          "flipped (seed %s)" % (fs.upper(), flips, name), ANY, subset=subset, kind="image")
    def _build(out):
        img = os.path.join(out, name + ".img")
        if fs == "iso":
            iso_image(img, name)
        else:
            CORRUPT[fs](img, name)
        flip(img, name, meta_regions(fs, img), flips)
        return name + ".img"


for _fs in ("fat16", "fat32", "exfat", "ntfs", "ext4", "iso"):
    for _v in range(4):
        corrupt_item(_fs, _v, (2, 8, 32, 128)[_v],
                     subset=(_v == 2 and _fs in ("fat16", "ext4", "ntfs")))


# ------------------------------------------------------------------ partition tables

def fat16_at(img, start, count, label, volid, tree):
    part = img + ".part"
    try:
        MEDIA.mkfs_fat(part, count * SECTOR, 16, label, volid, tree)
        MEDIA.dd_into(part, img, start * SECTOR)
    finally:
        if os.path.exists(part):
            os.unlink(part)


@item("mbr-overlap", "MBR whose p2 lies inside p1 (both FAT16; EICAR only in p2, whose "
      "clusters p1 sees as free space)", ANY, subset=True, kind="image")
def _mbr_overlap(out):
    img = os.path.join(out, "mbr-overlap.img")
    MEDIA.make_sparse(img, 40 * MiB)
    fat16_at(img, 2048, 65536, "OUTER", "C0FFEE50", {"outer.txt": b"harmless\n"})
    fat16_at(img, 2048 + 32768, 32768 - 2048, "INNER", "C0FFEE51",
             {"inner/payload.com": eicar()})
    MEDIA.write_raw_mbr(img, [(0x0e, 2048, 65536), (0x0e, 2048 + 32768, 32768 - 2048)])
    return "mbr-overlap.img"


@item("mbr-gpt-disagree", "a protective-MBR GPT disk whose MBR also lists a FAT16 the "
      "GPT does not (EICAR there), and whose GPT entries overlap each other", ANY,
      kind="image")
def _mbr_gpt(out):
    img = os.path.join(out, "mbr-gpt.img")
    MEDIA.make_sparse(img, 48 * MiB)
    MEDIA.sfdisk(img, "label: gpt\nunit: sectors\nfirst-lba: 2048\n\n"
                      "start=2048, size=32768, type=%s\n"
                      "start=34816, size=32768, type=%s\n"
                      % (MEDIA.GPT_BASIC_DATA.upper(), MEDIA.GPT_BASIC_DATA.upper()))
    fat16_at(img, 2048, 32768, "GPT1", "C0FFEE52", {"a.txt": b"harmless\n"})
    fat16_at(img, 67584, 28672, "MBRONLY", "C0FFEE53", {"payload.com": eicar()})
    # p2 now starts inside p1 (checksums recomputed), and the MBR lists a
    # third area.
    with open(img, "r+b") as f:
        f.seek(SECTOR)
        hdr = bytearray(f.read(SECTOR))
        hsize, = struct.unpack_from("<I", hdr, 12)
        elba, n, esize = struct.unpack_from("<QII", hdr, 72)
        f.seek(elba * SECTOR)
        ent = bytearray(f.read(n * esize))
        struct.pack_into("<QQ", ent, esize + 32, 16384, 16384 + 32768 - 1)
        struct.pack_into("<I", hdr, 88, zlib.crc32(bytes(ent)))
        struct.pack_into("<I", hdr, 16, 0)
        struct.pack_into("<I", hdr, 16, zlib.crc32(bytes(hdr[:hsize])))
        f.seek(elba * SECTOR)
        f.write(ent)
        f.seek(SECTOR)
        f.write(hdr)
    MEDIA.write_raw_mbr(img, [(0xee, 1, 2047), (0x0e, 67584, 28672)])
    return "mbr-gpt.img"


def ebr(entries):
    s = bytearray(512)
    for i, (ptype, start, count) in enumerate(entries):
        s[446 + 16 * i:446 + 16 * (i + 1)] = MEDIA.mbr_entry(0, ptype, start, count)
    s[510:512] = b"\x55\xaa"
    return bytes(s)


@item("mbr-ebr-loop", "MBR with an extended partition whose logical-partition chain "
      "points back at itself (an infinite chain), and a FAT16 logical partition with "
      "EICAR", ANY, subset=True, kind="image")
def _ebr_loop(out):
    img = os.path.join(out, "ebr-loop.img")
    MEDIA.make_sparse(img, 24 * MiB)
    ext_start, ext_count = 2048, 45056
    fat16_at(img, ext_start + 2048, 32768, "LOGICAL", "C0FFEE54", {"payload.com": eicar()})
    MEDIA.write_raw_mbr(img, [(0x05, ext_start, ext_count)])
    # EBR 1: a logical FAT16 at +2048, next EBR at +1 (relative to the
    # extended partition); EBR 2 at +1 points back at EBR 1 (+0).
    MEDIA.write_at(img, ext_start * SECTOR,
                   ebr([(0x0e, 2048, 32768), (0x05, 1, 1)]))
    MEDIA.write_at(img, (ext_start + 1) * SECTOR,
                   ebr([(0x0e, 2047, 32768), (0x05, 0, 1)]))
    return "ebr-loop.img"


@item("mbr-ebr-many", "an extended partition chain of 3,000 logical partitions (each one "
      "sector), then a FAT16 with EICAR", ANY, kind="image")
def _ebr_many(out):
    img = os.path.join(out, "ebr-many.img")
    n = 3000
    ext_start = 2048
    ext_count = n * 2 + 2048 + 32768
    MEDIA.make_sparse(img, (ext_start + ext_count + 2048) * SECTOR)
    MEDIA.write_raw_mbr(img, [(0x05, ext_start, ext_count)])
    for i in range(n):
        here = 2 * i
        nxt = 2 * (i + 1)
        last = i == n - 1
        logical = (0x0e, 2048 + 2 * n - here, 32768) if last else (0x83, 1, 1)
        MEDIA.write_at(img, (ext_start + here) * SECTOR,
                       ebr([logical] + ([] if last else [(0x05, nxt, 2)])))
    fat16_at(img, ext_start + 2 * n + 2048 - 2 * (n - 1) + 2 * (n - 1), 32768, "LAST",
             "C0FFEE55", {"payload.com": eicar()})
    return "ebr-many.img"


# ------------------------------------------------------------------ truncated, nested

@item("truncated-ntfs", "NTFS cut in the middle of a 6 MiB file (EICAR in a small file "
      "before it)", ANY, kind="image")
def _trunc_ntfs(out):
    img = os.path.join(out, "trunc-ntfs.img")
    tree = {"a.com": eicar(), "big/video.bin": MEDIA.prng("ntfs-video", 6 * MiB)}
    MEDIA.mkfs_ntfs(img, 16 * MiB, "TRUNC", tree)
    with open(img, "r+b") as f:
        f.truncate(9 * MiB + 1234)
    return "trunc-ntfs.img"


@item("truncated-ext4", "ext4 cut in the middle of a 6 MiB file, EICAR in a file after "
      "the cut", NI, subset=True, kind="image")
def _trunc_ext4(out):
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=out) as src:
        write(os.path.join(src, "a", "video.bin"), MEDIA.prng("ext4-video", 6 * MiB))
        write(os.path.join(src, "z", "after.com"), eicar() + MEDIA.prng("pad", 3 * MiB))
        img = os.path.join(out, "trunc-ext4.img")
        MEDIA.mkfs_ext4(img, 16 * MiB, "trunc", "4b696b61-0000-4000-8000-0000000012c0", src)
    with open(img, "r+b") as f:
        f.truncate(5 * MiB + 777)
    return "trunc-ext4.img"


@item("truncated-iso", "ISO 9660 cut inside its last file (EICAR after a harmless "
      "file)", ANY, kind="image")
def _trunc_iso(out):
    img = os.path.join(out, "trunc.iso")
    with tempfile.TemporaryDirectory(prefix="kikan-corpus-", dir=out) as src:
        write(os.path.join(src, "a.bin"), MEDIA.prng("iso-a", 1 * MiB))
        write(os.path.join(src, "z.com"), MEDIA.prng("iso-z", 1 * MiB) + eicar())
        run(["genisoimage", "-quiet", "-R", "-J", "-V", "TRUNC", "-o", img, src])
    with open(img, "r+b") as f:
        f.truncate(os.path.getsize(img) - 600 * 1024)
    return "trunc.iso"


@item("nested-images", "FAT16 > zip > ISO 9660 > ext4 image > FAT12 image holding EICAR, "
      "and a FAT12 nested 4 deep in FAT12 images", ANY, kind="image")
def _nested(out):
    work = tempfile.mkdtemp(prefix="kikan-corpus-nest-", dir=out)
    try:
        leaf = os.path.join(work, "leaf.img")
        MEDIA.mkfs_fat(leaf, 1 * MiB, 12, "LEAF", "C0FFEE60", {"payload.com": eicar()})
        src = os.path.join(work, "ext-src")
        os.makedirs(src)
        shutil.copy(leaf, os.path.join(src, "leaf.img"))
        ext = os.path.join(work, "mid.img")
        MEDIA.mkfs_ext4(ext, 4 * MiB, "mid", "4b696b61-0000-4000-8000-0000000012d0", src)
        isrc = os.path.join(work, "iso-src")
        os.makedirs(isrc)
        shutil.copy(ext, os.path.join(isrc, "mid.img"))
        iso = os.path.join(work, "disc.iso")
        run(["genisoimage", "-quiet", "-R", "-J", "-o", iso, isrc])
        with open(iso, "rb") as f:
            z = zip_py([("disc.iso", f.read())])
        # Four FAT12 levels, the innermost with EICAR.
        level = leaf
        for k in range(4):
            nxt = os.path.join(work, "lvl%d.img" % k)
            with open(level, "rb") as f:
                MEDIA.mkfs_fat(nxt, 2 * MiB + k * MiB, 12, "LVL%d" % k, "C0FFEE7%d" % k,
                               {"inner.img": f.read()})
            level = nxt
        with open(level, "rb") as f:
            deep = f.read()
        img = os.path.join(out, "nested.img")
        MEDIA.mkfs_fat(img, 24 * MiB, 16, "NESTED", "C0FFEE61",
                       {"disc.zip": z, "deep.img": deep, "readme.txt": b"harmless\n"})
    finally:
        rm_tree(work)
    return "nested.img"


# ------------------------------------------------------------------ main

def generator_sha256():
    h = hashlib.sha256()
    for p in (__file__, os.path.join(FIXTURES, "make-media.py"),
              os.path.join(FIXTURES, "make-fixtures.py")):
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def du(path):
    """Bytes the item takes on disk (du: os.walk recurses in Python, and a
    4,096-deep tree overflows it)."""
    p = subprocess.run(["du", "-s", "-B1", "--", path], stdout=subprocess.PIPE, check=True)
    return int(p.stdout.split()[0])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subset", action="store_true", help="only the fast subset")
    ap.add_argument("--only", help="comma-separated item names")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="reuse items OUTDIR/manifest.json already lists whose target exists")
    ap.add_argument("outdir", nargs="?")
    opts = ap.parse_args(argv[1:])
    if opts.list:
        for it in ITEMS:
            print("%-22s %-6s %s %s" % (it["name"], it["kind"], "subset" if it["subset"]
                                        else "      ", it["attacks"]))
        return 0
    if not opts.outdir:
        ap.error("OUTDIR is needed")
    chosen = [it for it in ITEMS if it["subset"] or not opts.subset]
    if opts.only:
        want = set(opts.only.split(","))
        unknown = want - {it["name"] for it in ITEMS}
        if unknown:
            ap.error("unknown items: %s" % ", ".join(sorted(unknown)))
        chosen = [it for it in chosen if it["name"] in want]
    out = os.path.abspath(opts.outdir)
    os.makedirs(out, exist_ok=True)
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    made = []
    old = {}
    man_path = os.path.join(out, "manifest.json")
    if opts.keep and os.path.exists(man_path):
        with open(man_path) as f:
            old = {i["name"]: i for i in json.load(f)["items"]}
    for it in chosen:
        prev = old.get(it["name"])
        if prev and os.path.lexists(os.path.join(out, prev["target"])):
            made.append(dict(prev, **{k: it[k] for k in ("name", "attacks", "expect",
                                                          "subset", "kind")}))
            continue
        t0 = time.monotonic()
        try:
            target = it["build"](out)
        except (CorpusError, MEDIA.MediaError, OSError, subprocess.CalledProcessError) as e:
            print("make-corpus: %s: %s" % (it["name"], e), file=sys.stderr)
            return 1
        entry = {k: it[k] for k in ("name", "attacks", "expect", "subset", "kind")}
        entry["target"] = target
        entry["bytes"] = du(os.path.join(out, target))
        entry["seconds"] = round(time.monotonic() - t0, 2)
        made.append(entry)
        print("make-corpus: %-22s %8.1f s %10d bytes" % (it["name"], entry["seconds"],
                                                         entry["bytes"]), file=sys.stderr)
        # Written after every item, so that --keep resumes an interrupted run.
        write_manifest(man_path, made, opts.subset)
    write_manifest(man_path, made, opts.subset)
    return 0


def write_manifest(path, made, subset):
    with open(path + ".tmp", "w") as f:
        json.dump({"format": "kikan-hostile-corpus", "format_version": 1,
                   "generator_sha256": generator_sha256(), "subset": subset,
                   "items": made}, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
