/* Unit tests of the IPC codec and framing (scanner/ipc.c, docs/ipc.md):
 * every message type round-trips; truncated, oversized, wrong-version,
 * wrong-type, trailing-garbage and out-of-range frames are KIKAN_EPROTO;
 * hostile strings come back byte for byte; descriptors travel only with
 * SCAN and are never leaked; passphrases are bounded, never NUL-cut, and
 * travel through locked memory. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/errors.h"
#include "ipc-private.h"

/* Control characters, an ANSI escape, a right-to-left override, invalid
 * UTF-8 (lone continuation, overlong, 0xff), DEL: all must survive. */
static const char hostile[] = "a\x01\x1b[31m\n\t\r\xe2\x80\xae"
                              "exe.txt\xff\xfe\x80\xc0\xaf\x7f/..";

/* Passphrases of the SCAN round trip: any bytes but NUL. */
static const char *const test_secrets[] = { "correct horse battery staple",
                                            "\xe6\x97\xa5\xe6\x9c\xac\n\x01pass" };

/* ---- helpers ---- */

static void
put_u32 (uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t) (v >> (8 * i));
}

static uint8_t *
encode_ok (const KikanMsg *m, size_t *len)
{
    uint8_t *frame = NULL;

    assert_int_equal (kikan_ipc_encode (m, &frame, len), 0);
    assert_non_null (frame);
    assert_true (*len >= KIKAN_IPC_HEADER_SIZE);
    return frame;
}

static void
roundtrip (const KikanMsg *in, KikanMsg *out)
{
    size_t len = 0;
    uint8_t *frame = encode_ok (in, &len);

    assert_int_equal (kikan_ipc_decode (frame, len, out), 0);
    assert_int_equal (out->type, in->type);
    assert_int_equal (out->fd, -1);
    free (frame);
}

static size_t
count_fds (void)
{
    DIR *d = opendir ("/proc/self/fd");
    size_t n = 0;

    assert_non_null (d);
    while (readdir (d) != NULL)
        n++;
    closedir (d);
    return n;
}

