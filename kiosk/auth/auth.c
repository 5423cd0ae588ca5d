/* Kikan kiosk: IT staff accounts (auth-private.h). */
#include "auth-private.h"

#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "audit-private.h"
#include "error-private.h"
#include "format-private.h"
#include "escape-private.h"

#define DEFAULT_MAX_FAILURES 5u
#define DEFAULT_LOCKOUT_MINUTES 15u
#define DEFAULT_CLOCK_CONFIRM_DAYS 30u

static gboolean
config_error (GError **error, const char *path, const char *key, const char *why)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s: [it] %s %s", path, key, why);
    return FALSE;
}

static gboolean
read_uint (GKeyFile *kf, const char *path, const char *key, guint min, guint max, guint *out,
           GError **error)
{
    g_autofree char *v = g_key_file_get_value (kf, "it", key, NULL);
    guint64 n = 0;

    if (v == NULL)
        return TRUE;
    g_strstrip (v);
    if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL)) {
        g_autofree char *why = g_strdup_printf ("must be a whole number from %u to %u", min, max);

        return config_error (error, path, key, why);
    }
    *out = (guint)n;
    return TRUE;
}

gboolean
kikan_auth_policy_load (const char *conf_path, KikanAuthPolicy *out, GError **error)
{
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    g_auto (GStrv) keys = NULL;

    out->max_failures = DEFAULT_MAX_FAILURES;
    out->lockout_minutes = DEFAULT_LOCKOUT_MINUTES;
    out->clock_confirm_days = DEFAULT_CLOCK_CONFIRM_DAYS;
    out->idle_seconds = KIKAN_AUTH_DEFAULT_IDLE_SECONDS;
    if (!g_key_file_load_from_file (kf, conf_path, G_KEY_FILE_NONE, &local)) {
        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s: %s", conf_path,
                     local->message);
        return FALSE;
    }
    if (!g_key_file_has_group (kf, "it"))
        return TRUE;
    keys = g_key_file_get_keys (kf, "it", NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
        if (strcmp (keys[i], "max_failures") != 0 && strcmp (keys[i], "lockout_minutes") != 0
            && strcmp (keys[i], "clock_confirm_days") != 0
            && strcmp (keys[i], "idle_seconds") != 0) {
            g_autofree char *shown = kikan_escape_for_display (keys[i], -1);

            return config_error (error, conf_path, shown,
                                 "is not a known key (max_failures, lockout_minutes, "
                                 "clock_confirm_days, idle_seconds)");
        }
    return read_uint (kf, conf_path, "max_failures", 1, 100, &out->max_failures, error)
           && read_uint (kf, conf_path, "clock_confirm_days", 1, 3650, &out->clock_confirm_days,
                         error)
           && read_uint (kf, conf_path, "lockout_minutes", 1, 10080, &out->lockout_minutes,
                         error)
           && read_uint (kf, conf_path, "idle_seconds", 10, 86400, &out->idle_seconds, error);
}

static gboolean
bad_id (GError **error)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "An IT account name is 1 to 64 letters, digits, '.', '_' or '-'.");
    return FALSE;
}

static gboolean
password_acceptable (const char *id, const char *password, const char *old, GError **error)
{
    if (password == NULL || !g_utf8_validate (password, -1, NULL)
        || strlen (password) > KIKAN_AUTH_MAX_PASSWORD_BYTES) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "A password is text of at most %d bytes.", KIKAN_AUTH_MAX_PASSWORD_BYTES);
        return FALSE;
    }
    if (g_utf8_strlen (password, -1) < KIKAN_AUTH_MIN_PASSWORD_CHARS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "The password is too short: use at least %d characters (a sentence works "
                     "well).",
                     KIKAN_AUTH_MIN_PASSWORD_CHARS);
        return FALSE;
    }
    if (g_ascii_strcasecmp (password, id) == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "The password may not be the account's name.");
        return FALSE;
    }
    if (old != NULL && strcmp (password, old) == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "The new password must differ from the old one.");
        return FALSE;
    }
    return TRUE;
}

