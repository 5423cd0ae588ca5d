/* Kikan kiosk: reproducible review samples (audit-sample-private.h; KR-33). */
#include "audit-sample-private.h"

#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"

typedef struct {
    const guint8 *seed;
    gsize seed_len;
    guint64 counter;
} Stream;

static guint64
next_u64 (Stream *s)
{
    crypto_generichash_state h;
    guint8 ctr[8], out[16];
    guint64 x = 0;

    for (int i = 0; i < 8; i++)
        ctr[i] = (guint8)(s->counter >> (8 * i));
    s->counter++;
    crypto_generichash_init (&h, NULL, 0, sizeof out);
    crypto_generichash_update (&h, s->seed, s->seed_len);
    crypto_generichash_update (&h, ctr, sizeof ctr);
    crypto_generichash_final (&h, out, sizeof out);
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | out[i];
    return x;
}

/* Uniform in [0, m): rejection keeps it unbiased (2^64 mod m computed as
 * (-m) mod m in 64-bit arithmetic). */
static guint64
uniform (Stream *s, guint64 m)
{
    guint64 reject_from = G_MAXUINT64 - ((G_MAXUINT64 % m) + 1) % m;
    guint64 x;

    /* reject_from is the largest multiple of m minus one: keep x <= it. */
    do
        x = next_u64 (s);
    while (x > reject_from);
    return x % m;
}

void
kikan_audit_sample_draw (const guint8 *seed, gsize seed_len, const gint64 *population, gsize n,
                         gsize k, GArray *out)
{
    g_autofree gint64 *p = g_memdup2 (population, n * sizeof *p);
    Stream s = { seed, seed_len, 0 };

    g_return_if_fail (k <= n);
    g_array_set_size (out, 0);
    for (gsize i = 0; i < k; i++) {
        gsize j = i + (gsize)uniform (&s, (guint64)(n - i));
        gint64 t = p[i];

        p[i] = p[j];
        p[j] = t;
        g_array_append_val (out, p[i]);
    }
}

gboolean
kikan_audit_seed_parse (const char *hex, guint8 seed[KIKAN_AUDIT_SEED_MAX], gsize *len)
{
    gsize n = hex != NULL ? strlen (hex) : 0;

    if (n < 2 || n > 2 * KIKAN_AUDIT_SEED_MAX || n % 2 != 0)
        return FALSE;
    for (gsize i = 0; i < n; i += 2) {
        int hi = g_ascii_xdigit_value (hex[i]), lo = g_ascii_xdigit_value (hex[i + 1]);

        if (hi < 0 || lo < 0)
            return FALSE;
        seed[i / 2] = (guint8)(hi << 4 | lo);
    }
    *len = n / 2;
    return TRUE;
}

gboolean
kikan_audit_check_person_text (const char *text, gsize max, gboolean lines, const char *option,
                               GError **error)
{
    const char *why = NULL;

    if (text == NULL || text[0] == '\0')
        why = "must not be empty";
    else if (strlen (text) > max)
        why = "is too long";
    else if (!g_utf8_validate (text, -1, NULL))
        why = "is not valid UTF-8";
    else
        for (const char *c = text; *c != '\0' && why == NULL; c = g_utf8_next_char (c)) {
            gunichar u = g_utf8_get_char (c);

            if ((u < 0x20 && !(lines && u == '\n')) || u == 0x7f || (u >= 0x80 && u < 0xa0)
                || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
                why = "holds a control character";
        }
    if (why == NULL)
        return TRUE;
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "%s %s: give %s text of at most %" G_GSIZE_FORMAT " bytes.", option, why,
                 lines ? "plain" : "one line of", max);
    return FALSE;
}

void
kikan_audit_sample_free (KikanAuditSample *s)
{
    if (s == NULL)
        return;
    g_free (s->seed_hex);
    if (s->selection != NULL)
        g_array_unref (s->selection);
    g_free (s);
}

static JsonNode *
ids_to_json (GArray *ids)
{
    JsonArray *a = json_array_sized_new (ids->len);
    JsonNode *n = json_node_new (JSON_NODE_ARRAY);

    for (guint i = 0; i < ids->len; i++)
        json_array_add_int_element (a, g_array_index (ids, gint64, i));
    json_node_take_array (n, a);
    return n;
}

static JsonNode *
population_json (const KikanAuditFilter *f, gsize n)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "filter");
    json_builder_add_value (b, kikan_audit_filter_to_json (f));
    json_builder_set_member_name (b, "order");
    json_builder_add_string_value (b, "session id ascending");
    json_builder_set_member_name (b, "size");
    json_builder_add_int_value (b, (gint64)n);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

