/* Kikan kiosk: the software side of one scanned target (issue #4). */
#include "software-facts-private.h"

#include <stdlib.h>
#include <string.h>

#include "escape-private.h"
#include "format-private.h"

typedef struct {
    char *path;            /* target-relative path of the file (hostile) */
    char *member;          /* member inside it, or NULL for the file itself */
    KikanExecInfo exec;    /* owned copy */
} Exe;

typedef struct {
    char *path;
    char *signature;
} Pua;

struct KikanSoftwareFacts {
    KikanInventory inv;        /* appended chunks, owned */
    GArray *exes;              /* Exe */
    GArray *puas;              /* Pua */
    GPtrArray *cut;            /* paths whose member list lost programs (char *) */
    GPtrArray *findings;       /* KikanFinding */
    KikanVerdictOf *program_status;
    KikanVerdictOf *exe_status;
    gboolean *in_system;       /* per exe: part of an installed OS (not judged one by one) */
    guint n_in_system;
    char *incomplete;          /* why the worker did not finish, or NULL */
    char *not_inspected;       /* what content the scan could not inspect, or NULL */
    char *signatures_invalid;  /* why the kiosk's signatures void a clearance (MAL-05), or NULL */
    gboolean unconfined;       /* the worker that read this item ran without its sandbox */
};

static void
exe_clear (gpointer p)
{
    Exe *e = p;

    g_free (e->path);
    g_free (e->member);
    kikan_exec_info_clear (&e->exec);
}

static void
pua_clear (gpointer p)
{
    Pua *u = p;

    g_free (u->path);
    g_free (u->signature);
}

KikanSoftwareFacts *
kikan_software_facts_new (void)
{
    KikanSoftwareFacts *self = g_new0 (KikanSoftwareFacts, 1);

    self->exes = g_array_new (FALSE, TRUE, sizeof (Exe));
    g_array_set_clear_func (self->exes, exe_clear);
    self->puas = g_array_new (FALSE, TRUE, sizeof (Pua));
    g_array_set_clear_func (self->puas, pua_clear);
    self->cut = g_ptr_array_new_with_free_func (g_free);
    self->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_finding_free);
    return self;
}

void
kikan_software_facts_free (KikanSoftwareFacts *self)
{
    if (self == NULL)
        return;
    kikan_inventory_clear (&self->inv);
    g_array_unref (self->exes);
    g_array_unref (self->puas);
    g_ptr_array_unref (self->cut);
    g_ptr_array_unref (self->findings);
    g_free (self->program_status);
    g_free (self->exe_status);
    g_free (self->in_system);
    g_free (self->incomplete);
    g_free (self->not_inspected);
    g_free (self->signatures_invalid);
    g_free (self);
}

void
kikan_software_facts_set_not_inspected (KikanSoftwareFacts *self, const char *what)
{
    g_return_if_fail (self != NULL);
    g_free (self->not_inspected);
    self->not_inspected = g_strdup (what != NULL ? what : "some content");
}

void
kikan_software_facts_set_incomplete (KikanSoftwareFacts *self, const char *why)
{
    g_return_if_fail (self != NULL);
    g_free (self->incomplete);
    self->incomplete = g_strdup (why != NULL ? why : "the inspection did not finish");
}

void
kikan_software_facts_set_unconfined (KikanSoftwareFacts *self)
{
    g_return_if_fail (self != NULL);
    self->unconfined = TRUE;
}

void
kikan_software_facts_set_signatures_invalid (KikanSoftwareFacts *self, const char *why)
{
    g_return_if_fail (self != NULL);
    g_free (self->signatures_invalid);
    self->signatures_invalid = g_strdup (why != NULL ? why : "are of unknown age");
}

static gboolean
is_program (const KikanExecInfo *x)
{
    return x->type != KIKAN_FILETYPE_OTHER || x->name_flags != 0;
}

static void
add_exe (KikanSoftwareFacts *self, const char *path, const char *member, const KikanExecInfo *x)
{
    Exe e = { 0 };

    e.path = g_strdup (path ? path : "");
    e.member = g_strdup (member);
    e.exec = *x;
    e.exec.signer_subject = g_strdup (x->signer_subject);
    g_array_append_val (self->exes, e);
}

/* ClamAV names potentially unwanted applications "PUA.<platform>.<category>…"
 * (loaded with CL_DB_PUA); the policy can forbid or approve them by name. */
