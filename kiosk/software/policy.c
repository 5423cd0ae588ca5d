/* Kikan kiosk: the software policy (issue #4 item 1; docs/policy.md).
 *
 * inih splits "key = value" lines and strips inline comments; everything
 * else is checked here, line by line, in the reader that feeds inih.  The
 * reader mirrors inih's own classification of a line (comment, section
 * header, continuation, key) so that it can (1) know which section a key
 * belongs to even when the header is longer than inih's 50-byte section
 * buffer, (2) refuse what inih would silently accept (a long line split in
 * two, a NUL byte, invalid UTF-8, an indented continuation line, text after
 * "]"), and (3) name every syntax error in plain words with its line.
 */
#include "policy-private.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error-private.h"

#define POLICY_MAX_BYTES (1u << 20)
/* inih's line buffer is 200 bytes (INI_MAX_LINE): a line plus "\r\n\0". */
#define POLICY_MAX_LINE 197
#define POLICY_MAX_DAYS 3650
#define DEFAULT_MAX_OS_PATCH_AGE_DAYS 45
#define DEFAULT_MAX_AV_AGE_DAYS 7

typedef enum {
    CRIT_NONE = 0,
    CRIT_PROGRAM = 1 << 0, /* name, publisher, version */
    CRIT_FILE = 1 << 1,    /* sha256, signer, file */
    CRIT_PUA = 1 << 2,     /* pua */
} CritGroup;

typedef struct {
    KikanRule pub; /* strings point into the fields below */
    char *id, *category, *approver, *ticket, *expires, *reason;
    GPtrArray *names; /* GPatternSpec*, of casefolded patterns (OR) */
    GPtrArray *publishers;
    GPtrArray *versions;
    GPtrArray *files;
    GPtrArray *puas;
    GHashTable *sha256s; /* lowercase hex (OR) */
    GHashTable *signers;
    gint64 expires_end; /* first second after the expiry day, local time */
    guint groups;       /* CritGroup */
} Rule;

struct KikanPolicy {
    char *path;
    char *sha256;
    char *version;
    guint max_os_patch_age_days;
    guint max_av_age_days;
    gboolean require_antivirus;
    gboolean unknown_executable_holds;
    GPtrArray *rules; /* Rule*, in file order */
};

/* Parser state shared by the reader and the handler. */
typedef struct {
    const char *name; /* shown in messages */
    const char *data;
    gsize len, pos;
    guint line;         /* of the line last handed to inih */
    gboolean have_key;  /* a key line since the last header (inih's prev_name) */
    gboolean in_policy; /* current section is [policy] */
    gboolean seen_policy;
    guint policy_keys; /* bit per [policy] key seen, for "given twice" */
    Rule *rule;        /* current rule section, owned by self->rules */
    GHashTable *ids;   /* casefolded ids, for duplicates */
    KikanPolicy *self;
    char *error; /* first error, "LINE: what" without the name */
    guint error_line;
} Parser;

static const char *const kind_names[] = {
    [KIKAN_RULE_APPROVE] = "approve",
    [KIKAN_RULE_FORBID] = "forbid",
    [KIKAN_RULE_EXCEPTION] = "exception",
    [KIKAN_RULE_END_OF_SUPPORT] = "end-of-support",
};

const char *
kikan_policy_status_to_string (KikanPolicyStatus s)
{
    switch (s) {
    case KIKAN_POLICY_APPROVED:
        return "approved";
    case KIKAN_POLICY_FORBIDDEN:
        return "forbidden";
    case KIKAN_POLICY_EXCEPTION:
        return "exception";
    case KIKAN_POLICY_EXCEPTION_EXPIRED:
        return "exception_expired";
    case KIKAN_POLICY_UNKNOWN:
    default:
        return "unknown";
    }
}

static void
pattern_free (gpointer p)
{
    g_pattern_spec_free (p);
}