/* A report that exercises every field, with hostile strings. */
static void
make_report (KikanFileReport *r)
{
    memset (r, 0, sizeof *r);
    r->path = strdup (hostile);
    r->size = UINT64_MAX - 1;
    strcpy (r->sha256, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    r->result = KIKAN_RESULT_INFECTED;
    r->reason = KIKAN_REASON_NONE;
    r->reason_detail = NULL;
    r->link_target = strdup ("../\x1b[31m\xe2\x80\xae" "evil");  /* hostile, carried as bytes */
    assert_int_equal (kikan_file_report_add_signature (r, "Eicar-Test-Signature"), 0);
    assert_int_equal (kikan_file_report_add_signature (r, "YARA.\x1b\xff"), 0);
    r->n_members = 2;
    r->members = calloc (2, sizeof *r->members);
    assert_non_null (r->members);
    r->members[0].name = strdup ("");
    r->members[0].depth = 1;
    r->members[0].size = 68;
    r->members[0].extractor = strdup (KIKAN_EXTRACTOR_CLAMAV);
    r->members[0].result = KIKAN_RESULT_INFECTED;
    r->members[0].signatures = calloc (1, sizeof (char *));
    r->members[0].signatures[0] = strdup ("Eicar-Test-Signature");
    r->members[0].n_signatures = 1;
    r->members[1].name = strdup (hostile);
    r->members[1].depth = 7;
    r->members[1].size = 0;
    r->members[1].extractor = NULL;
    r->members[1].result = KIKAN_RESULT_NOT_INSPECTED;
    r->members[1].reason = KIKAN_REASON_ENCRYPTED;
    r->members[1].reason_detail = strdup ("Heuristics.Encrypted.Zip");
    /* Issue #4: a signed NSIS installer inside, with a hostile subject. */
    r->members[1].exec.type = KIKAN_FILETYPE_INSTALLER_NSIS;
    r->members[1].exec.signature = KIKAN_AUTHENTICODE_VALID;
    r->members[1].exec.name_flags = KIKAN_NAME_FLAG_BIDI | KIKAN_NAME_FLAG_DOUBLE_EXT;
    strcpy (r->members[1].exec.sha256,
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    strcpy (r->members[1].exec.signer_sha256,
            "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
    r->members[1].exec.signer_subject = strdup (hostile);
    r->exec.type = KIKAN_FILETYPE_PE_EXE;
    r->exec.signature = KIKAN_AUTHENTICODE_INVALID;
    r->exec.name_flags = KIKAN_NAME_FLAG_EXT_MISMATCH;
    strcpy (r->exec.sha256, r->sha256);
    r->flags = KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE | KIKAN_FILE_FLAG_PROGRAMS_CUT
               | KIKAN_FILE_FLAG_SYMLINK;
    r->seconds = 0.125;
}

static void
make_inventory (KikanInventory *inv)
{
    memset (inv, 0, sizeof *inv);
    inv->n_systems = 1;
    inv->systems = calloc (1, sizeof *inv->systems);
    inv->systems[0].family = KIKAN_OS_WINDOWS;
    inv->systems[0].source = strdup ("p2:/Windows/System32/config/SOFTWARE");
    inv->systems[0].product = strdup ("Windows 10 Pro");
    inv->systems[0].version = strdup ("22H2");
    inv->systems[0].build = strdup ("19045.4291");
    inv->systems[0].edition = NULL;
    inv->systems[0].installed = 1672912800;
    inv->systems[0].patched = -1;  /* any int64: the kiosk judges plausibility */
    inv->systems[0].patched_source = strdup ("CBS RollupFix package");
    inv->systems[0].av_product = strdup ("Microsoft Defender");
    inv->systems[0].av_version = strdup ("1.403.1.0");
    inv->systems[0].av_updated = INT64_MAX;
    inv->systems[0].av_disabled = 1;
    inv->n_programs = 2;
    inv->programs = calloc (2, sizeof *inv->programs);
    inv->programs[0].name = strdup ("TeamViewer");
    inv->programs[0].version = strdup ("15.48.4");
    inv->programs[0].publisher = strdup ("TeamViewer");
    inv->programs[0].flags = KIKAN_PROGRAM_FLAG_WOW64;
    inv->programs[1].name = strdup (hostile);
    inv->programs[1].user = strdup ("alice");
    inv->programs[1].source = strdup (hostile);
    inv->programs[1].flags = KIKAN_PROGRAM_FLAG_PER_USER | KIKAN_PROGRAM_FLAG_TRUNCATED;
    inv->n_problems = 1;
    inv->problems = calloc (1, sizeof *inv->problems);
    inv->problems[0].source = strdup ("p2:/Users/bob/NTUSER.DAT");
    inv->problems[0].what = strdup ("registry hive is corrupt");
}

/* One valid message of every type, for the table-driven tests. */
static void
make_msg (KikanMsgType type, KikanMsg *m)
{
    kikan_msg_init (m, type);
    switch (type) {
    case KIKAN_MSG_HELLO:
        m->u.hello.protocol = KIKAN_IPC_VERSION;
        m->u.hello.info.engine_version = strdup ("1.4.6");
        m->u.hello.info.signatures = 12;
        m->u.hello.info.n_dbs = 2;
        m->u.hello.info.dbs = calloc (2, sizeof (KikanDbInfo));
        m->u.hello.info.dbs[0].name = strdup ("test-6.cvd");
        m->u.hello.info.dbs[0].path = strdup ("/x/test-6.cvd");
        m->u.hello.info.dbs[0].is_signed = 1;
        m->u.hello.info.dbs[0].version = 6;
        m->u.hello.info.dbs[0].build_time = 1458000000;
        m->u.hello.info.dbs[0].signatures = 1;
        m->u.hello.info.dbs[1].name = strdup ("kikan-test.hdb");
        m->u.hello.info.dbs[1].path = NULL;
        m->u.hello.info.dbs[1].build_time = -5;
        m->u.hello.info.newest_signed_build_time = 1458000000;
        m->u.hello.info.load_seconds = 0.05;
        m->u.hello.info.limits.max_filesize = 100u << 20;
        m->u.hello.info.limits.max_scansize = 400u << 20;
        m->u.hello.info.limits.max_recursion = 16;
        m->u.hello.info.limits.max_files = 10000;
        m->u.hello.info.limits.max_scantime_ms = 120000;
        break;
    case KIKAN_MSG_ERROR:
        m->u.error.code = KIKAN_EDB;
        m->u.error.message = strdup ("daily.cvd: digital signature check failed; replace it");
        break;
    case KIKAN_MSG_SCAN:
        m->u.scan.params.jobs = 3;
        m->u.scan.params.timeout_s = 60;
        m->u.scan.params.null_sandbox = 1;
        m->u.scan.params.probe_only = 0;
        m->u.scan.params.as_file = 1;
        /* Borrowed (static): the message does not own what it encodes. */
        m->u.scan.params.secrets = test_secrets;
        m->u.scan.params.n_secrets = 2;
        m->u.scan.name = strdup (hostile);
        break;
    case KIKAN_MSG_VOLUME:
        m->u.volume.volume.index = 2;
        m->u.volume.volume.offset = 1048576;
        m->u.volume.volume.size = UINT64_MAX;
        m->u.volume.volume.scheme = strdup ("gpt");
        m->u.volume.volume.part_type = strdup ("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
        m->u.volume.volume.part_name = strdup (hostile);
        m->u.volume.volume.filesystem = NULL;
        m->u.volume.volume.fs_version = NULL;
        m->u.volume.volume.label = strdup (hostile);
        m->u.volume.volume.uuid = strdup ("");
        m->u.volume.volume.encryption = KIKAN_ENC_LUKS2;
        m->u.volume.volume.encryption_detail = strdup ("LUKS2, aes-xts-plain64");
        m->u.volume.volume.entropy = 7.998;
        m->u.volume.volume.unlocked = 0;
        m->u.volume.volume.readable = 0;
        m->u.volume.volume.os = NULL;
        m->u.volume.volume.os_evidence = NULL;
        m->u.volume.volume.problem = strdup ("encrypted (luks2): no passphrase given");
        m->u.volume.result = KIKAN_RESULT_NOT_INSPECTED;
        m->u.volume.reason = KIKAN_VOLUME_REASON_ENCRYPTED;
        break;
    case KIKAN_MSG_WORKER_STARTED:
        m->u.worker_started.pid = 4242;
        m->u.worker_started.sandbox = strdup ("seccomp+landlock");
        break;
    case KIKAN_MSG_PROGRESS:
        m->u.progress.files_done = 1;
        m->u.progress.bytes_done = 2;
        m->u.progress.files_total = 3;
        m->u.progress.bytes_total = UINT64_MAX;
        m->u.progress.counting_done = 1;
        break;
    case KIKAN_MSG_FILE:
        make_report (&m->u.file);
        break;
    case KIKAN_MSG_WORKER_DONE:
        m->u.worker_done.files_sent = 99;
        m->u.worker_done.volumes_sent = 3;
        m->u.worker_done.inventory_sent = 4;
        break;
    case KIKAN_MSG_TARGET_END:
        m->u.target_end.status = KIKAN_TARGET_WORKER_FAILED;
        m->u.target_end.detail = strdup ("worker killed by signal 9 (SIGKILL)");
        m->u.target_end.sandbox = NULL;
        m->u.target_end.worker_pid = 77;
        m->u.target_end.files_seen = 5;
        m->u.target_end.volumes_seen = 2;
        m->u.target_end.wrong_secret = 0;
        m->u.target_end.seconds = 1.5;
        break;
    case KIKAN_MSG_INVENTORY:
        make_inventory (&m->u.inventory);
        break;
    case KIKAN_MSG_SHUTDOWN:
    default:
        break;
    }
}

/* ---- round trips ---- */

static void
test_roundtrip_hello (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_HELLO, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.hello.protocol, KIKAN_IPC_VERSION);
    assert_string_equal (out.u.hello.info.engine_version, "1.4.6");
    assert_int_equal (out.u.hello.info.signatures, 12);
    assert_int_equal (out.u.hello.info.n_dbs, 2);
    assert_string_equal (out.u.hello.info.dbs[0].name, "test-6.cvd");
    assert_string_equal (out.u.hello.info.dbs[0].path, "/x/test-6.cvd");
    assert_int_equal (out.u.hello.info.dbs[0].is_signed, 1);
    assert_int_equal (out.u.hello.info.dbs[0].version, 6);
    assert_int_equal (out.u.hello.info.dbs[0].build_time, 1458000000);
    assert_int_equal (out.u.hello.info.dbs[0].signatures, 1);
    assert_string_equal (out.u.hello.info.dbs[1].name, "kikan-test.hdb");
    assert_null (out.u.hello.info.dbs[1].path);
    assert_int_equal (out.u.hello.info.dbs[1].is_signed, 0);
    assert_true (out.u.hello.info.dbs[1].build_time == -5);
    assert_int_equal (out.u.hello.info.newest_signed_build_time, 1458000000);
    assert_true (out.u.hello.info.load_seconds == 0.05);
    assert_int_equal (out.u.hello.info.limits.max_filesize, 100u << 20);
    assert_int_equal (out.u.hello.info.limits.max_scansize, 400u << 20);
    assert_int_equal (out.u.hello.info.limits.max_recursion, 16);
    assert_int_equal (out.u.hello.info.limits.max_files, 10000);
    assert_int_equal (out.u.hello.info.limits.max_scantime_ms, 120000);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_error (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_ERROR, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.error.code, KIKAN_EDB);
    assert_string_equal (out.u.error.message, in.u.error.message);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_scan (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_SCAN, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.scan.params.jobs, 3);
    assert_int_equal (out.u.scan.params.timeout_s, 60);
    assert_int_equal (out.u.scan.params.null_sandbox, 1);
    assert_int_equal (out.u.scan.params.probe_only, 0);
    assert_int_equal (out.u.scan.params.as_file, 1);
    assert_memory_equal (out.u.scan.name, hostile, sizeof hostile);
    /* The passphrases come back byte for byte, in the message's own locked
     * block, not in the caller's memory. */
    assert_int_equal (out.u.scan.params.n_secrets, 2);
    assert_non_null (out.u.scan.secrets_arena);
    assert_string_equal (out.u.scan.params.secrets[0], test_secrets[0]);
    assert_string_equal (out.u.scan.params.secrets[1], test_secrets[1]);
    assert_true (out.u.scan.params.secrets[0] != test_secrets[0]);
    assert_true ((const void *) out.u.scan.params.secrets == out.u.scan.secrets_arena);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
    assert_null (out.u.scan.secrets_arena);
    assert_int_equal (out.u.scan.params.n_secrets, 0);

    /* No passphrase, and a probe. */
    make_msg (KIKAN_MSG_SCAN, &in);
    in.u.scan.params.secrets = NULL;
    in.u.scan.params.n_secrets = 0;
    in.u.scan.params.probe_only = 1;
    roundtrip (&in, &out);
    assert_int_equal (out.u.scan.params.probe_only, 1);
    assert_int_equal (out.u.scan.params.n_secrets, 0);
    assert_null (out.u.scan.params.secrets);
    assert_null (out.u.scan.secrets_arena);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_volume (void **state)
{
    KikanMsg in, out;
    const KikanVolume *v;

    make_msg (KIKAN_MSG_VOLUME, &in);
    roundtrip (&in, &out);
    v = &out.u.volume.volume;
    assert_int_equal (v->index, 2);
    assert_int_equal (v->offset, 1048576);
    assert_true (v->size == UINT64_MAX);
    assert_string_equal (v->scheme, "gpt");
    assert_string_equal (v->part_type, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
    /* Labels and names from the medium come back byte for byte. */
    assert_memory_equal (v->part_name, hostile, sizeof hostile);
    assert_memory_equal (v->label, hostile, sizeof hostile);
    assert_null (v->filesystem);
    assert_null (v->fs_version);
    assert_non_null (v->uuid);
    assert_string_equal (v->uuid, "");
    assert_int_equal (v->encryption, KIKAN_ENC_LUKS2);
    assert_string_equal (v->encryption_detail, "LUKS2, aes-xts-plain64");
    assert_true (v->entropy == 7.998);
    assert_int_equal (v->unlocked, 0);
    assert_int_equal (v->readable, 0);
    assert_null (v->os);
    assert_null (v->os_evidence);
    assert_string_equal (v->problem, "encrypted (luks2): no passphrase given");
    assert_int_equal (out.u.volume.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (out.u.volume.reason, KIKAN_VOLUME_REASON_ENCRYPTED);
    kikan_msg_clear (&out);

    /* A readable volume: clean (its files decide), no reason; a negative
     * entropy (not measured) is carried as it is. */
    in.u.volume.result = KIKAN_RESULT_CLEAN;
    in.u.volume.reason = KIKAN_VOLUME_REASON_NONE;
    in.u.volume.volume.readable = 1;
    in.u.volume.volume.unlocked = 1;
    in.u.volume.volume.entropy = -1.0;
    roundtrip (&in, &out);
    assert_int_equal (out.u.volume.result, KIKAN_RESULT_CLEAN);
    assert_int_equal (out.u.volume.volume.readable, 1);
    assert_int_equal (out.u.volume.volume.unlocked, 1);
    assert_true (out.u.volume.volume.entropy == -1.0);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);

    assert_string_equal (kikan_volume_reason_to_string (KIKAN_VOLUME_REASON_ENCRYPTED),
                         "encrypted");
    assert_string_equal (kikan_volume_reason_to_string (KIKAN_VOLUME_REASON_NO_FILESYSTEM),
                         "no_filesystem");
    assert_string_equal (
        kikan_volume_reason_to_string (KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM),
        "unsupported_filesystem");
    assert_string_equal (kikan_volume_reason_to_string (KIKAN_VOLUME_REASON_READ_ERROR),
                         "read_error");
    assert_null (kikan_volume_reason_to_string (KIKAN_VOLUME_REASON_NONE));
}

static void
test_roundtrip_worker_started (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_WORKER_STARTED, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.worker_started.pid, 4242);
    assert_string_equal (out.u.worker_started.sandbox, "seccomp+landlock");
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_progress (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_PROGRESS, &in);
    roundtrip (&in, &out);
    assert_memory_equal (&out.u.progress, &in.u.progress, sizeof in.u.progress);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_file (void **state)
{
    KikanMsg in, out;
    const KikanFileReport *a, *b;

    make_msg (KIKAN_MSG_FILE, &in);
    roundtrip (&in, &out);
    a = &in.u.file;
    b = &out.u.file;
    /* The hostile path comes back byte for byte, including the bytes that
     * are not UTF-8 and the escape sequences. */
    assert_int_equal (strlen (b->path), strlen (hostile));
    assert_memory_equal (b->path, hostile, sizeof hostile);
    assert_true (b->size == a->size);
    assert_string_equal (b->sha256, a->sha256);
    assert_int_equal (b->result, KIKAN_RESULT_INFECTED);
    assert_int_equal (b->reason, KIKAN_REASON_NONE);
    assert_null (b->reason_detail);
    assert_string_equal (b->link_target, a->link_target);
    assert_int_equal (b->n_signatures, 2);
    assert_string_equal (b->signatures[0], "Eicar-Test-Signature");
    assert_string_equal (b->signatures[1], "YARA.\x1b\xff");
    assert_int_equal (b->n_members, 2);
    assert_string_equal (b->members[0].name, "");
    assert_int_equal (b->members[0].depth, 1);
    assert_int_equal (b->members[0].size, 68);
    assert_string_equal (b->members[0].extractor, "clamav");
    assert_int_equal (b->members[0].result, KIKAN_RESULT_INFECTED);
    assert_int_equal (b->members[0].n_signatures, 1);
    assert_string_equal (b->members[0].signatures[0], "Eicar-Test-Signature");
    assert_null (b->members[0].reason_detail);
    assert_memory_equal (b->members[1].name, hostile, sizeof hostile);
    assert_int_equal (b->members[1].depth, 7);
    assert_null (b->members[1].extractor);
    assert_int_equal (b->members[1].result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (b->members[1].reason, KIKAN_REASON_ENCRYPTED);
    assert_string_equal (b->members[1].reason_detail, "Heuristics.Encrypted.Zip");
    assert_int_equal (b->members[1].n_signatures, 0);
    assert_null (b->members[1].signatures);
    assert_int_equal (b->flags, KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE
                                    | KIKAN_FILE_FLAG_PROGRAMS_CUT | KIKAN_FILE_FLAG_SYMLINK);
    assert_true (b->seconds == 0.125);
    /* What kind of program the file and a member are (issue #4). */
    assert_int_equal (b->exec.type, KIKAN_FILETYPE_PE_EXE);
    assert_int_equal (b->exec.signature, KIKAN_AUTHENTICODE_INVALID);
    assert_int_equal (b->exec.name_flags, KIKAN_NAME_FLAG_EXT_MISMATCH);
    assert_string_equal (b->exec.sha256, a->sha256);
    assert_string_equal (b->exec.signer_sha256, "");
    assert_null (b->exec.signer_subject);
    assert_int_equal (b->members[0].exec.type, KIKAN_FILETYPE_OTHER);
    assert_string_equal (b->members[0].exec.sha256, "");
    assert_int_equal (b->members[1].exec.type, KIKAN_FILETYPE_INSTALLER_NSIS);
    assert_int_equal (b->members[1].exec.signature, KIKAN_AUTHENTICODE_VALID);
    assert_int_equal (b->members[1].exec.name_flags,
                      KIKAN_NAME_FLAG_BIDI | KIKAN_NAME_FLAG_DOUBLE_EXT);
    assert_string_equal (b->members[1].exec.sha256, a->members[1].exec.sha256);
    assert_string_equal (b->members[1].exec.signer_sha256, a->members[1].exec.signer_sha256);
    assert_memory_equal (b->members[1].exec.signer_subject, hostile, sizeof hostile);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void expect_patched_refused (KikanMsg *m, size_t off, const void *bytes, size_t n);
static void expect_patched_ok (KikanMsg *m, size_t off, const void *bytes, size_t n);

static void
test_roundtrip_inventory (void **state)
{
    KikanMsg in, out;
    const KikanInventory *b;

    make_msg (KIKAN_MSG_INVENTORY, &in);
    roundtrip (&in, &out);
    b = &out.u.inventory;
    assert_int_equal (b->n_systems, 1);
    assert_int_equal (b->systems[0].family, KIKAN_OS_WINDOWS);
    assert_string_equal (b->systems[0].source, "p2:/Windows/System32/config/SOFTWARE");
    assert_string_equal (b->systems[0].product, "Windows 10 Pro");
    assert_string_equal (b->systems[0].version, "22H2");
    assert_string_equal (b->systems[0].build, "19045.4291");
    assert_null (b->systems[0].edition);
    assert_true (b->systems[0].installed == 1672912800);
    assert_true (b->systems[0].patched == -1);
    assert_string_equal (b->systems[0].patched_source, "CBS RollupFix package");
    assert_string_equal (b->systems[0].av_product, "Microsoft Defender");
    assert_string_equal (b->systems[0].av_version, "1.403.1.0");
    assert_true (b->systems[0].av_updated == INT64_MAX);
    assert_int_equal (b->systems[0].av_disabled, 1);
    assert_int_equal (b->n_programs, 2);
    assert_string_equal (b->programs[0].name, "TeamViewer");
    assert_string_equal (b->programs[0].version, "15.48.4");
    assert_string_equal (b->programs[0].publisher, "TeamViewer");
    assert_null (b->programs[0].install_date);
    assert_int_equal (b->programs[0].flags, KIKAN_PROGRAM_FLAG_WOW64);
    assert_memory_equal (b->programs[1].name, hostile, sizeof hostile);
    assert_memory_equal (b->programs[1].source, hostile, sizeof hostile);
    assert_string_equal (b->programs[1].user, "alice");
    assert_int_equal (b->programs[1].flags,
                      KIKAN_PROGRAM_FLAG_PER_USER | KIKAN_PROGRAM_FLAG_TRUNCATED);
    assert_int_equal (b->n_problems, 1);
    assert_string_equal (b->problems[0].what, "registry hive is corrupt");
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_inventory_refuses (void **state)
{
    KikanMsg m;
    uint8_t *frame;
    size_t len;

    /* A program must have a name: the encoder refuses NULL. */
    make_msg (KIKAN_MSG_INVENTORY, &m);
    free (m.u.inventory.programs[0].name);
    m.u.inventory.programs[0].name = NULL;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    kikan_msg_clear (&m);

    /* An OS family past the last one, on the wire: refused by the decoder. */
    make_msg (KIKAN_MSG_INVENTORY, &m);
    {
        uint8_t b = 9;
        /* The family byte follows the 4-byte system count. */
        expect_patched_refused (&m, 4, &b, 1);
        b = KIKAN_OS_MACOS;
        expect_patched_ok (&m, 4, &b, 1);
    }
    kikan_msg_clear (&m);

    /* A count of systems the frame cannot hold. */
    make_msg (KIKAN_MSG_INVENTORY, &m);
    expect_patched_refused (&m, 0, "\xff\xff\xff\x0f", 4);
    kikan_msg_clear (&m);

    /* A file report whose program type or signature status is unknown. */
    make_msg (KIKAN_MSG_FILE, &m);
    m.u.file.exec.type = KIKAN_FILETYPE__COUNT;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.file.exec.type = KIKAN_FILETYPE_ELF;
    m.u.file.exec.signature = KIKAN_AUTHENTICODE_INVALID + 1;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.file.exec.signature = KIKAN_AUTHENTICODE_NONE;
    strcpy (m.u.file.exec.sha256, "NOT-HEX");
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    kikan_msg_clear (&m);
}

static void
test_roundtrip_file_unread (void **state)
{
    KikanMsg in, out;

    /* A file that could not be read: empty hash, reason with detail. */
    kikan_msg_init (&in, KIKAN_MSG_FILE);
    in.u.file.path = strdup ("x");
    in.u.file.result = KIKAN_RESULT_NOT_INSPECTED;
    in.u.file.reason = KIKAN_REASON_READ_ERROR;
    in.u.file.reason_detail = strdup ("");
    roundtrip (&in, &out);
    assert_string_equal (out.u.file.sha256, "");
    assert_int_equal (out.u.file.reason, KIKAN_REASON_READ_ERROR);
    /* "" and NULL are different values and stay so. */
    assert_non_null (out.u.file.reason_detail);
    assert_string_equal (out.u.file.reason_detail, "");
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_worker_done (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_WORKER_DONE, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.worker_done.files_sent, 99);
    assert_int_equal (out.u.worker_done.volumes_sent, 3);
    assert_int_equal (out.u.worker_done.inventory_sent, 4);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
}

static void
test_roundtrip_target_end (void **state)
{
    KikanMsg in, out;

    make_msg (KIKAN_MSG_TARGET_END, &in);
    roundtrip (&in, &out);
    assert_int_equal (out.u.target_end.status, KIKAN_TARGET_WORKER_FAILED);
    assert_string_equal (out.u.target_end.detail, "worker killed by signal 9 (SIGKILL)");
    assert_null (out.u.target_end.sandbox);
    assert_int_equal (out.u.target_end.worker_pid, 77);
    assert_int_equal (out.u.target_end.files_seen, 5);
    assert_int_equal (out.u.target_end.volumes_seen, 2);
    assert_int_equal (out.u.target_end.wrong_secret, 0);
    assert_true (out.u.target_end.seconds == 1.5);
    kikan_msg_clear (&out);

    /* A refused passphrase: only ever with status ERROR. */
    in.u.target_end.status = KIKAN_TARGET_ERROR;
    in.u.target_end.wrong_secret = 1;
    roundtrip (&in, &out);
    assert_int_equal (out.u.target_end.wrong_secret, 1);
    kikan_msg_clear (&out);
    in.u.target_end.status = KIKAN_TARGET_COMPLETE;
    {
        uint8_t *frame = (uint8_t *) "x";
        size_t len = 1;

        assert_int_equal (kikan_ipc_encode (&in, &frame, &len), KIKAN_EINVAL);
        assert_null (frame);
    }
    kikan_msg_clear (&in);
}

static void
test_roundtrip_shutdown (void **state)
{
    KikanMsg in, out;
    size_t len;
    uint8_t *frame;

    make_msg (KIKAN_MSG_SHUTDOWN, &in);
    frame = encode_ok (&in, &len);
    assert_int_equal (len, KIKAN_IPC_HEADER_SIZE);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), 0);
    assert_int_equal (out.type, KIKAN_MSG_SHUTDOWN);
    free (frame);
}

/* ---- malformed frames, for every type ---- */

static void
test_truncated_every_type (void **state)
{
    for (unsigned t = 1; t < KIKAN_MSG__COUNT; t++) {
        KikanMsg in, out;
        size_t len;
        uint8_t *frame;

        make_msg ((KikanMsgType) t, &in);
        frame = encode_ok (&in, &len);
        for (size_t cut = 0; cut < len; cut++) {
            /* As cut off on the wire ... */
            assert_int_equal (kikan_ipc_decode (frame, cut, &out), KIKAN_EPROTO);
            assert_int_equal (out.fd, -1);
            /* ... and with a header that agrees with the short payload, so
             * that the payload decoder itself must notice. */
            if (cut >= KIKAN_IPC_HEADER_SIZE) {
                uint8_t *copy = malloc (len);

                memcpy (copy, frame, len);
                put_u32 (copy + 8, (uint32_t) (cut - KIKAN_IPC_HEADER_SIZE));
                assert_int_equal (kikan_ipc_decode (copy, cut, &out), KIKAN_EPROTO);
                free (copy);
            }
        }
        free (frame);
        kikan_msg_clear (&in);
    }
}

static void
test_trailing_garbage_every_type (void **state)
{
    for (unsigned t = 1; t < KIKAN_MSG__COUNT; t++) {
        KikanMsg in, out;
        size_t len;
        uint8_t *frame, *longer;

        make_msg ((KikanMsgType) t, &in);
        frame = encode_ok (&in, &len);
        longer = malloc (len + 1);
        memcpy (longer, frame, len);
        longer[len] = 0;
        put_u32 (longer + 8, (uint32_t) (len + 1 - KIKAN_IPC_HEADER_SIZE));
        assert_int_equal (kikan_ipc_decode (longer, len + 1, &out), KIKAN_EPROTO);
        /* A frame longer than its header says is refused too. */
        assert_int_equal (kikan_ipc_decode (frame, len - 0, &out), 0);
        kikan_msg_clear (&out);
        put_u32 (longer + 8, (uint32_t) (len - KIKAN_IPC_HEADER_SIZE));
        assert_int_equal (kikan_ipc_decode (longer, len + 1, &out), KIKAN_EPROTO);
        free (longer);
        free (frame);
        kikan_msg_clear (&in);
    }
}

static void
test_bad_headers (void **state)
{
    KikanMsg in, out;
    size_t len;
    uint8_t *frame;
    uint16_t type;
    uint32_t plen;

    make_msg (KIKAN_MSG_PROGRESS, &in);
    frame = encode_ok (&in, &len);
    assert_int_equal (kikan_ipc_parse_header (frame, &type, &plen), 0);
    assert_int_equal (type, KIKAN_MSG_PROGRESS);
    assert_int_equal (plen, len - KIKAN_IPC_HEADER_SIZE);
    /* Wire layout: "KIKN", version 4 little-endian (4: issue #8 link targets). */
    assert_int_equal (KIKAN_IPC_VERSION, 4);
    assert_memory_equal (frame, "KIKN\x04\x00", 6);

    frame[0] = 'X';  /* magic */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[0] = 'K';
    frame[4] = 1;  /* version 1: the protocol before media */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 2;  /* version 2: the protocol before program facts (issue #4) */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 3;  /* version 3: the protocol before link targets (issue #8) */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 5;  /* version 5 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 0;  /* version 0 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 4;
    frame[5] = 1;  /* version 260 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[5] = 0;
    frame[6] = 0;  /* type 0 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[6] = KIKAN_MSG__COUNT;  /* first unknown type */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[6] = 0xff;
    frame[7] = 0xff;
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    /* A known type with the payload of another: wrong type. */
    frame[6] = KIKAN_MSG_WORKER_DONE;
    frame[7] = 0;
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[6] = KIKAN_MSG_PROGRESS;
    assert_int_equal (kikan_ipc_decode (frame, len, &out), 0);
    kikan_msg_clear (&out);

    /* Oversized: refused from the header alone. */
    put_u32 (frame + 8, KIKAN_IPC_MAX_PAYLOAD + 1);
    assert_int_equal (kikan_ipc_parse_header (frame, &type, &plen), KIKAN_EPROTO);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    put_u32 (frame + 8, UINT32_MAX);
    assert_int_equal (kikan_ipc_parse_header (frame, &type, &plen), KIKAN_EPROTO);
    assert_int_equal (kikan_ipc_decode (NULL, 0, &out), KIKAN_EPROTO);
    free (frame);
    kikan_msg_clear (&in);
}

/* Encodes @m, lets @patch damage the payload at @off, and expects
 * KIKAN_EPROTO. */
static void
expect_patched_refused (KikanMsg *m, size_t off, const void *bytes, size_t n)
{
    KikanMsg out;
    size_t len;
    uint8_t *frame = encode_ok (m, &len);

    assert_true (KIKAN_IPC_HEADER_SIZE + off + n <= len);
    memcpy (frame + KIKAN_IPC_HEADER_SIZE + off, bytes, n);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    free (frame);
}

/* The positive control: the same offset with an acceptable value decodes,
 * so a refusal above is about the field, not a misplaced patch. */
static void
expect_patched_ok (KikanMsg *m, size_t off, const void *bytes, size_t n)
{
    KikanMsg out;
    size_t len;
    uint8_t *frame = encode_ok (m, &len);

    memcpy (frame + KIKAN_IPC_HEADER_SIZE + off, bytes, n);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), 0);
    kikan_msg_clear (&out);
    free (frame);
}

static void
test_bad_fields (void **state)
{
    KikanMsg m;
    uint8_t b;
    uint8_t big[4] = { 0xff, 0xff, 0xff, 0x3f };
    double nan_value = NAN;
    uint8_t nanb[8];

    /* PROGRESS: counting_done is a boolean, 2 is not. */
    make_msg (KIKAN_MSG_PROGRESS, &m);
    b = 2;
    expect_patched_refused (&m, 32, &b, 1);
    b = 0;
    expect_patched_ok (&m, 32, &b, 1);

    /* SCAN without passphrases: the name follows jobs, timeout, three
     * booleans and an empty list. */
    make_msg (KIKAN_MSG_SCAN, &m);
    m.u.scan.params.secrets = NULL;
    m.u.scan.params.n_secrets = 0;
    {
        const size_t name_off = 4 + 4 + 1 + 1 + 1 + 4;

        /* A string that claims more bytes than the frame has. */
        expect_patched_refused (&m, name_off, big, 4);
        /* A NUL inside the name would cut it short on the C side. */
        b = 0;
        expect_patched_refused (&m, name_off + 4 + 1, &b, 1);
        /* The name may not be NULL. */
        expect_patched_refused (&m, name_off, "\xff\xff\xff\xff", 4);
        b = 'Z';
        expect_patched_ok (&m, name_off + 4 + 1, &b, 1);
        /* probe_only and as_file are booleans. */
        b = 2;
        expect_patched_refused (&m, 9, &b, 1);
        expect_patched_refused (&m, 10, &b, 1);
        b = 1;
        expect_patched_ok (&m, 9, &b, 1);
        expect_patched_ok (&m, 10, &b, 1);
    }
    kikan_msg_clear (&m);

    /* WORKER_STARTED: pid must be positive. */
    make_msg (KIKAN_MSG_WORKER_STARTED, &m);
    expect_patched_refused (&m, 0, "\0\0\0\0", 4);
    expect_patched_refused (&m, 0, "\xff\xff\xff\xff", 4);
    expect_patched_ok (&m, 0, "\x01\0\0\0", 4);
    kikan_msg_clear (&m);

    /* ERROR: a non-negative code would read as success. */
    make_msg (KIKAN_MSG_ERROR, &m);
    expect_patched_refused (&m, 0, "\0\0\0\0", 4);
    expect_patched_ok (&m, 0, "\xff\xff\xff\xff", 4);
    kikan_msg_clear (&m);

    /* TARGET_END: status out of range, negative pid, NaN seconds. */
    make_msg (KIKAN_MSG_TARGET_END, &m);
    b = 4;
    expect_patched_refused (&m, 0, &b, 1);
    b = KIKAN_TARGET_ERROR;
    expect_patched_ok (&m, 0, &b, 1);
    {
        size_t detail_len = strlen (m.u.target_end.detail);
        size_t pid_off = 1 + 4 + detail_len + 4;
        size_t wrong_off = pid_off + 4 + 8 + 4;

        expect_patched_refused (&m, pid_off, "\xff\xff\xff\xff", 4);
        memcpy (nanb, &nan_value, 8);
        expect_patched_refused (&m, wrong_off + 1, nanb, 8);
        expect_patched_ok (&m, pid_off, "\0\0\0\0", 4);
        /* wrong_secret: a boolean, and only with status ERROR (here the
         * status is WORKER_FAILED). */
        b = 2;
        expect_patched_refused (&m, wrong_off, &b, 1);
        b = 1;
        expect_patched_refused (&m, wrong_off, &b, 1);
        m.u.target_end.status = KIKAN_TARGET_ERROR;
        expect_patched_ok (&m, wrong_off, &b, 1);
    }
    kikan_msg_clear (&m);

    /* FILE: result 3, reason past the last, sha256 not hex, a signature
     * count no frame could hold. */
    make_msg (KIKAN_MSG_FILE, &m);
    {
        size_t path_len = strlen (m.u.file.path);
        size_t sha_off = 4 + path_len + 8;
        size_t res_off = sha_off + 4 + 64;
        size_t nsig_off = res_off + 2 + 4;

        expect_patched_refused (&m, sha_off + 4, "G", 1);
        expect_patched_refused (&m, sha_off + 4, "A", 1);  /* upper case */
        expect_patched_refused (&m, sha_off, "\x03\0\0\0", 4);  /* wrong length */
        b = 3;
        expect_patched_refused (&m, res_off, &b, 1);
        b = KIKAN_REASON__COUNT;
        expect_patched_refused (&m, res_off + 1, &b, 1);
        expect_patched_refused (&m, nsig_off, "\0\0\0\x40", 4);
        expect_patched_ok (&m, sha_off + 4, "b", 1);
        b = KIKAN_REASON__COUNT - 1;
        expect_patched_ok (&m, res_off + 1, &b, 1);
        b = KIKAN_RESULT_NOT_INSPECTED;
        expect_patched_ok (&m, res_off, &b, 1);
    }
    kikan_msg_clear (&m);

    /* VOLUME: index 0, encryption past the last, a verdict that does not
     * hold together, NaN entropy, a boolean that is not one. */
    make_msg (KIKAN_MSG_VOLUME, &m);
    {
        const KikanVolume *v = &m.u.volume.volume;
        size_t enc_off = 4 + 8 + 8 + (4 + strlen (v->scheme)) + (4 + strlen (v->part_type))
                         + (4 + strlen (v->part_name)) + 4 + 4 + (4 + strlen (v->label))
                         + (4 + strlen (v->uuid));
        size_t ent_off = enc_off + 1 + 4 + strlen (v->encryption_detail);
        size_t verdict_off = ent_off + 8 + 1 + 1 + 4 + 4 + 4 + strlen (v->problem);

        expect_patched_refused (&m, 0, "\0\0\0\0", 4);
        expect_patched_ok (&m, 0, "\x07\0\0\0", 4);
        b = KIKAN_ENC__COUNT;
        expect_patched_refused (&m, enc_off, &b, 1);
        b = KIKAN_ENC_UNKNOWN;
        expect_patched_ok (&m, enc_off, &b, 1);
        memcpy (nanb, &nan_value, 8);
        expect_patched_refused (&m, ent_off, nanb, 8);
        b = 2;
        expect_patched_refused (&m, ent_off + 8, &b, 1);  /* unlocked */
        expect_patched_refused (&m, ent_off + 9, &b, 1);  /* readable */
        /* result, reason: clean with a reason, not inspected without one,
         * infected (a volume never is), a reason past the last. */
        expect_patched_refused (&m, verdict_off, "\0\x01", 2);
        expect_patched_refused (&m, verdict_off, "\x02\0", 2);
        expect_patched_refused (&m, verdict_off, "\x01\0", 2);
        expect_patched_refused (&m, verdict_off, "\x01\x01", 2);
        b = KIKAN_VOLUME_REASON__COUNT;
        expect_patched_refused (&m, verdict_off + 1, &b, 1);
        expect_patched_ok (&m, verdict_off, "\0\0", 2);
        expect_patched_ok (&m, verdict_off, "\x02\x04", 2);
    }
    kikan_msg_clear (&m);

    /* HELLO: more databases than the bytes left could describe. */
    make_msg (KIKAN_MSG_HELLO, &m);
    expect_patched_refused (&m, 2 + 4 + 5 + 4, "\xff\xff\xff\x0f", 4);
    expect_patched_ok (&m, 2 + 4, "9", 1);
    kikan_msg_clear (&m);
}

static void
test_encode_refuses (void **state)
{
    KikanMsg m;
    uint8_t *frame = (uint8_t *) "x";
    size_t len = 1;
    char *huge;

    /* Larger than a frame may be: refused, nothing returned. */
    kikan_msg_init (&m, KIKAN_MSG_FILE);
    huge = malloc (KIKAN_IPC_MAX_PAYLOAD + 16);
    memset (huge, 'a', KIKAN_IPC_MAX_PAYLOAD + 15);
    huge[KIKAN_IPC_MAX_PAYLOAD + 15] = '\0';
    m.u.file.path = huge;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EPROTO);
    assert_null (frame);
    assert_int_equal (len, 0);
    /* A path the protocol requires. */
    m.u.file.path = NULL;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    free (huge);
    /* Enum values out of range are never put on the wire. */
    m.u.file.path = (char *) "p";
    m.u.file.result = (KikanResult) 7;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    /* A VOLUME with index 0, or a verdict that does not hold together. */
    kikan_msg_init (&m, KIKAN_MSG_VOLUME);
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.volume.volume.index = 1;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), 0);
    free (frame);
    m.u.volume.result = KIKAN_RESULT_INFECTED;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.volume.result = KIKAN_RESULT_NOT_INSPECTED;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.volume.reason = KIKAN_VOLUME_REASON_READ_ERROR;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), 0);
    free (frame);
    m.u.volume.volume.encryption = KIKAN_ENC__COUNT;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    /* A type that does not exist. */
    kikan_msg_init (&m, (KikanMsgType) 0);
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    assert_string_equal (kikan_msg_type_name (0), "unknown");
    assert_string_equal (kikan_msg_type_name (KIKAN_MSG_FILE), "file");
    assert_string_equal (kikan_msg_type_name (KIKAN_MSG_VOLUME), "volume");
}

