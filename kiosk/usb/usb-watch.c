/* Kikan kiosk: following USB hot-plug on the kiosk's main loop (GUdev). */
#include "usb-watch-private.h"

#include <string.h>

#include <gio/gio.h>
#include <gudev/gudev.h>

/* One USB device the watcher knows about. */
typedef struct {
    char *syspath;
    GPtrArray *nodes;        /* every block node it has had (char*), in arrival order */
    gboolean announced;      /* "device-added" was emitted */
    GCancellable *reading;   /* the identity read in flight, or NULL */
} Tracked;

struct _KikanUsbWatch {
    GObject parent_instance;
    GUdevClient *client;
    GHashTable *devices; /* syspath → Tracked* */
};

G_DEFINE_FINAL_TYPE (KikanUsbWatch, kikan_usb_watch, G_TYPE_OBJECT)

enum {
    SIG_DEVICE_ADDED,
    SIG_BLOCK_ADDED,
    SIG_BLOCK_CHANGED,
    SIG_BLOCK_REMOVED,
    SIG_DEVICE_REMOVED,
    N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
tracked_free (Tracked *t)
{
    if (t->reading != NULL) {
        g_cancellable_cancel (t->reading);
        g_object_unref (t->reading);
    }
    g_free (t->syspath);
    g_ptr_array_unref (t->nodes);
    g_free (t);
}

static void
tracked_add_node (Tracked *t, const char *node)
{
    for (guint i = 0; i < t->nodes->len; i++) {
        if (g_str_equal (g_ptr_array_index (t->nodes, i), node))
            return;
    }
    g_ptr_array_add (t->nodes, g_strdup (node));
}

/* ------------------------------------------------------------ reading */

typedef struct {
    GWeakRef watch;
    char *syspath;
    GCancellable *cancellable; /* the Tracked's, to tell a stale result */
} Pending;

static void
pending_free (Pending *p)
{
    g_weak_ref_clear (&p->watch);
    g_free (p->syspath);
    g_object_unref (p->cancellable);
    g_free (p);
}

static void
read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    const Pending *p = task_data;
    GError *error = NULL;
    KikanUsbDevice *dev;

    (void) source;
    (void) cancellable;
    if ((dev = kikan_usb_device_read (p->syspath, &error)) == NULL)
        g_task_return_error (task, error);
    else
        g_task_return_pointer (task, dev, (GDestroyNotify) kikan_usb_device_free);
}

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Pending *p = g_task_get_task_data (G_TASK (result));
    g_autoptr (KikanUsbWatch) self = g_weak_ref_get (&p->watch);
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GError) error = NULL;
    Tracked *t;

    (void) source;
    (void) user_data;
    dev = g_task_propagate_pointer (G_TASK (result), &error);
    /* The watcher is gone, or the device left (or came back: another
     * read is in flight) while this one ran. */
    if (self == NULL || g_cancellable_is_cancelled (p->cancellable))
        return;
    t = g_hash_table_lookup (self->devices, p->syspath);
    if (t == NULL || t->reading != p->cancellable)
        return;
    g_clear_object (&t->reading);
    if (dev == NULL) {
        /* Gone between its uevent and the read: its "remove" follows. */
        g_debug ("USB device vanished before it was read: %s", error->message);
        return;
    }
    /* Block devices that arrived during the read are in one list or the
     * other; the announced device carries both. */
    for (guint i = 0; i < dev->block_nodes->len; i++)
        tracked_add_node (t, g_ptr_array_index (dev->block_nodes, i));
    g_ptr_array_set_size (dev->block_nodes, 0);
    for (guint i = 0; i < t->nodes->len; i++)
        g_ptr_array_add (dev->block_nodes, g_strdup (g_ptr_array_index (t->nodes, i)));
    t->announced = TRUE;
    g_signal_emit (self, signals[SIG_DEVICE_ADDED], 0, dev);
}

static void
start_read (KikanUsbWatch *self, Tracked *t)
{
    g_autoptr (GTask) task = NULL;
    Pending *p = g_new0 (Pending, 1);

    t->reading = g_cancellable_new ();
    g_weak_ref_init (&p->watch, self);
    p->syspath = g_strdup (t->syspath);
    p->cancellable = g_object_ref (t->reading);
    /* No source object: a pending read must not keep the watcher alive. */
    task = g_task_new (NULL, NULL, read_done, NULL);
    g_task_set_source_tag (task, start_read);
    g_task_set_task_data (task, p, (GDestroyNotify) pending_free);
    g_task_run_in_thread (task, read_thread);
}

