"""Builders for the benchmark corpus: small but structurally valid files.

Standard library only.  Every builder takes a random.Random so the output is
a pure function of the seed (zip/tar/gzip timestamps are fixed).  The files
are made to be parsed: libclamav recognises the PE, OLE2, PDF, ZIP/OOXML,
PNG and BMP built here as those types and runs its parsers on them, which is
what a benchmark of a malware scanner needs to exercise.
"""

import io
import itertools
import struct
import tarfile
import zipfile
import zlib

ZIP_DATE = (2024, 4, 1, 9, 0, 0)
TAR_MTIME = 1711962000  # 2024-04-01T09:00:00Z

# ---------------------------------------------------------------- text ----

_SYLLABLES = ("ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no "
              "ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa "
              "an en in on un al el il ol ul ar er ir or ur st tr pr gr "
              "th ch sh qu de di da du be bi ba bo lo la le li").split()
_KANA = [chr(c) for c in range(0x3042, 0x3094)]
_KANJI = [chr(c) for c in (0x4F1A, 0x793E, 0x696D, 0x52D9, 0x5831, 0x544A, 0x66F8, 0x8CC7,
                           0x6599, 0x8A08, 0x753B, 0x7BA1, 0x7406, 0x60C5, 0x5831, 0x5B89,
                           0x5168, 0x78BA, 0x8A8D, 0x63D0, 0x51FA, 0x671F, 0x65E5, 0x6708,
                           0x5E74, 0x4EBA, 0x6642, 0x9593, 0x4F5C, 0x696D, 0x90E8, 0x9577)]
API_NAMES = ("kernel32.dll user32.dll advapi32.dll ws2_32.dll ntdll.dll shell32.dll "
             "GetProcAddress LoadLibraryA VirtualAlloc VirtualProtect CreateFileW ReadFile "
             "WriteFile CloseHandle CreateProcessW RegOpenKeyExW RegSetValueExW "
             "GetModuleHandleW ExitProcess MessageBoxW InternetOpenA HttpSendRequestA "
             "CryptAcquireContextW GetTickCount Sleep CreateThread WaitForSingleObject").split()


