/* Kikan kiosk: the slip as a PDF (issue #10 item 4; KR-12, KR-27, KR-28,
 * JNSA-2.6; REQUIREMENTS.md 5.5; docs/slip.md "What the slip says").
 *
 * cairo-pdf + pangocairo with Noto Sans CJK JP (subset-embedded, so
 * pdftotext reads the Japanese back), the QR from libqrencode drawn as
 * filled rectangles.  Two layouts: an 80 mm receipt as long as its content
 * (measured in a first pass on a recording surface) and A4 pages.
 *
 * The reader is an employee who is not technical: the verdict comes first
 * and big, then what to do next in plain words, then the evidence.  Every
 * string from the store goes through kikan_escape_for_display() (control
 * and bidirectional characters made visible) and g_markup_escape_text()
 * before pango sees it. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "error-private.h"
#include "escape-private.h"
#include "slip-private.h"

#define MM (72.0 / 25.4)
#define DOT_MM (25.4 / 203.0) /* one dot of a 203 dpi thermal printer */
#define FONT "Noto Sans CJK JP"

/* ---- the words, one table per language ---- */

typedef struct {
    const char *title, *copy_banner, *number, *kiosk, *issued, *clock_ok, *clock_unverified,
        *employee, *telework, *telework_unknown, *policy, *policy_unknown, *signatures,
        *signatures_unknown, *overall, *items, *serial, *checked, *not_inspected_medium,
        *files_bytes, *encryption, *result_clean, *result_infected, *result_partial,
        *software_findings, *no_medium, *conditions, *no_conditions, *until, *overrides,
        *override_mark, *it_verifier, *valid_until, *not_valid, *next_heading, *contacts,
        *phone, *mail, *reminder, *logged, *qr_caption, *provenance_legend, *incident,
        *undecided, *presence_missing;
    const char *heading[KIKAN_SLIP_N_VERDICTS];
    const char *word[KIKAN_SLIP_N_VERDICTS];
    const char *next[KIKAN_SLIP_N_VERDICTS];
} Words;

static const Words ja = {
    .title = "帰還チェック 結果票（Kikan クリアランス票）",
    .copy_banner = "控え（再発行） / COPY",
    .number = "票番号",
    .kiosk = "キオスク",
    .issued = "発行日時",
    .clock_ok = "時刻はIT部門が確認済み",
    .clock_unverified = "キオスクの時計による（IT部門の時刻確認なし）",
    .employee = "社員",
    .telework = "テレワーク期間",
    .telework_unknown = "記録なし",
    .policy = "確認したポリシーの版",
    .policy_unknown = "記録なし",
    .signatures = "ウイルス定義の版と日付",
    .signatures_unknown = "記録なし（定義の鮮度を確認できていません）",
    .overall = "総合判定",
    .items = "機器ごとの結果",
    .serial = "製造番号",
    .checked = "検査した内容",
    .not_inspected_medium = "媒体は検査していません",
    .files_bytes = "%s 個のファイル、%s",
    .encryption = "暗号化",
    .result_clean = "マルウェアは見つかりませんでした",
    .result_infected = "マルウェアが見つかりました",
    .result_partial = "一部を検査できませんでした（%s 件）：安全とは判定していません",
    .software_findings = "ソフトウェアの指摘 %s 件",
    .no_medium = "媒体の読み取りなし",
    .conditions = "条件と期限",
    .no_conditions = "条件はありません。",
    .until = "期限",
    .overrides = "IT部門による判定の変更",
    .override_mark = "IT変更",
    .it_verifier = "確認したIT担当者",
    .valid_until = "社内ネットワークへの再接続に有効な期限：%s",
    .not_valid = "この票では社内ネットワークに再接続できません。",
    .next_heading = "次にすること",
    .contacts = "セキュリティ窓口",
    .phone = "電話",
    .mail = "メール",
    .reminder = "正直に報告したことで不利益を受けることはありません。後から気づいたこと"
                "（紛失、不審なメッセージ、操作の誤りなど）があれば、すぐにセキュリティ窓口へ"
                "連絡してください。早い報告があなたと会社を守ります。",
    .logged = "このチェックインはキオスクの監査ログに記録されています。",
    .qr_caption = "ネットワーク担当者用：このQRコードを `kikan slip verify` で確認できます。",
    .provenance_legend = "根拠の記号：M キオスクが測定　R 端末の報告　D 本人の申告　V IT部門が確認",
    .incident = "インシデント番号",
    .undecided = "未判定",
    .presence_missing = "返却されていません（%s）",
    .heading = { "合格 – 再接続できます", "条件付き合格", "保留 – IT部門の確認が必要です",
                 "未返却", "隔離 – 接続しないでください" },
    .word = { "合格", "条件付き", "保留", "未返却", "隔離" },
    .next = {
        "下記の期限まで、返却した機器を社内ネットワークに接続できます。それまでこの票を保管してください。",
        "下記の条件を守る場合に限り再接続できます。それぞれの条件を期限までに実行し、この票を保管してください。",
        "まだどの機器も社内ネットワークに接続しないでください。「保留」の機器はIT部門が確認します。"
        "翌営業日までに連絡がなければ、下記の窓口へ連絡してください。",
        "返却されていない機器があります。「未返却」の機器は約束した日までに返却してください。"
        "紛失・盗難の場合はIT部門から連絡します。",
        "接続しないでください。「隔離」の機器はIT部門が預かります。これはあなたを責めるものではありません。"
        "今後の手順はIT部門から連絡します。",
    },
};

