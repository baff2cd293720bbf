/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gui-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "ms-account-page.h"
#include "ms-accounts-view.h"
#include "ms-application.h"
#include "ms-certificate-dialog.h"
#include "ms-diagnostics-page.h"
#include "ms-entry-row.h"
#include "ms-advice.h"
#include "ms-fake-server.h"
#include "ms-gui-demo.h"
#include "ms-gui-util.h"
#include "ms-outbox.h"
#include "ms-outbox-list.h"
#include "ms-test-gui.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"
#include "ms-window.h"
#include "ms-wizard.h"
#include "ms-wizard-page.h"
#include "ms-wizard-server-page.h"
#include "ms-wizard-sign-in-page.h"
#include "ms-wizard-test-page.h"

/*
 * The GUI in-process under Xvfb: the window, the wizard driven through its
 * actions and rows against the fake SMTP server, the accounts view and the
 * diagnostics page. Every page visited is saved as a PNG (640 px wide and
 * 360 px wide) under <builddir>/tests/gui-shots/.
 */

#define WAIT_MS MS_TEST_GUI_WAIT_MS


static gboolean have_display;
/* MS_TEST_LANGUAGE=ja: the same walk in Japanese, for the screenshots; the
 * checks of English words are skipped then. */
static gboolean translated;
/* MS_TEST_TEXT_SCALE=1.5: large text, as GNOME's text-scaling-factor 1.5
 * gives it (gnome-settings-daemon turns it into a font DPI of 96 × 1.5);
 * screenshots in gui-shots-large/ and gui-shots-large-ja/. */
static double text_scale = 1.0;

#define T(text) g_dgettext (GETTEXT_PACKAGE, text)
#define assert_english(expr) G_STMT_START { if (!translated) g_assert_true (expr); } G_STMT_END
static MsApplication *application;
static MsTestKeyring *keyring;

typedef struct
{
  MsWindow     *window;
  MsWizard     *wizard;
  MsFakeServer *server;
} Fixture;

/* ---- helpers ---- */

/* Short names for the shared ones (tests/ms-test-gui.h): every check waits. */
#define wait_until ms_test_gui_wait_until
#define spin       ms_test_gui_spin

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_PREFERENCES_ROW (child)
          && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;
      found = find_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_row_prefix (GtkWidget  *root,
                 const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_PREFERENCES_ROW (child) && gtk_widget_get_mapped (child)
          && g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), prefix))
        return child;
      found = find_row_prefix (child, prefix);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type)
          && (css_class == NULL || gtk_widget_has_css_class (child, css_class)))
        return child;
      found = find_widget (child, type, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *needle)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && gtk_widget_get_mapped (child)
          && strstr (gtk_label_get_text (GTK_LABEL (child)), needle) != NULL)
        return child;
      found = find_label (child, needle);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* gui-shots[-large][-ja]: the folder of this run's screenshots. */
static const char *
shots_folder (void)
{
  static char *folder;

  if (folder == NULL)
    folder = g_strdup_printf ("gui-shots%s%s", text_scale > 1.0 ? "-large" : "",
                              translated ? "-ja" : "");
  return folder;
}

static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  ms_test_gui_save_shot (widget, shots_folder (), name);
}

/* Both widths of the window, docs/ui.md, "The rules": about 640 wide, usable at 360. */
static void
shoot (Fixture    *fixture,
       const char *name)
{
  ms_test_gui_shoot (GTK_WINDOW (fixture->window), shots_folder (), name);
}

/* A dialog as it opened; with @narrow_too, at 360 px wide as well. */
static void
shoot_dialog (GtkWindow  *dialog,
              const char *name,
              gboolean    narrow_too)
{
  g_autofree char *narrow = g_strdup_printf ("%s-360", name);

  save_shot (GTK_WIDGET (dialog), name);
  ms_test_gui_check_nothing_cut_off (GTK_WIDGET (dialog), name);
  if (!narrow_too)
    return;
  gtk_window_set_default_size (dialog, 360, 560);
  spin (250);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
  save_shot (GTK_WIDGET (dialog), narrow);
  ms_test_gui_check_nothing_cut_off (GTK_WIDGET (dialog), narrow);
}

static MsWizardPage *
page (Fixture      *fixture,
      MsWizardStep  step)
{
  return MS_WIZARD_PAGE (ms_wizard_get_page (fixture->wizard, step));
}

typedef struct
{
  Fixture      *fixture;
  MsWizardStep  step;
} StepWait;

static gboolean
at_step (gpointer data)
{
  StepWait *wait = data;

  return ms_wizard_get_step (wait->fixture->wizard) == wait->step;
}

static void
assert_step (Fixture      *fixture,
             MsWizardStep  step)
{
  StepWait wait = { fixture, step };

  g_assert_true (wait_until (at_step, &wait, WAIT_MS));
}

static gboolean
page_valid (gpointer data)
{
  return ms_wizard_page_get_valid (data);
}

static void
assert_valid (MsWizardPage *wizard_page)
{
  g_assert_true (wait_until (page_valid, wizard_page, WAIT_MS));
}

static gboolean
row_visible (gpointer data)
{
  return gtk_widget_get_visible (data) && gtk_widget_get_mapped (data);
}

static gboolean
has_server_result (gpointer data)
{
  return ms_wizard_server_page_get_result (data) != NULL;
}

static gboolean
has_sign_in_result (gpointer data)
{
  return ms_wizard_sign_in_page_get_result (data) != NULL;
}

static gboolean
has_test_result (gpointer data)
{
  return ms_wizard_test_page_get_result (data) != NULL;
}

static gboolean
has_diagnostics_result (gpointer data)
{
  return ms_diagnostics_page_get_result (data) != NULL;
}

/* The wizard's test message, the outbox's Send Now, the account page's. */
static gboolean
three_messages (gpointer data)
{
  return ms_fake_server_get_n_messages (data) == 3;
}

static gboolean
account_test_sent (gpointer data)
{
  g_autoptr(MsResult) result = NULL;

  g_object_get (data, "test-result", &result, NULL);
  return result != NULL && ms_result_is_ok (result);
}

static gboolean
has_connection (gpointer data)
{
  return ms_fake_server_get_n_connections (data) > 0;
}

