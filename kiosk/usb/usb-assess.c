/* Kikan kiosk: matching a USB device to the media register and judging it. */
#include "usb-assess-private.h"

#include <string.h>

#include "error-private.h"
#include "escape-private.h"

/* ------------------------------------------------------------ match */

KikanUsbMatch
kikan_usb_match (const KikanUsbDevice *dev, const KikanUsbRegistration *regs, guint n)
{
    KikanUsbMatch m = { KIKAN_USB_MATCH_NONE, NULL };

    g_return_val_if_fail (dev != NULL, m);
    /* Without a serial, one stick of a model cannot be told from another:
     * it is not the registered medium (KR-06). */
    if (dev->serial == NULL || dev->serial[0] == '\0' || regs == NULL)
        return m;
    for (guint i = 0; i < n; i++) {
        const KikanUsbRegistration *r = &regs[i];

        if (r->usb_serial == NULL || strcmp (r->usb_serial, dev->serial) != 0)
            continue;
        if (r->vid == dev->vid && r->pid == dev->pid) {
            m.kind = KIKAN_USB_MATCH_EXACT;
            m.reg = r;
            return m;
        }
        if (m.reg == NULL) {
            m.kind = KIKAN_USB_MATCH_SERIAL_ONLY;
            m.reg = r;
        }
    }
    return m;
}

/* ------------------------------------------------------------ models */

#define MODELS_GROUP "hardware-encrypted"
/* IT's list of a few dozen models; anything far larger is not that file. */
#define MODELS_MAX_BYTES (1024 * 1024)

struct _KikanUsbModels {
    GHashTable *names; /* GUINT_TO_POINTER (vid << 16 | pid) → model name */
};

KikanUsbModels *
kikan_usb_models_new_empty (void)
{
    KikanUsbModels *m = g_new0 (KikanUsbModels, 1);

    m->names = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
    return m;
}

void
kikan_usb_models_free (KikanUsbModels *models)
{
    if (models == NULL)
        return;
    g_hash_table_unref (models->names);
    g_free (models);
}

static gboolean
parse_vid_pid (const char *key, guint16 *vid, guint16 *pid)
{
    guint64 v, p;
    char a[5], b[5];

    if (strlen (key) != 9 || key[4] != ':')
        return FALSE;
    memcpy (a, key, 4);
    a[4] = '\0';
    memcpy (b, key + 5, 4);
    b[4] = '\0';
    for (guint i = 0; i < 4; i++) {
        if (!g_ascii_isxdigit (a[i]) || !g_ascii_isxdigit (b[i]))
            return FALSE;
    }
    if (!g_ascii_string_to_unsigned (a, 16, 0, 0xffff, &v, NULL)
        || !g_ascii_string_to_unsigned (b, 16, 0, 0xffff, &p, NULL))
        return FALSE;
    *vid = (guint16) v;
    *pid = (guint16) p;
    return TRUE;
}

static gboolean
models_error (GError **error, const char *name, guint line, const char *what, const char *text)
{
    g_autofree char *shown_name = kikan_escape_for_display (name, -1);
    g_autofree char *shown = text != NULL ? kikan_escape_for_display (text, -1) : NULL;

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                 "%s:%u: %s%s%s%s. Each line of [" MODELS_GROUP "] is “VVVV:PPPP = model "
                 "name” (hex VID and PID); fix the line, or remove it (docs/usb.md).",
                 shown_name, line, what, shown != NULL ? " (“" : "", shown != NULL ? shown : "",
                 shown != NULL ? "”)" : "");
    return FALSE;
}

/* GKeyFile would accept the file and keep the last of two equal keys, and
 * its syntax errors name no line: every line is checked here first, so
 * that an error names its line, then GKeyFile reads the values (with its
 * escapes) from text known to be well formed. */
