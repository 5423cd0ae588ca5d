/* Unit tests of content-based file classification and name flags
 * (scanner/filetype.c, include/kikan/filetype.h; issue #4 item 2,
 * JNSA-2.4, Admin B-3, KR-17).
 *
 * Real samples wherever this machine has them: NSIS stubs and plugin DLLs,
 * an NSIS installer built here with makensis, an MSI built with wixl, /bin/ls,
 * clamav-testfiles (clam.exe, clam-nsis.exe, four InstallShield setups, an
 * OLE2 Word document and PowerPoint file, a ZIP), the shared ClamAV ISO and
 * util-linux HFS+/APFS images, APKs and ZIPs made by Python's zipfile, and
 * MBR/GPT/FAT/NTFS/exFAT/ext4 images made by sfdisk and mkfs.  A missing
 * tool fails the test.  Formats with no sample here (Mach-O, Java class,
 * LNK, DMG, VHD/VHDX/VMDK/QCOW, UDF, Inno Setup) are built from their
 * documented headers.  Hostile inputs: truncated PEs, e_lfanew 0xffffffff,
 * OLE2 directory sectors out of range, ZIP sizes and offsets past the end,
 * invalid UTF-8 and 64 KiB names. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/filetype.h"

#ifndef KIKAN_TEST_CLAMAV_TESTFILES
#define KIKAN_TEST_CLAMAV_TESTFILES "/usr/share/clamav-testfiles"
#endif
#ifndef KIKAN_TEST_SHARED_TESTDATA
#define KIKAN_TEST_SHARED_TESTDATA "../shared/testdata"
#endif
#define NSIS_DIR "/usr/share/nsis"

static char tmpdir[] = "/tmp/kikan-filetype-XXXXXX";

/* ---- helpers ---- */

static uint8_t *
slurp (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL)
        fail_msg ("cannot open %s", path);
    assert_int_equal (fseek (f, 0, SEEK_END), 0);
    n = ftell (f);
    assert_true (n >= 0);
    assert_int_equal (fseek (f, 0, SEEK_SET), 0);
    buf = malloc ((size_t) n + 1);
    assert_non_null (buf);
    assert_int_equal (fread (buf, 1, (size_t) n, f), (size_t) n);
    fclose (f);
    *len = (size_t) n;
    return buf;
}

static void
spit (const char *path, const void *data, size_t len)
{
    FILE *f = fopen (path, "wb");

    assert_non_null (f);
    assert_int_equal (fwrite (data, 1, len, f), len);
    assert_int_equal (fclose (f), 0);
}

static char *
tmp_path (const char *name)
{
    static char buf[4][512];
    static int k;
    char *p = buf[k++ % 4];

    snprintf (p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* Runs a shell command in the temp dir; the test fails if it does. */
static void
run (const char *fmt, ...)
{
    char cmd[4096], full[4300];
    va_list ap;

    va_start (ap, fmt);
    vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    snprintf (full, sizeof full, "cd '%s' && ( %s ) >/dev/null 2>&1", tmpdir, cmd);
    if (system (full) != 0)
        fail_msg ("command failed (tool missing?): %s", cmd);
}

/* Classifies a whole file on disk under @name (its own path if NULL). */
static KikanFileType
classify_path (const char *path, const char *name)
{
    size_t len;
    uint8_t *buf = slurp (path, &len);
    KikanFileType t = kikan_filetype_classify (name != NULL ? name : path, buf, len, len);

    free (buf);
    return t;
}

static KikanFileType
classify_mem (const char *name, const void *d, size_t len)
{
    return kikan_filetype_classify (name, d, len, len);
}

static void
assert_type (KikanFileType got, KikanFileType want)
{
    if (got != want)
        fail_msg ("got %s, want %s", kikan_filetype_to_string (got),
                  kikan_filetype_to_string (want));
}

static void
put_le16 (uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}

static void
put_le32 (uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t) (v >> (8 * i));
}

static void
put_be32 (uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t) (v >> (24 - 8 * i));
}

/* Calls @fn for every regular file in @dir; returns how many. */
static int
each_file (const char *dir, void (*fn) (const char *path))
{
    DIR *d = opendir (dir);
    struct dirent *e;
    int n = 0;
    char path[1024];

    if (d == NULL)
        fail_msg ("cannot open %s", dir);
    while ((e = readdir (d)) != NULL) {
        struct stat st;

        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
            continue;
        fn (path);
        n++;
    }
    closedir (d);
    return n;
}

static int
setup_group (void **state)
{
    return mkdtemp (tmpdir) == NULL ? -1 : 0;
}

static int
teardown_group (void **state)
{
    char cmd[600];

    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system (cmd) == 0 ? 0 : -1;
}

/* ---- Windows PE ---- */

static void
expect_exe (const char *path)
{
    /* Stubs/uninst is the uninstaller's icon: a real "other" sample. */
    KikanFileType want = strstr (path, "/uninst") != NULL ? KIKAN_FILETYPE_OTHER
                                                          : KIKAN_FILETYPE_PE_EXE;

    if (classify_path (path, NULL) != want)
        fail_msg ("%s is not %s", path, kikan_filetype_to_string (want));
}

static void
expect_dll (const char *path)
{
    if (classify_path (path, NULL) != KIKAN_FILETYPE_PE_DLL)
        fail_msg ("%s is not pe_dll", path);
}

static void
expect_installshield (const char *path)
{
    if (strstr (path, "clam_IS") == NULL)
        return;
    if (classify_path (path, NULL) != KIKAN_FILETYPE_INSTALLER_INSTALLSHIELD)
        fail_msg ("%s is not installer_installshield", path);
}

static void
test_pe_real (void **state)
{
    /* NSIS stubs: real PE executables without an installer appended. */
    assert_true (each_file (NSIS_DIR "/Stubs", expect_exe) >= 10);
    assert_true (each_file (NSIS_DIR "/Plugins/x86-unicode", expect_dll) >= 5);
    assert_true (each_file (NSIS_DIR "/Plugins/amd64-unicode", expect_dll) >= 5);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam.exe", NULL),
                 KIKAN_FILETYPE_PE_EXE);
    /* Content, not name: a DLL called .exe is a DLL, a PE called .jpg a PE. */
    assert_type (classify_path (NSIS_DIR "/Plugins/x86-unicode/System.dll", "setup.exe"),
                 KIKAN_FILETYPE_PE_DLL);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam.exe", "photo.jpg"),
                 KIKAN_FILETYPE_PE_EXE);
}

