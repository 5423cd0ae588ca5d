/* kiosk/usb/: USB identity read from umockdev testbeds (libusb + GUdev), the
 * media-register match and the findings (INV-05, INV-06, USB-01, USB-02,
 * ENC-01), the models file, and the string-descriptor decoder.
 * Runs under umockdev-wrapper (tests/unit/usb.cmake). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error-private.h"
#include "escape-private.h"
#include "usb-private.h"

#include "test-kiosk-usb-testbed.h"

static const TbInterface STORAGE[] = { { 1, 0x08, 0x06, 0x50, 0 }, { 0 } };
static const TbInterface STORAGE_KEYBOARD[] = { { 1, 0x08, 0x06, 0x50, 0 },
                                                { 1, 0x03, 0x01, 0x01, 0 },
                                                { 0 } };

static TbDevice
stick (void)
{
    TbDevice d = { .name = "1-1", .busnum = 1, .devnum = 2, .vid = 0x0781, .pid = 0x5567,
                   .bcd = 0x0126, .manufacturer = "SanDisk", .product = "Cruzer Blade",
                   .serial = "4C530001230412117093", .interfaces = STORAGE, .block = "sdb" };

    return d;
}

static const KikanUsbDevice *
only_device (GPtrArray *list)
{
    assert_non_null (list);
    /* The root hub usb1 is in the testbed and must not be listed. */
    assert_int_equal (list->len, 1);
    return g_ptr_array_index (list, 0);
}

static const KikanUsbFinding *
finding (GPtrArray *findings, KikanUsbFindingKind kind)
{
    for (guint i = 0; i < findings->len; i++) {
        const KikanUsbFinding *f = g_ptr_array_index (findings, i);

        if (f->kind == kind)
            return f;
    }
    return NULL;
}

static const KikanUsbFinding *
must_find (GPtrArray *findings, KikanUsbFindingKind kind)
{
    const KikanUsbFinding *f = finding (findings, kind);

    if (f == NULL) {
        fail_msg ("no %s finding among %u", kikan_usb_finding_kind_to_string (kind),
                  findings->len);
        abort ();
    }
    return f;
}

/* ------------------------------------------------------------ identity */

static void
test_stick_identity_through_libusb (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (GPtrArray) list = NULL;
    g_autoptr (GByteArray) desc = tb_descriptors (&d);
    g_autofree char *want_fp = g_compute_checksum_for_data (G_CHECKSUM_SHA256, desc->data,
                                                            desc->len);
    g_autofree char *ifs = NULL;
    const KikanUsbDevice *dev;

    (void) state;
    d.libusb_strings = TRUE;
    /* sysfs says something else: the strings must come from the device. */
    d.serial = "4C530001230412117093";
    sys = tb_add (tb, &d);
    umockdev_testbed_set_attribute (tb->tb, sys, "serial", "SYSFS-COPY");
    list = kikan_usb_list (NULL);
    dev = only_device (list);
    assert_string_equal (dev->syspath, sys);
    assert_int_equal (dev->busnum, 1);
    assert_int_equal (dev->devnum, 2);
    assert_int_equal (dev->vid, 0x0781);
    assert_int_equal (dev->pid, 0x5567);
    assert_int_equal (dev->bcd_device, 0x0126);
    assert_int_equal (dev->strings_source, KIKAN_USB_STRINGS_LIBUSB);
    assert_string_equal (dev->manufacturer, "SanDisk");
    assert_string_equal (dev->product, "Cruzer Blade");
    assert_string_equal (dev->serial, "4C530001230412117093");
    assert_true (dev->interfaces_known);
    ifs = kikan_usb_device_dup_interfaces_string (dev);
    assert_string_equal (ifs, "08/06/50");
    assert_int_equal (dev->block_nodes->len, 2);
    assert_string_equal (g_ptr_array_index (dev->block_nodes, 0), "/dev/sdb");
    assert_string_equal (g_ptr_array_index (dev->block_nodes, 1), "/dev/sdb1");
    assert_non_null (dev->fingerprint);
    assert_string_equal (dev->fingerprint, want_fp);
    tb_free (tb);
}

