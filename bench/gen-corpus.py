#!/usr/bin/env python3
"""Generates the benchmark corpus: a few thousand mixed files.

    gen-corpus.py --out DIR --size small|full [--seed N]

full: ~3000 files, a few hundred MB; small: ~300 files.  The mix is what
comes back on a telework USB stick or laptop: ELF executables and libraries
(copied from this machine's /usr/bin and /usr/lib, some truncated), PE
executables and DLLs (synthetic, structurally valid), Office files (OOXML
.docx/.xlsx built with zipfile, OLE2 .doc/.xls), PDFs (some with Flate
streams and images), archives (zip, tar.gz, nested zip), images (PNG, BMP),
text, CSV, HTML, JavaScript and JSON, a few empty/tiny files, and the
planted detections of planted.py.

Deterministic for a given seed on a given machine (the ELF files depend on
what /usr holds).  Cached: DIR/../<DIR>.meta.json records what made it; a
second call with the same inputs does nothing.  The meta file lists file
count, bytes and the expected detections.
"""

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import formats  # noqa: E402
import planted  # noqa: E402

N_FILES = {"full": 3000, "small": 300}
ELF_CAP = 4 * 1024 * 1024

# kind: (share of files, top-level folders it lives in)
KINDS = {
    "elf":   (0.16, ["Projects/build", "Backup/linux", "Work/tools"]),
    "pe":    (0.12, ["Downloads", "AppData/Local/Temp", "AppData/Roaming", "Desktop",
                     "Backup/tools"]),
    "docx":  (0.07, ["Documents", "Desktop", "Work"]),
    "xlsx":  (0.05, ["Documents", "Work"]),
    "doc":   (0.025, ["Documents", "Backup/old"]),
    "xls":   (0.015, ["Documents", "Backup/old"]),
    "pdf":   (0.10, ["Documents", "Downloads", "Work"]),
    "zip":   (0.06, ["Downloads", "Backup", "Work"]),
    "targz": (0.04, ["Backup", "Projects"]),
    "nested": (0.03, ["Downloads", "Backup"]),
    "png":   (0.08, ["Pictures", "Documents", "Desktop"]),
    "bmp":   (0.04, ["Pictures", "Backup/old"]),
    "txt":   (0.06, ["Documents", "Projects", "Work"]),
    "csv":   (0.04, ["Documents", "Work"]),
    "html":  (0.05, ["Downloads", "Projects/webapp", "Documents"]),
    "js":    (0.04, ["Projects/webapp", "AppData/Roaming"]),
    "json":  (0.01, ["Projects", "AppData/Roaming"]),
    "tiny":  (0.01, ["Desktop", "Projects", "Documents"]),
}
EXT = {"elf": "", "pe": ".exe", "docx": ".docx", "xlsx": ".xlsx", "doc": ".doc", "xls": ".xls",
       "pdf": ".pdf", "zip": ".zip", "targz": ".tar.gz", "nested": ".zip", "png": ".png",
       "bmp": ".bmp", "txt": ".txt", "csv": ".csv", "html": ".html", "js": ".js",
       "json": ".json", "tiny": ".txt"}


