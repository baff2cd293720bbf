/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gui-goa"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "ms-account-page.h"
#include "ms-account-store.h"
#include "ms-accounts-view.h"
#include "ms-application.h"
#include "ms-fake-server.h"
#include "ms-gui-ops.h"
#include "ms-gui-util.h"
#include "ms-test-cli.h"
#include "ms-test-goa.h"
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
 * The wizard's GNOME Online Accounts path (docs/ui.md, "Online Accounts")
 * in-process under Xvfb: a stand-in GOA service on the private session bus
 * (tests/goa-stand-in.py), the fake SMTP server taking one XOAUTH2 token.
 * A Gmail address that Online Accounts has is set up, tested and saved
 * without any password typed, and `mailsetup-cli send` then uses the saved
 * account; an address it lacks gets the Settings button; an Outlook.com
 * address gets the Online Accounts way only. The window's msmtp export asks
 * GOA first (the bytes of `mailsetup-cli export`), and the account page
 * shows GOA's settings as GOA has them when it is opened, marked as such,
 * or why GOA cannot be asked. Screenshots of the choice in
 * <builddir>/tests/gui-shots/ (gui-shots-ja/ with MS_TEST_LANGUAGE=ja).
 */

#define WAIT_MS MS_TEST_GUI_WAIT_MS

#define ADDRESS      "someone@gmail.com"
#define GOA_ID       "account_1733000000_0"
#define OUTLOOK      "someone@outlook.jp"
#define OUTLOOK_ID   "account_1733000000_1"
#define GOOD_TOKEN   "ya29.a0-stand-in-wizard-token-41d2c9e07b"
#define UNUSED_PASS  "no-password-is-ever-typed-93"

static gboolean have_display;
static gboolean translated;
static MsApplication *application;
static MsTestKeyring *keyring;

#define T(text) g_dgettext (GETTEXT_PACKAGE, text)

typedef struct
{
  MsWindow     *window;
  MsWizard     *wizard;
  MsFakeServer *server;
  MsTestGoa    *goa;
} Fixture;

/* ---- helpers ---- */

/* Short names for the shared ones (tests/ms-test-gui.h). */
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

/* The AdwActionRow titled @title: a status row (an AdwPreferencesRow, its
 * detail in a label under the title) may have the same title. */
static GtkWidget *
find_action_row (GtkWidget  *root,
                 const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_ACTION_ROW (child)
          && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;
      found = find_action_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Both widths (docs/ui.md, "The rules"), into gui-shots[-ja]. */
static void
shoot (Fixture    *fixture,
       const char *name)
{
  ms_test_gui_shoot (GTK_WINDOW (fixture->window), translated ? "gui-shots-ja" : "gui-shots",
                     name);
}

static GtkWidget *
page (Fixture      *fixture,
      MsWizardStep  step)
{
  return ms_wizard_get_page (fixture->wizard, step);
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

static gboolean
row_shown (gpointer data)
{
  return data != NULL && gtk_widget_get_visible (data) && gtk_widget_get_mapped (data);
}

static gboolean
has_result (gpointer data)
{
  return MS_IS_WIZARD_SERVER_PAGE (data) ? ms_wizard_server_page_get_result (data) != NULL
         : MS_IS_WIZARD_SIGN_IN_PAGE (data) ? ms_wizard_sign_in_page_get_result (data) != NULL
         : ms_wizard_test_page_get_result (data) != NULL;
}

static gboolean
offers (gpointer data)
{
  const char **what = data;
  gboolean value = FALSE;

  g_object_get ((gpointer) what[0], what[1], &value, NULL);
  return value;
}

/* Waits until the address page's property @name is TRUE. */
static void
assert_offers (Fixture    *fixture,
               const char *name)
{
  const char *what[] = { (const char *) page (fixture, MS_WIZARD_STEP_ADDRESS), name };

  g_assert_true (wait_until (offers, what, WAIT_MS));
}

static gboolean
is_offered (Fixture    *fixture,
            const char *name)
{
  gboolean value = FALSE;

  g_object_get (page (fixture, MS_WIZARD_STEP_ADDRESS), name, &value, NULL);
  return value;
}

static gboolean
skips_password (Fixture *fixture)
{
  gboolean skips = FALSE;

  g_object_get (fixture->wizard, "skips-password", &skips, NULL);
  return skips;
}

static void
next (Fixture *fixture)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->wizard), "wizard.next", NULL));
}

