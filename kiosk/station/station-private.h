/* Kikan kiosk: the kiosk station, the long-lived state of one kiosk
 * (issue #11 items 3 and 5; KR-36, KR-37, KR-38).
 *
 * `kikan checkin` lives for one check-in; `kikan-kiosk` lives all day.
 * Both need the same things around a check-in, and they live here so that
 * the UI holds no business logic of its own (DESIGN.md "Modules"):
 *
 *  - the home, kikan.conf, the store and the check-in lock, held for the
 *    station's life, with the sessions a crash left open recovered first;
 *  - IT's software policy, the signature sources and ONE warm engine
 *    (KikanInspector), loaded in the background with progress;
 *  - the kiosk's own state noted in the audit trail at each check-in
 *    start (changed kikan.conf or policy, disk capacity);
 *  - the start-up self-test (KR-36): engine detection, signature age,
 *    policy age, store integrity, audit chain, printer, clock, network
 *    (KR-38); no check-in begins until it passes;
 *  - the slip of a finished check-in, issued, printed and recorded;
 *  - an offline signature import (IT mode) that loads the new set beside
 *    the old engine, self-tests it and swaps it in atomically, or keeps
 *    the old one serving and says why.  No check-in waits for a reload:
 *    a check-in keeps the inspector it began with until it is freed.
 *
 * Everything here runs on the thread of the main context the station was
 * opened on; the slow parts (engine load, self-test scans, imports) run on
 * threads and report back through that main context.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "checkin-private.h"
#include "config-private.h"
#include "home-private.h"
#include "inspector-private.h"
#include "store-private.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_STATION (kikan_station_get_type ())
G_DECLARE_FINAL_TYPE (KikanStation, kikan_station, KIKAN, STATION, GObject)

typedef struct {
    const char *kiosk_id;        /* printed on slips; NULL: the host name */
    const char *policy_file;     /* NULL: /etc/kikan/policy.conf when present */
    const char *const *databases;/* NULL: the defaults of kikan.conf / the home */
    const char *usb_models;      /* NULL: /etc/kikan/usb.conf when present */
    gboolean null_sandbox;       /* tests only: KIKAN_SANDBOX=null was asked for */
    /* `kikan checkin` only, never the kiosk: a check-in may begin without a
     * passed self-test (kikan_station_begin_script()), as the command always
     * allowed, and the signatures are measured per script rather than at
     * open (a script that reads a medium takes MAL-05 from its engine). */
    gboolean skip_selftest_gate;
    /* `kikan checkin --recover` only: take the lock, open the store and
     * close what a crash left open, nothing more (no policy, no engine). */
    gboolean recover_only;
} KikanStationOptions;

/* Opens the station of @home (borrowed, must outlive it): takes the
 * check-in lock (KIKAN_ERROR_BUSY when another kiosk or `kikan checkin`
 * holds it), opens the store, closes sessions a crash left open, loads
 * kikan.conf, the policy and the signature sources.  Does not start the
 * engine: kikan_station_warm_async(). */
KikanStation *kikan_station_open (KikanHome *home, const KikanStationOptions *options,
                                  GError **error);

KikanHome *kikan_station_get_home (KikanStation *self);
KikanStore *kikan_station_get_store (KikanStation *self);
const KikanConfig *kikan_station_get_config (KikanStation *self);
const char *kikan_station_get_kiosk_id (KikanStation *self);
/* How many sessions kikan_station_open() found open and closed. */
guint kikan_station_get_n_recovered (KikanStation *self);
/* The disk will not hold another year of audit records: what to do, as
 * noted at the last check-in's start (KR-32); NULL when it will. */
const char *kikan_station_get_disk_warning (KikanStation *self);

/* ---- The engine ---------------------------------------------------- */

typedef enum {
    KIKAN_ENGINE_STOPPED,   /* not loaded yet */
    KIKAN_ENGINE_LOADING,   /* the daemon is loading the signatures */
    KIKAN_ENGINE_READY,     /* loaded; inspections start at once */
    KIKAN_ENGINE_FAILED,    /* could not load: kikan_station_get_engine_problem() */
} KikanEngineState;

/* Property "engine-state" (notify::engine-state on the main context). */
KikanEngineState kikan_station_get_engine_state (KikanStation *self);
/* Why the engine failed, for IT; NULL unless FAILED. */
const char *kikan_station_get_engine_problem (KikanStation *self);
/* "ClamAV 1.4.6, daily 27123 (2026-11-30), 8,700,000 signatures", or NULL. */
const char *kikan_station_get_engine_summary (KikanStation *self);

/* Starts the daemon and loads the engine on a thread.  Completes when it
 * is READY or FAILED; a second call while loading joins the first. */
