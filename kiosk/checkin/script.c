/* Kikan kiosk: the scripted check-in (script-private.h). */
#include "script-private.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "error-private.h"
#include "escape-private.h"

static void
answer_free (gpointer p)
{
    KikanScriptAnswer *a = p;

    g_free (a->question);
    g_free (a->answer);
    g_free (a->followup_json);
    g_free (a);
}

static void
present_free (gpointer p)
{
    KikanScriptPresent *x = p;

    g_free (x->asset);
    g_free (x->serial);
    g_free (x->medium);
    g_free (x->usb_device);
    g_strfreev (x->passphrase_files);
    g_free (x->declared_encrypted);
    g_free (x);
}

static void
missing_free (gpointer p)
{
    KikanScriptMissing *m = p;

    g_free (m->asset);
    g_free (m->declared);
    g_free (m->return_by);
    g_free (m->to);
    g_free (m->data_held);
    g_free (m->classification);
    g_free (m->personal_data);
    g_free (m->remote_wipe);
    g_free (m->locate);
    g_free (m->description);
    g_free (m);
}

void
kikan_script_free (KikanScript *self)
{
    if (self == NULL)
        return;
    g_free (self->employee);
    g_clear_pointer (&self->answers, g_ptr_array_unref);
    g_clear_pointer (&self->present, g_ptr_array_unref);
    g_clear_pointer (&self->missing, g_ptr_array_unref);
    g_free (self);
}

/* The place being read, for messages: "present[1].medium". */
static gboolean
fail (GError **error, const char *where, const char *what)
{
    g_autofree char *shown = kikan_escape_for_display (where, -1);

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "The check-in script is not valid at %s: %s. Correct it (docs/checkin.md "
                 "\"Scripted check-in\"); nothing was recorded.",
                 shown, what);
    return FALSE;
}