KikanAuditSample *
kikan_audit_sample (KikanStore *store, const KikanAuditFilter *f, gsize size, const guint8 *seed,
                    gsize seed_len, const char *by, GError **error)
{
    g_autoptr (KikanAuditSample) s = g_new0 (KikanAuditSample, 1);
    g_autoptr (GArray) population = NULL;
    g_autoptr (JsonNode) pop = NULL;
    g_autoptr (JsonNode) sel = NULL;
    g_autofree char *pop_text = NULL;
    g_autofree char *sel_text = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    guint8 random_seed[16];
    sqlite3_stmt *st;

    if (!kikan_audit_check_person_text (by, KIKAN_AUDIT_REVIEWER_MAX, FALSE, "--by", error))
        return NULL;
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Cannot draw a sample (libsodium failed to start).");
        return NULL;
    }
    if (seed == NULL) {
        randombytes_buf (random_seed, sizeof random_seed);
        seed = random_seed;
        seed_len = sizeof random_seed;
    }
    s->seed_hex = kikan_escape_to_hex ((const char *)seed, (gssize)seed_len);
    if (!kikan_store_begin (store, error))
        return NULL;
    if ((population = kikan_audit_query_sessions (store, f, error)) == NULL)
        goto fail;
    if (size == 0 || size > population->len) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Cannot draw a sample of %" G_GSIZE_FORMAT " sessions: %u session%s "
                     "match%s the filters. Ask for at most %u, or widen the filters.",
                     size, population->len, population->len == 1 ? "" : "s",
                     population->len == 1 ? "es" : "", population->len);
        goto fail;
    }
    s->id = 0;
    s->population_size = population->len;
    s->selection = g_array_new (FALSE, FALSE, sizeof (gint64));
    kikan_audit_sample_draw (seed, seed_len, (const gint64 *)(gpointer)population->data,
                             population->len, size, s->selection);
    pop = population_json (f, population->len);
    sel = ids_to_json (s->selection);
    pop_text = json_to_string (pop, FALSE);
    sel_text = json_to_string (sel, FALSE);
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_samples (drawn_at, drawn_by, seed, population, "
                              "selection) VALUES (?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, now);
    kikan_store_bind_text (st, 2, by);
    kikan_store_bind_text (st, 3, s->seed_hex);
    kikan_store_bind_text (st, 4, pop_text);
    kikan_store_bind_text (st, 5, sel_text);
    if (!kikan_store_step_done (store, st, "Could not record the sample", error))
        goto fail;
    s->id = sqlite3_last_insert_rowid (kikan_store_get_db (store));
    {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) payload = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "sample");
        json_builder_add_int_value (b, s->id);
        kikan_json_add_hostile_string (b, "by", by);
        json_builder_set_member_name (b, "seed");
        json_builder_add_string_value (b, s->seed_hex);
        json_builder_set_member_name (b, "population");
        json_builder_add_value (b, json_node_copy (pop));
        json_builder_set_member_name (b, "selection");
        json_builder_add_value (b, json_node_copy (sel));
        json_builder_end_object (b);
        payload = json_builder_get_root (b);
        if (!kikan_audit_append (store, "audit_sample", 0, payload, error))
            goto fail;
    }
    if (!kikan_store_commit (store, error))
        return NULL;
    return g_steal_pointer (&s);
fail:
    kikan_store_rollback (store);
    return NULL;
}