static void
type_address (Fixture    *fixture,
              const char *address)
{
  GtkWidget *row = find_row (page (fixture, MS_WIZARD_STEP_ADDRESS), T ("Email address"));

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), address);
}

/* The words of providers.json's "online_accounts", as the page shows them. */
static const char *
word (const char *untranslated)
{
  g_assert_nonnull (untranslated);
  return g_dpgettext2 (GETTEXT_PACKAGE, "provider", untranslated);
}

static void
assert_file_lacks (const char *path,
                   const char *secret)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    g_assert_null (strstr (text, secret));
}

/* ---- fixture ---- */

static char *
goa_state (guint16 port)
{
  /* GOA's "host:port" form, implicit TLS; an Outlook.com account of GOA
   * 3.46's "Microsoft" kind beside it. */
  return g_strdup_printf (
      "{\"accounts\": ["
      "{\"id\": \"" GOA_ID "\", \"provider\": \"google\", \"address\": \"" ADDRESS "\","
      " \"smtp_host\": \"localhost:%u\", \"smtp_use_ssl\": true, \"smtp_use_tls\": false,"
      " \"oauth2\": true, \"tokens\": [\"" GOOD_TOKEN "\"]},"
      "{\"id\": \"" OUTLOOK_ID "\", \"provider\": \"windows_live\", \"address\": \"" OUTLOOK "\","
      " \"smtp_host\": \"smtp-mail.outlook.com\", \"smtp_use_ssl\": false, \"smtp_use_tls\": true,"
      " \"oauth2\": true, \"tokens\": [\"unused-outlook-token\"]}"
      "]}", port);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  if (!have_display || keyring == NULL)
    {
      g_test_skip ("no display or no private keyring");
      return;
    }
  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_fake_server_set_credentials (fixture->server, ADDRESS, UNUSED_PASS);
  ms_fake_server_set_oauth_token (fixture->server, GOOD_TOKEN);
  ms_test_fake_server_start (fixture->server);
  state = goa_state (ms_fake_server_get_port (fixture->server));
  fixture->goa = ms_test_goa_start (state, &error);
  g_assert_no_error (error);

  g_assert_true (ms_gui_reload_accounts (NULL));
  fixture->window = ms_window_new (application);
  fixture->wizard = MS_WIZARD (ms_window_get_wizard (fixture->window));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 640, 720);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (wait_until (row_shown, fixture->window, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  spin (50);
  g_clear_pointer (&fixture->goa, ms_test_goa_stop);
  g_clear_pointer (&fixture->server, ms_fake_server_free);
}

/* ---- tests ---- */

static GtkWidget *
find_actionable (GtkWidget  *root,
                 const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      found = find_actionable (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* `mailsetup-cli export ID --format msmtp` with the window's folder through
 * XDG_CONFIG_HOME, as a person runs it (a --config-dir would be written
 * into the passwordeval line), in the window's language. */
static void
cli_export (MsCliRun   *run,
            const char *account_id)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  /* In the window's language: the file's first line is a translated note. */
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_LOCALEDIR", MS_TEST_BUILDDIR "/../po", TRUE);
  if (translated)
    g_subprocess_launcher_setenv (launcher, "LC_ALL", "ja_JP.UTF-8", TRUE);
  ms_cli_run_program (run, launcher, NULL, TRUE,
                      (const char *[]) { MS_CLI_PATH, "export", account_id, "--format", "msmtp",
                                         NULL });
}

/* The done page's "Export for msmtp" and `mailsetup-cli export`: the same
 * bytes, XOAUTH2 with a passwordeval, GOA's server @host now. */
static void
assert_export_same_as_cli (Fixture    *fixture,
                           const char *config_dir,
                           const char *account_id,
                           const char *host)
{
  g_auto(MsCliRun) run = { 0 };
  g_autofree char *folder = g_dir_make_tmp ("ms-goa-export-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *host_line = g_strdup_printf ("\nhost %s\n", host);

  g_assert_nonnull (folder);
  path = ms_test_gui_save_with_chooser (page (fixture, MS_WIZARD_STEP_DONE), "wizard.export-msmtp",
                                        folder, "msmtprc", NULL, NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  cli_export (&run, account_id);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, text);
  g_assert_true (g_str_has_prefix (config_dir, g_get_user_config_dir ()));
  g_assert_nonnull (strstr (text, "\nauth xoauth2\n"));
  g_assert_nonnull (strstr (text, "\npasswordeval "));
  g_assert_nonnull (strstr (text, host_line));
  g_assert_null (strstr (text, "(null)"));
  g_assert_null (strstr (text, GOOD_TOKEN));
  g_unlink (path);
  g_rmdir (folder);
}

typedef struct
{
  GtkWidget  *account_page;
  const char *host;
} HostWait;

static gboolean
page_shows_host (gpointer data)
{
  HostWait *wait = data;
  GtkWidget *server_page = gtk_widget_get_first_child (gtk_widget_get_first_child (wait->account_page));
  g_autoptr(MsSmtpConfig) config = NULL;

  for (; server_page != NULL && !MS_IS_WIZARD_SERVER_PAGE (server_page);
       server_page = gtk_widget_get_next_sibling (server_page))
    ;
  g_assert_nonnull (server_page);
  config = ms_wizard_server_page_dup_config (MS_WIZARD_SERVER_PAGE (server_page));
  return config != NULL && g_strcmp0 (config->host, wait->host) == 0;
}

static gboolean
row_has_subtitle (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (data);

  return row_shown (data) && subtitle != NULL && subtitle[0] != '\0';
}

/* Whether @root shows a label that reads @text. */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if ((GTK_IS_LABEL (child) && gtk_widget_get_mapped (child)
           && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
          || shows_label (child, text))
        return TRUE;
    }
  return FALSE;
}

/* How many showing rows of @root have @subtitle: an AdwActionRow's
 * subtitle, or a status row's detail under its title. */
static guint
count_rows_saying (GtkWidget  *root,
                   const char *subtitle)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child) && gtk_widget_get_mapped (child))
        n += shows_label (child, subtitle) ? 1 : 0;
      else
        n += count_rows_saying (child, subtitle);
    }
  return n;
}