static gboolean
is_pua_name (const char *sig)
{
    return sig != NULL && g_str_has_prefix (sig, "PUA.");
}

void
kikan_software_facts_add_file (KikanSoftwareFacts *self, const KikanFileReport *r)
{
    g_return_if_fail (self != NULL && r != NULL);

    if (is_program (&r->exec))
        add_exe (self, r->path, NULL, &r->exec);
    for (size_t i = 0; i < r->n_members; i++)
        if (is_program (&r->members[i].exec))
            add_exe (self, r->path, r->members[i].name, &r->members[i].exec);
    if (r->flags & KIKAN_FILE_FLAG_PROGRAMS_CUT)
        g_ptr_array_add (self->cut, g_strdup (r->path ? r->path : ""));
    for (size_t i = 0; i < r->n_signatures; i++)
        if (is_pua_name (r->signatures[i])) {
            Pua u = { g_strdup (r->path ? r->path : ""), g_strdup (r->signatures[i]) };
            g_array_append_val (self->puas, u);
        }
}

/* Appends @n elements of @size bytes from @src to *@dst (of *@n_dst). */
static void *
grow_append (void *dst, size_t *n_dst, const void *src, size_t n, size_t size)
{
    char *v;

    if (n == 0)
        return dst;
    v = g_realloc_n (dst, *n_dst + n, size);
    memcpy (v + *n_dst * size, src, n * size);
    *n_dst += n;
    return v;
}

void
kikan_software_facts_add_inventory (KikanSoftwareFacts *self, const KikanInventory *inv)
{
    KikanInventory *d;
    size_t s0, p0, q0;

    g_return_if_fail (self != NULL && inv != NULL);
    d = &self->inv;
    s0 = d->n_systems;
    p0 = d->n_programs;
    q0 = d->n_problems;
    /* Shallow copies first, then every string duplicated in place. */
    d->systems = grow_append (d->systems, &d->n_systems, inv->systems, inv->n_systems,
                              sizeof *inv->systems);
    d->programs = grow_append (d->programs, &d->n_programs, inv->programs, inv->n_programs,
                               sizeof *inv->programs);
    d->problems = grow_append (d->problems, &d->n_problems, inv->problems, inv->n_problems,
                               sizeof *inv->problems);
    for (size_t i = s0; i < d->n_systems; i++) {
        KikanSystem *y = &d->systems[i];
        y->source = g_strdup (y->source);
        y->product = g_strdup (y->product);
        y->version = g_strdup (y->version);
        y->build = g_strdup (y->build);
        y->edition = g_strdup (y->edition);
        y->patched_source = g_strdup (y->patched_source);
        y->av_product = g_strdup (y->av_product);
        y->av_version = g_strdup (y->av_version);
    }
    for (size_t i = p0; i < d->n_programs; i++) {
        KikanProgram *p = &d->programs[i];
        p->name = g_strdup (p->name);
        p->version = g_strdup (p->version);
        p->publisher = g_strdup (p->publisher);
        p->install_date = g_strdup (p->install_date);
        p->key = g_strdup (p->key);
        p->source = g_strdup (p->source);
        p->user = g_strdup (p->user);
    }
    for (size_t i = q0; i < d->n_problems; i++) {
        d->problems[i].source = g_strdup (d->problems[i].source);
        d->problems[i].what = g_strdup (d->problems[i].what);
    }
}

/* "p2" of "p2:/Windows/…", "" for a path without a volume prefix (a
 * folder or a file target). */
static char *
volume_of (const char *path)
{
    const char *c = path != NULL ? strstr (path, ":/") : NULL;

    if (c == NULL || path[0] != 'p')
        return g_strdup ("");
    for (const char *q = path + 1; q < c; q++)
        if (!g_ascii_isdigit (*q))
            return g_strdup ("");
    return g_strndup (path, (gsize) (c - path));
}

/* The path inside its volume, without a leading '/'. */
static const char *
in_volume (const char *path)
{
    const char *c = path != NULL ? strstr (path, ":/") : NULL;
    const char *p = path != NULL ? path : "";

    if (c != NULL && p[0] == 'p') {
        gboolean digits = c > p + 1;
        for (const char *q = p + 1; q < c; q++)
            digits = digits && g_ascii_isdigit (*q);
        if (digits)
            p = c + 1;
    }
    while (*p == '/')
        p++;
    return p;
}

