"""The planted detections: corpus files and the signatures that match them.

Shared by gen-db.py and gen-corpus.py so that the database and the corpus
agree by construction.  Each planted file exercises a different signature
type and path through the engine:

  HdbMD5        .hdb MD5 of a whole PE file
  HsbSHA256     .hsb SHA-256 of a whole PDF
  NdbWildcard   .ndb body signature with {n-m}, ??, (aa|bb) and * in a JS file
  LdbLogical    .ldb logical signature 0&(1|2) inside a .docx member (zip)
  NdbNested     .ndb body signature with a n,m offset, two zip levels deep
"""

import hashlib
import random
import string

import formats

PREFIX = "Kikan.Bench.Planted."
_ALNUM = string.ascii_letters + string.digits


def _tok(rng, n):
    return "".join(rng.choice(_ALNUM) for _ in range(n)).encode()


def build(seed):
    """Returns (files, sigs): files is a list of (relative path, bytes,
    signature name); sigs maps "hdb"/"hsb"/"ndb"/"ldb" to lines."""
    rng = random.Random("kikan-bench-planted-%s" % seed)
    tg = formats.TextGen(random.Random("kikan-bench-planted-text-%s" % seed))
    pool = formats.code_pool(rng, 1 << 18)
    files = []
    sigs = {"hdb": [], "hsb": [], "ndb": [], "ldb": []}

    # 1. MD5 hash of a whole PE.
    name = PREFIX + "HdbMD5"
    pe = formats.make_pe(rng, 48 * 1024, pool, timestamp=1700000000)
    files.append(("Downloads/setup/updater-md5.exe", pe, name))
    sigs["hdb"].append("%s:%d:%s" % (hashlib.md5(pe).hexdigest(), len(pe), name))

    # 2. SHA-256 hash of a whole (uncompressed) PDF.
    name = PREFIX + "HsbSHA256"
    pdf = formats.make_pdf(rng, tg, 3, compress=False)
    files.append(("Documents/Scans/statement-sha256.pdf", pdf, name))
    sigs["hsb"].append("%s:%d:%s" % (hashlib.sha256(pdf).hexdigest(), len(pdf), name))

    # 3. Body signature with every wildcard kind, in a JavaScript file.
    name = PREFIX + "NdbWildcard"
    a, b, c, d, e = (_tok(rng, n) for n in (10, 8, 6, 8, 10))
    js = (formats.js_bytes(rng, tg, 3000, minified=False) + b"\nvar s='" + a + _tok(rng, 7) + b
          + b"Q" + c + b"b" + d + b"';\n" + formats.js_bytes(rng, tg, 800, minified=False)
          + b"\nvar t='" + e + b"';\n" + formats.js_bytes(rng, tg, 2000, minified=False))
    files.append(("Projects/webapp/static/loader.js", js, name))
    sigs["ndb"].append("%s:0:*:%s{4-12}%s??%s(61|62)%s*%s"
                       % (name, a.hex(), b.hex(), c.hex(), d.hex(), e.hex()))

    # 4. Logical signature 0&(1|2) on the document.xml inside a .docx.
    name = PREFIX + "LdbLogical"
    x, y1, y2, z = (_tok(rng, n) for n in (12, 6, 6, 14))
    extra = '<w:p><w:r><w:t>%s</w:t></w:r></w:p><w:p><w:r><w:t>%s</w:t></w:r></w:p>' % (
        x.decode(), z.decode())
    docx = formats.make_docx(rng, tg, 20000, extra_xml=extra)
    files.append(("Documents/Finance/budget-ldb.docx", docx, name))
    sigs["ldb"].append("%s;Engine:51-255,Target:0;0&(1|2);%s;%s??%s;%s"
                       % (name, x.hex(), y1.hex(), y2.hex(), z.hex()))

    # 5. Body signature at an offset range, inside a zip inside a zip.
    name = PREFIX + "NdbNested"
    p1, p2 = rng.randbytes(12), rng.randbytes(10)
    payload = rng.randbytes(20) + p1 + rng.randbytes(4) + p2 + rng.randbytes(6000)
    inner = formats.make_zip([("readme.txt", tg.text(3000)), ("payload.bin", payload)])
    outer = formats.make_zip([("notes.txt", tg.text(2000)), ("inner.zip", inner)])
    files.append(("Downloads/archives/nested-ndb.zip", outer, name))
    sigs["ndb"].append("%s:0:16,32:%s{2-6}%s" % (name, p1.hex(), p2.hex()))

    return files, sigs