static const Words en = {
    .title = "Return check – clearance slip (Kikan)",
    .copy_banner = "COPY (reprint) / 控え",
    .number = "Slip number",
    .kiosk = "Kiosk",
    .issued = "Issued",
    .clock_ok = "clock confirmed by IT",
    .clock_unverified = "kiosk clock, not confirmed by IT",
    .employee = "Employee",
    .telework = "Telework period",
    .telework_unknown = "not recorded",
    .policy = "Policy version acknowledged",
    .policy_unknown = "not recorded",
    .signatures = "Virus definitions",
    .signatures_unknown = "not recorded (their age was not confirmed)",
    .overall = "Overall verdict",
    .items = "Item by item",
    .serial = "serial",
    .checked = "Checked",
    .not_inspected_medium = "medium not inspected",
    .files_bytes = "%s files, %s",
    .encryption = "encryption",
    .result_clean = "no malware found",
    .result_infected = "MALWARE FOUND",
    .result_partial = "%s parts could NOT be inspected: not judged clean",
    .software_findings = "%s software findings",
    .no_medium = "no medium read",
    .conditions = "Conditions and deadlines",
    .no_conditions = "No conditions.",
    .until = "until",
    .overrides = "Decisions changed by IT staff",
    .override_mark = "IT OVERRIDE",
    .it_verifier = "IT staff who verified",
    .valid_until = "Valid for reconnection until %s",
    .not_valid = "This slip does NOT allow reconnection to the office network.",
    .next_heading = "What to do next",
    .contacts = "Security contacts",
    .phone = "Phone",
    .mail = "Mail",
    .reminder = "Nobody is punished for reporting honestly. If you remember anything later (a "
                "lost item, an odd message, a mistake), tell the security contact at once: an "
                "early report protects you and everyone.",
    .logged = "This check-in is recorded in the kiosk's audit log.",
    .qr_caption = "Network team: check this QR code with `kikan slip verify`.",
    .provenance_legend = "Evidence marks: M measured by the kiosk, R device report, D your "
                         "declaration, V verified by IT",
    .incident = "Incident",
    .undecided = "not decided",
    .presence_missing = "not returned (%s)",
    .heading = { "CLEARED – may reconnect", "CLEARED WITH CONDITIONS",
                 "ON HOLD – IT review required", "NOT RETURNED", "QUARANTINED – do not connect" },
    .word = { "CLEARED", "CONDITIONAL", "HOLD", "NOT RETURNED", "QUARANTINE" },
    .next = {
        "You may connect the returned items to the office network until the date below. Keep "
        "this slip until then.",
        "You may reconnect only as the conditions below say. Do each one by its date and keep "
        "this slip.",
        "Do not connect any item to the office network yet. IT staff will review the items ON "
        "HOLD; if nobody has called you by the next working day, call the contact below.",
        "Some items were not returned. Bring back each item marked NOT RETURNED by the date you "
        "gave; if one was lost or stolen, IT will contact you about it.",
        "Do not connect. The QUARANTINED item stays with IT. This is not a judgement of you: IT "
        "will contact you about what happens next.",
    },
};

/* Japanese for the reason codes of 5.4 (the English comes from the store,
 * with its details filled in, and is printed below in small type). */
