/* Kikan kiosk: the slip's words, Japanese and English (slip-words-private.h). */
#include "slip-words-private.h"

#include <string.h>

static const KikanSlipWords ja = {
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

static const KikanSlipWords en = {
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

const KikanSlipWords *
kikan_slip_words (KikanSlipLanguage language)
{
    return language == KIKAN_SLIP_JA ? &ja : &en;
}

const char *
kikan_slip_words_reason_ja (const char *code)
{
    return lookup (ja_reasons, G_N_ELEMENTS (ja_reasons), sizeof ja_reasons[0], code);
}

const char *
kikan_slip_words_condition_ja (const char *code)
{
    return lookup (ja_conditions, G_N_ELEMENTS (ja_conditions), sizeof ja_conditions[0], code);
}

const char *
kikan_slip_words_say (const char *word, KikanSlipLanguage language)
{
    for (gsize i = 0; word != NULL && i < G_N_ELEMENTS (plain_words); i++)
        if (strcmp (plain_words[i].word, word) == 0)
            return language == KIKAN_SLIP_JA ? plain_words[i].ja : plain_words[i].en;
    return NULL;
}