static void
test_strings_fall_back_to_sysfs (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = tb_add (tb, &d); /* no ioctl handler: libusb cannot read strings */
    g_autoptr (GPtrArray) list = kikan_usb_list (NULL);
    const KikanUsbDevice *dev = only_device (list);

    (void) state;
    assert_string_equal (dev->syspath, sys);
    assert_int_equal (dev->strings_source, KIKAN_USB_STRINGS_SYSFS);
    assert_string_equal (dev->serial, "4C530001230412117093");
    assert_string_equal (dev->product, "Cruzer Blade");
    /* Descriptors still come from libusb. */
    assert_true (dev->interfaces_known);
    assert_int_equal (dev->vid, 0x0781);
    tb_free (tb);
}

static void
test_find_for_block (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = tb_add (tb, &d);
    const char *names[] = { "/dev/sdb", "sdb", "/dev/sdb1", "sdb1" };
    g_autoptr (GError) error = NULL;
    g_autofree char *loop = NULL;
    KikanUsbDevice *dev;

    (void) state;
    for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autoptr (KikanUsbDevice) found = kikan_usb_find_for_block (names[i], &error);

        assert_null (error);
        assert_non_null (found);
        assert_string_equal (found->syspath, sys);
        assert_string_equal (found->serial, "4C530001230412117093");
    }
    /* A block device that is not on USB: NULL, and no error. */
    loop = umockdev_testbed_add_device (tb->tb, "block", "loop0", NULL, "size", "8", NULL,
                                        "DEVTYPE", "disk", "DEVNAME", "/dev/loop0", NULL);
    dev = kikan_usb_find_for_block ("/dev/loop0", &error);
    assert_null (dev);
    assert_null (error);
    /* A disk image or a folder presented as a medium: not on USB either. */
    dev = kikan_usb_find_for_block (KIKAN_TEST_SOURCE_DIR "/data/usb.conf.example", &error);
    assert_null (dev);
    assert_null (error);
    dev = kikan_usb_find_for_block (KIKAN_TEST_SOURCE_DIR "/data", &error);
    assert_null (dev);
    assert_null (error);
    /* No such block device: an error that names it, escaped. */
    dev = kikan_usb_find_for_block ("/dev/sdz\x1b[2J", &error);
    assert_null (dev);
    assert_non_null (error);
    assert_non_null (strstr (error->message, "/dev/sdz\\x1B[2J"));
    assert_null (strchr (error->message, '\x1b'));
    tb_free (tb);
}

typedef struct {
    GMainLoop *loop;
    KikanUsbDevice *dev;
    GError *error;
} AsyncResult;

static void
found_cb (GObject *source, GAsyncResult *result, gpointer data)
{
    AsyncResult *r = data;

    (void) source;
    r->dev = kikan_usb_find_for_block_finish (result, &r->error);
    g_main_loop_quit (r->loop);
}

static void
test_find_for_block_async (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    AsyncResult r = { 0 };

    (void) state;
    d.libusb_strings = TRUE;
    sys = tb_add (tb, &d);
    r.loop = g_main_loop_new (NULL, FALSE);
    kikan_usb_find_for_block_async ("/dev/sdb", NULL, found_cb, &r);
    g_main_loop_run (r.loop);
    assert_null (r.error);
    assert_non_null (r.dev);
    assert_string_equal (r.dev->syspath, sys);
    assert_int_equal (r.dev->strings_source, KIKAN_USB_STRINGS_LIBUSB);
    kikan_usb_device_free (r.dev);
    g_main_loop_unref (r.loop);
    tb_free (tb);
}

/* A device without the `descriptors` attribute: libusb drops it; GUdev
 * still shows it, but what it can do is not known: USB-02, HOLD. */
