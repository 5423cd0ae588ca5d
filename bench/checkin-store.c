/* Kikan benchmark: a check-in of 20 items against the store (issue #9,
 * must-show list: "the store adds no visible latency").  Run by
 * bench/checkin.sh, which builds it (-DKIKAN_BUILD_BENCH=ON), makes the
 * media and formats the report (docs/benchmarks.md "Check-in and the
 * store").
 *
 * It drives the real check-in API (kiosk/checkin/checkin-private.h) on a
 * real store file in the home it is given, the way `kikan checkin` does,
 * and times every call with g_get_monotonic_time():
 *
 *   1. store only: one employee holding 20 items; begin, 19 answers, 16
 *      presents (no medium), 4 declared missing (2 at home, 1 lost, 1
 *      damaged), end_visit, to_json; --runs times, on the store as the
 *      ledger import leaves it;
 *   2. the same after --prefill earlier sessions were added by SQL (about
 *      a kiosk's year), to show that the indexes hold;
 *   3. with --media: one check-in presenting 20 media, each inspected
 *      through a KikanInspector (the real kikan-scand) one after the other;
 *      per item the time spent in the store around the inspection (the
 *      start commit, the result commit) against the inspection's wall time.
 *
 * Commits are timed separately through sqlite3_trace_v2 (SQLITE_TRACE_PROFILE
 * of each "COMMIT"): with WAL and synchronous=FULL each one waits for an
 * fsync of the WAL, which is the store's main cost.  A last probe times a
 * one-row transaction with synchronous FULL, NORMAL and OFF on a scratch
 * file in the same home, for the price of that choice on this disk.
 *
 * Output: a plain table on stdout, and with --markdown FILE the tables of
 * the report (the script adds the command line and the machine).  Exit
 * status 0, or 1 when any call failed (its error on stderr).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "checkin-private.h"
#include "home-private.h"
#include "it-actions-private.h"
#include "inspector-private.h"
#include "seal-private.h"
#include "store-private.h"

#define N_ITEMS 20
#define N_QUESTIONS 19

/* The 20 assets of the employee: what a telework kit plus spare media
 * looks like, the mix the brief asks for. */
static const char *const asset_types[N_ITEMS] = {
    "usb", "usb", "usb", "usb", "usb", "usb", "usb", "usb",
    "laptop", "laptop", "laptop", "laptop",
    "phone", "phone", "phone", "phone",
    "token", "token", "token", "token",
};

/* Store-only passes: these are declared missing, the others presented. */
typedef struct {
    guint index;
    const char *declared;
} Missing;
static const Missing missing_plan[] = {
    { 3, "at_home" }, { 11, "lost" }, { 15, "damaged" }, { 19, "at_home" },
};
#define N_MISSING G_N_ELEMENTS (missing_plan)

/* ---- samples ---- */

typedef struct {
    const char *name;
    GArray *us;   /* gint64 microseconds */
} Op;

enum {
    OP_BEGIN, OP_ANSWER, OP_PRESENT, OP_MISSING, OP_END_VISIT, OP_TO_JSON, OP_TOTAL,
    OP_NO_COMMIT, OP_COMMIT, N_OPS
};
static const char *const op_names[N_OPS] = {
    "begin (identify)", "answer (each)", "present (each)", "declare_missing (each)",
    "end_visit (verdicts, one transaction)", "to_json", "whole check-in (sum of the calls)",
    "whole check-in without its COMMITs",
    "COMMIT alone (WAL fsync)",
};

typedef struct {
    const char *title;
    Op ops[N_OPS];
    guint runs;
    guint commits_per_checkin;
    gint64 sessions_before;
} Pass;

