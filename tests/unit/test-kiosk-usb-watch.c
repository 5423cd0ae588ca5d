/* kiosk/usb/usb-watch.c: hot-plug from umockdev uevents, on the caller's main
 * context: a stick arrives with its block node, a block device arrives
 * later, the stick is pulled (remove uevents child then parent), a stick
 * leaves before its identity is read.  Runs under umockdev-wrapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "usb-private.h"

#include "test-kiosk-usb-testbed.h"

static const TbInterface STORAGE[] = { { 1, 0x08, 0x06, 0x50, 0 }, { 0 } };

typedef struct {
    GMainContext *context;
    GThread *thread;  /* where the signals must arrive */
    GPtrArray *log;   /* "added <syspath> <nodes…>", "block-added <syspath> <node>", … */
    KikanUsbDevice *last_added;
} Events;

static void
check_thread (Events *ev)
{
    if (g_thread_self () != ev->thread || !g_main_context_is_owner (ev->context))
        fail_msg ("a signal arrived outside the watcher's main context");
}

static void
on_added (KikanUsbWatch *w, const KikanUsbDevice *dev, Events *ev)
{
    GString *s = g_string_new ("added ");

    (void) w;
    check_thread (ev);
    g_string_append (s, dev->syspath);
    for (guint i = 0; i < dev->block_nodes->len; i++)
        g_string_append_printf (s, " %s", (char *) g_ptr_array_index (dev->block_nodes, i));
    g_ptr_array_add (ev->log, g_string_free (s, FALSE));
    g_clear_pointer (&ev->last_added, kikan_usb_device_free);
    ev->last_added = kikan_usb_device_copy (dev);
}

static void
on_block (KikanUsbWatch *w, const char *syspath, const char *node, Events *ev, const char *what)
{
    (void) w;
    check_thread (ev);
    g_ptr_array_add (ev->log, g_strdup_printf ("%s %s %s", what, syspath, node));
}

static void
on_block_added (KikanUsbWatch *w, const char *syspath, const char *node, Events *ev)
{
    on_block (w, syspath, node, ev, "block-added");
}

static void
on_block_changed (KikanUsbWatch *w, const char *syspath, const char *node, Events *ev)
{
    on_block (w, syspath, node, ev, "block-changed");
}

static void
on_block_removed (KikanUsbWatch *w, const char *syspath, const char *node, Events *ev)
{
    on_block (w, syspath, node, ev, "block-removed");
}

static void
on_removed (KikanUsbWatch *w, const char *syspath, const char *const *nodes, Events *ev)
{
    g_autofree char *joined = g_strjoinv (" ", (char **) nodes);

    (void) w;
    check_thread (ev);
    g_ptr_array_add (ev->log, g_strdup_printf ("removed %s%s%s", syspath,
                                               joined[0] != '\0' ? " " : "", joined));
}

static KikanUsbWatch *
watch_new (Events *ev, gboolean report_present)
{
    KikanUsbWatch *w;

    ev->thread = g_thread_self ();
    ev->log = g_ptr_array_new_with_free_func (g_free);
    w = kikan_usb_watch_new (report_present);
    g_signal_connect (w, "device-added", G_CALLBACK (on_added), ev);
    g_signal_connect (w, "block-added", G_CALLBACK (on_block_added), ev);
    g_signal_connect (w, "block-changed", G_CALLBACK (on_block_changed), ev);
    g_signal_connect (w, "block-removed", G_CALLBACK (on_block_removed), ev);
    g_signal_connect (w, "device-removed", G_CALLBACK (on_removed), ev);
    return w;
}

static void
events_clear (Events *ev)
{
    g_clear_pointer (&ev->log, g_ptr_array_unref);
    g_clear_pointer (&ev->last_added, kikan_usb_device_free);
}

/* Iterates @ctx until the log has @n entries (or fails after 10 s). */
static void
wait_for (Events *ev, guint n)
{
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (ev->log->len < n) {
        if (g_get_monotonic_time () > end) {
            GString *s = g_string_new (NULL);

            for (guint i = 0; i < ev->log->len; i++)
                g_string_append_printf (s, "\n  %s", (char *) g_ptr_array_index (ev->log, i));
            fail_msg ("waited for %u events, got %u:%s", n, ev->log->len, s->str);
        }
        g_main_context_iteration (ev->context, FALSE);
        g_usleep (2000);
    }
}