static void
test_installers_real (void **state)
{
    const char *nsi = "Unicode true\nOutFile \"inst.exe\"\nSection\nSectionEnd\n";

    spit (tmp_path ("t.nsi"), nsi, strlen (nsi));
    run ("makensis -V1 t.nsi");
    assert_type (classify_path (tmp_path ("inst.exe"), NULL), KIKAN_FILETYPE_INSTALLER_NSIS);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam-nsis.exe", NULL),
                 KIKAN_FILETYPE_INSTALLER_NSIS);
    /* clam_IScab_ext/int, clam_ISmsi_ext/int: InstallShield 11 and 16. */
    assert_true (each_file (KIKAN_TEST_CLAMAV_TESTFILES, expect_installshield) > 4);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam_ISmsi_int.exe", NULL),
                 KIKAN_FILETYPE_INSTALLER_INSTALLSHIELD);
}

/* A real stub with bytes appended, as an installer builder does. */
static uint8_t *
stub_with (const char *stub, const char *tail, size_t tail_len, size_t *len)
{
    size_t n;
    uint8_t *s = slurp (stub, &n), *r = malloc (n + tail_len);

    assert_non_null (r);
    memcpy (r, s, n);
    memcpy (r + n, tail, tail_len);
    free (s);
    *len = n + tail_len;
    return r;
}

static void
test_installers_synthetic (void **state)
{
    const char *stub = NSIS_DIR "/Stubs/zlib-x86-unicode";
    const char *dll = NSIS_DIR "/Plugins/x86-unicode/System.dll";
    static const char inno[] = "Inno Setup Setup Data (6.2.2) (u)";
    static const char inno_msg[] = "Inno Setup Messages (6.0.0) (u)";
    static const char nsis_hdr[] = "\0\0\0\0\xef\xbe\xad\xdeNullsoftInst\0\0";
    size_t len;
    uint8_t *b;

    b = stub_with (stub, inno, sizeof inno, &len);
    assert_type (classify_mem ("setup.exe", b, len), KIKAN_FILETYPE_INSTALLER_INNO);
    free (b);
    b = stub_with (stub, inno_msg, sizeof inno_msg, &len);
    assert_type (classify_mem ("setup.exe", b, len), KIKAN_FILETYPE_INSTALLER_INNO);
    free (b);
    b = stub_with (stub, nsis_hdr, sizeof nsis_hdr, &len);
    assert_type (classify_mem ("setup.exe", b, len), KIKAN_FILETYPE_INSTALLER_NSIS);
    free (b);
    /* Markers make installers of executables only: a DLL stays a DLL. */
    b = stub_with (dll, nsis_hdr, sizeof nsis_hdr, &len);
    assert_type (classify_mem ("x.dll", b, len), KIKAN_FILETYPE_PE_DLL);
    free (b);
    b = stub_with (dll, "InstallShield", 13, &len);
    assert_type (classify_mem ("x.dll", b, len), KIKAN_FILETYPE_PE_DLL);
    free (b);
    /* The marker alone, without a PE, is nothing. */
    assert_type (classify_mem ("x.bin", nsis_hdr, sizeof nsis_hdr), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("x.bin", inno, sizeof inno), KIKAN_FILETYPE_OTHER);
}

/* Installer markers are looked for in the first 64 MiB only (bounded work
 * on a multi-gigabyte file). */
static void
test_installer_search_bound (void **state)
{
    const size_t mib64 = (size_t) 64 << 20;
    size_t slen, len = mib64 + 4096;
    uint8_t *stub = slurp (NSIS_DIR "/Stubs/zlib-x86-unicode", &slen);
    uint8_t *b = calloc (1, len);

    assert_non_null (b);
    memcpy (b, stub, slen);
    memcpy (b + mib64 - 12, "NullsoftInst", 12);
    assert_type (classify_mem ("a.exe", b, len), KIKAN_FILETYPE_INSTALLER_NSIS);
    memset (b + mib64 - 12, 0, 12);
    memcpy (b + mib64 - 11, "NullsoftInst", 12);
    assert_type (classify_mem ("a.exe", b, len), KIKAN_FILETYPE_PE_EXE);
    memcpy (b + mib64 + 100, "Inno Setup Setup Data", 21);
    assert_type (classify_mem ("a.exe", b, len), KIKAN_FILETYPE_PE_EXE);
    free (b);
    free (stub);
}

static void
test_pe_hostile (void **state)
{
    uint8_t b[512];
    size_t n;
    uint8_t *clam = slurp (KIKAN_TEST_CLAMAV_TESTFILES "/clam.exe", &n);
    uint32_t lfanew = clam[0x3c] | (uint32_t) clam[0x3d] << 8;

    assert_true (lfanew > 0x40 && lfanew + 24 < n);
    /* Cut inside the PE header: not a PE when that is the whole file, a
     * program (fail closed) when the rest of the file exists. */
    assert_type (kikan_filetype_classify ("a.exe", clam, lfanew + 10, lfanew + 10),
                 KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify ("a.exe", clam, lfanew + 10, n), KIKAN_FILETYPE_PE_EXE);
    assert_type (kikan_filetype_classify ("a.exe", clam, 0x3e, n), KIKAN_FILETYPE_PE_EXE);
    assert_type (kikan_filetype_classify ("a.exe", clam, 0x3e, 0x3e), KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify ("a.exe", clam, 2, n), KIKAN_FILETYPE_PE_EXE);
    assert_type (kikan_filetype_classify ("a.exe", clam, 2, 2), KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify ("a.exe", clam, 1, n), KIKAN_FILETYPE_OTHER);
    free (clam);

    memset (b, 0, sizeof b);
    memcpy (b, "MZ", 2);
    put_le32 (b + 0x3c, 0xffffffffu);
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify ("a.exe", b, sizeof b, UINT64_MAX),
                 KIKAN_FILETYPE_PE_EXE);
    put_le32 (b + 0x3c, 0xffffffe8u); /* pe + 24 == 2^32 */
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_OTHER);
    /* e_lfanew past the end of the file. */
    put_le32 (b + 0x3c, 600);
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_OTHER);
    /* Inside, but no "PE\0\0" there. */
    put_le32 (b + 0x3c, 0x80);
    memcpy (b + 0x80, "PX\0\0", 4);
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_OTHER);
    /* Minimal valid headers, EXE then DLL. */
    memcpy (b + 0x80, "PE\0\0", 4);
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_PE_EXE);
    put_le16 (b + 0x80 + 4 + 18, 0x2102);
    assert_type (classify_mem ("a.exe", b, sizeof b), KIKAN_FILETYPE_PE_DLL);
    /* Header ending exactly at the end of the buffer. */
    assert_type (classify_mem ("a.exe", b, 0x80 + 24), KIKAN_FILETYPE_PE_DLL);
    assert_type (classify_mem ("a.exe", b, 0x80 + 23), KIKAN_FILETYPE_OTHER);
}