class TextGen:
    """Pseudo-natural text (English-like words, some Japanese) from a seed."""

    def __init__(self, rng):
        self.rng = rng
        words = set()
        while len(words) < 4000:
            n = rng.choice((1, 2, 2, 3, 3, 4))
            words.add("".join(rng.choice(_SYLLABLES) for _ in range(n)))
        words = sorted(words)
        rng.shuffle(words)
        # Zipf-like weights: a few words are very common.
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(words))))
        self.sentences = [self._sentence() for _ in range(6000)]
        self.ja_sentences = [self._ja_sentence() for _ in range(1500)]

    def _sentence(self):
        rng = self.rng
        ws = rng.choices(self.words, cum_weights=self.cum, k=rng.randint(5, 18))
        ws[0] = ws[0].capitalize()
        return " ".join(ws) + rng.choice((".", ".", ".", "?", "!"))

    def _ja_sentence(self):
        rng = self.rng
        n = rng.randint(12, 40)
        return "".join(rng.choice(_KANJI) if rng.random() < 0.35 else rng.choice(_KANA)
                       for _ in range(n)) + "\u3002"

    def words_n(self, k):
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def paragraph(self, approx_chars=400, japanese=False):
        pool = self.ja_sentences if japanese else self.sentences
        avg = 60 if japanese else 80
        k = max(1, approx_chars // avg)
        return (" " if not japanese else "").join(self.rng.choices(pool, k=k))

    def text(self, size, japanese_share=0.0):
        out, n = [], 0
        while n < size:
            ja = self.rng.random() < japanese_share
            p = self.paragraph(self.rng.randint(200, 1500), ja)
            out.append(p)
            n += len(p.encode()) + 2
        return "\n\n".join(out).encode()[:size]

    def ident(self):
        return "_".join(self.words_n(self.rng.randint(1, 3)))


def csv_bytes(rng, tg, size):
    cols = rng.randint(4, 12)
    kinds = [rng.choice("nfdsw") for _ in range(cols)]
    lines = [",".join(tg.ident() for _ in range(cols))]
    n = len(lines[0])
    while n < size:
        row = []
        for k in kinds:
            if k == "n":
                row.append(str(rng.randint(0, 10 ** rng.randint(1, 7))))
            elif k == "f":
                row.append("%.2f" % (rng.random() * 10 ** rng.randint(1, 6)))
            elif k == "d":
                row.append("20%02d-%02d-%02d" % (rng.randint(15, 25), rng.randint(1, 12),
                                                 rng.randint(1, 28)))
            elif k == "s":
                row.append('"%s"' % " ".join(tg.words_n(rng.randint(1, 4))))
            else:
                row.append(tg.words_n(1)[0])
        line = ",".join(row)
        lines.append(line)
        n += len(line) + 2
    return ("\r\n".join(lines) + "\r\n").encode()


def js_bytes(rng, tg, size, minified=None):
    if minified is None:
        minified = rng.random() < 0.3
    parts, n = [], 0
    templates = (
        "function {a}({b},{c}){{var {d}={b}.length;for(var i=0;i<{d};i++){{{c}.push({b}[i]*{n});}}"
        "return {c};}}",
        "var {a}=document.getElementById('{b}');{a}.addEventListener('click',function(e){{"
        "e.preventDefault();{c}('{d}',{n});}});",
        "const {a}=async({b})=>{{const r=await fetch('/api/{c}/'+{b});if(!r.ok)throw new "
        "Error('{d} '+r.status);return r.json();}};",
        "/* {t} */",
        "// {t}",
        "let {a}={{{b}:{n},{c}:'{t}',{d}:[{n},{n2},{n}]}};",
        "if({a}&&{a}.{b}>{n}){{console.log('{t}');}}else{{{c}({d});}}",
    )
    while n < size:
        t = rng.choice(templates).format(
            a=tg.ident(), b=tg.ident(), c=tg.ident(), d=tg.ident(),
            n=rng.randint(0, 99999), n2=rng.randint(0, 999),
            t=" ".join(tg.words_n(rng.randint(3, 10))))
        parts.append(t)
        n += len(t) + 1
    sep = "" if minified else "\n"
    return sep.join(parts).encode()[:size]


def html_bytes(rng, tg, size):
    title = " ".join(tg.words_n(4)).title()
    out = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<title>%s</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
           % title]
    n = len(out[0])
    while n < size:
        r = rng.random()
        if r < 0.5:
            s = "<p>%s</p>\n" % tg.paragraph(rng.randint(100, 900),
                                             japanese=rng.random() < 0.15)
        elif r < 0.65:
            s = "<h2>%s</h2>\n" % " ".join(tg.words_n(4)).title()
        elif r < 0.8:
            s = "<ul>%s</ul>\n" % "".join(
                '<li><a href="https://%s.example.jp/%s">%s</a></li>'
                % (tg.words_n(1)[0], tg.ident(), " ".join(tg.words_n(3)))
                for _ in range(rng.randint(2, 8)))
        elif r < 0.9:
            rows = "".join("<tr>%s</tr>" % "".join("<td>%d</td>" % rng.randint(0, 9999)
                                                   for _ in range(5))
                           for _ in range(rng.randint(3, 20)))
            s = "<table>%s</table>\n" % rows
        else:
            s = "<script>\n%s\n</script>\n" % js_bytes(rng, tg, rng.randint(200, 3000)).decode()
        out.append(s)
        n += len(s.encode())
    out.append("</body>\n</html>\n")
    return "".join(out).encode()


# ------------------------------------------------------------------ PE ----

_DOS_STUB = bytes.fromhex(
    "0e1fba0e00b409cd21b8014ccd21546869732070726f6772616d2063616e6e6f74"
    "2062652072756e20696e20444f53206d6f64652e0d0d0a2400000000000000")