static void
pass_init (Pass *p, const char *title)
{
    memset (p, 0, sizeof *p);
    p->title = title;
    for (guint i = 0; i < N_OPS; i++) {
        p->ops[i].name = op_names[i];
        p->ops[i].us = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
}

static void
pass_clear (Pass *p)
{
    for (guint i = 0; i < N_OPS; i++)
        g_array_unref (p->ops[i].us);
}

static int
cmp_i64 (gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @q (0..1) of @a, sorted in place, in ms. */
static double
percentile_ms (GArray *a, double q)
{
    guint rank;

    if (a->len == 0)
        return NAN;
    g_array_sort (a, cmp_i64);
    rank = (guint) ceil (q * a->len);
    if (rank < 1)
        rank = 1;
    if (rank > a->len)
        rank = a->len;
    return (double) g_array_index (a, gint64, rank - 1) / 1000.0;
}

/* ---- the store's statements, seen through sqlite3_trace_v2 ---- */

typedef struct {
    Op *commits;            /* where COMMIT durations go, or NULL */
    guint n_commits;        /* since the last reset */
    gint64 span_start_us;   /* first statement's start since the last reset, 0: none */
    gint64 span_end_us;     /* last statement's end */
    gint64 stmt_ns;         /* sum of the statements' own times */
    gint64 commit_us;       /* sum of the COMMITs' times */
} Trace;

static Trace trace;

/* Statements other than COMMIT slower than this, by SQL text: what the
 * lead should look at when a call is slow (printed at the end). */
#define SLOW_STATEMENT_US 5000
static GHashTable *slow_statements;  /* SQL -> gint64[2] { count, max us } */

/* SQLite's own PROFILE time has the resolution of its clock (a
 * millisecond here), so statements are timed here: from the STMT event
 * (first step) to the PROFILE event (done).  One connection, one thread,
 * no triggers: statements do not nest. */
static int
on_trace (unsigned type, void *ctx, void *p, void *x)
{
    static sqlite3_stmt *running;
    static gint64 started_us;
    sqlite3_stmt *st = p;
    gint64 now = g_get_monotonic_time (), us;
    const char *sql;

    if (type == SQLITE_TRACE_STMT) {
        running = st;
        started_us = now;
        return 0;
    }
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    us = st == running ? now - started_us : *(sqlite3_int64 *) x / 1000;
    running = NULL;
    sql = sqlite3_sql (st);
    if (trace.span_start_us == 0)
        trace.span_start_us = now - us;
    trace.span_end_us = now;
    trace.stmt_ns += us * 1000;
    if (sql != NULL && us > SLOW_STATEMENT_US && g_ascii_strncasecmp (sql, "COMMIT", 6) != 0) {
        gint64 *c = g_hash_table_lookup (slow_statements, sql);

        if (c == NULL) {
            c = g_new0 (gint64, 2);
            g_hash_table_insert (slow_statements, g_strdup (sql), c);
        }
        c[0]++;
        c[1] = MAX (c[1], us);
    }
    if (sql != NULL && g_ascii_strncasecmp (sql, "COMMIT", 6) == 0) {
        trace.n_commits++;
        trace.commit_us += us;
        if (trace.commits != NULL)
            g_array_append_val (trace.commits->us, us);
    }
    return 0;
}

static void
trace_reset (void)
{
    trace.n_commits = 0;
    trace.span_start_us = trace.span_end_us = 0;
    trace.stmt_ns = 0;
    trace.commit_us = 0;
}

/* ---- setting up ---- */

static gboolean
exec (KikanStore *store, const char *sql)
{
    g_autoptr (GError) error = NULL;

    if (!kikan_store_exec (store, sql, &error)) {
        fprintf (stderr, "bench: %s\n", error->message);
        return FALSE;
    }
    return TRUE;
}

/* Employee E1001 and the 20 assets BA-01 … BA-20, as a ledger import
 * leaves them (not timed). */
static gboolean
setup_ledger (KikanStore *store)
{
    GString *sql = g_string_new ("BEGIN IMMEDIATE;"
                                 "INSERT INTO employees (id, name, updated_at) VALUES "
                                 "('E1001', '山田 太郎', '2026-11-01T00:00:00Z');");
    gboolean ok;

    for (guint i = 0; i < N_ITEMS; i++)
        g_string_append_printf (sql,
                                "INSERT INTO assets (id, type, serial, encryption_required, "
                                "classification_max, updated_at) VALUES ('BA-%02u', '%s', "
                                "'SN%08u', %d, 'confidential', '2026-11-01T00:00:00Z');",
                                i + 1, asset_types[i], 7000 + i,
                                strcmp (asset_types[i], "token") != 0);
    g_string_append (sql, "COMMIT;");
    ok = exec (store, sql->str);
    g_string_free (sql, TRUE);
    return ok;
}

/* Closes the open loans of the 20 assets and lends them to @employee
 * again, so that every run starts from the same ledger (not timed). */
static gboolean
relend (KikanStore *store, const char *employee)
{
    g_autofree char *sql = g_strdup_printf (
        "BEGIN IMMEDIATE;"
        "UPDATE loans SET returned_on = date('now') WHERE asset_id LIKE 'BA-%%' "
        "AND returned_on IS NULL;"
        "INSERT INTO loans (asset_id, employee_id, lent_on, telework_method) "
        "SELECT id, '%s', '2026-01-05', 'standalone' FROM assets WHERE id LIKE 'BA-%%';"
        "COMMIT;", employee);

    return exec (store, sql);
}

/* @n earlier sessions by SQL, shaped like the ones the check-in writes
 * (20 items each with its closed loan, 19 answers, 21 verdicts, an
 * inspection of each USB stick and laptop, an incident in one session of
 * ten), spread over 500 employees and 10,000 assets.  The row contents
 * (reasons, follow-ups) are copied from session @template, a real one. */
static gboolean
prefill (KikanStore *store, guint n, gint64 template)
{
    g_autofree char *sql = g_strdup_printf (
        "BEGIN IMMEDIATE;"
        "CREATE TEMP TABLE seq (k INTEGER PRIMARY KEY);"
        "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < max(%u, 10000))"
        "  INSERT INTO seq SELECT k FROM c;"
        "CREATE TEMP TABLE base AS SELECT "
        "  (SELECT ifnull(max(id), 0) FROM sessions) AS s0,"
        "  (SELECT ifnull(max(id), 0) FROM items) AS i0,"
        "  (SELECT ifnull(max(id), 0) FROM loans) AS l0,"
        "  (SELECT min(id) FROM items WHERE session_id = %" G_GINT64_FORMAT ") AS tmin;"
        "INSERT INTO employees (id, name, updated_at) SELECT printf('P%%04d', k), "
        "  printf('Earlier employee %%d', k), '2026-01-01T00:00:00Z' FROM seq WHERE k <= 500;"
        "INSERT INTO assets (id, type, serial, encryption_required, classification_max, "
        "  updated_at) SELECT printf('PA-%%05d', k), "
        "  CASE k %% 5 WHEN 0 THEN 'laptop' WHEN 1 THEN 'phone' WHEN 2 THEN 'token' "
        "  ELSE 'usb' END, printf('PS%%08d', k), 1, 'internal', '2026-01-01T00:00:00Z' "
        "  FROM seq WHERE k <= 10000;"
        "CREATE TEMP TABLE slot AS SELECT k, t.idx AS idx, "
        "  (k - 1) * 20 + t.idx AS n, printf('P%%04d', (k - 1) %% 500 + 1) AS emp, "
        "  printf('PA-%%05d', ((k - 1) * 20 + t.idx) %% 10000 + 1) AS asset "
        "  FROM seq, (SELECT id - (SELECT tmin FROM base) AS idx FROM items "
        "             WHERE session_id = %" G_GINT64_FORMAT ") t WHERE k <= %u;"
        "INSERT INTO sessions (id, uuid, employee_id, kiosk_id, started_at, ended_at, state, "
        "  policy_version, sig_version, sig_time, program_version) "
        "  SELECT (SELECT s0 FROM base) + k, printf('%%s-prior-%%06d', s.uuid, k), "
        "  printf('P%%04d', (k - 1) %% 500 + 1), s.kiosk_id, s.started_at, s.ended_at, "
        "  'ended', s.policy_version, s.sig_version, s.sig_time, s.program_version "
        "  FROM seq, sessions s WHERE s.id = %" G_GINT64_FORMAT " AND k <= %u;"
        "INSERT INTO loans (id, asset_id, employee_id, lent_on, telework_method, returned_on, "
        "  return_session) SELECT (SELECT l0 FROM base) + n + 1, asset, emp, '2026-01-05', "
        "  'standalone', '2026-02-05', (SELECT s0 FROM base) + k FROM slot;"
        "INSERT INTO items (id, session_id, asset_id, loan_id, presented_as, presence, "
        "  return_by, state, presented_at) SELECT (SELECT i0 FROM base) + n + 1, "
        "  (SELECT s0 FROM base) + k, asset, (SELECT l0 FROM base) + n + 1, asset, "
        "  CASE WHEN k %% 10 = 0 THEN i.presence ELSE 'present' END, "
        "  CASE WHEN k %% 10 = 0 THEN i.return_by END, i.state, i.presented_at FROM slot "
        "  JOIN items i ON i.id = (SELECT tmin FROM base) + slot.idx;"
        "INSERT INTO declarations (session_id, question, answer, followup, answered_at) "
        "  SELECT (SELECT s0 FROM base) + k, d.question, d.answer, d.followup, d.answered_at "
        "  FROM seq, declarations d WHERE d.session_id = %" G_GINT64_FORMAT " AND k <= %u;"
        "INSERT INTO verdicts (session_id, item_id, verdict, reasons, decided_at, decided_by) "
        "  SELECT (SELECT s0 FROM base) + k, CASE WHEN v.item_id IS NULL THEN NULL ELSE "
        "  (SELECT i0 FROM base) + (k - 1) * 20 + v.item_id - (SELECT tmin FROM base) + 1 END, "
        "  CASE WHEN k %% 10 = 0 THEN v.verdict ELSE 'cleared' END, "
        "  CASE WHEN k %% 10 = 0 THEN v.reasons ELSE '{\"verdict\":\"cleared\",\"reasons\":"
        "[{\"code\":\"INV-01\",\"provenance\":\"M\",\"level\":\"cleared\",\"text\":"
        "\"Item returned and matched to the ledger\"}]}' END, v.decided_at, v.decided_by "
        "  FROM seq, verdicts v WHERE v.session_id = %" G_GINT64_FORMAT " AND k <= %u;"
        "INSERT INTO inspections (item_id, started_at, ended_at, result, medium_id, files, "
        "  bytes, encryption, engine_version, db_version, db_time, duration_s) "
        "  SELECT (SELECT i0 FROM base) + n + 1, '2026-02-05T09:00:00Z', "
        "  '2026-02-05T09:00:02Z', 'clean', 'path:/dev/sdb', 7, 311714, 'none', '1.4.6', "
        "  'kikan-test.hdb', '2026-02-01T00:00:00Z', 1.5 FROM slot "
        "  JOIN assets a ON a.id = slot.asset WHERE a.type IN ('usb', 'laptop');"
        "INSERT INTO findings (inspection_id, kind, path, reason) SELECT id, 'not_inspected', "
        "  'p1:/Projects/backup.zip', 'encrypted' FROM inspections WHERE id %% 7 = 0 "
        "  AND item_id > (SELECT i0 FROM base);"
        "INSERT INTO incidents (number, session_id, item_id, kind, data_held, classification, "
        "  personal_data, opened_at) SELECT printf('INC-2025-%%06d', k), (SELECT s0 FROM base) "
        "  + k, (SELECT i0 FROM base) + (k - 1) * 20 + 12, 'lost', 'customer list', "
        "  'confidential', 'yes', '2026-02-05T09:00:00Z' FROM seq WHERE k <= %u AND k %% 10 = 0;"
        "DROP TABLE temp.slot; DROP TABLE temp.base; DROP TABLE temp.seq;"
        "COMMIT;",
        n, template, template, n, template, n, template, n, template, n, n);

    if (!exec (store, sql)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    return TRUE;
}

/* ---- one timed check-in ---- */

#define TIMED(pass, op, call)                                                             \
    do {                                                                                  \
        gint64 t0_ = g_get_monotonic_time ();                                             \
        call;                                                                             \
        gint64 dt_ = g_get_monotonic_time () - t0_;                                       \
        g_array_append_val ((pass)->ops[op].us, dt_);                                     \
        total += dt_;                                                                     \
    } while (0)

static gboolean
fail (GError *error, const char *what)
{
    fprintf (stderr, "bench: %s: %s\n", what, error ? error->message : "failed");
    return FALSE;
}

/* One store-only check-in of @employee; the session's id in *@session. */
static gboolean
checkin_store_only (KikanStore *store, Pass *pass, const char *employee, gint64 *session)
{
    KikanCheckinOptions options = { .kiosk_id = "bench-kiosk", .policy_version = "bench-1" };
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanCheckin) c = NULL;
    g_autoptr (JsonNode) json = NULL;
    gint64 total = 0;
    gboolean ok = TRUE;

    if (!relend (store, employee))
        return FALSE;
    trace.commits = &pass->ops[OP_COMMIT];
    trace_reset ();
    TIMED (pass, OP_BEGIN, c = kikan_checkin_begin (store, NULL, &options, employee, &error));
    if (c == NULL)
        return fail (error, "begin");
    for (guint q = 1; q <= N_QUESTIONS && ok; q++) {
        char question[8];

        g_snprintf (question, sizeof question, "Q%u", q);
        TIMED (pass, OP_ANSWER,
               ok = kikan_checkin_answer (c, question, q == N_QUESTIONS ? "yes" : "no", NULL,
                                          &error));
    }
    if (!ok)
        return fail (error, "answer");
    for (guint i = 0; i < N_ITEMS; i++) {
        char asset[16];
        gint64 id = 0;
        const Missing *m = NULL;

        g_snprintf (asset, sizeof asset, "BA-%02u", i + 1);
        for (guint k = 0; k < N_MISSING; k++)
            if (missing_plan[k].index == i)
                m = &missing_plan[k];
        if (m == NULL) {
            KikanScriptPresent p = { .asset = asset };

            TIMED (pass, OP_PRESENT, id = kikan_checkin_present (c, &p, &error));
        } else {
            KikanScriptMissing d = { .asset = asset, .declared = (char *) m->declared };

            if (strcmp (m->declared, "at_home") == 0)
                d.return_by = (char *) "2027-01-15";
            if (strcmp (m->declared, "lost") == 0) {
                d.data_held = (char *) "customer list (Excel)";
                d.classification = (char *) "confidential";
                d.personal_data = (char *) "yes";
            }
            TIMED (pass, OP_MISSING, id = kikan_checkin_declare_missing (c, &d, &error));
        }
        if (id == 0)
            return fail (error, m == NULL ? "present" : "declare_missing");
    }
    TIMED (pass, OP_END_VISIT, ok = kikan_checkin_end_visit (c, &error));
    if (!ok)
        return fail (error, "end_visit");
    TIMED (pass, OP_TO_JSON, json = kikan_checkin_to_json (c, &error));
    if (json == NULL)
        return fail (error, "to_json");
    g_array_append_val (pass->ops[OP_TOTAL].us, total);
    total -= trace.commit_us;
    g_array_append_val (pass->ops[OP_NO_COMMIT].us, total);
    pass->commits_per_checkin = trace.n_commits;
    pass->runs++;
    *session = kikan_checkin_get_session_id (c);
    trace.commits = NULL;
    return TRUE;
}

/* ---- with inspections ---- */

typedef struct {
    char *medium;
    gint64 start_call_us;    /* kikan_checkin_inspect_async() on the caller's thread */
    gint64 start_store_us;   /* its transaction, first statement to COMMIT's end */
    gint64 start_commit_us;  /* its COMMIT alone */
    gint64 result_store_us;  /* the result's transaction, first statement to COMMIT's end */
    gint64 result_commit_us; /* its COMMIT alone */
    gint64 inspect_us;       /* the inspection's wall time without the store */
    gint64 files;
    char *result;
} Inspected;

typedef struct {
    GMainLoop *loop;
    KikanCheckin *checkin;
    KikanInspector *inspector;
    gboolean done;
    gboolean ok;
    GError *error;
    gint64 end_us;
} Wait;

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer data)
{
    Wait *w = data;

    w->end_us = g_get_monotonic_time ();
    w->ok = kikan_checkin_inspect_finish (w->checkin, result, &w->error);
    w->done = TRUE;
    g_main_loop_quit (w->loop);
}

static void
on_warmed (GObject *source, GAsyncResult *result, gpointer data)
{
    Wait *w = data;
    KikanScanReport *r = kikan_inspector_inspect_finish (w->inspector, result, &w->error);

    w->ok = r != NULL;
    if (r != NULL)
        kikan_scan_report_free (r);
    w->done = TRUE;
    g_main_loop_quit (w->loop);
}

static gboolean
checkin_with_media (KikanStore *store, KikanInspector *inspector, const char *employee,
                    char **media, Inspected *out, gint64 *warm_us, gint64 *total_us)
{
    KikanCheckinOptions options = { .kiosk_id = "bench-kiosk", .policy_version = "bench-1" };
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanCheckin) c = NULL;
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (JsonNode) json = NULL;
    gint64 ids[N_ITEMS];
    Wait w = { .loop = loop, .inspector = inspector };
    g_autoptr (GArray) commit_us = g_array_new (FALSE, FALSE, sizeof (gint64));
    Op commits = { "COMMIT", commit_us };
    gint64 t0;

    if (!relend (store, employee))
        return FALSE;
    /* The engine is loaded once per kiosk start, in the background: not
     * part of any item's time (reported apart). */
    t0 = g_get_monotonic_time ();
    kikan_inspector_inspect_async (inspector, media[0], NULL, NULL, NULL, NULL, on_warmed, &w);
    while (!w.done)
        g_main_loop_run (loop);
    *warm_us = g_get_monotonic_time () - t0;
    if (!w.ok)
        return fail (w.error, "warming the inspector up");

    t0 = g_get_monotonic_time ();
    if ((c = kikan_checkin_begin (store, inspector, &options, employee, &error)) == NULL)
        return fail (error, "begin");
    w.checkin = c;
    for (guint q = 1; q <= N_QUESTIONS; q++) {
        char question[8];

        g_snprintf (question, sizeof question, "Q%u", q);
        if (!kikan_checkin_answer (c, question, q == N_QUESTIONS ? "yes" : "no", NULL, &error))
            return fail (error, "answer");
    }
    for (guint i = 0; i < N_ITEMS; i++) {
        char asset[16];
        KikanScriptPresent p = { .asset = asset, .medium = media[i] };

        g_snprintf (asset, sizeof asset, "BA-%02u", i + 1);
        if ((ids[i] = kikan_checkin_present (c, &p, &error)) == 0)
            return fail (error, "present");
    }
    /* One medium after the other, so that each one's store time and
     * inspection time are its own. */
    for (guint i = 0; i < N_ITEMS; i++) {
        gint64 a, b;
        g_autoptr (GError) e = NULL;

        out[i].medium = g_strdup (media[i]);
        w.done = FALSE;
        trace_reset ();
        trace.commits = &commits;
        g_array_set_size (commits.us, 0);
        a = g_get_monotonic_time ();
        kikan_checkin_inspect_async (c, ids[i], NULL, NULL, on_inspected, &w);
        b = g_get_monotonic_time ();
        out[i].start_call_us = b - a;
        out[i].start_store_us = trace.span_end_us - trace.span_start_us;
        out[i].start_commit_us = commits.us->len > 0 ? g_array_index (commits.us, gint64, 0) : 0;
        trace_reset ();
        g_array_set_size (commits.us, 0);
        while (!w.done)
            g_main_loop_run (loop);
        trace.commits = NULL;
        out[i].result_commit_us = commits.us->len > 0 ? g_array_index (commits.us, gint64, 0) : 0;
        if (!w.ok) {
            e = g_steal_pointer (&w.error);
            return fail (e, "inspection");
        }
        out[i].result_store_us = trace.span_end_us - trace.span_start_us;
        out[i].inspect_us = (w.end_us - b) - out[i].result_store_us;
    }
    if (!kikan_checkin_end_visit (c, &error))
        return fail (error, "end_visit");
    if ((json = kikan_checkin_to_json (c, &error)) == NULL)
        return fail (error, "to_json");
    *total_us = g_get_monotonic_time () - t0;
    {
        JsonArray *items = json_object_get_array_member (json_node_get_object (json), "items");

        for (guint i = 0; i < json_array_get_length (items) && i < N_ITEMS; i++) {
            JsonObject *it = json_array_get_object_element (items, i);
            JsonObject *n = json_object_has_member (it, "inspection")
                                ? json_object_get_object_member (it, "inspection")
                                : NULL;

            if (n != NULL) {
                out[i].files = json_object_get_int_member (n, "files");
                out[i].result = g_strdup (json_object_get_string_member (n, "result"));
            }
        }
    }
    return TRUE;
}

