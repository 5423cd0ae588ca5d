/* Installed software and OS posture parsers (scanner/inventory.c; issue #4
 * item 3, JNSA-2.2, JNSA-2.4, Admin C-1, F-1, KR-16, KR-46).
 *
 * Real data: the two hives of ../shared/testdata/hives (from regipy) must
 * yield exactly the programs an independent reader (python3-hivex) lists
 * there.  Built data: hives written by tests/fixtures/make-hive.py with
 * known contents, times relative to now.  Hostile data: control
 * characters, invalid UTF-16, 64 KiB names, corrupt and truncated hives,
 * broken dpkg status files, os-release and property lists. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/errors.h"
#include "kikan/inventory.h"

extern char **environ;

#define DAY 86400

/* ---- Helpers ---- */

static char tmpdir[64];

static int
rm_entry (const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st, (void) flag, (void) ftw;
    return remove (p);
}

static int
setup (void **state)
{
    (void) state;
    snprintf (tmpdir, sizeof tmpdir, "/tmp/kikan-inv-XXXXXX");
    return mkdtemp (tmpdir) != NULL ? 0 : -1;
}

static int
teardown (void **state)
{
    (void) state;
    return nftw (tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
tpath (const char *name)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ % 4];

    snprintf (b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

static void
run (char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status;

    posix_spawn_file_actions_init (&fa);
    if (out_path != NULL)
        posix_spawn_file_actions_addopen (&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal (posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy (&fa);
    assert_int_equal (waitpid (pid, &status, 0), pid);
    assert_true (WIFEXITED (status));
    assert_int_equal (WEXITSTATUS (status), 0);
}

/* make-hive.py OUT args... (NULL-terminated). */
static const char *
make_hive (const char *name, ...)
{
    char *argv[64];
    int n = 0;
    va_list ap;
    const char *out = tpath (name);

    argv[n++] = (char *) KIKAN_TEST_PYTHON;
    argv[n++] = (char *) KIKAN_TEST_MAKE_HIVE;
    argv[n++] = (char *) out;
    va_start (ap, name);
    while (n < 63 && (argv[n] = va_arg (ap, char *)) != NULL)
        n++;
    va_end (ap);
    argv[n] = NULL;
    run (argv, NULL);
    return out;
}

static const char *
unxz (const char *name)
{
    char src[512];
    char *argv[] = { (char *) "xz", (char *) "-dc", src, NULL };
    const char *out = tpath (name);

    snprintf (src, sizeof src, "%s/hives/%s.xz", KIKAN_TEST_SHARED_DIR, name);
    run (argv, out);
    return out;
}

static void
write_file (const char *path, const void *buf, size_t len)
{
    FILE *f = fopen (path, "wb");

    assert_non_null (f);
    assert_int_equal (fwrite (buf, 1, len, f), len);
    assert_int_equal (fclose (f), 0);
}

static unsigned char *
read_file (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    unsigned char *b;
    long n;

    assert_non_null (f);
    fseek (f, 0, SEEK_END);
    n = ftell (f);
    fseek (f, 0, SEEK_SET);
    b = malloc ((size_t) n + 1);
    assert_non_null (b);
    assert_int_equal (fread (b, 1, (size_t) n, f), (size_t) n);
    fclose (f);
    *len = (size_t) n;
    return b;
}

static void
assert_str (const char *got, const char *want)
{
    if (want == NULL)
        assert_null (got);
    else {
        assert_non_null (got);
        assert_string_equal (got, want);
    }
}

static const KikanProgram *
lookup_program (const KikanInventory *inv, const char *name)
{
    for (size_t i = 0; i < inv->n_programs; i++)
        if (strcmp (inv->programs[i].name, name) == 0)
            return &inv->programs[i];
    return NULL;
}

/* The program named @name; fails the test when there is none. */
static const KikanProgram *
find_program (const KikanInventory *inv, const char *name)
{
    const KikanProgram *p = lookup_program (inv, name);

    if (p == NULL) {
        fail_msg ("no program named \"%s\"", name);
        abort ();
    }
    return p;
}

static size_t
count_problems (const KikanInventory *inv, const char *needle)
{
    size_t n = 0;

    for (size_t i = 0; i < inv->n_problems; i++)
        if (strstr (inv->problems[i].what, needle) != NULL)
            n++;
    return n;
}

typedef struct {
    const char *name, *version, *publisher, *date, *key;
    uint32_t flags;
} Want;

static void
assert_programs (const KikanInventory *inv, const Want *want, size_t n, const char *source,
                 const char *user)
{
    assert_int_equal (inv->n_programs, n);
    for (size_t i = 0; i < n; i++) {
        const KikanProgram *p = &inv->programs[i];
        assert_str (p->name, want[i].name);
        assert_str (p->version, want[i].version);
        assert_str (p->publisher, want[i].publisher);
        assert_str (p->install_date, want[i].date);
        assert_str (p->key, want[i].key);
        assert_str (p->source, source);
        assert_str (p->user, user);
        assert_int_equal (p->flags, want[i].flags);
    }
}

/* ---- Paths ---- */

static void
test_source_of_path (void **state)
{
    static const struct {
        const char *path;
        KikanInvSource want;
    } cases[] = {
        { "p2:/Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_HIVE },
        { "p1:/windows/system32/CONFIG/software", KIKAN_INV_SOURCE_HIVE },
        { "/Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_HIVE },
        { "Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_HIVE },
        { "p12:Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_HIVE },
        { "p1:/Users/alice/NTUSER.DAT", KIKAN_INV_SOURCE_HIVE },
        { "p1:/users/Bob Smith/ntuser.dat", KIKAN_INV_SOURCE_HIVE },
        { "/Documents and Settings/carol/NTUSER.DAT", KIKAN_INV_SOURCE_HIVE },
        { "p3:/var/lib/dpkg/status", KIKAN_INV_SOURCE_DPKG_STATUS },
        { "p3:/etc/os-release", KIKAN_INV_SOURCE_OS_RELEASE },
        { "usr/lib/os-release", KIKAN_INV_SOURCE_OS_RELEASE },
        { "p1:/Applications/Safari.app/Contents/Info.plist", KIKAN_INV_SOURCE_APP_PLIST },
        { "/System/Applications/Mail.APP/Contents/Info.plist", KIKAN_INV_SOURCE_APP_PLIST },
        { "p1:/System/Library/CoreServices/SystemVersion.plist",
          KIKAN_INV_SOURCE_SYSTEM_PLIST },
        { "p2:/Windows/System32/config/SYSTEM", KIKAN_INV_SOURCE_MARKER_WINDOWS },
        { "p2:/Windows/explorer.exe", KIKAN_INV_SOURCE_MARKER_WINDOWS },
        { "p2:/Windows/System32/ntoskrnl.exe", KIKAN_INV_SOURCE_MARKER_WINDOWS },
        { "p3:/etc/passwd", KIKAN_INV_SOURCE_MARKER_LINUX },
        { "/etc/fstab", KIKAN_INV_SOURCE_MARKER_LINUX },
        { "p1:/System/Library/CoreServices/boot.efi", KIKAN_INV_SOURCE_MARKER_MACOS },
        /* Negative: not anchored at the root, extra or missing components. */
        { "backup/Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_NONE },
        { "p1:/backup/Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_NONE },
        { "p1:/Windows/System32/config/SOFTWARE.LOG1", KIKAN_INV_SOURCE_NONE },
        { "p1:/Windows/System32/config/RegBack/SOFTWARE", KIKAN_INV_SOURCE_NONE },
        { "p1:/Windows/System32/config/SOFTWARE/", KIKAN_INV_SOURCE_NONE },
        { "p1:/Users/NTUSER.DAT", KIKAN_INV_SOURCE_NONE },
        { "p1:/Users/alice/sub/NTUSER.DAT", KIKAN_INV_SOURCE_NONE },
        { "p1:/Users/../NTUSER.DAT", KIKAN_INV_SOURCE_NONE },
        { "p1:/Users//NTUSER.DAT", KIKAN_INV_SOURCE_NONE },
        { "p1:/Applications/Safari/Contents/Info.plist", KIKAN_INV_SOURCE_NONE },
        { "p1:/Applications/.app/Contents/Info.plist", KIKAN_INV_SOURCE_NONE },
        { "p1:/Applications/Utilities/X.app/Contents/Info.plist", KIKAN_INV_SOURCE_NONE },
        { "p1:/home/u/etc/os-release", KIKAN_INV_SOURCE_NONE },
        { "x1:/etc/os-release", KIKAN_INV_SOURCE_NONE },
        { "/var/lib/dpkg/status-old", KIKAN_INV_SOURCE_NONE },
        { "", KIKAN_INV_SOURCE_NONE },
        { "p1:", KIKAN_INV_SOURCE_NONE },
    };

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        KikanInvSource got = kikan_inventory_source_of_path (cases[i].path);
        if (got != cases[i].want)
            fail_msg ("%s: got %d, want %d", cases[i].path, got, cases[i].want);
    }
    assert_int_equal (kikan_inventory_source_of_path (NULL), KIKAN_INV_SOURCE_NONE);
    assert_int_equal (kikan_inventory_source_max (KIKAN_INV_SOURCE_HIVE), KIKAN_INV_MAX_HIVE);
    assert_int_equal (kikan_inventory_source_max (KIKAN_INV_SOURCE_DPKG_STATUS),
                      KIKAN_INV_MAX_TEXT);
    assert_int_equal (kikan_inventory_source_max (KIKAN_INV_SOURCE_APP_PLIST),
                      KIKAN_INV_MAX_SMALL);
    assert_int_equal (kikan_inventory_source_max (KIKAN_INV_SOURCE_MARKER_LINUX), 0);
    assert_string_equal (kikan_os_family_to_string (KIKAN_OS_WINDOWS), "windows");
    assert_string_equal (kikan_os_family_to_string (KIKAN_OS_LINUX), "linux");
    assert_string_equal (kikan_os_family_to_string (KIKAN_OS_MACOS), "macos");
    assert_string_equal (kikan_os_family_to_string (KIKAN_OS_UNKNOWN), "unknown");
    kikan_inventory_clear (NULL);
}

/* ---- Real hives ---- */

/* Expected lists derived with python3-hivex (an independent reader of the
 * same files) and checked by eye; order is the hive's subkey order. */
static void
test_real_software_partial (void **state)
{
    static const Want want[] = {
        { "Python 3.7 distorm3-3.3.4", NULL, NULL, NULL, "distorm3-py3.7", 0 },
        { "GitKraken", "5.0.4", "Axosoft, LLC", "2019-04-10", "gitkraken", 0 },
        { "Microsoft OneDrive", "20.028.0206.0009", "Microsoft Corporation", NULL,
          "OneDriveSetup.exe", 0 },
        { "Python 3.7.0 (Anaconda3 5.3.0 64-bit)", "5.3.0", "Anaconda, Inc.", NULL,
          "Python 3.7.0 (Anaconda3 5.3.0 64-bit)", 0 },
        { "Microsoft Visual Studio Code (User)", "1.33.1", "Microsoft Corporation",
          "2019-04-17", "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1", 0 },
    };
    const char *src = "p2:/Windows/System32/config/SOFTWARE";
    KikanInventory inv = { 0 };

    (void) state;
    /* The file is the Software key of a user's hive saved on its own: it
     * has Microsoft\Windows NT\CurrentVersion (without values) at its root,
     * so by content it is read as a SOFTWARE hive. */
    assert_int_equal (kikan_inventory_add_hive_file (&inv, unxz ("ntuser_software_partial"),
                                                     src, NULL), 0);
    assert_programs (&inv, want, 5, src, NULL);
    assert_int_equal (inv.n_systems, 1);
    assert_int_equal (inv.systems[0].family, KIKAN_OS_WINDOWS);
    assert_string_equal (inv.systems[0].source, src);
    assert_null (inv.systems[0].product);
    assert_null (inv.systems[0].build);
    assert_null (inv.systems[0].av_product);
    assert_int_equal (inv.systems[0].patched, 0);
    assert_int_equal (inv.n_problems, 1);
    assert_int_equal (count_problems (&inv, "names no Windows product"), 1);
    kikan_inventory_clear (&inv);
    assert_int_equal (inv.n_programs + inv.n_systems + inv.n_problems, 0);
    assert_null (inv.programs);
}

static void
test_real_ntuser (void **state)
{
    static const uint32_t u = KIKAN_PROGRAM_FLAG_PER_USER;
    static const Want want[] = {
        { "GitHub Desktop", "3.0.0", "GitHub, Inc.", "2022-04-28", "GitHubDesktop", u },
        { "Zoom", "5.9.3 (3169)", "Zoom Video Communications, Inc.", NULL, "ZoomUMX", u },
        { "JetBrains dotPeek 2021.3.3", "2021.3.3", "JetBrains s.r.o.", NULL,
          "{042365c3-6595-5b1c-9db7-bb6ec2e7f0db}", u },
        { "Python 3.10.2 (64-bit)", "3.10.2150.0", "Python Software Foundation", NULL,
          "{c60fd5ac-367d-4e3a-a975-f157502ac30a}", u },
    };
    const char *src = "p2:/Users/tony/NTUSER.DAT";
    KikanInventory inv = { 0 };

    (void) state;
    assert_int_equal (kikan_inventory_add_hive_file (&inv, unxz ("NTUSER_with_winscp.DAT"), src,
                                                     "tony"), 0);
    /* WinSCP was installed for all users (C:\Program Files (x86)\WinSCP):
     * this hive holds only its settings (Software\Martin Prikryl), its
     * Uninstall entry lives in the machine's SOFTWARE hive. */
    assert_programs (&inv, want, 4, src, "tony");
    assert_null (lookup_program (&inv, "WinSCP"));
    assert_int_equal (inv.n_systems, 0);
    assert_int_equal (inv.n_problems, 0);
    kikan_inventory_clear (&inv);
}

/* ---- Built hives ---- */

static void
test_built_software (void **state)
{
    static const Want want[] = {
        { "7-Zip 23.01 (x64)", "23.01", "Igor Pavlov", "2024-01-05", "7-Zip_23.01__x64_", 0 },
        { "Bad Date", "1", "X", "20241301", "Bad_Date", 0 },   /* no month 13: raw */
        { "Hidden Thing", "1.0", NULL, NULL, "Hidden_Thing", KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT },
        { "KB5034441", "1", "Microsoft Corporation", NULL, "KB5034441",
          KIKAN_PROGRAM_FLAG_UPDATE },
        { "Odd Date", "2", NULL, "4/1/2024", "Odd_Date", 0 },
        { "Notepad++ (32-bit x86)", "8.6", "Notepad++ Team", NULL, "Notepad____32-bit_x86_",
          KIKAN_PROGRAM_FLAG_WOW64 },
    };
    const char *src = "p3:/Windows/System32/config/SOFTWARE";
    KikanInventory inv = { 0 };
    const KikanSystem *s;
    time_t now = time (NULL);
    const char *h = make_hive ("SOFTWARE", "--kind", "software", "--product", "Windows 10 Pro",
                               "--display-version", "22H2", "--build", "19045", "--ubr", "4291",
                               "--edition", "Professional", "--installed-days-ago", "400",
                               "--patched-days-ago", "12", "--wu-days-ago", "30",
                               "--defender-version", "1.403.1.0", "--defender-days-ago", "2",
                               "--program", "7-Zip 23.01 (x64)|23.01|Igor Pavlov|20240105",
                               "--program", "Bad Date|1|X|20241301",
                               "--program", "Odd Date|2||4/1/2024",
                               "--program32", "Notepad++ (32-bit x86)|8.6|Notepad++ Team|",
                               "--system-component", "Hidden Thing|1.0||",
                               "--update", "KB5034441|1|Microsoft Corporation|",
                               "--no-name", "NoDisplayName", NULL);

    (void) state;
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, src, NULL), 0);
    assert_programs (&inv, want, 6, src, NULL);
    assert_int_equal (inv.n_problems, 0);
    assert_int_equal (inv.n_systems, 1);
    s = &inv.systems[0];
    assert_int_equal (s->family, KIKAN_OS_WINDOWS);
    assert_string_equal (s->source, src);
    assert_string_equal (s->product, "Windows 10 Pro");
    assert_string_equal (s->version, "22H2");
    assert_string_equal (s->build, "19045.4291");
    assert_string_equal (s->edition, "Professional");
    assert_true (llabs ((long long) (s->installed - (now - 400 * DAY))) <= 60);
    /* CBS (12 days) is newer than WindowsUpdate (30 days). */
    assert_true (llabs ((long long) (s->patched - (now - 12 * DAY))) <= 60);
    assert_string_equal (s->patched_source, "CBS RollupFix package");
    assert_string_equal (s->av_product, "Microsoft Defender");
    assert_string_equal (s->av_version, "1.403.1.0");
    assert_true (llabs ((long long) (s->av_updated - (now - 2 * DAY))) <= 60);
    assert_int_equal (s->av_disabled, 0);
    kikan_inventory_clear (&inv);
}

static void
test_built_win11_wu_defender_off (void **state)
{
    KikanInventory inv = { 0 };
    const KikanSystem *s;
    time_t now = time (NULL);
    const char *h = make_hive ("SOFTWARE", "--kind", "software", "--product", "Windows 10 Home",
                               "--display-version", "23H2", "--build", "22631", "--ubr", "3447",
                               "--patched-days-ago", "40", "--wu-days-ago", "5",
                               "--defender-disabled", NULL);

    (void) state;
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h,
                                                     "p1:/Windows/System32/config/SOFTWARE", NULL),
                      0);
    assert_int_equal (inv.n_systems, 1);
    s = &inv.systems[0];
    assert_string_equal (s->product, "Windows 11 Home");
    assert_string_equal (s->build, "22631.3447");
    assert_null (s->edition);
    assert_int_equal (s->installed, 0);
    assert_true (llabs ((long long) (s->patched - (now - 5 * DAY))) <= 60);
    assert_string_equal (s->patched_source, "WindowsUpdate LastSuccessTime");
    /* Only the policy key exists: no Defender install evidence, but the
     * policy says it is off. */
    assert_null (s->av_product);
    assert_null (s->av_version);
    assert_int_equal (s->av_updated, 0);
    assert_int_equal (s->av_disabled, 1);
    assert_int_equal (inv.n_programs, 0);
    assert_int_equal (inv.n_problems, 0);
    kikan_inventory_clear (&inv);

    /* Nothing about patches, no UBR, and no Defender key at all. */
    h = make_hive ("SOFTWARE2", "--kind", "software", "--product", "Windows 10 Pro", "--build",
                   "19045", NULL);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, "SOFTWARE", NULL), 0);
    s = &inv.systems[0];
    assert_string_equal (s->product, "Windows 10 Pro");
    assert_string_equal (s->build, "19045");
    assert_null (s->version);
    assert_int_equal (s->patched, 0);
    assert_null (s->patched_source);
    assert_null (s->av_product);
    assert_int_equal (s->av_disabled, 0);
    kikan_inventory_clear (&inv);
}

static void
test_built_ntuser (void **state)
{
    static const uint32_t u = KIKAN_PROGRAM_FLAG_PER_USER;
    static const Want want[] = {
        { "Spotify", "1.2.3", "Spotify AB", "2024-02-29", "Spotify", u },
        { "Zoom", "5.17", NULL, NULL, "Zoom", u },
    };
    KikanInventory inv = { 0 };
    const char *src = "p2:/Users/alice/NTUSER.DAT";
    const char *h = make_hive ("NTUSER.DAT", "--kind", "ntuser",
                               "--program", "Spotify|1.2.3|Spotify AB|20240229",
                               "--program", "Zoom|5.17||", "--no-name", "Ghost", NULL);

    (void) state;
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, src, "alice"), 0);
    assert_programs (&inv, want, 2, src, "alice");
    assert_int_equal (inv.n_systems, 0);
    assert_int_equal (inv.n_problems, 0);
    kikan_inventory_clear (&inv);

    /* A user who installed nothing: no Uninstall key, nothing to say. */
    h = make_hive ("NTUSER2.DAT", "--kind", "ntuser", NULL);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, src, NULL), 0);
    assert_int_equal (inv.n_programs + inv.n_systems + inv.n_problems, 0);

    /* A hive that is neither. */
    h = make_hive ("EMPTY", "--kind", "empty", NULL);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, src, NULL), 0);
    assert_int_equal (inv.n_programs + inv.n_systems, 0);
    assert_int_equal (inv.n_problems, 1);
    assert_int_equal (count_problems (&inv, "neither a SOFTWARE hive nor"), 1);
    assert_string_equal (inv.problems[0].source, src);
    kikan_inventory_clear (&inv);
}

