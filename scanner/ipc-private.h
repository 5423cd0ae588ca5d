/* Kikan: the wire protocol between the client, kikan-scand and its workers.
 *
 * Every message is one frame: a fixed 12-byte header followed by a payload
 * of at most KIKAN_IPC_MAX_PAYLOAD bytes (docs/ipc.md has the layout).  The
 * codec is plain C and total: a decoder never reads past its buffer, and
 * anything it does not fully understand is KIKAN_EPROTO.  Frames travel on
 * AF_UNIX SOCK_STREAM socketpairs; a descriptor (SCAN only) rides as
 * SCM_RIGHTS on the sendmsg() that carries the frame's first byte.
 *
 * Passphrases ride in SCAN.  kikan_ipc_send() builds such a frame in locked
 * memory and wipes it after sending; the reader receives SCAN frames into
 * locked memory and decodes the passphrases into one locked arena that
 * kikan_msg_clear() wipes.
 *
 * Private to scanner/ (and its tests and fuzz harness).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kikan/engine.h"
#include "kikan/inventory.h"
#include "kikan/report.h"
#include "kikan/scand.h"

#define KIKAN_IPC_MAGIC        0x4e4b494bu  /* "KIKN" on the wire (little-endian) */
#define KIKAN_IPC_VERSION      4u
#define KIKAN_IPC_HEADER_SIZE  12u
#define KIKAN_IPC_MAX_PAYLOAD  (1024u * 1024u)

/* Message types.  The numbers are part of the protocol: never renumber,
 * only append (and bump KIKAN_IPC_VERSION on an incompatible change). */
typedef enum {
    KIKAN_MSG_HELLO = 1,           /* daemon -> client: engine loaded */
    KIKAN_MSG_ERROR = 2,           /* daemon -> client (load failed), worker -> daemon */
    KIKAN_MSG_SCAN = 3,            /* client -> daemon, carries the target fd */
    KIKAN_MSG_WORKER_STARTED = 4,  /* worker -> daemon -> client */
    KIKAN_MSG_PROGRESS = 5,        /* worker -> daemon -> client */
    KIKAN_MSG_FILE = 6,            /* worker -> daemon -> client */
    KIKAN_MSG_WORKER_DONE = 7,     /* worker -> daemon, last message of a finished walk */
    KIKAN_MSG_TARGET_END = 8,      /* daemon -> client */
    KIKAN_MSG_SHUTDOWN = 9,        /* client -> daemon */
    KIKAN_MSG_VOLUME = 10,         /* worker -> daemon -> client: one volume of a medium */
    KIKAN_MSG_INVENTORY = 11,      /* worker -> daemon -> client: installed software, OS facts
                                    * and unreadable sources, in chunks (issue #4) */
    KIKAN_MSG__COUNT
} KikanMsgType;

typedef struct {
    uint16_t protocol;             /* KIKAN_IPC_VERSION of the sender */
    KikanEngineInfo info;
} KikanMsgHello;

typedef struct {
    int32_t code;                  /* a KIKAN_E* code */
    char *message;                 /* for IT staff; never NULL once decoded */
} KikanMsgError;

typedef struct {
    /* Decoded: params.secrets points into @secrets_arena. */
    KikanScanParams params;
    char *name;                    /* display name of the target root (hostile) */
    /* Decoded secrets (pointer array and strings) in one kikan_secret_alloc()
     * block, owned by the message; NULL when none or when encoding. */
    void *secrets_arena;
} KikanMsgScan;

typedef struct {
    int32_t pid;
    char *sandbox;                 /* "seccomp+landlock", "seccomp" or "null" */
} KikanMsgWorkerStarted;

typedef struct {
    uint64_t files_sent;           /* FILE messages the worker sent before this one */
    uint32_t volumes_sent;         /* VOLUME messages likewise */
    uint32_t inventory_sent;       /* INVENTORY messages likewise */
} KikanMsgWorkerDone;

typedef struct {
    KikanMsgType type;
    /* A descriptor received with the frame (SCAN only), owned by the
     * message: kikan_msg_clear() closes it.  -1 when none. */
    int fd;
    union {
        KikanMsgHello hello;
        KikanMsgError error;
        KikanMsgScan scan;
        KikanMsgWorkerStarted worker_started;
        KikanProgress progress;
        KikanFileReport file;
        KikanMsgWorkerDone worker_done;
        KikanTargetEnd target_end;
        KikanVolumeReport volume;
        KikanInventory inventory;
    } u;
} KikanMsg;

/* Zeroes @m for @type with fd = -1. */
void kikan_msg_init (KikanMsg *m, KikanMsgType type);
/* Frees everything @m owns (strings, report, engine info), closes m->fd and
 * re-initialises it as an empty message of the same type.  Accepts NULL. */