static void
test_unreadable_descriptors_fail_closed (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (GPtrArray) list = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    KikanUsbRegistration reg = { "USB-0007", 0x0781, 0x5567, "4C530001230412117093", NULL, FALSE };
    const KikanUsbDevice *dev;
    const KikanUsbFinding *f;

    (void) state;
    d.no_descriptors = TRUE;
    sys = tb_add (tb, &d);
    list = kikan_usb_list (NULL);
    dev = only_device (list);
    assert_false (dev->interfaces_known);
    assert_null (dev->fingerprint);
    assert_int_equal (dev->vid, 0x0781);  /* from sysfs */
    findings = kikan_usb_assess (dev, &reg, NULL);
    f = must_find (findings, KIKAN_USB_FINDING_INTERFACES_UNKNOWN);
    assert_string_equal (f->code, "USB-02");
    assert_int_equal (f->level, KIKAN_USB_LEVEL_HOLD);
    assert_int_equal (kikan_usb_findings_worst (findings), KIKAN_USB_LEVEL_HOLD);
    tb_free (tb);
}

/* ------------------------------------------------------------ register */

static void
test_registered_stick_matched_by_serial (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = tb_add (tb, &d);
    g_autoptr (KikanUsbDevice) dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    g_autoptr (GPtrArray) findings = NULL;
    KikanUsbRegistration regs[3] = {
        { "USB-0001", 0x0781, 0x5567, "OTHER-SERIAL", NULL, FALSE },
        { "USB-0007", 0x0781, 0x5567, "4C530001230412117093", NULL, FALSE },
        { "USB-0009", 0x0951, 0x1666, "4C530001230412117093", NULL, FALSE },
    };
    KikanUsbMatch m;

    (void) state;
    assert_non_null (dev);
    assert_string_equal (dev->syspath, sys);
    regs[1].fingerprint = dev->fingerprint;
    m = kikan_usb_match (dev, regs, 3);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_EXACT);
    assert_ptr_equal (m.reg, &regs[1]);
    findings = kikan_usb_assess (dev, m.reg, NULL);
    assert_int_equal (findings->len, 0);
    assert_int_equal (kikan_usb_findings_worst (findings), KIKAN_USB_LEVEL_INFO);
    assert_false (kikan_usb_findings_encrypted (findings));
    tb_free (tb);
}

static void
test_unknown_stick_unregistered (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    KikanUsbRegistration regs[1] = { { "USB-0001", 0x0781, 0x5567, "OTHER-SERIAL", NULL, FALSE } };
    KikanUsbMatch m;
    const KikanUsbFinding *f;

    (void) state;
    d.serial = "UNKNOWN\x1b[31m";
    sys = tb_add (tb, &d);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    m = kikan_usb_match (dev, regs, 1);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_NONE);
    assert_null (m.reg);
    findings = kikan_usb_assess (dev, m.reg, NULL);
    assert_int_equal (findings->len, 1);
    f = g_ptr_array_index (findings, 0);
    assert_int_equal (f->kind, KIKAN_USB_FINDING_UNREGISTERED);
    assert_string_equal (f->code, "INV-06");
    assert_int_equal (f->level, KIKAN_USB_LEVEL_HOLD);
    assert_null (f->asset_id);
    /* The detail names the serial, escaped. */
    assert_non_null (strstr (f->detail, "UNKNOWN\\x1B[31m"));
    assert_null (strchr (f->detail, '\x1b'));
    tb_free (tb);
}

static void
test_no_serial_never_matches (void **state)
{
    KikanUsbDevice dev = { 0 };
    KikanUsbRegistration regs[1] = { { "USB-0001", 0x0781, 0x5567, "", NULL, FALSE } };
    KikanUsbMatch m;

    (void) state;
    dev.vid = 0x0781;
    dev.pid = 0x5567;
    dev.interfaces = g_array_new (FALSE, TRUE, sizeof (KikanUsbInterface));
    m = kikan_usb_match (&dev, regs, 1);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_NONE);
    dev.serial = (char *) "";
    m = kikan_usb_match (&dev, regs, 1);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_NONE);
    g_array_unref (dev.interfaces);
}

