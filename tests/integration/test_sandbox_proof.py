"""Sandbox proof through the kiosk's own path (issue #12 item 3;
docs/robustness.md "Sandbox proof"): a real `kikan checkin --script`, whose
inspector (kiosk/inspect/) drives the test-only daemon kikan-scand-probe
(tests/unit/sandbox-proof.cmake).  Its worker, confined exactly as in
production, performs the hostile action named by the stick's image
(scanner/sandbox-probe.c).  The stick must come out HOLD with MAL-04
(REQUIREMENTS 5.4: "some content could not be inspected"; KR-10, KR-26)
saying why, the next stick must be inspected and CLEARED by the same
inspector, and the check-in (the kiosk's process) must end normally.

Neither stick needs encryption here, so the sandbox alone decides: without
it (scripts/sandbox-proof.sh runs these tests against
kikan-scand-proof-off) the hostile stick is CLEARED and each test fails.
"""

import json
import os

from kikan_it import accept_test_cvd_age, env_path
from test_checkin import CheckinTestCase


class SandboxCheckin(CheckinTestCase):

    def held_by_sandbox(self, action, why):
        accept_test_cvd_age(self)
        self.sql("UPDATE assets SET encryption_required = 0 "
                 "WHERE id IN ('USB-0007', 'USB-0008')")
        out = self.mkdir("probe-out")
        env = self.env(KIKAN_SCAND=env_path("KIKAN_IT_PROOF_SCAND", is_dir=False),
                       KIKAN_PROBE_OUT=out)
        doc, r = self.checkin({
            "employee": "E1001", "answers": self.clean_answers(),
            "present": [{"asset": "USB-0007", "medium": self.fat("kikan-probe-" + action, False)},
                        {"asset": "USB-0008", "medium": self.fat("usb8", False)}],
            "missing": [{"asset": "LT-0003", "declared": "lost",
                         "data_held": "nothing", "classification": "internal",
                         "personal_data": "no"}]}, env=env)
        ctx = "\n" + r.describe()
        self.assertEqual(doc["state"], "ended", ctx)
        usb7, usb8 = self.item(doc, "USB-0007"), self.item(doc, "USB-0008")
        dump = json.dumps(usb7, ensure_ascii=False, indent=1)
        if usb7["verdict"] != "hold":
            self.fail("the stick whose worker tried %s was %s (reasons %s)"
                      % (action, usb7["verdict"].upper(),
                         ", ".join(sorted(c for c, _ in self.codes(usb7)))))
        self.assertEqual(os.listdir(out), [], "the hostile action WORKED" + ctx)
        self.assertEqual(usb7["inspection"]["result"], "not_inspected", dump)
        self.assertNotIn("MAL-01", {c for c, _ in self.codes(usb7)}, dump)
        mal04 = [x for x in usb7["reasons"] if x["code"] == "MAL-04"]
        self.assertEqual(len(mal04), 1, dump)
        self.assertEqual(mal04[0]["provenance"], "M", dump)
        self.assertRegex(mal04[0]["text"], why, dump)
        # The same inspector goes on: the next stick is read and cleared.
        dump = json.dumps(usb8, ensure_ascii=False, indent=1)
        self.assertEqual(usb8["inspection"]["result"], "clean", dump)
        self.assertEqual(usb8["verdict"], "cleared", dump)
        self.assertIn(("MAL-01", "M"), self.codes(usb8), dump)
        self.assertNotEqual(doc["verdict"], "cleared", ctx)
        self.assert_db_check()

    def test_socket_item_held(self):
        """seccomp kills the worker at socket(): HOLD, MAL-04 names SIGSYS."""
        self.held_by_sandbox("socket", r"SIGSYS")

    def test_open_by_path_item_held(self):
        """Landlock refuses open("/etc/passwd") (EACCES, the probe's exit
        status 100 + 13): HOLD, MAL-04 names the worker's failure."""
        self.held_by_sandbox("open-path", r"worker exited with status 113")

    def test_memory_limit_item_held(self):
        """RLIMIT_AS stops a reservation past the worker's limit: HOLD,
        MAL-04 says the worker ran out of memory."""
        self.held_by_sandbox("memory", r"out of memory")