static void
next (Fixture *fixture)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.next", NULL));
}

static void
type_text (GtkWidget  *root,
           const char *row_title,
           const char *text)
{
  GtkWidget *row = find_row (root, row_title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* ---- fixture ---- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  if (!have_display)
    {
      g_test_skip ("no display (DISPLAY or WAYLAND_DISPLAY)");
      return;
    }
  fixture->window = ms_window_new (application);
  fixture->wizard = MS_WIZARD (ms_window_get_wizard (fixture->window));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 640, 720);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (wait_until (row_visible, fixture->window, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  spin (50);
}

static void
start_server (Fixture    *fixture,
              MsFakeMode  mode,
              const char *certificate)
{
  g_autofree char *cert = ms_test_pki_file (certificate);
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");

  fixture->server = ms_fake_server_new (mode);
  if (mode != MS_FAKE_MODE_PLAIN)
    ms_fake_server_set_certificate (fixture->server, cert, key);
}

/* Through the address and password pages, to the server page, with the
 * server's settings typed over the detected ones. */
static void
go_to_server_page (Fixture    *fixture,
                   const char *address,
                   const char *password,
                   MsSecurity  security,
                   gboolean    with_ca)
{
  g_autoptr(MsSmtpConfig) config = ms_smtp_config_new ();

  type_text (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_ADDRESS)), T ("Email address"), address);
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)),
                                                   GTK_TYPE_PASSWORD_ENTRY, NULL)),
                         password);
  assert_valid (page (fixture, MS_WIZARD_STEP_PASSWORD));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);

  config->host = g_strdup ("localhost");
  config->port = fixture->server != NULL ? ms_fake_server_get_port (fixture->server) : 9;
  config->security = security;
  config->username = g_strdup (MS_FAKE_DEFAULT_USER);
  config->ca_file = with_ca ? ms_test_pki_file ("ca.pem") : NULL;
  ms_wizard_server_page_set_config (MS_WIZARD_SERVER_PAGE (page (fixture, MS_WIZARD_STEP_SERVER)), config);
  ms_wizard_server_page_recheck (MS_WIZARD_SERVER_PAGE (page (fixture, MS_WIZARD_STEP_SERVER)));
}

/* ---- the outbox ---- */

/* A stand-in for the desktop's notification service on the private bus:
 * it counts Notify calls (GNotification's freedesktop backend). */
static guint n_notifications;

static gboolean
two_notifications (gpointer data)
{
  return n_notifications >= 2;
}

static void
on_notifications_call_cb (GDBusConnection       *connection,
                          const char            *sender,
                          const char            *object_path,
                          const char            *interface_name,
                          const char            *method_name,
                          GVariant              *parameters,
                          GDBusMethodInvocation *invocation,
                          gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      n_notifications++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n_notifications));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(as)", NULL));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
start_notification_service (void)
{
  static const char xml[] =
    "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
    "<arg type='u' direction='out'/></method>"
    "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
    "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
    "</interface></node>";
  static const GDBusInterfaceVTable vtable = { on_notifications_call_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (xml, NULL);
  /* Kept for the whole run: the name goes with the connection. */
  static GDBusConnection *bus;
  g_autoptr(GVariant) reply = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_assert_nonnull (bus);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, NULL);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_assert_nonnull (reply);
}

/* Keeps a message of @account as `mailsetup-cli send` would, then records
 * a failed attempt with @code (a real MsResult, as the engine makes it). */
static char *
keep_failed_message (const char  *account,
                     const char  *subject,
                     MsErrorCode  code)
{
  g_autoptr(MsOutbox) outbox = ms_outbox_new (NULL);
  g_autoptr(MsOutboxDraft) draft = ms_outbox_draft_new (outbox, NULL);
  g_autoptr(MsOutboxEntry) entry = ms_outbox_entry_new ();
  g_autoptr(MsOutboxLock) lock = NULL;
  g_autoptr(MsResult) result = ms_result_new ("send");
  g_autofree char *text = g_strdup_printf ("From: me@example.invalid\r\nTo: friend@localhost, "
                                           "nobody@localhost\r\nSubject: %s\r\n"
                                           "Message-ID: <%s@localhost>\r\n\r\nBody.\r\n",
                                           subject, account);
  const char *recipients[] = { "friend@localhost", "nobody@localhost", NULL };
  MsResultError *error;

  g_assert_nonnull (draft);
  g_assert_true (ms_outbox_draft_write (draft, text, strlen (text), NULL));
  entry->account = g_strdup (account);
  entry->from = g_strdup (MS_FAKE_DEFAULT_USER);
  entry->recipients = g_strdupv ((char **) recipients);
  entry->subject = g_strdup (subject);
  entry->message_id = g_strdup_printf ("<%s@localhost>", account);
  lock = ms_outbox_draft_commit (draft, entry, NULL);
  g_assert_nonnull (lock);

  error = ms_result_set_error (result, code, code == MS_ERROR_AUTH_FAILED ? MS_STEP_AUTH : MS_STEP_RCPT,
                               NULL);
  if (code == MS_ERROR_RECIPIENT_REJECTED)
    ms_result_error_add_recipient (error, "nobody@localhost", "550 5.1.1 No such user");
  else
    error->server_reply = g_strdup ("535 5.7.8 Authentication credentials invalid");
  ms_advice_fill (result, NULL);
  g_assert_true (ms_outbox_lock_record (lock, result, NULL));

  return g_strdup (ms_outbox_lock_get_entry (lock)->id);
}

static gboolean
outbox_has (gpointer data)
{
  gpointer *wait = data;

  return ms_outbox_list_get_n_messages (wait[0]) == GPOINTER_TO_UINT (wait[1]);
}

static gboolean
n_messages_reached (gpointer data)
{
  gpointer *wait = data;

  return ms_fake_server_get_n_messages (wait[0]) >= GPOINTER_TO_UINT (wait[1]);
}

/* The accounts view with kept messages: the count on the account's row,
 * the list with state, recipients, subject and the error in words,
 * notifications, Send Now and Delete. */