static void
test_hostile_strings (void **state)
{
    KikanInventory inv = { 0 };
    const KikanProgram *p;
    const char *h = make_hive ("NTUSER.DAT", "--kind", "ntuser", "--hostile", NULL);
    char want_long[KIKAN_INV_MAX_STRING + 1];

    (void) state;
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h, "Users/eve/NTUSER.DAT", "eve"), 0);
    /* hostile-types has no string DisplayName: skipped. */
    assert_int_equal (inv.n_programs, 4);
    assert_int_equal (inv.n_problems, 0);

    p = find_program (&inv, "Evil\x1b[31mRed\tTab\r\nX");   /* kept as is */
    assert_non_null (p);
    assert_string_equal (p->version, "1.0");
    assert_int_equal (p->flags, KIKAN_PROGRAM_FLAG_PER_USER);

    p = find_program (&inv, "Bad\xef\xbf\xbdName");         /* U+FFFD */
    assert_non_null (p);
    assert_string_equal (p->version, "2.0\xef\xbf\xbd");
    assert_string_equal (p->key, "hostile-utf16");

    memset (want_long, 'A', KIKAN_INV_MAX_STRING);
    want_long[KIKAN_INV_MAX_STRING] = '\0';
    p = find_program (&inv, want_long);
    assert_non_null (p);
    assert_int_equal (p->flags, KIKAN_PROGRAM_FLAG_PER_USER | KIKAN_PROGRAM_FLAG_TRUNCATED);
    assert_string_equal (p->key, "hostile-long");

    p = find_program (&inv, "Shown");                       /* stops at the NUL */
    assert_non_null (p);
    assert_string_equal (p->key, "hostile-nul");
    for (size_t i = 0; i < inv.n_programs; i++) {
        assert_true (strlen (inv.programs[i].name) <= KIKAN_INV_MAX_STRING);
        assert_string_equal (inv.programs[i].user, "eve");
    }
    kikan_inventory_clear (&inv);
}