static void
rule_free (gpointer p)
{
    Rule *r = p;

    if (r == NULL)
        return;
    g_free (r->id);
    g_free (r->category);
    g_free (r->approver);
    g_free (r->ticket);
    g_free (r->expires);
    g_free (r->reason);
    g_clear_pointer (&r->names, g_ptr_array_unref);
    g_clear_pointer (&r->publishers, g_ptr_array_unref);
    g_clear_pointer (&r->versions, g_ptr_array_unref);
    g_clear_pointer (&r->files, g_ptr_array_unref);
    g_clear_pointer (&r->puas, g_ptr_array_unref);
    g_clear_pointer (&r->sha256s, g_hash_table_unref);
    g_clear_pointer (&r->signers, g_hash_table_unref);
    g_free (r);
}

void
kikan_policy_free (KikanPolicy *self)
{
    if (self == NULL)
        return;
    g_free (self->path);
    g_free (self->sha256);
    g_free (self->version);
    g_clear_pointer (&self->rules, g_ptr_array_unref);
    g_free (self);
}

/* The form both patterns and the strings they are matched against take:
 * valid UTF-8 (hostile strings may not be), NFKC-normalised so that
 * full-width or composed look-alikes compare equal, then case-folded.
 * Never NULL. */
static char *
fold (const char *s)
{
    g_autofree char *valid = g_utf8_make_valid (s, -1);
    g_autofree char *norm = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKC);

    return g_utf8_casefold (norm != NULL ? norm : valid, -1);
}

/* ---- the reader: one line per call, checked before inih sees it ---- */

static void G_GNUC_PRINTF (3, 4) fail (Parser *ps, guint line, const char *fmt, ...)
{
    va_list ap;

    if (ps->error != NULL)
        return;
    va_start (ap, fmt);
    ps->error = g_strdup_vprintf (fmt, ap);
    va_end (ap);
    ps->error_line = line;
}

/* inih's find_chars_or_comment(): the first of @chars, or an inline
 * comment (';' after whitespace), or the end. */
static const char *
find_chars_or_comment (const char *s, const char *chars)
{
    gboolean was_space = FALSE;

    while (*s != '\0' && (chars == NULL || strchr (chars, *s) == NULL)
           && !(was_space && *s == ';')) {
        was_space = g_ascii_isspace (*s);
        s++;
    }
    return s;
}

/* Refuses control characters (but TAB) and bidirectional controls: policy
 * text is printed on slips and shown to IT, where an invisible override
 * would make a rule read differently from what it does. */
static gboolean
check_characters (Parser *ps, const char *line, gsize n)
{
    if (memchr (line, '\0', n) != NULL) {
        fail (ps, ps->line, "the line holds a NUL byte");
        return FALSE;
    }
    if (!g_utf8_validate_len (line, n, NULL)) {
        fail (ps, ps->line, "the line is not valid UTF-8 text");
        return FALSE;
    }
    for (const char *p = line; p < line + n; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);

        if (c == '\t')
            continue;
        if (g_unichar_iscntrl (c) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
            || c == 0x200e || c == 0x200f || c == 0x061c) {
            fail (ps, ps->line, "the line holds an invisible control character (U+%04X)",
                  (guint)c);
            return FALSE;
        }
    }
    return TRUE;
}

static void section_end (Parser *ps);
static void section_begin (Parser *ps, const char *header, gsize n);