static gboolean
check_lines (const char *data, gsize len, const char *name, GError **error)
{
    g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
    g_auto (GStrv) lines = NULL;
    g_autofree char *copy = g_strndup (data, len);
    gboolean in_models = FALSE;

    if (strlen (copy) != len)
        return models_error (error, name, 1, "the file holds a NUL byte", NULL);
    if (!g_utf8_validate (copy, -1, NULL))
        return models_error (error, name, 1, "the file is not UTF-8 text", NULL);
    lines = g_strsplit (copy, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_autofree char *line = g_strstrip (g_strdup (lines[i]));
        guint lineno = i + 1;
        char *eq;
        guint16 vid, pid;

        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (line[0] == '[') {
            if (g_str_equal (line, "[" MODELS_GROUP "]")) {
                in_models = TRUE;
                continue;
            }
            return models_error (error, name, lineno, "unknown group", line);
        }
        if (!in_models)
            return models_error (error, name, lineno,
                                 "a line before the [" MODELS_GROUP "] group", line);
        if ((eq = strchr (line, '=')) == NULL)
            return models_error (error, name, lineno, "not “VVVV:PPPP = model name”", line);
        *eq = '\0';
        g_strstrip (line);
        if (!parse_vid_pid (line, &vid, &pid))
            return models_error (error, name, lineno, "not a hex VID:PID like 0951:1665", line);
        if (g_strstrip (eq + 1)[0] == '\0')
            return models_error (error, name, lineno, "no model name after “=”", line);
        if (!g_hash_table_add (seen, GUINT_TO_POINTER (((guint) vid << 16) | pid)))
            return models_error (error, name, lineno, "this VID:PID is listed twice", line);
    }
    return TRUE;
}

KikanUsbModels *
kikan_usb_models_load_from_data (const char *data, gssize len, const char *name,
                                 GError **error)
{
    g_autoptr (KikanUsbModels) models = kikan_usb_models_new_empty ();
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    g_auto (GStrv) keys = NULL;
    gsize n = len < 0 ? strlen (data) : (gsize) len;

    g_return_val_if_fail (data != NULL && name != NULL, NULL);
    /* An editor's byte-order mark is not part of the first line. */
    if (n >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        n -= 3;
    }
    if (n > MODELS_MAX_BYTES) {
        g_autofree char *shown = kikan_escape_for_display (name, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "%s is larger than %d bytes: it is not a list of USB models. Check the "
                     "path (docs/usb.md).",
                     shown, MODELS_MAX_BYTES);
        return NULL;
    }
    if (!check_lines (data, n, name, error))
        return NULL;
    if (!g_key_file_load_from_data (kf, data, n, G_KEY_FILE_NONE, &local)) {
        g_autofree char *shown = kikan_escape_for_display (name, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s: %s. Fix the file (docs/usb.md).",
                     shown, local->message);
        return NULL;
    }
    if (!g_key_file_has_group (kf, MODELS_GROUP))
        return g_steal_pointer (&models);
    keys = g_key_file_get_keys (kf, MODELS_GROUP, NULL, NULL);
    for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
        g_autofree char *value = g_key_file_get_string (kf, MODELS_GROUP, keys[i], NULL);
        guint16 vid, pid;

        /* check_lines() has seen every key; GKeyFile agrees on text this plain. */
        if (value == NULL || !parse_vid_pid (keys[i], &vid, &pid)) {
            models_error (error, name, 0, "cannot read the model of", keys[i]);
            return NULL;
        }
        g_hash_table_replace (models->names, GUINT_TO_POINTER (((guint) vid << 16) | pid),
                              g_strdup (g_strstrip (value)));
    }
    return g_steal_pointer (&models);
}

KikanUsbModels *
kikan_usb_models_load (const char *path, GError **error)
{
    g_autofree char *data = NULL;
    g_autoptr (GError) local = NULL;
    gsize len = 0;

    g_return_val_if_fail (path != NULL, NULL);
    if (!g_file_get_contents (path, &data, &len, &local)) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "The list of hardware-encrypted USB models %s cannot be read: %s. Copy "
                     "data/usb.conf.example there, or name another file with --models.",
                     shown, local->message);
        return NULL;
    }
    return kikan_usb_models_load_from_data (data, (gssize) len, path, error);
}

const char *
kikan_usb_models_lookup (const KikanUsbModels *models, guint16 vid, guint16 pid)
{
    if (models == NULL)
        return NULL;
    return g_hash_table_lookup (models->names, GUINT_TO_POINTER (((guint) vid << 16) | pid));
}

guint
kikan_usb_models_get_n (const KikanUsbModels *models)
{
    return models != NULL ? g_hash_table_size (models->names) : 0;
}

