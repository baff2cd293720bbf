/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-bench-server"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gio.h>

#include "ms-fake-server.h"

/*
 * ms-bench-server: the fake SMTP server (tests/ms-fake-server.c) for the
 * benchmarks, on 127.0.0.1, with CHUNKING optional. Messages are counted
 * and dropped. The password is the first line of --password-file.
 *
 *   ms-bench-server --mode tls|starttls --cert FILE --key FILE
 *                   --user USER --password-file FILE [--chunking] [--port N]
 *                   [--max-size OCTETS]
 *
 * Prints "listening on PORT", then "message N" for each message accepted,
 * and serves until SIGINT or SIGTERM.
 */


static void
on_message (const MsFakeMessage *message,
            gpointer             user_data)
{
  guint *count = user_data;

  printf ("message %u%s\n", ++*count, message->bdat ? " (BDAT)" : "");
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
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (file, &contents, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }
  contents[strcspn (contents, "\r\n")] = '\0';

  return g_steal_pointer (&contents);
}

static gboolean
configure (MsFakeServer *server,
           const char   *cert,
           const char   *key,
           const char   *user,
           const char   *password_file,
           gboolean      chunking,
           gsize         max_size)
{
  g_autofree char *password = read_password (password_file);
  g_autofree char *size = g_strdup_printf ("SIZE %" G_GSIZE_FORMAT, max_size);
  const char *capabilities[] = {
    "PIPELINING", "8BITMIME", size, "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES",
    chunking ? "CHUNKING" : NULL, NULL
  };

  if (password == NULL)
    return FALSE;
  ms_fake_server_set_certificate (server, cert, key);
  ms_fake_server_set_credentials (server, user, password);
  memset (password, 0, strlen (password));
  ms_fake_server_set_max_size (server, max_size);
  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, capabilities);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  g_autofree char *mode = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  gboolean chunking = FALSE;
  gint64 max_size = MS_FAKE_DEFAULT_MAX_SIZE;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port (0: any free one)", "N" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "tls or starttls", "MODE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Certificate chain (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Private key (PEM)", "FILE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "The user AUTH accepts", "USER" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "The password AUTH accepts (first line)", "FILE" },
    { "chunking", 0, 0, G_OPTION_ARG_NONE, &chunking, "Offer CHUNKING over TLS", NULL },
    { "max-size", 0, 0, G_OPTION_ARG_INT64, &max_size, "SIZE, and the largest message taken",
      "OCTETS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- SMTP server for benchmarks");
  g_autoptr(GError) error = NULL;
  g_autoptr(MsFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint count = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || max_size < 1 || cert == NULL || key == NULL || user == NULL
      || password_file == NULL || (g_strcmp0 (mode, "tls") != 0 && g_strcmp0 (mode, "starttls") != 0))
    {
      g_printerr ("Give --mode tls|starttls, --cert, --key, --user and --password-file\n");
      return 2;
    }

  server = ms_fake_server_new (g_str_equal (mode, "tls") ? MS_FAKE_MODE_TLS : MS_FAKE_MODE_STARTTLS);
  ms_fake_server_set_port (server, (guint16) port);
  if (!configure (server, cert, key, user, password_file, chunking, max_size))
    return 2;
  ms_fake_server_set_message_func (server, on_message, &count);
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

  return 0;
}