/* Classifies @line (@n bytes, no terminator) the way inih will. */
static void
classify_line (Parser *ps, const char *line, gsize n)
{
    const char *start = line, *end = line + n;

    if (ps->line == 1 && n >= 3 && memcmp (line, "\xEF\xBB\xBF", 3) == 0)
        start += 3;
    while (end > start && g_ascii_isspace (end[-1]))
        end--;
    while (start < end && g_ascii_isspace (*start))
        start++;
    if (start == end || *start == ';' || *start == '#')
        return; /* blank or comment */
    if (ps->have_key && start > line) {
        /* inih would pass this as another value of the previous key. */
        fail (ps, ps->line,
              "the line is indented: continuation lines are not accepted, write each value "
              "on its own \"key = value\" line");
        return;
    }
    if (*start == '[') {
        g_autofree char *text = g_strndup (start, (gsize)(end - start));
        const char *close = find_chars_or_comment (text + 1, "]");
        const char *rest;

        if (*close != ']') {
            fail (ps, ps->line, "the section header has no closing \"]\"");
            return;
        }
        for (rest = close + 1; g_ascii_isspace (*rest); rest++)
            ;
        if (*rest != '\0' && *rest != ';') {
            fail (ps, ps->line, "unexpected text after the section header");
            return;
        }
        ps->have_key = FALSE;
        section_end (ps);
        if (ps->error == NULL)
            section_begin (ps, text + 1, (gsize)(close - (text + 1)));
        return;
    } else {
        g_autofree char *text = g_strndup (start, (gsize)(end - start));
        const char *sep = find_chars_or_comment (text, "=:");

        if (*sep != '=' && *sep != ':') {
            fail (ps, ps->line,
                  "the line is neither a [section] header, a \"key = value\" setting nor a "
                  "comment");
            return;
        }
        ps->have_key = TRUE;
    }
}

static char *
policy_reader (char *str, int num, void *stream)
{
    Parser *ps = stream;
    const char *line, *nl;
    gsize n, avail, content;
    gsize limit = num > 3 ? MIN ((gsize)POLICY_MAX_LINE, (gsize)num - 3) : 0;

    if (ps->error != NULL || ps->pos >= ps->len)
        return NULL;
    line = ps->data + ps->pos;
    avail = ps->len - ps->pos;
    nl = memchr (line, '\n', avail);
    n = nl != NULL ? (gsize)(nl - line) + 1 : avail;
    ps->line++;
    content = n;
    if (content > 0 && line[content - 1] == '\n')
        content--;
    if (content > 0 && line[content - 1] == '\r')
        content--;
    if (content > limit) {
        fail (ps, ps->line, "the line is longer than %" G_GSIZE_FORMAT " characters", limit);
        return NULL;
    }
    if (!check_characters (ps, line, content))
        return NULL;
    classify_line (ps, line, content);
    if (ps->error != NULL)
        return NULL;
    memcpy (str, line, content);
    str[content] = '\n';
    str[content + 1] = '\0';
    ps->pos += n;
    return str;
}

/* ---- sections and keys ---- */

static gboolean
str_is_hex64 (const char *s)
{
    gsize i;

    for (i = 0; s[i] != '\0'; i++)
        if (!g_ascii_isxdigit (s[i]))
            return FALSE;
    return i == 64;
}

/* "YYYY-MM-DD", a real calendar date.  *@end: the first second after that
 * day, local time (an exception is valid through its expiry day). */
