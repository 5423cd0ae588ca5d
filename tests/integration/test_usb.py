"""`kikan usb list` and `kikan usb identify` on USB devices simulated with umockdev
(issue #9 item 3, docs/usb.md).

The test process builds the testbed (gi.repository.UMockdev) and runs under
umockdev-wrapper (tests/integration/usb.cmake), so the `kikan` it starts
inherits the mock environment (LD_PRELOAD and UMOCKDEV_DIR): its libusb and
GUdev see the devices written here.  There is no ioctl handler in this
process, so the child reads the strings from sysfs (strings_source
"sysfs"); reading them through libusb is covered by the C unit tests
(tests/unit/test-kiosk-usb.c), which can answer usbfs requests in-process.

gi is imported lazily: run.py --check-registered imports this module with
an interpreter that may not have it.
"""

import hashlib
import json
import os
import re
import subprocess
import time

from kikan_it import RAW_CONTROL, KikanTestCase, kikan_bin

STORAGE = [(0x08, 0x06, 0x50)]
STORAGE_KEYBOARD = [(0x08, 0x06, 0x50), (0x03, 0x01, 0x01)]


def descriptors(vid, pid, bcd, interfaces, strings=(1, 2, 3)):
    """The kernel's `descriptors` attribute: device descriptor and one
    configuration with @interfaces, each with one bulk endpoint."""
    dev = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64, vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
                 bcd & 0xff, bcd >> 8, strings[0], strings[1], strings[2], 1])
    body = b""
    for n, (c, s, p) in enumerate(interfaces):
        body += bytes([9, 4, n, 0, 1, c, s, p, 0]) + bytes([7, 5, 0x81 + n, 2, 0, 2, 0])
    total = 9 + len(body)
    cfg = bytes([9, 2, total & 0xff, total >> 8, len(interfaces), 1, 0, 0x80, 50])
    return dev + cfg + body


class Testbed:
    """A umockdev testbed with a root hub; add() plugs in a stick."""

    def __init__(self):
        import gi
        gi.require_version("UMockdev", "1.0")
        from gi.repository import UMockdev
        self.tb = UMockdev.Testbed.new()
        self.hub = self.tb.add_device("usb", "usb1", None,
                                      ["busnum", "1", "devnum", "1", "idVendor", "1d6b",
                                       "idProduct", "0002"], ["DEVTYPE", "usb_device"])
        self.tb.set_attribute_binary(self.hub, "descriptors",
                                     descriptors(0x1d6b, 0x0002, 0x0606, [(0x09, 0, 0)], (3, 2, 1)))

    def root(self):
        return self.tb.get_root_dir()

    def add(self, name="1-1", devnum=2, vid=0x0781, pid=0x5567, bcd=0x0126,
            manufacturer=b"SanDisk", product=b"Cruzer Blade", serial=b"4C530001230412117093",
            interfaces=STORAGE, block="sdb"):
        desc = descriptors(vid, pid, bcd, interfaces)
        # One add_from_string, so that every attribute exists before the
        # "add" uevent umockdev sends: a watcher in another process reads
        # the device as soon as it hears of it.  H: lines are raw bytes: a
        # hostile device's strings need not be UTF-8.
        attrs = {"idVendor": b"%04x" % vid, "idProduct": b"%04x" % pid,
                 "bcdDevice": b"%04x" % bcd, "busnum": b"1", "devnum": b"%d" % devnum,
                 "bConfigurationValue": b"1", "descriptors": desc}
        for attr, value in (("manufacturer", manufacturer), ("product", product),
                            ("serial", serial)):
            if value is not None:
                attrs[attr] = value + b"\n"
        text = ("P: /devices/usb1/%s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
                "E: BUSNUM=001\nE: DEVNUM=%03d\n"
                # libusb skips a device without a DEVNAME (udev's devnode).
                "E: DEVNAME=/dev/bus/usb/001/%03d\n" % (name, devnum, devnum))
        text += "".join("H: %s=%s\n" % (k, v.hex()) for k, v in attrs.items())
        self.tb.add_from_string(text)
        sys_ = "/sys/devices/usb1/" + name
        first = None
        for n, (c, s, p) in enumerate(interfaces):
            itf = self.tb.add_device(
                "usb", "%s:1.%d" % (name, n), sys_,
                ["bInterfaceClass", "%02x" % c, "bInterfaceSubClass", "%02x" % s,
                 "bInterfaceProtocol", "%02x" % p, "bInterfaceNumber", "%02x" % n],
                ["DEVTYPE", "usb_interface"])
            first = first or itf
        if block:
            disk = self.tb.add_device("block", "host6/target6:0:0/6:0:0:0/block/" + block, first,
                                      ["size", "2048"],
                                      ["DEVTYPE", "disk", "DEVNAME", "/dev/" + block])
            self.tb.add_device("block", block + "1", disk, ["size", "2000", "partition", "1"],
                               ["DEVTYPE", "partition", "DEVNAME", "/dev/%s1" % block])
        return sys_, hashlib.sha256(desc).hexdigest()