/* ---- MSI / OLE2 ---- */

static const char wxs[] =
    "<?xml version=\"1.0\"?>\n"
    "<Wix xmlns=\"http://schemas.microsoft.com/wix/2006/wi\">\n"
    " <Product Id=\"*\" Name=\"KikanTest\" Language=\"1033\" Version=\"1.0.0\"\n"
    "  Manufacturer=\"Kikan\" UpgradeCode=\"12345678-1234-1234-1234-123456789012\">\n"
    "  <Package InstallerVersion=\"200\" Compressed=\"yes\"/>\n"
    "  <Media Id=\"1\" Cabinet=\"a.cab\" EmbedCab=\"yes\"/>\n"
    "  <Directory Id=\"TARGETDIR\" Name=\"SourceDir\">\n"
    "   <Directory Id=\"ProgramFilesFolder\"><Directory Id=\"INSTALLDIR\" Name=\"KikanTest\">\n"
    "    <Component Id=\"C\" Guid=\"12345678-1234-1234-1234-123456789013\">\n"
    "     <File Id=\"F\" Source=\"f.txt\"/></Component>\n"
    "   </Directory></Directory>\n"
    "  </Directory>\n"
    "  <Feature Id=\"Main\" Level=\"1\"><ComponentRef Id=\"C\"/></Feature>\n"
    " </Product>\n"
    "</Wix>\n";

static void
test_msi (void **state)
{
    size_t n;
    uint8_t *m, *copy;
    uint32_t dirsect;
    uint16_t shift;
    uint64_t root;

    spit (tmp_path ("f.txt"), "hello\n", 6);
    spit (tmp_path ("t.wxs"), wxs, strlen (wxs));
    run ("wixl -o t.msi t.wxs");
    m = slurp (tmp_path ("t.msi"), &n);
    assert_type (classify_mem ("t.msi", m, n), KIKAN_FILETYPE_MSI);
    assert_type (classify_mem ("t.doc", m, n), KIKAN_FILETYPE_MSI);
    assert_type (classify_mem (NULL, m, n), KIKAN_FILETYPE_MSI);

    /* Plain OLE2 documents are not programs. */
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam.ole.doc", NULL),
                 KIKAN_FILETYPE_OTHER);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam.ppt", NULL),
                 KIKAN_FILETYPE_OTHER);

    shift = (uint16_t) (m[0x1e] | m[0x1f] << 8);
    dirsect = m[0x30] | (uint32_t) m[0x31] << 8 | (uint32_t) m[0x32] << 16
              | (uint32_t) m[0x33] << 24;
    root = ((uint64_t) dirsect + 1) << shift;
    assert_true (root + 128 <= n);
    copy = malloc (n);
    assert_non_null (copy);

    /* Patch (.msp) CLSID 000C1086: accepted; transform (.mst) 000C1082: not. */
    memcpy (copy, m, n);
    copy[root + 0x50] = 0x86;
    assert_type (classify_mem ("t.msp", copy, n), KIKAN_FILETYPE_MSI);
    copy[root + 0x50] = 0x82;
    assert_type (classify_mem ("t.mst", copy, n), KIKAN_FILETYPE_OTHER);
    /* Right CLSID but not a root storage entry. */
    memcpy (copy, m, n);
    copy[root + 0x42] = 1;
    assert_type (classify_mem ("t.msi", copy, n), KIKAN_FILETYPE_OTHER);
    /* Directory sector index out of range, a marker value, past 2^32 bytes. */
    memcpy (copy, m, n);
    put_le32 (copy + 0x30, (uint32_t) (n >> shift) + 5);
    assert_type (classify_mem ("t.msi", copy, n), KIKAN_FILETYPE_OTHER);
    put_le32 (copy + 0x30, 0xfffffffeu);
    assert_type (classify_mem ("t.msi", copy, n), KIKAN_FILETYPE_OTHER);
    put_le32 (copy + 0x30, 0xfffffff9u);
    assert_type (classify_mem ("t.msi", copy, n), KIKAN_FILETYPE_OTHER);
    /* Hostile sector shift (would overflow a 32-bit shift). */
    memcpy (copy, m, n);
    put_le16 (copy + 0x1e, 40);
    assert_type (classify_mem ("t.msi", copy, n), KIKAN_FILETYPE_OTHER);
    /* Truncated before the directory; header only; magic only. */
    assert_type (classify_mem ("t.msi", m, (size_t) root + 127), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("t.msi", m, 512), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("t.msi", m, 8), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("t.msi", m, (size_t) root + 128), KIKAN_FILETYPE_MSI);
    free (copy);
    free (m);
}

/* ---- ELF, Mach-O ---- */