gboolean
kikan_audit_attest (KikanStore *store, gint64 sample_id, const char *reviewer,
                    const char *statement, gint64 *id, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (JsonNode) payload = NULL;
    sqlite3_stmt *st;
    int rc;

    if (!kikan_audit_check_person_text (reviewer, KIKAN_AUDIT_REVIEWER_MAX, FALSE, "--by", error)
        || !kikan_audit_check_person_text (statement, KIKAN_AUDIT_STATEMENT_MAX, TRUE,
                                           "--statement", error))
        return FALSE;
    if (!kikan_store_begin (store, error))
        return FALSE;
    if ((st = kikan_store_prepare (store, "SELECT 1 FROM audit_samples WHERE id = ?", error))
        == NULL)
        goto fail;
    sqlite3_bind_int64 (st, 1, sample_id);
    rc = sqlite3_step (st);
    sqlite3_finalize (st);
    if (rc == SQLITE_DONE) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "There is no sample %" G_GINT64_FORMAT
                     ": `kikan audit samples` lists the samples drawn.",
                     sample_id);
        goto fail;
    }
    if (rc != SQLITE_ROW) {
        kikan_store_fail (store, "Could not read the samples", error);
        goto fail;
    }
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_attestations (sample_id, at, reviewer, statement) "
                              "VALUES (?, ?, ?, ?)",
                              error);
    if (st == NULL)
        goto fail;
    sqlite3_bind_int64 (st, 1, sample_id);
    kikan_store_bind_text (st, 2, now);
    kikan_store_bind_text (st, 3, reviewer);
    kikan_store_bind_text (st, 4, statement);
    if (!kikan_store_step_done (store, st, "Could not record the attestation", error))
        goto fail;
    *id = sqlite3_last_insert_rowid (kikan_store_get_db (store));
    {
        g_autoptr (JsonBuilder) b = json_builder_new ();

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "attestation");
        json_builder_add_int_value (b, *id);
        json_builder_set_member_name (b, "sample");
        json_builder_add_int_value (b, sample_id);
        kikan_json_add_hostile_string (b, "reviewer", reviewer);
        kikan_json_add_hostile_string (b, "statement", statement);
        json_builder_end_object (b);
        payload = json_builder_get_root (b);
    }
    if (!kikan_audit_append (store, "audit_attestation", 0, payload, error))
        goto fail;
    return kikan_store_commit (store, error);
fail:
    kikan_store_rollback (store);
    return FALSE;
}

/* A stored JSON text as a node: itself when it parses, else the text as
 * a string (a row edited into garbage is shown, not hidden). */
static JsonNode *
json_or_string (const char *text)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonNode *n;

    if (text != NULL && json_parser_load_from_data (p, text, -1, NULL)
        && json_parser_get_root (p) != NULL)
        return json_node_copy (json_parser_get_root (p));
    n = json_node_new (JSON_NODE_VALUE);
    {
        g_autofree char *valid = kikan_escape_for_json (text != NULL ? text : "", -1);

        json_node_set_string (n, valid);
    }
    return n;
}

JsonNode *
kikan_audit_samples_to_json (KikanStore *store, GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT id, drawn_at, drawn_by, seed, population, selection FROM audit_samples ORDER BY id",
        error);
    sqlite3_stmt *at = NULL;
    int rc;

    if (st == NULL)
        return NULL;
    at = kikan_store_prepare (store,
                              "SELECT id, at, reviewer, statement FROM audit_attestations "
                              "WHERE sample_id = ? ORDER BY id",
                              error);
    if (at == NULL) {
        sqlite3_finalize (st);
        return NULL;
    }
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-audit-samples");
    json_builder_set_member_name (b, "samples");
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        int rc2;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "id");
        json_builder_add_int_value (b, sqlite3_column_int64 (st, 0));
        kikan_json_add_hostile_string (b, "drawn_at", (const char *)sqlite3_column_text (st, 1));
        kikan_json_add_hostile_string (b, "drawn_by", (const char *)sqlite3_column_text (st, 2));
        kikan_json_add_hostile_string (b, "seed", (const char *)sqlite3_column_text (st, 3));
        json_builder_set_member_name (b, "population");
        json_builder_add_value (b, json_or_string ((const char *)sqlite3_column_text (st, 4)));
        json_builder_set_member_name (b, "selection");
        json_builder_add_value (b, json_or_string ((const char *)sqlite3_column_text (st, 5)));
        json_builder_set_member_name (b, "attestations");
        json_builder_begin_array (b);
        sqlite3_reset (at);
        sqlite3_bind_int64 (at, 1, sqlite3_column_int64 (st, 0));
        while ((rc2 = sqlite3_step (at)) == SQLITE_ROW) {
            json_builder_begin_object (b);
            json_builder_set_member_name (b, "id");
            json_builder_add_int_value (b, sqlite3_column_int64 (at, 0));
            kikan_json_add_hostile_string (b, "at", (const char *)sqlite3_column_text (at, 1));
            kikan_json_add_hostile_string (b, "reviewer",
                                           (const char *)sqlite3_column_text (at, 2));
            kikan_json_add_hostile_string (b, "statement",
                                           (const char *)sqlite3_column_text (at, 3));
            json_builder_end_object (b);
        }
        json_builder_end_array (b);
        json_builder_end_object (b);
        if (rc2 != SQLITE_DONE) {
            rc = rc2;
            break;
        }
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    sqlite3_finalize (st);
    sqlite3_finalize (at);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the samples", error), NULL;
    return json_builder_get_root (b);
}
