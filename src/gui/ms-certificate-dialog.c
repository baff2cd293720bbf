/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-certificate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-certificate-dialog.h"
#include "ms-gui-util.h"
#include "ms-header-title.h"

/*
 * MsCertificateDialog:
 * The server's certificate: subject, issuer, validity and SHA-256 key pin.
 * For a self-signed or private-CA certificate only, "Trust This Certificate"
 * asks once more and then emits ::trust with the pin.
 */
struct _MsCertificateDialog
{
  AdwWindow            parent_instance;

  AdwActionRow        *problem_row;
  AdwActionRow        *subject_row;
  AdwActionRow        *issuer_row;
  AdwActionRow        *validity_row;
  AdwActionRow        *pin_row;
  AdwPreferencesGroup *trust_group;

  char                *pin;
};

G_DEFINE_FINAL_TYPE (MsCertificateDialog, ms_certificate_dialog, ADW_TYPE_WINDOW)

enum {
  TRUST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_copy_pin_clicked_cb (MsCertificateDialog *self)
{
  if (self->pin != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->pin);
}

static gboolean
close_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_confirm_response_cb (AdwMessageDialog    *dialog,
                        const char          *response,
                        MsCertificateDialog *self)
{
  if (g_strcmp0 (response, "trust") != 0)
    return;
  g_signal_emit (self, signals[TRUST], 0, self->pin);
  /* Not now: the confirmation, transient for this window, is still closing. */
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_cb, g_object_ref (self), g_object_unref);
}

static void
on_trust_clicked_cb (MsCertificateDialog *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Trust This Certificate?"),
                                   _("Mail Setup will accept this server only while it shows this exact key, and will refuse any other. "
                                     "No certificate authority vouches for it: if this is not your own server, someone may be reading your mail."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static char *
format_validity (const MsTlsInfo *tls)
{
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;

  if (tls->not_before == NULL || tls->not_after == NULL)
    return g_strdup (_("Unknown"));
  from = ms_format_date (tls->not_before);
  until = ms_format_date (tls->not_after);
  /* Translators: a certificate's validity, "1 Oct 2026 to 24 Dec 2026" */
  return g_strdup_printf (_("%s to %s"), from, until);
}

static void
ms_certificate_dialog_finalize (GObject *object)
{
  MsCertificateDialog *self = MS_CERTIFICATE_DIALOG (object);

  g_free (self->pin);

  G_OBJECT_CLASS (ms_certificate_dialog_parent_class)->finalize (object);
}

static void
ms_certificate_dialog_class_init (MsCertificateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ms_certificate_dialog_finalize;

  signals[TRUST] = g_signal_new ("trust", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, problem_row);
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, subject_row);
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, validity_row);
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, pin_row);
  gtk_widget_class_bind_template_child (widget_class, MsCertificateDialog, trust_group);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_pin_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_trust_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (MS_TYPE_HEADER_TITLE);
}

static void
ms_certificate_dialog_init (MsCertificateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ms_certificate_dialog_new:
 * @can_trust: TRUE only for certificate-untrusted (self-signed or a private
 *   CA); never for a name mismatch or an expired certificate. */
MsCertificateDialog *
ms_certificate_dialog_new (GtkWindow       *parent,
                           const MsTlsInfo *tls,
                           const char      *problem,
                           gboolean         can_trust)
{
  MsCertificateDialog *self;
  g_autofree char *validity = NULL;

  g_return_val_if_fail (tls != NULL, NULL);

  self = g_object_new (MS_TYPE_CERTIFICATE_DIALOG, "transient-for", parent, NULL);
  self->pin = g_strdup (tls->spki_sha256);
  validity = format_validity (tls);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->problem_row),
                                 problem != NULL ? problem : "");
  adw_action_row_set_subtitle (self->subject_row, tls->subject != NULL ? tls->subject : "");
  adw_action_row_set_subtitle (self->issuer_row, tls->issuer != NULL ? tls->issuer : "");
  adw_action_row_set_subtitle (self->validity_row, validity);
  adw_action_row_set_subtitle (self->pin_row, self->pin != NULL ? self->pin : "");
  gtk_widget_set_visible (GTK_WIDGET (self->trust_group), can_trust && self->pin != NULL);
  return self;
}
