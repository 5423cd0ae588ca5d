/* Kikan kiosk: how times and ages are written for people and for JSON. */
#pragma once

#include <glib.h>

/* "2021-06-23T01:31:42Z"; free it.  NULL for @t <= 0. */
char *kikan_format_time_iso (gint64 t);
/* "2021-06-23 01:31 UTC"; free it.  "unknown" for @t <= 0. */
char *kikan_format_time_human (gint64 t);
/* "3 hours", "2.5 days", "1612 days"; free it. */
char *kikan_format_age_days (double days);

/* A spreadsheet runs a cell that starts with = + - @ as a formula (CSV
 * injection, OWASP): TRUE when @v, past any leading apostrophes, starts
 * with one of those.  Writers put one apostrophe before such a value;
 * the ledger import takes exactly one away again. */
gboolean kikan_csv_formula_guarded (const char *v);
/* Appends one RFC 4180 field to @out (a comma first unless @first):
 * formula-guarded, and quoted when it holds a comma, a quote, a line
 * break, or space at either end.  NULL and "" write an empty field. */
void kikan_csv_append_field (GString *out, const char *v, gboolean first);

/* TRUE when @id is 1 to 64 ASCII letters, digits, '.', '_' or '-': the
 * shape of the names Kikan prints and records as they are (kiosk IDs, IT
 * account names), so that none needs escaping. */
gboolean kikan_id_is_plain (const char *id);