_X86_SNIPPETS = [bytes.fromhex(h) for h in (
    "558bec", "8bff558bec", "83ec20", "5dc3", "c3", "c20400", "90", "cc", "6a00", "6a01",
    "50", "51", "52", "53", "56", "57", "5f5e5b", "8b4508", "8b4d0c", "8b5510", "8945fc",
    "33c0", "33c9", "85c0", "7405", "7510", "eb0e", "e8", "ff15", "ff25", "8d45f0", "8d4df8",
    "89442404", "8b442408", "c745f800000000", "83c404", "83c408", "0fb6c0", "3bc1",
    "48895c2408", "4883ec28", "4883c428", "488bc8", "488d0d", "e9")]


def code_pool(rng, size=1 << 20):
    """A pool of code-looking bytes (x86 idioms with random immediates)."""
    out = bytearray()
    snips = _X86_SNIPPETS
    while len(out) < size:
        s = rng.choice(snips)
        out += s
        if s in (b"\xe8", b"\xe9", b"\xff\x15", b"\xff\x25", b"\x48\x8d\x0d"):
            out += rng.randbytes(4)
        elif rng.random() < 0.08:
            out += rng.randbytes(rng.randint(1, 6))
    return bytes(out)


def _align(n, a):
    return (n + a - 1) // a * a


def make_pe(rng, size, pool, overlay=0, dll=False, timestamp=None):
    """A structurally valid PE32 image of roughly @size bytes."""
    fa, sa = 0x200, 0x1000
    body = max(size - 0x400 - overlay, 4 * fa)
    parts = [(b".text", 0.50, 0x60000020), (b".rdata", 0.20, 0x40000040),
             (b".data", 0.12, 0xC0000040), (b".rsrc", 0.18, 0x40000040)]
    sections, raw, va, off = [], [], sa, 0x400
    for name, share, chars in parts:
        rsize = _align(max(int(body * share), fa), fa)
        if name == b".text":
            data = bytearray()
            while len(data) < rsize:
                start = rng.randrange(0, len(pool) - 4096)
                data += pool[start:start + rng.randint(4096, 65536)]
            data = bytes(data[:rsize])
        elif name == b".rdata":
            chunks, n = [], 0
            while n < rsize:
                c = (rng.choice(API_NAMES).encode() + b"\0" if rng.random() < 0.5
                     else rng.randbytes(rng.randint(4, 64)) if rng.random() < 0.5
                     else b"\0" * rng.randint(4, 64))
                chunks.append(c)
                n += len(c)
            data = b"".join(chunks)[:rsize]
        elif name == b".data":
            used = rng.randint(rsize // 8, rsize // 2)
            data = rng.randbytes(used) + b"\0" * (rsize - used)
        else:
            data = rng.randbytes(rsize)
        vsize = len(data) + rng.randint(0, 0x800)
        sections.append((name, vsize, va, rsize, off, chars))
        raw.append(data)
        va += _align(vsize, sa)
        off += rsize
    size_of_image = va
    text = sections[0]
    entry = text[2] + rng.randrange(0, min(text[3], 0x4000)) & ~0xF
    coff = struct.pack("<HHIIIHH", 0x14C, len(sections),
                       timestamp if timestamp is not None else rng.randint(1300000000, 1720000000),
                       0, 0, 0xE0, 0x2102 if dll else 0x0102)
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
                      0x10B, 14, rng.randint(0, 38), text[3],
                      sum(s[3] for s in sections[1:]), 0, entry, text[2], sections[2][2],
                      0x10000000 if dll else 0x400000, sa, fa, 6, 0, 0, 0, 6, 0, 0,
                      size_of_image, 0x400, 0, rng.choice((2, 3)), 0x8140,
                      0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += b"\0" * (16 * 8)
    sect_hdrs = b"".join(struct.pack("<8sIIIIIIHHI", n, vs, v, rs, ro, 0, 0, 0, 0, c)
                         for n, vs, v, rs, ro, c in sections)
    dos = bytearray(0x80)
    dos[0:2] = b"MZ"
    struct.pack_into("<HHHHHHHHHH", dos, 2, 0x90, 3, 0, 4, 0, 0xFFFF, 0, 0xB8, 0, 0)
    dos[0x18] = 0x40
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos[0x40:0x40 + len(_DOS_STUB)] = _DOS_STUB
    hdr = bytes(dos) + b"PE\0\0" + coff + opt + sect_hdrs
    hdr += b"\0" * (0x400 - len(hdr))
    return hdr + b"".join(raw) + (rng.randbytes(overlay) if overlay else b"")


# ---------------------------------------------------------------- OLE2 ----

def make_ole2(streams):
    """A compound file (CFB v3, 512-byte sectors) holding @streams, a list of
    (name, bytes).  Streams shorter than 4096 bytes are padded to 4096 so that
    no mini stream is needed."""
    ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    streams = [(n, d if len(d) >= 4096 else d + b"\0" * (4096 - len(d))) for n, d in streams]
    # Directory siblings as a right-leaning chain, in CFB name order.
    streams.sort(key=lambda s: (len(s[0]), s[0].upper()))
    n_entries = 1 + len(streams)
    dir_secs = (n_entries + 3) // 4
    data_secs = [(len(d) + 511) // 512 for _, d in streams]
    total = dir_secs + sum(data_secs)
    fat_secs = 1
    while fat_secs * 128 < total + fat_secs:
        fat_secs += 1
    assert fat_secs <= 109, "OLE2 too large for a header-only DIFAT"
    fat = [FREESECT] * (fat_secs * 128)
    for i in range(fat_secs):
        fat[i] = FATSECT
    nxt = fat_secs

    def chain(n):
        nonlocal nxt
        start = nxt
        for i in range(n):
            fat[nxt + i] = nxt + i + 1 if i < n - 1 else ENDOFCHAIN
        nxt += n
        return start

    dir_start = chain(dir_secs)
    starts = [chain(n) for n in data_secs]

    def entry(name, typ, left, right, child, start, size):
        nm = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", nm, len(nm), typ, 1, left, right, child,
                           b"\0" * 16, 0, 0, 0, start, size)

    dirs = [entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1 if streams else NOSTREAM,
                  ENDOFCHAIN, 0)]
    for i, (name, d) in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else NOSTREAM
        dirs.append(entry(name, 2, NOSTREAM, right, NOSTREAM, starts[i], len(d)))
    while len(dirs) % 4:
        dirs.append(struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM,
                                NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0))
    difat = [i for i in range(fat_secs)] + [FREESECT] * (109 - fat_secs)
    hdr = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 +
           struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_secs,
                       dir_start, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0) +
           struct.pack("<109I", *difat))
    assert len(hdr) == 512
    out = [hdr, struct.pack("<%dI" % len(fat), *fat), b"".join(dirs)]
    for _, d in streams:
        out.append(d + b"\0" * ((-len(d)) % 512))
    return b"".join(out)