/* Folders an operating system and its installed programs own.  On a
 * volume where a system was found (a laptop's system disk, KR-46), the
 * programs in them are judged through the installed-software list (the
 * Uninstall keys, dpkg, Info.plist) rather than one file at a time: a
 * Windows disk holds tens of thousands of DLLs that no policy lists, and
 * most are catalog-signed, not signed inside.  Everything else on that
 * volume (Users/…, home/…, the root) is judged like a medium: a portable
 * tool in Downloads is exactly what the policy is for.  The malware scan
 * covers every file either way. */
static gboolean
is_system_folder (KikanOsFamily family, const char *rel)
{
    static const char *const windows[] = { "Windows/", "Program Files/", "Program Files (x86)/",
                                           "Program Files (Arm)/", "ProgramData/Microsoft/",
                                           NULL };
    static const char *const linux_[] = { "usr/", "bin/", "sbin/", "lib/", "lib32/", "lib64/",
                                          "libx32/", "boot/", "etc/", "var/lib/", "opt/",
                                          "snap/", NULL };
    static const char *const macos[] = { "System/", "Library/", "usr/", "bin/", "sbin/",
                                          "Applications/", "private/var/", NULL };
    const char *const *v = family == KIKAN_OS_WINDOWS ? windows
                           : family == KIKAN_OS_LINUX ? linux_
                           : family == KIKAN_OS_MACOS ? macos
                                                      : NULL;

    for (; v != NULL && *v != NULL; v++)
        if (g_ascii_strncasecmp (rel, *v, strlen (*v)) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
exe_in_system (const KikanSoftwareFacts *self, const Exe *e)
{
    g_autofree char *vol = NULL;

    /* A deceptive name or an AutoRun file is judged wherever it is. */
    if (e->exec.name_flags != 0 || e->exec.type == KIKAN_FILETYPE_AUTORUN)
        return FALSE;
    vol = volume_of (e->path);
    for (size_t i = 0; i < self->inv.n_systems; i++) {
        const KikanSystem *y = &self->inv.systems[i];
        g_autofree char *svol = volume_of (y->source);

        if (strcmp (vol, svol) == 0 && is_system_folder (y->family, in_volume (e->path)))
            return TRUE;
    }
    return FALSE;
}

void
kikan_software_facts_evaluate (KikanSoftwareFacts *self, const KikanPolicy *policy, gint64 now)
{
    g_autofree KikanExecutable *exes = NULL;
    g_autofree const char **pua = NULL;
    g_autofree const char **pua_paths = NULL;
    GPtrArray *found;

    g_return_if_fail (self != NULL);
    g_autofree guint *judged_index = g_new0 (guint, self->exes->len + 1);
    g_autofree KikanVerdictOf *judged_status = NULL;
    guint n_judged = 0;

    g_free (self->in_system);
    self->in_system = g_new0 (gboolean, self->exes->len + 1);
    self->n_in_system = 0;
    exes = g_new0 (KikanExecutable, self->exes->len + 1);
    for (guint i = 0; i < self->exes->len; i++) {
        const Exe *e = &g_array_index (self->exes, Exe, i);
        KikanExecutable *x;

        if (exe_in_system (self, e)) {
            self->in_system[i] = TRUE;
            self->n_in_system++;
            continue;
        }
        judged_index[n_judged] = i;
        x = &exes[n_judged++];

        x->path = e->path;
        x->member = e->member;
        x->type = (KikanFileType) e->exec.type;
        x->name_flags = e->exec.name_flags;
        x->sha256 = e->exec.sha256[0] ? e->exec.sha256 : NULL;
        if (e->exec.signature == KIKAN_AUTHENTICODE_VALID && e->exec.signer_sha256[0]) {
            x->signer_cert_sha256 = e->exec.signer_sha256;
            x->signer_subject = e->exec.signer_subject;
        }
    }
    pua = g_new0 (const char *, self->puas->len + 1);
    pua_paths = g_new0 (const char *, self->puas->len + 1);
    for (guint i = 0; i < self->puas->len; i++) {
        pua[i] = g_array_index (self->puas, Pua, i).signature;
        pua_paths[i] = g_array_index (self->puas, Pua, i).path;
    }
    g_free (self->program_status);
    g_free (self->exe_status);
    self->program_status = g_new0 (KikanVerdictOf, self->inv.n_programs + 1);
    self->exe_status = g_new0 (KikanVerdictOf, self->exes->len + 1);
    judged_status = g_new0 (KikanVerdictOf, n_judged + 1);
    found = kikan_posture_evaluate (policy, &self->inv, exes, n_judged,
                                    (const char *const *) pua, (const char *const *) pua_paths,
                                    self->puas->len, now, self->program_status, judged_status);
    for (guint k = 0; k < n_judged; k++)
        self->exe_status[judged_index[k]] = judged_status[k];
    /* Programs the worker could not list (a member list cut to fit a
     * message) cannot be judged: fail closed (KR-19). */
    for (guint i = 0; i < self->cut->len; i++) {
        const char *path = g_ptr_array_index (self->cut, i);

        g_ptr_array_add (found, kikan_finding_new (
            "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, path, path,
            g_strdup ("This archive holds more programs than Kikan could list, so not all of "
                      "them could be checked against the policy. IT must review it before it "
                      "is used on the LAN.")));
    }
    /* A worker that did not finish never sent the inventory, and may not
     * have reached every program: what is listed is only part of the
     * picture, so the software side is never "cleared" (KR-19). */
    if (self->incomplete != NULL)
        g_ptr_array_add (found, kikan_finding_new (
            "UPD-UNKNOWN", KIKAN_LEVEL_HOLD, "software and updates", NULL,
            g_strdup_printf ("The inspection of this item did not finish (%s), so its "
                             "installed software, updates and programs could not all be "
                             "checked. IT must inspect it before it reconnects.",
                             self->incomplete)));
    /* Content the scan could not inspect (an encrypted archive, a locked
     * volume, a limit) may hold programs no one has seen: the software
     * side cannot be "cleared" either (MAL-04 is the slip's reason). */
    if (self->not_inspected != NULL && self->incomplete == NULL)
        g_ptr_array_add (found, kikan_finding_new (
            "SW-NOT-INSPECTED", KIKAN_LEVEL_HOLD, "content not inspected", NULL,
            g_strdup_printf ("%s could not be inspected, so programs in it could not be "
                             "checked against the policy. IT must inspect it before it is "
                             "used on the LAN.",
                             self->not_inspected)));
    /* Stale or unofficial signatures may miss what a current set finds:
     * a clean result from them is true but not valid for clearance
     * (MAL-05, KR-12), so the item is held until it is scanned again. */
    if (self->signatures_invalid != NULL)
        g_ptr_array_add (found, kikan_finding_new (
            "SIG-STALE", KIKAN_LEVEL_HOLD, "kiosk signatures", NULL,
            g_strdup_printf ("The kiosk's virus signatures %s: this scan is not valid for "
                             "clearance (MAL-05). IT must import a current update from an IT "
                             "update medium with “kikan signatures import DIR”; then scan the "
                             "item again.",
                             self->signatures_invalid)));
    /* A worker without its sandbox (KIKAN_SANDBOX=null, for tests) could
     * have been taken over by what it parsed and then reported anything:
     * what it says is not evidence for a clearance. */
    if (self->unconfined)
        g_ptr_array_add (found, kikan_finding_new (
            "SCAN-UNCONFINED", KIKAN_LEVEL_HOLD, "kiosk sandbox", NULL,
            g_strdup ("This item was read by a worker running WITHOUT its sandbox "
                      "(KIKAN_SANDBOX=null, meant for tests only), so the scan's result cannot "
                      "be relied on for clearance. IT must unset KIKAN_SANDBOX and scan the item "
                      "again.")));
    kikan_findings_sort (found);
    g_ptr_array_unref (self->findings);
    self->findings = found;
}

GPtrArray *
kikan_software_facts_get_findings (KikanSoftwareFacts *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->findings;
}

KikanLevel
kikan_software_facts_get_worst (KikanSoftwareFacts *self)
{
    g_return_val_if_fail (self != NULL, KIKAN_LEVEL_INFO);
    return kikan_findings_worst (self->findings);
}

guint
kikan_software_facts_get_n_programs (KikanSoftwareFacts *self)
{
    return self ? (guint) self->inv.n_programs : 0;
}

guint
kikan_software_facts_get_n_executables (KikanSoftwareFacts *self)
{
    return self ? self->exes->len - self->n_in_system : 0;
}

guint
kikan_software_facts_get_n_systems (KikanSoftwareFacts *self)
{
    return self ? (guint) self->inv.n_systems : 0;
}

const char *
kikan_level_to_verdict (KikanLevel worst)
{
    switch (worst) {
    case KIKAN_LEVEL_CONDITIONAL:
        return "conditional";
    case KIKAN_LEVEL_HOLD:
        return "hold";
    case KIKAN_LEVEL_QUARANTINE:
        return "quarantine";
    case KIKAN_LEVEL_INFO:
    default:
        return "cleared";
    }
}

/* ---- JSON (docs/json.md "Software") ---- */

static void
add_time_member (JsonBuilder *b, const char *member, gint64 t)
{
    json_builder_set_member_name (b, member);
    if (t <= 0) {
        json_builder_add_null_value (b);
        return;
    }
    {
        g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
        g_autofree char *s = dt ? g_date_time_format_iso8601 (dt) : NULL;

        if (s != NULL)
            json_builder_add_string_value (b, s);
        else
            json_builder_add_null_value (b);
    }
}

static void
add_bool (JsonBuilder *b, const char *member, gboolean v)
{
    json_builder_set_member_name (b, member);
    json_builder_add_boolean_value (b, v);
}

static void
add_rule (JsonBuilder *b, const KikanVerdictOf *v)
{
    json_builder_set_member_name (b, "policy");
    json_builder_add_string_value (b, kikan_policy_status_to_string (v ? v->status
                                                                       : KIKAN_POLICY_UNKNOWN));
    kikan_json_add_hostile_string (b, "rule", v && v->rule ? v->rule->id : NULL);
}

static void
add_systems (KikanSoftwareFacts *self, JsonBuilder *b)
{
    json_builder_set_member_name (b, "systems");
    json_builder_begin_array (b);
    for (size_t i = 0; i < self->inv.n_systems; i++) {
        const KikanSystem *y = &self->inv.systems[i];

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "family");
        json_builder_add_string_value (b, kikan_os_family_to_string (y->family));
        kikan_json_add_hostile_string (b, "source", y->source);
        kikan_json_add_hostile_string (b, "product", y->product);
        kikan_json_add_hostile_string (b, "version", y->version);
        kikan_json_add_hostile_string (b, "build", y->build);
        kikan_json_add_hostile_string (b, "edition", y->edition);
        add_time_member (b, "installed", y->installed);
        add_time_member (b, "patched", y->patched);
        kikan_json_add_hostile_string (b, "patched_source", y->patched_source);
        json_builder_set_member_name (b, "antivirus");
        if (y->av_product == NULL && y->av_version == NULL && y->av_updated == 0
            && !y->av_disabled) {
            json_builder_add_null_value (b);
        } else {
            json_builder_begin_object (b);
            kikan_json_add_hostile_string (b, "product", y->av_product);
            kikan_json_add_hostile_string (b, "signature_version", y->av_version);
            add_time_member (b, "updated", y->av_updated);
            add_bool (b, "disabled", y->av_disabled != 0);
            json_builder_end_object (b);
        }
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

static void
add_installed (KikanSoftwareFacts *self, JsonBuilder *b)
{
    json_builder_set_member_name (b, "installed");
    json_builder_begin_array (b);
    for (size_t i = 0; i < self->inv.n_programs; i++) {
        const KikanProgram *p = &self->inv.programs[i];

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "name", p->name);
        kikan_json_add_hostile_string (b, "version", p->version);
        kikan_json_add_hostile_string (b, "publisher", p->publisher);
        kikan_json_add_hostile_string (b, "install_date", p->install_date);
        kikan_json_add_hostile_string (b, "key", p->key);
        kikan_json_add_hostile_string (b, "source", p->source);
        kikan_json_add_hostile_string (b, "user", p->user);
        add_bool (b, "wow64", (p->flags & KIKAN_PROGRAM_FLAG_WOW64) != 0);
        add_bool (b, "per_user", (p->flags & KIKAN_PROGRAM_FLAG_PER_USER) != 0);
        add_bool (b, "system_component", (p->flags & KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT) != 0);
        add_bool (b, "update", (p->flags & KIKAN_PROGRAM_FLAG_UPDATE) != 0);
        add_bool (b, "truncated", (p->flags & KIKAN_PROGRAM_FLAG_TRUNCATED) != 0);
        add_rule (b, self->program_status ? &self->program_status[i] : NULL);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

static void
add_name_flags (JsonBuilder *b, guint32 flags)
{
    json_builder_set_member_name (b, "name_flags");
    json_builder_begin_array (b);
    if (flags & KIKAN_NAME_FLAG_EXT_MISMATCH)
        json_builder_add_string_value (b, "extension_mismatch");
    if (flags & KIKAN_NAME_FLAG_BIDI)
        json_builder_add_string_value (b, "bidi_control");
    if (flags & KIKAN_NAME_FLAG_DOUBLE_EXT)
        json_builder_add_string_value (b, "double_extension");
    json_builder_end_array (b);
}

static void
add_executables (KikanSoftwareFacts *self, JsonBuilder *b)
{
    json_builder_set_member_name (b, "executables");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->exes->len; i++) {
        const Exe *e = &g_array_index (self->exes, Exe, i);
        KikanFileType t = (KikanFileType) e->exec.type;

        if (self->in_system != NULL && self->in_system[i])
            continue;
        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "path", e->path);
        kikan_json_add_hostile_string (b, "member", e->member);
        json_builder_set_member_name (b, "type");
        json_builder_add_string_value (b, kikan_filetype_to_string (t));
        json_builder_set_member_name (b, "label");
        json_builder_add_string_value (b, kikan_filetype_label (t));
        json_builder_set_member_name (b, "sha256");
        if (e->exec.sha256[0])
            json_builder_add_string_value (b, e->exec.sha256);
        else
            json_builder_add_null_value (b);
        add_name_flags (b, e->exec.name_flags);
        json_builder_set_member_name (b, "signature");
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "status");
        json_builder_add_string_value (
            b, kikan_authenticode_status_to_string ((KikanAuthenticodeStatus) e->exec.signature));
        json_builder_set_member_name (b, "signer_cert_sha256");
        if (e->exec.signer_sha256[0])
            json_builder_add_string_value (b, e->exec.signer_sha256);
        else
            json_builder_add_null_value (b);
        kikan_json_add_hostile_string (b, "subject", e->exec.signer_subject);
        json_builder_end_object (b);
        add_rule (b, self->exe_status ? &self->exe_status[i] : NULL);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

static void
add_findings (KikanSoftwareFacts *self, JsonBuilder *b)
{
    json_builder_set_member_name (b, "findings");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->findings->len; i++) {
        const KikanFinding *f = g_ptr_array_index (self->findings, i);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "code");
        json_builder_add_string_value (b, f->code);
        json_builder_set_member_name (b, "slip_code");
        json_builder_add_string_value (b, f->slip_code);
        json_builder_set_member_name (b, "level");
        json_builder_add_string_value (b, kikan_level_to_string (f->level));
        json_builder_set_member_name (b, "provenance");
        json_builder_add_string_value (b, "M");  /* measured by the kiosk (REQUIREMENTS 0.3) */
        kikan_json_add_hostile_string (b, "subject", f->subject);
        kikan_json_add_hostile_string (b, "detail", f->detail);
        kikan_json_add_hostile_string (b, "source", f->source);
        kikan_json_add_hostile_string (b, "rule", f->rule);
        json_builder_set_member_name (b, "rule_line");
        if (f->rule_line > 0)
            json_builder_add_int_value (b, f->rule_line);
        else
            json_builder_add_null_value (b);
        kikan_json_add_hostile_string (b, "ticket", f->ticket);
        kikan_json_add_hostile_string (b, "approver", f->approver);
        kikan_json_add_hostile_string (b, "expires", f->expires);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

void
kikan_software_facts_add_json_members (KikanSoftwareFacts *self, JsonBuilder *b)
{
    g_return_if_fail (self != NULL && b != NULL);
    json_builder_set_member_name (b, "verdict");
    json_builder_add_string_value (b, kikan_level_to_verdict (kikan_findings_worst (self->findings)));
    add_systems (self, b);
    add_installed (self, b);
    add_executables (self, b);
    json_builder_set_member_name (b, "system_programs");
    json_builder_add_int_value (b, self->n_in_system);
    json_builder_set_member_name (b, "problems");
    json_builder_begin_array (b);
    for (size_t i = 0; i < self->inv.n_problems; i++) {
        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "source", self->inv.problems[i].source);
        kikan_json_add_hostile_string (b, "what", self->inv.problems[i].what);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    add_findings (self, b);
}

void
kikan_policy_add_json (JsonBuilder *b, const KikanPolicy *policy, const char *path,
                       const char *error)
{
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "loaded");
    json_builder_add_boolean_value (b, policy != NULL);
    kikan_json_add_hostile_string (b, "path", policy ? kikan_policy_get_path (policy) : path);
    kikan_json_add_hostile_string (b, "version", policy ? kikan_policy_get_version (policy) : NULL);
    kikan_json_add_hostile_string (b, "sha256", policy ? kikan_policy_get_sha256 (policy) : NULL);
    kikan_json_add_hostile_string (b, "error", policy ? NULL : error);
    json_builder_end_object (b);
}

/* ---- human output ---- */

static void
append_escaped (GString *s, const char *raw)
{
    g_autofree char *e = kikan_escape_for_display (raw ? raw : "", -1);

    g_string_append (s, e);
}

static void
append_date (GString *s, gint64 t)
{
    g_autoptr (GDateTime) dt = t > 0 ? g_date_time_new_from_unix_local (t) : NULL;
    g_autofree char *d = dt ? g_date_time_format (dt, "%Y-%m-%d") : NULL;

    g_string_append (s, d ? d : "unknown");
}

char *
kikan_software_facts_format (KikanSoftwareFacts *self, gboolean all_programs)
{
    GString *s = g_string_new (NULL);

    for (size_t i = 0; i < self->inv.n_systems; i++) {
        const KikanSystem *y = &self->inv.systems[i];

        g_string_append (s, "  System: ");
        if (y->product != NULL) {
            append_escaped (s, y->product);
            if (y->version) {
                g_string_append_c (s, ' ');
                append_escaped (s, y->version);
            }
            if (y->build) {
                g_string_append (s, " (build ");
                append_escaped (s, y->build);
                g_string_append_c (s, ')');
            }
        } else {
            g_string_append_printf (s, "%s (version not readable)",
                                    kikan_os_family_to_string (y->family));
        }
        g_string_append (s, ", last updated ");
        append_date (s, y->patched);
        if (y->family == KIKAN_OS_WINDOWS) {
            g_string_append (s, ", antivirus ");
            if (y->av_product) {
                append_escaped (s, y->av_product);
                g_string_append (s, y->av_disabled ? " (switched off)" : "");
                g_string_append (s, " definitions of ");
                append_date (s, y->av_updated);
            } else
                g_string_append (s, "not found");
        }
        g_string_append (s, "\n    read from ");
        append_escaped (s, y->source);
        g_string_append_c (s, '\n');
    }
    g_string_append_printf (s, "  Installed programs: %zu; programs found among the files: %u\n",
                            self->inv.n_programs, self->exes->len - self->n_in_system);
    if (self->n_in_system > 0)
        g_string_append_printf (s, "  Program files in the systems' own folders: %u (judged "
                                   "through the installed programs)\n",
                                self->n_in_system);
    if (all_programs) {
        for (size_t i = 0; i < self->inv.n_programs; i++) {
            const KikanProgram *p = &self->inv.programs[i];

            g_string_append (s, "    ");
            append_escaped (s, p->name);
            if (p->version) {
                g_string_append_c (s, ' ');
                append_escaped (s, p->version);
            }
            if (p->publisher) {
                g_string_append (s, " — ");
                append_escaped (s, p->publisher);
            }
            g_string_append_printf (s, " [%s]\n",
                                    kikan_policy_status_to_string (
                                        self->program_status ? self->program_status[i].status
                                                             : KIKAN_POLICY_UNKNOWN));
        }
        for (guint i = 0; i < self->exes->len; i++) {
            const Exe *e = &g_array_index (self->exes, Exe, i);

            if (self->in_system != NULL && self->in_system[i])
                continue;
            g_string_append (s, "    ");
            append_escaped (s, e->path);
            if (e->member) {
                g_string_append (s, " › ");
                append_escaped (s, e->member);
            }
            g_string_append_printf (s, ": %s [%s]\n",
                                    kikan_filetype_label ((KikanFileType) e->exec.type),
                                    kikan_policy_status_to_string (
                                        self->exe_status ? self->exe_status[i].status
                                                         : KIKAN_POLICY_UNKNOWN));
        }
    }
    for (guint i = 0; i < self->findings->len; i++) {
        const KikanFinding *f = g_ptr_array_index (self->findings, i);
        g_autofree char *up = g_ascii_strup (kikan_level_to_string (f->level), -1);

        g_string_append_printf (s, "  %s %s (%s): ", up, f->code, f->slip_code);
        append_escaped (s, f->subject);
        g_string_append (s, "\n    ");
        append_escaped (s, f->detail);
        g_string_append_c (s, '\n');
    }
    return g_string_free (s, FALSE);
}