static void
test_elf_macho (void **state)
{
    static const uint32_t thin[] = { 0xfeedfaceu, 0xfeedfacfu, 0xcefaedfeu, 0xcffaedfeu };
    uint8_t b[64];
    size_t n;
    uint8_t *ls = slurp ("/bin/ls", &n);

    assert_type (classify_mem ("ls", ls, n), KIKAN_FILETYPE_ELF);
    assert_type (classify_mem ("ls.txt", ls, 4), KIKAN_FILETYPE_ELF);
    assert_type (classify_mem ("ls", ls, 3), KIKAN_FILETYPE_OTHER);
    free (ls);

    for (size_t i = 0; i < 4; i++) {
        memset (b, 0, sizeof b);
        put_be32 (b, thin[i]);
        assert_type (classify_mem ("a.out", b, sizeof b), KIKAN_FILETYPE_MACHO);
    }
    /* Universal binary with 2 architectures, and the limits 1 and 30. */
    memset (b, 0, sizeof b);
    put_be32 (b, 0xcafebabeu);
    put_be32 (b + 4, 2);
    assert_type (classify_mem ("app", b, sizeof b), KIKAN_FILETYPE_MACHO);
    put_be32 (b + 4, 1);
    assert_type (classify_mem ("app", b, 8), KIKAN_FILETYPE_MACHO);
    put_be32 (b + 4, 30);
    assert_type (classify_mem ("app", b, 8), KIKAN_FILETYPE_MACHO);
    put_be32 (b + 4, 31);
    assert_type (classify_mem ("app", b, 8), KIKAN_FILETYPE_OTHER);
    put_be32 (b + 4, 0);
    assert_type (classify_mem ("app", b, 8), KIKAN_FILETYPE_OTHER);
    /* Java class file: minor 0, major 52 (Java 8), and major 45 (1.1). */
    put_be32 (b + 4, 0x00000034u);
    assert_type (classify_mem ("Main.class", b, sizeof b), KIKAN_FILETYPE_OTHER);
    put_be32 (b + 4, 0x0003002du);
    assert_type (classify_mem ("Main.class", b, sizeof b), KIKAN_FILETYPE_OTHER);
    /* Truncated fat header. */
    assert_type (classify_mem ("app", b, 6), KIKAN_FILETYPE_OTHER);
}

/* ---- ZIP / APK ---- */

static void
test_apk (void **state)
{
    size_t n;
    uint8_t *z;

    /* The manifest after another entry; a plain zip; the name in a folder;
     * the name only inside a member's content; a streamed APK (data
     * descriptors, sizes only in the central directory). */
    run ("python3 -c \"\n"
         "import zipfile, io\n"
         "with zipfile.ZipFile('app.apk', 'w', zipfile.ZIP_DEFLATED) as z:\n"
         "    z.writestr('classes.dex', b'dex\\n035\\0' + bytes(3000))\n"
         "    z.writestr('AndroidManifest.xml', b'\\3\\0\\10\\0' * 100)\n"
         "with zipfile.ZipFile('plain.zip', 'w') as z:\n"
         "    z.writestr('readme.txt', 'AndroidManifest.xml is mentioned here')\n"
         "    z.writestr('res/AndroidManifest.xml', 'x')\n"
         "    z.writestr('AndroidManifest.xml.bak', 'x')\n"
         "class S(io.RawIOBase):\n"
         "    def __init__(s): s.b = bytearray()\n"
         "    def writable(s): return True\n"
         "    def write(s, d): s.b += d; return len(d)\n"
         "s = S()\n"
         "with zipfile.ZipFile(s, 'w', zipfile.ZIP_DEFLATED) as z:\n"
         "    z.writestr('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\\n' * 50)\n"
         "    with z.open('AndroidManifest.xml', 'w') as f: f.write(bytes(500))\n"
         "open('stream.apk', 'wb').write(s.b)\n"
         "\"");
    assert_type (classify_path (tmp_path ("app.apk"), NULL), KIKAN_FILETYPE_APK);
    assert_type (classify_path (tmp_path ("app.apk"), "app.zip"), KIKAN_FILETYPE_APK);
    assert_type (classify_path (tmp_path ("plain.zip"), NULL), KIKAN_FILETYPE_OTHER);
    assert_type (classify_path (tmp_path ("stream.apk"), NULL), KIKAN_FILETYPE_APK);
    assert_type (classify_path (KIKAN_TEST_CLAMAV_TESTFILES "/clam.zip", NULL),
                 KIKAN_FILETYPE_OTHER);

    /* Only a prefix: the local headers still show the manifest (2nd entry)
     * of the plain APK, but not of the streamed one, whose first entry
     * has a data descriptor and whose central directory is out of view. */
    z = slurp (tmp_path ("app.apk"), &n);
    assert_type (kikan_filetype_classify ("a.apk", z, n - 30, n), KIKAN_FILETYPE_APK);
    /* Hostile sizes: compressed size of the first entry huge, the central
     * directory offset and size beyond the end. */
    put_le32 (z + 18, 0xfffffff0u);
    assert_type (classify_mem ("a.apk", z, n), KIKAN_FILETYPE_APK); /* via the directory */
    for (size_t pos = n - 22;; pos--) {
        if (memcmp (z + pos, "PK\5\6", 4) == 0) {
            put_le32 (z + pos + 16, 0xffffff00u);
            put_le32 (z + pos + 12, 0xffffff00u);
            break;
        }
        assert_true (pos > 0);
    }
    assert_type (classify_mem ("a.apk", z, n), KIKAN_FILETYPE_OTHER);
    free (z);
    z = slurp (tmp_path ("stream.apk"), &n);
    assert_type (kikan_filetype_classify ("a.apk", z, n - 10, n), KIKAN_FILETYPE_OTHER);
    free (z);

    /* A lone end record, and "PK\3\4" alone. */
    assert_type (classify_mem ("e.zip", "PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22),
                 KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("e.zip", "PK\3\4", 4), KIKAN_FILETYPE_OTHER);
}

/* ---- DMG, disk images ---- */

static void
test_dmg (void **state)
{
    uint8_t b[4096];

    memset (b, 0x5a, sizeof b);
    memcpy (b + sizeof b - 512, "koly", 4);
    put_be32 (b + sizeof b - 508, 4);
    put_be32 (b + sizeof b - 504, 512);
    assert_type (classify_mem ("App.dmg", b, sizeof b), KIKAN_FILETYPE_DMG);
    assert_type (classify_mem (NULL, b, sizeof b), KIKAN_FILETYPE_DMG);
    /* The trailer is only seen when the whole file is in the buffer. */
    assert_type (kikan_filetype_classify ("App.dmg", b, 1024, sizeof b), KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify ("App.dmg", b, sizeof b, sizeof b + 1),
                 KIKAN_FILETYPE_OTHER);
    /* Wrong header size. */
    put_be32 (b + sizeof b - 504, 511);
    assert_type (classify_mem ("App.dmg", b, sizeof b), KIKAN_FILETYPE_OTHER);
    /* Exactly 512 bytes, all trailer. */
    put_be32 (b + sizeof b - 504, 512);
    assert_type (classify_mem ("App.dmg", b + sizeof b - 512, 512), KIKAN_FILETYPE_DMG);
    assert_type (classify_mem ("App.dmg", b + sizeof b - 511, 511), KIKAN_FILETYPE_OTHER);
}

static void
test_disk_images_real (void **state)
{
    assert_type (classify_path (KIKAN_TEST_SHARED_TESTDATA "/clamav/clam.iso", NULL),
                 KIKAN_FILETYPE_DISK_IMAGE);
    assert_type (classify_path (KIKAN_TEST_SHARED_TESTDATA "/clamav/clamjol.iso", "x.dat"),
                 KIKAN_FILETYPE_DISK_IMAGE);
    run ("truncate -s 2M mbr.img && printf 'label: dos\\n2048,,83\\n' | sfdisk -q mbr.img");
    run ("truncate -s 2M gpt.img && printf 'label: gpt\\n,,L\\n' | sfdisk -q gpt.img");
    run ("mkfs.vfat -C fat.img 1024");
    run ("truncate -s 4M ntfs.img && mkfs.ntfs -F -Q -q ntfs.img");
    run ("truncate -s 4M exfat.img && mkfs.exfat exfat.img");
    run ("mke2fs -q -F -t ext4 ext4.img 2M");
    run ("xz -dc '%s/images/hfsplus.img.xz' > hfsplus.img", KIKAN_TEST_SHARED_TESTDATA);
    run ("xz -dc '%s/images/apfs.img.xz' > apfs.img", KIKAN_TEST_SHARED_TESTDATA);
    run ("xz -dc '%s/images/bitlocker-win7.img.xz' > bitlocker.img", KIKAN_TEST_SHARED_TESTDATA);
    static const char *const imgs[] = { "mbr.img",  "gpt.img",   "fat.img",  "ntfs.img",
                                        "exfat.img", "ext4.img", "hfsplus.img", "apfs.img",
                                        "bitlocker.img" };
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        KikanFileType t = classify_path (tmp_path (imgs[i]), "disk.bin");

        if (t != KIKAN_FILETYPE_DISK_IMAGE)
            fail_msg ("%s: got %s", imgs[i], kikan_filetype_to_string (t));
    }
    /* A 64 KiB prefix is enough for all of them. */
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        size_t n;
        uint8_t *b = slurp (tmp_path (imgs[i]), &n);

        assert_true (n > 65536);
        if (kikan_filetype_classify ("disk.bin", b, 65536, n) != KIKAN_FILETYPE_DISK_IMAGE)
            fail_msg ("%s prefix", imgs[i]);
        free (b);
    }
}

