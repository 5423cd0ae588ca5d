/* The UI test harness (issue #11): the real kikan-kiosk application in
 * the test's process, on a temporary KIKAN_HOME, under Xvfb.
 *
 * ui_harness_new() makes the home the way the integration tests do
 * (tests/integration/kikan_it.py, test_checkin.py): kikan.conf whose
 * max_age_days lets the signed upstream test-6.cvd count as fresh, a
 * software policy file, the store made by `kikan checkin --recover`, the
 * ledger seeded with SQL, `kikan audit init` so that slips are signed.  It
 * then starts KikanKioskApplication with --windowed, the policy,
 * test-6.cvd and the project's signatures, waits until its window is on the display, runs the
 * station's self-test (KR-36) and switches the window to the employee
 * mode.  The real sandbox is used (no KIKAN_SANDBOX=null).
 *
 * Everything runs on the test's thread: the harness iterates the default
 * main context while it waits, and fails the test (cmocka) on a timeout.
 * The other UI tests (IT mode, auditor, the screenshot script) reuse it.
 */
#pragma once

#include <adwaita.h>

#include "kiosk-application.h"
#include "kiosk-window.h"

G_BEGIN_DECLS

typedef struct {
    /* Extra SQL run on the store before the application starts (after the
     * default ledger when @default_ledger); may be NULL. */
    const char *ledger_sql;
    /* TRUE: employee E1001 (山田 太郎) holding USB-0007 and USB-0008
     * (encryption not required) and E2002 with nothing; inactive E3003. */
    gboolean default_ledger;
    /* Extra kikan.conf text appended (e.g. "[kiosk]\nidle_seconds = 3\n"). */
    const char *conf_extra;
    /* "ja" or "en"; NULL: "en" (the words the tests assert). */
    const char *language;
    /* Do not switch to the employee mode nor run the self-test. */
    gboolean stay_in_startup;
    /* Called with the UiHarness * after the store, the ledger and the
     * signing key are made, before the application starts and takes the
     * check-in lock (e.g. for `kikan checkin --script`); may be NULL. */
    void (*before_start) (gpointer harness, gpointer data);
    gpointer before_start_data;
    /* The --database folder: NULL the harness's test-6.cvd folder and the
     * project's signatures; "" none (the home's imported set, kikan.conf's
     * database_dirs, then KIKAN_SIGNATURES_DIR). */
    const char *database;
} UiHarnessOptions;

typedef struct {
    char *tmp;          /* removed by ui_harness_free() */
    char *home;         /* KIKAN_HOME */
    char *db;           /* $home/kikan.db */
    char *policy;
    char *signatures;   /* a folder holding test-6.cvd */
    KikanKioskApplication *app;
    KikanKioskWindow *window;
} UiHarness;

UiHarness *ui_harness_new (const UiHarnessOptions *options);
void ui_harness_free (UiHarness *h);

/* A folder inside the harness's temporary folder, made. */
char *ui_harness_mkdir (UiHarness *h, const char *name);

/* Runs the `kikan` CLI of the build tree with the harness's KIKAN_HOME;
 * fails the test unless it exits 0.  NULL-terminated arguments. */
void ui_harness_kikan (UiHarness *h, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* g_action_group_activate_action on @window's "win" or "checkin" group
 * (the prefix of @action says which); @parameter is sunk.  Fails the test
 * when the action does not exist or is disabled. */
void ui_harness_activate (KikanKioskWindow *window, const char *action, GVariant *parameter);

/* Iterates the default main context until @predicate (@data) holds;
 * fails the test with @what after @timeout_ms. */
typedef gboolean (*UiHarnessPredicate) (gpointer data);
void ui_harness_wait_for (UiHarnessPredicate predicate, gpointer data, guint timeout_ms,
                          const char *what);
/* Iterates the main context for @ms milliseconds. */
void ui_harness_spin (guint ms);

/* One value of a query on the store (the first column of the first row);
 * the test fails on an SQL error.  _int gives 0 and _text NULL when there
 * is no row. */
gint64 ui_harness_sql_int (UiHarness *h, const char *sql);
char *ui_harness_sql_text (UiHarness *h, const char *sql);
void ui_harness_sql_exec (UiHarness *h, const char *sql);

/* The current page id of the employee flow ("welcome", "identify", …). */
const char *ui_harness_page_id (UiHarness *h);
/* Waits until the employee flow shows @page_id. */
void ui_harness_wait_for_page (UiHarness *h, const char *page_id, guint timeout_ms);

/* Draws @widget with the application's own renderer (gtk_widget_paintable
 * → gsk_renderer_render_texture) into @png_path.  FALSE with @error when
 * the widget has no size or the PNG cannot be written. */
gboolean ui_harness_snapshot (GtkWidget *widget, const char *png_path, GError **error);
/* For scripts/screenshots.sh: when $KIKAN_UI_SHOTS names a folder, the
 * window as drawn now goes to <folder>/<name>.png (after the page's
 * transition); nothing happens otherwise.  $KIKAN_UI_LANGUAGE ("ja",
 * "en") overrides the options' language for the same script. */
void ui_harness_shot (UiHarness *h, const char *name);

/* TRUE when some GtkLabel (or GtkEditable's text, or a button label)
 * under @root, visible or not, contains @needle. */
gboolean ui_harness_tree_has_text (GtkWidget *root, const char *needle);
/* Every label text under @root, joined by newlines (for messages). */
char *ui_harness_tree_text (GtkWidget *root);

/* Frame-gap recorder: the longest interval between two "after-paint"
 * ticks of @widget's frame clock while recording. */
typedef struct UiFrameGaps UiFrameGaps;
UiFrameGaps *ui_frame_gaps_start (GtkWidget *widget);
/* Stops and returns the longest gap in ms (also the tick count). */
double ui_frame_gaps_stop (UiFrameGaps *gaps, guint *n_ticks);

/* The main() of a UI test: runs the case named in argv[1] (all when
 * none), each ctest in a fresh process (ui.cmake). */
struct CMUnitTest;
int ui_harness_main (const struct CMUnitTest *tests, size_t n, int argc, char **argv);

G_END_DECLS
