"""The kiosk's strings all go through gettext, and both catalogs are
complete (issue #11 item 7; KR-45: a bilingual UI with the labels of
REQUIREMENTS.md section 4).

These read the sources, so a string added without _() or
translatable="yes", a file missing from po/POTFILES.in, or a Japanese
translation left out fails here rather than on the kiosk's screen."""

import glob
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UI = os.path.join(ROOT, "ui")
PO = os.path.join(ROOT, "po")

# Properties of .ui templates that a person reads or a screen reader says.
SHOWN_PROPERTIES = {
    "label", "title", "subtitle", "description", "tooltip-text", "placeholder-text",
    "text", "heading", "body", "secondary-text", "button-label", "message",
}
# Words that are the same in every language: the language switch names
# each language in itself.
NOT_TRANSLATED = {"日本語", "English", "日本語 (Japanese)"}

# C calls that put their string argument on screen.
C_SETTERS = re.compile(
    r"\b(gtk_label_set_(?:text|label|markup)|gtk_button_set_label|gtk_window_set_title|"
    r"adw_[a-z_]+_set_(?:title|subtitle|description|heading|body|label|button_label)|"
    r"gtk_editable_set_text|gtk_entry_set_placeholder_text|adw_toast_new|"
    r"adw_message_dialog_(?:new|add_response|set_heading|set_body)|"
    r"kikan_kiosk_window_toast|kikan_page_set_title)\s*\(")


def ui_files(ext):
    return sorted(os.path.relpath(p, ROOT)
                  for p in glob.glob(os.path.join(UI, "**", "*" + ext), recursive=True))


def potfiles():
    with open(os.path.join(PO, "POTFILES.in"), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def call_arguments(text, start):
    """The text of the argument list of the call whose '(' is at start-1."""
    depth, i, in_str = 1, start, False
    while i < len(text) and depth > 0:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return text[start:i - 1]


def bare_literals(args):
    """String literals in args that are not inside _( ), N_( ), C_( ) or
    a g_strdup_printf whose format is itself translated."""
    out = []
    # Adjacent literals are one string to C ("a" "b" is "ab").
    args = re.sub(r'(?<!\\)"\s+"', "", args)
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', args):
        before = args[:m.start()].rstrip()
        if re.search(r"\b(?:_|N_|C_|NC_|gettext|g_dgettext)\s*\($", before):
            continue
        if re.search(r'C_\s*\("[^"]*",$', before):
            continue
        if not re.search(r"[A-Za-z]{2}", m.group(1)):
            continue  # "", "%s", "·", a markup-free separator
        out.append(m.group(1))
    return out


class Gettext(unittest.TestCase):

    def test_every_ui_file_is_in_potfiles(self):
        listed = set(potfiles())
        missing = [f for f in ui_files(".c") + ui_files(".ui") if f not in listed]
        self.assertEqual(missing, [], "add these to po/POTFILES.in")
        gone = [f for f in listed if not os.path.exists(os.path.join(ROOT, f))]
        self.assertEqual(gone, [], "po/POTFILES.in names files that do not exist")

    def test_templates_mark_shown_text_translatable(self):
        bad = []
        prop = re.compile(r'<property\s+name="([a-z-]+)"([^>]*)>([^<]*)</property>')
        for f in ui_files(".ui"):
            with open(os.path.join(ROOT, f), encoding="utf-8") as fh:
                text = fh.read()
            for m in prop.finditer(text):
                name, attrs, value = m.group(1), m.group(2), m.group(3).strip()
                if name not in SHOWN_PROPERTIES or not re.search(r"[^\W\d_]", value):
                    continue
                if 'translatable="yes"' in attrs or value in NOT_TRANSLATED:
                    continue
                line = text[:m.start()].count("\n") + 1
                bad.append("%s:%d %s=%r" % (f, line, name, value))
        self.assertEqual(bad, [], "shown text without translatable=\"yes\"")

    def test_c_code_puts_no_bare_string_on_screen(self):
        bad = []
        for f in ui_files(".c"):
            with open(os.path.join(ROOT, f), encoding="utf-8") as fh:
                text = fh.read()
            for m in C_SETTERS.finditer(text):
                for lit in bare_literals(call_arguments(text, m.end())):
                    # A dialog's response ids ("here", "cancel") are
                    # names for the code, never shown.
                    if "add_response" in m.group(1) and re.fullmatch(r"[a-z][a-z0-9_-]*", lit):
                        continue
                    line = text[:m.start()].count("\n") + 1
                    bad.append("%s:%d %s(%r)" % (f, line, m.group(1), lit))
        self.assertEqual(bad, [], "wrap these in _() (or N_() in tables)")

    def test_checker_catches_a_bare_string(self):
        # The checker itself must be able to fail.
        self.assertEqual(bare_literals('self->l, "Insert your stick"'), ["Insert your stick"])
        self.assertEqual(bare_literals('self->l, _("Insert your stick")'), [])
        self.assertEqual(bare_literals('self->l, C_("verdict", "Held")'), [])
        self.assertEqual(bare_literals('w, _("Keep what you answered. "\n   "Nothing is lost.")'), [])
        self.assertEqual(bare_literals('w, "Keep what you answered. "\n   "Nothing is lost."'),
                         ["Keep what you answered. Nothing is lost."])

    def extract(self, tmp):
        pot = os.path.join(tmp, "kikan.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                        "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "-o", pot]
                       + [os.path.join(ROOT, f) for f in potfiles()],
                       check=True, cwd=ROOT)
        return pot

    def test_catalogs_hold_every_string_translated(self):
        with tempfile.TemporaryDirectory() as tmp:
            pot = self.extract(tmp)
            with open(os.path.join(PO, "LINGUAS"), encoding="utf-8") as f:
                langs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
            self.assertEqual(sorted(langs), ["en", "ja"])
            for lang in langs:
                po = os.path.join(PO, lang + ".po")
                # Every string of the sources is in the catalog…
                r = subprocess.run(["msgcmp", "--use-untranslated", po, pot],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0,
                                 "%s.po lacks strings of the sources (run "
                                 "scripts/update-po.sh):\n%s" % (lang, r.stderr[-3000:]))
                # …translated, and none left fuzzy (a guess msgmerge made).
                for flag in ("--untranslated", "--only-fuzzy"):
                    r = subprocess.run(["msgattrib", flag, "--no-obsolete", po],
                                       capture_output=True, text=True, check=True)
                    left = [m for m in re.findall(r'^msgid "(.+)"$', r.stdout, re.M)]
                    self.assertEqual(left, [], "%s.po: %s strings" % (lang, flag))
                r = subprocess.run(["msgfmt", "--check", "-o", os.devnull, po],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