static void
test_disk_images_synthetic (void **state)
{
    const size_t n = 0x10000;
    uint8_t *b = calloc (1, n);
    static const char *const at0[] = { "vhdxfile", "conectix", "KDMV", "COWD",
                                       "# Disk DescriptorFile\n# comment\n", "QFI\xfb",
                                       "LUKS\xba\xbe" };

    assert_non_null (b);
    assert_type (classify_mem ("zero.bin", b, n), KIKAN_FILETYPE_OTHER);
    for (size_t i = 0; i < sizeof at0 / sizeof at0[0]; i++) {
        memset (b, 0, n);
        memcpy (b, at0[i], strlen (at0[i]));
        if (classify_mem ("disk", b, n) != KIKAN_FILETYPE_DISK_IMAGE)
            fail_msg ("magic %zu", i);
    }
    /* ISO 9660 at 0x8001; UDF NSR03 after BEA01 later in the area. */
    memset (b, 0, n);
    memcpy (b + 0x8001, "CD001", 5);
    assert_type (classify_mem ("x.iso", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    assert_type (classify_mem ("x.iso", b, 0x8005), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("x.iso", b, 0x8006), KIKAN_FILETYPE_DISK_IMAGE);
    memset (b, 0, n);
    memcpy (b + 0x9001, "NSR03", 5);
    assert_type (classify_mem ("x.iso", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    memset (b, 0, n);
    memcpy (b + 0x8801, "BEA01", 5);
    assert_type (classify_mem ("x.iso", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    memset (b, 0, n);
    memcpy (b + 0x8002, "CD001", 5); /* not on a descriptor boundary */
    assert_type (classify_mem ("x.iso", b, n), KIKAN_FILETYPE_OTHER);
    /* Fixed VHD: footer at the end (and at end-511 for old Virtual PC). */
    memset (b, 0, n);
    memcpy (b + n - 512, "conectix", 8);
    assert_type (classify_mem ("x.vhd", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    assert_type (kikan_filetype_classify ("x.vhd", b, 4096, n), KIKAN_FILETYPE_OTHER);
    memset (b, 0, n);
    memcpy (b + n - 511, "conectix", 8);
    assert_type (classify_mem ("x.vhd", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    /* VDI. */
    memset (b, 0, n);
    put_le32 (b + 0x40, 0xbeda107fu);
    assert_type (classify_mem ("x.vdi", b, n), KIKAN_FILETYPE_DISK_IMAGE);

    /* MBR: 0x55AA alone, or with an implausible table, is not a disk. */
    memset (b, 0, n);
    b[510] = 0x55;
    b[511] = 0xaa;
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);
    b[446] = 0x80;
    b[446 + 4] = 0x07;
    put_le32 (b + 446 + 8, 2048);
    put_le32 (b + 446 + 12, 100000);
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_DISK_IMAGE);
    assert_type (classify_mem ("disk", b, 511), KIKAN_FILETYPE_OTHER);
    b[446 + 16] = 0x12; /* another entry with a bad status byte */
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);
    b[446 + 16] = 0;
    put_le32 (b + 446 + 12, 0);
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);

    /* A PE or ZIP carrying disk-like bytes is still a PE / not a disk. */
    put_le32 (b + 446 + 12, 100000);
    memcpy (b, "PK\3\4", 4);
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);
    memcpy (b + 0x8001, "CD001", 5);
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);
    memcpy (b, "MZ", 2);
    assert_type (classify_mem ("disk", b, n), KIKAN_FILETYPE_OTHER);
    free (b);
}

/* ---- LNK ---- */

static void
test_lnk (void **state)
{
    static const uint8_t hdr[20] = { 0x4c, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0,
                                     0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46 };
    uint8_t b[76];

    memset (b, 0, sizeof b);
    memcpy (b, hdr, sizeof hdr);
    assert_type (classify_mem ("Invoice.pdf.lnk", b, sizeof b), KIKAN_FILETYPE_LNK);
    assert_type (classify_mem ("photo.jpg", b, 20), KIKAN_FILETYPE_LNK);
    assert_type (classify_mem ("x.lnk", b, 19), KIKAN_FILETYPE_OTHER);
    b[19] = 0x47;
    assert_type (classify_mem ("x.lnk", b, sizeof b), KIKAN_FILETYPE_OTHER);
    b[19] = 0x46;
    b[0] = 0x4d;
    assert_type (classify_mem ("x.lnk", b, sizeof b), KIKAN_FILETYPE_OTHER);
}

/* ---- scripts ---- */

static void
expect_text (const char *name, const char *content, KikanFileType want)
{
    KikanFileType got = classify_mem (name, content, strlen (content));

    if (got != want)
        fail_msg ("%s / \"%.20s\": got %s, want %s", name, content,
                  kikan_filetype_to_string (got), kikan_filetype_to_string (want));
}

static void
test_shebang (void **state)
{
    expect_text ("x", "#!/bin/sh\necho hi\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x.txt", "#!/usr/bin/env python3\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!   \n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!/usr/bin/env\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!/usr/bin/env pwsh\nWrite-Host hi\n", KIKAN_FILETYPE_SCRIPT_POWERSHELL);
    expect_text ("x", "#!/opt/microsoft/powershell/7/pwsh -NoProfile\n",
                 KIKAN_FILETYPE_SCRIPT_POWERSHELL);
    expect_text ("x.sh", "#!/usr/bin/env -S PowerShell.exe -File\r\n",
                 KIKAN_FILETYPE_SCRIPT_POWERSHELL);
    expect_text ("x", "#! /usr/bin/env -S FOO=1 node --harmony\n", KIKAN_FILETYPE_SCRIPT_JS);
    expect_text ("x", "#!/usr/bin/nodejs\n", KIKAN_FILETYPE_SCRIPT_JS);
    expect_text ("x", "#!C:\\Windows\\System32\\cscript.exe //E:jscript\n",
                 KIKAN_FILETYPE_SCRIPT_JS);
    expect_text ("x", "#!wscript\n", KIKAN_FILETYPE_SCRIPT_JS);
    /* Only the first line counts; "pwsh" as an argument does not. */
    expect_text ("x", "#!/bin/sh\n#!/usr/bin/pwsh\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!/bin/bash pwsh\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x", "#!/usr/bin/pwshx\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    /* Content wins over the extension. */
    expect_text ("x.ps1", "#!/bin/sh\n", KIKAN_FILETYPE_SCRIPT_SHELL);
    expect_text ("x.bat", "#!/usr/bin/env node\n", KIKAN_FILETYPE_SCRIPT_JS);
    expect_text ("x", " #!/bin/sh\n", KIKAN_FILETYPE_OTHER);
}

static void
test_scripts_by_extension (void **state)
{
    static const struct {
        const char *name;
        KikanFileType t;
    } cases[] = {
        { "run.ps1", KIKAN_FILETYPE_SCRIPT_POWERSHELL },
        { "Mod.PSM1", KIKAN_FILETYPE_SCRIPT_POWERSHELL },
        { "m.psd1", KIKAN_FILETYPE_SCRIPT_POWERSHELL },
        { "x.bat", KIKAN_FILETYPE_SCRIPT_BATCH },
        { "X.CMD", KIKAN_FILETYPE_SCRIPT_BATCH },
        { "x.vbs", KIKAN_FILETYPE_SCRIPT_VBS },
        { "x.vbe", KIKAN_FILETYPE_SCRIPT_VBS },
        { "x.wsf", KIKAN_FILETYPE_SCRIPT_VBS },
        { "x.wsh", KIKAN_FILETYPE_SCRIPT_VBS },
        { "x.js", KIKAN_FILETYPE_SCRIPT_JS },
        { "x.JSE", KIKAN_FILETYPE_SCRIPT_JS },
        { "x.sh", KIKAN_FILETYPE_SCRIPT_SHELL },
        { "/media/usb/tools/x.bat", KIKAN_FILETYPE_SCRIPT_BATCH },
        { "E:\\tools\\x.bat", KIKAN_FILETYPE_SCRIPT_BATCH },
        { "x.bat. . .", KIKAN_FILETYPE_SCRIPT_BATCH }, /* Win32 strips these */
        { "x.txt", KIKAN_FILETYPE_OTHER },
        { "x.bat.txt", KIKAN_FILETYPE_OTHER },
        { "bat", KIKAN_FILETYPE_OTHER },
        { ".bat", KIKAN_FILETYPE_OTHER },
        { "x.bat/", KIKAN_FILETYPE_OTHER },
        { "x.batx", KIKAN_FILETYPE_OTHER },
        { "", KIKAN_FILETYPE_OTHER },
        { NULL, KIKAN_FILETYPE_OTHER },
    };
    static const char ps_utf16[] = "\xff\xfeW\0r\0i\0t\0e\0-\0H\0o\0s\0t\0";
    char bin[64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        KikanFileType got = classify_mem (cases[i].name, "echo hello\r\n", 12);

        if (got != cases[i].t)
            fail_msg ("%s: got %s", cases[i].name ? cases[i].name : "(null)",
                      kikan_filetype_to_string (got));
    }
    /* Empty content is still text. */
    assert_type (classify_mem ("x.cmd", "", 0), KIKAN_FILETYPE_SCRIPT_BATCH);
    assert_type (classify_mem ("x.cmd", NULL, 0), KIKAN_FILETYPE_SCRIPT_BATCH);
    /* UTF-16LE with a BOM (PowerShell 5's default) is text; NULs without are not. */
    assert_type (classify_mem ("x.ps1", ps_utf16, sizeof ps_utf16 - 1),
                 KIKAN_FILETYPE_SCRIPT_POWERSHELL);
    assert_type (classify_mem ("x.ps1", ps_utf16 + 2, sizeof ps_utf16 - 3),
                 KIKAN_FILETYPE_OTHER);
    memset (bin, 'a', sizeof bin);
    bin[40] = 0;
    assert_type (classify_mem ("x.vbs", bin, sizeof bin), KIKAN_FILETYPE_OTHER);
}

static void
test_text_probe_4k (void **state)
{
    char *b = malloc (8192);

    assert_non_null (b);
    memset (b, 'x', 8192);
    b[4096] = 0; /* past the probe: still text */
    assert_type (classify_mem ("x.js", b, 8192), KIKAN_FILETYPE_SCRIPT_JS);
    b[4095] = 0;
    assert_type (classify_mem ("x.js", b, 8192), KIKAN_FILETYPE_OTHER);
    free (b);
}

/* ---- autorun.inf ---- */

static void
test_autorun (void **state)
{
    static const char inf[] = "[autorun]\r\nopen=setup.exe\r\nicon=setup.exe,0\r\n";
    uint8_t bin[256];
    size_t n;
    uint8_t *pe;

    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t) (i * 37 + 1);
    bin[7] = 0;
    assert_type (classify_mem ("autorun.inf", inf, strlen (inf)), KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("autorun.inf", "", 0), KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("AUTORUN.INF", bin, sizeof bin), KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("/media/usb/AutoRun.Inf", inf, 5), KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("E:\\autorun.inf", inf, 5), KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("autorun.inf .", inf, 5), KIKAN_FILETYPE_AUTORUN);
    /* Windows' INI reader skips a "#!" line: still an autorun.inf. */
    assert_type (classify_mem ("autorun.inf", "#!/bin/sh\n[autorun]\n", 20),
                 KIKAN_FILETYPE_AUTORUN);
    assert_type (classify_mem ("autorun.inf.txt", inf, 5), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("xautorun.inf", inf, 5), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("autorun.inf/x", inf, 5), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("autorun.in", inf, 5), KIKAN_FILETYPE_OTHER);
    /* A program named autorun.inf is a program. */
    pe = slurp (KIKAN_TEST_CLAMAV_TESTFILES "/clam.exe", &n);
    assert_type (classify_mem ("autorun.inf", pe, n), KIKAN_FILETYPE_PE_EXE);
    free (pe);
}

/* ---- everything else ---- */

static void
test_other (void **state)
{
    static const char *const names[] = { NULL, "", "x", "x.exe", "x.ps1", "x.pdf", "x.js",
                                         "autorun.inf.bak" };
    uint8_t *r = malloc (1 << 16);
    uint32_t s = 0x12345678u;
    size_t n;
    uint8_t *doc;

    assert_non_null (r);
    for (size_t i = 0; i < (1u << 16); i++) {
        s = s * 1103515245u + 12345u;
        r[i] = (uint8_t) (s >> 16);
    }
    r[100] = 0; /* certainly not text */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_type (classify_mem (names[i], r, 1 << 16), KIKAN_FILETYPE_OTHER);
    free (r);
    assert_type (classify_mem ("x.pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15),
                 KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("x.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16),
                 KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem ("x.txt", "hello", 5), KIKAN_FILETYPE_OTHER);
    assert_type (classify_mem (NULL, NULL, 0), KIKAN_FILETYPE_OTHER);
    assert_type (kikan_filetype_classify (NULL, NULL, 0, UINT64_MAX), KIKAN_FILETYPE_OTHER);
    /* size < len is taken as size = len. */
    assert_type (kikan_filetype_classify ("x", "\x7f" "ELF", 4, 0), KIKAN_FILETYPE_ELF);
    doc = slurp (KIKAN_TEST_CLAMAV_TESTFILES "/clam.pdf", &n);
    assert_type (classify_mem ("clam.pdf", doc, n), KIKAN_FILETYPE_OTHER);
    free (doc);
}

/* ---- names ---- */

static void
expect_flags (const char *name, KikanFileType content, uint32_t want)
{
    uint32_t got = kikan_filetype_name_flags (name, content);

    if (got != want)
        fail_msg ("\"%.60s\" as %s: flags 0x%x, want 0x%x", name ? name : "(null)",
                  kikan_filetype_to_string (content), got, want);
}

static void
test_name_flags (void **state)
{
    const uint32_t M = KIKAN_NAME_FLAG_EXT_MISMATCH, B = KIKAN_NAME_FLAG_BIDI,
                   D = KIKAN_NAME_FLAG_DOUBLE_EXT;

    expect_flags ("report.pdf.exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("report.pdf.exe", KIKAN_FILETYPE_OTHER, D);
    expect_flags ("REPORT.PDF.EXE", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("C:\\Users\\a\\report.docx.scr", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("photo.jpg      .exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("photo.jpg . . .exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("photo.jpg\xc2\xa0\xe3\x80\x80.scr", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("song.mp3.js", KIKAN_FILETYPE_SCRIPT_JS, D);
    expect_flags ("invoice.pdf.lnk", KIKAN_FILETYPE_LNK, D);
    expect_flags ("report.pdf.exe.", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("archive.zip.iso", KIKAN_FILETYPE_DISK_IMAGE, D);
    expect_flags ("invoice\xe2\x80\xaegpj.exe", KIKAN_FILETYPE_PE_EXE, B);
    expect_flags ("invoice\xe2\x80\xaegpj.exe", KIKAN_FILETYPE_OTHER, B);
    expect_flags ("a.exe", KIKAN_FILETYPE_OTHER, 0);
    expect_flags ("a.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.jpg", KIKAN_FILETYPE_PE_EXE, M);
    expect_flags ("x.JPG", KIKAN_FILETYPE_SCRIPT_SHELL, M);
    expect_flags ("x.doc", KIKAN_FILETYPE_MSI, M);
    expect_flags ("x.zip", KIKAN_FILETYPE_APK, M);
    expect_flags ("x.pdf", KIKAN_FILETYPE_LNK, M);
    expect_flags ("x.jpg", KIKAN_FILETYPE_OTHER, 0);
    expect_flags ("x.jpg", KIKAN_FILETYPE_DISK_IMAGE, 0);
    expect_flags ("x.txt", KIKAN_FILETYPE_AUTORUN, 0);
    expect_flags ("x.jpg", (KikanFileType) (KIKAN_FILETYPE__COUNT + 3), 0);
    expect_flags ("x.iso", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.pdf.jpg", KIKAN_FILETYPE_PE_EXE, M);
    expect_flags ("\xe2\x80\xaex.pdf.exe", KIKAN_FILETYPE_PE_EXE, B | D);
    expect_flags ("a\xe2\x80\xaegpj.pdf", KIKAN_FILETYPE_PE_EXE, B | M);
    /* Last component only. */
    expect_flags ("dir.pdf/file.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("\xe2\x80\xae/file.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("pdf.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags (".pdf.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags (".exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.pdfexe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.exe.pdf", KIKAN_FILETYPE_OTHER, 0);
    expect_flags ("", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("/", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("...", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags (NULL, KIKAN_FILETYPE_PE_EXE, 0);
    /* Every bidirectional control, as UTF-8. */
    static const char *const bidi[] = { "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
                                        "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
                                        "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
                                        "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c" };
    for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
        char name[32];

        snprintf (name, sizeof name, "a%sb.txt", bidi[i]);
        expect_flags (name, KIKAN_FILETYPE_OTHER, B);
    }
    /* Neighbours that are not bidi controls; invalid and truncated UTF-8;
     * control characters. */
    expect_flags ("a\xe2\x80\xa9.txt", KIKAN_FILETYPE_OTHER, 0); /* U+2029 */
    expect_flags ("a\xe2\x80\xaf.txt", KIKAN_FILETYPE_OTHER, 0); /* U+202F */
    expect_flags ("a\xe2\x81\xa5.txt", KIKAN_FILETYPE_OTHER, 0); /* U+2065 */
    expect_flags ("a\xd8\x9b.txt", KIKAN_FILETYPE_OTHER, 0);     /* U+061B */
    expect_flags ("\xff\xfe\x80.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.pdf\xff.exe", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x.pdf.exe\xe2", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x\xe2\x80", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("x\xe2", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("\xd8", KIKAN_FILETYPE_PE_EXE, 0);
    expect_flags ("a\x01\x1b[31m.pdf\t.exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("a.pdf\n\r.exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("a.pdf\x7f.exe", KIKAN_FILETYPE_PE_EXE, D);
    expect_flags ("a.pdf_.exe", KIKAN_FILETYPE_PE_EXE, 0);
}

static void
test_name_flags_long (void **state)
{
    const size_t n = 65536;
    char *name = malloc (n + 32);

    assert_non_null (name);
    memset (name, 'a', n);
    strcpy (name + n, ".pdf.exe");
    expect_flags (name, KIKAN_FILETYPE_PE_EXE, KIKAN_NAME_FLAG_DOUBLE_EXT);
    memcpy (name + n - 3, "\xe2\x80\xae", 3);
    expect_flags (name, KIKAN_FILETYPE_PE_EXE,
                  KIKAN_NAME_FLAG_DOUBLE_EXT | KIKAN_NAME_FLAG_BIDI);
    /* 64 KiB of spaces between the two extensions. */
    memset (name, ' ', n);
    memcpy (name, "x.jpg", 5);
    strcpy (name + n, ".exe");
    expect_flags (name, KIKAN_FILETYPE_PE_EXE, KIKAN_NAME_FLAG_DOUBLE_EXT);
    /* A 64 KiB "extension" is no extension. */
    memset (name, 'e', n);
    memcpy (name, "a.", 2);
    name[n] = '\0';
    expect_flags (name, KIKAN_FILETYPE_PE_EXE, 0);
    assert_type (classify_mem (name, "echo", 4), KIKAN_FILETYPE_OTHER);
    /* 64 KiB of slashes, and a long path to a .bat. */
    memset (name, '/', n);
    strcpy (name + n, "x.bat");
    assert_type (classify_mem (name, "echo", 4), KIKAN_FILETYPE_SCRIPT_BATCH);
    expect_flags (name, KIKAN_FILETYPE_SCRIPT_BATCH, 0);
    free (name);
}

/* ---- strings ---- */

static void
test_strings (void **state)
{
    for (unsigned i = 0; i < KIKAN_FILETYPE__COUNT; i++) {
        KikanFileType back = KIKAN_FILETYPE__COUNT;
        const char *s = kikan_filetype_to_string ((KikanFileType) i);

        assert_non_null (s);
        assert_int_equal (kikan_filetype_from_string (s, &back), 0);
        assert_int_equal (back, i);
        assert_non_null (kikan_filetype_label ((KikanFileType) i));
        for (unsigned j = 0; j < i; j++) {
            assert_string_not_equal (s, kikan_filetype_to_string ((KikanFileType) j));
            assert_string_not_equal (kikan_filetype_label ((KikanFileType) i),
                                     kikan_filetype_label ((KikanFileType) j));
        }
    }
    assert_string_equal (kikan_filetype_to_string (KIKAN_FILETYPE_PE_EXE), "pe_exe");
    assert_string_equal (kikan_filetype_to_string (KIKAN_FILETYPE_INSTALLER_INSTALLSHIELD),
                         "installer_installshield");
    assert_string_equal (kikan_filetype_to_string (KIKAN_FILETYPE__COUNT), "other");
    assert_string_equal (kikan_filetype_to_string ((KikanFileType) -1), "other");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_PE_EXE), "Windows program");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_PE_DLL), "Windows library (DLL)");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_MSI), "Windows Installer package");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_LNK), "shortcut");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_AUTORUN), "AutoRun file");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE_APK), "Android app");
    assert_string_equal (kikan_filetype_label (KIKAN_FILETYPE__COUNT),
                         kikan_filetype_label (KIKAN_FILETYPE_OTHER));
    assert_int_equal (kikan_filetype_from_string ("PE_EXE", NULL), -1);
    assert_int_equal (kikan_filetype_from_string ("pe_exe ", NULL), -1);
    assert_int_equal (kikan_filetype_from_string ("", NULL), -1);
    assert_int_equal (kikan_filetype_from_string (NULL, NULL), -1);
    assert_int_equal (kikan_filetype_from_string ("msi", NULL), 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_pe_real),
        cmocka_unit_test (test_installers_real),
        cmocka_unit_test (test_installers_synthetic),
        cmocka_unit_test (test_installer_search_bound),
        cmocka_unit_test (test_pe_hostile),
        cmocka_unit_test (test_msi),
        cmocka_unit_test (test_elf_macho),
        cmocka_unit_test (test_apk),
        cmocka_unit_test (test_dmg),
        cmocka_unit_test (test_disk_images_real),
        cmocka_unit_test (test_disk_images_synthetic),
        cmocka_unit_test (test_lnk),
        cmocka_unit_test (test_shebang),
        cmocka_unit_test (test_scripts_by_extension),
        cmocka_unit_test (test_text_probe_4k),
        cmocka_unit_test (test_autorun),
        cmocka_unit_test (test_other),
        cmocka_unit_test (test_name_flags),
        cmocka_unit_test (test_name_flags_long),
        cmocka_unit_test (test_strings),
    };

    return cmocka_run_group_tests_name ("scanner-filetype", tests, setup_group, teardown_group);
}
