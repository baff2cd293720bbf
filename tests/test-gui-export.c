/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gui-export"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ms-application.h"
#include "ms-fake-server.h"
#include "ms-gui-ops.h"
#include "ms-test-gui.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"
#include "ms-wizard-done-page.h"

/*
 * The msmtp export is written once (src/core/ms-export.c): the window's
 * "Export for msmtp" and `mailsetup-cli export --format msmtp` must write
 * the same bytes for the same account, and msmtp must take the file. Three
 * accounts: a plain one (the system's trust), one that trusts a CA file,
 * and one whose certificate is trusted by pin. Each is saved by the
 * wizard's last page (accounts.ini and the keyring, as a person would),
 * exported through its file chooser, then by the command line; `msmtp
 * --pretend` reads each file, including its passwordeval (so
 * `mailsetup-cli password` really runs against the keyring), and the
 * CA-file account sends a real message to the fake server with msmtp.
 */

#define WAIT_MS MS_TEST_GUI_WAIT_MS

static gboolean have_display;
static MsTestKeyring *keyring;
static MsApplication *application;

static gboolean
page_valid (gpointer data)
{
  return ms_wizard_page_get_valid (MS_WIZARD_PAGE (data));
}

/* Saves @account with the wizard's last page, then exports it through the
 * page's file chooser into @folder. Returns: the file's path. */
static char *
export_from_window (MsAccount  *account,
                    const char *password,
                    const char *folder)
{
  g_autoptr(MsPassword) secret = ms_password_new (password, strlen (password));
  g_autofree char *name = g_strdup_printf ("%s.msmtprc", ms_account_get_id (account));
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = g_object_new (MS_TYPE_WIZARD_DONE_PAGE, NULL);
  char *path;

  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ms_wizard_done_page_set_account (MS_WIZARD_DONE_PAGE (page), account, secret, FALSE);
  ms_wizard_page_enter (MS_WIZARD_PAGE (page));
  g_assert_true (ms_test_gui_wait_until (page_valid, page, WAIT_MS));

  path = ms_test_gui_save_with_chooser (page, "wizard.export-msmtp", folder, name, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));

  return path;
}

/* A program (mailsetup-cli, msmtp) with the build's mailsetup-cli first on
 * PATH and the window's configuration folder. Its standard error goes to
 * @output too. */
static int
run (const char * const *argv,
     const char         *input,
     char              **output)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *cli_dir = g_path_get_dirname (MS_CLI_PATH);
  g_autofree char *path = g_strdup_printf ("%s:%s", cli_dir, g_getenv ("PATH"));
  g_autofree char *errors = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, output, &errors, &error);
  g_assert_no_error (error);
  g_test_message ("%s %s: %s%s", argv[0], argv[1], *output, errors);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static void