static void
check_outbox (Fixture        *fixture,
              MsAccountsView *view)
{
  MsOutboxList *list = MS_OUTBOX_LIST (find_widget (GTK_WIDGET (view), MS_TYPE_OUTBOX_LIST, NULL));
  guint before = ms_fake_server_get_n_messages (fixture->server);
  g_autofree char *held = NULL;
  g_autofree char *failed = NULL;
  gpointer wait[2] = { list, GUINT_TO_POINTER (2) };
  gpointer sent[2] = { fixture->server, GUINT_TO_POINTER (before + 1) };

  g_assert_nonnull (list);
  held = keep_failed_message ("me-example.invalid", T ("Backup finished"), MS_ERROR_AUTH_FAILED);
  failed = keep_failed_message ("me-example.invalid", T ("Disk almost full"),
                                MS_ERROR_RECIPIENT_REJECTED);
  g_assert_true (wait_until (outbox_has, wait, WAIT_MS));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));
  g_assert_nonnull (find_row (GTK_WIDGET (list), T ("Backup finished")));
  assert_english (find_row_prefix (GTK_WIDGET (view), "me@example.invalid") != NULL);
  assert_english (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (GTK_WIDGET (view), "me@example.invalid"))),
                          "2 messages in the outbox") != NULL);
  assert_english (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (GTK_WIDGET (list), "Disk almost full"))),
                          "nobody@localhost: 550 5.1.1 No such user") != NULL);
  /* Both became held or failed while the window was open. */
  g_assert_true (wait_until (two_notifications, NULL, WAIT_MS));
  shoot (fixture, "outbox");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "outbox.send-now", "s", held));
  g_assert_true (wait_until (n_messages_reached, sent, WAIT_MS));
  wait[1] = GUINT_TO_POINTER (1);
  g_assert_true (wait_until (outbox_has, wait, WAIT_MS));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "outbox.delete", "s", failed));
  wait[1] = GUINT_TO_POINTER (0);
  g_assert_true (wait_until (outbox_has, wait, WAIT_MS));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, before + 1);
}

/* ---- tests ---- */