/* ---- synchronous=FULL against NORMAL and OFF on this disk ---- */

static gboolean
sync_probe (const char *dir, const char *mode, guint n, double *median_ms, double *p95_ms)
{
    g_autofree char *path = g_build_filename (dir, "sync-probe.db", NULL);
    g_autofree char *pragmas = g_strdup_printf ("PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
                                                "CREATE TABLE IF NOT EXISTS t (x TEXT);", mode);
    GArray *us = g_array_new (FALSE, FALSE, sizeof (gint64));
    sqlite3 *db = NULL;
    gboolean ok = sqlite3_open (path, &db) == SQLITE_OK
                  && sqlite3_exec (db, pragmas, NULL, NULL, NULL) == SQLITE_OK;

    for (guint i = 0; ok && i < n; i++) {
        gint64 t0 = g_get_monotonic_time (), dt;

        ok = sqlite3_exec (db, "BEGIN IMMEDIATE; INSERT INTO t VALUES ('a row of evidence');"
                               "COMMIT;", NULL, NULL, NULL) == SQLITE_OK;
        dt = g_get_monotonic_time () - t0;
        g_array_append_val (us, dt);
    }
    if (!ok)
        fprintf (stderr, "bench: sync probe (%s): %s\n", mode, db ? sqlite3_errmsg (db) : "?");
    sqlite3_close (db);
    *median_ms = percentile_ms (us, 0.5);
    *p95_ms = percentile_ms (us, 0.95);
    g_array_unref (us);
    for (const char *const *s = (const char *const[]) { "", "-wal", "-shm", NULL }; *s; s++) {
        g_autofree char *f = g_strconcat (path, *s, NULL);

        (void) g_remove (f);
    }
    return ok;
}

