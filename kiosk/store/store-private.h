/* Kikan kiosk: the store, one SQLite file under the state home
 * (issue #9 item 1; docs/store.md).
 *
 *   $KIKAN_HOME/kikan.db   WAL, foreign_keys=ON, synchronous=FULL
 *
 * The store keeps evidence (sessions, declarations, inspections, verdicts,
 * IT actions: KR-08, KR-30) and the lending ledger (KR-01, KR-06).  It is
 * never overwritten, repaired or re-created by the program: a file that is
 * not a Kikan store, that fails PRAGMA integrity_check or
 * foreign_key_check, or whose schema is newer than this program makes
 * kikan_store_open() refuse service with a KIKAN_ERROR_STORE_* code, and
 * the file stays byte for byte as it was.  `kikan db check` then tells IT
 * what is wrong (kikan_store_check_file(), read-only).
 *
 * One KikanStore is one connection; use it from one thread at a time.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "home-private.h"

/* The schema version this program writes and understands (PRAGMA
 * user_version).  Older stores are migrated forward on open. */
#define KIKAN_STORE_SCHEMA_VERSION 5

/* The busy timeout every connection sets: the kiosk and a `kikan` command
 * run by IT may use the store at the same time (WAL lets readers go on;
 * writers wait this long for each other). */
#define KIKAN_STORE_BUSY_TIMEOUT_MS 10000

typedef struct KikanStore KikanStore;

/* Opens $KIKAN_HOME/kikan.db, creating the home (0700) and the file (0600)
 * when missing, checks it (integrity_check, foreign_key_check, schema
 * version), sets and verifies the PRAGMAs, and migrates an older schema
 * forward, each step in one transaction.  NULL with @error set when the
 * store refuses service: KIKAN_ERROR_STORE_NOT_DATABASE, _NOT_KIKAN,
 * _CORRUPT, _FOREIGN_KEYS, _TOO_NEW (the file was not changed), or
 * KIKAN_ERROR_STORE / KIKAN_ERROR_HOME for other failures.  Free with
 * kikan_store_free(). */
KikanStore *kikan_store_open (KikanHome *home, GError **error);
/* The same for a store file at @path (tests, tools). */
KikanStore *kikan_store_open_path (const char *path, GError **error);
/* $KIKAN_HOME/kikan.db read-only, for commands that must change nothing
 * (`kikan ledger import --dry-run`): the same refusals, no PRAGMA set, no
 * migration, and no file left behind.  KIKAN_ERROR_NOT_FOUND when there
 * is no store.  Its schema may be older than this program's
 * (kikan_store_get_version; 0: an empty store, no tables). */
KikanStore *kikan_store_open_readonly (KikanHome *home, GError **error);
void kikan_store_free (KikanStore *self); /* accepts NULL */

/* The schema version of the open store. */
int kikan_store_get_version (KikanStore *self);

/* $KIKAN_HOME/kikan.db; free it. */
char *kikan_store_dup_path_for_home (KikanHome *home);
/* Borrowed. */
const char *kikan_store_get_path (KikanStore *self);
/* The connection, borrowed: for the other parts' prepared statements. */
sqlite3 *kikan_store_get_db (KikanStore *self);

/* BEGIN IMMEDIATE (takes the write lock at once, so that a transaction
 * never fails half-way for a lock), COMMIT, ROLLBACK.  Rollback never
 * fails loudly: it is what error paths call; it accepts a store with no
 * open transaction. */
gboolean kikan_store_begin (KikanStore *self, GError **error);
gboolean kikan_store_commit (KikanStore *self, GError **error);
void kikan_store_rollback (KikanStore *self);

/* @fn runs once, after the next kikan_store_commit() that succeeds; a
 * rollback drops it.  What must follow a commit and never precede it (the
 * audit sealing key is evolved only once its seal is on disk).  Adding the
 * same @fn and @data twice runs it once. */
typedef void (*KikanStoreAfterCommit) (KikanStore *store, gpointer data);
void kikan_store_after_commit (KikanStore *self, KikanStoreAfterCommit fn, gpointer data);

/* @fn runs once, inside the transaction, just before the next
 * kikan_store_commit() (a rollback drops it); when it fails, the
 * transaction is rolled back and the commit fails with its error.  What
 * must close every transaction (the audit seal over its last record). */
typedef gboolean (*KikanStoreBeforeCommit) (KikanStore *store, gpointer data, GError **error);
void kikan_store_before_commit (KikanStore *self, KikanStoreBeforeCommit fn, gpointer data);

/* The small steps every part's statements take, so that each reports a
 * failure the same way (kikan_store_set_error, with @what: "Could not
 * record the item").  prepare returns NULL with @error set; step_done runs
 * a statement that returns no rows and finalizes it; bind_text binds NULL
 * for NULL; column_dup copies a text column (NULL for NULL). */
sqlite3_stmt *kikan_store_prepare (KikanStore *self, const char *sql, GError **error);
gboolean kikan_store_step_done (KikanStore *self, sqlite3_stmt *st, const char *what,
                                GError **error);
void kikan_store_bind_text (sqlite3_stmt *st, int i, const char *v);
char *kikan_store_column_dup (sqlite3_stmt *st, int i);
/* kikan_store_set_error() with the connection's last error. */
gboolean kikan_store_fail (KikanStore *self, const char *what, GError **error);

/* Runs @sql (one or more statements, no parameters). */
gboolean kikan_store_exec (KikanStore *self, const char *sql, GError **error);

/* Sets @error (KIKAN_ERROR_STORE, or _CORRUPT / _NOT_DATABASE for those
 * SQLite codes) as "@what: <sqlite's message>. <what to do>".  @db may be
 * NULL.  Returns FALSE, for `return kikan_store_set_error (…);`. */
gboolean kikan_store_set_error (GError **error, sqlite3 *db, int rc, const char *what);

/* The time now, UTC, "YYYY-MM-DDTHH:MM:SSZ"; and the date, "YYYY-MM-DD".
 * KIKAN_FAKE_NOW=<unix seconds> fixes the clock: a test seam, honoured only
 * from the build tree (kikan/test-seam.h; docs/store.md).  Free them. */
char *kikan_store_now_iso (void);
char *kikan_store_today (void);
/* The Unix time those use. */
gint64 kikan_store_now_unix (void);

/* Project checks of an open store: PRAGMA integrity_check,
 * foreign_key_check and the invariants of docs/store.md.  *@problems gets
 * one printable (escaped) line per problem, empty when the store is
 * intact.  FALSE with @error set only when the check itself could not
 * run. */
gboolean kikan_store_check (KikanStore *self, GPtrArray **problems, GError **error);

/* The same on the file at @path, opened read-only, for `kikan db check`:
 * works on a store that kikan_store_open() refuses (not a database,
 * damaged, newer schema), and reports why as problems.  *@version gets
 * the schema version (-1 when unknown).  FALSE with @error set when
 * there is nothing to check (no such file) or it cannot be read. */
gboolean kikan_store_check_file (const char *path, GPtrArray **problems, int *version,
                                 GError **error);

/* Internal to store/: a read-only connection to @path.  It never writes
 * the store file; like any SQLite reader of a WAL database it may leave
 * an empty -wal and a -shm beside it, which it must not remove (another
 * program may be about to write into them). */
typedef struct {
    sqlite3 *db;
    char *path;
} KikanStoreReader;

int kikan_store_reader_open (KikanStoreReader *r, const char *path);
void kikan_store_reader_close (KikanStoreReader *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanStore, kikan_store_free)
