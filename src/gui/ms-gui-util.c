/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-util"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-util.h"

static const char *
state_icon_name (MsRowState state)
{
  switch (state)
    {
    case MS_ROW_STATE_OK:
      return "emblem-ok-symbolic";
    case MS_ROW_STATE_WARNING:
      return "dialog-warning-symbolic";
    case MS_ROW_STATE_ERROR:
      return "dialog-error-symbolic";
    case MS_ROW_STATE_NONE:
    case MS_ROW_STATE_BUSY:
    default:
      return NULL;
    }
}

static const char *
state_accessible_text (MsRowState state)
{
  switch (state)
    {
    case MS_ROW_STATE_BUSY:
      return _("In progress");
    case MS_ROW_STATE_OK:
      return _("Done");
    case MS_ROW_STATE_WARNING:
      return _("Warning");
    case MS_ROW_STATE_ERROR:
      return _("Failed");
    case MS_ROW_STATE_NONE:
    default:
      return NULL;
    }
}

static GtkWidget *
state_widget_new (MsRowState state)
{
  GtkWidget *widget;
  const char *text = state_accessible_text (state);

  if (state == MS_ROW_STATE_BUSY)
    {
      widget = gtk_spinner_new ();
      gtk_spinner_start (GTK_SPINNER (widget));
    }
  else if (state_icon_name (state) != NULL)
    {
      widget = gtk_image_new_from_icon_name (state_icon_name (state));
      gtk_widget_add_css_class (widget, state == MS_ROW_STATE_OK ? "success"
                                : state == MS_ROW_STATE_WARNING ? "warning" : "error");
    }
  else
    {
      widget = gtk_image_new ();
    }

  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (widget, 16, 16);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
  return widget;
}

/* ms_status_row_set_state:
 * Replaces the row's prefix widget (spinner or icon). */
void
ms_status_row_set_state (AdwActionRow *row,
                         MsRowState    state)
{
  GtkWidget *old = g_object_get_data (G_OBJECT (row), "ms-state-widget");
  GtkWidget *widget = state_widget_new (state);

  if (old != NULL)
    adw_action_row_remove (row, old);
  adw_action_row_add_prefix (row, widget);
  g_object_set_data (G_OBJECT (row), "ms-state-widget", widget);
}

GtkWidget *
ms_status_row_new (MsRowState  state,
                   const char *title,
                   const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  ms_status_row_set_state (ADW_ACTION_ROW (row), state);
  return row;
}

void
ms_list_box_remove_all (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static char *
cn_of (const char *dn)
{
  const char *cn;
  const char *end;

  if (dn == NULL)
    return NULL;
  cn = strstr (dn, "CN=");
  if (cn == NULL)
    return g_strdup (dn);
  cn += 3;
  end = strchr (cn, ',');
  return end != NULL ? g_strndup (cn, end - cn) : g_strdup (cn);
}

static char *
tls_version_display (const char *version)
{
  if (version == NULL)
    return g_strdup ("TLS");
  if (g_str_has_prefix (version, "TLS") && version[3] != ' ' && version[3] != '\0')
    return g_strdup_printf ("TLS %s", version + 3);
  return g_strdup (version);
}

/* ms_format_date:
 * A date as the user's language writes it ("24 Dec 2026"). */
char *
ms_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date);

  /* Translators: a date, "24 Dec 2026"; see g_date_time_format() for the codes */
  /* xgettext:no-c-format */
  return g_date_time_format (local, _("%-d %b %Y"));
}

static char *
describe_tls (const MsResult *result)
{
  g_autofree char *version = NULL;
  g_autofree char *name = NULL;
  g_autofree char *until = NULL;

  if (result->tls == NULL)
    return g_strdup (_("Secure connection"));

  version = tls_version_display (result->tls->version);
  name = cn_of (result->tls->subject);
  if (result->tls->not_after != NULL)
    until = ms_format_date (result->tls->not_after);

  if (name != NULL && until != NULL)
    /* Translators: "Secure connection: TLS 1.3, certificate for smtp.gmail.com valid until 24 Dec 2026" */
    return g_strdup_printf (_("Secure connection: %s, certificate for %s valid until %s"),
                            version, name, until);
  /* Translators: %s is a TLS version such as "TLS 1.3" */
  return g_strdup_printf (_("Secure connection: %s"), version);
}