/* ------------------------------------------------------------ uevents */

static gboolean
is_usb_device (GUdevDevice *u)
{
    return g_strcmp0 (g_udev_device_get_subsystem (u), "usb") == 0
           && g_strcmp0 (g_udev_device_get_devtype (u), "usb_device") == 0
           && !g_str_has_prefix (g_udev_device_get_name (u), "usb");
}

/* The tracked USB device a block device @syspath lies beneath, by path:
 * after a removal nothing of it can be read from sysfs any more. */
static Tracked *
owner_of (KikanUsbWatch *self, const char *syspath)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, self->devices);
    while (g_hash_table_iter_next (&it, &key, &value)) {
        gsize n = strlen (key);

        if (strncmp (syspath, key, n) == 0 && syspath[n] == '/')
            return value;
    }
    return NULL;
}

static char *
dup_node (GUdevDevice *b)
{
    const char *node = g_udev_device_get_device_file (b);

    if (node == NULL)
        node = g_udev_device_get_property (b, "DEVNAME");
    if (node != NULL && node[0] == '/')
        return g_strdup (node);
    return g_strconcat ("/dev/", node != NULL ? node : g_udev_device_get_name (b), NULL);
}

static Tracked *
track (KikanUsbWatch *self, const char *syspath)
{
    Tracked *t = g_new0 (Tracked, 1);

    t->syspath = g_strdup (syspath);
    t->nodes = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_replace (self->devices, t->syspath, t);
    return t;
}

static void
on_uevent (GUdevClient *client, const char *action, GUdevDevice *u, KikanUsbWatch *self)
{
    const char *syspath = g_udev_device_get_sysfs_path (u);
    const char *subsystem = g_udev_device_get_subsystem (u);

    (void) client;
    if (syspath == NULL || action == NULL)
        return;
    if (is_usb_device (u)) {
        Tracked *t = g_hash_table_lookup (self->devices, syspath);

        if (g_str_equal (action, "add") && t == NULL) {
            start_read (self, track (self, syspath));
        } else if (g_str_equal (action, "remove")) {
            g_autoptr (GPtrArray) nodes = g_ptr_array_new_with_free_func (g_free);
            g_autofree char *path = g_strdup (syspath);

            if (t != NULL) {
                for (guint i = 0; i < t->nodes->len; i++)
                    g_ptr_array_add (nodes, g_strdup (g_ptr_array_index (t->nodes, i)));
                g_hash_table_remove (self->devices, syspath); /* cancels a read */
            }
            g_ptr_array_add (nodes, NULL);
            g_signal_emit (self, signals[SIG_DEVICE_REMOVED], 0, path,
                           (const char *const *) nodes->pdata);
        }
        return;
    }
    if (g_strcmp0 (subsystem, "block") == 0) {
        Tracked *t = owner_of (self, syspath);
        g_autofree char *node = NULL;

        if (t == NULL)
            return;
        node = dup_node (u);
        if (g_str_equal (action, "add")) {
            gboolean known = FALSE;

            for (guint i = 0; i < t->nodes->len; i++)
                known = known || g_str_equal (g_ptr_array_index (t->nodes, i), node);
            tracked_add_node (t, node);
            if (t->announced && !known)
                g_signal_emit (self, signals[SIG_BLOCK_ADDED], 0, t->syspath, node);
        } else if (g_str_equal (action, "change")) {
            /* A card reader stays while its card is pulled or swapped: the
             * disk only changes (DISK_MEDIA_CHANGE=1). */
            if (t->announced)
                g_signal_emit (self, signals[SIG_BLOCK_CHANGED], 0, t->syspath, node);
        } else if (g_str_equal (action, "remove")) {
            /* Kept in t->nodes: "device-removed" lists everything it had. */
            tracked_add_node (t, node);
            g_signal_emit (self, signals[SIG_BLOCK_REMOVED], 0, t->syspath, node);
        }
    }
}

/* ------------------------------------------------------------ object */

static void
kikan_usb_watch_dispose (GObject *object)
{
    KikanUsbWatch *self = KIKAN_USB_WATCH (object);

    if (self->client != NULL)
        g_signal_handlers_disconnect_by_data (self->client, self);
    g_clear_object (&self->client);
    if (self->devices != NULL)
        g_hash_table_remove_all (self->devices);
    G_OBJECT_CLASS (kikan_usb_watch_parent_class)->dispose (object);
}

