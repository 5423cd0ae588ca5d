/* Fuzz harness for the IPC decoder (scanner/ipc.c, docs/ipc.md).
 *
 * Every frame the daemon reads from a worker, and every frame the client
 * reads from the daemon, goes through kikan_ipc_decode(); a subverted worker
 * controls those bytes completely.  For each input the harness checks:
 *
 *  - decoding never crashes, reads out of bounds or leaks (ASan/UBSan);
 *  - whatever decodes re-encodes to exactly the same bytes (the codec is
 *    canonical, so nothing is silently dropped, truncated or normalised);
 *  - the stream reader, fed the same bytes in small pieces through a real
 *    socketpair, ends in a frame, a clean refusal, or EOF: never a hang.
 *
 *   fuzz-ipc             libFuzzer binary (-DKIKAN_FUZZ=ON, clang)
 *   fuzz-ipc-standalone  same harness with a main() that runs files or
 *                        folders given on the command line, and writes the
 *                        seed corpus with --write-seeds DIR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "ipc-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Feeds @data to a reader in pieces of @chunk bytes through a socketpair. */
static void
fuzz_reader (const uint8_t *data, size_t size, size_t chunk)
{
    KikanIpcReader rd;
    int sv[2];
    size_t off = 0;

    if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0)
        return;
    kikan_ipc_reader_init (&rd, 0);
    for (size_t idle = 0;;) {
        int rc;

        if (off < size) {
            size_t n = size - off < chunk ? size - off : chunk;
            ssize_t w = write (sv[0], data + off, n);

            if (w > 0)
                off += (size_t) w;
        } else if (sv[0] >= 0) {
            close (sv[0]);
            sv[0] = -1;
        }
        rc = kikan_ipc_reader_read (&rd, sv[1]);
        if (rc == 1) {
            KikanMsg m;

            (void) kikan_ipc_reader_take (&rd, &m, NULL, NULL);
            kikan_msg_clear (&m);
            continue;
        }
        if (rc < 0)
            break;  /* refused, or EOF */
        /* Once everything is written and the writer closed, each read
         * consumes bytes or ends: more idle rounds than bytes is a hang. */
        if (sv[0] < 0 && ++idle > size + 16)
            abort ();
    }
    kikan_ipc_reader_clear (&rd);
    if (sv[0] >= 0)
        close (sv[0]);
    close (sv[1]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanMsg m;
    uint8_t *again = NULL;
    size_t again_len = 0;

    if (kikan_ipc_decode (data, size, &m) == 0) {
        if (kikan_ipc_encode (&m, &again, &again_len) != 0 || again_len != size
            || memcmp (again, data, size) != 0) {
            fprintf (stderr, "fuzz-ipc: a decoded %s message does not re-encode to its input\n",
                     kikan_msg_type_name (m.type));
            abort ();
        }
        free (again);
        kikan_msg_clear (&m);
    }
    /* The stream path costs a socketpair: only for inputs of sensible size. */
    if (size <= 64 * 1024) {
        fuzz_reader (data, size, 1);
        fuzz_reader (data, size, 7);
        fuzz_reader (data, size, size ? size : 1);
    }
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* ---- the seed corpus: one valid frame of every type, plus damaged ones */

static const char hostile[] = "r\x01\x1b[0m\xe2\x80\xae" "gpj.exe\xff\xc0\xaf\n";

static int
write_file (const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf (path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen (path, "wb")) == NULL)
        return -1;
    if (n > 0 && fwrite (p, 1, n, f) != n) {
        fclose (f);
        return -1;
    }
    return fclose (f) == 0 ? 0 : -1;
}

static int
write_seed (const char *dir, const char *name, const KikanMsg *m)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    char cut[256];
    int r;

    if (kikan_ipc_encode (m, &frame, &len) != 0)
        return -1;
    r = write_file (dir, name, frame, len);
    /* The same frame cut in half, with a version from the future, and with
     * the version before media (1). */
    snprintf (cut, sizeof cut, "%s.truncated", name);
    r |= write_file (dir, cut, frame, len / 2);
    frame[4] = KIKAN_IPC_VERSION + 1;
    snprintf (cut, sizeof cut, "%s.version-next", name);
    r |= write_file (dir, cut, frame, len);
    frame[4] = KIKAN_IPC_VERSION - 1;
    snprintf (cut, sizeof cut, "%s.version-previous", name);
    r |= write_file (dir, cut, frame, len);
    free (frame);
    return r;
}