static void
test_smoke (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWidget *address_page;
  GtkWidget *detection;
  GtkWidget *password_row;
  GtkWidget *show_text;
  GtkEditable *password_text;

  if (fixture->window == NULL)
    return;

  /* First run: no account, so the wizard's first page. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->wizard)));
  g_assert_cmpuint (ms_wizard_get_step (fixture->wizard), ==, MS_WIZARD_STEP_ADDRESS);
  /* Start-up builds only what the first page shows: the other pages and
   * the accounts view come when first needed. */
  for (MsWizardStep step = MS_WIZARD_STEP_PASSWORD; step <= MS_WIZARD_STEP_DONE; step++)
    g_assert_null (page (fixture, step));
  g_assert_null (ms_window_get_accounts_view (fixture->window));
  address_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_ADDRESS));
  g_assert_nonnull (find_row (address_page, T ("Email address")));
  /* The focus starts in the first field, for keyboard-only use: in the
   * row's GtkEntry, which a screen reader follows (ms-entry-row.c). */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)),
                                         find_row (address_page, T ("Email address"))));
  g_assert_true (gtk_widget_get_parent (gtk_root_get_focus (GTK_ROOT (fixture->window)))
                 == ms_entry_row_get_entry (MS_ENTRY_ROW (find_row (address_page, T ("Email address")))));
  g_assert_true (GTK_IS_ENTRY (ms_entry_row_get_entry (MS_ENTRY_ROW (find_row (address_page, T ("Email address"))))));
  assert_english (find_label (GTK_WIDGET (fixture->window), "Step 1 of 6") != NULL);
  g_assert_false (ms_wizard_page_get_valid (page (fixture, MS_WIZARD_STEP_ADDRESS)));
  shoot (fixture, "wizard-address-empty");

  type_text (address_page, T ("Email address"), "me@gmail.com");
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  detection = find_row (address_page, "Gmail (Google Account)");
  assert_english (detection != NULL && gtk_widget_get_visible (detection));
  shoot (fixture, "wizard-address");

  /* Enter in the field is the main button. */
  g_signal_emit_by_name (find_row (address_page, T ("Email address")), "entry-activated");
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  assert_english (find_label (GTK_WIDGET (fixture->window), "Step 2 of 6") != NULL);
  g_assert_false (ms_wizard_page_get_valid (page (fixture, MS_WIZARD_STEP_PASSWORD)));
  type_text (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)), T ("App password"), "Hunter2!hunter");
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)), "This looks like a normal password") != NULL);
  g_assert_false (ms_wizard_page_get_valid (page (fixture, MS_WIZARD_STEP_PASSWORD)));
  type_text (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)), T ("App password"), "abcd efgh ijkl mnop");
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)), "16 letters") != NULL);
  assert_valid (page (fixture, MS_WIZARD_STEP_PASSWORD));
  shoot (fixture, "wizard-app-password");

  /* The password is hidden; "Show Text" shows it while it is pressed, and
   * it is hidden again once the page is left. */
  password_row = find_row (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)), T ("App password"));
  g_assert_true (GTK_IS_PASSWORD_ENTRY (ms_entry_row_get_entry (MS_ENTRY_ROW (password_row))));
  password_text = gtk_editable_get_delegate (GTK_EDITABLE (ms_entry_row_get_entry (MS_ENTRY_ROW (password_row))));
  show_text = find_widget (password_row, GTK_TYPE_TOGGLE_BUTTON, NULL);
  g_assert_nonnull (show_text);
  g_assert_false (gtk_text_get_visibility (GTK_TEXT (password_text)));
  /* Hidden, the field itself (what GTK's AT-SPI bridge reads) holds stars;
   * the row gives the page the password. */
  g_assert_cmpstr (gtk_editable_get_text (password_text), ==, "*******************");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row)), ==, "abcd efgh ijkl mnop");
  /* "Show Text" in the context menu and the toggle agree. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (password_text), "misc.toggle-visibility", NULL));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (show_text)));
  g_assert_cmpstr (gtk_editable_get_text (password_text), ==, "abcd efgh ijkl mnop");
  g_assert_true (gtk_widget_activate (show_text));
  spin (400);  /* a button shows its press before it acts */
  g_assert_false (gtk_text_get_visibility (GTK_TEXT (password_text)));
  g_assert_cmpstr (gtk_editable_get_text (password_text), ==, "*******************");
  g_assert_true (gtk_widget_activate (show_text));
  spin (400);
  g_assert_true (gtk_text_get_visibility (GTK_TEXT (password_text)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row)), ==, "abcd efgh ijkl mnop");

  /* A known provider: its server in one row, with "Change". */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER)),
                                   "smtp.gmail.com · port 465 · SSL/TLS") != NULL);
  g_assert_true (wait_until (has_server_result, page (fixture, MS_WIZARD_STEP_SERVER), WAIT_MS));
  shoot (fixture, "wizard-server-gmail");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  g_assert_false (gtk_text_get_visibility (GTK_TEXT (password_text)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (show_text)));

  /* Back keeps what was typed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_ADDRESS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (address_page, T ("Email address")))),
                   ==, "me@gmail.com");
}

static gboolean
find_dialog (gpointer data)
{
  GtkWindow **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if ((MS_IS_CERTIFICATE_DIALOG (window) || ADW_IS_MESSAGE_DIALOG (window))
          && gtk_widget_get_mapped (GTK_WIDGET (window)) && window != found[1])
        {
          found[0] = window;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_happy_path (Fixture       *fixture,
                 gconstpointer  data)
{
  MsAccountsView *view;
  GtkWidget *row;
  MsDiagnosticsPage *diagnostics;
  GtkWidget *account_page;
  GtkWidget *to_row;
  GtkWindow *found[2] = { NULL, NULL };

  if (fixture->window == NULL)
    return;
  if (keyring == NULL)
    {
      g_test_skip ("no private keyring");
      return;
    }
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", MS_FAKE_DEFAULT_PASSWORD, MS_SECURITY_TLS, TRUE);
  assert_valid (page (fixture, MS_WIZARD_STEP_SERVER));
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER)), "Secure connection: TLS") != NULL);
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER)), "Server ready: sign-in with") != NULL);
  shoot (fixture, "wizard-server");

  /* Sign-in moves on by itself. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_TEST);
  g_assert_true (ms_result_is_ok (ms_wizard_sign_in_page_get_result (MS_WIZARD_SIGN_IN_PAGE (page (fixture, MS_WIZARD_STEP_SIGN_IN)))));

  assert_valid (page (fixture, MS_WIZARD_STEP_TEST));
  next (fixture);
  g_assert_true (wait_until (has_test_result, page (fixture, MS_WIZARD_STEP_TEST), WAIT_MS));
  g_assert_true (ms_result_is_ok (ms_wizard_test_page_get_result (MS_WIZARD_TEST_PAGE (page (fixture, MS_WIZARD_STEP_TEST)))));
  assert_english (find_label (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_TEST)), "Sent. Look for") != NULL);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_row (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_TEST)), T ("Show details"))), TRUE);
  shoot (fixture, "wizard-test-message");

  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_DONE);
  assert_valid (page (fixture, MS_WIZARD_STEP_DONE));
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_DONE)), "Saved as account") != NULL);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "me-example.invalid"), ==, 1);
  shoot (fixture, "wizard-done");

  /* Done: the accounts view with the new account. */
  next (fixture);
  view = MS_ACCOUNTS_VIEW (ms_window_get_accounts_view (fixture->window));
  g_assert_true (wait_until (row_visible, view, WAIT_MS));
  g_assert_cmpuint (ms_accounts_view_get_n_accounts (view), ==, 1);
  row = find_row (GTK_WIDGET (view), "me@example.invalid");
  g_assert_nonnull (row);
  shoot (fixture, "accounts");
  check_outbox (fixture, view);

  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  g_assert_true (wait_until (row_visible, ms_accounts_view_get_account_page (view), WAIT_MS));
  assert_valid (MS_WIZARD_PAGE (find_row (ms_accounts_view_get_account_page (view), T ("Server"))
                                ? gtk_widget_get_ancestor (find_row (ms_accounts_view_get_account_page (view), T ("Server")),
                                                           MS_TYPE_WIZARD_PAGE)
                                : NULL));
  shoot (fixture, "account");

  /* No recipient: the test row says so, and nothing is sent. */
  account_page = ms_accounts_view_get_account_page (view);
  to_row = find_row (account_page, T ("Test message to"));
  g_assert_nonnull (to_row);
  gtk_editable_set_text (GTK_EDITABLE (to_row), "");
  g_assert_true (gtk_widget_activate_action (account_page, "account.test-send", NULL));
  g_assert_true (wait_until (row_visible,
                             find_row (account_page, T ("Enter the address to send the test message to")),
                             WAIT_MS));
  gtk_editable_set_text (GTK_EDITABLE (to_row), "me@example.invalid");

  /* A test message from the stored account: the password comes from the keyring. */
  g_assert_true (gtk_widget_activate_action (account_page, "account.test-send", NULL));
  g_assert_true (wait_until (three_messages, fixture->server, WAIT_MS));
  g_assert_true (wait_until (account_test_sent, account_page, WAIT_MS));
  assert_english (find_row_prefix (account_page, "Sent. Look for") != NULL);
  g_assert_null (find_row (account_page, T ("Enter the address to send the test message to")));

  g_assert_true (gtk_widget_activate_action (ms_accounts_view_get_account_page (view),
                                             "accounts.show-diagnostics", NULL));
  diagnostics = MS_DIAGNOSTICS_PAGE (ms_accounts_view_get_diagnostics_page (view));
  g_assert_true (wait_until (row_visible, diagnostics, WAIT_MS));
  ms_diagnostics_page_run (diagnostics);
  g_assert_true (wait_until (has_diagnostics_result, diagnostics, WAIT_MS * 2));
  shoot (fixture, "diagnostics");
  g_assert_nonnull (ms_diagnostics_page_get_result (diagnostics)->checks);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (diagnostics), "diagnostics.copy-report", NULL));

  /* Remove, after a confirmation: the keyring item goes too, and with no
   * account left the wizard comes back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (diagnostics), "accounts.show-account", NULL));
  g_assert_true (gtk_widget_activate_action (ms_accounts_view_get_account_page (view),
                                             "account.remove", NULL));
  g_assert_true (wait_until (find_dialog, found, WAIT_MS));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (found[0]));
  shoot_dialog (found[0], "account-remove-confirmation", FALSE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (found[0]), "remove");
  g_assert_true (wait_until (row_visible, fixture->wizard, WAIT_MS));
  g_assert_cmpuint (ms_accounts_view_get_n_accounts (view), ==, 0);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "me-example.invalid"), ==, 0);
  /* A new start: nothing of the last run is left in the wizard. */
  g_assert_cmpuint (ms_wizard_get_step (fixture->wizard), ==, MS_WIZARD_STEP_ADDRESS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_ADDRESS)),
                                                                  T ("Email address")))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD)),
                                                                     GTK_TYPE_PASSWORD_ENTRY, NULL))), ==, "");

  ms_test_check_server_no_secret (fixture->server, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD, FALSE);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  MsWizardSignInPage *sign_in;
  MsResult *result;

  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_fake_server_set_reply (fixture->server, MS_FAKE_STEP_AUTH,
                            "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
                            "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1 - gsmtp\r\n");
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@gmail.com", "abcdefghijklmnop", MS_SECURITY_TLS, TRUE);
  assert_valid (page (fixture, MS_WIZARD_STEP_SERVER));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SIGN_IN);
  sign_in = MS_WIZARD_SIGN_IN_PAGE (page (fixture, MS_WIZARD_STEP_SIGN_IN));
  g_assert_true (wait_until (has_sign_in_result, sign_in, WAIT_MS));
  result = ms_wizard_sign_in_page_get_result (sign_in);
  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_AUTH_FAILED);
  g_assert_cmpuint (ms_wizard_get_step (fixture->wizard), ==, MS_WIZARD_STEP_SIGN_IN);
  assert_english (find_label (GTK_WIDGET (sign_in), "Server said: 535") != NULL);
  if (result->error->advice != NULL)
    g_assert_nonnull (find_label (GTK_WIDGET (sign_in), result->error->advice));
  shoot (fixture, "wizard-sign-in");
}

