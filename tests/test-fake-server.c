/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-fake-server"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "ms-fake-server.h"
#include "ms-test-util.h"

/*
 * The fake server, driven by a raw socket and a GnuTLS client written
 * here (not the project's client: the server must be right on its own).
 */

typedef struct
{
  int                              fd;
  gnutls_session_t                 session;
  gnutls_certificate_credentials_t creds;
  GString                         *in;
} Client;

static Client *
client_connect (guint16 port)
{
  Client *client = g_new0 (Client, 1);
  struct sockaddr_in sin = { 0 };
  struct timeval tv = { 5, 0 };

  sin.sin_family = AF_INET;
  sin.sin_port = htons (port);
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  client->fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (client->fd, >=, 0);
  setsockopt (client->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  g_assert_cmpint (connect (client->fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  client->in = g_string_new (NULL);
  return client;
}

static void
client_free (Client *client)
{
  if (client->session != NULL)
    gnutls_deinit (client->session);
  if (client->creds != NULL)
    gnutls_certificate_free_credentials (client->creds);
  if (client->fd >= 0)
    close (client->fd);
  g_string_free (client->in, TRUE);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* Handshake as a client; returns the GnuTLS code. */
static int
client_tls (Client     *client,
            const char *sni,
            const char *priority)
{
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  unsigned int status = 0;
  int ret;

  gnutls_certificate_allocate_credentials (&client->creds);
  g_assert_cmpint (gnutls_certificate_set_x509_trust_file (client->creds, ca, GNUTLS_X509_FMT_PEM), ==, 1);
  gnutls_init (&client->session, GNUTLS_CLIENT);
  if (priority != NULL)
    g_assert_cmpint (gnutls_priority_set_direct (client->session, priority, NULL), ==, 0);
  else
    gnutls_set_default_priority (client->session);
  gnutls_credentials_set (client->session, GNUTLS_CRD_CERTIFICATE, client->creds);
  if (sni != NULL)
    gnutls_server_name_set (client->session, GNUTLS_NAME_DNS, sni, strlen (sni));
  gnutls_transport_set_int (client->session, client->fd);
  gnutls_handshake_set_timeout (client->session, 3000);
  do
    ret = gnutls_handshake (client->session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));
  if (ret == 0)
    {
      g_assert_cmpint (gnutls_certificate_verify_peers3 (client->session, "localhost", &status), ==, 0);
      g_assert_cmpuint (status, ==, 0);
    }
  return ret;
}

static void
client_send (Client     *client,
             const char *text)
{
  gsize len = strlen (text);

  if (client->session != NULL)
    g_assert_cmpint (gnutls_record_send (client->session, text, len), ==, (ssize_t) len);
  else
    g_assert_cmpint (send (client->fd, text, len, MSG_NOSIGNAL), ==, (ssize_t) len);
}

/* Reads more; returns octets read, 0 on EOF, -1 on error or timeout. */
static ssize_t
client_fill (Client *client)
{
  char buf[4096];
  ssize_t n;

  if (client->session != NULL)
    n = gnutls_record_recv (client->session, buf, sizeof buf);
  else
    n = recv (client->fd, buf, sizeof buf, 0);
  if (n > 0)
    g_string_append_len (client->in, buf, n);
  return n;
}

/* One complete SMTP reply (all its lines), or NULL on EOF/timeout. */
static char *
client_reply (Client *client)
{
  for (;;)
    {
      const char *p = client->in->str;

      while (p != NULL && *p != '\0')
        {
          const char *lf = strchr (p, '\n');

          if (lf == NULL)
            break;
          if (lf - p >= 4 && p[3] == ' ')
            {
              gsize len = (gsize) (lf - client->in->str) + 1;
              char *reply = g_strndup (client->in->str, len);

              g_string_erase (client->in, 0, (gssize) len);
              return reply;
            }
          p = lf + 1;
        }
      if (client_fill (client) <= 0)
        return NULL;
    }
}

static char *
client_cmd (Client     *client,
            const char *text)
{
  client_send (client, text);
  return client_reply (client);
}

#define assert_reply(client, cmd, prefix) \
  G_STMT_START { \
    g_autofree char *r_ = client_cmd ((client), (cmd)); \
    g_assert_nonnull (r_); \
    if (!g_str_has_prefix (r_, (prefix))) \
      g_error ("%s: expected %s, got %s", (cmd), (prefix), r_); \
  } G_STMT_END

static char *
plain_b64 (const char *user,
           const char *password)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();

  g_byte_array_append (raw, (const guint8 *) "\0", 1);
  g_byte_array_append (raw, (const guint8 *) user, strlen (user));
  g_byte_array_append (raw, (const guint8 *) "\0", 1);
  g_byte_array_append (raw, (const guint8 *) password, strlen (password));
  return g_base64_encode (raw->data, raw->len);
}

static void
test_pki_files (void)
{
  const char *names[] = { "ca.pem", "intermediate.pem", "leaf-key.pem", "good.pem",
                          "good-leaf.pem", "renewed.pem", "expired.pem", "notyet.pem",
                          "wrongname.pem", "selfsigned.pem", "selfsigned2.pem",
                          "unknown.pem", "unknown-ca.pem", "unknown-key.pem",
                          "weak.pem", "weak-key.pem", "sha1.pem" };
  g_autofree char *good = ms_test_pki_file ("selfsigned.pem");
  g_autofree char *renewed = ms_test_pki_file ("selfsigned2.pem");
  g_autofree char *pin1 = NULL;
  g_autofree char *pin2 = NULL;
  g_autofree char *pin3 = NULL;
  g_autofree char *weak = ms_test_pki_file ("weak.pem");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = ms_test_pki_file (names[i]);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_error ("missing %s", path);
    }

  /* Same key after renewal: same pin; another key: another pin. */
  pin1 = ms_test_spki_pin (good);
  pin2 = ms_test_spki_pin (renewed);
  pin3 = ms_test_spki_pin (weak);
  g_assert_true (g_str_has_prefix (pin1, "sha256//"));
  g_assert_cmpuint (strlen (pin1), ==, 8 + 44);
  g_assert_cmpstr (pin1, ==, pin2);
  g_assert_cmpstr (pin1, !=, pin3);
}

static void
test_plain_session (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  g_autoptr(GBytes) clear = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *ehlo = NULL;
  g_autofree char *good = plain_b64 (MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  g_autofree char *bad = plain_b64 (MS_FAKE_DEFAULT_USER, "wrong");
  g_autofree char *auth_bad = g_strdup_printf ("AUTH PLAIN %s\r\n", bad);
  g_autofree char *auth_good = g_strdup_printf ("AUTH PLAIN %s\r\n", good);

  ms_test_fake_server_start (server);
  g_assert_cmpuint (ms_fake_server_get_port (server), >, 0);
  client = client_connect (ms_fake_server_get_port (server));

  greeting = client_reply (client);
  g_assert_cmpstr (greeting, ==, "220 localhost ESMTP fake\r\n");
  ehlo = client_cmd (client, "EHLO client.example\r\n");
  g_assert_cmpstr (ehlo, ==,
                   "250-localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n"
                   "250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n");
  assert_reply (client, "STARTTLS\r\n", "502 ");
  assert_reply (client, auth_bad, "535 5.7.8");
  assert_reply (client, auth_good, "235 2.7.0");
  assert_reply (client, "MAIL FROM:<a@example.org> SIZE=20\r\n", "250 2.1.0");
  assert_reply (client, "RCPT TO:<b@example.org>\r\n", "250 2.1.5");
  assert_reply (client, "RCPT TO:<c@example.org>\r\n", "250 2.1.5");
  assert_reply (client, "DATA\r\n", "354 ");
  assert_reply (client, "Subject: x\r\n\r\n..dot\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as FAKE1");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_cmpint (client_fill (client), ==, 0);

  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_connections (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "ehlo"), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "RCPT"), ==, 2);
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  message = ms_fake_server_dup_message (server, 0);
  g_assert_cmpstr (message->mail_from, ==, "a@example.org");
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { "b@example.org", "c@example.org", NULL }));
  g_assert_cmpmem (g_bytes_get_data (message->data, NULL), g_bytes_get_size (message->data),
                   "Subject: x\r\n\r\n..dot\r\nbody\r\n", 27);
  g_assert_cmpmem (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content),
                   "Subject: x\r\n\r\n.dot\r\nbody\r\n", 26);
  g_assert_false (message->over_tls);
  g_assert_cmpstr (message->auth_user, ==, MS_FAKE_DEFAULT_USER);
  g_assert_null (ms_fake_server_dup_message (server, 1));

  clear = ms_fake_server_dup_clear_bytes (server);
  g_assert_true (ms_test_bytes_contain (clear, "MAIL FROM:<a@example.org>", FALSE));
  g_assert_true (ms_test_bytes_contain (clear, "mail from", TRUE));
  /* The recording holds the plaintext AUTH as sent. */
  g_assert_true (ms_test_bytes_contain (clear, good, FALSE));
}