/* ---- what reads the whole store ---- */

static gint64 budget_deadline_us;

static int
on_progress_budget (void *data)
{
    return g_get_monotonic_time () > budget_deadline_us;  /* non-zero interrupts */
}

typedef enum { WHOLE_CHECK, WHOLE_IT_QUEUE } WholeOp;

/* Times `kikan db check`'s kikan_store_check() or `kikan it list`'s
 * kikan_it_queue_to_json() on @store, stopped after @budget_s seconds
 * (sqlite3_progress_handler): the result in ms, or -1 when stopped, -2 on
 * another failure. */
static double
time_whole (KikanStore *store, WholeOp op, guint budget_s)
{
    sqlite3 *db = kikan_store_get_db (store);
    g_autoptr (GError) error = NULL;
    gint64 t0 = g_get_monotonic_time (), dt;
    gboolean ok;

    budget_deadline_us = t0 + (gint64) budget_s * G_USEC_PER_SEC;
    sqlite3_progress_handler (db, 10000, on_progress_budget, NULL);
    if (op == WHOLE_CHECK) {
        g_autoptr (GPtrArray) problems = NULL;

        ok = kikan_store_check (store, &problems, &error);
        if (ok && problems->len > 0) {
            fprintf (stderr, "bench: %s fails its check: %s\n", kikan_store_get_path (store),
                     (const char *) problems->pdata[0]);
            ok = FALSE;
            budget_deadline_us = G_MAXINT64;  /* not a timeout */
        }
    } else {
        g_autoptr (JsonNode) queue = kikan_it_queue_to_json (store, &error);

        ok = queue != NULL;
    }
    dt = g_get_monotonic_time () - t0;
    sqlite3_progress_handler (db, 0, NULL, NULL);
    if (ok)
        return dt / 1000.0;
    if (g_get_monotonic_time () > budget_deadline_us)
        return -1;
    fail (error, op == WHOLE_CHECK ? "kikan_store_check" : "kikan_it_queue_to_json");
    return -2;
}

