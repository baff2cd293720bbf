/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-fake-server-main"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gio.h>

#include "ms-fake-server.h"

/*
 * ms-fake-server: the test SMTP server as a program, for demos and
 * benchmarks. Loopback only. The password comes from a file or from the
 * first line of stdin, never from the command line; so does the access
 * token XOAUTH2 and OAUTHBEARER take (--oauth-token-file: with it alone,
 * the token is the only way to sign in).
 *
 *   ms-fake-server --mode starttls --cert good.pem --key leaf-key.pem \
 *                  --user me@localhost --password-file pw.txt [--port N]
 *                  [--oauth-token-file token.txt] [--spool DIR] [--verbose]
 *
 * Prints "listening on PORT" and serves until SIGINT or SIGTERM.
 */

typedef struct
{
  char  *spool;
  guint  n;
} Sink;

static void
on_message (const MsFakeMessage *message,
            gpointer             user_data)
{
  Sink *sink = user_data;
  g_autofree char *rcpts = g_strjoinv (",", message->rcpt_to);

  sink->n++;
  printf ("message %u from <%s> to <%s> (%" G_GSIZE_FORMAT " octets)\n",
          sink->n, message->mail_from, rcpts, g_bytes_get_size (message->content));
  if (sink->spool != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%u.eml", sink->n);
      g_autofree char *path = g_build_filename (sink->spool, name, NULL);
      g_autoptr(GError) error = NULL;

      if (!g_file_set_contents (path, g_bytes_get_data (message->content, NULL),
                                (gssize) g_bytes_get_size (message->content), &error))
        g_printerr ("%s\n", error->message);
    }
  else
    fwrite (g_bytes_get_data (message->content, NULL), 1,
            g_bytes_get_size (message->content), stdout);
  fflush (stdout);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static char *
read_password (const char *file)
{
  g_autofree char *contents = NULL;
  char line[1024];

  if (file != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (file, &contents, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return NULL;
        }
      contents[strcspn (contents, "\r\n")] = '\0';
      return g_steal_pointer (&contents);
    }
  if (isatty (STDIN_FILENO))
    return NULL;
  if (fgets (line, sizeof line, stdin) == NULL)
    return NULL;
  line[strcspn (line, "\r\n")] = '\0';
  contents = g_strdup (line);
  memset (line, 0, sizeof line);
  return g_steal_pointer (&contents);
}

static gboolean
parse_mode (const char *name,
            MsFakeMode *mode)
{
  if (g_strcmp0 (name, "tls") == 0)
    *mode = MS_FAKE_MODE_TLS;
  else if (g_strcmp0 (name, "starttls") == 0)
    *mode = MS_FAKE_MODE_STARTTLS;
  else if (g_strcmp0 (name, "plain") == 0)
    *mode = MS_FAKE_MODE_PLAIN;
  else
    return FALSE;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  g_autofree char *mode_name = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *address = NULL;
  gboolean verbose = FALSE;
  Sink sink = { NULL, 0 };
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port (0: any free one)", "N" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name, "tls, starttls or plain", "MODE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Certificate chain (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Private key (PEM)", "FILE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "The user AUTH accepts", "USER" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "The password AUTH accepts (default: first line of stdin)", "FILE" },
    { "oauth-token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "The access token XOAUTH2 and OAUTHBEARER accept (first line); without"
      " --password-file, only it signs --user in", "FILE" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "127.0.0.1 or ::1", "ADDR" },
    { "spool", 0, 0, G_OPTION_ARG_FILENAME, &sink.spool, "Write messages to DIR/N.eml", "DIR" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print the dialogue to stderr", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- fake SMTP server");
  g_autoptr(GError) error = NULL;
  g_autoptr(MsFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  MsFakeMode mode = MS_FAKE_MODE_STARTTLS;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (mode_name != NULL && !parse_mode (mode_name, &mode))
    {
      g_printerr ("--mode: tls, starttls or plain\n");
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("--port: 0 to 65535\n");
      return 2;
    }

  server = ms_fake_server_new (mode);
  ms_fake_server_set_port (server, (guint16) port);
  if (address != NULL)
    ms_fake_server_set_address (server, address);
  if (cert != NULL)
    ms_fake_server_set_certificate (server, cert, key != NULL ? key : cert);
  if (token_file != NULL)
    {
      g_autofree char *token = read_password (token_file);

      if (token == NULL || *token == '\0')
        {
          g_printerr ("--oauth-token-file: no token\n");
          return 2;
        }
      ms_fake_server_set_oauth_token (server, token);
      memset (token, 0, strlen (token));
    }
  if (token_file != NULL && password_file == NULL)
    {
      /* A password nobody knows: the user signs in with the token only. */
      g_autofree char *unknown = g_uuid_string_random ();

      ms_fake_server_set_credentials (server, user != NULL ? user : MS_FAKE_DEFAULT_USER, unknown);
    }
  else if (user != NULL || password_file != NULL)
    {
      g_autofree char *password = read_password (password_file);

      if (password == NULL)
        {
          g_printerr ("No password: give --password-file or one line on stdin\n");
          return 2;
        }
      ms_fake_server_set_credentials (server, user != NULL ? user : MS_FAKE_DEFAULT_USER, password);
      memset (password, 0, strlen (password));
    }
  ms_fake_server_set_verbose (server, verbose);
  ms_fake_server_set_message_func (server, on_message, &sink);
  if (sink.spool != NULL)
    g_mkdir_with_parents (sink.spool, 0700);

  if (!ms_fake_server_start (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("listening on %u\n", ms_fake_server_get_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);

  ms_fake_server_stop (server);
  g_free (sink.spool);
  return 0;
}
