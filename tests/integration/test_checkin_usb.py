"""The check-in with USB sticks simulated by umockdev (issue #9 must-show:
a registered stick matched by serial, an unknown stick HOLD (INV-06), a
storage+keyboard composite QUARANTINE, a stick removed mid-inspection HOLD
"removed during inspection" with nothing of the partial scan reported
clean).

Runs under umockdev-wrapper (tests/integration/checkin.cmake): the testbed
is built here (test_usb.Testbed) and `kikan checkin` inherits it, uevents
included.  The mock /dev/sdb is a plain file, so the script names it as
the stick's identity ("usb_device") and a FAT image made here as what is
read ("medium"), as DESIGN.md says.
"""

import json
import os
import subprocess
import time

from kikan_it import accept_test_cvd_age, kikan_bin
from test_checkin import CheckinTestCase
from test_usb import STORAGE, STORAGE_KEYBOARD, Testbed

SERIAL = b"4C530001230412117093"


class CheckinUsb(CheckinTestCase):

    def setUp(self):
        if "libumockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
            self.fail("run this test under umockdev-wrapper (tests/integration/checkin.cmake)")
        self.tb = Testbed()
        super().setUp()
        accept_test_cvd_age(self)

    def env(self, **extra):
        return super().env(UMOCKDEV_DIR=self.tb.root(), **extra)

    def register(self, asset, vid=0x0781, pid=0x5567, serial=SERIAL.decode(), fp=None):
        self.sql("INSERT INTO media (asset_id, vid, pid, usb_serial, fingerprint, registered_at, "
                 "registered_by) VALUES (?, ?, ?, ?, ?, '2026-11-01T00:00:00Z', 'it01')",
                 (asset, vid, pid, serial, fp))

    def answers(self):
        a = self.clean_answers()
        a["Q1"] = "yes"
        return a

    def missing(self, *assets):
        return [{"asset": a, "declared": "at_home", "return_by": "2026-12-24"} for a in assets]

    def test_registered_stick_matched_by_serial(self):
        _, fp = self.tb.add(interfaces=STORAGE)
        self.register("USB-0007", fp=fp)
        # Presented by plugging in alone: the register says which asset it is.
        doc, r = self.checkin({"employee": "E1001", "answers": self.answers(),
                               "present": [{"usb_device": "/dev/sdb",
                                            "medium": self.fat("usb7", False)}],
                               "missing": self.missing("LT-0003", "USB-0008")})
        it = self.item(doc, "USB-0007")
        self.assertEqual(it["usb"]["serial"], SERIAL.decode())
        self.assertEqual(it["usb"]["id"], "0781:5567")
        self.assertIn(("INV-01", "M"), self.codes(it))
        codes = {c for c, _ in self.codes(it)}
        self.assertFalse(codes & {"INV-05", "INV-06", "USB-01"}, it)
        # Plain stick where encryption is required: held for that alone.
        self.assertEqual(it["verdict"], "hold")
        self.assertIn("ENC-02", codes)

    def test_unknown_stick_held(self):
        self.tb.add(serial=b"UNKNOWN0001", interfaces=STORAGE)
        self.register("USB-0007")
        doc, r = self.checkin({"employee": "E1001", "answers": self.answers(),
                               "present": [{"usb_device": "/dev/sdb",
                                            "medium": self.fat("usb-x", False)}],
                               "missing": self.missing("LT-0003", "USB-0007", "USB-0008")})
        unknown = [i for i in doc["items"] if i["asset"] is None]
        self.assertEqual(len(unknown), 1, doc["items"])
        self.assertEqual(unknown[0]["verdict"], "hold")
        self.assertIn(("INV-06", "M"), self.codes(unknown[0]))
        self.assertNotEqual(doc["verdict"], "cleared")
        self.assertEqual(r.rc, 3, r.describe())

    def test_storage_and_keyboard_quarantined(self):
        _, fp = self.tb.add(interfaces=STORAGE_KEYBOARD)
        self.register("USB-0007", fp=fp)
        doc, r = self.checkin({"employee": "E1001", "answers": self.answers(),
                               "present": [{"asset": "USB-0007", "usb_device": "/dev/sdb",
                                            "medium": self.fat("usb7", False)}],
                               "missing": self.missing("LT-0003", "USB-0008")})
        it = self.item(doc, "USB-0007")
        self.assertEqual(it["verdict"], "quarantine", it)
        self.assertIn(("USB-01", "M"), self.codes(it))
        self.assertEqual(it["usb"]["interfaces"], "08/06/50,03/01/01")
        self.assertEqual(doc["verdict"], "quarantine")
        self.assertEqual(r.rc, 1, r.describe())

    def test_removed_mid_inspection(self):
        sys_, fp = self.tb.add(interfaces=STORAGE)
        self.register("USB-0007", fp=fp)
        # Enough content that the read is still going when the stick goes.
        img = os.path.join(self.media, "big.img")
        tree = self.mm.tree_a(infected=False, seed="big")
        for n in range(600):
            tree["Data/%03d/file.bin" % n] = self.mm.prng("f%d" % n, 40 * 1024)
        self.mm.mkfs_fat(img, 64 * self.mm.MiB, 32, "BIG", "1234abcd", tree)
        script = self.script({"employee": "E1001", "answers": self.answers(),
                              "present": [{"asset": "USB-0007", "usb_device": "/dev/sdb",
                                           "medium": img}],
                              "missing": self.missing("LT-0003", "USB-0008")})
        argv = [kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                "--script", script]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        line = proc.stderr.readline()
        self.assertIn(b"inspecting item", line)
        time.sleep(0.3)
        block = sys_ + "/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
        for path in (block + "/sdb1", block, sys_ + "/1-1:1.0", sys_):
            self.tb.tb.uevent(path, "remove")
        out, err = proc.communicate(timeout=120)
        doc = json.loads(out.decode("utf-8"))
        it = self.item(doc, "USB-0007")
        self.assertEqual(it["verdict"], "hold", it)
        self.assertEqual(it["state"], "removed")
        mal04 = [x for x in it["reasons"] if x["code"] == "MAL-04"]
        self.assertTrue(mal04 and "removed during inspection" in mal04[0]["text"], it)
        self.assertNotIn("MAL-01", {c for c, _ in self.codes(it)})
        # Nothing of the partial scan counts: not inspected, no clean files.
        self.assertEqual(it["inspection"]["result"], "not_inspected")
        self.assertEqual(it["inspection"]["files"], 0)
        self.assertNotEqual(doc["verdict"], "cleared")
        self.assertEqual(proc.returncode, 3, err)
        self.assert_db_check()
