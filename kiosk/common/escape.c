/* Kikan kiosk: making hostile strings safe to show. */
#include "escape-private.h"

#include <string.h>

/* Code points that change how the text around them is drawn without
 * showing themselves: bidi embeddings, overrides and isolates, marks,
 * zero-width characters, tag characters, and separators that break a line. */
static gboolean
unichar_needs_escape (gunichar c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        return TRUE;
    if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069))
        return TRUE;
    switch (g_unichar_type (c)) {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
        return TRUE;
    default:
        return FALSE;
    }
}

/* Reads the character at @i of @raw (@n bytes) into *@c and returns its
 * length; a byte that is not part of valid UTF-8 (overlong forms and
 * encoded surrogates included) is one unit of length 1 with *@c set to
 * NOT_UTF8.  Every walk over hostile text below goes through here, so all
 * of them agree on what a character is. */
#define NOT_UTF8 ((gunichar) -1)

static gsize
next_char (const char *raw, gsize n, gsize i, gunichar *c)
{
    guchar b = (guchar) raw[i];
    gunichar d;

    *c = b;
    if (b < 0x80)
        return 1;
    d = g_utf8_get_char_validated (raw + i, (gssize) MIN (n - i, 6));
    if (d == (gunichar) -1 || d == (gunichar) -2) {
        *c = NOT_UTF8;
        return 1;
    }
    *c = d;
    return (gsize) (g_utf8_next_char (raw + i) - (raw + i));
}

char *
kikan_escape_for_display (const char *raw, gssize len)
{
    gsize n, i = 0;
    GString *s;

    if (raw == NULL)
        return g_strdup ("(null)");
    n = len < 0 ? strlen (raw) : (gsize) len;
    s = g_string_sized_new (n + 16);
    while (i < n) {
        gunichar c;
        gsize l = next_char (raw, n, i, &c);

        if (c == NOT_UTF8 || c < 0x20 || c == 0x7f)
            g_string_append_printf (s, "\\x%02X", (guchar) raw[i]);
        else if (c == '\\')
            g_string_append (s, "\\\\");
        else if (unichar_needs_escape (c))
            g_string_append_printf (s, "\\u{%04X}", c);
        else
            g_string_append_len (s, raw + i, (gssize) l);
        i += l;
    }
    return g_string_free (s, FALSE);
}

gboolean
kikan_escape_is_clean (const char *raw, gssize len)
{
    gsize n, i = 0;

    if (raw == NULL)
        return FALSE;
    n = len < 0 ? strlen (raw) : (gsize) len;
    while (i < n) {
        gunichar c;

        i += next_char (raw, n, i, &c);
        if (c == NOT_UTF8 || unichar_needs_escape (c))
            return FALSE;
    }
    return TRUE;
}

char *
kikan_escape_for_json (const char *raw, gssize len)
{
    if (raw == NULL)
        return g_strdup ("");
    return g_utf8_make_valid (raw, len);
}

char *
kikan_escape_to_hex (const char *raw, gssize len)
{
    static const char digits[] = "0123456789abcdef";
    gsize n = len < 0 ? strlen (raw) : (gsize) len;
    char *out = g_malloc (2 * n + 1);

    for (gsize i = 0; i < n; i++) {
        out[2 * i] = digits[((guchar) raw[i]) >> 4];
        out[2 * i + 1] = digits[((guchar) raw[i]) & 0xf];
    }
    out[2 * n] = '\0';
    return out;
}

void
kikan_json_add_hostile_string (JsonBuilder *b, const char *member, const char *raw)
{
    g_autofree char *valid = NULL;

    json_builder_set_member_name (b, member);
    if (raw == NULL) {
        json_builder_add_null_value (b);
        return;
    }
    valid = kikan_escape_for_json (raw, -1);
    json_builder_add_string_value (b, valid);
}

/* Appends \uXXXX for @c, as a surrogate pair above the BMP (RFC 8259 7). */
static void
append_json_escape (GString *s, gunichar c)
{
    if (c > 0xffff) {
        c -= 0x10000;
        g_string_append_printf (s, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
    } else {
        g_string_append_printf (s, "\\u%04x", c);
    }
}

char *
kikan_escape_json_text (const char *text, gssize len)
{
    gsize n, i = 0;
    GString *s;

    g_return_val_if_fail (text != NULL, NULL);
    n = len < 0 ? strlen (text) : (gsize) len;
    s = g_string_sized_new (n + 16);
    while (i < n) {
        gunichar c;
        gsize l = next_char (text, n, i, &c);

        /* JSON syntax is ASCII and json-glib escapes C0 controls inside
         * strings, so the C0 bytes here are the document's own layout;
         * anything else that needs escaping is inside a string, where an
         * escape means the same character: a consumer gets the text, a
         * terminal or a log viewer never sees a control or a bidi
         * override. */
        if (c == NOT_UTF8)
            g_string_append (s, "\\ufffd");
        else if ((c >= 0x20 && unichar_needs_escape (c)) || c == 0xfffd)
            append_json_escape (s, c);
        else
            g_string_append_len (s, text + i, (gssize) l);
        i += l;
    }
    return g_string_free (s, FALSE);
}