static gboolean
parse_date (const char *s, gint64 *end)
{
    guint64 y, m, d;
    char buf[5];
    g_autoptr (GDateTime) day = NULL;
    g_autoptr (GDateTime) next = NULL;

    if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
        return FALSE;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
            return FALSE;
    memcpy (buf, s, 4);
    buf[4] = '\0';
    y = g_ascii_strtoull (buf, NULL, 10);
    memcpy (buf, s + 5, 2);
    buf[2] = '\0';
    m = g_ascii_strtoull (buf, NULL, 10);
    memcpy (buf, s + 8, 2);
    d = g_ascii_strtoull (buf, NULL, 10);
    if (y < 1970 || !g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return FALSE;
    day = g_date_time_new_local ((gint)y, (gint)m, (gint)d, 0, 0, 0);
    if (day == NULL)
        return FALSE;
    next = g_date_time_add_days (day, 1);
    *end = next != NULL ? g_date_time_to_unix (next) : G_MAXINT64;
    return TRUE;
}

static void
section_begin (Parser *ps, const char *header, gsize n)
{
    g_autofree char *h = g_strstrip (g_strndup (header, n));
    const char *p = h, *q;
    g_autofree char *kind = NULL;
    g_autofree char *id = NULL;
    g_autofree char *key = NULL;
    int k = -1;
    Rule *r;

    ps->in_policy = FALSE;
    ps->rule = NULL;
    if (strcmp (h, "policy") == 0) {
        if (ps->seen_policy) {
            fail (ps, ps->line, "a second [policy] section; give it once");
            return;
        }
        ps->seen_policy = TRUE;
        ps->in_policy = TRUE;
        return;
    }
    while (*p != '\0' && !g_ascii_isspace (*p) && *p != '"')
        p++;
    kind = g_strndup (h, (gsize)(p - h));
    for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
        if (strcmp (kind, kind_names[i]) == 0)
            k = (int)i;
    if (k < 0) {
        fail (ps, ps->line,
              "unknown section [%s]; expected [policy], [approve \"…\"], "
              "[forbid \"…\"], [exception \"…\"] or [end-of-support \"…\"]",
              h);
        return;
    }
    while (g_ascii_isspace (*p))
        p++;
    if (*p != '"' || (q = strchr (p + 1, '"')) == NULL || q[1] != '\0') {
        fail (ps, ps->line, "a [%s] section needs a name in double quotes, e.g. [%s \"Example\"]",
              kind, kind);
        return;
    }
    id = g_strndup (p + 1, (gsize)(q - (p + 1)));
    g_strstrip (id);
    if (id[0] == '\0') {
        fail (ps, ps->line, "the rule name is empty");
        return;
    }
    key = fold (id);
    if (g_hash_table_contains (ps->ids, key)) {
        fail (ps, ps->line, "a rule named \"%s\" is already defined on line %u", id,
              GPOINTER_TO_UINT (g_hash_table_lookup (ps->ids, key)));
        return;
    }
    g_hash_table_insert (ps->ids, g_steal_pointer (&key), GUINT_TO_POINTER (ps->line));
    r = g_new0 (Rule, 1);
    r->pub.kind = (KikanRuleKind)k;
    r->pub.line = ps->line;
    r->id = g_steal_pointer (&id);
    g_ptr_array_add (ps->self->rules, r);
    ps->rule = r;
}

/* Checks the rule that just ended (at the next header or the end of the
 * file); errors name the line of its header. */
static void
section_end (Parser *ps)
{
    Rule *r = ps->rule;
    const char *kind;

    if (r == NULL || ps->error != NULL)
        return;
    kind = kind_names[r->pub.kind];
    if (r->groups == CRIT_NONE) {
        fail (ps, r->pub.line,
              "rule [%s \"%s\"] has no criterion (name, publisher, version, sha256, "
              "signer, file or pua), so it would match nothing",
              kind, r->id);
        return;
    }
    if ((r->groups & (r->groups - 1)) != 0) {
        fail (ps, r->pub.line,
              "rule [%s \"%s\"] mixes program criteria (name, publisher, version), "
              "file criteria (sha256, signer, file) and pua; a rule matches one kind of item: "
              "split it into several rules",
              kind, r->id);
        return;
    }
    if (r->groups == CRIT_PROGRAM && r->names == NULL && r->publishers == NULL) {
        fail (ps, r->pub.line, "rule [%s \"%s\"] gives a version but no name or publisher", kind,
              r->id);
        return;
    }
    /* A file name proves nothing: anyone can call a program "ourtool.exe". */
    if (r->groups == CRIT_FILE && r->sha256s == NULL && r->signers == NULL
        && (r->pub.kind == KIKAN_RULE_APPROVE || r->pub.kind == KIKAN_RULE_EXCEPTION)) {
        fail (ps, r->pub.line,
              "rule [%s \"%s\"] would allow files by name alone; add sha256 or signer", kind,
              r->id);
        return;
    }
    if (r->pub.kind == KIKAN_RULE_EXCEPTION) {
        const char *missing = r->approver == NULL  ? "approver"
                              : r->ticket == NULL  ? "ticket"
                              : r->expires == NULL ? "expires"
                                                   : NULL;
        if (missing != NULL) {
            fail (ps, r->pub.line,
                  "exception \"%s\" has no %s; every exception needs approver, ticket "
                  "and expires (KR-20)",
                  r->id, missing);
            return;
        }
    }
    r->pub.id = r->id;
    r->pub.category = r->category;
    r->pub.approver = r->approver;
    r->pub.ticket = r->ticket;
    r->pub.expires = r->expires;
    r->pub.reason = r->reason;
}

static gboolean
parse_bool (const char *v, gboolean *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };

    for (guint i = 0; i < G_N_ELEMENTS (yes); i++) {
        if (g_ascii_strcasecmp (v, yes[i]) == 0) {
            *out = TRUE;
            return TRUE;
        }
        if (g_ascii_strcasecmp (v, no[i]) == 0) {
            *out = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

static void
policy_key (Parser *ps, const char *name, const char *value)
{
    static const char *const keys[]
        = { "version", "max_os_patch_age_days", "max_av_definition_age_days", "require_antivirus",
            "unknown_executable" };
    KikanPolicy *self = ps->self;
    guint k;
    guint64 days;

    for (k = 0; k < G_N_ELEMENTS (keys); k++)
        if (strcmp (name, keys[k]) == 0)
            break;
    if (k == G_N_ELEMENTS (keys)) {
        fail (ps, ps->line,
              "unknown key \"%s\" in [policy]; known keys are version, "
              "max_os_patch_age_days, max_av_definition_age_days, require_antivirus and "
              "unknown_executable",
              name);
        return;
    }
    if (ps->policy_keys & (1u << k)) {
        fail (ps, ps->line, "\"%s\" is given twice in [policy]", name);
        return;
    }
    ps->policy_keys |= 1u << k;
    switch (k) {
    case 0:
        self->version = g_strdup (value);
        break;
    case 1:
    case 2:
        if (!g_ascii_string_to_unsigned (value, 10, 0, POLICY_MAX_DAYS, &days, NULL)) {
            fail (ps, ps->line, "%s must be a whole number of days from 0 (off) to %u", name,
                  POLICY_MAX_DAYS);
            return;
        }
        if (k == 1)
            self->max_os_patch_age_days = (guint)days;
        else
            self->max_av_age_days = (guint)days;
        break;
    case 3:
        if (!parse_bool (value, &self->require_antivirus))
            fail (ps, ps->line, "require_antivirus must be yes or no");
        break;
    case 4:
        if (strcmp (value, "hold") == 0)
            self->unknown_executable_holds = TRUE;
        else if (strcmp (value, "info") == 0)
            self->unknown_executable_holds = FALSE;
        else
            fail (ps, ps->line, "unknown_executable must be hold or info");
        break;
    default:
        g_assert_not_reached ();
    }
}

static void
add_pattern (GPtrArray **arr, const char *value)
{
    g_autofree char *folded = fold (value);

    if (*arr == NULL)
        *arr = g_ptr_array_new_with_free_func (pattern_free);
    g_ptr_array_add (*arr, g_pattern_spec_new (folded));
}

static void
add_hash (GHashTable **set, const char *value)
{
    if (*set == NULL)
        *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_add (*set, g_ascii_strdown (value, -1));
}

/* A single-valued text key: refused when given twice. */
static void
set_once (Parser *ps, char **field, const char *name, const char *value)
{
    if (*field != NULL) {
        fail (ps, ps->line, "\"%s\" is given twice in rule \"%s\"", name, ps->rule->id);
        return;
    }
    *field = g_strdup (value);
}

static void
rule_key (Parser *ps, const char *name, const char *value)
{
    Rule *r = ps->rule;
    KikanRuleKind kind = r->pub.kind;
    gboolean eos = kind == KIKAN_RULE_END_OF_SUPPORT;

    if (strcmp (name, "name") == 0) {
        add_pattern (&r->names, value);
        r->groups |= CRIT_PROGRAM;
    } else if (strcmp (name, "version") == 0) {
        add_pattern (&r->versions, value);
        r->groups |= CRIT_PROGRAM;
    } else if (strcmp (name, "publisher") == 0 && !eos) {
        add_pattern (&r->publishers, value);
        r->groups |= CRIT_PROGRAM;
    } else if (strcmp (name, "file") == 0 && !eos) {
        if (strchr (value, '/') != NULL || strchr (value, '\\') != NULL) {
            fail (ps, ps->line,
                  "file matches the last part of a file name only; remove the folder");
            return;
        }
        add_pattern (&r->files, value);
        r->groups |= CRIT_FILE;
    } else if ((strcmp (name, "sha256") == 0 || strcmp (name, "signer") == 0) && !eos) {
        if (!str_is_hex64 (value)) {
            fail (ps, ps->line, "%s must be exactly 64 hexadecimal digits (a SHA-256)", name);
            return;
        }
        add_hash (name[1] == 'h' ? &r->sha256s : &r->signers, value);
        r->groups |= CRIT_FILE;
    } else if (strcmp (name, "pua") == 0 && !eos) {
        add_pattern (&r->puas, value);
        r->groups |= CRIT_PUA;
    } else if (strcmp (name, "reason") == 0) {
        set_once (ps, &r->reason, name, value);
    } else if (strcmp (name, "class") == 0 && kind == KIKAN_RULE_FORBID) {
        set_once (ps, &r->category, name, value);
    } else if (strcmp (name, "approver") == 0 && kind == KIKAN_RULE_EXCEPTION) {
        set_once (ps, &r->approver, name, value);
    } else if (strcmp (name, "ticket") == 0 && kind == KIKAN_RULE_EXCEPTION) {
        set_once (ps, &r->ticket, name, value);
    } else if (strcmp (name, "expires") == 0 && kind == KIKAN_RULE_EXCEPTION) {
        if (!parse_date (value, &r->expires_end)) {
            fail (ps, ps->line, "expires must be a real date written YYYY-MM-DD, not \"%s\"",
                  value);
            return;
        }
        set_once (ps, &r->expires, name, value);
    } else {
        fail (ps, ps->line, "unknown key \"%s\" in a [%s] rule (see docs/policy.md)", name,
              kind_names[kind]);
    }
}

static int
policy_handler (void *user, const char *section, const char *name, const char *value)
{
    Parser *ps = user;

    if (ps->error != NULL)
        return 0;
    if (value[0] == '\0') {
        fail (ps, ps->line, "\"%s\" has no value", name);
        return 0;
    }
    if (ps->in_policy)
        policy_key (ps, name, value);
    else if (ps->rule != NULL)
        rule_key (ps, name, value);
    else
        fail (ps, ps->line, "\"%s\" is outside any section", name);
    return ps->error == NULL;
}

KikanPolicy *
kikan_policy_load_data (const char *data, gsize len, const char *name, GError **error)
{
    g_autoptr (KikanPolicy) self = NULL;
    g_autoptr (GHashTable) ids = NULL;
    Parser ps = { 0 };
    int r;

    g_return_val_if_fail (data != NULL || len == 0, NULL);
    g_return_val_if_fail (name != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    if (len > POLICY_MAX_BYTES) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "%s: the policy is larger than 1 MiB; it was not loaded", name);
        return NULL;
    }
    self = g_new0 (KikanPolicy, 1);
    self->path = g_strdup (name);
    self->sha256
        = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)(data ? data : ""), len);
    self->max_os_patch_age_days = DEFAULT_MAX_OS_PATCH_AGE_DAYS;
    self->max_av_age_days = DEFAULT_MAX_AV_AGE_DAYS;
    self->require_antivirus = TRUE;
    self->unknown_executable_holds = TRUE;
    self->rules = g_ptr_array_new_with_free_func (rule_free);
    ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    ps.name = name;
    ps.data = data;
    ps.len = len;
    ps.self = self;
    ps.ids = ids;
    r = ini_parse_stream (policy_reader, &ps, policy_handler, &ps);
    section_end (&ps);
    if (ps.error == NULL && r != 0) {
        /* The reader should have caught every syntax error first. */
        if (r > 0)
            fail (&ps, (guint)r, "the line cannot be read as a policy setting");
        else
            fail (&ps, 0, "the policy could not be parsed (inih error %d)", r);
    }
    if (ps.error != NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s:%u: %s", name, ps.error_line,
                     ps.error);
        g_free (ps.error);
        return NULL;
    }
    return g_steal_pointer (&self);
}

