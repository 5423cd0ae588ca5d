/* Unit tests of the IPC codec and framing (scanner/ipc.c, docs/ipc.md):
 * every message type round-trips; truncated, oversized, wrong-version,
 * wrong-type, trailing-garbage and out-of-range frames are KIKAN_EPROTO;
 * hostile strings come back byte for byte; descriptors travel only with
 * SCAN and are never leaked. */
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
    r->flags = KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE;
    r->seconds = 0.125;
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
        m->u.scan.name = strdup (hostile);
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
        break;
    case KIKAN_MSG_TARGET_END:
        m->u.target_end.status = KIKAN_TARGET_WORKER_FAILED;
        m->u.target_end.detail = strdup ("worker killed by signal 9 (SIGKILL)");
        m->u.target_end.sandbox = NULL;
        m->u.target_end.worker_pid = 77;
        m->u.target_end.files_seen = 5;
        m->u.target_end.seconds = 1.5;
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
    assert_memory_equal (out.u.scan.name, hostile, sizeof hostile);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
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
    assert_int_equal (b->flags, KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE);
    assert_true (b->seconds == 0.125);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
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
    assert_true (out.u.target_end.seconds == 1.5);
    kikan_msg_clear (&in);
    kikan_msg_clear (&out);
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
    /* Wire layout: "KIKN", version 1 little-endian. */
    assert_memory_equal (frame, "KIKN\x01\x00", 6);

    frame[0] = 'X';  /* magic */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[0] = 'K';
    frame[4] = 2;  /* version 2 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 0;  /* version 0 */
    assert_int_equal (kikan_ipc_decode (frame, len, &out), KIKAN_EPROTO);
    frame[4] = 1;
    frame[5] = 1;  /* version 257 */
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

    /* SCAN: a string that claims more bytes than the frame has. */
    make_msg (KIKAN_MSG_SCAN, &m);
    expect_patched_refused (&m, 9, big, 4);
    /* SCAN: a NUL inside the name would cut it short on the C side. */
    b = 0;
    expect_patched_refused (&m, 9 + 4 + 1, &b, 1);
    /* SCAN: the name may not be NULL. */
    expect_patched_refused (&m, 9, "\xff\xff\xff\xff", 4);
    b = 'Z';
    expect_patched_ok (&m, 9 + 4 + 1, &b, 1);
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

        expect_patched_refused (&m, pid_off, "\xff\xff\xff\xff", 4);
        memcpy (nanb, &nan_value, 8);
        expect_patched_refused (&m, pid_off + 4 + 8, nanb, 8);
        expect_patched_ok (&m, pid_off, "\0\0\0\0", 4);
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
    /* A type that does not exist. */
    kikan_msg_init (&m, (KikanMsgType) 0);
    assert_int_equal (kikan_ipc_encode (&m, &frame, &len), KIKAN_EINVAL);
    assert_string_equal (kikan_msg_type_name (0), "unknown");
    assert_string_equal (kikan_msg_type_name (KIKAN_MSG_FILE), "file");
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
        cmocka_unit_test (test_roundtrip_worker_started),
        cmocka_unit_test (test_roundtrip_progress),
        cmocka_unit_test (test_roundtrip_file),
        cmocka_unit_test (test_roundtrip_file_unread),
        cmocka_unit_test (test_roundtrip_worker_done),
        cmocka_unit_test (test_roundtrip_target_end),
        cmocka_unit_test (test_roundtrip_shutdown),
        cmocka_unit_test (test_truncated_every_type),
        cmocka_unit_test (test_trailing_garbage_every_type),
        cmocka_unit_test (test_bad_headers),
        cmocka_unit_test (test_bad_fields),
        cmocka_unit_test (test_encode_refuses),
        cmocka_unit_test (test_transport_fd_and_partial),
    };

    return cmocka_run_group_tests_name ("scanner-ipc", tests, NULL, NULL);
}