static char *
describe_ehlo (const MsResult *result)
{
  g_autofree char *mechanisms = NULL;

  if (result->auth_mechanisms == NULL || result->auth_mechanisms[0] == NULL)
    return g_strdup (_("Server ready"));
  mechanisms = g_strjoinv (", ", result->auth_mechanisms);
  /* Translators: %s is a list of sign-in methods such as "PLAIN, LOGIN" */
  return g_strdup_printf (_("Server ready: sign-in with %s"), mechanisms);
}

static char *
describe_ok_step (const MsResult *result,
                  const MsStep   *step)
{
  guint n;

  switch (step->kind)
    {
    case MS_STEP_CONFIG:
      return g_strdup (_("Settings are complete"));
    case MS_STEP_KEYRING:
      return g_strdup (_("Password read from the keyring"));
    case MS_STEP_RESOLVE:
      n = step->addresses != NULL ? g_strv_length (step->addresses) : 1;
      return g_strdup_printf (g_dngettext (NULL, "Server found (%u address)",
                                           "Server found (%u addresses)", n), n);
    case MS_STEP_CONNECT:
      if (step->address != NULL && strchr (step->address, ':') != NULL)
        return g_strdup (_("Connected (IPv6)"));
      return g_strdup (_("Connected (IPv4)"));
    case MS_STEP_GREETING:
      return g_strdup (_("Server answered"));
    case MS_STEP_EHLO:
      return describe_ehlo (result);
    case MS_STEP_STARTTLS:
      /* Translators: STARTTLS is a protocol command; keep it as is */
      return g_strdup (_("Server agreed to STARTTLS"));
    case MS_STEP_TLS:
      return describe_tls (result);
    case MS_STEP_AUTH:
      return g_strdup (_("Signed in"));
    case MS_STEP_MAIL:
      return g_strdup (_("Sender accepted"));
    case MS_STEP_RCPT:
      return g_strdup (_("Recipient accepted"));
    case MS_STEP_DATA:
      return g_strdup (_("Message accepted"));
    case MS_STEP_QUIT:
    default:
      return g_strdup (_("Connection closed"));
    }
}

static const char *
step_failed_title (MsStepKind kind)
{
  switch (kind)
    {
    case MS_STEP_CONFIG:
      return _("Settings are not complete");
    case MS_STEP_KEYRING:
      return _("Could not read the password from the keyring");
    case MS_STEP_RESOLVE:
      return _("Server not found");
    case MS_STEP_CONNECT:
      return _("Could not connect");
    case MS_STEP_GREETING:
    case MS_STEP_EHLO:
      return _("The server did not accept the connection");
    case MS_STEP_STARTTLS:
    case MS_STEP_TLS:
      return _("No secure connection");
    case MS_STEP_AUTH:
      return _("Sign-in failed");
    case MS_STEP_MAIL:
      return _("Sender refused");
    case MS_STEP_RCPT:
      return _("Recipient refused");
    case MS_STEP_DATA:
      return _("Message refused");
    case MS_STEP_QUIT:
    default:
      return _("Connection closed early");
    }
}

/* ms_describe_step:
 * One line for a step, in the user's language (UX.md "Server" page). */
char *
ms_describe_step (const MsResult *result,
                  const MsStep   *step)
{
  if (step->ok)
    return describe_ok_step (result, step);
  return g_strdup (step_failed_title (step->kind));
}

/* ms_fill_step_rows:
 * One row per step of @result; the failed step carries the error's message. */