static const struct {
    const char *code, *ja;
} ja_reasons[] = {
    { "INV-01", "貸与品はすべて返却され、台帳と一致しました" },
    { "INV-02", "未提示：自宅にあると申告（返却期限あり）" },
    { "INV-03", "紛失・盗難の申告：インシデントを登録しました" },
    { "INV-04", "破損：修理または消去のためIT部門へ" },
    { "INV-05", "製造番号または資産番号が台帳と一致しません" },
    { "INV-06", "登録されていない媒体・機器：承認まで社内LANで使えません" },
    { "INV-07", "登録された借用者以外が保管していました" },
    { "INV-08", "認証トークンまたはICカードが未返却です" },
    { "MAL-01", "マルウェアは見つかりませんでした" },
    { "MAL-02", "マルウェアを検出しました" },
    { "MAL-03", "不審な内容（マクロ等）：IT部門が確認します" },
    { "MAL-04", "一部の内容を検査できませんでした" },
    { "MAL-05", "キオスクのウイルス定義が古く、検査はクリアランスに使えません" },
    { "MAL-06", "端末のウイルス対策が無効または古い状態です" },
    { "MAL-07", "EDRがない、またはテレワーク中に警告がありました" },
    { "ENC-01", "媒体は暗号化されています" },
    { "ENC-02", "業務データを含む媒体が暗号化されていません" },
    { "ENC-03", "暗号化の状態を判定できませんでした" },
    { "ENC-04", "端末のディスク暗号化が無効または停止中です" },
    { "ENC-05", "暗号化が集中管理で強制されていません" },
    { "ENC-06", "申告と検出した暗号化の状態が異なります" },
    { "UPD-01", "更新が基準より古い：是正用セグメントで更新し、再検査してください" },
    { "UPD-02", "サポート終了のOS・ソフトウェアがあります" },
    { "UPD-03", "自動更新が無効です" },
    { "UPD-04", "有効な端末報告がありません：IT部門が点検します" },
    { "SW-01", "承認されていないソフトウェアがあります" },
    { "SW-02", "承認されていない入手元のソフトウェアがあります" },
    { "SW-03", "禁止されている種類のソフトウェアがあります" },
    { "SW-04", "申告と検出したソフトウェアが異なります" },
    { "SW-05", "例外承認の範囲で許可されたソフトウェア" },
    { "CFG-01", "端末のファイアウォールが無効です" },
    { "CFG-02", "利用者にローカル管理者権限があります" },
    { "CFG-03", "自動画面ロックが設定されていません" },
    { "CFG-04", "不要な無線機能が有効です" },
    { "CFG-05", "脱獄・root化された端末です" },
    { "CFG-06", "MDM未登録：遠隔消去ができません" },
    { "CFG-07", "接続・セキュリティ設定が標準から変更されています" },
    { "DEC-01", "端末の異常な動作の申告：IT部門が確認します" },
    { "DEC-02", "私物端末を業務に使用：業務データの削除を確認してください" },
    { "DEC-03", "私物と会社の機器の間でデータを移動：関係する媒体を検査します" },
    { "DEC-04", "不審なメール・リンクを開いた：インシデントとして報告済み" },
    { "DEC-05", "認証情報の漏えいの可能性：再接続前にパスワード再設定を" },
    { "DEC-06", "承認されていないクラウドサービスを使用しました" },
    { "DEC-07", "VPNなしで公衆Wi-Fiを使用しました" },
    { "DEC-08", "持ち出した機密書類がすべて返却・廃棄されていません" },
    { "DEC-09", "ルールへの意見を記録しました。ありがとうございます" },
    { "DEC-10", "一時的に紛失し後で見つかった：IT部門が影響を評価します" },
    { "DEC-11", "申告が完了していない、または確認されていません" },
    { "PROC-01", "IT部門が確認しました" },
    { "PROC-02", "IT部門が判定を変更しました" },
    { "PROC-03", "ネットワーク監視を強化します（期限まで）" },
    { "PROC-04", "是正後にキオスクで再検査が必要です" },
    { "PROC-05", "ログ点検のサンプルに選ばれました" },
    { "PROC-06", "役割・在籍状況の変更：アカウントを見直します" },
    { "PROC-07", "個人データを含む機器：紛失時は通知義務があります" },
    { "PROC-08", "IT部門の手続き" },
    { "USB-01", "USB機器の識別情報が登録と一致しません" },
    { "USB-02", "USB機器がキーボード等として振る舞う可能性があります" },
};

/* Japanese for the default conditions (KR-28); IT's own wording stays. */
static const struct {
    const char *code, *ja;
} ja_conditions[] = {
    { "MAL-06", "是正用セグメントでウイルス対策を更新・有効化し、キオスクで再検査" },
    { "UPD-01", "是正用セグメントで更新をインストールし、キオスクで再検査" },
    { "DEC-02", "IT部門が私物端末の利用を確認します。業務データは削除したままにしてください" },
    { "DEC-05", "再接続の前にパスワードを再設定するか、トークンを再発行してもらってください" },
    { "PROC-03", "ネットワーク監視の強化" },
    { "PROC-04", "是正後にキオスクで再検査" },
};