static void
append_whole (GString *md, const char *what, double empty_ms, double full_ms, gboolean full,
              guint budget_s)
{
    g_string_append_printf (md, "| %s | %.1f |", what, empty_ms);
    if (full) {
        if (full_ms >= 0)
            g_string_append_printf (md, " %.1f |", full_ms);
        else
            g_string_append_printf (md, " stopped after %u s |", budget_s);
    }
    g_string_append (md, "\n");
}

/* ---- report ---- */

static void
print_pass (FILE *out, Pass *p, gboolean markdown)
{
    if (markdown) {
        fprintf (out, "| operation (%s) | samples | median ms | p95 ms | max ms |\n",
                 p->title);
        fprintf (out, "|---|---:|---:|---:|---:|\n");
    } else {
        fprintf (out, "\n%s: %u check-ins, %u commits each, %" G_GINT64_FORMAT
                      " sessions in the store before\n", p->title, p->runs,
                 p->commits_per_checkin, p->sessions_before);
        fprintf (out, "  %-40s %7s %9s %9s %9s\n", "operation", "samples", "median", "p95",
                 "max (ms)");
    }
    for (guint i = 0; i < N_OPS; i++) {
        GArray *a = p->ops[i].us;
        double med = percentile_ms (a, 0.5), p95 = percentile_ms (a, 0.95),
               max = percentile_ms (a, 1.0);

        if (markdown)
            fprintf (out, "| %s | %u | %.2f | %.2f | %.2f |\n", p->ops[i].name, a->len, med,
                     p95, max);
        else
            fprintf (out, "  %-40s %7u %9.2f %9.2f %9.2f\n", p->ops[i].name, a->len, med, p95,
                     max);
    }
    if (markdown)
        fprintf (out, "\n");
}