/* ------------------------------------------------------------ assess */

void
kikan_usb_finding_free (KikanUsbFinding *f)
{
    if (f == NULL)
        return;
    g_free (f->detail);
    g_free (f->asset_id);
    g_free (f);
}

static void
add_finding (GPtrArray *out, KikanUsbFindingKind kind, KikanUsbLevel level, const char *code,
             const KikanUsbRegistration *reg, char *detail)
{
    KikanUsbFinding *f = g_new0 (KikanUsbFinding, 1);

    f->kind = kind;
    f->level = level;
    f->code = code;
    f->detail = detail;
    f->asset_id = reg != NULL ? g_strdup (reg->asset_id) : NULL;
    g_ptr_array_add (out, f);
}

/* Network functions a BadUSB stick adds to redirect traffic: CDC
 * (Ethernet, NCM, EEM, MBIM, ACM-based RNDIS: class 02), CDC Data (0a),
 * wireless controllers (e0, RNDIS too) and Microsoft's RNDIS in the
 * miscellaneous class (ef/04/01). */
static gboolean
is_network (const KikanUsbInterface *in)
{
    return in->klass == 0x02 || in->klass == 0x0a || in->klass == 0xe0
           || (in->klass == 0xef && in->subclass == 0x04 && in->protocol == 0x01);
}

/* A keyboard or mouse, or any boot interface (subclass 1): what types
 * commands into the kiosk's session. */
static gboolean
is_input (const KikanUsbInterface *in)
{
    return in->klass == 0x03 && (in->subclass == 0x01 || in->protocol == 0x01
                                 || in->protocol == 0x02);
}

gboolean
kikan_usb_is_badusb (const KikanUsbDevice *dev)
{
    gboolean storage = FALSE, other = FALSE;

    g_return_val_if_fail (dev != NULL, FALSE);
    for (guint i = 0; i < dev->interfaces->len; i++) {
        const KikanUsbInterface *in = &g_array_index (dev->interfaces, KikanUsbInterface, i);

        storage = storage || in->klass == 0x08;
        other = other || is_input (in) || is_network (in);
    }
    return storage && other;
}

/* "HID keyboard (03/01/01), CDC Data (0a/00/00)": what made it BadUSB. */
static char *
describe_badusb (const KikanUsbDevice *dev)
{
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < dev->interfaces->len; i++) {
        const KikanUsbInterface *in = &g_array_index (dev->interfaces, KikanUsbInterface, i);
        const char *what;

        if (is_input (in))
            what = in->protocol == 0x02 ? "HID mouse" : in->protocol == 0x01 ? "HID keyboard"
                                                                               : "HID boot device";
        else if (is_network (in))
            what = "network";
        else
            continue;
        g_string_append_printf (s, "%s%s (%02x/%02x/%02x)", s->len > 0 ? ", " : "", what,
                                in->klass, in->subclass, in->protocol);
    }
    return g_string_free (s, FALSE);
}