/* Opens @account_id's page from the accounts list (as a click does) and
 * waits until it shows GOA's server @host, or, with @host NULL, the online
 * row with something to say. */
static GtkWidget *
open_account_page (Fixture    *fixture,
                   const char *account_id,
                   const char *host)
{
  MsAccountsView *view = MS_ACCOUNTS_VIEW (ms_window_get_accounts_view (fixture->window));
  GtkWidget *row;
  GtkWidget *account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "accounts.show-list", NULL));
  g_assert_true (wait_until (row_shown, find_row (GTK_WIDGET (view), ADDRESS), WAIT_MS));
  row = find_row (GTK_WIDGET (view), ADDRESS);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  account_page = ms_accounts_view_get_account_page (view);
  g_assert_true (wait_until (row_shown, account_page, WAIT_MS));
  g_assert_cmpstr (ms_account_get_id (ms_account_page_get_account (MS_ACCOUNT_PAGE (account_page))),
                   ==, account_id);
  if (host != NULL)
    {
      HostWait wait = { account_page, host };

      g_assert_true (wait_until (page_shows_host, &wait, WAIT_MS));
    }
  g_assert_true (wait_until (row_has_subtitle, find_action_row (account_page, T ("Online Accounts")),
                             WAIT_MS));
  return account_page;
}

/* The GtkButton of @root labelled @label (with its mnemonic). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_page_saved_cb (GtkWidget *account_page,
                  gboolean  *saved)
{
  *saved = TRUE;
}

/* The account page's Save for an account of Online Accounts: a port
 * changed through "Change" (a second fake server there) is stored over
 * GOA's settings, and only it; the rest keeps following Online Accounts,
 * so a server changed in Settings afterwards is used with the stored port
 * (`mailsetup-cli account show`). No keyring item is made. */