static gboolean
one_of (const char *v, const char *const *allowed)
{
    for (gsize i = 0; allowed[i] != NULL; i++)
        if (strcmp (v, allowed[i]) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
is_date (const char *s)
{
    g_autoptr (GDateTime) dt = NULL;
    g_autofree char *iso = NULL;

    if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
        return FALSE;
    iso = g_strconcat (s, "T00:00:00Z", NULL);
    dt = g_date_time_new_from_iso8601 (iso, NULL);
    return dt != NULL;
}

/* A string member: NULL when absent; an error when present but not a
 * non-empty string without NUL, or not one of @allowed (if given). */
static gboolean
get_string (JsonObject *o, const char *member, const char *where, const char *const *allowed,
            gboolean date, char **out, GError **error)
{
    g_autofree char *place = g_strdup_printf ("%s%s%s", where, where[0] ? "." : "", member);
    JsonNode *n = json_object_get_member (o, member);
    const char *v;

    *out = NULL;
    if (n == NULL)
        return TRUE;
    if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        return fail (error, place, "a string is expected");
    v = json_node_get_string (n);
    if (v == NULL || v[0] == '\0')
        return fail (error, place, "the string is empty");
    if (strlen (v) > 4096)
        return fail (error, place, "longer than 4096 bytes");
    if (allowed != NULL && !one_of (v, allowed)) {
        g_autofree char *list = g_strjoinv (", ", (char **)allowed);
        g_autofree char *msg = g_strdup_printf ("must be one of %s", list);

        return fail (error, place, msg);
    }
    if (date && !is_date (v))
        return fail (error, place, "must be a date YYYY-MM-DD");
    *out = g_strdup (v);
    return TRUE;
}

/* Every member of @o must be in @known: a typo must not be ignored. */
static gboolean
only_known (JsonObject *o, const char *where, const char *const *known, GError **error)
{
    g_autoptr (GList) members = json_object_get_members (o);

    for (GList *l = members; l != NULL; l = l->next)
        if (!one_of (l->data, known)) {
            g_autofree char *place
                = g_strdup_printf ("%s%s%s", where, where[0] ? "." : "", (char *)l->data);

            return fail (error, place, "unknown key");
        }
    return TRUE;
}

static const char *const answer_values[] = { "yes", "no", "not_sure", NULL };

static gboolean
parse_answers (JsonObject *root, KikanScript *s, GError **error)
{
    JsonNode *n = json_object_get_member (root, "answers");
    g_autoptr (GList) members = NULL;

    if (n == NULL)
        return TRUE;
    if (!JSON_NODE_HOLDS_OBJECT (n))
        return fail (error, "answers", "an object {\"Q1\": \"yes\", …} is expected");
    members = json_object_get_members (json_node_get_object (n));
    for (GList *l = members; l != NULL; l = l->next) {
        const char *q = l->data;
        JsonNode *v = json_object_get_member (json_node_get_object (n), q);
        g_autofree char *place = g_strdup_printf ("answers.%s", q);
        KikanScriptAnswer *a;
        guint64 number = 0;
        gboolean free_text;

        if (q[0] != 'Q' || !g_ascii_string_to_unsigned (q + 1, 10, 1, 19, &number, NULL))
            return fail (error, place, "questions are Q1 … Q19");
        free_text = number == 17 || number == 18;
        a = g_new0 (KikanScriptAnswer, 1);
        g_ptr_array_add (s->answers, a);
        a->question = g_strdup_printf ("Q%u", (unsigned)number);
        if (JSON_NODE_HOLDS_OBJECT (v)) {
            /* {"answer": "yes", follow-up members…}: the follow-up is kept
             * verbatim as the person gave it (D-evidence). */
            JsonObject *o = json_node_get_object (v);
            g_autoptr (JsonNode) copy = json_node_copy (v);
            JsonObject *rest = json_node_get_object (copy);

            if (!get_string (o, "answer", place, free_text ? NULL : answer_values, FALSE,
                             &a->answer, error))
                return FALSE;
            if (a->answer == NULL)
                return fail (error, place, "\"answer\" is missing");
            json_object_remove_member (rest, "answer");
            if (json_object_get_size (rest) > 0) {
                g_autoptr (JsonParser) again = json_parser_new ();

                a->followup_json = json_to_string (copy, FALSE);
                /* What is stored must read back as it was given: text
                 * that does not (a lone UTF-16 surrogate escape) is
                 * refused now, not after the session began. */
                if (!g_utf8_validate (a->followup_json, -1, NULL)
                    || !json_parser_load_from_data (again, a->followup_json, -1, NULL))
                    return fail (error, place, "the follow-up holds text that is not valid "
                                               "Unicode");
            }
        } else if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING) {
            const char *text = json_node_get_string (v);

            if (text == NULL || text[0] == '\0' || strlen (text) > 4096)
                return fail (error, place, "an answer of 1 to 4096 bytes is expected");
            if (!free_text && !one_of (text, answer_values))
                return fail (error, place, "must be one of yes, no, not_sure");
            a->answer = g_strdup (text);
        } else
            return fail (error, place, "a string or an object with \"answer\" is expected");
        /* json-glib keeps the last of duplicate keys; one question, one answer. */
        for (guint i = 0; i + 1 < s->answers->len; i++)
            if (strcmp (((KikanScriptAnswer *)s->answers->pdata[i])->question, a->question) == 0)
                return fail (error, place, "answered twice");
    }
    return TRUE;
}

static gboolean
parse_present (JsonObject *root, KikanScript *s, GError **error)
{
    static const char *const known[] = { "asset",
                                         "serial",
                                         "medium",
                                         "usb_device",
                                         "passphrase_file",
                                         "passphrase_files",
                                         "declared_encrypted",
                                         NULL };
    JsonNode *n = json_object_get_member (root, "present");
    JsonArray *a;

    if (n == NULL)
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY (n))
        return fail (error, "present", "an array is expected");
    a = json_node_get_array (n);
    if (json_array_get_length (a) > 256)
        return fail (error, "present", "more than 256 items");
    for (guint i = 0; i < json_array_get_length (a); i++) {
        g_autofree char *where = g_strdup_printf ("present[%u]", i);
        JsonNode *e = json_array_get_element (a, i);
        KikanScriptPresent *p;
        JsonObject *o;
        JsonNode *files;
        g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

        if (!JSON_NODE_HOLDS_OBJECT (e))
            return fail (error, where, "an object is expected");
        o = json_node_get_object (e);
        if (!only_known (o, where, known, error))
            return FALSE;
        p = g_new0 (KikanScriptPresent, 1);
        g_ptr_array_add (s->present, p);
        if (!get_string (o, "asset", where, NULL, FALSE, &p->asset, error)
            || !get_string (o, "serial", where, NULL, FALSE, &p->serial, error)
            || !get_string (o, "medium", where, NULL, FALSE, &p->medium, error)
            || !get_string (o, "usb_device", where, NULL, FALSE, &p->usb_device, error)
            || !get_string (o, "declared_encrypted", where, answer_values, FALSE,
                            &p->declared_encrypted, error))
            return FALSE;
        if (p->asset == NULL && p->medium == NULL)
            return fail (error, where, "name the \"asset\", or the \"medium\" to read");
        if (json_object_has_member (o, "passphrase_file")) {
            char *one = NULL;

            if (!get_string (o, "passphrase_file", where, NULL, FALSE, &one, error))
                return FALSE;
            g_ptr_array_add (list, one);
        }
        files = json_object_get_member (o, "passphrase_files");
        if (files != NULL) {
            JsonArray *fa;

            if (!JSON_NODE_HOLDS_ARRAY (files)
                || json_array_get_length (fa = json_node_get_array (files)) > 16)
                return fail (error, where,
                             "\"passphrase_files\" must be an array of at most "
                             "16 paths");
            for (guint k = 0; k < json_array_get_length (fa); k++) {
                JsonNode *f = json_array_get_element (fa, k);

                if (!JSON_NODE_HOLDS_VALUE (f) || json_node_get_value_type (f) != G_TYPE_STRING
                    || json_node_get_string (f)[0] == '\0')
                    return fail (error, where, "\"passphrase_files\" must hold paths");
                g_ptr_array_add (list, g_strdup (json_node_get_string (f)));
            }
        }
        g_ptr_array_add (list, NULL);
        p->passphrase_files = (char **)g_ptr_array_free (g_steal_pointer (&list), FALSE);
    }
    return TRUE;
}