void kikan_msg_clear (KikanMsg *m);

/* Stable lower-case name of a type ("file"), or "unknown". */
const char *kikan_msg_type_name (unsigned type);

/* Frees an engine info built by the decoder.  Same effect as
 * kikan_engine_info_clear(), but kept here so that the codec (and
 * everything that links only kikan_scanner_core) needs no libclamav. */
void kikan_ipc_engine_info_clear (KikanEngineInfo *info);

/* mlock()s again a block from kikan_secret_alloc(): memory locks are not
 * inherited across fork(), so a worker calls this (before its sandbox,
 * which does not allow mlock) on the secrets it got from the daemon.
 * Best effort, like the allocation. */
void kikan_secret_relock (void *p);

/* Checks a frame header: magic, version, known type, payload length within
 * KIKAN_IPC_MAX_PAYLOAD.  Fills *type and *payload_len.  KIKAN_EPROTO on any
 * mismatch: a peer speaking another version is refused, not guessed at. */
int kikan_ipc_parse_header (const uint8_t hdr[KIKAN_IPC_HEADER_SIZE], uint16_t *type,
                            uint32_t *payload_len);

/* Encodes @m as one whole frame (header + payload) into a new buffer the
 * caller frees (with free(): for tests, relaying and fuzzing; a SCAN with
 * passphrases is sent with kikan_ipc_send, which keeps it in locked
 * memory).  KIKAN_ENOMEM, KIKAN_EINVAL (a field the protocol cannot carry,
 * e.g. a NULL where a string is required), or KIKAN_EPROTO when the
 * payload would exceed KIKAN_IPC_MAX_PAYLOAD. */
int kikan_ipc_encode (const KikanMsg *m, uint8_t **frame, size_t *len);

/* Decodes exactly one whole frame of @len bytes.  On success @out owns its
 * contents (out->fd = -1: descriptors are the transport's business).  On
 * failure @out is left empty.  KIKAN_EPROTO for anything malformed:
 * truncated, trailing bytes, bad header, oversized or NUL-holding strings,
 * out-of-range enums; KIKAN_ENOMEM if memory ran out. */
int kikan_ipc_decode (const uint8_t *frame, size_t len, KikanMsg *out);

/* ---- transport ---- */

/* Incremental frame reader for one socket, so that a poll() loop never
 * blocks on a peer that sends half a frame. */
typedef struct {
    uint8_t hdr[KIKAN_IPC_HEADER_SIZE];
    size_t hdr_got;
    uint8_t *frame;                /* header + payload once the header is valid */
    size_t frame_len, frame_got;
    int frame_secure;              /* frame is from kikan_secret_alloc (a SCAN) */
    int fd;                        /* descriptor received with the current frame */
    int accept_fds;                /* 0: any received descriptor is a protocol error */
    int eof;                       /* the peer closed the connection */
} KikanIpcReader;

void kikan_ipc_reader_init (KikanIpcReader *r, int accept_fds);
void kikan_ipc_reader_clear (KikanIpcReader *r);  /* frees the buffer, closes a pending fd */

/* Reads what is available without blocking (one recvmsg, retried on
 * EINTR).  Returns 1 when a whole frame is ready (take it with
 * kikan_ipc_reader_take), 0 when more bytes are needed (or none were
 * available), KIKAN_EIO on a socket error or on EOF (r->eof is then 1;
 * EOF in the middle of a frame is KIKAN_EPROTO), KIKAN_EPROTO for a bad
 * header or an unexpected descriptor. */
int kikan_ipc_reader_read (KikanIpcReader *r, int sock);

/* Decodes the frame that is ready into @out and resets the reader for the
 * next one.  A descriptor received with a SCAN frame moves into out->fd;
 * one received with any other type is closed and the frame refused.  If
 * @raw is not NULL it receives the raw frame (caller frees) for relaying. */
int kikan_ipc_reader_take (KikanIpcReader *r, KikanMsg *out, uint8_t **raw, size_t *raw_len);

/* Waits (poll, EINTR-safe) for and decodes one message.  @timeout_ms < 0
 * waits forever.  KIKAN_ETIMEOUT when nothing complete arrived in time. */
int kikan_ipc_recv (int sock, KikanIpcReader *r, int timeout_ms, KikanMsg *out);

/* Sends a whole frame, handling partial writes and EINTR, with
 * MSG_NOSIGNAL so a vanished peer is an error code, not a SIGPIPE.  @fd >= 0
 * is passed with SCM_RIGHTS on the first sendmsg. */
int kikan_ipc_send_frame (int sock, const uint8_t *frame, size_t len, int fd);

/* Encodes and sends @m (with @fd if >= 0). */
int kikan_ipc_send (int sock, const KikanMsg *m, int fd);