/* A little more time for events that must NOT come. */
static void
settle (Events *ev)
{
    gint64 end = g_get_monotonic_time () + 300 * 1000;

    while (g_get_monotonic_time () < end) {
        g_main_context_iteration (ev->context, FALSE);
        g_usleep (2000);
    }
}

static void
assert_log (Events *ev, guint i, const char *want)
{
    assert_true (i < ev->log->len);
    assert_string_equal (g_ptr_array_index (ev->log, i), want);
}

static TbDevice
stick (void)
{
    TbDevice d = { .name = "1-1", .busnum = 1, .devnum = 2, .vid = 0x0781, .pid = 0x5567,
                   .bcd = 0x0126, .manufacturer = "SanDisk", .product = "Cruzer Blade",
                   .serial = "4C530001230412117093", .interfaces = STORAGE, .block = "sdb" };

    return d;
}

/* Plug in, pull out: added with its block nodes; removal gives the block
 * removals, then the device with the syspath and every node it had. */
static void
test_hotplug_add_and_remove (void **state)
{
    Tb *tb = tb_new ();
    Events ev = { 0 };
    TbDevice d = stick ();
    g_autoptr (KikanUsbWatch) w = NULL;
    g_autofree char *sys = NULL;
    g_autofree char *want = NULL;

    (void) state;
    ev.context = g_main_context_new ();
    g_main_context_push_thread_default (ev.context);
    w = watch_new (&ev, FALSE);
    /* umockdev announces each device it adds with an "add" uevent; they
     * are delivered when the context runs, after the whole stick exists. */
    sys = tb_add (tb, &d);
    wait_for (&ev, 1);
    want = g_strdup_printf ("added %s /dev/sdb /dev/sdb1", sys);
    assert_log (&ev, 0, want);
    assert_non_null (ev.last_added);
    assert_string_equal (ev.last_added->serial, "4C530001230412117093");
    assert_true (kikan_usb_watch_is_present (w, sys));
    settle (&ev);
    assert_int_equal (ev.log->len, 1);   /* the block "add"s came before the read: no repeat */

    tb_unplug (tb, sys, "sdb");
    wait_for (&ev, 4);
    g_free (want);
    want = g_strdup_printf ("block-removed %s /dev/sdb1", sys);
    assert_log (&ev, 1, want);
    g_free (want);
    want = g_strdup_printf ("block-removed %s /dev/sdb", sys);
    assert_log (&ev, 2, want);
    g_free (want);
    want = g_strdup_printf ("removed %s /dev/sdb /dev/sdb1", sys);
    assert_log (&ev, 3, want);
    assert_false (kikan_usb_watch_is_present (w, sys));
    tb_remove_files (tb, sys);
    settle (&ev);
    assert_int_equal (ev.log->len, 4);

    g_clear_object (&w);
    g_main_context_pop_thread_default (ev.context);
    g_main_context_unref (ev.context);
    events_clear (&ev);
    tb_free (tb);
}

/* The disk appears after the device was announced: "block-added". */
static void
test_block_after_device (void **state)
{
    Tb *tb = tb_new ();
    Events ev = { 0 };
    TbDevice d = stick ();
    g_autoptr (KikanUsbWatch) w = NULL;
    g_autofree char *sys = NULL;
    g_autofree char *itf = NULL;
    g_autofree char *disk = NULL;
    g_autofree char *want = NULL;

    (void) state;
    ev.context = g_main_context_new ();
    g_main_context_push_thread_default (ev.context);
    w = watch_new (&ev, FALSE);
    d.block = NULL;
    sys = tb_add (tb, &d);
    wait_for (&ev, 1);
    want = g_strdup_printf ("added %s", sys);
    assert_log (&ev, 0, want);
    itf = g_strdup_printf ("%s/1-1:1.0", sys);
    disk = umockdev_testbed_add_device (tb->tb, "block", "host6/target6:0:0/6:0:0:0/block/sdc",
                                        itf, "size", "2048", NULL, "DEVTYPE", "disk", "DEVNAME",
                                        "/dev/sdc", NULL);
    assert_non_null (disk);
    wait_for (&ev, 2);
    g_free (want);
    want = g_strdup_printf ("block-added %s /dev/sdc", sys);
    assert_log (&ev, 1, want);
    /* The card in a card reader pulled out: the disk changes. */
    umockdev_testbed_uevent (tb->tb, disk, "change");
    wait_for (&ev, 3);
    g_free (want);
    want = g_strdup_printf ("block-changed %s /dev/sdc", sys);
    assert_log (&ev, 2, want);
    /* A "remove" for the device alone still names the disk it had. */
    umockdev_testbed_uevent (tb->tb, sys, "remove");
    wait_for (&ev, 4);
    g_free (want);
    want = g_strdup_printf ("removed %s /dev/sdc", sys);
    assert_log (&ev, 3, want);

    g_clear_object (&w);
    g_main_context_pop_thread_default (ev.context);
    g_main_context_unref (ev.context);
    events_clear (&ev);
    tb_free (tb);
}