/* The same hive cut, flipped and replaced by junk: always a problem with
 * the hive's source, never an error return or a crash. */
static void
test_corrupt_hives (void **state)
{
    const char *good = make_hive ("GOOD", "--kind", "software", "--product", "Windows 10 Pro",
                                  "--program", "A|1|B|20200101", "--program", "C|2|D|",
                                  "--hostile", NULL);
    const char *bad = tpath ("BAD");
    const char *src = "p1:/Windows/System32/config/SOFTWARE";
    size_t len;
    unsigned char *b = read_file (good, &len), *junk;
    KikanInventory inv = { 0 };
    static const struct {
        const char *what;
        size_t off;
        size_t cut;
    } cases[] = {
        { "checksum mismatch", 0x10, 0 },
        { "no \"regf\" signature", 0x0, 0 },
        { "truncated (the header declares", 0, 2 },
        { "empty (0 bytes)", 0, 1 },
        { "truncated (", 0, 3 },
    };

    (void) state;
    assert_true (len >= 0x8000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *c = malloc (len);
        size_t n = len;
        memcpy (c, b, len);
        if (cases[i].cut == 0)
            c[cases[i].off] ^= 0x5A;
        else if (cases[i].cut == 1)
            n = 0;
        else if (cases[i].cut == 2)
            n = len / 2 & ~(size_t) 0xFFF;
        else
            n = 0x1800;
        write_file (bad, c, n);
        free (c);
        assert_int_equal (kikan_inventory_add_hive_file (&inv, bad, src, NULL), 0);
        if (inv.n_problems != 1 || strstr (inv.problems[0].what, cases[i].what) == NULL)
            fail_msg ("case %zu: %zu problems, first: %s", i, inv.n_problems,
                      inv.n_problems > 0 ? inv.problems[0].what : "-");
        assert_string_equal (inv.problems[0].source, src);
        assert_int_equal (inv.n_programs + inv.n_systems, 0);
        kikan_inventory_clear (&inv);
    }

    /* Random bytes. */
    junk = malloc (len > 65536 ? len : 65536);
    srand (4);
    for (size_t i = 0; i < (len > 65536 ? len : 65536); i++)
        junk[i] = (unsigned char) rand ();
    write_file (bad, junk, 65536);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, bad, src, NULL), 0);
    assert_int_equal (inv.n_problems, 1);
    assert_int_equal (count_problems (&inv, "not a registry hive"), 1);
    kikan_inventory_clear (&inv);

    /* A valid header over random bins: libhivex's strict check refuses. */
    memcpy (junk, b, 4096);
    write_file (bad, junk, len);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, bad, src, NULL), 0);
    assert_int_equal (inv.n_problems, 1);
    assert_int_equal (count_problems (&inv, "registry hive is corrupt"), 1);
    kikan_inventory_clear (&inv);

    /* Every byte of the bins flipped in turn (sampled): whatever happens,
     * no crash, and what comes out is bounded. */
    for (size_t off = 0x1000; off < len; off += 97) {
        memcpy (junk, b, len);
        junk[off] ^= 0xFF;
        write_file (bad, junk, len);
        assert_int_equal (kikan_inventory_add_hive_file (&inv, bad, src, NULL), 0);
        assert_true (inv.n_programs <= 6);
        assert_true (inv.n_systems <= 1);
        kikan_inventory_clear (&inv);
    }

    /* Missing file. */
    assert_int_equal (kikan_inventory_add_hive_file (&inv, tpath ("nope"), src, NULL), 0);
    assert_int_equal (count_problems (&inv, "could not be opened: No such file"), 1);
    kikan_inventory_clear (&inv);
    free (junk);
    free (b);
}

