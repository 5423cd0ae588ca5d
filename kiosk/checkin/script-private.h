/* Kikan kiosk: the scripted check-in (docs/checkin.md "Scripted check-in").
 *
 * `kikan checkin --script FILE` plays a whole check-in without a screen,
 * for headless use and the tests: who, the answers to the declaration
 * (REQUIREMENTS §5.2), what is presented and what is declared missing.
 * The file is read whole (at most 1 MiB) and checked before anything is
 * written: an unknown key, a wrong type or a bad value names its place
 * ("present[1].medium") and nothing is recorded.  Strings are kept
 * verbatim; they are escaped where they are shown.
 */
#pragma once

#include <glib.h>

#define KIKAN_SCRIPT_MAX_BYTES (1024 * 1024)

typedef struct {
    char *question;          /* "Q1" … "Q19" */
    char *answer;            /* "yes", "no", "not_sure", or free text (Q17, Q18) */
    char *followup_json;     /* the rest of the object, verbatim JSON, or NULL */
} KikanScriptAnswer;

typedef struct {
    char *asset;             /* asset tag, or NULL for a medium not in the ledger */
    char *serial;            /* serial typed or scanned at the kiosk, or NULL */
    char *medium;            /* what to read: a block device, a disk image, a folder; or NULL */
    char *usb_device;        /* the block device whose USB identity counts, or NULL */
    char **passphrase_files; /* NULL-terminated, may be empty */
    char *declared_encrypted;/* "yes", "no", "not_sure" or NULL */
} KikanScriptPresent;

typedef struct {
    char *asset;
    char *declared;          /* at_home | lost | stolen | damaged | transferred */
    char *return_by;         /* at_home: YYYY-MM-DD */
    char *to;                /* transferred: to whom */
    char *data_held;         /* lost/stolen: what data it held (KR-04) */
    char *classification;    /* public | internal | confidential | unknown */
    char *personal_data;     /* yes | no | not_sure */
    char *remote_wipe;       /* requested | done | not_available | not_applicable */
    char *locate;            /* the same values */
    char *description;
} KikanScriptMissing;

typedef struct {
    char *employee;
    GPtrArray *answers;      /* KikanScriptAnswer */
    GPtrArray *present;      /* KikanScriptPresent */
    GPtrArray *missing;      /* KikanScriptMissing */
    gint visit_seconds;      /* -1: wait for every inspection; else end the visit after it */
} KikanScript;

/* Parses @data (@len bytes of JSON).  NULL with @error (KIKAN_ERROR_USAGE)
 * naming the place of the first problem. */
KikanScript *kikan_script_parse (const char *data, gsize len, GError **error);
/* Reads @path (at most KIKAN_SCRIPT_MAX_BYTES) and parses it. */
KikanScript *kikan_script_load (const char *path, GError **error);
void kikan_script_free (KikanScript *self);  /* accepts NULL */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScript, kikan_script_free)