static void
check_save_over_goa (Fixture    *fixture,
                     const char *account_id,
                     const char *config_dir)
{
  g_autoptr(MsFakeServer) other = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(MsCliRun) run = { 0 };
  g_autofree char *ini_path = g_build_filename (config_dir, "accounts.ini", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *port_line = NULL;
  g_autofree char *moved = g_strdup_printf ("127.0.0.1:%u", ms_fake_server_get_port (fixture->server));
  g_autofree char *back = g_strdup_printf ("localhost:%u", ms_fake_server_get_port (fixture->server));
  GtkWidget *account_page;
  GtkWidget *server_page;
  GtkWidget *save_button;
  JsonObject *account;
  gboolean saved = FALSE;

  ms_test_fake_server_start (other);
  port_text = g_strdup_printf ("%u", ms_fake_server_get_port (other));
  port_line = g_strdup_printf ("\nport=%u\n", ms_fake_server_get_port (other));
  account_page = open_account_page (fixture, account_id, "localhost");
  server_page = gtk_widget_get_ancestor (find_row (account_page, T ("Server")), MS_TYPE_WIZARD_SERVER_PAGE);
  g_assert_nonnull (server_page);
  g_assert_true (wait_until (page_valid, server_page, WAIT_MS));
  save_button = find_actionable (account_page, "account.save");
  g_assert_false (gtk_widget_is_sensitive (save_button));

  /* "Change", then the port of the other server: checked, then saved. */
  g_signal_emit_by_name (find_button (server_page, T ("_Change")), "clicked");
  gtk_editable_set_text (GTK_EDITABLE (find_row (server_page, T ("Port"))), port_text);
  g_assert_true (wait_until (page_valid, server_page, WAIT_MS));
  g_assert_true (wait_until (is_sensitive, save_button, WAIT_MS));
  g_signal_connect (account_page, "saved", G_CALLBACK (on_page_saved_cb), &saved);
  g_assert_true (gtk_widget_activate_action (account_page, "account.save", NULL));
  g_assert_true (wait_until (flag_set, &saved, WAIT_MS));
  g_signal_handlers_disconnect_by_func (account_page, on_page_saved_cb, &saved);

  /* Only the port is stored over GOA's settings. */
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, port_line));
  g_assert_nonnull (strstr (ini, "\nonline-account=" GOA_ID "\n"));
  g_assert_nonnull (strstr (ini, "\nca-file="));
  g_assert_null (strstr (ini, "\nhost="));
  g_assert_null (strstr (ini, "\nsecurity="));
  g_assert_null (strstr (ini, "\nusername="));
  g_assert_null (strstr (ini, "password"));
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, account_id), ==, 0);

  /* Settings changes the server: GOA's new host with the stored port. */
  ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (moved));
  ms_cli_run (&run, MS_CLI_PATH, config_dir, NULL, TRUE,
              (const char *[]) { "--json", "account", "show", account_id, NULL });
  ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (back));
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  account = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "account");
  g_assert_nonnull (account);
  g_assert_cmpstr (json_object_get_string_member (account, "host"), ==, "127.0.0.1");
  g_assert_cmpint (json_object_get_int_member (account, "port"), ==, ms_fake_server_get_port (other));
  g_assert_cmpstr (json_object_get_string_member (account, "online_account"), ==, GOA_ID);
}

/* The account page of the account the wizard saved: GOA's settings marked
 * as such, the sign-in through Online Accounts, a change in Settings on
 * the next opening, and GOA's absence said plainly. */
