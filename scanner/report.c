/* Ownership helpers for KikanFileReport (include/kikan/report.h). */
#include <stdlib.h>
#include <string.h>

#include "kikan/errors.h"
#include "kikan/report.h"

static const char *const reason_names[KIKAN_REASON__COUNT] = {
    [KIKAN_REASON_NONE] = NULL,
    [KIKAN_REASON_ENCRYPTED] = "encrypted",
    [KIKAN_REASON_LIMIT_EXCEEDED] = "limit_exceeded",
    [KIKAN_REASON_PARSE_ERROR] = "parse_error",
    [KIKAN_REASON_READ_ERROR] = "read_error",
    [KIKAN_REASON_TIMEOUT] = "timeout",
    [KIKAN_REASON_WORKER_FAILED] = "worker_failed",
    [KIKAN_REASON_UNSUPPORTED] = "unsupported",
    [KIKAN_REASON_SYMLINK] = "symlink",
    [KIKAN_REASON_ENGINE_ERROR] = "engine_error",
    [KIKAN_REASON_CHANGED] = "changed",
    [KIKAN_REASON_INCONSISTENT] = "inconsistent",
};

const char *
kikan_reason_to_string (KikanReason r)
{
    if ((unsigned) r >= KIKAN_REASON__COUNT)
        return "unknown";
    return reason_names[r];
}

const char *
kikan_result_to_string (KikanResult r)
{
    switch (r) {
    case KIKAN_RESULT_CLEAN: return "clean";
    case KIKAN_RESULT_INFECTED: return "infected";
    case KIKAN_RESULT_NOT_INSPECTED: return "not_inspected";
    }
    return "not_inspected";  /* an unknown value is never clean */
}

static void
free_strv (char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free (v[i]);
    free (v);
}

static void
member_clear (KikanMember *m)
{
    free (m->name);
    free (m->extractor);
    free (m->reason_detail);
    free_strv (m->signatures, m->n_signatures);
    kikan_exec_info_clear (&m->exec);
    memset (m, 0, sizeof *m);
}

void
kikan_file_report_clear (KikanFileReport *r)
{
    if (r == NULL)
        return;
    free (r->path);
    free (r->reason_detail);
    free (r->link_target);
    free_strv (r->signatures, r->n_signatures);
    kikan_exec_info_clear (&r->exec);
    for (size_t i = 0; i < r->n_members; i++)
        member_clear (&r->members[i]);
    free (r->members);
    memset (r, 0, sizeof *r);
}

int
kikan_file_report_add_signature (KikanFileReport *r, const char *name)
{
    char **v;
    char *copy;

    for (size_t i = 0; i < r->n_signatures; i++)
        if (strcmp (r->signatures[i], name) == 0)
            return 0;
    if ((copy = strdup (name)) == NULL)
        return KIKAN_ENOMEM;
    if ((v = realloc (r->signatures, (r->n_signatures + 1) * sizeof *v)) == NULL) {
        free (copy);
        return KIKAN_ENOMEM;
    }
    v[r->n_signatures++] = copy;
    r->signatures = v;
    return 0;
}

static int
severity (KikanResult r)
{
    switch (r) {
    case KIKAN_RESULT_CLEAN: return 0;
    case KIKAN_RESULT_NOT_INSPECTED: return 1;
    case KIKAN_RESULT_INFECTED: return 2;
    }
    return 1;
}

void
kikan_file_report_degrade (KikanFileReport *r, KikanResult res, KikanReason reason,
                           const char *detail)
{
    if (res == KIKAN_RESULT_NOT_INSPECTED && r->reason == KIKAN_REASON_NONE) {
        /* Remember why even when an infection already outranks it: the
         * auditor should see that part of the file was not read. */
        r->reason = reason;
        free (r->reason_detail);
        r->reason_detail = detail ? strdup (detail) : NULL;
    }
    if (severity (res) > severity (r->result))
        r->result = res;
}

static char *
dup_or_null (const char *s, int *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    if ((d = strdup (s)) == NULL)
        *failed = 1;
    return d;
}

static char **
dup_strv (char *const *v, size_t n, int *failed)
{
    char **d;

    if (n == 0)
        return NULL;
    if ((d = calloc (n, sizeof *d)) == NULL) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = dup_or_null (v[i], failed);
    return d;
}

void
kikan_exec_info_clear (KikanExecInfo *x)
{
    if (x == NULL)
        return;
    free (x->signer_subject);
    memset (x, 0, sizeof *x);
}

static void
exec_info_copy (KikanExecInfo *dst, const KikanExecInfo *src, int *failed)
{
    *dst = *src;
    dst->signer_subject = dup_or_null (src->signer_subject, failed);
}

int
kikan_file_report_copy (KikanFileReport *dst, const KikanFileReport *src)
{
    int failed = 0;

    memset (dst, 0, sizeof *dst);
    dst->path = dup_or_null (src->path, &failed);
    dst->size = src->size;
    memcpy (dst->sha256, src->sha256, sizeof dst->sha256);
    dst->result = src->result;
    dst->reason = src->reason;
    dst->reason_detail = dup_or_null (src->reason_detail, &failed);
    dst->link_target = dup_or_null (src->link_target, &failed);
    dst->signatures = dup_strv (src->signatures, src->n_signatures, &failed);
    dst->n_signatures = dst->signatures ? src->n_signatures : 0;
    dst->flags = src->flags;
    dst->seconds = src->seconds;
    exec_info_copy (&dst->exec, &src->exec, &failed);
    if (src->n_members > 0) {
        if ((dst->members = calloc (src->n_members, sizeof *dst->members)) == NULL) {
            failed = 1;
        } else {
            dst->n_members = src->n_members;
            for (size_t i = 0; i < src->n_members; i++) {
                const KikanMember *s = &src->members[i];
                KikanMember *m = &dst->members[i];

                m->name = dup_or_null (s->name, &failed);
                m->depth = s->depth;
                m->size = s->size;
                m->extractor = dup_or_null (s->extractor, &failed);
                m->result = s->result;
                m->reason = s->reason;
                m->reason_detail = dup_or_null (s->reason_detail, &failed);
                m->signatures = dup_strv (s->signatures, s->n_signatures, &failed);
                m->n_signatures = m->signatures ? s->n_signatures : 0;
                exec_info_copy (&m->exec, &s->exec, &failed);
            }
        }
    }
    if (failed) {
        kikan_file_report_clear (dst);
        return KIKAN_ENOMEM;
    }
    return 0;
}