KikanPolicy *
kikan_policy_load (const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    struct stat st;
    gsize got = 0;
    int fd;

    g_return_val_if_fail (path != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot open the policy %s: %s", path,
                     g_strerror (e));
        return NULL;
    }
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot read the policy %s: it is not a regular file", path);
        close (fd);
        return NULL;
    }
    /* Read at most one byte past the cap: the file may grow meanwhile. */
    buf = g_malloc (POLICY_MAX_BYTES + 1);
    while (got < POLICY_MAX_BYTES + 1) {
        ssize_t n = read (fd, buf + got, POLICY_MAX_BYTES + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot read the policy %s: %s", path,
                         g_strerror (e));
            close (fd);
            return NULL;
        }
        if (n == 0)
            break;
        got += (gsize)n;
    }
    close (fd);
    return kikan_policy_load_data (buf, got, path, error);
}

const char *
kikan_policy_get_version (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->version;
}

const char *
kikan_policy_get_path (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->path;
}

const char *
kikan_policy_get_sha256 (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->sha256;
}

guint
kikan_policy_get_max_os_patch_age_days (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, DEFAULT_MAX_OS_PATCH_AGE_DAYS);
    return self->max_os_patch_age_days;
}

guint
kikan_policy_get_max_av_age_days (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, DEFAULT_MAX_AV_AGE_DAYS);
    return self->max_av_age_days;
}