static void
check_account_page (Fixture    *fixture,
                    const char *account_id,
                    const char *config_dir)
{
  const MsOnlineWords *words = ms_gui_online_words ();
  MsAccountsView *view;
  GtkWidget *account_page;
  GtkWidget *server_row;
  GtkWidget *online_row;
  g_autofree char *label = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *moved = g_strdup_printf ("127.0.0.1:%u", ms_fake_server_get_port (fixture->server));
  g_autofree char *back = g_strdup_printf ("localhost:%u", ms_fake_server_get_port (fixture->server));
  g_autofree char *list_text = g_strdup_printf (T ("%s · last check: all fine"), T ("Online Accounts"));
  g_auto(MsCliRun) run = { 0 };

  /* Done: the list says the account signs in through Online Accounts. */
  next (fixture);
  view = MS_ACCOUNTS_VIEW (ms_window_get_accounts_view (fixture->window));
  g_assert_true (wait_until (row_shown, find_row (GTK_WIDGET (view), ADDRESS), WAIT_MS));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (GTK_WIDGET (view), ADDRESS))),
                   ==, list_text);

  /* GOA's server (the group has none), marked as from Online Accounts. */
  account_page = open_account_page (fixture, account_id, "localhost");
  server_row = find_row (account_page, T ("Server"));
  g_assert_nonnull (server_row);
  server_row = gtk_widget_get_ancestor (server_row, MS_TYPE_WIZARD_SERVER_PAGE);
  g_object_get (server_row, "provider-label", &label, NULL);
  subtitle = ms_gui_describe_online_settings (MS_ONLINE_SETTING_HOST | MS_ONLINE_SETTING_PORT
                                              | MS_ONLINE_SETTING_SECURITY | MS_ONLINE_SETTING_USER);
  g_assert_cmpstr (label, ==, subtitle);
  online_row = find_action_row (account_page, T ("Online Accounts"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (online_row)), ==, word (words->done_note));
  g_assert_true (wait_until (page_valid, server_row, WAIT_MS));
  /* Nothing changed yet: nothing to save over GOA's settings. */
  g_assert_false (gtk_widget_is_sensitive (find_actionable (account_page, "account.save")));
  shoot (fixture, "account-online");

  /* Settings changes the server: the page shows it when opened again. */
  ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (moved));
  account_page = open_account_page (fixture, account_id, "127.0.0.1");
  ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (back));
  account_page = open_account_page (fixture, account_id, "localhost");

  check_save_over_goa (fixture, account_id, config_dir);

  /* Without Online Accounts: the page says why, as `account show` does. */
  g_clear_pointer (&fixture->goa, ms_test_goa_stop);
  cli_export (&run, account_id);
  g_assert_cmpint (run.status, !=, 0);
  account_page = open_account_page (fixture, account_id, NULL);
  online_row = find_action_row (account_page, T ("Online Accounts"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (online_row)), !=,
                   word (words->done_note));
  g_assert_nonnull (strstr (run.err, adw_action_row_get_subtitle (ADW_ACTION_ROW (online_row))));
  /* Said where the connection check would be, near the top, too. */
  spin (800);  /* longer than the server page waits before a check */
  g_assert_cmpuint (count_rows_saying (account_page,
                                       adw_action_row_get_subtitle (ADW_ACTION_ROW (online_row))),
                    ==, 2);
  shoot (fixture, "account-online-unavailable");
}

static void
check_transcript_clean (MsResult *result)
{
  gboolean saw_auth = FALSE;

  for (guint i = 0; i < result->transcript->len; i++)
    {
      const char *line = g_ptr_array_index (result->transcript, i);

      g_assert_null (strstr (line, GOOD_TOKEN));
      if (strstr (line, "AUTH XOAUTH2 <redacted>") != NULL)
        saw_auth = TRUE;
    }
  g_assert_true (saw_auth);
}

/* `mailsetup-cli send` with the account the window saved: GOA gives the
 * token again, the fake server takes the message. */