/* ---- dpkg ---- */

static const char dpkg_good[] =
    "Package: bash\n"
    "Essential: yes\n"
    "Status: install ok installed\n"
    "Priority: required\n"
    "Maintainer: Matthias Klose <doko@debian.org>\n"
    "Architecture: amd64\n"
    "Version: 5.2.15-2+b2\n"
    "Description: GNU Bourne Again SHell\n"
    " Bash is an sh-compatible command language interpreter.\n"
    " .\n"
    " More text.\n"
    "\n"
    "Package: removed-pkg\n"
    "Status: deinstall ok config-files\n"
    "Version: 1.0\n"
    "\n"
    "Package: gone\n"
    "Status: purge ok not-installed\n"
    "\n"
    "Package: held\n"
    "Status: hold ok installed\n"
    "Version: 2:1.2\n"
    "\n"
    "Package: half\n"
    "Status: install reinstreq unpacked\n"
    "Version: 3\n"
    "Maintainer: X <x@example.org>\n"
    "\n"
    "Package: zsh\n"
    "Status: install ok installed\n"
    "Version: 5.9-4+b2\n"
    "Maintainer: Debian Zsh Maintainers <pkg-zsh-devel@lists.alioth.debian.org>\n";

static void
test_dpkg_good (void **state)
{
    static const Want want[] = {
        { "bash", "5.2.15-2+b2", "Matthias Klose <doko@debian.org>", NULL, "bash", 0 },
        { "held", "2:1.2", NULL, NULL, "held", 0 },
        { "half", "3", "X <x@example.org>", NULL, "half", 0 },
        { "zsh", "5.9-4+b2", "Debian Zsh Maintainers <pkg-zsh-devel@lists.alioth.debian.org>",
          NULL, "zsh", 0 },
    };
    const char *src = "p3:/var/lib/dpkg/status";
    KikanInventory inv = { 0 };
    char *crlf = malloc (2 * sizeof dpkg_good);
    size_t n = 0;

    (void) state;
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, dpkg_good, strlen (dpkg_good), src,
                                                       1700000000), 0);
    assert_programs (&inv, want, 4, src, NULL);
    assert_int_equal (inv.n_problems, 0);
    assert_int_equal (inv.n_systems, 1);
    assert_int_equal (inv.systems[0].family, KIKAN_OS_LINUX);
    assert_int_equal (inv.systems[0].patched, 1700000000);
    assert_string_equal (inv.systems[0].patched_source, "dpkg status mtime");
    kikan_inventory_clear (&inv);

    /* The same with CRLF line ends. */
    for (const char *c = dpkg_good; *c; c++) {
        if (*c == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *c;
    }
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, crlf, n, src, 0), 0);
    assert_programs (&inv, want, 4, src, NULL);
    assert_int_equal (inv.n_problems, 0);
    assert_int_equal (inv.systems[0].patched, 0);
    assert_null (inv.systems[0].patched_source);
    kikan_inventory_clear (&inv);
    free (crlf);
}