static gboolean
hash_password (const char *password, char out[crypto_pwhash_STRBYTES], GError **error)
{
    /* argon2id at libsodium's "interactive" cost (64 MiB, about 0.1 s
     * here): an IT login at the kiosk, not a server under load. */
    if (sodium_init () < 0
        || crypto_pwhash_str (out, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE)
               != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The password could not be hashed (out of memory?).");
        return FALSE;
    }
    return TRUE;
}

gboolean
kikan_auth_role_parse (const char *name, KikanAuthRole *out)
{
    if (g_strcmp0 (name, "it") == 0)
        *out = KIKAN_AUTH_ROLE_IT;
    else if (g_strcmp0 (name, "auditor") == 0)
        *out = KIKAN_AUTH_ROLE_AUDITOR;
    else
        return FALSE;
    return TRUE;
}

const char *
kikan_auth_role_name (KikanAuthRole role)
{
    return role == KIKAN_AUTH_ROLE_AUDITOR ? "auditor" : "it";
}

gboolean
kikan_auth_add_account (KikanStore *store, const char *id, const char *password, GError **error)
{
    return kikan_auth_add_account_with_role (store, id, KIKAN_AUTH_ROLE_IT, password, error);
}

gboolean
kikan_auth_add_account_with_role (KikanStore *store, const char *id, KikanAuthRole role,
                                  const char *password, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (JsonNode) payload = NULL;
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *st;
    int rc;

    if (!kikan_id_is_plain (id))
        return bad_id (error);
    if (!password_acceptable (id, password, NULL, error) || !hash_password (password, hash, error))
        return FALSE;
    if (!kikan_store_begin (store, error))
        return FALSE;
    st = kikan_store_prepare (store,
                              "INSERT INTO it_accounts (id, password_hash, must_change, "
                              "created_at, changed_at, role) VALUES (?, ?, 1, ?, ?, ?)",
                              error);
    if (st == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, id);
    kikan_store_bind_text (st, 2, hash);
    kikan_store_bind_text (st, 3, now);
    kikan_store_bind_text (st, 4, now);
    kikan_store_bind_text (st, 5, kikan_auth_role_name (role));
    rc = sqlite3_step (st);
    sqlite3_finalize (st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "There is already an IT account %s; nothing was changed.", id);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        kikan_store_fail (store, "Could not add the IT account", error);
        goto fail;
    }
    /* An IT account's record is as it was before roles (step 5). */
    payload = role == KIKAN_AUTH_ROLE_AUDITOR
                  ? kikan_audit_payload ("account", id, "role", "auditor", NULL)
                  : kikan_audit_payload ("account", id, NULL);
    if (!kikan_audit_append (store, "it_account_add", 0, payload, error)
        || !kikan_store_commit (store, error))
        goto fail;
    return TRUE;

fail:
    kikan_store_rollback (store);
    return FALSE;
}

typedef struct {
    gboolean found;
    char *hash;
    gboolean must_change;
    gint64 failures;
    gint64 locked_until; /* 0: not locked */
    KikanAuthRole role;
} Account;

static void
account_clear (Account *a)
{
    if (a->hash != NULL)
        sodium_memzero (a->hash, strlen (a->hash));
    g_free (a->hash);
}

static gboolean
read_account (KikanStore *store, const char *id, Account *a, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store,
                                            "SELECT password_hash, must_change, failures, "
                                            "locked_until, role FROM it_accounts WHERE id = ?",
                                            error);
    int rc;

    memset (a, 0, sizeof *a);
    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        const char *until = (const char *)sqlite3_column_text (st, 3);

        a->found = TRUE;
        a->hash = kikan_store_column_dup (st, 0);
        a->must_change = sqlite3_column_int (st, 1) != 0;
        a->failures = sqlite3_column_int64 (st, 2);
        /* Anything but "it" opens no IT mode (fail closed). */
        a->role = g_strcmp0 ((const char *)sqlite3_column_text (st, 4), "it") == 0
                      ? KIKAN_AUTH_ROLE_IT
                      : KIKAN_AUTH_ROLE_AUDITOR;
        if (until != NULL) {
            g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (until, NULL);

            /* An unreadable lock is a lock (fail closed): for a day. */
            a->locked_until = t != NULL ? g_date_time_to_unix (t)
                                        : kikan_store_now_unix () + 24 * 3600;
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the IT accounts", error);
    return TRUE;
}