static void
test_same_serial_other_vid_pid_mismatch (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    g_autoptr (KikanUsbModels) models =
        kikan_usb_models_load_from_data ("[hardware-encrypted]\n0781:5567 = Claimed\n", -1,
                                         "t.conf", NULL);
    /* The register says a Kingston stick; a SanDisk one shows its serial. */
    KikanUsbRegistration regs[1] = { { "USB-0007", 0x0951, 0x1666, "4C530001230412117093", NULL,
                                       TRUE } };
    KikanUsbMatch m;
    const KikanUsbFinding *f;

    (void) state;
    sys = tb_add (tb, &d);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    m = kikan_usb_match (dev, regs, 1);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_SERIAL_ONLY);
    assert_ptr_equal (m.reg, &regs[0]);
    findings = kikan_usb_assess (dev, m.reg, models);
    f = must_find (findings, KIKAN_USB_FINDING_MISMATCH);
    assert_string_equal (f->code, "INV-05");
    assert_int_equal (f->level, KIKAN_USB_LEVEL_HOLD);
    assert_string_equal (f->asset_id, "USB-0007");
    assert_non_null (strstr (f->detail, "0781:5567"));
    assert_non_null (strstr (f->detail, "0951:1666"));
    /* An impostor is never counted as encrypted, by model or by record. */
    assert_null (finding (findings, KIKAN_USB_FINDING_HW_ENCRYPTED));
    assert_false (kikan_usb_findings_encrypted (findings));
    tb_free (tb);
}

static void
test_same_serial_other_fingerprint_mismatch (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    /* Registered from the genuine stick; this one has the same serial and
     * IDs but one more interface. */
    TbDevice genuine = stick ();
    g_autoptr (GByteArray) gd = tb_descriptors (&genuine);
    g_autofree char *fp = g_compute_checksum_for_data (G_CHECKSUM_SHA256, gd->data, gd->len);
    g_autofree char *again = NULL;
    KikanUsbRegistration regs[1] = { { "USB-0007", 0x0781, 0x5567, "4C530001230412117093", fp,
                                       FALSE } };
    static const TbInterface storage_vendor[] = { { 1, 0x08, 0x06, 0x50, 0 },
                                                  { 1, 0xff, 0x00, 0x00, 0 },
                                                  { 0 } };
    KikanUsbMatch m;
    const KikanUsbFinding *f;

    (void) state;
    d.interfaces = storage_vendor;
    sys = tb_add (tb, &d);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    assert_string_not_equal (dev->fingerprint, fp);
    m = kikan_usb_match (dev, regs, 1);
    assert_int_equal (m.kind, KIKAN_USB_MATCH_EXACT);
    findings = kikan_usb_assess (dev, m.reg, NULL);
    assert_int_equal (findings->len, 1);
    f = must_find (findings, KIKAN_USB_FINDING_MISMATCH);
    assert_string_equal (f->code, "INV-05");
    assert_non_null (strstr (f->detail, "fingerprint"));
    assert_null (strstr (f->detail, "VID:PID"));
    /* The genuine stick itself matches its own fingerprint. */
    g_free (again);
    again = kikan_usb_fingerprint (gd->data, gd->len);
    assert_string_equal (again, fp);
    tb_free (tb);
}

/* ------------------------------------------------------------ BadUSB */

static void
test_storage_keyboard_composite_badusb (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    g_autofree char *ifs = NULL;
    KikanUsbRegistration regs[1] = { { "USB-0007", 0x0781, 0x5567, "4C530001230412117093", NULL,
                                       FALSE } };
    const KikanUsbFinding *f;

    (void) state;
    d.interfaces = STORAGE_KEYBOARD;
    sys = tb_add (tb, &d);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    ifs = kikan_usb_device_dup_interfaces_string (dev);
    assert_string_equal (ifs, "08/06/50,03/01/01");
    assert_true (kikan_usb_is_badusb (dev));
    /* Registered or not, a storage+keyboard composite is quarantined. */
    findings = kikan_usb_assess (dev, kikan_usb_match (dev, regs, 1).reg, NULL);
    f = must_find (findings, KIKAN_USB_FINDING_BADUSB);
    assert_string_equal (f->code, "USB-01");
    assert_int_equal (f->level, KIKAN_USB_LEVEL_QUARANTINE);
    assert_non_null (strstr (f->detail, "HID keyboard (03/01/01)"));
    assert_int_equal (kikan_usb_findings_worst (findings), KIKAN_USB_LEVEL_QUARANTINE);
    tb_free (tb);
}

