"""A private CUPS scheduler for integration tests (issue #10 item 6; docs/printing.md).

Follows ../shared/DESIGN.md "CUPS 2.4.2 in a test", which was verified on
this kind of machine:

  * `cupsd -f -c D/cupsd.conf -s D/cups-files.conf`, with every path
    (ServerRoot, RequestRoot, TempDir, CacheDir, StateDir, ServerBin, logs,
    Printcap) under the test's directory D, every directory chmod 755
    (filters and backends run as `lp`);
  * `Listen D/cups.sock` only: nothing on the network;
  * `User lp`, an open `<Location />`, no authentication;
  * a backend of the test's own ("kikantest") in a private ServerBin whose
    other entries link to /usr/lib/cups/* (cups-exec must be reachable).
    A raw queue whose URI is kikantest:/D/jobs/NAME hands the job's bytes
    (here the slip's PDF, unfiltered) to that backend, which writes them
    to D/jobs/NAME-<job id>.  The backend fails (exit 1, "ERROR: …") while
    the file D/jobs/NAME.fail exists, so a test can make a printer break.

Every wait is bounded, the scheduler is killed on teardown, and its
error_log is attached to the failure message of any assertion made
through describe().
"""

import os
import shutil
import signal
import socket
import stat
import subprocess
import time

CUPSD = "/usr/sbin/cupsd"
LPADMIN = "/usr/sbin/lpadmin"
CUPSDISABLE = "/usr/sbin/cupsdisable"
CUPSENABLE = "/usr/sbin/cupsenable"
SYSTEM_SERVERBIN = "/usr/lib/cups"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0

BACKEND = r"""#!/bin/sh
# Kikan test backend (tests/integration/cupsd.py).  Without arguments:
# device discovery.  Otherwise: job-id user title copies options [file].
if [ $# -eq 0 ]; then
    echo 'direct kikantest "Unknown" "Kikan test backend"'
    exit 0
fi
out="${DEVICE_URI#kikantest:}"
if [ -e "$out.fail" ]; then
    echo "ERROR: the test printer is out of paper" >&2
    exit 1
fi
if [ $# -ge 6 ]; then
    cat "$6" > "$out-$1.tmp" || exit 1
else
    cat > "$out-$1.tmp" || exit 1
fi
mv "$out-$1.tmp" "$out-$1" || exit 1
echo "INFO: written to $out-$1" >&2
exit 0
"""


class CupsError(AssertionError):
    pass