static void
test_wrong_mode (Fixture       *fixture,
                 gconstpointer  data)
{
  MsWizardPage *server_page;
  MsResult *result;

  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_STARTTLS, "good.pem");
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", "secret", MS_SECURITY_TLS, TRUE);
  server_page = page (fixture, MS_WIZARD_STEP_SERVER);
  g_assert_true (wait_until (has_server_result, server_page, WAIT_MS));
  result = ms_wizard_server_page_get_result (MS_WIZARD_SERVER_PAGE (server_page));
  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_WRONG_SECURITY_MODE);
  assert_english (find_row_prefix (GTK_WIDGET (server_page), "Port ") != NULL);
  shoot (fixture, "wizard-server-wrong-mode");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (server_page), "wizard.use-starttls", NULL));
  assert_valid (server_page);
  assert_english (find_row_prefix (GTK_WIDGET (server_page), "Server agreed to STARTTLS") != NULL);
}

static void
test_self_signed_pin (Fixture       *fixture,
                      gconstpointer  data)
{
  MsWizardPage *server_page;
  MsResult *result;
  GtkWindow *found[2] = { NULL, NULL };
  GtkWidget *trust;
  GtkWidget *row;

  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_TLS, "selfsigned.pem");
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", "secret", MS_SECURITY_TLS, FALSE);
  server_page = page (fixture, MS_WIZARD_STEP_SERVER);
  g_assert_true (wait_until (has_server_result, server_page, WAIT_MS));
  result = ms_wizard_server_page_get_result (MS_WIZARD_SERVER_PAGE (server_page));
  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_CERTIFICATE_UNTRUSTED);
  shoot (fixture, "wizard-server-certificate");
  /* What to do about it, further down: a row of its own, at 360 px too. */
  row = find_row (GTK_WIDGET (server_page), T ("_View Certificate"));
  g_assert_true (row != NULL && gtk_widget_get_mapped (row));
  gtk_widget_grab_focus (row);
  shoot (fixture, "wizard-server-certificate-view");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (server_page), "wizard.view-certificate", NULL));
  g_assert_true (wait_until (find_dialog, found, WAIT_MS));
  g_assert_true (MS_IS_CERTIFICATE_DIALOG (found[0]));
  trust = find_widget (GTK_WIDGET (found[0]), GTK_TYPE_BUTTON, "pill");
  g_assert_true (trust != NULL && gtk_widget_get_mapped (trust));
  shoot_dialog (found[0], "certificate-dialog", TRUE);

  gtk_widget_activate (trust);
  found[1] = found[0];
  g_assert_true (wait_until (find_dialog, found, WAIT_MS));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (found[0]));
  shoot_dialog (found[0], "certificate-trust-confirmation", FALSE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (found[0]), "trust");

  assert_valid (server_page);
  result = ms_wizard_server_page_get_result (MS_WIZARD_SERVER_PAGE (server_page));
  g_assert_true (result->tls != NULL && result->tls->pinned);
}

static void
test_cancel_while_checking (Fixture       *fixture,
                            gconstpointer  data)
{
  MsWizardPage *server_page;
  gint64 start;

  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_fake_server_set_action (fixture->server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", "secret", MS_SECURITY_TLS, TRUE);
  server_page = page (fixture, MS_WIZARD_STEP_SERVER);
  g_assert_true (wait_until (has_connection, fixture->server, WAIT_MS));
  assert_english (find_row_prefix (GTK_WIDGET (server_page), "Checking localhost") != NULL);
  shoot (fixture, "wizard-server-checking");

  /* Back cancels the check: the connection closes at once and the window
   * never waits for the server. */
  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 4);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 1, 2000));
  spin (100);
  g_assert_null (ms_wizard_server_page_get_result (MS_WIZARD_SERVER_PAGE (server_page)));
}

/* ---- the demo (build-aux/run --demo), Done's actions, Save Changes ---- */

#define DEMO_ADDRESS  "demo@example.com"
#define DEMO_PASSWORD "demo-app-password"   /* MS_GUI_DEMO_PASSWORD */

