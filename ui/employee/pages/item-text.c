/* Kikan kiosk UI: how a row of what the employee holds is said (item-text.h). */
#include "item-text.h"

#include "escape-private.h"
#include "kiosk-i18n.h"

const char *const kikan_ui_missing_kinds[]
    = { "at_home", "lost", "stolen", "damaged", "transferred", NULL };

const char *
kikan_ui_missing_label (const char *kind)
{
    if (g_strcmp0 (kind, "at_home") == 0)
        return _("It is at home — I will bring it");
    if (g_strcmp0 (kind, "lost") == 0)
        return _("It was lost");
    if (g_strcmp0 (kind, "stolen") == 0)
        return _("It was stolen");
    if (g_strcmp0 (kind, "damaged") == 0)
        return _("It is damaged");
    if (g_strcmp0 (kind, "transferred") == 0)
        return _("I handed it to someone else");
    return kind;
}

const char *
kikan_ui_type_label (const char *type)
{
    if (g_strcmp0 (type, "laptop") == 0)
        return _("Company-issued laptop");
    if (g_strcmp0 (type, "usb") == 0)
        return _("Removable media (USB memory)");
    if (g_strcmp0 (type, "phone") == 0)
        return _("Company phone or tablet");
    if (g_strcmp0 (type, "token") == 0)
        return _("IC card or token");
    return _("Other device");
}

char *
kikan_ui_item_title (const KikanDriverItem *it)
{
    g_autofree char *asset = NULL;

    if (it->asset == NULL)
        return g_strdup (_("A medium not in the ledger"));
    asset = kikan_escape_for_display (it->asset, -1);
    return g_strdup_printf ("%s — %s", asset, kikan_ui_type_label (it->type));
}

static char *
size_text (guint64 bytes)
{
    return g_format_size (bytes);
}

char *
kikan_ui_item_state (const KikanDriverItem *it)
{
    switch (it->state) {
    case KIKAN_DRIVER_ITEM_LENT:
        return g_strdup (_("Not handed over yet"));
    case KIKAN_DRIVER_ITEM_PRESENTED:
        return g_strdup (_("Handed over ✓"));
    case KIKAN_DRIVER_ITEM_WAITING:
        return g_strdup (it->has_passphrase ? _("Recognised ✓ — passphrase entered, ready to be "
                                                "checked")
                                            : _("Recognised ✓ — ready to be checked"));
    case KIKAN_DRIVER_ITEM_INSPECTING: {
        g_autofree char *done = size_text (it->bytes_done);
        g_autofree char *total = size_text (it->bytes_total);
        gint64 elapsed = g_get_monotonic_time () - it->started_us;

        if (it->files_total == 0)
            /* TRANSLATORS: files read so far while the medium is still counted. */
            return g_strdup_printf (_("Checking… %llu files so far"),
                                    (unsigned long long)it->files_done);
        if (it->bytes_done > 0 && it->bytes_total > it->bytes_done && elapsed > 0) {
            double left = (double)elapsed / 1e6
                          * (double)(it->bytes_total - it->bytes_done) / (double)it->bytes_done;

            return g_strdup_printf (_("Checking… %llu of %llu files, %s of %s, about %u s left"),
                                    (unsigned long long)it->files_done,
                                    (unsigned long long)it->files_total, done, total,
                                    (guint)(left + 0.5));
        }
        return g_strdup_printf (_("Checking… %llu of %llu files, %s of %s"),
                                (unsigned long long)it->files_done,
                                (unsigned long long)it->files_total, done, total);
    }
    case KIKAN_DRIVER_ITEM_INSPECTED:
        return g_strdup (_("Checked ✓"));
    case KIKAN_DRIVER_ITEM_NOT_INSPECTED:
        return g_strdup (_("Could not be checked: IT will look at it"));
    case KIKAN_DRIVER_ITEM_MISSING:
    default: {
        /* TRANSLATORS: %s is what the person declared, e.g. "It was lost". */
        return g_strdup_printf (_("Not with you: %s"), kikan_ui_missing_label (it->declared));
    }
    }
}
