#!/usr/bin/env python3
"""Generates a synthetic ClamAV database of realistic size and mix.

    gen-db.py --out DIR --size small|full [--seed N]

full: 1,200,000 MD5 (.hdb) + 800,000 SHA-256 (.hsb) hash signatures with
real file sizes, 150,000 body signatures (.ndb) and 10,000 logical
signatures (.ldb).  small: 1/20 of that.  Deterministic for a given seed;
the output is cached: DIR/.stamp records what made it, and a second call
with the same inputs does nothing.

Random signatures are random bytes (and random alphanumeric strings), so
they do not match the corpus; the planted ones (planted.py) do.
"""

import argparse
import hashlib
import itertools
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import formats  # noqa: E402
import planted  # noqa: E402

COUNTS = {
    "full": {"hdb": 1_200_000, "hsb": 800_000, "ndb": 150_000, "ldb": 10_000},
    "small": {"hdb": 60_000, "hsb": 40_000, "ndb": 7_500, "ldb": 500},
}
BASENAME = "kikan-bench"

PLATFORMS = ["Win"] * 8 + ["Doc", "Xls", "Pdf", "Html", "Js", "Unix", "Andr", "Osx", "Email",
                           "Txt", "Java", "Vbs"]
CATEGORIES = ["Trojan", "Malware", "Downloader", "Dropper", "Exploit", "Worm", "Ransomware",
              "Adware", "Coinminer", "Backdoor", "Packed", "Phishing", "Keylogger", "Spyware"]
SYL = ("ka ze mo ra ti lo ne xu qa vo di ba sy gre pol nix tor vex zul mar kin dar fel "
       "gor hel jin kor lum nar pyr quo rax sen tal ulm vor wex yar zen").split()
# Real databases have many signatures starting with well-known magics; they
# make the matcher work on file headers like the real thing does.
MAGICS = ["4d5a9000", "4d5a5000", "7f454c46", "504b0304", "25504446", "d0cf11e0a1b11ae1",
          "89504e47", "3c68746d6c", "3c736372697074", "e8000000005d", "558bec83ec"]
TARGETS_NDB = [(0, 30), (1, 40), (2, 5), (3, 8), (4, 2), (5, 3), (6, 5), (7, 5), (10, 2)]
TARGETS_LDB = [(0, 25), (1, 45), (2, 5), (3, 10), (6, 5), (7, 5), (10, 5)]


def wchoice(rng, pairs):
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


class Names:
    def __init__(self, rng):
        self.rng = rng
        fams = set()
        while len(fams) < 3000:
            fams.add("".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))).capitalize())
        self.families = sorted(fams)
        self.n = 1_000_000

    def next(self):
        r = self.rng
        self.n += r.randint(1, 40)
        return "%s.%s.%s-%d-%d" % (r.choice(PLATFORMS), r.choice(CATEGORIES),
                                   r.choice(self.families), self.n, r.randint(0, 2))


def hash_size(rng):
    # Log-normal around ~200 KB: most malware samples are 10 KB .. 5 MB.
    return int(min(max(rng.lognormvariate(12.2, 1.8), 64), 100 * 1024 * 1024))