/* The leak finder itself: it must fire on every form, stay quiet when clean. */
static void
test_leak_finder (void)
{
  g_autofree char *b64 = plain_b64 ("u@x", "s3cret-pw");
  g_autofree char *auth = g_strdup_printf ("C: AUTH PLAIN %s\r\n", b64);
  g_autofree char *pass = g_base64_encode ((const guchar *) "s3cret-pw", 9);
  g_autofree char *login = g_strdup_printf ("%s\r\n", pass);
  g_autofree char *z = g_base64_encode ((const guchar *) "u@x\0u@x\0s3cret-pw", 17);
  const char *found;

  g_assert_null (ms_test_find_secret ((const guint8 *) "EHLO x\r\n", 8, "u@x", "s3cret-pw"));
  g_assert_true (ms_test_check_no_secret ("clean", (const guint8 *) "AUTH PLAIN\r\n", 12, "u@x", "s3cret-pw"));
  found = ms_test_find_secret ((const guint8 *) auth, strlen (auth), "u@x", "s3cret-pw");
  g_assert_cmpstr (found, ==, "base64(\\0user\\0password)");
  found = ms_test_find_secret ((const guint8 *) login, strlen (login), "u@x", "s3cret-pw");
  g_assert_cmpstr (found, ==, "base64(password)");
  /* (With a 3-octet user, the \0user\0password form is a suffix of this one.) */
  g_assert_nonnull (ms_test_find_secret ((const guint8 *) z, strlen (z), "u@x", "s3cret-pw"));
  g_clear_pointer (&z, g_free);
  z = g_base64_encode ((const guchar *) "ab@x\0ab@x\0s3cret-pw", 19);
  found = ms_test_find_secret ((const guint8 *) z, strlen (z), "ab@x", "s3cret-pw");
  g_assert_cmpstr (found, ==, "base64(user\\0user\\0password)");
  found = ms_test_find_secret ((const guint8 *) "x s3cret-pw y", 13, "u@x", "s3cret-pw");
  g_assert_cmpstr (found, ==, "the password");
}