static char *esc (const char *raw);

/* The store's words for presence, item type and encryption, said plainly
 * (anything else is shown as stored, escaped). */
static const struct {
    const char *word, *ja, *en;
} plain_words[] = {
    { "at_home", "自宅にあると申告", "declared at home" },
    { "lost", "紛失", "lost" },
    { "stolen", "盗難", "stolen" },
    { "damaged", "破損", "damaged" },
    { "transferred", "他の人に渡した", "handed to someone else" },
    { "undeclared", "提示も申告もなし", "neither presented nor declared" },
    { "laptop", "ノートPC", "laptop" },
    { "usb", "USBメモリ", "USB stick" },
    { "phone", "スマートフォン", "phone" },
    { "token", "認証トークン", "token" },
    { "other", "その他", "other" },
    { "medium", "媒体", "medium" },
    { "none", "なし（暗号化されていない）", "none (not encrypted)" },
    { "unknown", "不明", "unknown" },
};

/* @word said plainly, markup-escaped; free it. */
static char *
say (const char *word, gboolean japanese)
{
    for (gsize i = 0; word != NULL && i < G_N_ELEMENTS (plain_words); i++)
        if (strcmp (plain_words[i].word, word) == 0)
            return g_markup_escape_text (japanese ? plain_words[i].ja : plain_words[i].en, -1);
    return esc (word);
}

/* @tmpl with its first "%s" replaced by @a and the second by @b (the
 * tables' templates are not printf formats the compiler can check). */
static char *
fill (const char *tmpl, const char *a, const char *b)
{
    GString *out = g_string_new (NULL);
    const char *args[2] = { a, b };
    guint k = 0;

    for (const char *c = tmpl; *c != '\0'; c++) {
        if (c[0] == '%' && c[1] == 's' && k < 2) {
            g_string_append (out, args[k++] ? args[k - 1] : "");
            c++;
        } else
            g_string_append_c (out, *c);
    }
    return g_string_free (out, FALSE);
}

static const char *
lookup (const void *table, gsize n, gsize stride, const char *code)
{
    for (gsize i = 0; code != NULL && i < n; i++) {
        const char *const *row = (const char *const *)((const char *)table + i * stride);

        if (strcmp (row[0], code) == 0)
            return row[1];
    }
    return NULL;
}

/* ---- drawing ---- */

typedef struct {
    cairo_t *cr;
    double x, y, width;      /* points */
    double page_h, bottom;   /* A4: break pages; receipt: page_h 0 */
    double top;
    double body, small, big; /* font sizes in points */
} Pen;

/* Escaped for a pango markup string: control and bidi characters visible,
 * markup characters quoted. */
static char *
esc (const char *raw)
{
    /* Declared above the word tables, which use it. */
    g_autofree char *shown = kikan_escape_for_display (raw != NULL ? raw : "", -1);

    return g_markup_escape_text (shown, -1);
}