static void
demo_environment (MsFakeServer *server,
                  gboolean      on)
{
  g_autofree char *port = g_strdup_printf ("%u", server != NULL ? ms_fake_server_get_port (server) : 0);
  g_autofree char *ca = ms_test_pki_file ("ca.pem");

  if (on)
    {
      g_setenv ("MAILSETUP_DEMO_HOST", "localhost", TRUE);
      g_setenv ("MAILSETUP_DEMO_PORT", port, TRUE);
      g_setenv ("MAILSETUP_DEMO_SECURITY", "tls", TRUE);
      g_setenv ("MAILSETUP_DEMO_CA_FILE", ca, TRUE);
      g_setenv ("MAILSETUP_DEMO_ADDRESS", DEMO_ADDRESS, TRUE);
    }
  else
    {
      g_unsetenv ("MAILSETUP_DEMO_HOST");
      g_unsetenv ("MAILSETUP_DEMO_PORT");
      g_unsetenv ("MAILSETUP_DEMO_SECURITY");
      g_unsetenv ("MAILSETUP_DEMO_CA_FILE");
      g_unsetenv ("MAILSETUP_DEMO_ADDRESS");
    }
  /* What MsApplication does once at start-up. */
  ms_gui_demo_load ();
}

static void
shoot_chooser (GtkWindow *chooser,
               gpointer   data)
{
  save_shot (GTK_WIDGET (chooser), "export-msmtp-chooser");
}

/* Export for msmtp through its file chooser: the file has passwordeval and
 * no password, and only its owner may read it. */
static void
check_export (Fixture    *fixture,
              GtkWidget  *done_page,
              const char *password)
{
  g_autofree char *folder = g_dir_make_tmp ("ms-export-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_assert_nonnull (folder);
  path = ms_test_gui_save_with_chooser (done_page, "wizard.export-msmtp", folder, "msmtprc",
                                        shoot_chooser, NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "passwordeval \"mailsetup-cli password 'demo-example.com'\""));
  g_assert_nonnull (strstr (contents, "account demo-example.com\n"));
  g_assert_null (strstr (contents, password));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  g_unlink (path);
  g_rmdir (folder);
}

static void
on_clipboard_text_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_clipboard_text_cb, &text);
  g_assert_true (wait_until (is_set, &text, WAIT_MS));
  return text;
}

/* Copy App Password: nothing is copied before the confirmation, then the
 * clipboard holds the password (and is cleared again here). */
static void
check_copy_password (GtkWidget  *done_page,
                     const char *password)
{
  GtkWindow *found[2] = { NULL, NULL };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (done_page), "nothing");
  g_assert_true (gtk_widget_activate_action (done_page, "wizard.copy-password", NULL));
  g_assert_true (wait_until (find_dialog, found, WAIT_MS));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (found[0]));
  before = read_clipboard (done_page);
  g_assert_cmpstr (before, ==, "nothing");
  shoot_dialog (found[0], "copy-password-confirmation", FALSE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (found[0]), "copy");
  /* The copy follows the dialog's response through the main loop: read
   * until it lands, boundedly. */
  for (gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
       g_get_monotonic_time () < end;)
    {
      g_free (after);
      after = read_clipboard (done_page);
      if (g_strcmp0 (after, password) == 0)
        break;
      spin (20);
    }
  g_assert_cmpstr (after, ==, password);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (done_page), "");
}