class PrivateCupsd:
    """with PrivateCupsd(tmpdir) as cups: cups.socket, cups.add_queue(…)"""

    def __init__(self, base):
        self.dir = os.path.join(base, "cups")
        self.socket = os.path.join(self.dir, "cups.sock")
        self.jobs = os.path.join(self.dir, "jobs")
        self.proc = None

    # ------------------------------------------------------------ setup

    def _mkdir(self, *parts):
        p = os.path.join(self.dir, *parts)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, 0o755)
        return p

    def _write(self, name, text, mode=0o644):
        p = os.path.join(self.dir, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def _serverbin(self):
        sb = self._mkdir("serverbin")
        for entry in os.listdir(SYSTEM_SERVERBIN):
            if entry == "backend":
                continue
            os.symlink(os.path.join(SYSTEM_SERVERBIN, entry), os.path.join(sb, entry))
        be = self._mkdir("serverbin", "backend")
        # A backend must not be group- or world-writable, or cupsd refuses
        # it; 0700 owned by root makes it run as root, so that it can write
        # into D/jobs whatever user the test runs as.
        path = os.path.join(be, "kikantest")
        with open(path, "w") as f:
            f.write(BACKEND)
        os.chmod(path, 0o700)
        return sb

    def start(self):
        if os.geteuid() != 0:
            raise CupsError("the printing tests start a private cupsd (User lp): run as root")
        for p in (CUPSD, LPADMIN, CUPSDISABLE):
            if not os.access(p, os.X_OK):
                raise CupsError("%s is missing: install cups-daemon and cups-client "
                                "(scripts/install-deps.sh)" % p)
        # Every directory on the way must be searchable by lp.
        d = os.path.dirname(self.dir)
        while d not in ("/", ""):
            st = os.stat(d)
            if not st.st_mode & stat.S_IXOTH:
                os.chmod(d, st.st_mode | 0o755)
            d = os.path.dirname(d)
        self._mkdir()
        for sub in ("spool", "spool/tmp", "cache", "state", "log", "ppd", "ssl", "jobs"):
            self._mkdir(sub)
        sb = self._serverbin()
        d = self.dir
        self._write("cups-files.conf",
                    "ServerRoot %s\nRequestRoot %s/spool\nTempDir %s/spool/tmp\n"
                    "CacheDir %s/cache\nStateDir %s/state\nServerBin %s\n"
                    "DataDir /usr/share/cups\nDocumentRoot /usr/share/cups/doc-root\n"
                    "AccessLog %s/log/access_log\nErrorLog %s/log/error_log\n"
                    "PageLog %s/log/page_log\nPrintcap %s/printcap\n"
                    "User lp\nGroup lp\nSystemGroup root\nFileDevice No\n"
                    % (d, d, d, d, d, sb, d, d, d, d))
        self._write("cupsd.conf",
                    "LogLevel debug\nListen %s\nBrowsing Off\nDefaultAuthType None\n"
                    "WebInterface No\nJobRetryInterval 1\nPreserveJobHistory Yes\n"
                    "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                    "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
                    "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n"
                    "</Policy>\n" % self.socket)
        self.proc = subprocess.Popen(
            [CUPSD, "-f", "-c", os.path.join(d, "cupsd.conf"),
             "-s", os.path.join(d, "cups-files.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode("utf-8", "replace")
                raise CupsError("cupsd exited with %s:\n%s\n%s"
                                % (self.proc.returncode, out, self.log()))
            if os.path.exists(self.socket):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(self.socket)
                    return self
                except OSError:
                    pass
                finally:
                    s.close()
            time.sleep(0.05)
        self.stop()
        raise CupsError("cupsd did not listen on %s within %.0f s\n%s"
                        % (self.socket, START_TIMEOUT, self.log()))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(STOP_TIMEOUT)
        self.proc.stdout.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # ------------------------------------------------------------ queues

    def run(self, *argv):
        r = subprocess.run(list(argv), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30, env=dict(os.environ, CUPS_SERVER=self.socket))
        if r.returncode != 0:
            raise CupsError("%s failed (%d): %s\n%s" % (" ".join(argv), r.returncode,
                                                       r.stderr.decode("utf-8", "replace"),
                                                       self.log()))
        return r.stdout.decode("utf-8", "replace")

    def add_queue(self, name, error_policy="abort-job"):
        """A raw queue whose jobs land in D/jobs/NAME-<job id>."""
        self.run(LPADMIN, "-h", self.socket, "-p", name,
                 "-v", "kikantest:" + os.path.join(self.jobs, name), "-E",
                 "-o", "printer-error-policy=" + error_policy)
        return name

    def disable(self, name, reason="stopped by the test"):
        self.run(CUPSDISABLE, "-h", self.socket, "-r", reason, name)

    def break_queue(self, name):
        open(os.path.join(self.jobs, name + ".fail"), "w").close()

    def job_files(self, name):
        prefix = name + "-"
        return sorted(os.path.join(self.jobs, f) for f in os.listdir(self.jobs)
                      if f.startswith(prefix) and not f.endswith(".tmp"))

    def log(self):
        p = os.path.join(self.dir, "log", "error_log")
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            return "(no cupsd error_log)"
        return "--- cupsd error_log (last 6000 bytes) ---\n" + \
            data[-6000:].decode("utf-8", "replace")

    def describe(self):
        return self.log()


def remove(path):
    shutil.rmtree(path, True)