check_account (MsAccount  *account,
               const char *password,
               const char *folder)
{
  const char *id = ms_account_get_id (account);
  g_autofree char *window_path = export_from_window (account, password, folder);
  g_autofree char *window_text = NULL;
  g_autofree char *cli_text = NULL;
  g_autofree char *msmtp_out = NULL;
  GStatBuf st;

  g_assert_cmpint (run ((const char *[]) { MS_CLI_PATH, "export", id, "--format", "msmtp", NULL },
                        "", &cli_text), ==, 0);
  g_assert_true (g_file_get_contents (window_path, &window_text, NULL, NULL));
  g_assert_cmpstr (window_text, ==, cli_text);

  g_assert_null (strstr (window_text, password));
  g_assert_cmpint (g_stat (window_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  /* msmtp reads it, runs its passwordeval, and has no complaint. */
  g_assert_cmpint (run ((const char *[]) { "msmtp", "--pretend", "-C", window_path,
                                                 "-a", id, "nobody@localhost", NULL },
                              "", &msmtp_out), ==, 0);
  g_assert_nonnull (strstr (msmtp_out, "password = *"));
  g_assert_null (strstr (msmtp_out, password));
}

static MsAccount *
new_account (const char *address,
             const char *host,
             guint16     port,
             MsSecurity  security,
             const char *ca_file,
             const char *pin)
{
  g_autoptr(MsSmtpConfig) config = ms_smtp_config_new ();

  config->host = g_strdup (host);
  config->port = port;
  config->security = security;
  config->username = g_strdup (address);
  config->ca_file = g_strdup (ca_file);
  config->pin = g_strdup (pin);
  return ms_gui_new_account (address, NULL, config);
}

static void
test_export_same_as_cli (void)
{
  g_autoptr(MsFakeServer) server = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_autofree char *good = ms_test_pki_file ("good.pem");
  g_autofree char *pin = ms_test_spki_pin (good);
  g_autoptr(MsAccount) plain = NULL;
  g_autoptr(MsAccount) with_ca = NULL;
  g_autoptr(MsAccount) pinned = NULL;
  g_autofree char *ca_path = NULL;
  g_autofree char *send_out = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msmtp = NULL;

  if (!have_display)
    {
      g_test_skip ("no display (DISPLAY or WAYLAND_DISPLAY)");
      return;
    }
  if (ms_test_keyring_skip_if_absent (keyring, NULL))
    return;
  if ((msmtp = g_find_program_in_path ("msmtp")) == NULL)
    {
      g_test_skip ("no msmtp (build-aux/test installs it)");
      return;
    }

  server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (server);
  folder = g_dir_make_tmp ("ms-export-XXXXXX", &error);
  g_assert_no_error (error);

  /* The first one saved becomes the default: msmtp's default too. */
  plain = new_account ("plain@example.com", "smtp.example.com", 587, MS_SECURITY_STARTTLS,
                       NULL, NULL);
  check_account (plain, "plain-not-a-real-password", folder);

  with_ca = new_account (MS_FAKE_DEFAULT_USER, "localhost", ms_fake_server_get_port (server),
                         MS_SECURITY_TLS, ca, NULL);
  check_account (with_ca, MS_FAKE_DEFAULT_PASSWORD, folder);

  pinned = new_account ("pinned@example.com", "localhost", 465, MS_SECURITY_TLS, NULL, pin);
  check_account (pinned, "pinned-not-a-real-password", folder);

  /* What the files say, once (the byte-for-byte check is above). */
  ca_path = g_build_filename (folder, "plain-example.com.msmtprc", NULL);
  g_assert_true (g_file_get_contents (ca_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "tls_starttls on\ntls_trust_file system\n"));
  g_assert_nonnull (strstr (text, "\naccount default : plain-example.com\n"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&ca_path, g_free);
  ca_path = g_build_filename (folder, "pinned-example.com.msmtprc", NULL);
  g_assert_true (g_file_get_contents (ca_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, pin));
  g_assert_null (strstr (text, "account default"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&ca_path, g_free);

  /* The CA-file account's file sends for real: msmtp trusts the test CA
   * through tls_trust_file and signs in with the keyring's password. */
  ca_path = g_build_filename (folder, "user-localhost.msmtprc", NULL);
  g_assert_true (g_file_get_contents (ca_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, ca));
  g_assert_cmpint (run ((const char *[]) { "msmtp", "-C", ca_path, "-a", "user-localhost",
                                                 MS_FAKE_DEFAULT_USER, NULL },
                              "Subject: exported\r\n\r\nSent by msmtp with the export.\r\n",
                              &send_out), ==, 0);
  g_assert_true (ms_fake_server_wait_finished (server, 1, WAIT_MS));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);

  for (const char *const *id = (const char *[]) { "plain-example.com", "user-localhost",
                                                  "pinned-example.com", NULL };
       *id != NULL; id++)
    {
      g_autofree char *name = g_strdup_printf ("%s.msmtprc", *id);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
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

  have_display = g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
  if (have_display)
    {
      /* A private session bus with a real keyring, before GTK touches the bus. */
      keyring = ms_test_keyring_start (TRUE, &error);
      if (keyring == NULL)
        g_test_message ("no private keyring: %s", error != NULL ? error->message : "");
      ms_test_gui_init ();
      /* Its start-up registers the window's resources, as in the app. */
      application = ms_application_new_full ("io.github.mailsetup.MailSetup.ExportTest",
                                             G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (application), NULL, NULL));
    }

  g_test_add_func ("/ms/gui-export/same-as-cli", test_export_same_as_cli);

  status = g_test_run ();
  g_clear_object (&application);
  g_clear_pointer (&keyring, ms_test_keyring_stop);
  return status;
}
