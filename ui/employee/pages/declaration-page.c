/* Kikan kiosk UI: one question of the declaration (declaration-page.h).
 *
 * One question a page, big Yes / No / Not sure (REQUIREMENTS §5.1, KR-21),
 * the follow-up asked on Yes or Not sure (§5.2), and "How do I check
 * this?" with steps for Windows, macOS, Linux and phones (KR-24).  The
 * answer is recorded by the driver as it is given (checkin.answer). */
#include "declaration-page.h"

#include "declaration-private.h"
#include "kiosk-driver.h"
#include "kiosk-i18n.h"
#include "questions.h"

struct _KikanDeclarationPage {
    KikanPage parent_instance;

    guint q;
    const char *pending; /* "yes" / "not_sure" while the follow-up is asked */

    GtkLabel *number;
    GtkLabel *question;
    GtkWidget *buttons;
    GtkButton *yes;
    GtkButton *no;
    GtkButton *not_sure;
    GtkRevealer *followup;
    GtkLabel *followup_label;
    GtkEntry *followup_entry;
    GtkButton *followup_done;
    GtkLabel *answered;
    GtkStack *help_stack;
    GtkBox *followup_box;

    /* The follow-ups the verdict reads (§5.2; verdict.c): Q7 (KR-22) the
     * device, the work and whether work data was deleted; Q8 the media;
     * Q10 the level and personal data; Q15 whether all paper is back. */
    GtkEntry *extra_entry;      /* Q7 the work done */
    GtkDropDown *choice_a;      /* Q7 deleted, Q10 level, Q15 all returned */
    GtkDropDown *choice_b;      /* Q10 personal data */
};

/* Values of the drop-downs, in the order of their labels. */
static const char *const yes_no_unsure[] = { "yes", "no", "not_sure", NULL };
static const char *const levels[] = { "confidential", "internal", "public", "unknown", NULL };

G_DEFINE_FINAL_TYPE (KikanDeclarationPage, kikan_declaration_page, KIKAN_TYPE_PAGE)

enum { PROP_0, PROP_QUESTION, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
send (KikanDeclarationPage *self, const char *answer, const char *followup_json)
{
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));
    g_autofree char *id = g_strdup_printf ("Q%u", self->q);

    if (followup_json != NULL)
        g_action_group_activate_action (kikan_driver_get_actions (driver), "answer-with",
                                        g_variant_new ("(sss)", id, answer, followup_json));
    else
        g_action_group_activate_action (kikan_driver_get_actions (driver), "answer",
                                        g_variant_new ("(ss)", id, answer));
}

static void
choose (KikanDeclarationPage *self, const char *answer)
{
    const KikanUiQuestion *uq = kikan_ui_question (self->q);

    /* 5.1: Yes and Not sure ask the follow-up first; No is recorded now. */
    if (g_str_equal (answer, "no") || uq->followup == NULL) {
        send (self, answer, NULL);
        return;
    }
    self->pending = answer;
    gtk_revealer_set_reveal_child (self->followup, TRUE);
    gtk_widget_grab_focus (GTK_WIDGET (self->followup_entry));
}

static void
on_yes (GtkButton *b, gpointer data)
{
    choose (data, "yes");
}

static void
on_no (GtkButton *b, gpointer data)
{
    KikanDeclarationPage *self = data;

    /* Q18 (optional) has no "No": its button skips it. */
    if (self->q == 18) {
        g_action_group_activate_action (
            kikan_driver_get_actions (kikan_page_get_driver (KIKAN_PAGE (self))), "next", NULL);
        return;
    }
    choose (self, "no");
}

static void
on_not_sure (GtkButton *b, gpointer data)
{
    choose (data, "not_sure");
}

static const char *
chosen (GtkDropDown *d, const char *const *values)
{
    guint i = d != NULL ? gtk_drop_down_get_selected (d) : GTK_INVALID_LIST_POSITION;

    return i < g_strv_length ((char **)values) ? values[i] : NULL;
}