static gint64
count_rows (KikanStore *store, const char *table)
{
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    gint64 n = -1;

    if (sqlite3_prepare_v2 (kikan_store_get_db (store), sql, -1, &st, NULL) == SQLITE_OK
        && sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return n;
}

/* The store file and its WAL, in MB. */
static double
file_mb (KikanStore *store)
{
    double total = 0;

    for (const char *const *s = (const char *const[]) { "", "-wal", NULL }; *s; s++) {
        g_autofree char *f = g_strconcat (kikan_store_get_path (store), *s, NULL);
        GStatBuf st;

        if (g_stat (f, &st) == 0)
            total += (double) st.st_size;
    }
    return total / 1e6;
}

static KikanStore *
open_store (KikanHome *home, gint64 *us)
{
    g_autoptr (GError) error = NULL;
    gint64 t0 = g_get_monotonic_time ();
    KikanStore *store = kikan_store_open (home, &error);

    if (us != NULL)
        *us = g_get_monotonic_time () - t0;
    if (store == NULL) {
        fail (error, "opening the store");
        return NULL;
    }
    sqlite3_trace_v2 (kikan_store_get_db (store), SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE,
                      on_trace, NULL);
    return store;
}

/* A kiosk in service is sealed (kikan audit init, docs/audit.md "Seals"):
 * every transaction then ends with a seal (a MAC, an Ed25519 signature)
 * and the sealing key's rewrite after the commit, which the timings must
 * include. */
static gboolean
sealed (KikanStore *store)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanAuditInit) init = kikan_audit_init (store, "bench", &error);

    if (init == NULL)
        fail (error, "sealing the store (kikan audit init)");
    return init != NULL;
}

