/* Standalone driver for the fuzz harnesses in tests/fuzz/: the main() of
 * every fuzz-*-standalone executable, so that each build (and ctest -L
 * fuzz) runs every harness over its seeds without clang or libFuzzer.
 * The libFuzzer binaries (-DKIKAN_FUZZ=ON) do not link this file:
 * libFuzzer brings its own main().
 *
 *   fuzz-X-standalone PATH...
 *
 * Each PATH is a seed file, or a folder whose files (not sub-folders, not
 * dot-files) are the seeds.  Every seed goes through
 * LLVMFuzzerTestOneInput whole, then cut short at a few points (a
 * truncated copy is the commonest damage to a file or medium), then in any
 * variants the harness asks for.  Each seed sits in its own exact-size
 * allocation, as libFuzzer hands it over, so that ASan sees a read past
 * its end.  The program fails when a PATH does not exist or when no seed
 * ran at all (a moved seed folder must not pass silently); a finding
 * aborts it, as under libFuzzer.  It ends by printing
 * "fuzz-X: N inputs ran without a finding", N counting seed files; the
 * name is argv[0]'s basename without "-standalone".
 *
 * The hook: what differs between harnesses.  Each harness defines, under
 * #ifdef KIKAN_FUZZ_STANDALONE, both of (a harness that forgets one does
 * not link; they are not weak with a default, because gcc at -O2 folds a
 * weak const's default into this file and would ignore the harness's):
 *
 *   const unsigned kikan_fuzz_prefix_parts = 4;
 *       Besides each whole seed of n bytes, run its prefixes of
 *       n * k / parts bytes for k = 1 .. parts - 1 (4: quarters, 8: eighths;
 *       0 or 1: the whole seed only).
 *
 *   const unsigned kikan_fuzz_selectors = 6;
 *       For a harness whose byte 0, taken modulo this number, picks a mode
 *       (parser, file name, kind of volume): after the prefixes, each
 *       non-empty seed runs once more in every other mode, with byte 0 set
 *       to (own + k) % selectors for k = 1 .. selectors - 1.  0: byte 0 is
 *       left alone.
 *
 * and, only when it keeps something across inputs:
 *
 *   void kikan_fuzz_done (void);
 *       Called once after the last seed, to free it (so that LeakSanitizer
 *       sees a clean exit).  A weak default below does nothing; a weak
 *       function, unlike a weak const, is never inlined, and this object
 *       is linked directly, not from an archive, so the harness's wins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

extern const unsigned kikan_fuzz_prefix_parts;
extern const unsigned kikan_fuzz_selectors;
void kikan_fuzz_done (void);

__attribute__ ((weak)) void
kikan_fuzz_done (void)
{
}

/* Reads @path whole into an allocation of exactly its size (1 byte for an
 * empty file).  Returns 0, or -1 when it is not a readable regular file. */
static int
read_seed (const char *path, uint8_t **out, size_t *out_n)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t n, got = 0;
    int fd, r = -1;

    if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < 0)
        goto out;
    n = (size_t) st.st_size;
    if ((buf = malloc (n > 0 ? n : 1)) == NULL)
        goto out;
    while (got < n) {
        ssize_t k = read (fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            goto out;
        got += (size_t) k;
    }
    *out = buf;
    *out_n = n;
    buf = NULL;
    r = 0;
out:
    free (buf);
    close (fd);
    return r;
}

static int
run_seed (const char *path)
{
    uint8_t *buf;
    size_t n;

    if (read_seed (path, &buf, &n) != 0)
        return -1;
    LLVMFuzzerTestOneInput (buf, n);
    for (unsigned k = 1; k < kikan_fuzz_prefix_parts; k++)
        LLVMFuzzerTestOneInput (buf, n * k / kikan_fuzz_prefix_parts);
    if (n > 0) {
        uint8_t own = buf[0];

        for (unsigned k = 1; k < kikan_fuzz_selectors; k++) {
            buf[0] = (uint8_t) ((own + k) % kikan_fuzz_selectors);
            LLVMFuzzerTestOneInput (buf, n);
        }
    }
    free (buf);
    return 0;
}

/* Runs every file in @dir; returns how many ran. */
static int
run_folder (const char *dir)
{
    DIR *d = opendir (dir);
    struct dirent *de;
    int ran = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir (d)) != NULL) {
        char p[4096];

        if (de->d_name[0] == '.')
            continue;
        if ((size_t) snprintf (p, sizeof p, "%s/%s", dir, de->d_name) >= sizeof p)
            continue;
        if (run_seed (p) == 0)
            ran++;
    }
    closedir (d);
    return ran;
}

int
main (int argc, char **argv)
{
    char name[256];
    const char *base = argc > 0 && argv[0] != NULL ? argv[0] : "fuzz";
    const char *slash = strrchr (base, '/');
    size_t len;
    int ran = 0;

    base = slash != NULL ? slash + 1 : base;
    snprintf (name, sizeof name, "%s", base);
    len = strlen (name);
    if (len > strlen ("-standalone")
        && strcmp (name + len - strlen ("-standalone"), "-standalone") == 0)
        name[len - strlen ("-standalone")] = '\0';

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat (argv[i], &st) != 0) {
            fprintf (stderr, "%s: missing seed location %s\n", name, argv[i]);
            return 1;
        }
        if (S_ISDIR (st.st_mode))
            ran += run_folder (argv[i]);
        else if (run_seed (argv[i]) == 0)
            ran++;
        else
            fprintf (stderr, "%s: cannot read seed %s\n", name, argv[i]);
    }
    kikan_fuzz_done ();
    printf ("%s: %d inputs ran without a finding\n", name, ran);
    return ran > 0 ? 0 : 1;
}
