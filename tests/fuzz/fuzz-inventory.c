/* Fuzz harness: the installed-software and OS posture parsers
 * (scanner/inventory.c, issue #4) on arbitrary bytes.
 *
 * Byte 0 (modulo 6) picks the parser, the rest is its input:
 *   0  registry hive as a SOFTWARE path     3  Info.plist (XML or binary)
 *   1  dpkg status                          4  SystemVersion.plist
 *   2  os-release                           5  registry hive as a user's NTUSER.DAT
 * The hive goes through a memfd opened by path (/proc/self/fd/N): libhivex
 * opens files only, and a memfd leaves no temp file behind whatever
 * happens to the process.
 *
 * Invariants beyond "no crash, no sanitizer report, no hang": the parser
 * returns 0 (KIKAN_ENOMEM is not expected under the fuzzer's limits);
 * every program has a non-empty name, every string is at most
 * KIKAN_INV_MAX_STRING bytes, sources are the one given, flags are known;
 * every problem says what; kikan_inventory_clear leaves it all zero. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kikan/inventory.h"

#define ALL_FLAGS                                                                         \
    (KIKAN_PROGRAM_FLAG_WOW64 | KIKAN_PROGRAM_FLAG_PER_USER                               \
     | KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT | KIKAN_PROGRAM_FLAG_UPDATE                    \
     | KIKAN_PROGRAM_FLAG_TRUNCATED)

static void
check_str (const char *s)
{
    if (s != NULL && strlen (s) > KIKAN_INV_MAX_STRING)
        abort ();
}

static void
check (const KikanInventory *inv, const char *source)
{
    for (size_t i = 0; i < inv->n_programs; i++) {
        const KikanProgram *p = &inv->programs[i];
        if (p->name == NULL || p->name[0] == '\0' || (p->flags & ~ALL_FLAGS) != 0)
            abort ();
        if (p->source == NULL || strcmp (p->source, source) != 0)
            abort ();
        check_str (p->name);
        check_str (p->version);
        check_str (p->publisher);
        check_str (p->install_date);
        check_str (p->key);
        check_str (p->user);
    }
    for (size_t i = 0; i < inv->n_systems; i++) {
        const KikanSystem *s = &inv->systems[i];
        if (s->source == NULL || s->family == KIKAN_OS_UNKNOWN)
            abort ();
        check_str (s->product);
        check_str (s->version);
        check_str (s->build);
        check_str (s->edition);
        check_str (s->av_version);
    }
    for (size_t i = 0; i < inv->n_problems; i++)
        if (inv->problems[i].what == NULL || inv->problems[i].what[0] == '\0'
            || inv->problems[i].source == NULL)
            abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char fd_path[64];
    KikanInventory inv = { 0 };
    const char *source = "p1:/unknown";
    int r = 0;

    if (size < 1)
        return 0;
    switch (data[0] % 6) {
    case 0:
    case 5:
        if (fd < 0) {
            if ((fd = memfd_create ("fuzz-inventory", MFD_CLOEXEC)) < 0)
                abort ();
            snprintf (fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
        }
        if (ftruncate (fd, 0) != 0
            || (size > 1 && pwrite (fd, data + 1, size - 1, 0) != (ssize_t) (size - 1)))
            abort ();
        if (data[0] % 6 == 0) {
            source = "p1:/Windows/System32/config/SOFTWARE";
            r = kikan_inventory_add_hive_file (&inv, fd_path, source, NULL);
        } else {
            source = "p1:/Users/fuzz/NTUSER.DAT";
            r = kikan_inventory_add_hive_file (&inv, fd_path, source, "fuzz");
        }
        break;
    case 1:
        source = "p1:/var/lib/dpkg/status";
        r = kikan_inventory_add_dpkg_status (&inv, data + 1, size - 1, source, 1700000000);
        break;
    case 2:
        source = "p1:/etc/os-release";
        r = kikan_inventory_add_os_release (&inv, data + 1, size - 1, source);
        break;
    case 3:
        source = "p1:/Applications/Fuzz.app/Contents/Info.plist";
        r = kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_APP_PLIST, data + 1, size - 1,
                                       source);
        break;
    case 4:
        source = "p1:/System/Library/CoreServices/SystemVersion.plist";
        r = kikan_inventory_add_plist (&inv, KIKAN_INV_SOURCE_SYSTEM_PLIST, data + 1, size - 1,
                                       source);
        break;
    }
    if (r != 0)
        abort ();
    check (&inv, source);
    kikan_inventory_clear (&inv);
    if (inv.programs != NULL || inv.systems != NULL || inv.problems != NULL
        || inv.n_programs != 0 || inv.n_systems != 0 || inv.n_problems != 0)
        abort ();
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth, then
 * once more under every other parser (byte 0). */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 6;
#endif