void kikan_station_warm_async (KikanStation *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean kikan_station_warm_finish (KikanStation *self, GAsyncResult *result, GError **error);

/* ---- The start-up self-test (KR-36) -------------------------------- */

typedef enum {
    KIKAN_CHECK_PASS,
    KIKAN_CHECK_WARN,       /* service goes on; shown to IT (e.g. printer out of paper) */
    KIKAN_CHECK_FAIL,       /* no check-in until it passes */
} KikanCheckStatus;

typedef struct {
    char *id;               /* "engine", "signatures", "policy", "store", "audit",
                             * "printer", "clock", "network" */
    KikanCheckStatus status;
    char *detail;           /* what was found, one sentence, escaped for display */
    char *remedy;           /* what IT must do, NULL on PASS */
} KikanStationCheck;

typedef struct {
    GPtrArray *checks;      /* KikanStationCheck*, in the order above */
    gboolean passed;        /* no FAIL */
    char *at;               /* when it ran (UTC, ISO 8601) */
} KikanStationReport;

void kikan_station_report_free (KikanStationReport *report);  /* accepts NULL */

/* Runs every check (the engine one scans the self-test fixtures through
 * the warm engine, warming it first) and records a "selftest" audit
 * record with the outcome.  The report is also kept: see
 * kikan_station_get_last_report() and kikan_station_may_check_in(). */
void kikan_station_selftest_async (KikanStation *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
KikanStationReport *kikan_station_selftest_finish (KikanStation *self, GAsyncResult *result,
                                                   GError **error);
/* Borrowed; NULL before the first self-test ended. */
const KikanStationReport *kikan_station_get_last_report (KikanStation *self);
/* TRUE only after a self-test passed and the engine is READY (KR-36). */
gboolean kikan_station_may_check_in (KikanStation *self);

/* KR-38: the names of network interfaces other than loopback that are up
 * (free with g_strfreev); empty when the kiosk is offline as it must be. */
char **kikan_station_dup_network_interfaces_up (KikanStation *self);

/* ---- A check-in ---------------------------------------------------- */

/* Notes the kiosk's state in the audit trail (changed kikan.conf or
 * policy, disk capacity), then begins a check-in of @employee_id with the
 * warm inspector and the station's options.  KIKAN_ERROR_BUSY when the
 * self-test has not passed.  The check-in borrows the station. */
KikanCheckin *kikan_station_begin_checkin (KikanStation *self, const char *employee_id,
                                           GError **error);

/* `kikan checkin --script` (a station opened with skip_selftest_gate): notes
 * the kiosk's state, checks the whole @script against the store (nothing
 * is recorded when it cannot be played: kikan_checkin_check_script()) and
 * begins its check-in without the self-test gate.  The signatures for
 * MAL-05 are measured here when the script reads no medium; when it
 * does, the engine that reads it measures them. */
KikanCheckin *kikan_station_begin_script (KikanStation *self, const KikanScript *script,
                                          GError **error);

/* Ends the station's part in @checkin (from either begin function) and
 * frees it: an engine that an import swapped out is freed once no
 * check-in that began on it remains.  Use this instead of
 * kikan_checkin_free() for a station's check-ins; every check-in must be
 * ended before the station is freed. */
void kikan_station_end_checkin (KikanStation *self, KikanCheckin *checkin);
/* Check-ins begun and not yet ended with kikan_station_end_checkin(): 0
 * between two employees.  A check-in freed any other way stays counted,
 * and keeps an engine an import swapped out alive (tests, scripts/soak.sh). */
guint kikan_station_get_n_checkins (KikanStation *self);

typedef struct {
    char *number;           /* NULL when no slip was issued */
    char *pdf_path;
    char *payload;          /* the QR's "KS1:…" text */
    char *not_issued;       /* why no slip, with what IT can do; NULL when issued */
    char *print_outcome;    /* kikan_slip_print_outcome_name(), or "failed" */
    char *print_queue;      /* may be NULL */
    char *print_message;    /* what the person is told, NULL when printed */
    gboolean print_recorded;
    char *print_error;      /* why the attempt could not be made or recorded; NULL when
                             * print_recorded */
} KikanStationSlip;

void kikan_station_slip_free (KikanStationSlip *slip);  /* accepts NULL */

/* Issues the slip of ended session @session_id (KR-27), prints it to the
 * [print] queue without a dialog and records the attempt.  Never fails:
 * what went wrong is in the result.  When @root (kikan_checkin_to_json())
 * is given, "slip" / "slip_not_issued" are set in it as `kikan checkin
 * --json` writes them. */
KikanStationSlip *kikan_station_issue_slip (KikanStation *self, gint64 session_id,
                                            JsonNode *root);

/* ---- Signatures (IT mode) ------------------------------------------ */

/* Imports the databases in @source_dir (a folder on an import medium) as
 * `kikan signatures import` does, recorded by @by; then starts a second
 * engine on the new set beside the warm one, self-tests it and swaps it
 * in.  On any failure the old engine keeps serving, the set in use is
 * unchanged (or restored) and @error says why and what to do.  A check-in
 * that began before the swap finishes with the engine it began with. */
void kikan_station_import_signatures_async (KikanStation *self, const char *source_dir,
                                            const char *by, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean kikan_station_import_signatures_finish (KikanStation *self, GAsyncResult *result,
                                                 GError **error);
/* Increments each time a new engine is swapped in (tests use it);
 * property "engine-generation", notified on the main context. */
guint kikan_station_get_engine_generation (KikanStation *self);

/* ---- The clock (KR-37) --------------------------------------------- */

/* IT confirms the kiosk's clock reads true, recorded with who; the last
 * confirmation is shown on the status screen.  NULL when never. */
gboolean kikan_station_confirm_clock (KikanStation *self, const char *by, GError **error);
char *kikan_station_dup_last_clock_confirmation (KikanStation *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanStationReport, kikan_station_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanStationSlip, kikan_station_slip_free)

G_END_DECLS