static GtkWidget *
find_actionable (GtkWidget  *root,
                 const char *action_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_ACTIONABLE (child)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action_name) == 0)
        return child;
      found = find_actionable (child, action_name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The Save Changes button follows the action's state. */
static gboolean
save_enabled (gpointer data)
{
  GtkWidget *button = find_actionable (data, "account.save");

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

typedef struct
{
  const char *path;
  const char *needle;
} FileWait;

static gboolean
file_holds (gpointer data)
{
  FileWait *wait = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (wait->path, &contents, NULL, NULL)
         && strstr (contents, wait->needle) != NULL;
}

/* Save Changes: a new port is checked again, then written to accounts.ini. */
static void
check_save_changes (Fixture   *fixture,
                    GtkWidget *account_page)
{
  g_autoptr(MsFakeServer) moved = ms_fake_server_new (MS_FAKE_MODE_TLS);
  g_autofree char *cert = ms_test_pki_file ("good.pem");
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");
  g_autofree char *port = NULL;
  g_autofree char *needle = NULL;
  /* G_TEST_OPTION_ISOLATE_DIRS: a throw-away config folder already. */
  g_autofree char *ini = g_build_filename (g_get_user_config_dir (), "mailsetup", "accounts.ini", NULL);
  FileWait wait;
  MsWizardPage *server_page;
  guint checks;

  ms_fake_server_set_certificate (moved, cert, key);
  ms_fake_server_set_credentials (moved, DEMO_ADDRESS, DEMO_PASSWORD);
  ms_test_fake_server_start (moved);
  port = g_strdup_printf ("%u", ms_fake_server_get_port (moved));
  needle = g_strdup_printf ("port=%s\n", port);
  server_page = MS_WIZARD_PAGE (gtk_widget_get_ancestor (find_row (account_page, T ("Port")),
                                                          MS_TYPE_WIZARD_PAGE));
  assert_valid (server_page);
  g_assert_false (save_enabled (account_page));

  checks = ms_fake_server_get_n_connections (moved);
  type_text (account_page, T ("Port"), port);
  g_assert_true (wait_until (save_enabled, account_page, WAIT_MS));
  /* The re-check went to the new port. */
  g_assert_cmpuint (ms_fake_server_get_n_connections (moved), >, checks);
  shoot (fixture, "account-changed");
  g_assert_true (gtk_widget_activate_action (account_page, "account.save", NULL));
  wait.path = ini;
  wait.needle = needle;
  g_assert_true (wait_until (file_holds, &wait, WAIT_MS));
  g_assert_true (wait_until (page_valid, server_page, WAIT_MS));
  g_assert_false (save_enabled (account_page));
}

static void
test_demo (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *address_page;
  GtkWidget *password_page;
  GtkWidget *done_page;
  GtkWidget *row;
  MsAccountsView *view;
  g_autofree char *config = NULL;

  if (fixture->window == NULL)
    return;
  if (keyring == NULL)
    {
      g_test_skip ("no private keyring");
      return;
    }
  /* What build-aux/run --demo starts: the fake server with the test PKI. */
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_fake_server_set_credentials (fixture->server, DEMO_ADDRESS, DEMO_PASSWORD);
  ms_test_fake_server_start (fixture->server);
  demo_environment (fixture->server, TRUE);
  ms_wizard_reset (fixture->wizard);

  /* Prefilled, and no DNS: the demo server is here. */
  address_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_ADDRESS));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (address_page, T ("Email address")))),
                   ==, DEMO_ADDRESS);
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  row = find_row (address_page, T ("Demo server on this computer"));
  g_assert_true (row != NULL && gtk_widget_get_visible (row));
  shoot (fixture, "demo-address");

  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  password_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD));
  assert_english (find_row_prefix (password_page, "Demo: the password is demo-app-password") != NULL);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (password_page, GTK_TYPE_PASSWORD_ENTRY, NULL)),
                         DEMO_PASSWORD);
  assert_valid (page (fixture, MS_WIZARD_STEP_PASSWORD));
  shoot (fixture, "demo-password");

  /* The server page is filled in, CA included, so the check passes. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  assert_valid (page (fixture, MS_WIZARD_STEP_SERVER));
  assert_english (find_row_prefix (GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER)), "Secure connection: TLS") != NULL);
  shoot (fixture, "demo-server");

  /* The real sign-in, test message and save from here on. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_TEST);
  assert_valid (page (fixture, MS_WIZARD_STEP_TEST));
  next (fixture);
  g_assert_true (wait_until (has_test_result, page (fixture, MS_WIZARD_STEP_TEST), WAIT_MS));
  g_assert_true (ms_result_is_ok (ms_wizard_test_page_get_result (MS_WIZARD_TEST_PAGE (page (fixture, MS_WIZARD_STEP_TEST)))));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  shoot (fixture, "demo-test-message");

  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_DONE);
  assert_valid (page (fixture, MS_WIZARD_STEP_DONE));
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "demo-example.com"), ==, 1);
  shoot (fixture, "demo-done");
  done_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_DONE));
  check_export (fixture, done_page, DEMO_PASSWORD);
  check_copy_password (done_page, DEMO_PASSWORD);

  /* The account as stored, then a changed port saved. */
  next (fixture);
  view = MS_ACCOUNTS_VIEW (ms_window_get_accounts_view (fixture->window));
  g_assert_true (wait_until (row_visible, view, WAIT_MS));
  row = find_row (GTK_WIDGET (view), DEMO_ADDRESS);
  g_assert_nonnull (row);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  g_assert_true (wait_until (row_visible, ms_accounts_view_get_account_page (view), WAIT_MS));
  check_save_changes (fixture, ms_accounts_view_get_account_page (view));

  ms_test_check_server_no_secret (fixture->server, DEMO_ADDRESS, DEMO_PASSWORD, FALSE);
  config = g_build_filename (g_get_user_config_dir (), "mailsetup", NULL);
  ms_test_assert_no_file_holds (config, DEMO_PASSWORD);
  demo_environment (NULL, FALSE);
}

static gboolean
offers_settings (gpointer data)
{
  gboolean offers = FALSE;

  g_object_get (data, "offers-settings", &offers, NULL);
  return offers;
}

static void
test_other_providers (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *address_page;
  GtkWidget *password_page;

  if (fixture->window == NULL)
    return;
  address_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_ADDRESS));

  /* Another app-password provider: its own pages, none of Google's steps. */
  type_text (address_page, T ("Email address"), "me@yahoo.com");
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  /* Built when the wizard first went to it (start-up builds only the first page). */
  password_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_PASSWORD));
  assert_english (find_row_prefix (password_page, "1. ") != NULL);
  assert_english (find_row_prefix (password_page, "3. ") == NULL);
  /* Google's help expander is not shown for another provider. */
  {
    GtkWidget *help = find_row (password_page, "No App passwords page?");

    g_assert_true (help == NULL || !gtk_widget_is_visible (help));
  }
  shoot (fixture, "wizard-app-password-yahoo");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_ADDRESS);

  /* Outlook.com takes no password: the address page says so before anything
   * runs, offers Settings → Online Accounts and does not go on
   * (tests/test-gui-goa.c walks the Online Accounts way). */
  type_text (address_page, T ("Email address"), "me@outlook.com");
  g_assert_true (wait_until (offers_settings, address_page, WAIT_MS));
  g_assert_false (ms_wizard_page_get_valid (page (fixture, MS_WIZARD_STEP_ADDRESS)));
  shoot (fixture, "wizard-address-outlook");

  /* Yahoo! JAPAN: allow mail programs first, in its own words (providers.json). */
  type_text (address_page, T ("Email address"), "taro@yahoo.co.jp");
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  assert_english (find_row_prefix (password_page, "2. In the settings, open IMAP/POP/SMTP access") != NULL);
  assert_english (find_row (password_page, "Yahoo! JAPAN ID password") != NULL);
  shoot (fixture, "wizard-password-yahoo-japan");
  /* Its server settings are what Yahoo! JAPAN usually uses: not confirmed
   * on its own pages, and the summary says so. */
  gtk_editable_set_text (GTK_EDITABLE (find_widget (password_page, GTK_TYPE_PASSWORD_ENTRY, NULL)),
                         "not-a-real-password");
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  {
    GtkWidget *server_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER));
    GtkWidget *summary = find_row_prefix (server_page, "smtp.mail.yahoo.co.jp · port 465");

    assert_english (summary != NULL && find_label (summary, "usually") != NULL);
    g_assert_true (wait_until (has_server_result, server_page, WAIT_MS));
    shoot (fixture, "wizard-server-yahoo-japan");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_ADDRESS);

  /* docomo: the IMAP password from My docomo, not the d ACCOUNT password. */
  type_text (address_page, T ("Email address"), "hanako@docomo.ne.jp");
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  assert_english (find_label (password_page, "Get Your docomo Mail IMAP Password") != NULL
                  || find_row_prefix (password_page, "1. On your phone") != NULL);
  assert_english (find_row (password_page, "IMAP password") != NULL);
  shoot (fixture, "wizard-password-docomo");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  assert_step (fixture, MS_WIZARD_STEP_ADDRESS);

  /* Zoho: the data centre is a choice, and choosing one sets the server. */
  type_text (address_page, T ("Email address"), "me@zohomail.com");
  assert_valid (page (fixture, MS_WIZARD_STEP_ADDRESS));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (password_page, GTK_TYPE_PASSWORD_ENTRY, NULL)),
                         "not-a-real-password");
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  {
    GtkWidget *server_page = GTK_WIDGET (page (fixture, MS_WIZARD_STEP_SERVER));
    GtkWidget *region = find_row (server_page, T ("Data Centre"));
    g_autoptr(MsSmtpConfig) config = NULL;

    g_assert_nonnull (region);
    g_assert_true (ADW_IS_COMBO_ROW (region));
    /* The table's order: United States, then Europe (zoho.eu). */
    adw_combo_row_set_selected (ADW_COMBO_ROW (region), 1);
    config = ms_wizard_server_page_dup_config (MS_WIZARD_SERVER_PAGE (server_page));
    g_assert_cmpstr (config->host, ==, "smtp.zoho.eu");
    g_assert_cmpuint (config->port, ==, 465);
    assert_english (find_row_prefix (server_page, "smtp.zoho.eu · port 465 · SSL/TLS") != NULL);
    g_assert_true (wait_until (has_server_result, server_page, WAIT_MS));
    shoot (fixture, "wizard-server-zoho");
  }
}

