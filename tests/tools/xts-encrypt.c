/* xts-encrypt: the test side of LUKS (tests/fixtures/make-media.py).
 *
 * The test makes a LUKS1/LUKS2 header with `cryptsetup luksFormat
 * --volume-key-file KEY` (no device-mapper here), then needs the payload
 * area to hold a real file system encrypted with that volume key, exactly
 * as dm-crypt would have written it.  Python has no AES, so this tool does
 * that one step with OpenSSL:
 *
 *   xts-encrypt [--decrypt] --key-file KEY --sector-size N [--iv-offset S]
 *               IN OUT OFFSET
 *
 * reads IN (its length must be a multiple of N) and writes it, encrypted
 * with aes-xts-plain64 and the 64-byte KEY (AES-256-XTS; key1 = the first
 * 32 bytes encrypts the data, key2 = the last 32 the tweak, the order of
 * both dm-crypt and OpenSSL; a 32-byte KEY is AES-128-XTS), into OUT at
 * byte OFFSET without truncating OUT (OFFSET is the payload offset from
 * `cryptsetup luksDump`).
 *
 * IV (plain64): the 16-byte tweak is a little-endian 64-bit sector number
 * followed by 8 zero bytes.  The sector number counts 512-byte units from
 * the start of the payload (plus --iv-offset, LUKS2 "iv_tweak", normally
 * 0), WHATEVER THE ENCRYPTION SECTOR SIZE: with 4096-byte sectors (the
 * LUKS2 default that cryptsetup 2.4+ picks for image files) the tweaks of
 * consecutive sectors are 0, 8, 16, ...  That is dm-crypt without the
 * `iv_large_sectors` option, which cryptsetup sets only for plain mode on
 * request and for BitLocker, never for LUKS1/LUKS2 (cryptsetup
 * lib/setup.c and lib/crypto_backend/crypto_storage.c: iv_shift =
 * log2(sector_size) - 9).  --iv-large-sectors counts in N-byte units
 * instead (BitLocker's convention), for completeness.
 *
 * --decrypt does the reverse (reads OFFSET.. of IN, writes OUT from 0),
 * to check a round trip by hand.  Checked against cryptsetup's own data:
 * --decrypt of luks1_aes-xts-plain64-sha256.img (../shared/testdata/
 * encrypted/luks1-images.tar.xz, payload at 4096 * 512, volume key from
 * `cryptsetup luksDump --dump-volume-key --key-file keyfile1`) gives a
 * valid FAT12 file system (UUID DEAD-BABE).
 *
 * A test tool, not part of Kikan: key material is not locked or wiped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define KEY_MAX 64

static void
die (const char *what)
{
    fprintf (stderr, "xts-encrypt: %s\n", what);
    exit (2);
}

static void
die_errno (const char *what, const char *path)
{
    fprintf (stderr, "xts-encrypt: %s %s: %s\n", what, path, strerror (errno));
    exit (2);
}

static int
parse_u64 (const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull (s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static void
read_full (int fd, uint8_t *buf, size_t n, uint64_t off, const char *path)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = pread (fd, buf + done, n - done, (off_t) (off + done));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die_errno ("cannot read", path);
        if (r == 0) {
            fprintf (stderr, "xts-encrypt: %s ends before %" PRIu64 " bytes\n", path,
                     off + n);
            exit (2);
        }
        done += (size_t) r;
    }
}

static void
write_full (int fd, const uint8_t *buf, size_t n, uint64_t off, const char *path)
{
    size_t done = 0;

    while (done < n) {
        ssize_t w = pwrite (fd, buf + done, n - done, (off_t) (off + done));

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die_errno ("cannot write", path);
        done += (size_t) w;
    }
}

static void
usage (void)
{
    fprintf (stderr, "usage: xts-encrypt [--decrypt] [--iv-large-sectors] --key-file KEY(64|32 bytes) "
                     "--sector-size 512|1024|2048|4096 [--iv-offset S] IN OUT OFFSET\n");
    exit (2);
}

int
main (int argc, char **argv)
{
    const char *key_path = NULL;
    uint64_t sector = 0, iv_offset = 0, offset = 0;
    int decrypt = 0, large = 0;
    uint8_t key[KEY_MAX + 1];
    int i;

    for (i = 1; i < argc && strncmp (argv[i], "--", 2) == 0; i++) {
        if (strcmp (argv[i], "--decrypt") == 0)
            decrypt = 1;
        else if (strcmp (argv[i], "--iv-large-sectors") == 0)
            large = 1;
        else if (strcmp (argv[i], "--key-file") == 0 && i + 1 < argc)
            key_path = argv[++i];
        else if (strcmp (argv[i], "--sector-size") == 0 && i + 1 < argc) {
            if (parse_u64 (argv[++i], &sector) != 0)
                usage ();
        } else if (strcmp (argv[i], "--iv-offset") == 0 && i + 1 < argc) {
            if (parse_u64 (argv[++i], &iv_offset) != 0)
                usage ();
        } else
            usage ();
    }
    if (argc - i != 3 || key_path == NULL || parse_u64 (argv[i + 2], &offset) != 0)
        usage ();
    if (sector != 512 && sector != 1024 && sector != 2048 && sector != 4096)
        die ("--sector-size must be 512, 1024, 2048 or 4096");
    if (offset % 512 != 0)
        die ("OFFSET must be a multiple of 512");

    const char *in_path = argv[i], *out_path = argv[i + 1];
    int kfd = open (key_path, O_RDONLY | O_CLOEXEC);
    if (kfd < 0)
        die_errno ("cannot open", key_path);
    ssize_t kn = read (kfd, key, sizeof key);
    close (kfd);
    if (kn != 64 && kn != 32)
        die ("the key file must hold exactly 64 bytes (AES-256-XTS) or 32 (AES-128-XTS)");
    if (memcmp (key, key + kn / 2, (size_t) kn / 2) == 0)
        die ("the two halves of an XTS key must differ");
    const EVP_CIPHER *cipher = kn == 64 ? EVP_aes_256_xts () : EVP_aes_128_xts ();

    int in = open (in_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        die_errno ("cannot open", in_path);
    int out = open (out_path, O_WRONLY | O_CLOEXEC | (decrypt ? O_CREAT | O_TRUNC : 0), 0644);
    if (out < 0)
        die_errno ("cannot open", out_path);

    struct stat st;
    if (fstat (in, &st) != 0)
        die_errno ("cannot stat", in_path);
    uint64_t in_off = decrypt ? offset : 0;
    uint64_t out_off = decrypt ? 0 : offset;
    if ((uint64_t) st.st_size < in_off)
        die ("IN is shorter than OFFSET");
    uint64_t length = (uint64_t) st.st_size - in_off;
    if (length % sector != 0) {
        fprintf (stderr, "xts-encrypt: %" PRIu64 " bytes to %s are not a whole number of "
                         "%" PRIu64 "-byte sectors\n", length, decrypt ? "decrypt" : "encrypt",
                 sector);
        return 2;
    }

    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
    uint8_t *buf = malloc (sector), *res = malloc (sector);
    if (ctx == NULL || buf == NULL || res == NULL)
        die ("out of memory");

    for (uint64_t pos = 0; pos < length; pos += sector) {
        uint8_t iv[16] = { 0 };
        uint64_t n = iv_offset + (large ? pos / sector : pos / 512);
        int outl = 0, finl = 0;

        for (int b = 0; b < 8; b++)
            iv[b] = (uint8_t) (n >> (8 * b));
        read_full (in, buf, sector, in_off + pos, in_path);
        if (EVP_CipherInit_ex (ctx, cipher, NULL, key, iv, decrypt ? 0 : 1) != 1 ||
            EVP_CipherUpdate (ctx, res, &outl, buf, (int) sector) != 1 ||
            EVP_CipherFinal_ex (ctx, res + outl, &finl) != 1 ||
            (uint64_t) (outl + finl) != sector)
            die ("OpenSSL AES-256-XTS failed");
        write_full (out, res, sector, out_off + pos, out_path);
    }
    if (fsync (out) != 0)
        die_errno ("cannot sync", out_path);
    close (out);
    close (in);
    EVP_CIPHER_CTX_free (ctx);
    free (buf);
    free (res);
    return 0;
}