static PangoLayout *
make_layout (Pen *pen, const char *markup, double size, gboolean bold, double indent)
{
    PangoLayout *l = pango_cairo_create_layout (pen->cr);
    PangoFontDescription *fd = pango_font_description_from_string (FONT);

    pango_font_description_set_absolute_size (fd, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight (fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description (l, fd);
    pango_font_description_free (fd);
    pango_layout_set_width (l, (int)((pen->width - indent) * PANGO_SCALE));
    pango_layout_set_wrap (l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_markup (l, markup, -1);
    return l;
}

static void
need (Pen *pen, double h)
{
    if (pen->page_h > 0 && pen->y + h > pen->bottom && pen->y > pen->top) {
        cairo_show_page (pen->cr);
        pen->y = pen->top;
    }
}

/* Draws @markup (already escaped) and moves down. */
static void
text (Pen *pen, const char *markup, double size, gboolean bold, double indent)
{
    PangoLayout *l = make_layout (pen, markup, size, bold, indent);
    int w, h;

    pango_layout_get_pixel_size (l, &w, &h);
    need (pen, h);
    cairo_move_to (pen->cr, pen->x + indent, pen->y);
    pango_cairo_show_layout (pen->cr, l);
    pen->y += h + size * 0.15;
    g_object_unref (l);
}

/* White text on a black band: the verdict, COPY, an override. */
static void
band (Pen *pen, const char *markup, double size)
{
    PangoLayout *l = make_layout (pen, markup, size, TRUE, 2 * MM);
    int w, h;
    double pad = 1.2 * MM;

    pango_layout_set_alignment (l, PANGO_ALIGN_CENTER);
    pango_layout_get_pixel_size (l, &w, &h);
    need (pen, h + 2 * pad);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    cairo_rectangle (pen->cr, pen->x, pen->y, pen->width, h + 2 * pad);
    cairo_fill (pen->cr);
    cairo_set_source_rgb (pen->cr, 1, 1, 1);
    cairo_move_to (pen->cr, pen->x + 1 * MM, pen->y + pad);
    pango_cairo_show_layout (pen->cr, l);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    pen->y += h + 2 * pad + 1.5 * MM;
    g_object_unref (l);
}

/* The same for text of this file (not markup): escaped here. */
static void
text_plain (Pen *pen, const char *plain, double size, gboolean bold, double indent)
{
    g_autofree char *m = g_markup_escape_text (plain, -1);

    text (pen, m, size, bold, indent);
}

static void
heading (Pen *pen, const char *plain, double size)
{
    g_autofree char *m = g_markup_printf_escaped ("<b>%s</b>", plain);

    text (pen, m, size, FALSE, 0);
}

static void
rule (Pen *pen)
{
    need (pen, 2 * MM);
    pen->y += 0.8 * MM;
    cairo_set_line_width (pen->cr, 0.5);
    cairo_move_to (pen->cr, pen->x, pen->y);
    cairo_line_to (pen->cr, pen->x + pen->width, pen->y);
    cairo_stroke (pen->cr);
    pen->y += 1.2 * MM;
}

/* "label: value" with the label bold; @value already escaped. */
static void
field (Pen *pen, const char *label, const char *value_markup)
{
    g_autofree char *m = g_strdup_printf ("<b>%s</b>  %s", label, value_markup);

    text (pen, m, pen->body, FALSE, 0);
}

/* The QR code, modules snapped to whole printer dots (DESIGN.md: 40–50 mm
 * at 203 dpi decodes reliably), centred. */
static gboolean
qr (Pen *pen, const char *payload, gboolean top_right, double *size_out, GError **error)
{
    QRcode *q = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    double dots_per_module, module, size, x0, y0;

    if (q == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The slip's QR code could not be made (%s).", g_strerror (errno));
        return FALSE;
    }
    dots_per_module = floor ((46.0 / DOT_MM) / q->width);
    if (dots_per_module < 1)
        dots_per_module = 1;
    module = dots_per_module * DOT_MM * MM;
    size = module * q->width;
    if (size_out != NULL)
        *size_out = size;
    if (!top_right) {
        need (pen, size + 8 * MM);
        pen->y += 4 * MM; /* the quiet zone (four modules and more) */
    }
    /* A4: beside the header, in the page margin's quiet zone. */
    x0 = top_right ? pen->x + pen->width - size : pen->x + (pen->width - size) / 2;
    x0 = round (x0 / (DOT_MM * MM)) * (DOT_MM * MM);
    y0 = round (pen->y / (DOT_MM * MM)) * (DOT_MM * MM);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1)
                cairo_rectangle (pen->cr, x0 + c * module, y0 + r * module, module, module);
    cairo_fill (pen->cr);
    if (!top_right)
        pen->y = y0 + size + 4 * MM;
    QRcode_free (q);
    return TRUE;
}

static char *
format_time (gint64 t, gboolean with_zone)
{
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
    g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

    if (local == NULL)
        return g_strdup ("?");
    return g_date_time_format (local, with_zone ? "%Y-%m-%d %H:%M %Z" : "%Y-%m-%d");
}

static guint
verdict_index (const char *v)
{
    guint i = KIKAN_SLIP_HOLD;

    /* Not decided is never shown as cleared (fail closed). */
    if (!kikan_slip_verdict_from_string (v, &i))
        i = KIKAN_SLIP_HOLD;
    return i;
}

static char *
reason_line (const Words *w, gboolean japanese, const KikanSlipReason *r)
{
    g_autofree char *code = esc (r->code);
    g_autofree char *prov = esc (r->provenance);
    g_autofree char *stored = esc (r->text);
    const char *ja_text = japanese ? lookup (ja_reasons, G_N_ELEMENTS (ja_reasons),
                                             sizeof ja_reasons[0], r->code)
                                   : NULL;

    if (ja_text != NULL)
        return g_strdup_printf ("<b>%s</b> (%s) %s\n<span size=\"smaller\" "
                                "foreground=\"#444444\">%s</span>",
                                code, prov, ja_text, stored);
    return g_strdup_printf ("<b>%s</b> (%s) %s", code, prov, stored);
}

static gboolean
is_override (const KikanSlipReason *r)
{
    return g_strcmp0 (r->code, "PROC-02") == 0;
}

static void
draw_reasons (Pen *pen, const Words *w, gboolean japanese, GPtrArray *reasons, double indent)
{
    for (guint i = 0; reasons != NULL && i < reasons->len; i++) {
        const KikanSlipReason *r = reasons->pdata[i];
        g_autofree char *line = reason_line (w, japanese, r);

        if (is_override (r)) {
            /* KR-30: an override is highlighted wherever it appears. */
            g_autofree char *m = g_strdup_printf ("%s — %s", w->override_mark, line);

            band (pen, m, pen->body);
        } else
            text (pen, line, pen->body, FALSE, indent);
    }
}

static void
draw_item (Pen *pen, const Words *w, gboolean japanese, const KikanSlipItem *it)
{
    g_autofree char *asset = esc (it->asset);
    g_autofree char *type = say (it->type, japanese);
    g_autofree char *serial = esc (it->serial);
    guint v = verdict_index (it->verdict);
    const char *word = it->verdict != NULL ? w->word[v] : w->undecided;
    g_autoptr (GString) checked = g_string_new (NULL);
    g_autofree char *head = it->serial != NULL
                                ? g_strdup_printf ("<b>%s</b>  %s  %s %s  <b>【%s】</b>", asset,
                                                   type, w->serial, serial, word)
                                : g_strdup_printf ("<b>%s</b>  %s  <b>【%s】</b>", asset, type,
                                                   word);

    text (pen, head, pen->body * 1.1, FALSE, 0);
    if (g_strcmp0 (it->presence, "present") != 0 && it->presence != NULL) {
        g_autofree char *p = say (it->presence, japanese);
        g_autofree char *m = fill (w->presence_missing, p, NULL);

        text (pen, m, pen->body, FALSE, 3 * MM);
    } else if (it->inspected) {
        g_autofree char *files = g_strdup_printf ("%" G_GINT64_FORMAT, it->files);
        g_autofree char *bytes = g_format_size ((guint64)MAX (it->bytes, 0));
        g_autofree char *enc = say (it->encryption != NULL ? it->encryption : "unknown", japanese);

        g_string_append_printf (checked, "<b>%s</b>  ", w->checked);
        g_autofree char *fb = fill (w->files_bytes, files, bytes);

        g_string_append (checked, fb);
        g_string_append_printf (checked, "; %s %s; ", w->encryption, enc);
        if (g_strcmp0 (it->result, "infected") == 0)
            g_string_append_printf (checked, "<b>%s</b>", w->result_infected);
        else if (g_strcmp0 (it->result, "clean") == 0 && it->not_inspected == 0)
            g_string_append (checked, w->result_clean);
        else {
            g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (it->not_inspected, 1));

            g_autofree char *part = fill (w->result_partial, n, NULL);

            g_string_append (checked, part);
        }
        if (it->software_findings > 0) {
            g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, it->software_findings);

            g_string_append (checked, "; ");
            g_autofree char *sw = fill (w->software_findings, n, NULL);

            g_string_append (checked, sw);
        }
        text (pen, checked->str, pen->small, FALSE, 3 * MM);
    } else {
        g_autofree char *m = g_strdup_printf ("<b>%s</b>  %s", w->checked, w->no_medium);

        text (pen, m, pen->small, FALSE, 3 * MM);
    }
    draw_reasons (pen, w, japanese, it->reasons, 3 * MM);
    pen->y += 1 * MM;
}