static gboolean
two_connections (gpointer data)
{
  return ms_fake_server_get_n_connections (data) >= 2;
}

/* Back from "Sign in" cancels the sign-in as Back from the server page
 * cancels the check: the page's work never outlives the page. */
static void
test_back_cancels_sign_in (Fixture       *fixture,
                           gconstpointer  data)
{
  MsWizardSignInPage *sign_in;
  gint64 start;

  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_fake_server_set_action (fixture->server, MS_FAKE_STEP_AUTH, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", "secret", MS_SECURITY_TLS, TRUE);
  assert_valid (page (fixture, MS_WIZARD_STEP_SERVER));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SIGN_IN);
  g_assert_true (wait_until (two_connections, fixture->server, WAIT_MS));
  spin (200);
  sign_in = MS_WIZARD_SIGN_IN_PAGE (page (fixture, MS_WIZARD_STEP_SIGN_IN));
  g_assert_null (ms_wizard_sign_in_page_get_result (sign_in));

  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.back", NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 4);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 2, 2000));
  spin (100);
  g_assert_null (ms_wizard_sign_in_page_get_result (sign_in));
}

static void
test_close_while_checking (Fixture       *fixture,
                           gconstpointer  data)
{
  if (fixture->window == NULL)
    return;
  start_server (fixture, MS_FAKE_MODE_TLS, "good.pem");
  ms_fake_server_set_action (fixture->server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (fixture->server);

  go_to_server_page (fixture, "me@example.invalid", "secret", MS_SECURITY_TLS, TRUE);
  g_assert_true (wait_until (has_connection, fixture->server, WAIT_MS));

  /* Closing the window cancels what it was doing. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 1, 2000));
}

static void
test_remembers_size (Fixture       *fixture,
                     gconstpointer  data)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (fixture->window == NULL)
    return;
  schema = source != NULL ? g_settings_schema_source_lookup (source, APP_ID_BASE, TRUE) : NULL;
  if (schema == NULL)
    {
      g_test_skip ("the settings schema is not compiled in the build folder");
      return;
    }
  settings = g_settings_new_full (schema, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 500, 600);
  spin (200);
  gtk_window_close (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 500);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
  g_assert_false (g_settings_get_boolean (settings, "is-maximized"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_gui_keep_system_data_dirs (data_dirs);

  /* The strings of the build folder's catalogues, as main.c binds them. */
  bindtextdomain (GETTEXT_PACKAGE, MS_TEST_BUILDDIR "/../po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (g_strcmp0 (g_getenv ("MS_TEST_LANGUAGE"), "ja") == 0)
    {
      g_setenv ("LANGUAGE", "ja", TRUE);
      translated = setlocale (LC_ALL, "ja_JP.UTF-8") != NULL;
      if (!translated)
        g_test_message ("no ja_JP.UTF-8 locale: the walk stays in English");
    }

  have_display = g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
  if (have_display)
    {
      /* A private session bus with a real keyring, before GTK touches the bus. */
      keyring = ms_test_keyring_start (TRUE, &error);
      if (keyring == NULL)
        g_test_message ("no private keyring: %s", error != NULL ? error->message : "");
      else
        start_notification_service ();
      ms_test_gui_init ();
      /* GNOME's default title bar buttons (no minimise, no maximise), so
       * that the screenshots, at 360 px too, show what GNOME users see. */
      g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
      if (g_getenv ("MS_TEST_TEXT_SCALE") != NULL)
        {
          text_scale = g_ascii_strtod (g_getenv ("MS_TEST_TEXT_SCALE"), NULL);
          g_assert_cmpfloat (text_scale, >=, 1.0);
          g_object_set (gtk_settings_get_default (),
                        "gtk-xft-dpi", (int) (96 * text_scale * 1024), NULL);
        }
      application = ms_application_new_full ("io.github.mailsetup.MailSetup.Test",
                                             G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (application), NULL, NULL));
    }

#define ADD(path, func) \
  g_test_add ("/ms/gui-window/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("smoke", test_smoke);
  ADD ("happy-path", test_happy_path);
  ADD ("wrong-password", test_wrong_password);
  ADD ("wrong-mode", test_wrong_mode);
  ADD ("self-signed-pin", test_self_signed_pin);
  ADD ("cancel-while-checking", test_cancel_while_checking);
  ADD ("back-cancels-sign-in", test_back_cancels_sign_in);
  ADD ("close-while-checking", test_close_while_checking);
  ADD ("other-providers", test_other_providers);
  ADD ("remembers-size", test_remembers_size);
#undef ADD
  g_test_add ("/ms/gui/demo", Fixture, NULL, fixture_set_up, test_demo, fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&application);
  g_clear_pointer (&keyring, ms_test_keyring_stop);
  return status;
}