static char *
iso (gint64 t)
{
    g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (t);

    return g_date_time_format (d, "%Y-%m-%dT%H:%M:%SZ");
}

/* @mode: "auditor" for an attempt at auditor mode, NULL for IT mode (or a
 * password change), whose records keep their shape from before step 5. */
static gboolean
record_attempt (KikanStore *store, const char *mode, const char *id, const char *outcome,
                gint64 failures, gint64 locked_until, GError **error)
{
    g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, failures);
    g_autofree char *until = locked_until > 0 ? iso (locked_until) : NULL;
    g_autoptr (JsonNode) payload = kikan_audit_payload ("account", id, "outcome", outcome,
                                                        "failures", n, "locked_until", until,
                                                        NULL);

    if (mode != NULL)
        json_object_set_string_member (json_node_get_object (payload), "mode", mode);

    return kikan_audit_append (store, "it_login", 0, payload, error);
}

static gboolean
update_counters (KikanStore *store, const char *id, gint64 failures, gint64 locked_until,
                 GError **error)
{
    g_autofree char *until = locked_until > 0 ? iso (locked_until) : NULL;
    sqlite3_stmt *st = kikan_store_prepare (
        store, "UPDATE it_accounts SET failures = ?, locked_until = ? WHERE id = ?", error);

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, failures);
    kikan_store_bind_text (st, 2, until);
    kikan_store_bind_text (st, 3, id);
    return kikan_store_step_done (store, st, "Could not update the IT account", error);
}

/* The argon2id string of a random password nobody kept, at the cost every
 * account's hash has, verified when the account does not exist: an
 * unknown name then costs exactly one verification, as a wrong password
 * does (a hash made at run time would cost a second argon2id run). */
static const char dummy_hash[crypto_pwhash_STRBYTES]
    = "$argon2id$v=19$m=65536,t=2,p=1$HwgdtlxQL3JhpLkzZ/1cNQ$041g8b6k28k7c9/lZSZ6SdjtDC9DuI2gqHH+41W3nkE";

