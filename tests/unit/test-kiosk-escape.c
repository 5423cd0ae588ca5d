/* kiosk/common/escape.c: hostile names never reach a terminal or JSON raw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "escape-private.h"

/* Nothing in @s may move the cursor, ring, switch direction or be invalid. */
static void
assert_displayable (const char *s)
{
    const char *p;

    assert_true (g_utf8_validate (s, -1, NULL));
    for (p = s; *p != '\0'; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);

        assert_false (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f));
        assert_false (c == 0x061c || c == 0x200e || c == 0x200f);
        assert_false (c >= 0x202a && c <= 0x202e);
        assert_false (c >= 0x2066 && c <= 0x2069);
    }
}

static void
check (const char *raw, gssize len, const char *want, gboolean clean)
{
    g_autofree char *got = kikan_escape_for_display (raw, len);

    assert_string_equal (got, want);
    assert_displayable (got);
    assert_int_equal (kikan_escape_is_clean (raw, len), clean);
}

static void
test_plain_names_unchanged (void **state)
{
    check ("report.pdf", -1, "report.pdf", TRUE);
    check ("Projects/2024/plan v2.docx", -1, "Projects/2024/plan v2.docx", TRUE);
    check ("日本語のファイル.txt", -1, "日本語のファイル.txt", TRUE);
    check ("café – ü", -1, "café – ü", TRUE);
    check ("", -1, "", TRUE);
}

static void
test_control_characters (void **state)
{
    check ("new\nline.txt", -1, "new\\x0Aline.txt", FALSE);
    check ("tab\there", -1, "tab\\x09here", FALSE);
    check ("esc\x1b[31mred\x1b[0m", -1, "esc\\x1B[31mred\\x1B[0m", FALSE);
    check ("bell\x07", -1, "bell\\x07", FALSE);
    check ("del\x7f", -1, "del\\x7F", FALSE);
    check ("cr\rover", -1, "cr\\x0Dover", FALSE);
    /* An explicit length reaches past an embedded NUL. */
    check ("a\0b", 3, "a\\x00b", FALSE);
    /* C1 controls, valid UTF-8 but terminal commands all the same. */
    check ("c1\xc2\x85x\xc2\x9b", -1, "c1\\u{0085}x\\u{009B}", FALSE);
}

static void
test_backslash_cannot_forge_an_escape (void **state)
{
    /* A name that spells an escape must not look like an escaped name. */
    check ("\\x1B", -1, "\\\\x1B", TRUE);
    check ("a\\b", -1, "a\\\\b", TRUE);
}

static void
test_invalid_utf8 (void **state)
{
    check ("bad-\xff\xfe-utf8.txt", -1, "bad-\\xFF\\xFE-utf8.txt", FALSE);
    /* Truncated sequence at the end. */
    check ("cut\xe2\x80", -1, "cut\\xE2\\x80", FALSE);
    /* Overlong encoding of '/'. */
    check ("over\xc0\xaflong", -1, "over\\xC0\\xAFlong", FALSE);
    /* An encoded UTF-16 surrogate is not UTF-8. */
    check ("sur\xed\xa0\x80", -1, "sur\\xED\\xA0\\x80", FALSE);
    /* A lone continuation byte followed by valid text. */
    check ("\x80日", -1, "\\x80日", FALSE);
    /* Beyond U+10FFFF. */
    check ("\xf4\x90\x80\x80", -1, "\\xF4\\x90\\x80\\x80", FALSE);
}

static void
test_bidi_overrides (void **state)
{
    /* "rtl-<RLO>txt.exe" displays as "rtl-exe.txt" if the RLO is let through. */
    check ("rtl-\u202etxt.exe", -1, "rtl-\\u{202E}txt.exe", FALSE);
    check ("\u202a\u202b\u202c\u202d", -1, "\\u{202A}\\u{202B}\\u{202C}\\u{202D}", FALSE);
    check ("\u2066a\u2067b\u2068c\u2069", -1, "\\u{2066}a\\u{2067}b\\u{2068}c\\u{2069}", FALSE);
    check ("mark\u200e\u200f\u061c", -1, "mark\\u{200E}\\u{200F}\\u{061C}", FALSE);
    /* Invisible characters that hide or split words. */
    check ("zero\u200bwidth", -1, "zero\\u{200B}width", FALSE);
    check ("line\u2028sep", -1, "line\\u{2028}sep", FALSE);
    check ("\ufeffbom", -1, "\\u{FEFF}bom", FALSE);
}

static void
test_64k_names (void **state)
{
    const gsize n = 64 * 1024;
    g_autofree char *plain = g_malloc (n + 1);
    g_autofree char *ctl = g_malloc (n + 1);
    g_autofree char *mixed = g_malloc (n + 1);
    g_autofree char *got = NULL;

    memset (plain, 'a', n);
    plain[n] = '\0';
    got = kikan_escape_for_display (plain, -1);
    assert_int_equal (strlen (got), n);
    assert_string_equal (got, plain);
    assert_true (kikan_escape_is_clean (plain, -1));
    g_clear_pointer (&got, g_free);

    /* Every byte an escape: the output is four times longer, and whole. */
    memset (ctl, '\x1b', n);
    ctl[n] = '\0';
    got = kikan_escape_for_display (ctl, -1);
    assert_int_equal (strlen (got), 4 * n);
    assert_displayable (got);
    assert_false (kikan_escape_is_clean (ctl, -1));
    g_clear_pointer (&got, g_free);

    /* Valid text with one bad byte at the very end, and an RLO in the
     * middle of a multi-byte run. */
    for (gsize i = 0; i + 3 <= n; i += 3)
        memcpy (mixed + i, "\xe6\x97\xa5", 3);   /* 日 */
    memcpy (mixed + (n / 6) * 3, "\xe2\x80\xae", 3);
    mixed[n - 1] = '\xff';
    mixed[n] = '\0';
    got = kikan_escape_for_display (mixed, -1);
    assert_displayable (got);
    assert_true (g_str_has_suffix (got, "\\xFF"));
    assert_non_null (strstr (got, "\\u{202E}"));
    assert_false (kikan_escape_is_clean (mixed, -1));
}

