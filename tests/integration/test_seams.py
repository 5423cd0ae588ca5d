"""Test seams reach only the build tree (docs/deploy.md "The environment").

Each test runs the same command with the same environment twice: with the
build tree's `kikan`, which must honour the test seam (so the test shows
that the seam is what changes), and with a copy installed by `cmake
--install` into a temporary prefix, which must ignore it.  A hostile review
got `"sandbox": "seccomp+landlock"` from an installed kiosk pointed at the
test-only kikan-scand-proof-off with KIKAN_SCAND, and a faked clock into
the signature-age check with KIKAN_FAKE_NOW.

SeamInventory reads the sources: every environment variable that kiosk/,
scanner/, ui/ and bench/ read must be in the table of docs/deploy.md, and
every test seam must be read through kikan_test_seam() and be in its
registry (scanner/test-seam.c).
"""

import calendar
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

from kikan_it import KikanTestCase, Run, env_path, kikan_bin, project_signatures

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# A ledger of one loan: importing it stamps the assets with the clock.
LEDGER = ("employee_id,employee_name,asset_id,asset_type,serial,encryption_required,lent_on\r\n"
          "E1001,Yamada Taro,USB-0007,usb,U7,yes,2026-10-01\r\n")
# 2017-07-14T02:40:00Z: far from any real clock this test will meet.
FAKE_NOW = "1500000000"
FAKE_ISO = "2017-07-14T02:40:00Z"


def build_dir_of(binary):
    d = os.path.dirname(os.path.realpath(binary))
    while d != "/":
        if os.path.exists(os.path.join(d, "CMakeCache.txt")):
            return d
        d = os.path.dirname(d)
    raise AssertionError("%s is not inside a CMake build tree" % binary)