static void
on_followup_done (GtkWidget *w, gpointer data)
{
    KikanDeclarationPage *self = data;
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->followup_entry));
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *json = NULL;

    if (self->pending == NULL)
        return;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "text");
    json_builder_add_string_value (b, text);
    switch (self->q) {
    case 7:
        json_builder_set_member_name (b, "device");
        json_builder_add_string_value (b, text);
        json_builder_set_member_name (b, "work");
        json_builder_add_string_value (b,
                                       gtk_editable_get_text (GTK_EDITABLE (self->extra_entry)));
        json_builder_set_member_name (b, "data_deleted");
        json_builder_add_string_value (b, chosen (self->choice_a, yes_no_unsure));
        break;
    case 8: {
        /* The tags named, so that those media are offered a scan here. */
        g_auto (GStrv) tags = g_strsplit_set (text, ", ", -1);

        json_builder_set_member_name (b, "media");
        json_builder_begin_array (b);
        for (gsize i = 0; tags[i] != NULL; i++)
            if (tags[i][0] != '\0')
                json_builder_add_string_value (b, tags[i]);
        json_builder_end_array (b);
        break;
    }
    case 10:
        json_builder_set_member_name (b, "classification");
        json_builder_add_string_value (b, chosen (self->choice_a, levels));
        json_builder_set_member_name (b, "personal_data");
        json_builder_add_string_value (b, chosen (self->choice_b, yes_no_unsure));
        break;
    case 15:
        json_builder_set_member_name (b, "all_returned");
        json_builder_add_string_value (b, chosen (self->choice_a, yes_no_unsure));
        break;
    default:
        break;
    }
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json = json_generator_to_data (gen, NULL);
    /* Q17 and Q18 take the free text as the answer itself (declaration.h). */
    if (kikan_question_takes_text (self->q))
        send (self, text[0] != '\0' ? text : "yes", NULL);
    else
        send (self, self->pending, json);
}

/* A labelled drop-down for a follow-up, big enough for a finger. */
static GtkDropDown *
add_choice (KikanDeclarationPage *self, const char *question, const char *const *labels)
{
    GtkWidget *label = gtk_label_new (question);
    GtkDropDown *d = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (labels));

    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_add_css_class (label, "kiosk-lead");
    gtk_widget_set_size_request (GTK_WIDGET (d), -1, 56);
    gtk_accessible_update_property (GTK_ACCESSIBLE (d), GTK_ACCESSIBLE_PROPERTY_LABEL, question,
                                    -1);
    /* Before the "Save and continue" button, the box's last child. */
    gtk_box_insert_child_after (self->followup_box, label,
                                gtk_widget_get_prev_sibling (GTK_WIDGET (self->followup_done)));
    gtk_box_insert_child_after (self->followup_box, GTK_WIDGET (d), label);
    return d;
}

static void
build_followup (KikanDeclarationPage *self)
{
    const char *const ynu[] = { _("Yes"), _("No"), _("Not sure"), NULL };

    switch (self->q) {
    case 7: {
        GtkWidget *label = gtk_label_new (_("What work did you do on it?"));

        gtk_entry_set_placeholder_text (self->followup_entry,
                                        _("Which device, e.g. my own tablet"));
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_add_css_class (label, "kiosk-lead");
        self->extra_entry = GTK_ENTRY (gtk_entry_new ());
        gtk_widget_add_css_class (GTK_WIDGET (self->extra_entry), "kiosk-big-entry");
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->extra_entry),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("What work did you do on it?"), -1);
        gtk_box_insert_child_after (self->followup_box, label,
                                    GTK_WIDGET (self->followup_entry));
        gtk_box_insert_child_after (self->followup_box, GTK_WIDGET (self->extra_entry), label);
        self->choice_a = add_choice (self, _("Is all work data deleted from it now?"), ynu);
        break;
    }
    case 8:
        gtk_entry_set_placeholder_text (self->followup_entry,
                                        _("Asset tags, e.g. USB-0007, USB-0008"));
        break;
    case 10: {
        const char *const lv[] = { _("Confidential"), _("Internal"), _("Public"), _("Not sure"),
                                   NULL };

        self->choice_a = add_choice (self, _("The highest level of the work data"), lv);
        self->choice_b = add_choice (self, _("Was there personal data?"), ynu);
        break;
    }
    case 15:
        self->choice_a = add_choice (self, _("Are all of them returned or disposed of by the "
                                             "rules?"),
                                     ynu);
        break;
    default:
        break;
    }
}

static const char *
answer_shown (const char *a)
{
    if (g_strcmp0 (a, "yes") == 0)
        return _("Yes");
    if (g_strcmp0 (a, "no") == 0)
        return _("No");
    if (g_strcmp0 (a, "not_sure") == 0)
        return _("Not sure");
    return NULL;
}