static void
test_dpkg_bad (void **state)
{
    const char *src = "var/lib/dpkg/status";
    KikanInventory inv = { 0 };
    const char *cut = strstr (dpkg_good, "Package: zsh\nStatus: install ok installed\n");
    size_t cut_len = (size_t) (cut - dpkg_good) + strlen ("Package: zsh\nStatus: inst");
    static const char junk[] = "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
                               "\x7f" "ELF\x02\x01\x01\0\0\0garbage line\n"
                               "no colon here\n"
                               ": empty name\n"
                               "Package: b\nVersion: 2\n\n"
                               "Package: c\nStatus: install ok installed\nVersion: 3\n\n";
    char *huge;
    size_t huge_len;

    (void) state;
    /* Cut inside the last record. */
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, dpkg_good, cut_len, src, 0), 0);
    assert_int_equal (inv.n_programs, 3);
    assert_null (lookup_program (&inv, "zsh"));
    assert_int_equal (inv.n_problems, 1);
    assert_string_equal (inv.problems[0].what,
                         "dpkg status is truncated in the middle of a package record");
    kikan_inventory_clear (&inv);

    /* Binary junk and malformed lines: the sane records survive. */
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, junk, sizeof junk - 1, src, 0), 0);
    assert_int_equal (inv.n_programs, 2);
    assert_non_null (find_program (&inv, "a"));
    assert_non_null (find_program (&inv, "c"));
    assert_int_equal (count_problems (&inv, "binary data (NUL bytes)"), 1);
    assert_int_equal (count_problems (&inv, "3 malformed line(s)"), 1);
    assert_int_equal (count_problems (&inv, "1 record(s) without Package or Status"), 1);
    assert_int_equal (inv.n_problems, 3);
    kikan_inventory_clear (&inv);

    /* Empty; too large (not read); a 5000-byte package name is cut. */
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, "", 0, src, 0), 0);
    assert_int_equal (count_problems (&inv, "dpkg status is empty"), 1);
    assert_int_equal (inv.n_systems, 1);
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, dpkg_good,
                                                       (size_t) KIKAN_INV_MAX_TEXT + 1, src, 0),
                      0);
    assert_int_equal (count_problems (&inv, "too large"), 1);
    assert_int_equal (inv.n_programs, 0);
    assert_int_equal (inv.n_systems, 1);
    kikan_inventory_clear (&inv);

    huge_len = 5000 + 64;
    huge = malloc (huge_len + 1);
    memcpy (huge, "Package: ", 9);
    memset (huge + 9, 'x', 5000);
    snprintf (huge + 9 + 5000, huge_len - 9 - 5000 + 1, "\nStatus: install ok installed\n\n");
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, huge, strlen (huge), src, 0), 0);
    assert_int_equal (inv.n_programs, 1);
    assert_int_equal (strlen (inv.programs[0].name), KIKAN_INV_MAX_STRING);
    assert_int_equal (inv.programs[0].flags, KIKAN_PROGRAM_FLAG_TRUNCATED);
    assert_null (inv.programs[0].version);
    kikan_inventory_clear (&inv);
    free (huge);
}