static void
send_from_cli (Fixture    *fixture,
               const char *config_dir,
               const char *account_id)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "mailsetup", NULL);

  /* The command line runs with a bare environment: the window's outbox. */
  g_setenv ("MAILSETUP_STATE_DIR", state_dir, TRUE);
  ms_cli_run (&run, MS_CLI_PATH, config_dir,
              "To: friend@localhost\nSubject: From cron\n\nThe backup finished.\n", TRUE,
              (const char *[]) { "send", "--account", account_id, "-t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, GOOD_TOKEN));
  g_assert_null (strstr (run.err, GOOD_TOKEN));
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 3, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 2);
  message = ms_fake_server_dup_message (fixture->server, 1);
  g_assert_cmpstr (message->auth_user, ==, ADDRESS);
  g_assert_cmpstr (message->rcpt_to[0], ==, "friend@localhost");
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  GtkWidget *server_page;
  g_autoptr(MsSmtpConfig) config = NULL;
  g_autoptr(MsAccount) saved = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *label = NULL;
  const MsOnlineWords *words = ms_gui_online_words ();
  MsResult *result;

  if (fixture->window == NULL)
    return;

  /* The address Online Accounts has: its way first, the app password beside it. */
  type_address (fixture, ADDRESS);
  assert_offers (fixture, "offers-choice");
  g_assert_true (wait_until (page_valid, page (fixture, MS_WIZARD_STEP_ADDRESS), WAIT_MS));
  g_assert_true (is_offered (fixture, "offers-alternative"));
  g_assert_false (is_offered (fixture, "offers-settings"));
  g_assert_true (row_shown (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS), word (words->choice))));
  g_assert_true (row_shown (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS), word (words->alternative))));
  g_assert_true (skips_password (fixture));
  /* Each choice is a row that activates its radio button (as a screen
   * reader or the keyboard does). */
  adw_action_row_activate (ADW_ACTION_ROW (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                                     word (words->alternative))));
  g_assert_false (skips_password (fixture));
  adw_action_row_activate (ADW_ACTION_ROW (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                                     word (words->choice))));
  g_assert_true (skips_password (fixture));
  shoot (fixture, "wizard-online-account");

  /* No password page: the server page, with GOA's settings. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
  g_assert_true (page (fixture, MS_WIZARD_STEP_PASSWORD) == NULL
                 || !gtk_widget_get_mapped (page (fixture, MS_WIZARD_STEP_PASSWORD)));
  server_page = page (fixture, MS_WIZARD_STEP_SERVER);
  config = ms_wizard_server_page_dup_config (MS_WIZARD_SERVER_PAGE (server_page));
  g_assert_nonnull (config);
  g_assert_cmpstr (config->host, ==, "localhost");
  g_assert_cmpuint (config->port, ==, ms_fake_server_get_port (fixture->server));
  g_assert_cmpint (config->security, ==, MS_SECURITY_TLS);
  g_object_get (server_page, "provider-label", &label, NULL);
  g_assert_cmpstr (label, ==, word (words->server_label));
  /* The test PKI's CA: the only thing set over Online Accounts' settings. */
  g_free (config->ca_file);
  config->ca_file = ms_test_pki_file ("ca.pem");
  ms_wizard_server_page_set_config (MS_WIZARD_SERVER_PAGE (server_page), config);
  ms_wizard_server_page_recheck (MS_WIZARD_SERVER_PAGE (server_page));
  g_assert_true (wait_until (page_valid, server_page, WAIT_MS));
  shoot (fixture, "wizard-online-server");

  /* Sign-in with a token, then the test message. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_TEST);
  result = ms_wizard_sign_in_page_get_result (MS_WIZARD_SIGN_IN_PAGE (page (fixture, MS_WIZARD_STEP_SIGN_IN)));
  g_assert_true (ms_result_is_ok (result));
  check_transcript_clean (result);
  g_assert_true (wait_until (page_valid, page (fixture, MS_WIZARD_STEP_TEST), WAIT_MS));
  next (fixture);
  g_assert_true (wait_until (has_result, page (fixture, MS_WIZARD_STEP_TEST), WAIT_MS));
  result = ms_wizard_test_page_get_result (MS_WIZARD_TEST_PAGE (page (fixture, MS_WIZARD_STEP_TEST)));
  g_assert_true (ms_result_is_ok (result));
  check_transcript_clean (result);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->auth_user, ==, ADDRESS);
  g_assert_true (message->over_tls);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 2);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 2);

  /* Saved as `account add --online-account` saves it: no keyring item. */
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_DONE);
  g_assert_true (wait_until (page_valid, page (fixture, MS_WIZARD_STEP_DONE), WAIT_MS));
  shoot (fixture, "wizard-online-done");
  saved = ms_account_store_lookup (ms_gui_get_accounts (), "someone-gmail.com", NULL);
  g_assert_nonnull (saved);
  account_id = g_strdup (ms_account_get_id (saved));
  g_assert_cmpstr (ms_account_get_online_account (saved), ==, GOA_ID);
  g_assert_cmpstr (ms_account_get_provider (saved), ==, "gmail");
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, account_id), ==, 0);
  config_dir = g_strdup (ms_account_store_get_config_dir (ms_gui_get_accounts ()));
  ini_path = g_build_filename (config_dir, "accounts.ini", NULL);
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "online-account=" GOA_ID "\n"));
  g_assert_null (strstr (ini, "password"));
  /* The server settings follow Online Accounts: only the CA file, set
   * over them on the server page, is stored. */
  g_assert_null (strstr (ini, "\nhost="));
  g_assert_null (strstr (ini, "\nport="));
  g_assert_nonnull (strstr (ini, "\nca-file="));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (page (fixture, MS_WIZARD_STEP_DONE),
                                                                          T ("Server")))),
                   ==, "localhost");

  /* The export asks GOA when it is written: a server changed in Settings
   * since the wizard read it is in the file, as in the command line's. */
  assert_export_same_as_cli (fixture, config_dir, account_id, "localhost");
  {
    g_autofree char *moved = g_strdup_printf ("127.0.0.1:%u", ms_fake_server_get_port (fixture->server));
    g_autofree char *back = g_strdup_printf ("localhost:%u", ms_fake_server_get_port (fixture->server));

    ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (moved));
    assert_export_same_as_cli (fixture, config_dir, account_id, "127.0.0.1");
    ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (back));
  }

  send_from_cli (fixture, config_dir, account_id);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 3);

  ms_test_assert_no_file_holds (config_dir, GOOD_TOKEN);
  ms_test_assert_no_file_holds (g_get_user_state_dir (), GOOD_TOKEN);
  assert_file_lacks (ini_path, UNUSED_PASS);
  ms_test_check_server_no_secret (fixture->server, ADDRESS, GOOD_TOKEN, FALSE);

  check_account_page (fixture, account_id, config_dir);
}