/* The keyboard only in a second configuration, or in an alternate
 * setting: sysfs shows neither, libusb's parse of the descriptors does. */
static void
test_hidden_keyboard_found (void **state)
{
    static const TbInterface second_config[] = { { 1, 0x08, 0x06, 0x50, 0 },
                                                 { 2, 0x08, 0x06, 0x50, 0 },
                                                 { 2, 0x03, 0x00, 0x02, 0 },
                                                 { 0 } };
    static const TbInterface alt_setting[] = { { 1, 0x08, 0x06, 0x50, 0 },
                                               { 1, 0x03, 0x01, 0x01, 1 },
                                               { 0 } };
    const TbInterface *cases[] = { second_config, alt_setting };

    (void) state;
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
        Tb *tb = tb_new ();
        TbDevice d = stick ();
        g_autofree char *sys = NULL;
        g_autoptr (KikanUsbDevice) dev = NULL;

        d.interfaces = cases[i];
        sys = tb_add (tb, &d);
        dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
        assert_non_null (dev);
        assert_true (dev->interfaces_known);
        if (!kikan_usb_is_badusb (dev))
            fail_msg ("case %u: hidden HID interface not found (%s)", i,
                      kikan_usb_device_dup_interfaces_string (dev));
        tb_free (tb);
    }
}

/* The rule itself, over hand-made interface lists. */
static void
test_badusb_rule (void **state)
{
    static const struct {
        guint8 ifs[3][3];
        gboolean bad;
    } cases[] = {
        { { { 0x08, 0x06, 0x50 }, { 0x03, 0x01, 0x01 } }, TRUE },  /* keyboard */
        { { { 0x08, 0x06, 0x50 }, { 0x03, 0x01, 0x02 } }, TRUE },  /* mouse */
        { { { 0x08, 0x06, 0x50 }, { 0x03, 0x00, 0x02 } }, TRUE },  /* mouse, no boot subclass */
        { { { 0x08, 0x06, 0x50 }, { 0x03, 0x01, 0x00 } }, TRUE },  /* boot interface */
        { { { 0x08, 0x06, 0x50 }, { 0x02, 0x06, 0x00 } }, TRUE },  /* CDC ECM */
        { { { 0x08, 0x06, 0x50 }, { 0x0a, 0x00, 0x00 } }, TRUE },  /* CDC Data */
        { { { 0x08, 0x06, 0x50 }, { 0xe0, 0x01, 0x03 } }, TRUE },  /* wireless RNDIS */
        { { { 0x08, 0x06, 0x50 }, { 0xef, 0x04, 0x01 } }, TRUE },  /* RNDIS */
        { { { 0x08, 0x06, 0x50 }, { 0x03, 0x00, 0x00 } }, FALSE }, /* generic HID (a token) */
        { { { 0x08, 0x06, 0x50 }, { 0xef, 0x02, 0x01 } }, FALSE }, /* IAD, not network */
        { { { 0x08, 0x06, 0x50 }, { 0xff, 0x00, 0x00 } }, FALSE }, /* vendor specific */
        { { { 0x03, 0x01, 0x01 }, { 0x02, 0x06, 0x00 } }, FALSE }, /* no storage */
        { { { 0x08, 0x06, 0x50 } }, FALSE },
    };

    (void) state;
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
        KikanUsbDevice dev = { 0 };

        dev.interfaces = g_array_new (FALSE, TRUE, sizeof (KikanUsbInterface));
        dev.interfaces_known = TRUE;
        for (guint k = 0; k < 3 && cases[i].ifs[k][0] != 0; k++) {
            KikanUsbInterface in = { 1, (guint8) k, 0, cases[i].ifs[k][0], cases[i].ifs[k][1],
                                     cases[i].ifs[k][2] };

            g_array_append_val (dev.interfaces, in);
        }
        if (kikan_usb_is_badusb (&dev) != cases[i].bad)
            fail_msg ("case %u: BadUSB %d, expected %d", i, !cases[i].bad, cases[i].bad);
        g_array_unref (dev.interfaces);
    }
}