static gboolean
parse_missing (JsonObject *root, KikanScript *s, GError **error)
{
    static const char *const known[] = {
        "asset",         "declared",    "return_by", "to",          "data_held", "classification",
        "personal_data", "remote_wipe", "locate",    "description", NULL
    };
    static const char *const dispositions[]
        = { "at_home", "lost", "stolen", "damaged", "transferred", NULL };
    static const char *const classes[] = { "public", "internal", "confidential", "unknown", NULL };
    static const char *const wipe[]
        = { "requested", "done", "not_available", "not_applicable", NULL };
    JsonNode *n = json_object_get_member (root, "missing");
    JsonArray *a;

    if (n == NULL)
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY (n))
        return fail (error, "missing", "an array is expected");
    a = json_node_get_array (n);
    if (json_array_get_length (a) > 256)
        return fail (error, "missing", "more than 256 items");
    for (guint i = 0; i < json_array_get_length (a); i++) {
        g_autofree char *where = g_strdup_printf ("missing[%u]", i);
        JsonNode *e = json_array_get_element (a, i);
        KikanScriptMissing *m;
        JsonObject *o;

        if (!JSON_NODE_HOLDS_OBJECT (e))
            return fail (error, where, "an object is expected");
        o = json_node_get_object (e);
        if (!only_known (o, where, known, error))
            return FALSE;
        m = g_new0 (KikanScriptMissing, 1);
        g_ptr_array_add (s->missing, m);
        if (!get_string (o, "asset", where, NULL, FALSE, &m->asset, error)
            || !get_string (o, "declared", where, dispositions, FALSE, &m->declared, error)
            || !get_string (o, "return_by", where, NULL, TRUE, &m->return_by, error)
            || !get_string (o, "to", where, NULL, FALSE, &m->to, error)
            || !get_string (o, "data_held", where, NULL, FALSE, &m->data_held, error)
            || !get_string (o, "classification", where, classes, FALSE, &m->classification, error)
            || !get_string (o, "personal_data", where, answer_values, FALSE, &m->personal_data,
                            error)
            || !get_string (o, "remote_wipe", where, wipe, FALSE, &m->remote_wipe, error)
            || !get_string (o, "locate", where, wipe, FALSE, &m->locate, error)
            || !get_string (o, "description", where, NULL, FALSE, &m->description, error))
            return FALSE;
        if (m->asset == NULL || m->declared == NULL)
            return fail (error, where, "\"asset\" and \"declared\" are required");
        if (strcmp (m->declared, "at_home") == 0 && m->return_by == NULL)
            return fail (error, where, "an item left at home needs \"return_by\" (YYYY-MM-DD)");
        if (strcmp (m->declared, "transferred") == 0 && m->to == NULL)
            return fail (error, where, "a transferred item needs \"to\" (who has it)");
    }
    return TRUE;
}

/* json-glib keeps the last of duplicate keys and drops the others without
 * a word: {"Q5": "yes", "Q5": "no"} would lose a declared incident.  The
 * parser's signals show every member as it is read; a name seen twice in
 * one object is remembered with its object, and refused below. */
typedef struct {
    GHashTable *names;      /* JsonObject* -> GHashTable of member names */
    JsonObject *dup_object; /* borrowed: the first object with a duplicate */
    char *dup_name;
} DupCheck;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name, gpointer data)
{
    DupCheck *d = data;
    GHashTable *seen = g_hash_table_lookup (d->names, object);

    if (seen == NULL) {
        seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert (d->names, object, seen);
    }
    if (!g_hash_table_add (seen, g_strdup (name)) && d->dup_object == NULL) {
        d->dup_object = object;
        d->dup_name = g_strdup (name);
    }
}