gboolean
kikan_policy_get_require_antivirus (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, TRUE);
    return self->require_antivirus;
}

gboolean
kikan_policy_get_unknown_executable_holds (const KikanPolicy *self)
{
    g_return_val_if_fail (self != NULL, TRUE);
    return self->unknown_executable_holds;
}

/* ---- matching ---- */

/* TRUE when the criterion is absent, or @folded (already folded; NULL:
 * the item has no such value) matches one of its patterns. */
static gboolean
any_pattern (GPtrArray *patterns, const char *folded)
{
    if (patterns == NULL)
        return TRUE;
    if (folded == NULL)
        return FALSE;
    for (guint i = 0; i < patterns->len; i++)
        if (g_pattern_spec_match_string (patterns->pdata[i], folded))
            return TRUE;
    return FALSE;
}

static gboolean
any_hash (GHashTable *set, const char *hex)
{
    g_autofree char *low = NULL;

    if (set == NULL)
        return TRUE;
    if (hex == NULL || hex[0] == '\0')
        return FALSE;
    low = g_ascii_strdown (hex, -1);
    return g_hash_table_contains (set, low);
}

/* Precedence (policy-private.h): valid exception > forbid > approve >
 * expired exception > unknown.  The first rule of the best rank wins. */
static int
rank_of (const Rule *r, gint64 now, KikanPolicyStatus *status)
{
    switch (r->pub.kind) {
    case KIKAN_RULE_EXCEPTION:
        if (now < r->expires_end) {
            *status = KIKAN_POLICY_EXCEPTION;
            return 4;
        }
        *status = KIKAN_POLICY_EXCEPTION_EXPIRED;
        return 1;
    case KIKAN_RULE_FORBID:
        *status = KIKAN_POLICY_FORBIDDEN;
        return 3;
    case KIKAN_RULE_APPROVE:
        *status = KIKAN_POLICY_APPROVED;
        return 2;
    case KIKAN_RULE_END_OF_SUPPORT:
    default:
        return 0;
    }
}