void
ms_fill_step_rows (GtkListBox     *list,
                   const MsResult *result)
{
  ms_list_box_remove_all (list);

  for (guint i = 0; result->steps != NULL && i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      g_autofree char *title = NULL;
      const char *subtitle = NULL;

      if (step->kind == MS_STEP_QUIT && step->ok)
        continue;
      title = ms_describe_step (result, step);
      if (!step->ok && result->error != NULL)
        subtitle = result->error->message;
      gtk_list_box_append (list, ms_status_row_new (step->ok ? MS_ROW_STATE_OK
                                                            : MS_ROW_STATE_ERROR,
                                                    title, subtitle));
    }

  if (result->error != NULL && (result->steps == NULL || result->steps->len == 0))
    gtk_list_box_append (list, ms_status_row_new (MS_ROW_STATE_ERROR,
                                                  step_failed_title (result->error->step),
                                                  result->error->message));
}

char *
ms_format_transcript (const MsResult *result)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; result->transcript != NULL && i < result->transcript->len; i++)
    {
      g_string_append (text, g_ptr_array_index (result->transcript, i));
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static void
append_checks (GString        *report,
               const MsResult *result)
{
  for (guint i = 0; result->checks != NULL && i < result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (result->checks, i);
      const char *mark = check->ok ? "ok" : check->severity == MS_CHECK_WARNING ? "warning" : "error";

      g_string_append_printf (report, "[%s] %s: %s\n", mark,
                              check->title != NULL ? check->title : check->check,
                              check->message != NULL ? check->message : "");
    }
}

/* ms_format_report:
 * A text report for "Copy Report". Everything in an MsResult is already free
 * of secrets (the transcript is redacted at the source). */
char *
ms_format_report (const MsResult *result)
{
  GString *report = g_string_new (NULL);
  g_autofree char *transcript = ms_format_transcript (result);

  g_string_append_printf (report, "Mail Setup %s: %s %s:%u (%s)\n", PACKAGE_VERSION,
                          result->command != NULL ? result->command : "",
                          result->host != NULL ? result->host : "", result->port,
                          ms_security_to_string (result->security));
  append_checks (report, result);
  for (guint i = 0; result->steps != NULL && i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      g_autofree char *line = ms_describe_step (result, step);

      g_string_append_printf (report, "%s %s (%" G_GINT64_FORMAT " ms)\n",
                              step->ok ? "✓" : "✗", line, step->ms);
    }
  if (result->error != NULL)
    g_string_append_printf (report, "%s: %s\n%s\n", ms_error_code_to_string (result->error->code),
                            result->error->message != NULL ? result->error->message : "",
                            result->error->advice != NULL ? result->error->advice : "");
  if (transcript[0] != '\0')
    g_string_append_printf (report, "\n%s", transcript);
  return g_string_free (report, FALSE);
}

const char *
ms_security_display_name (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_STARTTLS:
      /* Translators: the name of a protocol; keep as is */
      return _("STARTTLS");
    case MS_SECURITY_NONE:
      return _("None (this computer only)");
    case MS_SECURITY_AUTO:
      return _("Automatic");
    case MS_SECURITY_TLS:
    default:
      /* Translators: the name of a protocol; keep as is */
      return _("SSL/TLS");
    }
}

void
ms_copy_to_clipboard (GtkWidget  *widget,
                      const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  ms_show_toast (widget, _("Copied"));
}

void
ms_show_toast (GtkWidget  *widget,
               const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* ms_open_uri:
 * gtk_show_uri_full goes through the OpenURI portal inside Flatpak. */
void
ms_open_uri (GtkWidget  *widget,
             const char *uri)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri,
                     GDK_CURRENT_TIME, NULL, NULL, NULL);
}

/* ms_widget_save_png:
 * Renders @widget as it is on screen into a PNG (for tests and screenshots). */
gboolean
ms_widget_save_png (GtkWidget   *widget,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkNative *native = gtk_widget_get_native (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (native == NULL || width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "widget not shown");
      return FALSE;
    }

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing drawn");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}