static int
write_seeds (const char *dir)
{
    KikanMsg m;
    KikanDbInfo dbs[1];
    KikanMember member;
    char *sigs[2] = { (char *) "Eicar-Test-Signature", (char *) "YARA.rule" };
    const char *const secrets[2] = { "fuzz-passphrase", "\xe3\x81\x82\x01x" };
    int r = 0;

    if (mkdir (dir, 0755) != 0 && errno != EEXIST)
        return -1;

    kikan_msg_init (&m, KIKAN_MSG_HELLO);
    memset (dbs, 0, sizeof dbs);
    dbs[0].name = (char *) "test-6.cvd";
    dbs[0].path = (char *) "/usr/share/kikan/test-6.cvd";
    dbs[0].is_signed = 1;
    dbs[0].version = 6;
    dbs[0].build_time = 1458000000;
    dbs[0].signatures = 1;
    m.u.hello.protocol = KIKAN_IPC_VERSION;
    m.u.hello.info.engine_version = (char *) "1.4.6";
    m.u.hello.info.signatures = 1;
    m.u.hello.info.dbs = dbs;
    m.u.hello.info.n_dbs = 1;
    m.u.hello.info.load_seconds = 0.5;
    m.u.hello.info.limits.max_recursion = 16;
    r |= write_seed (dir, "hello", &m);

    kikan_msg_init (&m, KIKAN_MSG_ERROR);
    m.u.error.code = KIKAN_EDB;
    m.u.error.message = (char *) "daily.cvd failed verification";
    r |= write_seed (dir, "error", &m);

    kikan_msg_init (&m, KIKAN_MSG_SCAN);
    m.u.scan.params.jobs = 2;
    m.u.scan.params.timeout_s = 60;
    m.u.scan.name = (char *) hostile;
    r |= write_seed (dir, "scan", &m);

    /* A probe, and a scan of a disk image with two passphrases. */
    kikan_msg_init (&m, KIKAN_MSG_SCAN);
    m.u.scan.params.probe_only = 1;
    m.u.scan.name = (char *) "/dev/sdb";
    r |= write_seed (dir, "scan-probe", &m);
    kikan_msg_init (&m, KIKAN_MSG_SCAN);
    m.u.scan.params.as_file = 0;
    m.u.scan.params.secrets = secrets;
    m.u.scan.params.n_secrets = 2;
    m.u.scan.name = (char *) "usb.img";
    r |= write_seed (dir, "scan-secrets", &m);

    kikan_msg_init (&m, KIKAN_MSG_WORKER_STARTED);
    m.u.worker_started.pid = 1234;
    m.u.worker_started.sandbox = (char *) "seccomp+landlock";
    r |= write_seed (dir, "worker-started", &m);

    kikan_msg_init (&m, KIKAN_MSG_PROGRESS);
    m.u.progress.files_done = 3;
    m.u.progress.files_total = 9;
    m.u.progress.bytes_total = 4096;
    m.u.progress.counting_done = 1;
    r |= write_seed (dir, "progress", &m);

    kikan_msg_init (&m, KIKAN_MSG_FILE);
    memset (&member, 0, sizeof member);
    member.name = (char *) hostile;
    member.depth = 2;
    member.size = 68;
    member.extractor = (char *) "libarchive";
    member.result = KIKAN_RESULT_INFECTED;
    member.signatures = sigs;
    member.n_signatures = 1;
    m.u.file.path = (char *) hostile;
    m.u.file.size = 468;
    strcpy (m.u.file.sha256, "5e1f0000000000000000000000000000000000000000000000000000000000aa");
    m.u.file.result = KIKAN_RESULT_INFECTED;
    m.u.file.signatures = sigs;
    m.u.file.n_signatures = 2;
    m.u.file.members = &member;
    m.u.file.n_members = 1;
    m.u.file.seconds = 0.41;
    r |= write_seed (dir, "file", &m);

    kikan_msg_init (&m, KIKAN_MSG_FILE);
    m.u.file.path = (char *) "link";
    m.u.file.result = KIKAN_RESULT_NOT_INSPECTED;
    m.u.file.reason = KIKAN_REASON_SYMLINK;
    m.u.file.reason_detail = (char *) "a symbolic link: never followed";
    r |= write_seed (dir, "file-symlink", &m);

    kikan_msg_init (&m, KIKAN_MSG_WORKER_DONE);
    m.u.worker_done.files_sent = 9;
    m.u.worker_done.volumes_sent = 2;
    m.u.worker_done.inventory_sent = 1;
    r |= write_seed (dir, "worker-done", &m);

    /* Issue #4: a program file with its signer, and an inventory chunk. */
    kikan_msg_init (&m, KIKAN_MSG_FILE);
    m.u.file.path = (char *) "p1:/tools/setup.exe";
    m.u.file.size = 4096;
    strcpy (m.u.file.sha256, "5e1f0000000000000000000000000000000000000000000000000000000000aa");
    m.u.file.exec.type = KIKAN_FILETYPE_INSTALLER_NSIS;
    m.u.file.exec.signature = KIKAN_AUTHENTICODE_VALID;
    m.u.file.exec.name_flags = KIKAN_NAME_FLAG_DOUBLE_EXT;
    strcpy (m.u.file.exec.sha256, m.u.file.sha256);
    strcpy (m.u.file.exec.signer_sha256, m.u.file.sha256);
    m.u.file.exec.signer_subject = (char *) hostile;
    r |= write_seed (dir, "file-program", &m);
    {
        KikanSystem sys;
        KikanProgram prog[2];
        KikanInvProblem prob;

        memset (&sys, 0, sizeof sys);
        memset (prog, 0, sizeof prog);
        sys.family = KIKAN_OS_WINDOWS;
        sys.source = (char *) "p1:/Windows/System32/config/SOFTWARE";
        sys.product = (char *) "Windows 10 Pro";
        sys.build = (char *) "19045.4291";
        sys.patched = 1763000000;
        sys.av_product = (char *) "Microsoft Defender";
        sys.av_updated = 1763500000;
        prog[0].name = (char *) "TeamViewer";
        prog[0].version = (char *) "15.48.4";
        prog[0].flags = KIKAN_PROGRAM_FLAG_WOW64;
        prog[1].name = (char *) hostile;
        prog[1].user = (char *) "alice";
        prob.source = (char *) "p1:/Users/bob/NTUSER.DAT";
        prob.what = (char *) "registry hive is corrupt";
        kikan_msg_init (&m, KIKAN_MSG_INVENTORY);
        m.u.inventory.systems = &sys;
        m.u.inventory.n_systems = 1;
        m.u.inventory.programs = prog;
        m.u.inventory.n_programs = 2;
        m.u.inventory.problems = &prob;
        m.u.inventory.n_problems = 1;
        r |= write_seed (dir, "inventory", &m);
    }

    /* A readable FAT volume with a hostile label, and a locked LUKS2 one. */
    kikan_msg_init (&m, KIKAN_MSG_VOLUME);
    m.u.volume.volume.index = 1;
    m.u.volume.volume.offset = 1048576;
    m.u.volume.volume.size = 33554432;
    m.u.volume.volume.scheme = (char *) "mbr";
    m.u.volume.volume.part_type = (char *) "0x0c";
    m.u.volume.volume.filesystem = (char *) "vfat";
    m.u.volume.volume.fs_version = (char *) "FAT32";
    m.u.volume.volume.label = (char *) hostile;
    m.u.volume.volume.uuid = (char *) "1A2B-3C4D";
    m.u.volume.volume.entropy = 3.1;
    m.u.volume.volume.readable = 1;
    m.u.volume.volume.os = (char *) "windows";
    m.u.volume.volume.os_evidence = (char *) "Windows/System32/config/SOFTWARE";
    r |= write_seed (dir, "volume", &m);
    kikan_msg_init (&m, KIKAN_MSG_VOLUME);
    m.u.volume.volume.index = 2;
    m.u.volume.volume.scheme = (char *) "gpt";
    m.u.volume.volume.part_name = (char *) hostile;
    m.u.volume.volume.encryption = KIKAN_ENC_LUKS2;
    m.u.volume.volume.encryption_detail = (char *) "LUKS2";
    m.u.volume.volume.entropy = -1;
    m.u.volume.volume.problem = (char *) "encrypted (luks2): no passphrase given";
    m.u.volume.result = KIKAN_RESULT_NOT_INSPECTED;
    m.u.volume.reason = KIKAN_VOLUME_REASON_ENCRYPTED;
    r |= write_seed (dir, "volume-locked", &m);

    kikan_msg_init (&m, KIKAN_MSG_TARGET_END);
    m.u.target_end.status = KIKAN_TARGET_WORKER_FAILED;
    m.u.target_end.detail = (char *) "worker killed by signal 9 (SIGKILL)";
    m.u.target_end.sandbox = (char *) "seccomp";
    m.u.target_end.worker_pid = 1234;
    m.u.target_end.files_seen = 3;
    m.u.target_end.volumes_seen = 1;
    m.u.target_end.seconds = 2.5;
    r |= write_seed (dir, "target-end", &m);
    kikan_msg_init (&m, KIKAN_MSG_TARGET_END);
    m.u.target_end.status = KIKAN_TARGET_ERROR;
    m.u.target_end.detail = (char *) "the passphrase does not unlock volume p1 (luks2)";
    m.u.target_end.sandbox = (char *) "seccomp+landlock";
    m.u.target_end.worker_pid = 1234;
    m.u.target_end.volumes_seen = 1;
    m.u.target_end.wrong_secret = 1;
    r |= write_seed (dir, "target-end-wrong-secret", &m);

    kikan_msg_init (&m, KIKAN_MSG_SHUTDOWN);
    r |= write_seed (dir, "shutdown", &m);

    /* Only a header, claiming the largest payload there is, and one more. */
    {
        uint8_t h[KIKAN_IPC_HEADER_SIZE] = { 'K', 'I', 'K', 'N', KIKAN_IPC_VERSION, 0,
                                             KIKAN_MSG_FILE, 0, 0x00, 0x00, 0x10, 0x00 };

        r |= write_file (dir, "header-max", h, sizeof h);
        h[8] = 1;
        r |= write_file (dir, "header-oversized", h, sizeof h);
        r |= write_file (dir, "empty", h, 0);
    }
    return r == 0 ? 0 : -1;
}