typedef struct {
    CritGroup group;
    const char *name, *publisher, *version; /* folded */
    const char *sha256, *signer;
    const char *file; /* folded */
    const char *pua;  /* folded */
} Item;

static gboolean
rule_matches (const Rule *r, const Item *it)
{
    if (r->groups != it->group)
        return FALSE;
    return any_pattern (r->names, it->name) && any_pattern (r->publishers, it->publisher)
           && any_pattern (r->versions, it->version) && any_hash (r->sha256s, it->sha256)
           && any_hash (r->signers, it->signer) && any_pattern (r->files, it->file)
           && any_pattern (r->puas, it->pua);
}

static KikanPolicyStatus
check_item (const KikanPolicy *self, const Item *it, gint64 now, const KikanRule **rule)
{
    KikanPolicyStatus best = KIKAN_POLICY_UNKNOWN;
    const Rule *best_rule = NULL;
    int best_rank = 0;

    for (guint i = 0; i < self->rules->len; i++) {
        const Rule *r = self->rules->pdata[i];
        KikanPolicyStatus st = KIKAN_POLICY_UNKNOWN;
        int rank = rank_of (r, now, &st);

        if (rank > best_rank && rule_matches (r, it)) {
            best_rank = rank;
            best = st;
            best_rule = r;
        }
    }
    if (rule != NULL)
        *rule = best_rule != NULL ? &best_rule->pub : NULL;
    return best;
}

