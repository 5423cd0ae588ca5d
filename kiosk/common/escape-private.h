/* Kikan kiosk: making hostile strings safe to show (STYLE rule 14).
 *
 * File names, archive member names and YARA rule names come from the
 * medium.  They may hold control characters that move the cursor or clear
 * the screen, bytes that are not UTF-8, or bidirectional overrides that
 * make "exe.txt" read as "txt.exe".  Nothing from a medium reaches a
 * terminal, a log line or a JSON document without passing through here.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Returns a printable copy of @raw (@len bytes, or -1 when NUL-terminated):
 * control characters (C0, DEL, C1) and bytes that are not UTF-8 become
 * \xNN; bidirectional controls (U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069), other invisible format characters and line/paragraph
 * separators become \u{XXXX}; a backslash becomes \\ so that the escapes
 * cannot be forged by a name.  Never NULL; free with g_free(). */
char *kikan_escape_for_display (const char *raw, gssize len);

/* TRUE when @raw is valid UTF-8 and holds nothing that
 * kikan_escape_for_display() would turn into an escape (a backslash is
 * clean).  JSON carries "path_hex" for names that are not clean. */
gboolean kikan_escape_is_clean (const char *raw, gssize len);

/* A valid UTF-8 copy of @raw with every invalid byte sequence replaced by
 * U+FFFD, for JSON strings (json-glib then escapes control characters).
 * Free with g_free(). */
char *kikan_escape_for_json (const char *raw, gssize len);

/* Lowercase hex of the raw bytes.  Free with g_free(). */
char *kikan_escape_to_hex (const char *raw, gssize len);

/* Sets member @member of the object being built to @raw made valid UTF-8
 * (kikan_escape_for_json), or to null when @raw is NULL. */
void kikan_json_add_hostile_string (JsonBuilder *b, const char *member, const char *raw);

/* The final pass over a whole JSON document @text (as json-glib wrote it,
 * @len bytes or -1), for every `--json` output: json-glib escapes only C0
 * controls, so here every other character kikan_escape_for_display()
 * would escape — DEL, C1 controls (U+0080–U+009F), bidirectional controls
 * (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), other invisible
 * format characters, line/paragraph separators — and U+FFFD become
 * \uXXXX (surrogate pairs above U+FFFF), and any byte that is not UTF-8
 * becomes \ufffd.  JSON syntax is ASCII, so such characters only occur
 * inside strings, where the escape means the same text: one place covers
 * every string (paths, member names, signature names, labels, link
 * targets, program names…).  Free with g_free(). */
char *kikan_escape_json_text (const char *text, gssize len);