/* ------------------------------------------------------------ ENC-01 */

static void
test_listed_model_hardware_encrypted (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    g_autoptr (GPtrArray) plain = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanUsbModels) models = NULL;
    KikanUsbRegistration regs[1] = { { "USB-0012", 0x0951, 0x1539, "IK-D300-0001", NULL,
                                       FALSE } };
    const KikanUsbFinding *f;

    (void) state;
    d.vid = 0x0951;
    d.pid = 0x1539;
    d.serial = "IK-D300-0001";
    sys = tb_add (tb, &d);
    models = kikan_usb_models_load_from_data ("# IT's list\n[hardware-encrypted]\n"
                                              "0951:1539 = Kingston IronKey D300\n"
                                              "2009:5016 = iStorage datAshur 16GB\n",
                                              -1, "usb.conf", &error);
    assert_null (error);
    assert_int_equal (kikan_usb_models_get_n (models), 2);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    findings = kikan_usb_assess (dev, kikan_usb_match (dev, regs, 1).reg, models);
    assert_int_equal (findings->len, 1);
    f = must_find (findings, KIKAN_USB_FINDING_HW_ENCRYPTED);
    assert_string_equal (f->code, "ENC-01");
    assert_int_equal (f->level, KIKAN_USB_LEVEL_INFO);
    assert_non_null (strstr (f->detail, "Kingston IronKey D300"));
    assert_true (kikan_usb_findings_encrypted (findings));
    /* The same stick with no list: not counted as encrypted. */
    plain = kikan_usb_assess (dev, &regs[0], NULL);
    assert_false (kikan_usb_findings_encrypted (plain));
    tb_free (tb);
}

/* ------------------------------------------------------------ hostile strings */

static void
test_hostile_strings_through_libusb (void **state)
{
    Tb *tb = tb_new ();
    TbDevice d = stick ();
    g_autofree char *sys = NULL;
    g_autoptr (KikanUsbDevice) dev = NULL;
    g_autofree char *shown = NULL;
    g_autoptr (JsonNode) node = NULL;
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autofree char *json = NULL;
    g_autofree char *safe = NULL;
    /* "A", ESC, U+202E (RTL override), an unpaired high surrogate, NUL, "Z" */
    static const guint8 serial16[] = { 'A', 0, 0x1b, 0, 0x2e, 0x20, 0x00, 0xd8, 0, 0, 'Z', 0 };

    (void) state;
    d.libusb_strings = TRUE;
    d.serial_utf16 = serial16;
    d.serial_utf16_len = sizeof serial16;
    sys = tb_add (tb, &d);
    dev = kikan_usb_find_for_block ("/dev/sdb", NULL);
    assert_int_equal (dev->strings_source, KIKAN_USB_STRINGS_LIBUSB);
    /* Verbatim (U+FFFD only where UTF-16 has no character or a NUL) ... */
    assert_string_equal (dev->serial, "A\x1b\xe2\x80\xae\xef\xbf\xbd\xef\xbf\xbdZ");
    /* ... and escaped when shown. */
    shown = kikan_escape_for_display (dev->serial, -1);
    assert_string_equal (shown, "A\\x1B\\u{202E}\xef\xbf\xbd\xef\xbf\xbdZ");
    node = kikan_usb_device_to_json (dev, NULL);
    json_generator_set_root (gen, node);
    json = json_generator_to_data (gen, NULL);
    safe = kikan_escape_json_text (json, -1);
    assert_null (strchr (safe, '\x1b'));
    assert_null (strstr (safe, "\xe2\x80\xae"));
    assert_non_null (strstr (safe, "\"serial_hex\":\"411be280aeefbfbdefbfbd5a\""));
    tb_free (tb);
}