static void
kikan_usb_watch_finalize (GObject *object)
{
    KikanUsbWatch *self = KIKAN_USB_WATCH (object);

    g_clear_pointer (&self->devices, g_hash_table_unref);
    G_OBJECT_CLASS (kikan_usb_watch_parent_class)->finalize (object);
}

static void
kikan_usb_watch_class_init (KikanUsbWatchClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->dispose = kikan_usb_watch_dispose;
    object_class->finalize = kikan_usb_watch_finalize;
    signals[SIG_DEVICE_ADDED] = g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_POINTER);
    signals[SIG_BLOCK_ADDED] = g_signal_new ("block-added", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                             2, G_TYPE_STRING, G_TYPE_STRING);
    signals[SIG_BLOCK_CHANGED] = g_signal_new ("block-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
    signals[SIG_BLOCK_REMOVED] = g_signal_new ("block-removed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
    signals[SIG_DEVICE_REMOVED] = g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRV);
}

static void
kikan_usb_watch_init (KikanUsbWatch *self)
{
    self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) tracked_free);
}

KikanUsbWatch *
kikan_usb_watch_new (gboolean report_present)
{
    const char *const subsystems[] = { "usb", "block", NULL };
    KikanUsbWatch *self = g_object_new (KIKAN_TYPE_USB_WATCH, NULL);
    g_autolist (GUdevDevice) usb = NULL;
    g_autolist (GUdevDevice) block = NULL;

    /* The client's monitor is attached to the thread-default main context
     * of this call: uevents, and so the signals, arrive there. */
    self->client = g_udev_client_new (subsystems);
    g_signal_connect (self->client, "uevent", G_CALLBACK (on_uevent), self);
    /* What is already plugged in is tracked too, so that its removal
     * carries its block nodes. */
    usb = g_udev_client_query_by_subsystem (self->client, "usb");
    block = g_udev_client_query_by_subsystem (self->client, "block");
    for (GList *l = usb; l != NULL; l = l->next) {
        Tracked *t;

        if (!is_usb_device (l->data))
            continue;
        t = track (self, g_udev_device_get_sysfs_path (l->data));
        if (report_present)
            start_read (self, t);
        else
            t->announced = TRUE;
    }
    for (GList *l = block; l != NULL; l = l->next) {
        Tracked *t = owner_of (self, g_udev_device_get_sysfs_path (l->data));

        if (t != NULL) {
            g_autofree char *node = dup_node (l->data);

            tracked_add_node (t, node);
        }
    }
    return self;
}

gboolean
kikan_usb_watch_is_present (KikanUsbWatch *self, const char *syspath)
{
    g_return_val_if_fail (KIKAN_IS_USB_WATCH (self), FALSE);
    return syspath != NULL && g_hash_table_contains (self->devices, syspath);
}

/* "/dev/sdb1" lies on "/dev/sdb"; "/dev/sdb" does not lie on "/dev/sd",
 * nor "/dev/nvme0n1p1" on "/dev/nvme0n1p" (the rest must be digits, after
 * an optional "p" when the disk name ends in a digit). */
static gboolean
node_on (const char *node, const char *disk)
{
    gsize n = strlen (disk);
    const char *rest;

    if (strcmp (node, disk) == 0)
        return TRUE;
    if (n == 0 || strncmp (node, disk, n) != 0)
        return FALSE;
    rest = node + n;
    /* After a digit the kernel puts a "p": nvme0n1p2, mmcblk0p1, loop0p1. */
    if (g_ascii_isdigit (disk[n - 1]) && *rest++ != 'p')
        return FALSE;
    if (*rest == '\0')
        return FALSE;
    for (; *rest != '\0'; rest++) {
        if (!g_ascii_isdigit (*rest))
            return FALSE;
    }
    return TRUE;
}

gboolean
kikan_usb_removal_concerns (const char *removed_syspath, const char *const *removed_nodes,
                            const char *inspected_syspath, const char *inspected_node)
{
    if (removed_syspath != NULL && inspected_syspath != NULL) {
        gsize n = strlen (removed_syspath);

        /* The device itself, or a device above it (a hub pulled out). */
        if (strncmp (inspected_syspath, removed_syspath, n) == 0
            && (inspected_syspath[n] == '\0' || inspected_syspath[n] == '/'))
            return TRUE;
    }
    if (inspected_node != NULL && removed_nodes != NULL) {
        for (guint i = 0; removed_nodes[i] != NULL; i++) {
            if (node_on (inspected_node, removed_nodes[i]))
                return TRUE;
        }
    }
    return FALSE;
}