/* Every condition of the session and its items (KR-28), with its date. */
static void
draw_conditions (Pen *pen, const Words *w, gboolean japanese, const KikanSlipDoc *doc)
{
    guint n = 0;

    heading (pen, w->conditions, pen->body * 1.1);
    for (guint i = 0; i <= doc->items->len; i++) {
        const KikanSlipItem *it = i < doc->items->len ? doc->items->pdata[i] : NULL;
        GPtrArray *reasons = it != NULL ? it->reasons : doc->reasons;

        for (guint k = 0; reasons != NULL && k < reasons->len; k++) {
            const KikanSlipReason *r = reasons->pdata[k];
            const char *ja_c = NULL;
            g_autofree char *what = NULL, *until = NULL, *asset = NULL, *m = NULL;

            if (r->condition == NULL)
                continue;
            /* IT's own wording (PROC-01/02 "as set by IT") stays as written. */
            if (japanese && !g_str_has_prefix (r->condition, "As set by IT"))
                ja_c = lookup (ja_conditions, G_N_ELEMENTS (ja_conditions),
                               sizeof ja_conditions[0], r->code);
            what = ja_c != NULL ? g_markup_escape_text (ja_c, -1) : esc (r->condition);
            until = r->until != NULL ? esc (r->until) : NULL;
            asset = esc (it != NULL ? it->asset : doc->employee_id);
            if (until != NULL)
                m = g_strdup_printf ("• <b>%s</b> %s (%s) — <b>%s %s</b>", asset, what, r->code,
                                     w->until, until);
            else
                m = g_strdup_printf ("• <b>%s</b> %s (%s)", asset, what, r->code);
            text (pen, m, pen->body, FALSE, 2 * MM);
            n++;
        }
    }
    if (n == 0)
        text_plain (pen, w->no_conditions, pen->body, FALSE, 2 * MM);
}