static void
test_decode_string_descriptor (void **state)
{
    static const guint8 ok[] = { 8, 3, 'a', 0, 'b', 0, 0x42, 0x30 };        /* "abぁ"... */
    static const guint8 pair[] = { 6, 3, 0x3d, 0xd8, 0x00, 0xde };          /* U+1F600 */
    static const guint8 wrong_type[] = { 4, 2, 'a', 0 };
    static const guint8 long_claim[] = { 200, 3, 'a', 0, 'b', 0 };           /* bLength lies */
    static const guint8 odd[] = { 5, 3, 'a', 0, 'b' };
    static const guint8 lone_low[] = { 4, 3, 0x00, 0xdc };
    g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

    (void) state;
    a = kikan_usb_decode_string_descriptor (ok, sizeof ok);
    assert_string_equal (a, "ab\xe3\x81\x82");
    b = kikan_usb_decode_string_descriptor (pair, sizeof pair);
    assert_string_equal (b, "\xf0\x9f\x98\x80");
    assert_null (kikan_usb_decode_string_descriptor (wrong_type, sizeof wrong_type));
    assert_null (kikan_usb_decode_string_descriptor (ok, 1));
    assert_null (kikan_usb_decode_string_descriptor (NULL, 4));
    c = kikan_usb_decode_string_descriptor (long_claim, sizeof long_claim);
    assert_string_equal (c, "ab");
    d = kikan_usb_decode_string_descriptor (odd, sizeof odd);
    assert_string_equal (d, "a");
    e = kikan_usb_decode_string_descriptor (lone_low, sizeof lone_low);
    assert_string_equal (e, "\xef\xbf\xbd");
}

/* ------------------------------------------------------------ models file */

static void
assert_models_error (const char *text, gssize len, const char *must_mention)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanUsbModels) m = kikan_usb_models_load_from_data (text, len, "usb.conf", &error);

    assert_null (m);
    assert_non_null (error);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
    if (strstr (error->message, must_mention) == NULL)
        fail_msg ("error “%s” does not mention “%s”", error->message, must_mention);
    assert_null (strchr (error->message, '\x1b'));
}

static void
test_models_file_errors_name_line (void **state)
{
    g_autofree char *big = g_malloc0 (2 * 1024 * 1024 + 1);

    (void) state;
    assert_models_error ("[hardware-encrypted]\n0951:1539 = IronKey\nIronKey = 0951:1539\n", -1,
                         "usb.conf:3:");
    assert_models_error ("[hardware-encrypted]\n\n# c\n0951:15390 = x\n", -1, "usb.conf:4:");
    assert_models_error ("[hardware-encrypted]\n0951:zz39 = x\n", -1, "usb.conf:2:");
    assert_models_error ("[hardware-encrypted]\n0951:1539 =   \n", -1, "no model name");
    assert_models_error ("[hardware-encrypted]\n0951:1539 = a\n0951:1539 = b\n", -1,
                         "usb.conf:3: this VID:PID is listed twice");
    assert_models_error ("[hardware-encrypted]\n0951:1539 = a\n0951:153A = b\n0951:153a = c\n",
                         -1, "usb.conf:4:");
    assert_models_error ("[hardware-encypted]\n0951:1539 = a\n", -1, "usb.conf:1: unknown group");
    assert_models_error ("0951:1539 = a\n[hardware-encrypted]\n", -1, "usb.conf:1:");
    assert_models_error ("[hardware-encrypted]\njunk line \x1b[2J\n", -1, "usb.conf:2:");
    assert_models_error ("[hardware-encrypted]\n0951:1539 = a\0b\n", 37, "NUL");
    assert_models_error ("[hardware-encrypted]\n0951:1539 = \xff\xfe\n", -1, "UTF-8");
    memset (big, '#', 2 * 1024 * 1024);
    assert_models_error (big, -1, "larger than");
}