static void
test_dpkg_many (void **state)
{
    KikanInventory inv = { 0 };
    size_t n = (size_t) KIKAN_INV_MAX_PROGRAMS + 5, len = 0;
    char *buf = malloc (n * 64);

    (void) state;
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf (buf + len, "Package: p%zu\nStatus: install ok installed\n\n", i);
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, buf, len, "var/lib/dpkg/status", 0),
                      0);
    assert_int_equal (inv.n_programs, KIKAN_INV_MAX_PROGRAMS);
    assert_int_equal (inv.n_problems, 1);
    assert_int_equal (count_problems (&inv, "more than 20000 installed packages"), 1);
    kikan_inventory_clear (&inv);
    free (buf);
}

/* ---- os-release ---- */

static void
test_os_release (void **state)
{
    static const char osr[] = "# comment\n"
                              "NAME=\"Debian GNU/Linux\"\n"
                              "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                              "VERSION_ID='12'\n"
                              "ID=debian\n"
                              "garbage line\n";
    static const char esc[] = "NAME=My\\ Linux\r\nVERSION_ID=\"1.0 \\\"beta\\\"\\\\\"\r\n";
    KikanInventory inv = { 0 };

    (void) state;
    assert_int_equal (kikan_inventory_add_os_release (&inv, osr, sizeof osr - 1,
                                                      "p3:/etc/os-release"), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_int_equal (inv.systems[0].family, KIKAN_OS_LINUX);
    assert_string_equal (inv.systems[0].product, "Debian GNU/Linux 12 (bookworm)");
    assert_string_equal (inv.systems[0].version, "12");
    assert_null (inv.systems[0].build);
    assert_int_equal (inv.n_problems, 0);
    kikan_inventory_clear (&inv);

    assert_int_equal (kikan_inventory_add_os_release (&inv, esc, sizeof esc - 1,
                                                      "usr/lib/os-release"), 0);
    assert_string_equal (inv.systems[0].product, "My Linux");
    assert_string_equal (inv.systems[0].version, "1.0 \"beta\"\\");
    assert_int_equal (inv.n_problems, 0);
    kikan_inventory_clear (&inv);

    /* Nothing usable, with a NUL. */
    assert_int_equal (kikan_inventory_add_os_release (&inv, "ID=x\0NAME=y\n", 12,
                                                      "etc/os-release"), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_null (inv.systems[0].product);
    assert_int_equal (count_problems (&inv, "NUL bytes"), 1);
    assert_int_equal (count_problems (&inv, "names no operating system"), 1);
    kikan_inventory_clear (&inv);
}

/* ---- Property lists ---- */

static const char app_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
    "<plist version=\"1.0\"><dict>\n"
    "<key>CFBundleName</key><string>Firefox</string>\n"
    "<key>CFBundleShortVersionString</key><string>124.0.1</string>\n"
    "<key>CFBundleVersion</key><string>12424.3.4</string>\n"
    "<key>CFBundleIdentifier</key><string>org.mozilla.firefox</string>\n"
    "</dict></plist>\n";

static void
test_plist (void **state)
{
    static const char nameless[] =
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
        "<key>CFBundleName</key><integer>5</integer>"
        "<key>CFBundleVersion</key><string>77</string>"
        "</dict></plist>";
    static const char sysv[] =
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
        "<key>ProductBuildVersion</key><string>23E214</string>"
        "<key>ProductName</key><string>macOS</string>"
        "<key>ProductVersion</key><string>14.4</string>"
        "</dict></plist>";
    static const char broken[] = "<?xml version=\"1.0\"?><plist><dict><key>CFBundleName</key>"
                                 "<string>X</str";
    static const char array[] = "<?xml version=\"1.0\"?><plist><array/></plist>";
    char *argv[] = { (char *) KIKAN_TEST_PYTHON, (char *) "-c",
                     (char *) "import plistlib,sys\n"
                              "sys.stdout.buffer.write(plistlib.dumps("
                              "{'CFBundleName':'Binary App',"
                              "'CFBundleShortVersionString':'2.5.1','CFBundleVersion':'251',"
                              "'CFBundleIdentifier':'org.example.binary','LSMin':10},"
                              "fmt=plistlib.FMT_BINARY))",
                     NULL };
    KikanInventory inv = { 0 };
    unsigned char *bin;
    size_t bin_len;
    const KikanProgram *p;

    (void) state;
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, app_xml,
                                                 sizeof app_xml - 1,
                                                 "p1:/Applications/Firefox.app/Contents/"
                                                 "Info.plist"), 0);
    run (argv, tpath ("bin.plist"));
    bin = read_file (tpath ("bin.plist"), &bin_len);
    assert_memory_equal (bin, "bplist00", 8);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, bin, bin_len,
                                                 "p1:/Applications/Bin.app/Contents/Info.plist"),
                      0);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, nameless,
                                                 sizeof nameless - 1,
                                                 "p1:/System/Applications/Chess.app/Contents/"
                                                 "Info.plist"), 0);
    assert_int_equal (inv.n_programs, 3);
    assert_int_equal (inv.n_problems, 0);
    assert_int_equal (inv.n_systems, 0);
    p = &inv.programs[0];
    assert_string_equal (p->name, "Firefox");
    assert_string_equal (p->version, "124.0.1");
    assert_string_equal (p->key, "org.mozilla.firefox");
    assert_null (p->publisher);
    assert_string_equal (p->source, "p1:/Applications/Firefox.app/Contents/Info.plist");
    p = &inv.programs[1];
    assert_string_equal (p->name, "Binary App");
    assert_string_equal (p->version, "2.5.1");
    assert_string_equal (p->key, "org.example.binary");
    p = &inv.programs[2];   /* non-string CFBundleName ignored: folder name */
    assert_string_equal (p->name, "Chess");
    assert_string_equal (p->version, "77");
    assert_null (p->key);

    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_SYSTEM_PLIST, sysv,
                                                 sizeof sysv - 1,
                                                 "p1:/System/Library/CoreServices/"
                                                 "SystemVersion.plist"), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_int_equal (inv.systems[0].family, KIKAN_OS_MACOS);
    assert_string_equal (inv.systems[0].product, "macOS");
    assert_string_equal (inv.systems[0].version, "14.4");
    assert_string_equal (inv.systems[0].build, "23E214");
    kikan_inventory_clear (&inv);

    /* Malformed: cut XML, cut binary, not a dict, junk, empty. */
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, broken,
                                                 sizeof broken - 1, "a"), 0);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, bin,
                                                 bin_len / 2, "b"), 0);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, array,
                                                 sizeof array - 1, "c"), 0);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_SYSTEM_PLIST,
                                                 "\x01\x02garbage\xff\xfe", 11, "d"), 0);
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, "", 0, "e"),
                      0);
    assert_int_equal (inv.n_programs + inv.n_systems, 0);
    assert_int_equal (inv.n_problems, 5);
    assert_int_equal (count_problems (&inv, "is not a valid property list"), 3);
    assert_int_equal (count_problems (&inv, "is not a dictionary"), 1);
    assert_string_equal (inv.problems[2].source, "c");
    assert_int_equal (kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_HIVE, app_xml,
                                                 sizeof app_xml - 1, "x"), KIKAN_EINVAL);
    kikan_inventory_clear (&inv);
    free (bin);
}

