"""Integration tests of the kiosk session under the cage Wayland kiosk
compositor, headless (issue #11 item 6; KR-38; docs/deploy.md "Tested
here"; DESIGN.md "Facts learned here", cage 0.1.4).

cage refuses to run as root, so each test runs it as an unprivileged user
(kikan-test, a system user made here if missing: the tests run as root,
as CI does) with a 0700 XDG_RUNTIME_DIR of its own, with wlroots'
headless backend (no GPU, no input devices, no seat), the pixman renderer
and GTK on Wayland (GDK_BACKEND=wayland: no silent fall-back to X11).

cage 0.1.4 exits 0 whatever its client's status, so the client runs
through a small shell that writes its exit status to a file: that, not
cage's status, is what the tests judge.  A run that outlives its time is
killed with its whole process group (cage aborts on SIGTERM and leaves its
client running: the group is killed with SIGKILL).

Environment (tests/integration/cage.cmake):
  KIKAN_IT_KIOSK   the kikan-kiosk of the build: the test of the real
                   kiosk FAILS when it is missing, never skips.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "cage_probe.py")
USER = "kikan-test"
# Debian's python3 has python3-gi; a python3 earlier in PATH may not.
SYSTEM_PYTHON = "/usr/bin/python3"
# Cold starts of Xwayland and GTK take about 8 s on this project's machines.
CAGE_TIMEOUT = 120


def unprivileged_user():
    """The uid and gid of USER, made first if needed (a system user with no
    home and no shell)."""
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        "--comment", "Kikan tests (cage)", USER],
                       check=True, capture_output=True)
        pw = pwd.getpwnam(USER)
    return pw.pw_uid, pw.pw_gid


class CageRun:
    """One run of cage with a client; client_status is None when the
    client never ended (killed at the timeout)."""

    def __init__(self, client_status, output, elapsed):
        self.client_status = client_status
        self.output = output
        self.elapsed = elapsed

    def __str__(self):
        return "client status %s after %.1f s; output:\n%s" % (
            self.client_status, self.elapsed, self.output[-4000:])


class CageTestCase(unittest.TestCase):

    def setUp(self):
        if os.geteuid() != 0:
            self.fail("these tests make an unprivileged user for cage and run as it: run them "
                      "as root (CI does)")
        for tool in ("cage", "Xwayland"):
            if shutil.which(tool) is None:
                self.fail("%s is missing: scripts/install-deps.sh installs it "
                          "(cage, xwayland)" % tool)
        self.uid, self.gid = unprivileged_user()
        # XDG_RUNTIME_DIR: owned by the user, 0700, as pam_systemd makes it
        # on the kiosk; wlroots refuses a runtime dir others may enter.
        self.runtime = tempfile.mkdtemp(prefix="kikan-cage-")
        os.chown(self.runtime, self.uid, self.gid)
        os.chmod(self.runtime, 0o700)
        self.addCleanup(shutil.rmtree, self.runtime, True)
        self.home = os.path.join(self.runtime, "kikan-home")
        os.mkdir(self.home, 0o700)
        os.chown(self.home, self.uid, self.gid)

    def environment(self, **extra):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": self.runtime,
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
            "GDK_BACKEND": "wayland",
            "GTK_A11Y": "none",
            "KIKAN_HOME": self.home,
            "KIKAN_CAGE_STATUS": os.path.join(self.runtime, "client-status"),
        }
        # The sanitizer build's settings (scripts/test.sh --sanitize: no
        # leak report of GTK's and libclamav's global state at exit) reach
        # the kiosk too, as they reach every other test's programs.
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(extra)
        return env

    def run_cage(self, argv, as_root=False, env=None):
        """cage -- ARGV, headless, as USER (or as root, to see it refuse)."""
        status_file = os.path.join(self.runtime, "client-status")
        if os.path.exists(status_file):
            os.unlink(status_file)
        wrapped = ["cage", "--", "/bin/sh", "-c",
                   '"$@"; echo "$?" > "$KIKAN_CAGE_STATUS"', "sh"] + list(argv)
        kwargs = {}
        if not as_root:
            kwargs = {"user": self.uid, "group": self.gid, "extra_groups": []}
        started = time.monotonic()
        proc = subprocess.Popen(wrapped, cwd=self.runtime, env=env or self.environment(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        try:
            out, _ = proc.communicate(timeout=CAGE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        finally:
            # cage may leave its client behind (it does on a signal).
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        elapsed = time.monotonic() - started
        status = None
        if os.path.exists(status_file):
            with open(status_file) as f:
                status = int(f.read().strip())
        text = out.decode("utf-8", "replace")
        # wlroots repeats this line on every frame of the headless output
        # with the pixman renderer; it says nothing about the client.
        text = "\n".join(line for line in text.splitlines()
                         if "Basic output test failed" not in line)
        return CageRun(status, text, elapsed)


class CageHeadless(CageTestCase):
    """cage itself on this machine, with a GTK 4 client from Debian
    (python3-gi): the proof that the machine runs a Wayland kiosk session
    headless at all."""

    def test_cage_refuses_root(self):
        # Why the unit runs as the user kikan and these tests as kikan-test.
        run = self.run_cage(["/bin/true"], as_root=True)
        self.assertIsNone(run.client_status, str(run))
        self.assertIn("refusing to start", run.output)

    def test_gtk4_client_maps_under_cage(self):
        if not os.path.exists(SYSTEM_PYTHON):
            self.fail("%s is missing (Debian's python3 with python3-gi)" % SYSTEM_PYTHON)
        run = self.run_cage([SYSTEM_PYTHON, PROBE, "60"])
        self.assertEqual(run.client_status, 0, str(run))
        # On cage's own Wayland display, as the unprivileged user.
        self.assertIn("mapped: display=GdkWaylandDisplay name=wayland-", run.output, str(run))
        self.assertIn("uid=%d" % self.uid, run.output, str(run))

    def test_client_failure_is_seen(self):
        # cage exits 0 whatever its client did; the status file is what
        # tells a kiosk that never showed its window from one that did.
        run = self.run_cage(["/bin/sh", "-c", "exit 3"])
        self.assertEqual(run.client_status, 3, str(run))


class CageKiosk(CageTestCase):
    """The real kikan-kiosk under cage: `kikan-kiosk --check-display` opens
    its window, waits until the compositor has mapped it, and exits 0."""

    def test_kikan_kiosk_maps_under_cage(self):
        kiosk = os.environ.get("KIKAN_IT_KIOSK", "")
        if not kiosk or not os.access(kiosk, os.X_OK):
            self.fail("kikan-kiosk is missing from the build (KIKAN_IT_KIOSK=%r): the kiosk "
                      "under cage cannot be shown without it" % kiosk)
        # The user must reach the binary through every folder on its path.
        probe = subprocess.run(["test", "-x", kiosk], user=self.uid, group=self.gid,
                               extra_groups=[])
        if probe.returncode != 0:
            self.fail("%s cannot run %s (a folder on its path is closed to others)"
                      % (USER, kiosk))
        run = self.run_cage([kiosk, "--check-display"])
        self.assertEqual(run.client_status, 0, str(run))


if __name__ == "__main__":
    unittest.main()