static int
run_file (const char *path)
{
    FILE *f = fopen (path, "rb");
    uint8_t *buf = NULL;
    long n;
    int r = -1;

    if (f == NULL)
        return -1;
    if (fseek (f, 0, SEEK_END) != 0 || (n = ftell (f)) < 0 || fseek (f, 0, SEEK_SET) != 0)
        goto out;
    if ((buf = malloc ((size_t) n + 1)) == NULL)
        goto out;
    if (n > 0 && fread (buf, 1, (size_t) n, f) != (size_t) n)
        goto out;
    LLVMFuzzerTestOneInput (buf, (size_t) n);
    /* Every prefix: truncation is the commonest damage on a stream. */
    for (long k = 0; k < n && n <= 4096; k++)
        LLVMFuzzerTestOneInput (buf, (size_t) k);
    r = 0;
out:
    free (buf);
    fclose (f);
    return r;
}

int
main (int argc, char **argv)
{
    int ran = 0;

    if (argc == 3 && strcmp (argv[1], "--write-seeds") == 0) {
        if (write_seeds (argv[2]) != 0) {
            fprintf (stderr, "fuzz-ipc: cannot write seeds into %s: %s\n", argv[2],
                     strerror (errno));
            return 1;
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat (argv[i], &st) != 0) {
            fprintf (stderr, "fuzz-ipc: missing seed location %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR (st.st_mode)) {
            DIR *d = opendir (argv[i]);
            struct dirent *de;

            while (d != NULL && (de = readdir (d)) != NULL) {
                char p[4096];

                if (de->d_name[0] == '.')
                    continue;
                snprintf (p, sizeof p, "%s/%s", argv[i], de->d_name);
                if (run_file (p) != 0) {
                    fprintf (stderr, "fuzz-ipc: cannot read %s\n", p);
                    closedir (d);
                    return 1;
                }
                ran++;
            }
            if (d != NULL)
                closedir (d);
        } else if (run_file (argv[i]) == 0)
            ran++;
        else {
            fprintf (stderr, "fuzz-ipc: cannot read %s\n", argv[i]);
            return 1;
        }
    }
    if (ran == 0) {
        fprintf (stderr, "fuzz-ipc: no input ran\n");
        return 1;
    }
    printf ("fuzz-ipc: %d inputs (and their prefixes) ran without a finding\n", ran);
    return 0;
}
#endif