/* @role: the mode asked for; -1: any (a password change). */
static gboolean
login (KikanStore *store, const KikanAuthPolicy *policy, int role, const char *id,
       const char *password, KikanAuthResult *result, GError **error)
{
    const char *mode = role == KIKAN_AUTH_ROLE_AUDITOR ? "auditor" : NULL;
    g_autofree char *shown_id = NULL;
    Account a;
    gint64 now = kikan_store_now_unix ();
    gboolean right;
    const char *outcome;

    memset (result, 0, sizeof *result);
    result->outcome = KIKAN_AUTH_REFUSED;
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "libsodium failed to start.");
        return FALSE;
    }
    if (password == NULL)
        password = "";
    /* A name that could never be an account is still an attempt: it is
     * recorded (escaped), and answered like any refusal. */
    if (id == NULL)
        id = "";
    /* Its first 200 bytes: the escape reads exactly the length it is given. */
    shown_id = kikan_id_is_plain (id) ? g_strdup (id)
                                     : kikan_escape_for_display (id, (gssize)strnlen (id, 200));
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!read_account (store, shown_id, &a, error))
        goto fail;
    if (!a.found || !kikan_id_is_plain (id) || (role >= 0 && (int)a.role != role)) {
        /* The answer is always "no"; only the time it takes matters.  An
         * account of the other mode is answered the same way, and its
         * counters are left alone: its password was not even looked at. */
        if (crypto_pwhash_str_verify (dummy_hash, password, strlen (password)) == 0)
            g_warning ("a random password matched");
        outcome = a.found && kikan_id_is_plain (id) ? "wrong_mode" : "unknown_account";
        result->failures_left = policy->max_failures;
        if (!record_attempt (store, mode, shown_id, outcome, 0, 0, error))
            goto fail;
    } else if (a.locked_until > now) {
        /* Locked: the password is not even looked at. */
        result->outcome = KIKAN_AUTH_LOCKED;
        result->locked_until = a.locked_until;
        if (!record_attempt (store, mode, id, "locked", a.failures, a.locked_until, error))
            goto fail;
    } else {
        right = strlen (password) <= KIKAN_AUTH_MAX_PASSWORD_BYTES
                && crypto_pwhash_str_verify (a.hash, password, strlen (password)) == 0;
        if (right) {
            result->outcome = a.must_change ? KIKAN_AUTH_MUST_CHANGE : KIKAN_AUTH_OK;
            if (!update_counters (store, id, 0, 0, error)
                || !record_attempt (store, mode, id, a.must_change ? "ok_must_change" : "ok", 0,
                                    0, error))
                goto fail;
        } else {
            gint64 failures = a.failures + 1, until = 0;

            if (failures >= policy->max_failures) {
                until = now + (gint64)policy->lockout_minutes * 60;
                result->outcome = KIKAN_AUTH_LOCKED;
                result->locked_until = until;
                outcome = "wrong_password_locked";
            } else {
                result->failures_left = policy->max_failures - (guint)failures;
                outcome = "wrong_password";
            }
            if (!update_counters (store, id, until > 0 ? 0 : failures, until, error)
                || !record_attempt (store, mode, id, outcome, failures, until, error))
                goto fail;
        }
    }
    account_clear (&a);
    return kikan_store_commit (store, error);

fail:
    account_clear (&a);
    kikan_store_rollback (store);
    return FALSE;
}

gboolean
kikan_auth_login (KikanStore *store, const KikanAuthPolicy *policy, const char *id,
                  const char *password, KikanAuthResult *result, GError **error)
{
    return login (store, policy, KIKAN_AUTH_ROLE_IT, id, password, result, error);
}

gboolean
kikan_auth_login_as (KikanStore *store, const KikanAuthPolicy *policy, KikanAuthRole role,
                     const char *id, const char *password, KikanAuthResult *result,
                     GError **error)
{
    return login (store, policy, (int)role, id, password, result, error);
}

gboolean
kikan_auth_change_password (KikanStore *store, const KikanAuthPolicy *policy, const char *id,
                            const char *old, const char *new_password, KikanAuthResult *result,
                            GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (JsonNode) payload = NULL;
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *st;

    /* The rules first, so that a refused new password costs no attempt. */
    if (!kikan_id_is_plain (id))
        return bad_id (error);
    if (!password_acceptable (id, new_password, old, error))
        return FALSE;
    /* An auditor changes an initial password the same way. */
    if (!login (store, policy, -1, id, old, result, error))
        return FALSE;
    if (result->outcome != KIKAN_AUTH_OK && result->outcome != KIKAN_AUTH_MUST_CHANGE)
        return FALSE;
    if (!hash_password (new_password, hash, error) || !kikan_store_begin (store, error))
        return FALSE;
    st = kikan_store_prepare (store,
                              "UPDATE it_accounts SET password_hash = ?, must_change = 0, "
                              "failures = 0, locked_until = NULL, changed_at = ? WHERE id = ?",
                              error);
    if (st == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, hash);
    kikan_store_bind_text (st, 2, now);
    kikan_store_bind_text (st, 3, id);
    payload = kikan_audit_payload ("account", id, NULL);
    if (!kikan_store_step_done (store, st, "Could not change the password", error)
        || !kikan_audit_append (store, "it_password_change", 0, payload, error)
        || !kikan_store_commit (store, error))
        goto fail;
    sodium_memzero (hash, sizeof hash);
    return TRUE;

fail:
    sodium_memzero (hash, sizeof hash);
    kikan_store_rollback (store);
    return FALSE;
}