GPtrArray *
kikan_usb_assess (const KikanUsbDevice *dev, const KikanUsbRegistration *reg,
                  const KikanUsbModels *models)
{
    GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_usb_finding_free);
    gboolean mismatch = FALSE;
    const char *model;

    g_return_val_if_fail (dev != NULL, out);
    if (reg == NULL) {
        g_autofree char *serial = dev->serial != NULL
                                      ? kikan_escape_for_display (dev->serial, -1)
                                      : g_strdup ("(none)");

        /* KR-06: never released for LAN use automatically. */
        add_finding (out, KIKAN_USB_FINDING_UNREGISTERED, KIKAN_USB_LEVEL_HOLD, "INV-06", NULL,
                     g_strdup_printf ("USB medium %04x:%04x with serial “%s” is not in the "
                                      "media register",
                                      dev->vid, dev->pid, serial));
    } else {
        g_autoptr (GString) what = g_string_new (NULL);

        if (reg->vid != dev->vid || reg->pid != dev->pid)
            g_string_append_printf (what, "VID:PID is %04x:%04x, registered %04x:%04x", dev->vid,
                                    dev->pid, reg->vid, reg->pid);
        /* A registered fingerprint is compared whenever there is one: a
         * device whose descriptors cannot be read does not match it. */
        if (reg->fingerprint != NULL && reg->fingerprint[0] != '\0'
            && g_strcmp0 (reg->fingerprint, dev->fingerprint) != 0)
            g_string_append_printf (what, "%sdescriptor fingerprint is %.16s…, registered %.16s…",
                                    what->len > 0 ? "; " : "",
                                    dev->fingerprint != NULL ? dev->fingerprint : "(unreadable)",
                                    reg->fingerprint);
        if (what->len > 0) {
            g_autofree char *asset = kikan_escape_for_display (reg->asset_id, -1);

            mismatch = TRUE;
            add_finding (out, KIKAN_USB_FINDING_MISMATCH, KIKAN_USB_LEVEL_HOLD, "INV-05", reg,
                         g_strdup_printf ("USB medium claims the serial of %s, but its %s",
                                          asset, what->str));
        }
    }
    if (kikan_usb_is_badusb (dev)) {
        g_autofree char *why = describe_badusb (dev);

        add_finding (out, KIKAN_USB_FINDING_BADUSB, KIKAN_USB_LEVEL_QUARANTINE, "USB-01", reg,
                     g_strdup_printf ("USB medium offers mass storage together with %s: "
                                      "possible BadUSB device",
                                      why));
    }
    if (!dev->interfaces_known)
        add_finding (out, KIKAN_USB_FINDING_INTERFACES_UNKNOWN, KIKAN_USB_LEVEL_HOLD, "USB-02",
                     reg,
                     g_strdup ("The USB medium's configuration descriptors could not be read: "
                               "its functions (keyboard, network) are unknown"));
    /* A model on IT's list, or a record that says so, counts as encrypted
     * (ENC-01), but never for a device that is not what was registered. */
    if (!mismatch) {
        model = kikan_usb_models_lookup (models, dev->vid, dev->pid);
        if (model != NULL) {
            g_autofree char *shown = kikan_escape_for_display (model, -1);

            add_finding (out, KIKAN_USB_FINDING_HW_ENCRYPTED, KIKAN_USB_LEVEL_INFO, "ENC-01", reg,
                         g_strdup_printf ("Hardware-encrypted model: %s (%04x:%04x)", shown,
                                          dev->vid, dev->pid));
        } else if (reg != NULL && reg->hardware_encrypted) {
            add_finding (out, KIKAN_USB_FINDING_HW_ENCRYPTED, KIKAN_USB_LEVEL_INFO, "ENC-01", reg,
                         g_strdup_printf ("Registered as a hardware-encrypted medium "
                                          "(%04x:%04x)",
                                          dev->vid, dev->pid));
        }
    }
    return out;
}

KikanUsbLevel
kikan_usb_findings_worst (const GPtrArray *findings)
{
    KikanUsbLevel worst = KIKAN_USB_LEVEL_INFO;

    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const KikanUsbFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

        worst = MAX (worst, f->level);
    }
    return worst;
}

gboolean
kikan_usb_findings_encrypted (const GPtrArray *findings)
{
    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const KikanUsbFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

        if (f->kind == KIKAN_USB_FINDING_HW_ENCRYPTED)
            return TRUE;
    }
    return FALSE;
}

const char *
kikan_usb_level_to_string (KikanUsbLevel level)
{
    switch (level) {
    case KIKAN_USB_LEVEL_INFO: return "info";
    case KIKAN_USB_LEVEL_HOLD: return "hold";
    case KIKAN_USB_LEVEL_QUARANTINE: return "quarantine";
    default: g_assert_not_reached ();
    }
}

const char *
kikan_usb_finding_kind_to_string (KikanUsbFindingKind kind)
{
    switch (kind) {
    case KIKAN_USB_FINDING_UNREGISTERED: return "unregistered";
    case KIKAN_USB_FINDING_MISMATCH: return "mismatch";
    case KIKAN_USB_FINDING_BADUSB: return "badusb";
    case KIKAN_USB_FINDING_INTERFACES_UNKNOWN: return "interfaces_unknown";
    case KIKAN_USB_FINDING_HW_ENCRYPTED: return "hardware_encrypted";
    default: g_assert_not_reached ();
    }
}