def summary_information(title):
    """A minimal valid \\x05SummaryInformation property set: code page and
    title."""
    t = title.encode("cp1252", "replace") + b"\0"
    t += b"\0" * ((-len(t)) % 4)
    props = [(1, struct.pack("<HHhH", 2, 0, 1252, 0)),                 # PIDSI_CODEPAGE, VT_I2
             (2, struct.pack("<HHI", 0x1E, 0, len(t)) + t)]            # PIDSI_TITLE, VT_LPSTR
    head_len = 8 + 8 * len(props)
    offs, body = [], b""
    for pid, p in props:
        offs.append((pid, head_len + len(body)))
        body += p
    pset = struct.pack("<II", head_len + len(body), len(props))
    pset += b"".join(struct.pack("<II", pid, o) for pid, o in offs) + body
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    return (struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020006, b"\0" * 16, 1) + fmtid +
            struct.pack("<I", 48) + pset)


def make_doc(rng, tg, size):
    """A Word-97-like compound file: WordDocument, 1Table, SummaryInformation."""
    text = tg.text(max(2048, size // 2), japanese_share=0.2)
    wd = bytearray(struct.pack("<HH", 0xA5EC, 0x00C1)) + rng.randbytes(0x200 - 4)
    wd += text.decode("utf-8", "replace").encode("utf-16-le")[:size // 2]
    table = rng.randbytes(max(4096, size // 6))
    summ = summary_information(tg.paragraph(60)[:60])
    return make_ole2([("WordDocument", bytes(wd)), ("1Table", table),
                      ("\x05SummaryInformation", summ),
                      ("Data", rng.randbytes(max(4096, size // 4)))])


def make_xls(rng, tg, size):
    wb = bytearray()
    while len(wb) < size:
        rec = rng.choice((0x0203, 0x0204, 0x00FD, 0x027E))
        body = rng.randbytes(rng.randint(6, 40))
        wb += struct.pack("<HH", rec, len(body)) + body
    return make_ole2([("Workbook", bytes(wb)),
                      ("\x05SummaryInformation", summary_information(tg.ident()))])


# ----------------------------------------------------------------- ZIP ----

def make_zip(members, compress=True):
    """@members: list of (name, bytes[, compress]).  Deterministic output."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for m in members:
            name, data = m[0], m[1]
            c = m[2] if len(m) > 2 else compress
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED if c else zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def make_targz(members):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = TAR_MTIME
            ti.mode = 0o644
            ti.uname = ti.gname = "user"
            t.addfile(ti, io.BytesIO(data))
    out = io.BytesIO()
    import gzip
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as g:
        g.write(raw.getvalue())
    return out.getvalue()


_CT_DOCX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            'openxmlformats-package.core-properties+xml"/></Types>')
_CT_XLSX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def _rels(target, typ):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/%s" Target="%s"/></Relationships>'
            % (typ, target))


def _core(rng, tg):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:title>%s</dc:title><dc:creator>%s</dc:creator></cp:coreProperties>'
            % (" ".join(tg.words_n(4)), tg.ident()))


def _xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_docx(rng, tg, size, images=(), extra_xml=""):
    paras, n = [], 0
    while n < size:
        p = '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % _xml_escape(
            tg.paragraph(rng.randint(100, 1200), japanese=rng.random() < 0.2))
        paras.append(p)
        n += len(p) // 3  # deflate shrinks text roughly 3x
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
           'main"><w:body>%s%s</w:body></w:document>' % ("".join(paras), extra_xml))
    members = [("[Content_Types].xml", _CT_DOCX.encode()),
               ("_rels/.rels", _rels("word/document.xml", "officeDocument").encode()),
               ("docProps/core.xml", _core(rng, tg).encode()),
               ("word/document.xml", doc.encode())]
    for i, img in enumerate(images):
        members.append(("word/media/image%d.png" % (i + 1), img, False))
    return make_zip(members)


def make_xlsx(rng, tg, size):
    strings = [_xml_escape(" ".join(tg.words_n(rng.randint(1, 3)))) for _ in range(200)]
    rows, n, r = [], 0, 1
    cols = "ABCDEFGHIJ"[:rng.randint(3, 10)]
    while n < size:
        cells = []
        for c in cols:
            if rng.random() < 0.3:
                cells.append('<c r="%s%d" t="s"><v>%d</v></c>' % (c, r, rng.randrange(200)))
            else:
                cells.append('<c r="%s%d"><v>%.3f</v></c>' % (c, r, rng.random() * 1e5))
        row = '<row r="%d">%s</row>' % (r, "".join(cells))
        rows.append(row)
        n += len(row) // 5
        r += 1
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData>%s</sheetData></worksheet>' % "".join(rows))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="200" uniqueCount="200">%s</sst>' % "".join("<si><t>%s</t></si>" % s
                                                             for s in strings))
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    return make_zip([("[Content_Types].xml", _CT_XLSX.encode()),
                     ("_rels/.rels", _rels("xl/workbook.xml", "officeDocument").encode()),
                     ("docProps/core.xml", _core(rng, tg).encode()),
                     ("xl/workbook.xml", wb.encode()),
                     ("xl/_rels/workbook.xml.rels",
                      _rels("worksheets/sheet1.xml", "worksheet").encode()),
                     ("xl/worksheets/sheet1.xml", sheet.encode()),
                     ("xl/sharedStrings.xml", sst.encode())])


# ---------------------------------------------------------------- images ---

def pixels(rng, w, h, bpp=3, noise=None):
    """Raw pixel rows (no filter bytes): bands of flat colour, gradients and
    noise, so that compression ratios vary like real pictures."""
    if noise is None:
        noise = rng.random()
    row_len = w * bpp
    rows = []
    y = 0
    while y < h:
        band = min(h - y, rng.randint(4, 64))
        r = rng.random()
        if r < noise:
            blob = rng.randbytes(row_len * band)
            rows.extend(blob[i * row_len:(i + 1) * row_len] for i in range(band))
        else:
            base = bytes((x * 255 // max(1, row_len) + rng.randint(0, 3)) & 0xFF
                         for x in range(0, row_len, max(1, row_len // 256)))
            line = (base * (row_len // len(base) + 1))[:row_len]
            for i in range(band):
                rows.append(line if i % 3 else bytes(line[1:] + line[:1]))
        y += band
    return rows


def make_png(rng, w, h, noise=None):
    rows = pixels(rng, w, h, 3, noise)
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Software\0kikan-bench") + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def make_bmp(rng, w, h, noise=None):
    rows = pixels(rng, w, h, 3, noise)
    pad = b"\0" * ((-w * 3) % 4)
    data = b"".join(r + pad for r in reversed(rows))
    hdr = struct.pack("<2sIHHI", b"BM", 54 + len(data), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    return hdr + info + data


# ------------------------------------------------------------------ PDF ----

def _pdf_str(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(rng, tg, pages, compress, image_bytes=0):
    """A valid PDF 1.4 with text pages (FlateDecode when @compress) and an
    optional RGB image XObject of about @image_bytes compressed bytes."""
    objs = {}
    n_pages = max(1, pages)
    page_ids = [10 + 2 * i for i in range(n_pages)]
    font_id, img_id = 3, 4
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d >>"
               % (" ".join("%d 0 R" % p for p in page_ids), n_pages)).encode()
    objs[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    xobj = b""
    if image_bytes:
        side = max(16, int((image_bytes / 3) ** 0.5))
        raw = b"".join(pixels(rng, side, side, 3, noise=rng.uniform(0.3, 0.9)))
        data = zlib.compress(raw, 6)
        objs[img_id] = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d "
                        b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
                        b"/Length %d >>\nstream\n" % (side, side, len(data)) + data +
                        b"\nendstream")
        xobj = b" /XObject << /Im1 4 0 R >>"
    for i, pid in enumerate(page_ids):
        lines = []
        y = 760
        while y > 60:
            lines.append("BT /F1 10 Tf 50 %d Td (%s) Tj ET" % (
                y, _pdf_str(" ".join(tg.words_n(rng.randint(6, 14))))))
            y -= 14
        if xobj and i == 0:
            lines.append("q 200 0 0 200 300 300 cm /Im1 Do Q")
        content = "\n".join(lines).encode()
        if compress:
            content = zlib.compress(content, 6)
            objs[pid + 1] = (b"<< /Length %d /Filter /FlateDecode >>\nstream\n"
                             % len(content) + content + b"\nendstream")
        else:
            objs[pid + 1] = (b"<< /Length %d >>\nstream\n" % len(content) + content +
                             b"\nendstream")
        objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                     b"/Resources << /Font << /F1 3 0 R >>%s >> >>" % (pid + 1, xobj))
    objs[5] = ("<< /Title (%s) /Producer (kikan-bench) /CreationDate (D:20240401090000Z) >>"
               % _pdf_str(" ".join(tg.words_n(5)))).encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for oid in sorted(objs):
        offsets[oid] = len(out)
        out += b"%d 0 obj\n" % oid + objs[oid] + b"\nendobj\n"
    size = max(objs) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for oid in range(1, size):
        if oid in offsets:
            out += b"%010d 00000 n \n" % offsets[oid]
        else:
            out += b"0000000000 65535 f \n"
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, xref))
    return bytes(out)