static gboolean
dialog_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          *(GtkWindow **) data = window;
          return TRUE;
        }
    }
  return FALSE;
}

/* A stand-in gnome-control-center on PATH that notes its arguments. */
static char *
fake_settings (const char *folder)
{
  g_autofree char *program = g_build_filename (folder, "gnome-control-center", NULL);
  g_autofree char *script = NULL;
  char *log = g_build_filename (folder, "settings.log", NULL);

  script = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$*\" > '%s'\n", log);
  g_assert_true (g_file_set_contents (program, script, -1, NULL));
  g_assert_cmpint (g_chmod (program, 0755), ==, 0);
  return log;
}

static void
test_settings_button (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *folder = NULL;
  g_autofree char *log = NULL;
  g_autofree char *text = NULL;
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *path = NULL;
  GtkWindow *dialog = NULL;
  const MsOnlineWords *words = ms_gui_online_words ();

  if (fixture->window == NULL)
    return;

  /* A Gmail address Online Accounts does not have: the app password way,
   * and a button for Settings → Online Accounts. */
  type_address (fixture, "other.person@gmail.com");
  assert_offers (fixture, "offers-settings");
  g_assert_true (wait_until (page_valid, page (fixture, MS_WIZARD_STEP_ADDRESS), WAIT_MS));
  g_assert_false (is_offered (fixture, "offers-choice"));
  g_assert_true (row_shown (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS), word (words->settings_button))));
  g_assert_true (row_shown (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS), word (words->check_again))));
  shoot (fixture, "wizard-online-missing");

  /* Settings is started as a program, with "online-accounts". */
  folder = g_dir_make_tmp ("ms-test-settings-XXXXXX", NULL);
  log = fake_settings (folder);
  path = g_strdup_printf ("%s:%s", folder, old_path != NULL ? old_path : "/usr/bin:/bin");
  g_setenv ("PATH", path, TRUE);
  g_assert_true (gtk_widget_activate_action (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                             "wizard.open-online-accounts", NULL));
  g_assert_true (wait_until (ms_test_gui_file_exists, log, WAIT_MS));
  spin (200);
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "online-accounts\n");

  /* Without GNOME Settings, a dialog says so and what to do. */
  g_setenv ("PATH", folder, TRUE);
  g_unlink (log);
  {
    g_autofree char *program = g_build_filename (folder, "gnome-control-center", NULL);

    g_unlink (program);
  }
  g_assert_true (gtk_widget_activate_action (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                             "wizard.open-online-accounts", NULL));
  g_assert_true (wait_until (dialog_shown, &dialog, WAIT_MS));
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==,
                   word (words->no_settings));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_setenv ("PATH", old_path != NULL ? old_path : "/usr/bin:/bin", TRUE);
  g_rmdir (folder);

  /* "Check Again" asks Online Accounts again: still nothing. */
  g_assert_true (gtk_widget_activate_action (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                             "wizard.check-online-accounts", NULL));
  spin (300);
  g_assert_true (is_offered (fixture, "offers-settings"));

  /* The account added in Settings meanwhile: GOA says so, and the page
   * offers it without any button pressed. */
  ms_test_goa_add_account (fixture->goa,
                           "{\"id\": \"account_1733000000_9\", \"provider\": \"google\","
                           " \"address\": \"other.person@gmail.com\","
                           " \"smtp_host\": \"smtp.gmail.com\", \"smtp_use_ssl\": true,"
                           " \"oauth2\": true, \"tokens\": [\"unused-token\"]}");
  assert_offers (fixture, "offers-choice");
  g_assert_false (is_offered (fixture, "offers-settings"));
  g_assert_true (skips_password (fixture));

  /* Going on with an app password instead. */
  adw_action_row_activate (ADW_ACTION_ROW (find_row (page (fixture, MS_WIZARD_STEP_ADDRESS),
                                                     word (words->alternative))));
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_PASSWORD);
}