static void
test_auth_login_and_cancel (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *user = g_base64_encode ((const guchar *) MS_FAKE_DEFAULT_USER, strlen (MS_FAKE_DEFAULT_USER));
  g_autofree char *pass = g_base64_encode ((const guchar *) MS_FAKE_DEFAULT_PASSWORD, strlen (MS_FAKE_DEFAULT_PASSWORD));
  g_autofree char *user_line = g_strdup_printf ("%s\r\n", user);
  g_autofree char *pass_line = g_strdup_printf ("%s\r\n", pass);

  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  reply = client_reply (client);
  assert_reply (client, "EHLO c\r\n", "250-localhost");
  assert_reply (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6");
  assert_reply (client, "*\r\n", "501 5.7.0");
  assert_reply (client, "AUTH PLAIN\r\n", "334 ");
  assert_reply (client, "*\r\n", "501 5.7.0");
  assert_reply (client, "AUTH CRAM-MD5\r\n", "504 ");
  assert_reply (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6");
  assert_reply (client, user_line, "334 UGFzc3dvcmQ6");
  assert_reply (client, pass_line, "235 ");
  assert_reply (client, "AUTH LOGIN\r\n", "503 ");
  assert_reply (client, "BOGUS\r\n", "500 ");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
}

static void
test_starttls_session (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(Client) client = NULL;
  g_autoptr(GBytes) clear = NULL;
  g_autoptr(GBytes) tls = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *ehlo = NULL;
  g_autofree char *ehlo2 = NULL;
  g_autofree char *sni = NULL;
  g_autofree char *good = plain_b64 (MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  g_autofree char *auth = g_strdup_printf ("AUTH PLAIN %s\r\n", good);

  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  greeting = client_reply (client);
  g_assert_true (g_str_has_prefix (greeting, "220 "));
  ehlo = client_cmd (client, "EHLO c\r\n");
  g_assert_true (g_str_has_prefix (ehlo, "250-localhost\r\n250-STARTTLS\r\n"));
  assert_reply (client, "STARTTLS\r\n", "220 2.0.0");
  g_assert_cmpint (client_tls (client, "localhost", NULL), ==, 0);
  ehlo2 = client_cmd (client, "EHLO c\r\n");
  g_assert_null (strstr (ehlo2, "STARTTLS"));
  g_assert_nonnull (strstr (ehlo2, "AUTH PLAIN LOGIN"));
  assert_reply (client, "STARTTLS\r\n", "503 ");
  assert_reply (client, auth, "235 ");
  /* Pipelined: one write, three replies in order. */
  client_send (client, "MAIL FROM:<>\r\nRCPT TO:<r@x>\r\nDATA\r\n");
  {
    g_autofree char *r1 = client_reply (client);
    g_autofree char *r2 = client_reply (client);
    g_autofree char *r3 = client_reply (client);

    g_assert_true (g_str_has_prefix (r1, "250 2.1.0"));
    g_assert_true (g_str_has_prefix (r2, "250 2.1.5"));
    g_assert_true (g_str_has_prefix (r3, "354 "));
  }
  assert_reply (client, ".\r\n", "250 2.0.0");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));

  clear = ms_fake_server_dup_clear_bytes (server);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_cmpmem (g_bytes_get_data (clear, NULL), g_bytes_get_size (clear),
                   "EHLO c\r\nSTARTTLS\r\n", 18);
  g_assert_true (ms_test_bytes_contain (tls, "AUTH PLAIN", FALSE));
  g_assert_true (ms_test_check_nothing_in_clear (server));
  g_assert_true (ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER,
                                                 MS_FAKE_DEFAULT_PASSWORD, FALSE));
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 2);
  sni = ms_fake_server_dup_sni (server);
  g_assert_cmpstr (sni, ==, "localhost");
  g_assert_true (ms_fake_server_saw_sni (server));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_cmpstr (message->mail_from, ==, "");
  g_assert_cmpuint (g_bytes_get_size (message->data), ==, 0);
  g_assert_true (message->over_tls);
  /* Greeting, EHLO, STARTTLS, EHLO, STARTTLS, AUTH, MAIL.., dot, QUIT,
   * then EOF: the pipelined group counts once. */
  g_assert_cmpuint (ms_fake_server_get_n_waits (server), >=, 2);
  g_assert_cmpuint (ms_fake_server_get_n_waits (server), <=, 11);
}