static gboolean
draw (Pen *pen, const KikanSlipDoc *doc, KikanSlipLanguage language, GError **error)
{
    const Words *w = language == KIKAN_SLIP_JA ? &ja : &en;
    gboolean japanese = language == KIKAN_SLIP_JA;
    guint v = verdict_index (doc->verdict);
    g_autofree char *number = esc (doc->number);
    g_autofree char *kiosk = esc (doc->kiosk_id);
    g_autofree char *issued = format_time (doc->issued_at, TRUE);
    g_autofree char *valid = format_time (doc->valid_until, TRUE);
    g_autofree char *emp_id = esc (doc->employee_id);
    g_autofree char *emp_name = esc (doc->employee_name);
    g_autofree char *m = NULL;
    gboolean may_reconnect = v == KIKAN_SLIP_CLEARED || v == KIKAN_SLIP_CONDITIONAL;

    gboolean qr_on_top = pen->page_h > 0; /* A4: the QR beside the header */
    double full_width = pen->width, qr_size = 0, qr_top = pen->y;

    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    if (qr_on_top) {
        if (!qr (pen, doc->payload, TRUE, &qr_size, error))
            return FALSE;
        pen->width = full_width - qr_size - 6 * MM;
    }
    text_plain (pen, w->title, pen->body * 1.2, TRUE, 0);
    if (doc->copy) {
        g_autofree char *of = esc (doc->copy_of_number);
        g_autofree char *c = g_strdup_printf ("%s  (%s)", w->copy_banner, of);

        band (pen, c, pen->big);
    }
    m = g_strdup_printf ("%s  <b>%s</b>", w->number, number);
    text (pen, m, pen->big * 0.8, FALSE, 0);
    g_clear_pointer (&m, g_free);
    if (qr_on_top) {
        g_autofree char *cap = g_markup_escape_text (w->qr_caption, -1);

        text (pen, cap, pen->small, FALSE, 0);
        pen->width = full_width;
        pen->y = MAX (pen->y, qr_top + qr_size + 3 * MM);
    }
    /* The verdict first and big: what the person must know. */
    m = g_strdup_printf ("%s: %s", w->overall, w->heading[v]);
    band (pen, m, pen->big);
    g_clear_pointer (&m, g_free);
    m = g_strdup_printf ("<b>%s</b>\n%s", w->next_heading, w->next[v]);
    text (pen, m, pen->body * 1.1, FALSE, 0);
    g_clear_pointer (&m, g_free);
    if (may_reconnect) {
        g_autofree char *vm = fill (w->valid_until, valid, NULL);

        m = g_strdup_printf ("<b>%s</b>", vm);
    } else
        m = g_strdup_printf ("<b>%s</b>", w->not_valid);
    text (pen, m, pen->body * 1.1, FALSE, 0);
    g_clear_pointer (&m, g_free);
    rule (pen);

    m = g_strdup_printf ("%s  %s", emp_id, emp_name);
    field (pen, w->employee, m);
    g_clear_pointer (&m, g_free);
    m = g_strdup_printf ("%s (%s)", issued, doc->clock_verified ? w->clock_ok : w->clock_unverified);
    field (pen, w->issued, m);
    g_clear_pointer (&m, g_free);
    field (pen, w->kiosk, kiosk);
    if (doc->telework_from != NULL) {
        g_autofree char *a = esc (doc->telework_from), *b = esc (doc->telework_to);
        g_autofree char *how = doc->telework_method ? esc (doc->telework_method) : NULL;

        m = g_strdup_printf ("%s – %s%s%s%s", a, b, how ? " (" : "", how ? how : "",
                             how ? ")" : "");
        field (pen, w->telework, m);
        g_clear_pointer (&m, g_free);
    } else
        field (pen, w->telework, (char *)w->telework_unknown);
    if (doc->policy_version != NULL) {
        g_autofree char *p = esc (doc->policy_version);

        field (pen, w->policy, p);
    } else
        field (pen, w->policy, (char *)w->policy_unknown);
    if (doc->sig_version != NULL || doc->sig_date != NULL) {
        g_autofree char *a = esc (doc->sig_version ? doc->sig_version : "?");
        g_autofree char *b = esc (doc->sig_date ? doc->sig_date : "?");

        m = g_strdup_printf ("%s (%s)", a, b);
        field (pen, w->signatures, m); /* KR-12 */
        g_clear_pointer (&m, g_free);
    } else
        field (pen, w->signatures, (char *)w->signatures_unknown);
    rule (pen);

    heading (pen, w->items, pen->body * 1.1);
    for (guint i = 0; i < doc->items->len; i++)
        draw_item (pen, w, japanese, doc->items->pdata[i]);
    if (doc->reasons != NULL && doc->reasons->len > 0)
        draw_reasons (pen, w, japanese, doc->reasons, 0);
    for (guint i = 0; i < doc->incidents->len; i++) {
        g_autofree char *n = esc (doc->incidents->pdata[i]);

        field (pen, w->incident, n);
    }
    text_plain (pen, w->provenance_legend, pen->small, FALSE, 0);
    rule (pen);

    draw_conditions (pen, w, japanese, doc);
    if (doc->it_staff->len > 0) {
        g_autoptr (GString) s = g_string_new (NULL);

        for (guint i = 0; i < doc->it_staff->len; i++) {
            g_autofree char *id = esc (doc->it_staff->pdata[i]);

            g_string_append_printf (s, "%s%s", i ? ", " : "", id);
        }
        field (pen, w->it_verifier, s->str);
    }
    rule (pen);

    {
        g_autofree char *name = esc (doc->contact_name);
        g_autofree char *phone = esc (doc->contact_phone);
        g_autofree char *mail = esc (doc->contact_mail);

        m = g_strdup_printf ("%s\n%s: <b>%s</b>%s%s%s%s", name, w->phone, phone,
                             doc->contact_mail ? "\n" : "", doc->contact_mail ? w->mail : "",
                             doc->contact_mail ? ": " : "", doc->contact_mail ? mail : "");
        field (pen, w->contacts, m);
        g_clear_pointer (&m, g_free);
    }
    text_plain (pen, w->reminder, pen->body, TRUE, 0);
    text_plain (pen, w->logged, pen->small, FALSE, 0);
    if (!qr_on_top) {
        g_autofree char *cap = g_markup_escape_text (w->qr_caption, -1);

        if (!qr (pen, doc->payload, FALSE, NULL, error))
            return FALSE;
        m = g_strdup_printf ("%s\n%s  %s", cap, w->number, number);
        text (pen, m, pen->small, FALSE, 0);
        g_clear_pointer (&m, g_free);
    }
    if (doc->copy) {
        g_autofree char *c = g_markup_escape_text (w->copy_banner, -1);

        band (pen, c, pen->big);
    }
    return TRUE;
}