class UsbTestCase(KikanTestCase):

    def setUp(self):
        super().setUp()
        if "libumockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
            self.fail("run this test under umockdev-wrapper (tests/integration/usb.cmake)")
        self.tb = Testbed()

    def env(self, **extra):
        # os.environ was copied when Python started: the testbed's
        # UMOCKDEV_DIR, set since, is passed on by hand.
        return super().env(UMOCKDEV_DIR=self.tb.root(), **extra)

    def usb_json(self, *args, rc=0):
        run = self.kikan("usb", *args, "--json")
        self.assertEqual(run.rc, rc, run.describe())
        self.assertIsNone(RAW_CONTROL.search(run.stdout), run.describe())
        doc = json.loads(run.stdout.decode("utf-8"))
        self.assertEqual(doc["version"], 1)
        self.assertIsInstance(doc["devices"], list)
        for d in doc["devices"]:
            self.assertEqual(set(d) - {"manufacturer_hex", "product_hex", "serial_hex"},
                             {"syspath", "busnum", "devnum", "vid", "pid", "bcd_device",
                              "device_class", "manufacturer", "product", "serial",
                              "strings_source", "interfaces_known", "interfaces",
                              "block_devices", "fingerprint", "badusb",
                              "hardware_encrypted"}, run.describe())
            self.assertRegex(d["vid"], r"^[0-9a-f]{4}$")
            self.assertIn(d["strings_source"], ("libusb", "sysfs", "none"))
        return doc, run

    def write(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
        return p


class UsbList(UsbTestCase):

    def test_stick_json(self):
        sys_, fp = self.tb.add()
        doc, run = self.usb_json("list")
        # The root hub is not listed.
        self.assertEqual(len(doc["devices"]), 1, run.describe())
        d = doc["devices"][0]
        self.assertEqual(d["syspath"], sys_)
        self.assertEqual((d["busnum"], d["devnum"]), (1, 2))
        self.assertEqual((d["vid"], d["pid"], d["bcd_device"]), ("0781", "5567", "0126"))
        self.assertEqual((d["manufacturer"], d["product"], d["serial"]),
                         ("SanDisk", "Cruzer Blade", "4C530001230412117093"))
        self.assertEqual(d["strings_source"], "sysfs")
        self.assertTrue(d["interfaces_known"])
        self.assertEqual([(i["class"], i["subclass"], i["protocol"], i["class_name"])
                          for i in d["interfaces"]], [("08", "06", "50", "Mass Storage")])
        self.assertEqual(d["block_devices"], ["/dev/sdb", "/dev/sdb1"])
        self.assertEqual(d["fingerprint"], fp)
        self.assertIs(d["badusb"], False)
        self.assertIsNone(d["hardware_encrypted"])

    def test_stick_human(self):
        self.tb.add()
        run = self.kikan("usb", "list")
        self.assertEqual(run.rc, 0, run.describe())
        out = run.stdout.decode("utf-8")
        self.assertIn("Bus 001 Device 002: ID 0781:5567", out)
        self.assertRegex(out, r"serial: +4C530001230412117093\n")
        self.assertRegex(out, r"interfaces: +1\.0\.0 08/06/50 Mass Storage\n")
        self.assertRegex(out, r"block: +/dev/sdb\n +/dev/sdb1\n")
        self.assertNotIn("WARNING", out)

    def test_no_devices(self):
        run = self.kikan("usb", "list")
        self.assertEqual(run.rc, 0, run.describe())
        self.assertEqual(run.stdout, b"No USB devices.\n")
        doc, _ = self.usb_json("list")
        self.assertEqual(doc["devices"], [])

    def test_two_devices_ordered(self):
        self.tb.add(name="1-2", devnum=5, serial=b"SECOND", block="sdc")
        self.tb.add(name="1-1", devnum=3, serial=b"FIRST", block="sdb")
        doc, run = self.usb_json("list")
        self.assertEqual([d["serial"] for d in doc["devices"]], ["FIRST", "SECOND"],
                         run.describe())
        self.assertEqual([d["block_devices"] for d in doc["devices"]],
                         [["/dev/sdb", "/dev/sdb1"], ["/dev/sdc", "/dev/sdc1"]])

    def test_storage_keyboard_badusb(self):
        self.tb.add(interfaces=STORAGE_KEYBOARD)
        doc, run = self.usb_json("list")
        d = doc["devices"][0]
        self.assertIs(d["badusb"], True, run.describe())
        self.assertEqual([(i["class"], i["protocol"]) for i in d["interfaces"]],
                         [("08", "50"), ("03", "01")])
        run = self.kikan("usb", "list")
        out = run.stdout.decode("utf-8")
        self.assertIn("HID (keyboard)", out)
        self.assertIn("BadUSB", out)
        self.assertIn("QUARANTINE", out)

    def test_models_hardware_encrypted(self):
        self.tb.add(vid=0x0951, pid=0x1539, serial=b"IRONKEY01")
        models = self.write("usb.conf", "[hardware-encrypted]\n"
                                        "0951:1539 = Kingston IronKey D300\n")
        doc, run = self.usb_json("list", "--models", models)
        self.assertEqual(doc["devices"][0]["hardware_encrypted"], "Kingston IronKey D300",
                         run.describe())
        run = self.kikan("usb", "list", "--models", models)
        self.assertRegex(run.stdout.decode(), r"encrypted: +Kingston IronKey D300\n")
        # Another model on the list does not make this one encrypted.
        other = self.write("other.conf", "[hardware-encrypted]\n2009:5016 = datAshur\n")
        doc, run = self.usb_json("list", "--models", other)
        self.assertIsNone(doc["devices"][0]["hardware_encrypted"])

    def test_bad_models_file_names_line(self):
        self.tb.add()
        models = self.write("usb.conf", "[hardware-encrypted]\n0951:1539 = IronKey\n"
                                        "IronKey D300 = 0951:1539\n")
        run = self.kikan("usb", "list", "--models", models)
        self.assertEqual(run.rc, 2, run.describe())
        self.assertIn(b"usb.conf:3:", run.stderr)
        self.assertEqual(run.stdout, b"")
        run = self.kikan("usb", "list", "--models", os.path.join(self.tmp, "missing.conf"))
        self.assertEqual(run.rc, 2, run.describe())
        self.assertIn(b"missing.conf", run.stderr)

    def test_hostile_strings_escaped(self):
        # ESC sequences that clear the screen, a right-to-left override,
        # bytes that are not UTF-8, a BEL and a C1 control.
        manufacturer = b"Evil\x1b[2J\x1b[HCorp"
        product = "Stick \u202egpj.exe".encode("utf-8")
        serial = b"SN\xff\xfe\x07\xc2\x9b01"
        self.tb.add(manufacturer=manufacturer, product=product, serial=serial)
        run = self.kikan("usb", "list")
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIsNone(RAW_CONTROL.search(run.stdout), run.describe())
        self.assertNotIn("\u202e".encode(), run.stdout)
        self.assertNotIn(b"\xc2\x9b", run.stdout)
        out = run.stdout.decode("utf-8")  # valid UTF-8
        self.assertIn("Evil\\x1B[2J\\x1B[HCorp", out)
        self.assertIn("Stick \\u{202E}gpj.exe", out)
        self.assertIn("SN\\xFF\\xFE\\x07\\u{009B}01", out)

        doc, run = self.usb_json("list")
        self.assertNotIn("\u202e".encode(), run.stdout)
        self.assertNotIn(b"\xc2\x9b", run.stdout)
        d = doc["devices"][0]
        self.assertEqual(d["manufacturer"], "Evil\x1b[2J\x1b[HCorp")
        self.assertEqual(d["product"], "Stick \u202egpj.exe")
        self.assertEqual(d["serial"], "SN\ufffd\ufffd\x07\x9b01")
        # The exact bytes, for a register that keeps the serial verbatim.
        self.assertEqual(bytes.fromhex(d["serial_hex"]), serial)
        self.assertEqual(bytes.fromhex(d["manufacturer_hex"]), manufacturer)
        self.assertEqual(bytes.fromhex(d["product_hex"]), product)
        self.assertTrue(re.fullmatch(r"[0-9a-f]{64}", d["fingerprint"]))


class UsbIdentify(UsbTestCase):

    def test_identify_block_device(self):
        sys_, fp = self.tb.add(serial=b"IDENT-0001")
        self.tb.add(name="1-2", devnum=4, serial=b"OTHER", block="sdc")
        for name in ("/dev/sdb", "sdb", "/dev/sdb1"):
            doc, run = self.usb_json("identify", name)
            self.assertEqual(len(doc["devices"]), 1, run.describe())
            self.assertEqual(doc["devices"][0]["syspath"], sys_)
            self.assertEqual(doc["devices"][0]["serial"], "IDENT-0001")
            self.assertEqual(doc["devices"][0]["fingerprint"], fp)

    def test_identify_not_usb(self):
        self.tb.add()
        self.tb.tb.add_device("block", "loop0", None, ["size", "8"],
                              ["DEVTYPE", "disk", "DEVNAME", "/dev/loop0"])
        run = self.kikan("usb", "identify", "/dev/loop0")
        self.assertEqual(run.rc, 1, run.describe())
        self.assertIn(b"is not on a USB device", run.stderr)
        doc, run = self.usb_json("identify", "/dev/loop0", rc=1)
        self.assertEqual(doc["devices"], [])

    def test_identify_unknown_block_device(self):
        run = self.kikan("usb", "identify", "/dev/sdz\x1b[2J")
        self.assertEqual(run.rc, 2, run.describe())
        self.assertIn(b"/dev/sdz\\x1B[2J", run.stderr)
        self.assertNotIn(b"\x1b", run.stderr)
        run = self.kikan("usb", "identify")
        self.assertEqual(run.rc, 2, run.describe())


class UsbWatch(UsbTestCase):
    """Hot-plug seen by `kikan usb watch` in a child process: umockdev
    delivers the test's uevents to the child's GUdevClient too."""

    def start_watch(self, *args):
        argv = [kikan_bin(), "usb", "watch", "--json", "--timeout", "30"] + list(args)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        line = proc.stderr.readline()
        self.assertIn(b"watching USB devices", line)
        return proc

    def finish(self, proc):
        try:
            out, err = proc.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail("kikan usb watch did not stop")
        self.assertEqual(proc.returncode, 0, err)
        self.assertIsNone(RAW_CONTROL.search(out), out)
        return [json.loads(line) for line in out.decode("utf-8").splitlines()]

    def test_hotplug_add_and_remove(self):
        proc = self.start_watch("--exit-after", "2")
        sys_, _ = self.tb.add(serial=b"HOT\x1b[2JPLUG")
        time.sleep(0.5)
        # The kernel's order: the partition, the disk, the interface, then
        # the device itself.
        block = sys_ + "/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
        for path in (block + "/sdb1", block, sys_ + "/1-1:1.0", sys_):
            self.tb.tb.uevent(path, "remove")
        events = self.finish(proc)
        kinds = [e["event"] for e in events]
        self.assertEqual(kinds[0], "device-added", events)
        self.assertEqual(kinds[-1], "device-removed", events)
        added = events[0]["device"]
        self.assertEqual(events[0]["syspath"], sys_)
        self.assertEqual((added["vid"], added["pid"]), ("0781", "5567"))
        self.assertEqual(added["serial"], "HOT\x1b[2JPLUG")
        # Block devices come with the device, or after it as block-added,
        # depending on when the child read it: together, both of them.
        nodes = set(added["block_devices"]) | {e["node"] for e in events
                                               if e["event"] == "block-added"}
        self.assertEqual(nodes, {"/dev/sdb", "/dev/sdb1"}, events)
        removed_blocks = [e["node"] for e in events if e["event"] == "block-removed"]
        self.assertEqual(removed_blocks, ["/dev/sdb1", "/dev/sdb"], events)
        self.assertEqual(events[-1]["syspath"], sys_)
        self.assertEqual(events[-1]["block_devices"], ["/dev/sdb", "/dev/sdb1"])

    def test_present_device_reported(self):
        sys_, fp = self.tb.add(interfaces=STORAGE_KEYBOARD)
        proc = self.start_watch("--present", "--exit-after", "1")
        events = self.finish(proc)
        self.assertEqual([e["event"] for e in events], ["device-added"])
        self.assertEqual(events[0]["syspath"], sys_)
        self.assertEqual(events[0]["device"]["fingerprint"], fp)
        self.assertIs(events[0]["device"]["badusb"], True)
        self.assertEqual(events[0]["device"]["block_devices"], ["/dev/sdb", "/dev/sdb1"])