/* A SCAN frame with @n secrets given as (length, bytes) pairs, built by
 * hand: the encoder refuses what the decoder must refuse too. */
static uint8_t *
scan_frame_with (const uint32_t *lens, const char *const *bytes, uint32_t n, size_t *len_out)
{
    uint8_t *f = calloc (1, 1 << 16);
    size_t off = KIKAN_IPC_HEADER_SIZE;

    assert_non_null (f);
    memcpy (f, "KIKN\x04\x00\x03\x00", 8);
    off += 4 + 4 + 1 + 1 + 1;  /* jobs, timeout, three booleans: all 0 */
    put_u32 (f + off, n);
    off += 4;
    for (uint32_t i = 0; i < n; i++) {
        put_u32 (f + off, lens[i]);
        off += 4;
        memcpy (f + off, bytes[i], lens[i]);
        off += lens[i];
    }
    put_u32 (f + off, 1);  /* name "n" */
    f[off + 4] = 'n';
    off += 5;
    put_u32 (f + 8, (uint32_t) (off - KIKAN_IPC_HEADER_SIZE));
    *len_out = off;
    return f;
}

static void
test_secrets_bounds (void **state)
{
    KikanMsg m, out;
    char *long_secret = malloc (KIKAN_SCAN_MAX_SECRET_LEN + 2);
    const char *many[KIKAN_SCAN_MAX_SECRETS + 1];
    const char *one[1];
    uint32_t lens[KIKAN_SCAN_MAX_SECRETS + 1];
    uint8_t *frame = NULL;
    size_t len = 0;

    assert_non_null (long_secret);
    memset (long_secret, 'k', KIKAN_SCAN_MAX_SECRET_LEN + 1);
    long_secret[KIKAN_SCAN_MAX_SECRET_LEN + 1] = '\0';
    for (int i = 0; i <= KIKAN_SCAN_MAX_SECRETS; i++) {
        many[i] = "secret";
        lens[i] = 6;
    }

    /* The encoder refuses an empty, an over-long, a NULL passphrase, and
     * one too many. */
    kikan_msg_init (&m, KIKAN_MSG_SCAN);
    m.u.scan.name = (char *) "n";
    m.u.scan.params.secrets = one;
    m.u.scan.params.n_secrets = 1;
    one[0] = "";
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    one[0] = long_secret;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    long_secret[KIKAN_SCAN_MAX_SECRET_LEN] = '\0';  /* exactly the longest allowed */
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), 0);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), 0);
    assert_int_equal (strlen (out.u.scan.params.secrets[0]), KIKAN_SCAN_MAX_SECRET_LEN);
    kikan_msg_clear (&out);
    free (frame);
    one[0] = NULL;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.scan.params.secrets = NULL;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.scan.params.secrets = many;
    m.u.scan.params.n_secrets = KIKAN_SCAN_MAX_SECRETS + 1;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    m.u.scan.params.n_secrets = KIKAN_SCAN_MAX_SECRETS;
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), 0);
    free (frame);

    /* The decoder refuses the same, built by hand, and a NUL inside. */
    frame = scan_frame_with (lens, many, 2, &len);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), 0);
    assert_int_equal (out.u.scan.params.n_secrets, 2);
    kikan_msg_clear (&out);
    free (frame);
    frame = scan_frame_with (lens, many, KIKAN_SCAN_MAX_SECRETS + 1, &len);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    assert_null (out.u.scan.secrets_arena);
    free (frame);
    lens[0] = 0;
    frame = scan_frame_with (lens, many, 1, &len);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    free (frame);
    lens[0] = KIKAN_SCAN_MAX_SECRET_LEN + 1;
    many[0] = long_secret;
    memset (long_secret, 'k', KIKAN_SCAN_MAX_SECRET_LEN + 1);
    frame = scan_frame_with (lens, many, 1, &len);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    free (frame);
    lens[0] = 7;
    many[0] = "sec\0ret";
    frame = scan_frame_with (lens, many, 1, &len);
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    free (frame);
    free (long_secret);
}