static void
kikan_declaration_page_shown (KikanPage *page)
{
    KikanDeclarationPage *self = KIKAN_DECLARATION_PAGE (page);
    const char *a = kikan_driver_get_answer (kikan_page_get_driver (page), self->q);
    const char *shown = answer_shown (a);

    /* Answered earlier (Back): shown, not asked again — the declaration is
     * evidence as first given. */
    gtk_widget_set_sensitive (self->buttons, a == NULL);
    gtk_widget_set_visible (GTK_WIDGET (self->answered), a != NULL);
    if (a != NULL) {
        g_autofree char *text = g_strdup_printf (_("Your answer: %s"),
                                                 shown != NULL ? shown : _("(your own words)"));

        gtk_label_set_text (self->answered, text);
        gtk_revealer_set_reveal_child (self->followup, FALSE);
    }
    kikan_page_set_complete (page, a != NULL || kikan_question_is_optional (self->q));
    gtk_widget_grab_focus (GTK_WIDGET (a == NULL ? self->yes : self->no));
}

static void
build (KikanDeclarationPage *self)
{
    const KikanUiQuestion *uq = kikan_ui_question (self->q);
    g_autofree char *number = g_strdup_printf (_("Question %u"), self->q);

    if (uq == NULL)
        return;
    gtk_label_set_text (self->number, number);
    gtk_label_set_text (self->question, _(uq->text));
    kikan_page_set_title (KIKAN_PAGE (self), _(uq->text));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->buttons),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _(uq->text), -1);
    if (uq->followup != NULL)
        gtk_label_set_text (self->followup_label, _(uq->followup));
    build_followup (self);
    if (self->q == 19) {
        /* A confirmation: it is accepted or refused (DEC-11). */
        gtk_button_set_label (self->yes, _("_I confirm"));
        gtk_button_set_label (self->no, _("I do _not confirm"));
        gtk_widget_set_visible (GTK_WIDGET (self->not_sure), FALSE);
    } else if (self->q == 18) {
        gtk_button_set_label (self->yes, _("_Write something"));
        gtk_button_set_label (self->no, _("_Skip"));
        gtk_widget_set_visible (GTK_WIDGET (self->not_sure), FALSE);
    }
    for (int s = 0; s < KIKAN_UI_N_HELP; s++) {
        GtkWidget *label = gtk_label_new (_(uq->help[s]));

        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_add_css_class (label, "kiosk-lead");
        gtk_stack_add_titled (self->help_stack, label, NULL,
                              kikan_ui_help_system_name ((KikanUiHelpSystem)s));
    }
}

static void
kikan_declaration_page_set_property (GObject *object, guint id, const GValue *value,
                                     GParamSpec *pspec)
{
    KikanDeclarationPage *self = KIKAN_DECLARATION_PAGE (object);

    switch (id) {
    case PROP_QUESTION:
        self->q = g_value_get_uint (value);
        build (self);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_declaration_page_get_property (GObject *object, guint id, GValue *value,
                                     GParamSpec *pspec)
{
    switch (id) {
    case PROP_QUESTION:
        g_value_set_uint (value, KIKAN_DECLARATION_PAGE (object)->q);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_declaration_page_dispose (GObject *object)
{
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_DECLARATION_PAGE);
    G_OBJECT_CLASS (kikan_declaration_page_parent_class)->dispose (object);
}

static void
kikan_declaration_page_class_init (KikanDeclarationPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    object_class->dispose = kikan_declaration_page_dispose;
    object_class->set_property = kikan_declaration_page_set_property;
    object_class->get_property = kikan_declaration_page_get_property;
    KIKAN_PAGE_CLASS (klass)->shown = kikan_declaration_page_shown;
    props[PROP_QUESTION] = g_param_spec_uint ("question", NULL, NULL, 0, KIKAN_N_QUESTIONS, 0,
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                                  | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
    gtk_widget_class_set_template_from_resource (
        widget_class, "/jp/kikan/Kiosk/employee/pages/declaration-page.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, number);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, question);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, buttons);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, yes);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, no);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, not_sure);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, followup);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, followup_label);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, followup_entry);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, followup_done);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, answered);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, help_stack);
    gtk_widget_class_bind_template_child (widget_class, KikanDeclarationPage, followup_box);
}

static void
kikan_declaration_page_init (KikanDeclarationPage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    g_signal_connect (self->yes, "clicked", G_CALLBACK (on_yes), self);
    g_signal_connect (self->no, "clicked", G_CALLBACK (on_no), self);
    g_signal_connect (self->not_sure, "clicked", G_CALLBACK (on_not_sure), self);
    g_signal_connect (self->followup_done, "clicked", G_CALLBACK (on_followup_done), self);
    g_signal_connect (self->followup_entry, "activate", G_CALLBACK (on_followup_done), self);
}
