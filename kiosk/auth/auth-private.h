/* Kikan kiosk: IT staff accounts for IT mode (issue #11 item 2; KR-35;
 * docs/it-accounts.md).
 *
 *  - passwords are stored as libsodium's argon2id strings
 *    (crypto_pwhash_str: salt and cost inside), never as text;
 *  - an account starts with an initial password that must be changed
 *    before IT mode opens (KIKAN_AUTH_MUST_CHANGE);
 *  - after [it] max_failures wrong passwords in a row (default 5) the
 *    account is locked for [it] lockout_minutes (default 15): while
 *    locked, not even the right password opens it;
 *  - every attempt (right, wrong, locked, unknown account) is an
 *    "it_login" audit record in the same transaction as the counters it
 *    changes, so the audit log and the lock-out never disagree.
 * An unknown account is answered exactly like a wrong password (and costs
 * the same time), so the kiosk does not tell who has an account.
 */
#pragma once

#include <glib.h>

#include "store-private.h"

#define KIKAN_AUTH_MIN_PASSWORD_CHARS 12
#define KIKAN_AUTH_MAX_PASSWORD_BYTES 1024

/* IT mode closes after this long without a key or a touch (kikan-kiosk). */
#define KIKAN_AUTH_DEFAULT_IDLE_SECONDS 300

typedef struct {
    guint max_failures;     /* 1 … 100 */
    guint lockout_minutes;  /* 1 … 10080 */
    guint clock_confirm_days; /* 1 … 3650: how long IT's confirmation of the clock holds
                               * (KR-37; the station's self-test) */
    guint idle_seconds;     /* 10 … 86400: a session of IT mode ends after this idle time */
} KikanAuthPolicy;

/* [it] of kikan.conf at @conf_path (defaults when the file or a key is
 * missing); KIKAN_ERROR_CONFIG naming the file and the key otherwise. */
gboolean kikan_auth_policy_load (const char *conf_path, KikanAuthPolicy *out, GError **error);

typedef enum {
    KIKAN_AUTH_OK,          /* IT mode opens */
    KIKAN_AUTH_MUST_CHANGE, /* right password, but the initial one: change it first */
    KIKAN_AUTH_REFUSED,     /* wrong password or no such account */
    KIKAN_AUTH_LOCKED,      /* locked until locked_until (this attempt may have locked it) */
} KikanAuthOutcome;

typedef struct {
    KikanAuthOutcome outcome;
    guint failures_left;    /* after a refusal: attempts before the lock-out */
    gint64 locked_until;    /* Unix time, when LOCKED */
} KikanAuthResult;

/* Which mode an account opens (schema step 4 → 5; KR-31): an IT account
 * opens IT mode only, an auditor account auditor mode only, so that the
 * read-only role can never resolve or override anything, and IT staff do
 * not audit themselves. */
typedef enum {
    KIKAN_AUTH_ROLE_IT,
    KIKAN_AUTH_ROLE_AUDITOR,
} KikanAuthRole;

/* "it" or "auditor"; FALSE when @name is neither. */
gboolean kikan_auth_role_parse (const char *name, KikanAuthRole *out);
const char *kikan_auth_role_name (KikanAuthRole role);

/* A new IT account @id (1-64 letters, digits, '.', '_', '-') with an
 * initial password of at least KIKAN_AUTH_MIN_PASSWORD_CHARS characters
 * that must be changed at the first login.  KIKAN_ERROR_CONFLICT when it
 * exists (whatever its role). */
gboolean kikan_auth_add_account (KikanStore *store, const char *id, const char *password,
                                 GError **error);
/* The same, for @role; the "it_account_add" record names an auditor's role. */
gboolean kikan_auth_add_account_with_role (KikanStore *store, const char *id, KikanAuthRole role,
                                           const char *password, GError **error);

/* One attempt to open IT mode, recorded (see above).  FALSE only when the
 * store failed. */
gboolean kikan_auth_login (KikanStore *store, const KikanAuthPolicy *policy, const char *id,
                           const char *password, KikanAuthResult *result, GError **error);
/* One attempt to open the mode of @role.  An account of the other role is
 * answered exactly like an unknown account (same words, same cost, no
 * count), and recorded as outcome "wrong_mode".  An attempt at auditor
 * mode is an "it_login" record with "mode": "auditor" (IT mode's records
 * have no "mode", as before step 5). */
gboolean kikan_auth_login_as (KikanStore *store, const KikanAuthPolicy *policy, KikanAuthRole role,
                              const char *id, const char *password, KikanAuthResult *result,
                              GError **error);

/* A login with @old (counted and recorded like any, for an account of
 * either role), then @new_password
 * replaces it when it is at least KIKAN_AUTH_MIN_PASSWORD_CHARS
 * characters, differs from @old and from the account's name
 * (KIKAN_ERROR_USAGE says which rule it breaks).  *@result is the login's.
 * TRUE when the password was changed. */
gboolean kikan_auth_change_password (KikanStore *store, const KikanAuthPolicy *policy,
                                     const char *id, const char *old, const char *new_password,
                                     KikanAuthResult *result, GError **error);