int
main (int argc, char **argv)
{
    g_autofree char *home_path = NULL;
    g_autofree char *markdown = NULL;
    g_autofree char *scand = g_strdup (KIKAN_BENCH_SCAND);
    g_auto (GStrv) media = NULL;
    g_auto (GStrv) databases = NULL;
    gint runs = 50, prefill_n = 10000, budget = 10;
    const GOptionEntry entries[] = {
        { "home", 0, 0, G_OPTION_ARG_FILENAME, &home_path, "KIKAN_HOME to create the store in "
          "(must not hold a store yet)", "DIR" },
        { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Check-ins per store-only pass (50)", "N" },
        { "prefill", 0, 0, G_OPTION_ARG_INT, &prefill_n, "Earlier sessions for the second "
          "pass (10000; 0: no second pass)", "N" },
        { "media", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &media, "A medium to inspect (give 20)",
          "PATH" },
        { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases, "Signatures the "
          "inspector loads (repeatable)", "PATH" },
        { "scand", 0, 0, G_OPTION_ARG_FILENAME, &scand, "kikan-scand to run", "PATH" },
        { "budget", 0, 0, G_OPTION_ARG_INT, &budget, "Stop a whole-store read (db check, IT "
          "queue) after this many seconds (10)", "S" },
        { "markdown", 0, 0, G_OPTION_ARG_FILENAME, &markdown, "Write the report's tables here",
          "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— a check-in of 20 items "
                                                               "against the store");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = NULL;
    g_autoptr (GString) md = g_string_new (NULL);
    KikanStore *store = NULL, *store_b = NULL;
    g_autoptr (KikanHome) home_b = NULL;
    g_autofree char *a_path = NULL, *b_path = NULL;
    gboolean ok;
    Pass passes[2];
    guint n_passes = 0;
    gint64 template = 0, open_empty_us = 0, open_full_us = 0, prefill_us = 0;
    double sync_med[3], sync_p95[3], first_med = 0, first_p95 = 0;
    const char *const sync_modes[3] = { "FULL", "NORMAL", "OFF" };
    int status = 1;
    guint budget_s;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error)) {
        fprintf (stderr, "bench: %s\n", error->message);
        return 2;
    }
    if (home_path == NULL || runs < 1 || prefill_n < 0 || budget < 1
        || (media != NULL && g_strv_length (media) != N_ITEMS)) {
        fprintf (stderr, "bench: give --home DIR, --runs N ≥ 1, and either no --media or "
                         "exactly %d\n", N_ITEMS);
        return 2;
    }
    /* Two stores on the same file system, used in turn run after run, so
     * that whatever the disk does meanwhile (other tenants' writes) falls
     * on both alike: a = as the ledger import leaves it, b = after a
     * kiosk's year of check-ins. */
    a_path = g_build_filename (home_path, "a", NULL);
    b_path = g_build_filename (home_path, "b", NULL);
    budget_s = (guint) budget;
    slow_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    home = kikan_home_new_for_path (a_path);
    if ((store = open_store (home, &open_empty_us)) == NULL || !sealed (store)
        || !setup_ledger (store))
        goto out;
    /* The disk as the check-ins find it: on a shared machine an fsync
     * costs what the other tenants' writes make it cost at the moment. */
    if (!sync_probe (home_path, "FULL", 200, &first_med, &first_p95))
        goto out;
    if (prefill_n > 0) {
        Pass scratch;
        gint64 t0;

        home_b = kikan_home_new_for_path (b_path);
        if ((store_b = open_store (home_b, NULL)) == NULL || !sealed (store_b)
            || !setup_ledger (store_b))
            goto out;
        /* One real check-in: the rows the prefill copies. */
        pass_init (&scratch, "template");
        ok = checkin_store_only (store_b, &scratch, "E1001", &template);
        pass_clear (&scratch);
        if (!ok)
            goto out;
        t0 = g_get_monotonic_time ();
        if (!prefill (store_b, (guint) prefill_n, template))
            goto out;
        prefill_us = g_get_monotonic_time () - t0;
        /* Reopened, as the kiosk would be: the open checks the whole
         * file (integrity_check), so its time grows with the store. */
        kikan_store_free (store_b);
        if ((store_b = open_store (home_b, &open_full_us)) == NULL)
            goto out;
    }
    pass_init (&passes[n_passes++], "empty store");
    if (store_b != NULL) {
        pass_init (&passes[n_passes++], "full store");
        passes[1].sessions_before = count_rows (store_b, "sessions");
    }
    /* In the full store the check-ins are P0001's, who has 20 earlier
     * sessions spread over the year (as the verdict engine's look at
     * earlier check-ins, PROC-08, sees a real employee); the full pass
     * stops after six budgets when the store makes it slow. */
    g_hash_table_remove_all (slow_statements);  /* the prefill's own */
    {
        gint64 b_spent = 0;

        for (gint r = 0; r < runs; r++) {
            if (!checkin_store_only (store, &passes[0], "E1001", &template))
                goto out;
            if (store_b != NULL && b_spent < 6 * (gint64) budget_s * G_USEC_PER_SEC) {
                gint64 t0 = g_get_monotonic_time ();

                if (!checkin_store_only (store_b, &passes[1], "P0001", &template))
                    goto out;
                b_spent += g_get_monotonic_time () - t0;
            }
        }
    }

    printf ("stores: %s%s%s\n", kikan_store_get_path (store), store_b ? " and " : "",
            store_b ? kikan_store_get_path (store_b) : "");
    printf ("store open: %.1f ms empty", open_empty_us / 1000.0);
    if (prefill_n > 0)
        printf (", %.1f ms with %" G_GINT64_FORMAT " sessions (%.1f MB; prefill by SQL took "
                "%.1f s)", open_full_us / 1000.0, passes[1].sessions_before, file_mb (store_b),
                prefill_us / 1e6);
    printf ("\n");
    for (guint i = 0; i < n_passes; i++)
        print_pass (stdout, &passes[i], FALSE);

    g_string_append_printf (md, "Store-only check-ins: %d per store (fewer in the full one "
                            "when they are slow: see n); each is `begin`, %d "
                            "answers, %u presents (no medium), %u declared missing (2 at home, "
                            "1 lost with an incident, 1 damaged), `end_visit`, `to_json`; "
                            "%u commits per check-in.\n\n", runs, N_QUESTIONS,
                            N_ITEMS - (guint) N_MISSING, (guint) N_MISSING,
                            passes[0].commits_per_checkin);
    if (store_b != NULL)
        g_string_append_printf (md, "The two stores are used in turn, run after run: "
                                "\"empty\" holds only the pass's own sessions; \"full\" "
                                "held %" G_GINT64_FORMAT " sessions before the pass (%d added "
                                "by SQL in %.1f s, copies of a real session spread over 500 "
                                "employees and 10,000 assets, 9 in 10 of them with every item "
                                "handed back and cleared); its check-ins are those of P0001, "
                                "who has 20 of those sessions: %" G_GINT64_FORMAT " items, "
                                "%" G_GINT64_FORMAT " verdicts, %" G_GINT64_FORMAT " loans, "
                                "%.1f MB.\n\n", passes[1].sessions_before, prefill_n,
                                prefill_us / 1e6, count_rows (store_b, "items"),
                                count_rows (store_b, "verdicts"), count_rows (store_b, "loans"),
                                file_mb (store_b));
    g_string_append (md, "| operation | empty: n | median ms | p95 | max |");
    if (store_b != NULL)
        g_string_append (md, " full: n | median ms | p95 | max |");
    g_string_append (md, "\n|---|---:|---:|---:|---:|");
    if (store_b != NULL)
        g_string_append (md, "---:|---:|---:|---:|");
    g_string_append (md, "\n");
    for (guint k = 0; k < N_OPS; k++) {
        g_string_append_printf (md, "| %s |", op_names[k]);
        for (guint i = 0; i < n_passes; i++) {
            GArray *a = passes[i].ops[k].us;

            g_string_append_printf (md, " %u | %.2f | %.2f | %.2f |", a->len,
                                    percentile_ms (a, 0.5), percentile_ms (a, 0.95),
                                    percentile_ms (a, 1.0));
        }
        g_string_append (md, "\n");
    }
    g_string_append (md, "\n");

    /* 3. with inspections */
    if (media != NULL) {
        KikanInspectorConfig icfg = { 0 };
        g_autoptr (KikanInspector) inspector = NULL;
        Inspected ins[N_ITEMS] = { 0 };
        gint64 warm = 0, total = 0, sum_store = 0, sum_inspect = 0;
        g_autoptr (GArray) per_store = g_array_new (FALSE, FALSE, sizeof (gint64));

        icfg.scand_path = scand;
        icfg.databases = databases;
        icfg.jobs = 2;
        icfg.max_age_days = 36500;
        inspector = kikan_inspector_new (&icfg, NULL);
        /* In the full store when there is one: a kiosk's store after a year. */
        if (!checkin_with_media (store_b != NULL ? store_b : store, inspector,
                                 store_b != NULL ? "P0001" : "E1001", media, ins, &warm, &total))
            goto out;
        printf ("\nwith inspections: engine start %.0f ms (once per kiosk start, not counted)\n",
                warm / 1000.0);
        printf ("  %-4s %-8s %5s %8s %9s %9s %10s %10s %11s %8s\n", "item", "result", "files",
                "call ms", "start ms", "(commit)", "result ms", "(commit)", "inspect ms",
                "store/%");
        g_string_append (md, "| item | result | files | inspect_async call ms | store: start "
                             "transaction ms | of which COMMIT | store: result transaction ms "
                             "| of which COMMIT | inspection ms | store / inspection |\n"
                             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (guint i = 0; i < N_ITEMS; i++) {
            gint64 s = ins[i].start_store_us + ins[i].result_store_us;
            double ratio = ins[i].inspect_us > 0 ? (double) s / ins[i].inspect_us : NAN;

            sum_store += s;
            sum_inspect += ins[i].inspect_us;
            g_array_append_val (per_store, s);
            printf ("  %-4u %-8s %5" G_GINT64_FORMAT " %8.2f %9.2f %9.2f %10.2f %10.2f %11.1f "
                    "%7.2f%%\n", i + 1, ins[i].result ? ins[i].result : "?", ins[i].files,
                    ins[i].start_call_us / 1000.0, ins[i].start_store_us / 1000.0,
                    ins[i].start_commit_us / 1000.0,
                    ins[i].result_store_us / 1000.0, ins[i].result_commit_us / 1000.0,
                    ins[i].inspect_us / 1000.0, 100 * ratio);
            g_string_append_printf (md, "| %u | %s | %" G_GINT64_FORMAT " | %.2f | %.2f | %.2f "
                                    "| %.2f | %.2f | %.1f | %.2f%% |\n", i + 1,
                                    ins[i].result ? ins[i].result : "?", ins[i].files,
                                    ins[i].start_call_us / 1000.0,
                                    ins[i].start_store_us / 1000.0,
                                    ins[i].start_commit_us / 1000.0,
                                    ins[i].result_store_us / 1000.0,
                                    ins[i].result_commit_us / 1000.0,
                                    ins[i].inspect_us / 1000.0, 100 * ratio);
            g_free (ins[i].medium);
            g_free (ins[i].result);
        }
        printf ("  all 20: store %.1f ms, inspections %.1f ms (store / inspection %.2f%%); "
                "whole check-in %.2f s\n", sum_store / 1000.0, sum_inspect / 1000.0,
                100.0 * sum_store / MAX (sum_inspect, 1), total / 1e6);
        g_string_append_printf (md, "| **all 20** | | | | | | | | %.1f | %.2f%% |\n\n"
                                "Store time of the 20 items together: %.1f ms; inspections "
                                "%.1f ms; the whole check-in (begin to to_json, inspections "
                                "one after the other) %.2f s. Store time per medium (start and "
                                "result transactions): median %.2f ms, max %.2f ms. Engine start "
                                "(once per kiosk start, before the first medium; not counted "
                                "above): %.0f ms.\n\n", sum_inspect / 1000.0,
                                100.0 * sum_store / MAX (sum_inspect, 1), sum_store / 1000.0,
                                sum_inspect / 1000.0, total / 1e6, percentile_ms (per_store, 0.5),
                                percentile_ms (per_store, 1.0), warm / 1000.0);
        /* For bench/checkin.sh's ratio against clamscan. */
        printf ("inspect_total_ms=%.1f\n", sum_inspect / 1000.0);
    }

    /* Statements of the check-ins (not of the whole-store reads below)
     * that took more than SLOW_STATEMENT_US. */
    {
        GHashTableIter iter;
        gpointer key, value;
        guint n = 0;

        g_hash_table_iter_init (&iter, slow_statements);
        while (g_hash_table_iter_next (&iter, &key, &value)) {
            gint64 *c = value;
            g_autofree char *one_line = g_strdup (key);

            g_strdelimit (one_line, "\n", ' ');
            if (n++ == 0)
                g_string_append (md, "Statements slower than 5 ms in the check-ins above "
                                     "(COMMIT aside):\n\n| times | max ms | statement |\n"
                                     "|---:|---:|---|\n");
            printf ("slow statement: %" G_GINT64_FORMAT " times, max %.1f ms: %.200s\n", c[0],
                    c[1] / 1000.0, one_line);
            g_string_append_printf (md, "| %" G_GINT64_FORMAT " | %.1f | `%.300s` |\n", c[0],
                                    c[1] / 1000.0, one_line);
        }
        if (n > 0)
            g_string_append (md, "\n");
        g_hash_table_remove_all (slow_statements);
    }

    /* What reads the whole store: `kikan db check` (kikan_store_check,
     * which also proves the check-ins left both stores consistent) and
     * IT's queue (`kikan it list`), each stopped after --budget seconds. */
    {
        double check_a, check_b = 0, queue_a, queue_b = 0;

        if ((check_a = time_whole (store, WHOLE_CHECK, budget_s)) < 0
            || (queue_a = time_whole (store, WHOLE_IT_QUEUE, budget_s)) < 0)
            goto out;
        if (store_b != NULL) {
            if ((check_b = time_whole (store_b, WHOLE_CHECK, budget_s)) == -2
                || (queue_b = time_whole (store_b, WHOLE_IT_QUEUE, budget_s)) == -2)
                goto out;
        }
        printf ("\nkikan_store_check (kikan db check): %.1f ms empty", check_a);
        printf ("; kikan_it_queue_to_json (kikan it list): %.1f ms empty\n", queue_a);
        if (store_b != NULL)
            printf ("  full store: check %.1f ms, queue %.1f ms (-1: stopped after %u s)\n",
                    check_b, queue_b, budget_s);
        g_string_append_printf (md, "| what reads the whole store | empty ms |%s\n|---|---:|%s\n",
                                store_b != NULL ? " full ms |" : "",
                                store_b != NULL ? "---:|" : "");
        g_string_append_printf (md, "| `kikan_store_open` (quick_check, foreign_key_check, "
                                "schema) | %.1f |", open_empty_us / 1000.0);
        if (store_b != NULL)
            g_string_append_printf (md, " %.1f |", open_full_us / 1000.0);
        g_string_append (md, "\n");
        append_whole (md, "`kikan_store_check` (`kikan db check`)", check_a, check_b,
                      store_b != NULL, budget_s);
        append_whole (md, "`kikan_it_queue_to_json` (`kikan it list`)", queue_a, queue_b,
                      store_b != NULL, budget_s);
        g_string_append (md, "\n");
    }

    /* The price of synchronous=FULL on this disk. */
    printf ("\none-row transaction, WAL, 200 commits each:\n"
            "  synchronous=FULL   median %.3f ms, p95 %.3f ms (before the check-ins)\n",
            first_med, first_p95);
    g_string_append_printf (md, "| one-row transaction on a scratch file, WAL, 200 commits | "
                            "median ms | p95 ms |\n|---|---:|---:|\n"
                            "| synchronous=FULL, before the check-ins | %.3f | %.3f |\n",
                            first_med, first_p95);
    for (guint i = 0; i < 3; i++) {
        if (!sync_probe (home_path, sync_modes[i], 200, &sync_med[i], &sync_p95[i]))
            goto out;
        printf ("  synchronous=%-6s median %.3f ms, p95 %.3f ms\n", sync_modes[i], sync_med[i],
                sync_p95[i]);
        g_string_append_printf (md, "| synchronous=%s%s, after them | %.3f | %.3f |\n",
                                sync_modes[i], i == 0 ? " (the store's)" : "", sync_med[i],
                                sync_p95[i]);
    }
    g_string_append (md, "\n");
    if (markdown != NULL && !g_file_set_contents (markdown, md->str, (gssize) md->len, &error)) {
        fail (error, "writing the report");
        goto out;
    }
    status = 0;

out:
    for (guint i = 0; i < n_passes; i++)
        pass_clear (&passes[i]);
    kikan_store_free (store);
    kikan_store_free (store_b);
    g_clear_pointer (&slow_statements, g_hash_table_unref);
    return status;
}