class InstalledCopy(KikanTestCase):
    """`kikan` installed into a temporary prefix beside the build tree's."""

    @classmethod
    def setUpClass(cls):
        cls.prefix_root = tempfile.mkdtemp(prefix="kikan-it-prefix-")
        prefix = os.path.join(cls.prefix_root, "usr")
        build = build_dir_of(kikan_bin())
        inst = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if inst.returncode != 0:
            raise AssertionError("cmake --install failed:\n" +
                                 inst.stdout.decode("utf-8", "replace"))
        cls.installed = os.path.join(prefix, "bin", "kikan")
        if not os.access(cls.installed, os.X_OK):
            raise AssertionError("no installed kikan at %s" % cls.installed)
        if os.path.realpath(cls.installed).startswith(build + os.sep):
            raise AssertionError("the prefix lies inside the build tree %s" % build)
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            cache = dict(ln.split("=", 1) for ln in f.read().splitlines()
                         if "=" in ln and not ln.startswith(("#", "//")))
        # Where the installed kikan looks for its daemon: the configured
        # prefix, not the temporary one.
        cls.libexec_scand = os.path.join(cache["CMAKE_INSTALL_PREFIX:PATH"], "libexec",
                                         "kikan", "kikan-scand")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix_root, True)

    def run_both(self, *args, **seams):
        """Runs kikan ARGS with the seams set, as the build tree's copy and
        as the installed one, each with a fresh home; returns both runs and
        their homes."""
        out = {}
        for which, binary in (("build", kikan_bin()), ("installed", self.installed)):
            home = self.mkdir("home-" + which)
            env = self.env(KIKAN_HOME=home)
            del env["KIKAN_SCAND"]
            env.update(seams)
            argv = [binary] + [str(a) for a in args]
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, timeout=300)
            out[which] = (Run(argv, proc), home)
        return out["build"], out["installed"]

    def test_scand_seam(self):
        """KIKAN_SCAND names a daemon that confines nothing (proof-off, behind
        a script that leaves a mark): only the build tree runs it."""
        proof_off = env_path("KIKAN_IT_PROOF_OFF_SCAND", is_dir=False)
        # Each run of the fake daemon notes which program started it.
        mark = os.path.join(self.tmp, "fake-daemon-ran")
        fake = os.path.join(self.tmp, "fake-scand")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nreadlink -f /proc/$PPID/exe >>"%s"\nexec "%s" "$@"\n'
                    % (mark, proof_off))
        os.chmod(fake, 0o755)
        stick = self.mkdir("stick")
        with open(os.path.join(stick, "note.txt"), "w") as f:
            f.write("nothing to see here\n")
        db = self.db_test6()

        (build, _), (inst, _) = self.run_both("scan", "--json", "--database", db, stick,
                                              KIKAN_SCAND=fake)
        ran = open(mark).read().split() if os.path.exists(mark) else []
        ctx = "\nfake daemon started by: %r\n%s\n%s" % (ran, build.describe(), inst.describe())
        self.assertEqual(ran, [os.path.realpath(kikan_bin())],
                         "only the build tree's kikan may run the daemon in KIKAN_SCAND" + ctx)
        doc = json.loads(build.stdout.decode("utf-8"))
        self.assertEqual([t["sandbox"] for t in doc["targets"]], ["proof-off"], ctx)
        self.assertEqual([t["status"] for t in doc["targets"]], ["complete"], ctx)

        ctx = "\n" + inst.describe()
        self.assertNotIn(b"proof-off", inst.stdout, ctx)
        if os.path.exists(self.libexec_scand):
            doc = json.loads(inst.stdout.decode("utf-8"))
            self.assertEqual(len(doc["targets"]), 1, ctx)
            self.assertIn(doc["targets"][0]["sandbox"], ("seccomp+landlock", "seccomp"), ctx)
        else:
            # It looked for the installed daemon only, said so, ran nothing,
            # and does not suggest a variable it would ignore.
            self.assertEqual(inst.rc, 2, ctx)
            self.assertEqual(inst.stdout, b"", ctx)
            self.assertIn(("The scan daemon %s is missing. Reinstall Kikan."
                           % self.libexec_scand).encode(), inst.stderr, ctx)
            self.assertNotIn(b"KIKAN_SCAND", inst.stderr, ctx)

    def test_fake_now_seam(self):
        """KIKAN_FAKE_NOW: the time a ledger import stamps on the assets is
        the fake one in the build tree, the real one when installed."""
        path = os.path.join(self.tmp, "ledger.csv")
        with open(path, "w") as f:
            f.write(LEDGER)
        before = time.time()
        (build, bhome), (inst, ihome) = self.run_both("ledger", "import", path,
                                                      KIKAN_FAKE_NOW=FAKE_NOW)
        after = time.time()
        for run in (build, inst):
            self.assertEqual(run.rc, 0, run.describe())

        def stamps(home):
            db = sqlite3.connect(os.path.join(home, "kikan.db"))
            try:
                return [r[0] for r in db.execute("SELECT updated_at FROM assets")]
            finally:
                db.close()

        self.assertEqual(stamps(bhome), [FAKE_ISO], "the build tree ignored KIKAN_FAKE_NOW")
        got = stamps(ihome)
        self.assertEqual(len(got), 1)
        t = calendar.timegm(time.strptime(got[0], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertNotEqual(got[0], FAKE_ISO, "the installed kikan used KIKAN_FAKE_NOW")
        self.assertTrue(before - 5 <= t <= after + 5,
                        "installed: %s is not the real time (%s)" % (got[0], time.ctime(before)))

    def test_kill_point_seam(self):
        """KIKAN_TEST_KILL_AUDIT=1: the build tree's kikan kills itself at its
        first audit record; the installed one finishes its import."""
        path = os.path.join(self.tmp, "ledger.csv")
        with open(path, "w") as f:
            f.write(LEDGER)
        (build, _), (inst, _) = self.run_both("ledger", "import", path,
                                              KIKAN_TEST_KILL_AUDIT="1")
        self.assertEqual(build.rc, -9, "the build tree ignored the kill point\n" +
                         build.describe())
        self.assertEqual(inst.rc, 0, "the installed kikan obeyed a kill point\n" +
                         inst.describe())
        self.assertIn(b"imported into the ledger", inst.stdout, inst.describe())

    def test_sandbox_seam(self):
        """KIKAN_SANDBOX (here a value the build tree refuses outright): the
        installed kikan never reads it."""
        stick = self.mkdir("stick")
        (build, _), (inst, _) = self.run_both("scan", "--database", self.db_test6(), stick,
                                              KIKAN_SANDBOX="off-please")
        self.assertEqual(build.rc, 2, build.describe())
        self.assertIn(b"KIKAN_SANDBOX=off-please is not understood", build.stderr,
                      build.describe())
        self.assertNotIn(b"KIKAN_SANDBOX", inst.stderr, inst.describe())
        if not os.path.exists(self.libexec_scand):
            self.assertIn(b"The scan daemon", inst.stderr, inst.describe())

    def test_signatures_dir_seam(self):
        """KIKAN_SIGNATURES_DIR swaps the project's own signatures in the
        build tree only."""
        mine = self.mkdir("my-signatures")
        shutil.copy(os.path.join(project_signatures(), "kikan-test.hdb"), mine)
        (build, _), (inst, _) = self.run_both("signatures", "status", "--json",
                                              KIKAN_SIGNATURES_DIR=mine)

        def project_paths(run):
            doc = json.loads(run.stdout.decode("utf-8"))
            return [s["path"] for s in doc["sources"] if s["origin"] == "Kikan project"]

        self.assertEqual(project_paths(build), [mine], build.describe())
        got = project_paths(inst)
        self.assertNotIn(mine, got, "the installed kikan read KIKAN_SIGNATURES_DIR\n" +
                         inst.describe())
        self.assertEqual(len(got), 1, inst.describe())


# ---------------------------------------------------------------- inventory

SOURCE_DIRS = ("kiosk", "scanner", "ui", "bench")
# The one test tool linked into a daemon (the other tools are the tests').
EXTRA_SOURCES = ("tests/tools/scand-fault-wraps.c",)
READ = re.compile(r"\b(g_getenv|getenv|secure_getenv|g_environ_getenv|kikan_test_seam|"
                  r"KIKAN_KILL_POINT_INIT|pick)\s*\(\s*([^,)]*)")
ENV_API = re.compile(r"\b(g_get_environ|g_listenv|environ)\b")


def c_sources():
    paths = [os.path.join(TOP, p) for p in EXTRA_SOURCES]
    for d in SOURCE_DIRS:
        for root, _, files in os.walk(os.path.join(TOP, d)):
            paths += [os.path.join(root, n) for n in files if n.endswith((".c", ".h"))]
    for p in sorted(paths):
        with open(p, encoding="utf-8") as f:
            yield os.path.relpath(p, TOP), f.read()


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def documented():
    """{name: kind} from the table of docs/deploy.md "The environment"."""
    with open(os.path.join(TOP, "docs", "deploy.md"), encoding="utf-8") as f:
        text = f.read()
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1] in ("deployment", "test seam", "test-only daemon"):
            for name in re.findall(r"`([A-Z_*]+)`", cells[0]):
                out[name] = cells[1]
    return out


def registry():
    with open(os.path.join(TOP, "scanner", "test-seam.c"), encoding="utf-8") as f:
        src = f.read()
    body = re.search(r"kikan_test_seam_names\[\] = \{(.*?)\};", src, re.S).group(1)
    return re.findall(r'"([A-Z_]+)"', body)


class SeamInventory(KikanTestCase):

    def test_every_variable_classified(self):
        docs = documented()
        seams = registry()
        self.assertIn("KIKAN_SCAND", seams)
        self.assertIn("KIKAN_FAKE_NOW", seams)
        self.assertEqual(sorted(n for n, k in docs.items() if k == "test seam"), sorted(seams),
                         "docs/deploy.md's test seams and the registry differ")
        problems = []
        seen = set()
        for path, text in c_sources():
            code = strip_comments(text)
            if ENV_API.search(code) and path != "scanner/test-seam.c":
                problems.append("%s reads the whole environment" % path)
            for fn, arg in READ.findall(code):
                literal = re.fullmatch(r'"([A-Za-z_][A-Za-z0-9_]*)"', arg.strip())
                if fn == "pick" and path != "kiosk/common/paths.c":
                    continue
                if literal is None:
                    # A declaration or definition; the accessor itself; the
                    # kiosk's removal of the registry's names; and the two
                    # helpers whose names are checked where they are given
                    # (pick, kill points).
                    if arg.strip().startswith("const char *") or arg.strip() == "variable":
                        continue
                    if (path, fn) in (("scanner/test-seam.c", "getenv"),
                                      ("kiosk/common/test-seams.c", "g_getenv"),
                                      ("kiosk/common/paths.c", "kikan_test_seam"),
                                      ("kiosk/common/kill-point.c", "kikan_test_seam")):
                        continue
                    problems.append("%s: %s (%s): not a literal name" % (path, fn, arg))
                    continue
                name = literal.group(1)
                seen.add(name)
                if fn in ("kikan_test_seam", "pick", "KIKAN_KILL_POINT_INIT"):
                    if name not in seams:
                        problems.append("%s: %s is read as a seam but is not registered"
                                        % (path, name))
                    continue
                # A plain read: a deployment setting or a test-only daemon's.
                kind = docs.get(name)
                if kind is None:
                    problems.append("%s: %s is read but not in docs/deploy.md" % (path, name))
                elif kind == "test seam" and not (path == "ui/app/kiosk-application.c"
                                                  and name == "KIKAN_SANDBOX"):
                    # (kikan-kiosk looks at KIKAN_SANDBOX only to remove it.)
                    problems.append("%s: the test seam %s is read without kikan_test_seam()"
                                    % (path, name))
                elif kind == "test-only daemon" and not (
                        path.startswith("tests/tools/") or path == "scanner/sandbox-probe.c"):
                    problems.append("%s: %s belongs to a test-only daemon" % (path, name))
        for name, kind in sorted(docs.items()):
            if name.startswith("KIKAN_") and name not in seen:
                problems.append("docs/deploy.md lists %s (%s), which nothing reads"
                                % (name, kind))
        self.assertEqual(problems, [])