gboolean
kikan_slip_render (const KikanSlipDoc *doc, KikanSlipLayout layout, KikanSlipLanguage language,
                   const char *path, GError **error)
{
    Pen pen = { 0 };
    cairo_surface_t *surface;
    double page_w, page_h;
    cairo_status_t status;
    gboolean ok;

    if (layout == KIKAN_SLIP_RECEIPT) {
        cairo_surface_t *rec = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);

        /* First pass: how long the receipt must be. */
        page_w = 80 * MM;
        pen = (Pen){ cairo_create (rec), 4 * MM, 4 * MM, 72 * MM, 0, 0, 4 * MM, 7.5, 6.2, 12 };
        ok = draw (&pen, doc, language, error);
        cairo_destroy (pen.cr);
        cairo_surface_destroy (rec);
        if (!ok)
            return FALSE;
        page_h = ceil (pen.y + 6 * MM);
        surface = cairo_pdf_surface_create (path, page_w, page_h);
        pen = (Pen){ NULL, 4 * MM, 4 * MM, 72 * MM, 0, 0, 4 * MM, 7.5, 6.2, 12 };
    } else {
        page_w = 210 * MM;
        page_h = 297 * MM;
        surface = cairo_pdf_surface_create (path, page_w, page_h);
        pen = (Pen){ NULL, 20 * MM, 18 * MM, 170 * MM, page_h, page_h - 18 * MM, 18 * MM,
                     10.5, 8.5, 17 };
    }
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Kikan clearance slip");
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "kikan " KIKAN_VERSION);
    pen.cr = cairo_create (surface);
    ok = draw (&pen, doc, language, error);
    cairo_show_page (pen.cr);
    cairo_destroy (pen.cr);
    cairo_surface_finish (surface);
    status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (ok && status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The slip's PDF %s could not be written: %s.",
                     path, cairo_status_to_string (status));
        return FALSE;
    }
    return ok;
}