static void
test_secret_memory (void **state)
{
    unsigned char *p = kikan_secret_alloc (100);

    /* Zero-filled, writable, and freed (wiped) without complaint; the
     * locked size is a whole page. */
    assert_non_null (p);
    for (int i = 0; i < 100; i++)
        assert_int_equal (p[i], 0);
    memset (p, 'x', 100);
    kikan_secret_relock (p);
    kikan_secret_free (p);
    kikan_secret_free (NULL);
    kikan_secret_relock (NULL);
    assert_null (kikan_secret_alloc (SIZE_MAX));
}

/* ---- transport ---- */

static void
test_transport_fd_and_partial (void **state)
{
    int sv[2];
    KikanIpcReader rd;
    KikanMsg in, out;
    struct stat a, b;
    size_t len, before;
    uint8_t *frame;
    int fd;

    before = count_fds ();
    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    fd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true (fd >= 0);

    /* SCAN with a descriptor. */
    make_msg (KIKAN_MSG_SCAN, &in);
    assert_int_equal (kikan_ipc_send (sv[0], &in, fd), 0);
    kikan_ipc_reader_init (&rd, 1);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), 0);
    assert_int_equal (out.type, KIKAN_MSG_SCAN);
    assert_true (out.fd >= 0);
    assert_int_equal (fstat (out.fd, &a), 0);
    assert_int_equal (fstat (fd, &b), 0);
    assert_true (a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    assert_true (fcntl (out.fd, F_GETFD) & FD_CLOEXEC);
    /* The passphrases came through the locked frame into the locked block. */
    assert_int_equal (out.u.scan.params.n_secrets, 2);
    assert_string_equal (out.u.scan.params.secrets[1], test_secrets[1]);
    kikan_msg_clear (&out);  /* closes the received descriptor */

    /* A descriptor riding on any other message is refused and closed. */
    kikan_msg_clear (&in);
    make_msg (KIKAN_MSG_FILE, &in);
    assert_int_equal (kikan_ipc_send (sv[0], &in, fd), 0);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), KIKAN_EPROTO);
    kikan_ipc_reader_clear (&rd);

    /* A reader that accepts none refuses even a SCAN's. */
    kikan_msg_clear (&in);
    make_msg (KIKAN_MSG_SCAN, &in);
    kikan_ipc_reader_init (&rd, 0);
    assert_int_equal (kikan_ipc_send (sv[0], &in, fd), 0);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), KIKAN_EPROTO);
    kikan_ipc_reader_clear (&rd);
    /* The stream is out of step after a refusal: start a fresh one. */
    close (sv[0]);
    close (sv[1]);
    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);

    /* Partial writes: one byte at a time, the reader waits for the rest. */
    kikan_msg_clear (&in);
    make_msg (KIKAN_MSG_FILE, &in);
    frame = encode_ok (&in, &len);
    kikan_ipc_reader_init (&rd, 0);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal (write (sv[0], frame + i, 1), 1);
        assert_int_equal (kikan_ipc_reader_read (&rd, sv[1]), i + 1 == len ? 1 : 0);
    }
    assert_int_equal (kikan_ipc_reader_take (&rd, &out, NULL, NULL), 0);
    assert_memory_equal (out.u.file.path, hostile, sizeof hostile);
    kikan_msg_clear (&out);
    /* Nothing pending: 0, not an error. */
    assert_int_equal (kikan_ipc_reader_read (&rd, sv[1]), 0);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 10, &out), KIKAN_ETIMEOUT);

    /* Two frames back to back are read as two. */
    assert_int_equal (kikan_ipc_send_frame (sv[0], frame, len, -1), 0);
    assert_int_equal (kikan_ipc_send_frame (sv[0], frame, len, -1), 0);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), 0);
    kikan_msg_clear (&out);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), 0);
    kikan_msg_clear (&out);

    /* An oversized header is refused before anything is allocated. */
    put_u32 (frame + 8, UINT32_MAX);
    assert_int_equal (write (sv[0], frame, KIKAN_IPC_HEADER_SIZE), KIKAN_IPC_HEADER_SIZE);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), KIKAN_EPROTO);
    assert_null (rd.frame);
    kikan_ipc_reader_clear (&rd);

    /* EOF in the middle of a frame is a protocol error, at a boundary a
     * plain end. */
    kikan_ipc_reader_init (&rd, 0);
    put_u32 (frame + 8, (uint32_t) (len - KIKAN_IPC_HEADER_SIZE));
    assert_int_equal (write (sv[0], frame, len - 3), (ssize_t) len - 3);
    close (sv[0]);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), KIKAN_EPROTO);
    assert_true (rd.eof);
    kikan_ipc_reader_clear (&rd);
    kikan_ipc_reader_init (&rd, 0);
    assert_int_equal (kikan_ipc_recv (sv[1], &rd, 1000, &out), KIKAN_EIO);
    assert_true (rd.eof);
    kikan_ipc_reader_clear (&rd);

    /* Sending to a closed peer is an error code, not SIGPIPE. */
    assert_int_equal (kikan_ipc_send_frame (sv[1], frame, len, -1), KIKAN_EIO);

    free (frame);
    kikan_msg_clear (&in);
    close (sv[1]);
    close (fd);
    /* Every descriptor received along the way was closed. */
    assert_int_equal (count_fds (), before);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_roundtrip_hello),
        cmocka_unit_test (test_roundtrip_error),
        cmocka_unit_test (test_roundtrip_scan),
        cmocka_unit_test (test_roundtrip_volume),
        cmocka_unit_test (test_roundtrip_worker_started),
        cmocka_unit_test (test_roundtrip_progress),
        cmocka_unit_test (test_roundtrip_file),
        cmocka_unit_test (test_roundtrip_file_unread),
        cmocka_unit_test (test_roundtrip_inventory),
        cmocka_unit_test (test_inventory_refuses),
        cmocka_unit_test (test_roundtrip_worker_done),
        cmocka_unit_test (test_roundtrip_target_end),
        cmocka_unit_test (test_roundtrip_shutdown),
        cmocka_unit_test (test_truncated_every_type),
        cmocka_unit_test (test_trailing_garbage_every_type),
        cmocka_unit_test (test_bad_headers),
        cmocka_unit_test (test_bad_fields),
        cmocka_unit_test (test_encode_refuses),
        cmocka_unit_test (test_secrets_bounds),
        cmocka_unit_test (test_secret_memory),
        cmocka_unit_test (test_transport_fd_and_partial),
    };

    return cmocka_run_group_tests_name ("scanner-ipc", tests, NULL, NULL);
}