static void
test_random_bytes_always_displayable (void **state)
{
    g_autoptr (GRand) rand = g_rand_new_with_seed (0x4b696b61);

    for (int round = 0; round < 20000; round++) {
        guchar buf[32];
        gsize len = (gsize) g_rand_int_range (rand, 1, sizeof buf);
        g_autofree char *got = NULL;
        g_autofree char *json = NULL;

        for (gsize i = 0; i < len; i++)
            buf[i] = (guchar) g_rand_int_range (rand, 0, 256);
        got = kikan_escape_for_display ((const char *) buf, (gssize) len);
        assert_displayable (got);
        json = kikan_escape_for_json ((const char *) buf, (gssize) len);
        assert_true (g_utf8_validate (json, -1, NULL));
    }
}

static void
test_json_and_hex (void **state)
{
    g_autofree char *json = kikan_escape_for_json ("bad-\xff-name", -1);
    g_autofree char *valid = kikan_escape_for_json ("日本 ok", -1);
    g_autofree char *hex = kikan_escape_to_hex ("ab\xff\x1b", -1);
    g_autofree char *empty = kikan_escape_to_hex ("", -1);

    assert_string_equal (json, "bad-\xef\xbf\xbd-name");  /* U+FFFD */
    assert_string_equal (valid, "日本 ok");
    assert_string_equal (hex, "6162ff1b");
    assert_string_equal (empty, "");
}

/* The final pass over a JSON document (issue #8): json-glib writes C1
 * controls, bidi controls and invisible format characters raw; after the
 * pass the document is ASCII-clean where it matters, parses, and gives
 * back exactly the original (valid) text. */
static void
test_json_text_escapes_hostile_characters (void **state)
{
    /* U+009B (CSI), U+202E (RLO), U+2066 (LRI), U+200F (RLM), U+061C,
     * U+2028, U+E0041 (a tag character, format, outside the BMP), DEL, and
     * one byte that is not UTF-8. */
    static const char name[] = "a\xc2\x9b" "b\xe2\x80\xae" "c\xe2\x81\xa6" "d\xe2\x80\x8f"
                               "e\xd8\x9c" "f\xe2\x80\xa8" "g\xf3\xa0\x81\x81" "h\x7f" "i\xff"
                               "j日本";
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autofree char *raw = NULL;
    g_autofree char *safe = NULL;
    g_autofree char *valid = kikan_escape_for_json (name, -1);
    const char *back;

    json_builder_begin_object (b);
    kikan_json_add_hostile_string (b, "path", name);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    raw = json_generator_to_data (gen, NULL);
    /* What json-glib alone writes: the raw override is there. */
    assert_non_null (strstr (raw, "\xe2\x80\xae"));

    safe = kikan_escape_json_text (raw, -1);
    assert_string_equal (safe, "{\"path\":\"a\\u009bb\\u202ec\\u2066d\\u200fe\\u061cf\\u2028"
                               "g\\udb40\\udc41h\\u007fi\\ufffdj日本\"}");
    for (const char *p = safe; *p != '\0'; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);

        assert_false (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f));
        assert_false (c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028);
        assert_false ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069));
    }
    assert_true (json_parser_load_from_data (parser, safe, -1, NULL));
    back = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                          "path");
    assert_string_equal (back, valid);

    /* Random bytes inside a string: always valid UTF-8 and parseable. */
    {
        g_autoptr (GRand) rand = g_rand_new_with_seed (0x0008);

        for (int round = 0; round < 2000; round++) {
            guchar buf[24];
            gsize len = (gsize) g_rand_int_range (rand, 1, sizeof buf);
            g_autoptr (JsonBuilder) rb = json_builder_new ();
            g_autoptr (JsonNode) rroot = NULL;
            g_autoptr (JsonGenerator) rgen = json_generator_new ();
            g_autoptr (JsonParser) rparser = json_parser_new ();
            g_autofree char *rtext = NULL;
            g_autofree char *rsafe = NULL;
            g_autofree char *str = NULL;

            for (gsize i = 0; i < len; i++)
                buf[i] = (guchar) g_rand_int_range (rand, 1, 256);
            str = g_strndup ((const char *) buf, len);
            json_builder_begin_object (rb);
            kikan_json_add_hostile_string (rb, "p", str);
            json_builder_end_object (rb);
            rroot = json_builder_get_root (rb);
            json_generator_set_root (rgen, rroot);
            rtext = json_generator_to_data (rgen, NULL);
            rsafe = kikan_escape_json_text (rtext, -1);
            assert_true (g_utf8_validate (rsafe, -1, NULL));
            assert_true (json_parser_load_from_data (rparser, rsafe, -1, NULL));
        }
    }
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_plain_names_unchanged),
        cmocka_unit_test (test_control_characters),
        cmocka_unit_test (test_backslash_cannot_forge_an_escape),
        cmocka_unit_test (test_invalid_utf8),
        cmocka_unit_test (test_bidi_overrides),
        cmocka_unit_test (test_64k_names),
        cmocka_unit_test (test_random_bytes_always_displayable),
        cmocka_unit_test (test_json_and_hex),
        cmocka_unit_test (test_json_text_escapes_hostile_characters),
    };

    return cmocka_run_group_tests_name ("kiosk-escape", tests, NULL, NULL);
}