static char *
fold_or_null (const char *s)
{
    return s != NULL ? fold (s) : NULL;
}

KikanPolicyStatus
kikan_policy_check_program (const KikanPolicy *self, const KikanProgram *p, gint64 now,
                            const KikanRule **rule)
{
    g_autofree char *name = NULL;
    g_autofree char *publisher = NULL;
    g_autofree char *version = NULL;
    Item it = { CRIT_PROGRAM };

    if (rule != NULL)
        *rule = NULL;
    g_return_val_if_fail (self != NULL, KIKAN_POLICY_UNKNOWN);
    g_return_val_if_fail (p != NULL, KIKAN_POLICY_UNKNOWN);
    it.name = name = fold_or_null (p->name != NULL ? p->name : "");
    it.publisher = publisher = fold_or_null (p->publisher);
    it.version = version = fold_or_null (p->version);
    return check_item (self, &it, now, rule);
}

KikanPolicyStatus
kikan_policy_check_file (const KikanPolicy *self, const char *sha256, const char *file_name,
                         const char *signer_cert_sha256, gint64 now, const KikanRule **rule)
{
    g_autofree char *file = NULL;
    Item it = { CRIT_FILE };

    if (rule != NULL)
        *rule = NULL;
    g_return_val_if_fail (self != NULL, KIKAN_POLICY_UNKNOWN);
    if (file_name != NULL) {
        /* Only the last component, whichever separator an archive used. */
        const char *slash = strrchr (file_name, '/');
        const char *bslash;

        if (slash != NULL)
            file_name = slash + 1;
        bslash = strrchr (file_name, '\\');
        if (bslash != NULL)
            file_name = bslash + 1;
        it.file = file = fold (file_name);
    }
    it.sha256 = sha256;
    it.signer = signer_cert_sha256;
    return check_item (self, &it, now, rule);
}

KikanPolicyStatus
kikan_policy_check_pua (const KikanPolicy *self, const char *signature, gint64 now,
                        const KikanRule **rule)
{
    g_autofree char *pua = NULL;
    Item it = { CRIT_PUA };

    if (rule != NULL)
        *rule = NULL;
    g_return_val_if_fail (self != NULL, KIKAN_POLICY_UNKNOWN);
    if (signature == NULL)
        return KIKAN_POLICY_UNKNOWN;
    it.pua = pua = fold (signature);
    return check_item (self, &it, now, rule);
}

const KikanRule *
kikan_policy_find_end_of_support (const KikanPolicy *self, const char *product,
                                  const char *version)
{
    g_autofree char *p = NULL;
    g_autofree char *v = NULL;

    g_return_val_if_fail (self != NULL, NULL);
    if (product == NULL)
        return NULL;
    p = fold (product);
    v = fold_or_null (version);
    for (guint i = 0; i < self->rules->len; i++) {
        const Rule *r = self->rules->pdata[i];

        if (r->pub.kind == KIKAN_RULE_END_OF_SUPPORT && any_pattern (r->names, p)
            && any_pattern (r->versions, v))
            return &r->pub;
    }
    return NULL;
}