/* ---- Merging ---- */

static void
test_merge (void **state)
{
    KikanInventory inv = { 0 };
    const char *h = make_hive ("SOFTWARE", "--kind", "software", "--product", "Windows 10 Pro",
                               "--build", "19045", NULL);
    static const char osr[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=12\n";

    (void) state;
    /* Marker first, then the hive of the same volume: one system. */
    assert_int_equal (kikan_inventory_add_marker (&inv, KIKAN_OS_WINDOWS,
                                                  "p2:/Windows/explorer.exe"), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_null (inv.systems[0].product);
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h,
                                                     "p2:/Windows/System32/config/SOFTWARE",
                                                     NULL), 0);
    assert_int_equal (kikan_inventory_add_marker (&inv, KIKAN_OS_WINDOWS,
                                                  "p2:/Windows/System32/ntoskrnl.exe"), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_string_equal (inv.systems[0].product, "Windows 10 Pro");
    assert_string_equal (inv.systems[0].source, "p2:/Windows/System32/config/SOFTWARE");

    /* Another volume: a second system; a Linux one on p3 too. */
    assert_int_equal (kikan_inventory_add_hive_file (&inv, h,
                                                     "p4:/Windows/System32/config/SOFTWARE",
                                                     NULL), 0);
    assert_int_equal (inv.n_systems, 2);
    assert_int_equal (kikan_inventory_add_marker (&inv, KIKAN_OS_LINUX, "p3:/etc/passwd"), 0);
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, dpkg_good, strlen (dpkg_good),
                                                       "p3:/var/lib/dpkg/status", 1234), 0);
    assert_int_equal (kikan_inventory_add_os_release (&inv, osr, sizeof osr - 1,
                                                      "p3:/etc/os-release"), 0);
    assert_int_equal (inv.n_systems, 3);
    assert_int_equal (inv.systems[2].family, KIKAN_OS_LINUX);
    assert_string_equal (inv.systems[2].source, "p3:/etc/os-release");
    assert_string_equal (inv.systems[2].product, "Debian GNU/Linux 12 (bookworm)");
    assert_int_equal (inv.systems[2].patched, 1234);
    /* A Windows marker on the Linux volume is a different family. */
    assert_int_equal (kikan_inventory_add_marker (&inv, KIKAN_OS_WINDOWS,
                                                  "p3:/Windows/explorer.exe"), 0);
    assert_int_equal (inv.n_systems, 4);
    kikan_inventory_clear (&inv);

    /* Plain paths (a directory target) are one volume. */
    assert_int_equal (kikan_inventory_add_os_release (&inv, osr, sizeof osr - 1,
                                                      "etc/os-release"), 0);
    assert_int_equal (kikan_inventory_add_dpkg_status (&inv, dpkg_good, strlen (dpkg_good),
                                                       "var/lib/dpkg/status", 99), 0);
    assert_int_equal (inv.n_systems, 1);
    assert_string_equal (inv.systems[0].source, "etc/os-release");
    assert_int_equal (inv.systems[0].patched, 99);
    assert_int_equal (kikan_inventory_add_problem (&inv, "x", "y"), 0);
    assert_int_equal (inv.n_problems, 1);
    kikan_inventory_clear (&inv);
    assert_int_equal (kikan_inventory_add_marker (NULL, KIKAN_OS_LINUX, "x"), KIKAN_EINVAL);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_source_of_path),
        cmocka_unit_test_setup_teardown (test_real_software_partial, setup, teardown),
        cmocka_unit_test_setup_teardown (test_real_ntuser, setup, teardown),
        cmocka_unit_test_setup_teardown (test_built_software, setup, teardown),
        cmocka_unit_test_setup_teardown (test_built_win11_wu_defender_off, setup, teardown),
        cmocka_unit_test_setup_teardown (test_built_ntuser, setup, teardown),
        cmocka_unit_test_setup_teardown (test_hostile_strings, setup, teardown),
        cmocka_unit_test_setup_teardown (test_corrupt_hives, setup, teardown),
        cmocka_unit_test (test_dpkg_good),
        cmocka_unit_test (test_dpkg_bad),
        cmocka_unit_test (test_dpkg_many),
        cmocka_unit_test (test_os_release),
        cmocka_unit_test_setup_teardown (test_plist, setup, teardown),
        cmocka_unit_test_setup_teardown (test_merge, setup, teardown),
    };

    return cmocka_run_group_tests_name ("scanner-inventory", tests, NULL, NULL);
}