static void
test_models_file_loads (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanUsbModels) m = NULL;
    g_autofree char *path = g_build_filename (KIKAN_TEST_SOURCE_DIR, "data", "usb.conf.example",
                                              NULL);

    (void) state;
    /* Saved by an editor that writes a byte-order mark. */
    m = kikan_usb_models_load_from_data ("\xef\xbb\xbf[hardware-encrypted]\n2009:5004 = iStorage "
                                         "datAshur 4GB\n",
                                         -1, "bom.conf", &error);
    assert_null (error);
    assert_string_equal (kikan_usb_models_lookup (m, 0x2009, 0x5004), "iStorage datAshur 4GB");
    g_clear_pointer (&m, kikan_usb_models_free);
    m = kikan_usb_models_load_from_data ("[hardware-encrypted]\r\n0951:160D = Kingston DT Vault "
                                         "Privacy\r\n",
                                         -1, "crlf.conf", &error);
    assert_null (error);
    assert_string_equal (kikan_usb_models_lookup (m, 0x0951, 0x160d),
                         "Kingston DT Vault Privacy");
    assert_null (kikan_usb_models_lookup (m, 0x0951, 0x160e));
    g_clear_pointer (&m, kikan_usb_models_free);
    /* The example shipped in data/ loads and lists real models. */
    m = kikan_usb_models_load (path, &error);
    assert_null (error);
    assert_non_null (m);
    assert_true (kikan_usb_models_get_n (m) >= 3);
    assert_non_null (kikan_usb_models_lookup (m, 0x0951, 0x1539));
    g_clear_pointer (&m, kikan_usb_models_free);
    m = kikan_usb_models_load ("/nonexistent/usb.conf", &error);
    assert_null (m);
    assert_non_null (strstr (error->message, "/nonexistent/usb.conf"));
}

/* ------------------------------------------------------------ removal */

static void
test_removal_concerns (void **state)
{
    const char *nodes[] = { "/dev/sdb", "/dev/sdb1", NULL };
    const char *nvme[] = { "/dev/nvme0n1", NULL };

    (void) state;
    assert_true (kikan_usb_removal_concerns ("/sys/devices/usb1/1-1", NULL,
                                             "/sys/devices/usb1/1-1", NULL));
    /* A hub above it pulled out. */
    assert_true (kikan_usb_removal_concerns ("/sys/devices/usb1/1-1", NULL,
                                             "/sys/devices/usb1/1-1/1-1.2", NULL));
    assert_false (kikan_usb_removal_concerns ("/sys/devices/usb1/1-1", NULL,
                                              "/sys/devices/usb1/1-10", NULL));
    assert_true (kikan_usb_removal_concerns ("/x", nodes, NULL, "/dev/sdb1"));
    assert_true (kikan_usb_removal_concerns ("/x", (const char *[]) { "/dev/sdb", NULL }, NULL,
                                             "/dev/sdb2"));
    assert_false (kikan_usb_removal_concerns ("/x", nodes, NULL, "/dev/sdc"));
    assert_false (kikan_usb_removal_concerns ("/x", (const char *[]) { "/dev/sd", NULL }, NULL,
                                              "/dev/sdb"));
    assert_true (kikan_usb_removal_concerns (NULL, nvme, NULL, "/dev/nvme0n1p2"));
    assert_false (kikan_usb_removal_concerns (NULL, nvme, NULL, "/dev/nvme0n12"));
    assert_false (kikan_usb_removal_concerns (NULL, NULL, NULL, NULL));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_stick_identity_through_libusb),
        cmocka_unit_test (test_strings_fall_back_to_sysfs),
        cmocka_unit_test (test_find_for_block),
        cmocka_unit_test (test_find_for_block_async),
        cmocka_unit_test (test_unreadable_descriptors_fail_closed),
        cmocka_unit_test (test_registered_stick_matched_by_serial),
        cmocka_unit_test (test_unknown_stick_unregistered),
        cmocka_unit_test (test_no_serial_never_matches),
        cmocka_unit_test (test_same_serial_other_vid_pid_mismatch),
        cmocka_unit_test (test_same_serial_other_fingerprint_mismatch),
        cmocka_unit_test (test_storage_keyboard_composite_badusb),
        cmocka_unit_test (test_hidden_keyboard_found),
        cmocka_unit_test (test_badusb_rule),
        cmocka_unit_test (test_listed_model_hardware_encrypted),
        cmocka_unit_test (test_hostile_strings_through_libusb),
        cmocka_unit_test (test_decode_string_descriptor),
        cmocka_unit_test (test_models_file_errors_name_line),
        cmocka_unit_test (test_models_file_loads),
        cmocka_unit_test (test_removal_concerns),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