static void
test_implicit_tls_no_sni (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GBytes) clear = NULL;

  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  g_assert_cmpint (client_tls (client, NULL, NULL), ==, 0);
  greeting = client_reply (client);
  g_assert_true (g_str_has_prefix (greeting, "220 "));
  assert_reply (client, "EHLO c\r\n", "250-localhost\r\n250-PIPELINING");
  assert_reply (client, "STARTTLS\r\n", "503 ");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_null (ms_fake_server_dup_sni (server));
  g_assert_false (ms_fake_server_saw_sni (server));
  version = ms_fake_server_dup_tls_version (server);
  g_assert_cmpstr (version, ==, "TLS1.3");
  clear = ms_fake_server_dup_clear_bytes (server);
  g_assert_cmpuint (g_bytes_get_size (clear), ==, 0);
}

static void
test_old_tls_only (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(Client) modern = NULL;
  g_autoptr(Client) old = NULL;
  g_autofree char *version = NULL;

  ms_fake_server_set_priority (server, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0");
  ms_test_fake_server_start (server);

  modern = client_connect (ms_fake_server_get_port (server));
  g_assert_cmpint (client_tls (modern, "localhost", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"), <, 0);
  old = client_connect (ms_fake_server_get_port (server));
  g_assert_cmpint (client_tls (old, "localhost", "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"), ==, 0);
  /* The client may finish its handshake before the server thread has
   * recorded it: wait for the record, boundedly. */
  for (guint i = 0; i < 200 && version == NULL; i++)
    {
      version = ms_fake_server_dup_tls_version (server);
      if (version == NULL)
        g_usleep (10000);
    }
  g_assert_cmpstr (version, ==, "TLS1.1");
}

static void
test_injection_override (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *ehlo = NULL;
  const char *injected = "220 Ready\r\n250-x\r\n250 AUTH PLAIN\r\n";
  char buf[256];
  ssize_t n;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_STARTTLS, injected);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  greeting = client_reply (client);
  ehlo = client_cmd (client, "EHLO c\r\n");
  client_send (client, "STARTTLS\r\n");
  /* One write: one segment on loopback. */
  n = recv (client->fd, buf, sizeof buf, 0);
  g_assert_cmpmem (buf, n, injected, strlen (injected));
  /* The server then expects a handshake (as a real injected server would). */
  g_assert_cmpint (client_tls (client, "localhost", NULL), ==, 0);
}

static void
test_stall_and_stop (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  struct pollfd pfd;
  gint64 start;

  ms_fake_server_set_action (server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  pfd.fd = client->fd;
  pfd.events = POLLIN;
  g_assert_cmpint (poll (&pfd, 1, 300), ==, 0);
  client_send (client, "EHLO c\r\n");
  g_assert_cmpint (poll (&pfd, 1, 300), ==, 0);
  g_assert_false (ms_fake_server_wait_finished (server, 1, 50));

  start = g_get_monotonic_time ();
  ms_fake_server_stop (server);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpint (client_fill (client), ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_finished (server), ==, 1);
  {
    g_autoptr(GBytes) clear = ms_fake_server_dup_clear_bytes (server);

    g_assert_true (ms_test_bytes_contain (clear, "EHLO c", FALSE));
  }
}

static void
test_silent_handshake (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(Client) client = NULL;
  gint64 start;

  ms_fake_server_set_action (server, MS_FAKE_STEP_HANDSHAKE, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  {
    struct timeval tv = { 0, 500000 };

    setsockopt (client->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  start = g_get_monotonic_time ();
  g_assert_cmpint (client_tls (client, "localhost", NULL), <, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 0);
}

static void
test_close_after_dot (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;

  ms_fake_server_set_action (server, MS_FAKE_STEP_DOT, MS_FAKE_ACTION_CLOSE);
  ms_fake_server_set_delay (server, MS_FAKE_STEP_MAIL, 200);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  greeting = client_reply (client);
  assert_reply (client, "EHLO c\r\n", "250-");
  {
    gint64 start = g_get_monotonic_time ();

    assert_reply (client, "MAIL FROM:<a@x>\r\n", "250 ");
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  }
  assert_reply (client, "RCPT TO:<b@x>\r\n", "250 ");
  assert_reply (client, "DATA\r\n", "354 ");
  client_send (client, "hello\r\n.\r\n");
  g_assert_null (client_reply (client));
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
}

static void
test_overrides (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;
  const char *caps[] = { "AUTH=PLAIN", "SIZE 100", NULL };

  ms_fake_server_set_reply (server, MS_FAKE_STEP_GREETING, "220-first\r\n220 second\r\n");
  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO, caps);
  ms_fake_server_set_reply (server, MS_FAKE_STEP_RCPT, "550 5.1.1 No such user\r\n");
  ms_fake_server_set_reply (server, MS_FAKE_STEP_AUTH, "334 not base64 !!\r\n");
  ms_fake_server_set_max_size (server, 100);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  greeting = client_reply (client);
  g_assert_cmpstr (greeting, ==, "220-first\r\n220 second\r\n");
  assert_reply (client, "EHLO c\r\n", "250-localhost\r\n250-AUTH=PLAIN\r\n250 SIZE 100\r\n");
  assert_reply (client, "AUTH PLAIN\r\n", "334 not base64 !!");
  assert_reply (client, "*\r\n", "501 ");
  assert_reply (client, "MAIL FROM:<a@x> SIZE=101\r\n", "552 5.3.4");
  assert_reply (client, "MAIL FROM:<a@x>\r\n", "250 ");
  assert_reply (client, "RCPT TO:<b@x>\r\n", "550 5.1.1");
  assert_reply (client, "BDAT 3 LAST\r\nabc", "250 2.0.0");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
}

static void
test_bdat_and_ipv6 (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsFakeMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  struct sockaddr_in6 sin6 = { 0 };
  g_autoptr(Client) client = g_new0 (Client, 1);

  ms_fake_server_set_address (server, "::1");
  if (!ms_fake_server_start (server, &error))
    {
      g_test_skip ("no IPv6 loopback here");
      client->fd = -1;
      client->in = g_string_new (NULL);
      return;
    }
  client->in = g_string_new (NULL);
  client->fd = socket (AF_INET6, SOCK_STREAM, 0);
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  sin6.sin6_port = htons (ms_fake_server_get_port (server));
  g_assert_cmpint (connect (client->fd, (struct sockaddr *) &sin6, sizeof sin6), ==, 0);
  greeting = client_reply (client);
  assert_reply (client, "EHLO c\r\n", "250-");
  assert_reply (client, "MAIL FROM:<a@x>\r\n", "250 ");
  assert_reply (client, "RCPT TO:<b@x>\r\n", "250 ");
  assert_reply (client, "BDAT 4\r\nab\r\n", "250 ");
  assert_reply (client, "BDAT 3 LAST\r\n.x\n", "250 2.0.0");
  assert_reply (client, "QUIT\r\n", "221 ");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (message->bdat);
  g_assert_cmpmem (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content),
                   "ab\r\n.x\n", 7);
}

static void
test_trickle_and_nul (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(Client) client = NULL;
  char buf[64];
  ssize_t n;

  ms_fake_server_set_trickle (server, TRUE);
  ms_fake_server_set_reply_len (server, MS_FAKE_STEP_GREETING, "220 a\0b\r\n", 9);
  ms_fake_server_set_delay (server, MS_FAKE_STEP_GREETING, 100);
  ms_test_fake_server_start (server);
  client = client_connect (ms_fake_server_get_port (server));
  /* The first read returns the first octets, not the whole reply. */
  n = recv (client->fd, buf, sizeof buf, 0);
  g_assert_cmpint (n, >=, 1);
  g_assert_cmpint (n, <, 9);
  g_usleep (200 * 1000);
  g_assert_cmpint (recv (client->fd, buf + n, sizeof buf - (gsize) n, 0), ==, 9 - n);
  g_assert_cmpmem (buf, 9, "220 a\0b\r\n", 9);
  assert_reply (client, "QUIT\r\n", "221 ");
}

static void
test_refuses_non_loopback (void)
{
  g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsFakeServer) tls = ms_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(GError) error = NULL;

  ms_fake_server_set_address (server, "0.0.0.0");
  g_assert_false (ms_fake_server_start (server, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (ms_fake_server_start (tls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/fake-server/pki-files", test_pki_files);
  g_test_add_func ("/ms/fake-server/plain-session", test_plain_session);
  g_test_add_func ("/ms/fake-server/leak-finder", test_leak_finder);
  g_test_add_func ("/ms/fake-server/auth-login-and-cancel", test_auth_login_and_cancel);
  g_test_add_func ("/ms/fake-server/starttls-session", test_starttls_session);
  g_test_add_func ("/ms/fake-server/implicit-tls-no-sni", test_implicit_tls_no_sni);
  g_test_add_func ("/ms/fake-server/old-tls-only", test_old_tls_only);
  g_test_add_func ("/ms/fake-server/injection-override", test_injection_override);
  g_test_add_func ("/ms/fake-server/stall-and-stop", test_stall_and_stop);
  g_test_add_func ("/ms/fake-server/silent-handshake", test_silent_handshake);
  g_test_add_func ("/ms/fake-server/close-after-dot", test_close_after_dot);
  g_test_add_func ("/ms/fake-server/overrides", test_overrides);
  g_test_add_func ("/ms/fake-server/bdat-and-ipv6", test_bdat_and_ipv6);
  g_test_add_func ("/ms/fake-server/trickle-and-nul", test_trickle_and_nul);
  g_test_add_func ("/ms/fake-server/refuses-non-loopback", test_refuses_non_loopback);

  return g_test_run ();
}