static void
test_outlook_only (Fixture       *fixture,
                   gconstpointer  data)
{
  const MsOnlineWords *words = ms_gui_online_words ();
  GtkWidget *address_page;

  if (fixture->window == NULL)
    return;
  address_page = page (fixture, MS_WIZARD_STEP_ADDRESS);

  /* Outlook.com without an account in Online Accounts: no way on, said
   * plainly, with Settings. */
  type_address (fixture, "nobody@hotmail.co.jp");
  assert_offers (fixture, "offers-settings");
  spin (300);
  g_assert_false (ms_wizard_page_get_valid (MS_WIZARD_PAGE (address_page)));
  g_assert_false (is_offered (fixture, "offers-alternative"));
  g_assert_true (row_shown (find_row (address_page, word (words->settings_button))));
  shoot (fixture, "wizard-outlook-missing");

  /* With its account there: the Online Accounts way only. */
  type_address (fixture, OUTLOOK);
  assert_offers (fixture, "offers-choice");
  g_assert_true (wait_until (page_valid, address_page, WAIT_MS));
  g_assert_false (is_offered (fixture, "offers-alternative"));
  g_assert_false (row_shown (find_row (address_page, word (words->alternative))));
  shoot (fixture, "wizard-outlook-online-account");
  next (fixture);
  assert_step (fixture, MS_WIZARD_STEP_SERVER);
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
      /* A private session bus with a real keyring; the stand-in Online
       * Accounts service joins it per test. */
      keyring = ms_test_keyring_start (TRUE, &error);
      if (keyring == NULL)
        g_test_message ("no private keyring: %s", error != NULL ? error->message : "");
      ms_test_gui_init ();
      /* GNOME's title bar buttons, as the screenshots of test-gui-window. */
      g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
      application = ms_application_new_full ("io.github.mailsetup.MailSetup.TestGoa",
                                             G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (application), NULL, NULL));
    }

#define ADD(path, func) \
  g_test_add ("/ms/gui-goa/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("sign-in", test_sign_in);
  ADD ("settings-button", test_settings_button);
  ADD ("outlook-only", test_outlook_only);
#undef ADD

  status = g_test_run ();
  /* Operations the last window cancelled finish on worker threads and
   * call back here: let them end before the bus and the process go
   * (a crash at exit was seen once in about 40 runs). */
  if (have_display)
    spin (500);
  g_clear_object (&application);
  g_clear_pointer (&keyring, ms_test_keyring_stop);
  return status;
}