def log_uniform(rng, lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def elf_candidates():
    out = []
    for root in ("/usr/bin", "/usr/sbin", "/usr/lib"):
        for dp, dns, fns in os.walk(root):
            dns.sort()
            for fn in sorted(fns):
                p = os.path.join(dp, fn)
                try:
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    st = os.stat(p)
                    if st.st_size < 4096:
                        continue
                    with open(p, "rb") as f:
                        if f.read(4) != b"\x7fELF":
                            continue
                except OSError:
                    continue
                out.append((p, st.st_size))
    out.sort()
    return out


class Maker:
    def __init__(self, rng):
        self.rng = rng
        self.tg = formats.TextGen(random.Random(rng.getrandbits(64)))
        self.pool = formats.code_pool(random.Random(rng.getrandbits(64)))

    # Each maker returns bytes.  @scale shrinks sizes for archive members.
    def make(self, kind, scale=1.0):
        r, tg = self.rng, self.tg
        s = lambda lo, hi: max(1, int(log_uniform(r, lo, hi) * scale))  # noqa: E731
        if kind == "pe":
            size = s(16_000, 1_200_000)
            overlay = s(10_000, 500_000) if r.random() < 0.15 else 0
            return formats.make_pe(r, size, self.pool, overlay=overlay, dll=r.random() < 0.2)
        if kind == "docx":
            imgs = [formats.make_png(r, r.randint(64, 600), r.randint(64, 400))
                    for _ in range(r.choice((0, 0, 0, 0, 1, 2)) if scale >= 1 else 0)]
            return formats.make_docx(r, tg, s(6_000, 300_000), images=imgs)
        if kind == "xlsx":
            return formats.make_xlsx(r, tg, s(5_000, 250_000))
        if kind == "doc":
            return formats.make_doc(r, tg, s(16_000, 900_000))
        if kind == "xls":
            return formats.make_xls(r, tg, s(16_000, 600_000))
        if kind == "pdf":
            img = s(20_000, 1_200_000) if r.random() < 0.4 else 0
            return formats.make_pdf(r, tg, max(1, int(r.randint(1, 30) * scale)),
                                    compress=r.random() < 0.6, image_bytes=img)
        if kind == "png":
            return formats.make_png(r, max(8, int(log_uniform(r, 48, 1000) * scale)),
                                    max(8, int(log_uniform(r, 48, 800) * scale)))
        if kind == "bmp":
            return formats.make_bmp(r, max(8, int(log_uniform(r, 32, 700) * scale)),
                                    max(8, int(log_uniform(r, 32, 600) * scale)))
        if kind == "txt":
            return tg.text(s(500, 400_000), japanese_share=0.2)
        if kind == "csv":
            return formats.csv_bytes(r, tg, s(1_000, 600_000))
        if kind == "html":
            return formats.html_bytes(r, tg, s(1_500, 250_000))
        if kind == "js":
            return formats.js_bytes(r, tg, s(500, 300_000))
        if kind == "json":
            items = [{"id": r.randint(1, 10 ** 6), "name": tg.ident(),
                      "tags": tg.words_n(r.randint(0, 5)), "score": round(r.random(), 4)}
                     for _ in range(max(1, s(5, 3000)))]
            return json.dumps({"version": 1, "items": items}, ensure_ascii=False,
                              indent=1).encode()
        if kind == "tiny":
            return r.choice((b"", b"\n", b"ok", b"TODO\n", b"12345", b"# x\n"))
        raise ValueError(kind)

    def members(self, lo, hi, scale):
        r = self.rng
        kinds = ["txt", "csv", "html", "js", "pe", "png", "pdf", "docx", "json", "bmp"]
        weights = [5, 3, 2, 2, 3, 2, 2, 2, 1, 1]
        out, seen = [], set()
        for i in range(r.randint(lo, hi)):
            k = r.choices(kinds, weights)[0]
            depth = "/".join(self.tg.words_n(r.randint(0, 2)))
            name = "%s%s-%02d%s" % (depth + "/" if depth else "", self.tg.ident(), i,
                                    EXT[k] or ".bin")
            if name in seen:
                continue
            seen.add(name)
            out.append((name, self.make(k, scale)))
        return out

    def archive(self, kind, elf_bytes):
        r = self.rng
        if kind == "zip":
            m = self.members(2, 25, 0.25)
            if elf_bytes and r.random() < 0.3:
                m.append(("bin/" + self.tg.ident(), elf_bytes))
            return formats.make_zip(m, compress=r.random() < 0.9)
        if kind == "targz":
            m = self.members(2, 30, 0.25)
            if elf_bytes and r.random() < 0.5:
                m.append(("usr/bin/" + self.tg.ident(), elf_bytes))
            return formats.make_targz(m)
        if kind == "nested":
            depth = r.randint(2, 3)
            data = formats.make_zip(self.members(1, 8, 0.15))
            for d in range(depth - 1):
                m = self.members(0, 5, 0.15)
                m.append(("%s-%d.zip" % (self.tg.ident(), d), data))
                data = formats.make_zip(m)
            return data
        raise ValueError(kind)


def fingerprint(size, seed):
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for f in ("gen-corpus.py", "planted.py", "formats.py"):
        with open(os.path.join(here, f), "rb") as fh:
            h.update(fh.read())
    return "gen-corpus %s seed=%s %s" % (size, seed, h.hexdigest()[:16])


def generate(out, size, seed):
    n = N_FILES[size]
    rng = random.Random("kikan-bench-corpus-%s-%s" % (size, seed))
    mk = Maker(rng)
    tg = mk.tg
    # Folder tree: a handful of sub-folders per top-level folder.
    subdirs = {}
    for kind, (_, tops) in KINDS.items():
        for t in tops:
            if t not in subdirs:
                subs = [""]
                for _ in range(rng.randint(4, 12)):
                    parts = [tg.ident() for _ in range(rng.randint(1, 3))]
                    subs.append("/".join(parts))
                subdirs[t] = subs
    plan = []
    for kind, (share, _) in KINDS.items():
        plan += [kind] * max(1, round(share * n))
    rng.shuffle(plan)

    # ELF files come from this machine's /usr, which differs between machines
    # (and changes when packages are installed): they get their own random
    # stream, so that every other file stays the same for a given seed.
    elfs = elf_candidates()
    if not elfs:
        raise SystemExit("gen-corpus: no ELF files found under /usr")
    erng = random.Random("kikan-bench-elf-%s-%s" % (size, seed))
    n_elf = plan.count("elf")
    elf_pick = erng.sample(elfs, min(n_elf, len(elfs)))
    elf_iter = iter(elf_pick)
    elf_sources = []

    def elf_bytes(full=True):
        try:
            path, sz = next(elf_iter)
        except StopIteration:
            path, sz = erng.choice(elfs)
        with open(path, "rb") as f:
            data = f.read(ELF_CAP)
        if sz > ELF_CAP:
            data = data[:erng.randint(ELF_CAP // 4, ELF_CAP)]
        elif not full or erng.random() < 0.10:
            data = data[:max(4096, int(len(data) * erng.uniform(0.3, 0.9)))]
        elf_sources.append({"source": path, "bytes": len(data)})
        return os.path.basename(path), data

    files = {}
    for i, kind in enumerate(plan):
        top = rng.choice(KINDS[kind][1])
        sub = rng.choice(subdirs[top])
        folder = top + ("/" + sub if sub else "")
        if kind == "elf":
            base, data = elf_bytes()
            name = "%s-%04d" % (base, i)
        else:
            name = "%s-%04d%s" % (tg.ident(), i, EXT[kind])
            if kind in ("zip", "targz", "nested"):
                extra = elf_bytes(full=False)[1] if rng.random() < 0.3 else None
                data = mk.archive(kind, extra)
            else:
                data = mk.make(kind)
        files[folder + "/" + name] = (kind, data)

    pfiles, _ = planted.build(seed)
    expected = []
    for rel, data, sig in pfiles:
        files[rel] = ("planted", data)
        expected.append({"path": rel, "signature": sig})

    total, by_kind = 0, {}
    for rel, (kind, data) in sorted(files.items()):
        p = os.path.join(out, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (formats.TAR_MTIME, formats.TAR_MTIME))
        total += len(data)
        k = by_kind.setdefault(kind, {"files": 0, "bytes": 0})
        k["files"] += 1
        k["bytes"] += len(data)
    return {"files": len(files), "bytes": total, "by_kind": by_kind,
            "expected": sorted(expected, key=lambda e: e["path"]),
            "elf_candidates": len(elfs), "elf_sources": elf_sources}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", choices=sorted(N_FILES), default="small")
    ap.add_argument("--seed", default="1")
    a = ap.parse_args()
    out = a.out.rstrip("/")
    meta_path = out + ".meta.json"
    fp = fingerprint(a.size, a.seed)
    try:
        with open(meta_path) as f:
            if json.load(f).get("fingerprint") == fp and os.path.isdir(out):
                print("gen-corpus: %s is up to date" % out, file=sys.stderr)
                return
    except (OSError, ValueError):
        pass
    print("gen-corpus: generating %s corpus (seed %s) in %s" % (a.size, a.seed, out),
          file=sys.stderr)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    meta = generate(tmp, a.size, a.seed)
    meta["fingerprint"] = fp
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print("gen-corpus: %d files, %.1f MB" % (meta["files"], meta["bytes"] / 1e6),
          file=sys.stderr)


if __name__ == "__main__":
    main()