/* The place of @target below @node, as fail() names places. */
static char *
place_of (JsonNode *node, JsonObject *target, const char *here)
{
    if (JSON_NODE_HOLDS_OBJECT (node)) {
        JsonObject *o = json_node_get_object (node);
        g_autoptr (GList) members = NULL;

        if (o == target)
            return g_strdup (here);
        members = json_object_get_members (o);
        for (GList *l = members; l != NULL; l = l->next) {
            g_autofree char *sub = g_strdup_printf ("%s%s%s", here, here[0] ? "." : "",
                                                    (char *) l->data);
            char *found = place_of (json_object_get_member (o, l->data), target, sub);

            if (found != NULL)
                return found;
        }
    } else if (JSON_NODE_HOLDS_ARRAY (node)) {
        JsonArray *a = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (a); i++) {
            g_autofree char *sub = g_strdup_printf ("%s[%u]", here, i);
            char *found = place_of (json_array_get_element (a, i), target, sub);

            if (found != NULL)
                return found;
        }
    }
    return NULL;
}

KikanScript *
kikan_script_parse (const char *data, gsize len, GError **error)
{
    static const char *const known[]
        = { "employee", "answers", "present", "missing", "visit_seconds", NULL };
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (KikanScript) s = g_new0 (KikanScript, 1);
    g_autoptr (GError) json_error = NULL;
    JsonNode *root;
    JsonObject *o;
    JsonNode *visit;
    DupCheck dup = { 0 };

    s->answers = g_ptr_array_new_with_free_func (answer_free);
    s->present = g_ptr_array_new_with_free_func (present_free);
    s->missing = g_ptr_array_new_with_free_func (missing_free);
    s->visit_seconds = -1;
    if (len > KIKAN_SCRIPT_MAX_BYTES) {
        fail (error, "the whole file", "larger than 1 MiB");
        return NULL;
    }
    if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize)len, NULL)) {
        fail (error, "the whole file", "not UTF-8 text");
        return NULL;
    }
    dup.names = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_hash_table_unref);
    g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &dup);
    if (!json_parser_load_from_data (parser, data, (gssize)len, &json_error)) {
        fail (error, "the whole file", json_error->message);
        goto out_dup;
    }
    root = json_parser_get_root (parser);
    if (dup.dup_object != NULL) {
        g_autofree char *where = root != NULL ? place_of (root, dup.dup_object, "") : NULL;
        g_autofree char *place = g_strdup_printf ("%s%s%s", where ? where : "",
                                                  where && where[0] ? "." : "", dup.dup_name);

        fail (error, place, "given twice (a JSON key may appear only once)");
        goto out_dup;
    }
    g_clear_pointer (&dup.names, g_hash_table_unref);
    g_clear_pointer (&dup.dup_name, g_free);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
        fail (error, "the top level", "an object is expected");
        return NULL;
    }
    o = json_node_get_object (root);
    if (!only_known (o, "", known, error)
        || !get_string (o, "employee", "", NULL, FALSE, &s->employee, error))
        return NULL;
    if (s->employee == NULL) {
        fail (error, "employee", "who is checking in is required");
        return NULL;
    }
    visit = json_object_get_member (o, "visit_seconds");
    if (visit != NULL) {
        if (!JSON_NODE_HOLDS_VALUE (visit) || json_node_get_value_type (visit) != G_TYPE_INT64
            || json_node_get_int (visit) < 0 || json_node_get_int (visit) > 86400) {
            fail (error, "visit_seconds", "a whole number of seconds, 0 … 86400, is expected");
            return NULL;
        }
        s->visit_seconds = (gint)json_node_get_int (visit);
    }
    if (!parse_answers (o, s, error) || !parse_present (o, s, error)
        || !parse_missing (o, s, error))
        return NULL;
    return g_steal_pointer (&s);

out_dup:
    g_clear_pointer (&dup.names, g_hash_table_unref);
    g_free (dup.dup_name);
    return NULL;
}

KikanScript *
kikan_script_load (const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr (GError) read_error = NULL;

    if (!g_file_get_contents (path, &data, &len, &read_error)) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);
        /* GLib's message repeats the path as typed. */
        g_autofree char *why = kikan_escape_for_display (read_error->message, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The check-in script %s cannot be read: %s.", shown, why);
        return NULL;
    }
    return kikan_script_parse (data, len, error);
}