class ByteModel:
    """Byte frequencies for signature bytes.

    Real signatures are cut from real malware, so their bytes are skewed like
    code and scripts are (many 00, FF, 8B, 48, E8, ASCII letters...), and
    their 2- and 3-byte prefixes crowd together.  Uniformly random bytes
    would instead fill every one of the 65,536 second-level nodes of
    libclamav's Aho-Corasick trie (256 pointers each, ~130 MB), turning
    every scanned byte into a cache miss: a worst case no real database
    reaches.  So: 55% of static runs follow x86 code byte frequencies (from
    formats.code_pool plus padding), 30% script-like ASCII, 15% uniform
    (packed or encrypted data).  Every run must keep some entropy (no byte
    more than 3 times in a row, at least half distinct), so that the
    random signatures cannot match the corpus by accident."""

    def __init__(self):
        pool = formats.code_pool(random.Random("kikan-bench-code-model"), 1 << 18)
        hist = [1] * 256
        for b in pool:
            hist[b] += 1
        hist[0x00] += len(pool) // 6   # padding and small immediates
        hist[0xFF] += len(pool) // 30
        self.code = list(itertools.accumulate(hist))
        ascii_w = {}
        for c, w in zip("etaoinshrdlcumwfgypbvkjxqz", (127, 91, 82, 75, 70, 67, 63, 61, 60, 43,
                                                        40, 28, 28, 24, 24, 22, 20, 20, 19, 15,
                                                        10, 8, 2, 2, 1, 1)):
            ascii_w[ord(c)] = w
            ascii_w[ord(c.upper())] = max(1, w // 4)
        for c in "0123456789":
            ascii_w[ord(c)] = 12
        for c, w in zip(" ().;=/\"'_,:-+[]{}<>\\%&$", (90, 30, 30, 25, 25, 25, 20, 20, 20, 15,
                                                      15, 12, 12, 10, 8, 8, 8, 8, 8, 8, 6, 5,
                                                      5, 5)):
            ascii_w[ord(c)] = w
        self.ascii_vals = sorted(ascii_w)
        self.ascii = list(itertools.accumulate(ascii_w[v] for v in self.ascii_vals))
        self.all = list(range(256))

    @staticmethod
    def _ok(b):
        if len(set(b)) < max(3, len(b) // 2):
            return False
        return all(not (b[i] == b[i + 1] == b[i + 2] == b[i + 3]) for i in range(len(b) - 3))

    def run(self, rng, n):
        r = rng.random()
        while True:
            if r < 0.55:
                b = bytes(rng.choices(self.all, cum_weights=self.code, k=n))
            elif r < 0.85:
                b = bytes(rng.choices(self.ascii_vals, cum_weights=self.ascii, k=n))
            else:
                b = rng.randbytes(n)
            if self._ok(b):
                return b.hex()


BYTES = None


def static_run(rng, n):
    return BYTES.run(rng, n)


def body_hex(rng, lo, hi, wild_share):
    """Random body signature: lo..hi static bytes, with wildcards in
    @wild_share of them.  Every part between wildcards keeps a static run of
    at least 4 bytes, as ClamAV's matchers need."""
    total = rng.randint(lo, hi)
    head = ""
    if rng.random() < 0.12:
        head = rng.choice(MAGICS)
        total = max(total - len(head) // 2, 6)
    if rng.random() >= wild_share:
        return head + static_run(rng, total)
    first = rng.randint(6, max(6, min(12, total // 2)))
    out = [head + static_run(rng, first)]
    left = total - first
    while left > 0:
        k = rng.random()
        if k < 0.30:
            out.append("??")
        elif k < 0.52:
            a = rng.randint(0, 8)
            out.append("{%d-%d}" % (a, a + rng.randint(2, 24)))
        elif k < 0.60:
            out.append("{%d}" % rng.randint(1, 16))
        elif k < 0.80:
            alts = sorted(set(rng.randbytes(1).hex() for _ in range(rng.randint(2, 4))))
            if len(alts) < 2:
                alts.append("00" if alts[0] != "00" else "ff")
            out.append("(%s)" % "|".join(alts))
        elif k < 0.90:
            out.append("*")
        else:
            out.append(rng.choice("0123456789abcdef") + "?")
        run = rng.randint(4, 12) if out[-1] != "*" else rng.randint(6, 14)
        out.append(static_run(rng, run))
        left -= run
    return "".join(out)


def ndb_offset(rng, target):
    r = rng.random()
    if r < 0.70:
        return "*"
    if r < 0.76:
        return "0"
    if r < 0.82:
        o = str(rng.randint(0, 4096))
        return o + (",%d" % rng.randint(1, 2048) if rng.random() < 0.5 else "")
    if r < 0.88 or target not in (1, 6):
        return "EOF-%d" % rng.randint(64, 8192)
    return rng.choice(("EP+%d" % rng.randint(0, 512), "EP-%d" % rng.randint(1, 256),
                       "EP+%d,%d" % (rng.randint(0, 64), rng.randint(16, 1024)),
                       "SL+%d" % rng.randint(0, 1024), "S%d+%d" % (rng.randint(0, 3),
                                                                    rng.randint(0, 2048)),
                       "SE%d" % rng.randint(0, 3)))


LDB_EXPR = {
    2: ["0&1"] * 7 + ["0|1"] * 2 + ["(0|1)>1"],
    3: ["0&1&2"] * 4 + ["(0|1)&2", "0&(1|2)", "(0&1)|2", "(0|1|2)>1", "0&1&2=1"],
    4: ["0&1&2&3"] * 3 + ["(0|1)&(2|3)", "0&1&(2|3)", "(0&1&2)|3", "0&(1|2|3)",
                          "(0|1|2|3)>2"],
}


def ldb_line(rng, name):
    target = wchoice(rng, TARGETS_LDB)
    tdb = "Engine:51-255,Target:%d" % target
    if rng.random() < 0.15:
        lo = rng.randint(0, 200_000)
        tdb += ",FileSize:%d-%d" % (lo, lo + rng.randint(1000, 5_000_000))
    if target == 1 and rng.random() < 0.10:
        a = rng.randint(2, 5)
        tdb += ",NumberOfSections:%d-%d" % (a, a + rng.randint(0, 4))
    n = rng.choice((2, 2, 3, 3, 3, 4, 4))
    expr = rng.choice(LDB_EXPR[n])
    subs = []
    for _ in range(n):
        hexs = body_hex(rng, 8, 40, 0.35)
        r = rng.random()
        if r < 0.12:
            hexs = "EOF-%d:%s" % (rng.randint(64, 4096), hexs)
        elif r < 0.18:
            hexs = "%d,%d:%s" % (rng.randint(0, 512), rng.randint(16, 4096), hexs)
        elif r < 0.24 and target == 1:
            hexs = "EP+0,%d:%s" % (rng.randint(64, 2048), hexs)
        subs.append(hexs)
    return "%s;%s;%s;%s" % (name, tdb, expr, ";".join(subs))


def ndb_line(rng, name):
    target = wchoice(rng, TARGETS_NDB)
    line = "%s:%d:%s:%s" % (name, target, ndb_offset(rng, target), body_hex(rng, 16, 64, 0.45))
    if rng.random() < 0.10:
        line += ":%d" % rng.choice((51, 60, 70, 90))
    return line


def fingerprint(size, seed):
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for f in ("gen-db.py", "planted.py", "formats.py"):
        with open(os.path.join(here, f), "rb") as fh:
            h.update(fh.read())
    return "gen-db %s seed=%s %s" % (size, seed, h.hexdigest()[:16])


def generate(out, size, seed):
    global BYTES
    BYTES = ByteModel()
    counts = COUNTS[size]
    rng = random.Random("kikan-bench-db-%s-%s" % (size, seed))
    names = Names(random.Random("kikan-bench-names-%s" % seed))
    _, psigs = planted.build(seed)
    os.makedirs(out)
    written = {}
    for kind in ("hdb", "hsb", "ndb", "ldb"):
        n = counts[kind]
        lines = []
        for _ in range(n):
            nm = names.next()
            if kind == "hdb":
                lines.append("%s:%d:%s" % (rng.randbytes(16).hex(), hash_size(rng), nm))
            elif kind == "hsb":
                lines.append("%s:%d:%s" % (rng.randbytes(32).hex(), hash_size(rng), nm))
            elif kind == "ndb":
                lines.append(ndb_line(rng, nm))
            else:
                lines.append(ldb_line(rng, nm))
        for p in psigs[kind]:
            lines.insert(rng.randrange(len(lines) + 1), p)
        with open(os.path.join(out, "%s.%s" % (BASENAME, kind)), "w") as f:
            f.write("\n".join(lines) + "\n")
        written[kind] = len(lines)
    return written


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", choices=sorted(COUNTS), default="small")
    ap.add_argument("--seed", default="1")
    a = ap.parse_args()
    fp = fingerprint(a.size, a.seed)
    stamp = os.path.join(a.out, ".stamp")
    try:
        with open(stamp) as f:
            if json.load(f).get("fingerprint") == fp:
                print("gen-db: %s is up to date" % a.out, file=sys.stderr)
                return
    except (OSError, ValueError):
        pass
    tmp = a.out.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    print("gen-db: generating %s database (seed %s) in %s" % (a.size, a.seed, a.out),
          file=sys.stderr)
    written = generate(tmp, a.size, a.seed)
    with open(os.path.join(tmp, ".stamp"), "w") as f:
        json.dump({"fingerprint": fp, "signatures": written,
                   "total": sum(written.values())}, f)
    shutil.rmtree(a.out, ignore_errors=True)
    os.rename(tmp, a.out)


if __name__ == "__main__":
    main()