/* Pulled before its identity was read: removed, never added. */
static void
test_removed_before_read (void **state)
{
    Tb *tb = tb_new ();
    Events ev = { 0 };
    TbDevice d = stick ();
    g_autoptr (KikanUsbWatch) w = NULL;
    g_autofree char *sys = NULL;
    g_autofree char *want = NULL;

    (void) state;
    ev.context = g_main_context_new ();
    g_main_context_push_thread_default (ev.context);
    w = watch_new (&ev, FALSE);
    /* The device answers its string requests only when released: the read
     * started by "add" is still running when "remove" arrives. */
    d.libusb_strings = TRUE;
    tb_hold (tb, TRUE);
    sys = tb_add (tb, &d);
    settle (&ev);
    assert_int_equal (ev.log->len, 0);
    tb_unplug (tb, sys, "sdb");
    wait_for (&ev, 3);
    tb_hold (tb, FALSE);
    settle (&ev);
    settle (&ev);
    for (guint i = 0; i < ev.log->len; i++) {
        if (g_str_has_prefix (g_ptr_array_index (ev.log, i), "added "))
            fail_msg ("a device removed before it was read was announced: %s",
                      (char *) g_ptr_array_index (ev.log, i));
    }
    want = g_strdup_printf ("removed %s /dev/sdb /dev/sdb1", sys);
    assert_log (&ev, ev.log->len - 1, want);
    assert_false (kikan_usb_watch_is_present (w, sys));

    g_clear_object (&w);
    g_main_context_pop_thread_default (ev.context);
    g_main_context_unref (ev.context);
    events_clear (&ev);
    tb_free (tb);
}

/* Devices already plugged in: reported with report_present, from the main
 * loop; without it, known (their removal names their nodes) but silent. */
static void
test_present_devices (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = tb_add (tb, &d);
    g_autofree char *want = NULL;

    (void) state;
    for (int report = 1; report >= 0; report--) {
        Events ev = { 0 };
        g_autoptr (KikanUsbWatch) w = NULL;

        ev.context = g_main_context_new ();
        g_main_context_push_thread_default (ev.context);
        /* The "add"s of tb_add() went to watchers that did not exist yet. */
        w = watch_new (&ev, report);
        assert_int_equal (ev.log->len, 0); /* nothing from inside new() */
        assert_true (kikan_usb_watch_is_present (w, sys));
        if (report) {
            wait_for (&ev, 1);
            g_free (want);
            want = g_strdup_printf ("added %s /dev/sdb /dev/sdb1", sys);
            assert_log (&ev, 0, want);
        } else {
            settle (&ev);
            assert_int_equal (ev.log->len, 0);
            umockdev_testbed_uevent (tb->tb, sys, "remove");
            wait_for (&ev, 1);
            g_free (want);
            want = g_strdup_printf ("removed %s /dev/sdb /dev/sdb1", sys);
            assert_log (&ev, 0, want);
        }
        g_clear_object (&w);
        g_main_context_pop_thread_default (ev.context);
        g_main_context_unref (ev.context);
        events_clear (&ev);
    }
    tb_free (tb);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_hotplug_add_and_remove),
        cmocka_unit_test (test_block_after_device),
        cmocka_unit_test (test_removed_before_read),
        cmocka_unit_test (test_present_devices),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
