/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-fake-server"

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "ms-fake-server.h"

#define LINE_CAP        (64 * 1024)
#define READ_CHUNK      16384

typedef enum
{
  STEP_CONTINUE,
  STEP_STOP,
} StepOutcome;

struct _MsFakeServer
{
  /* Configuration: written before start, read only afterwards. */
  MsFakeMode         mode;
  char              *cert_file;
  char              *key_file;
  char              *priority;
  char              *address;
  guint16            port;
  char              *user;
  char              *password;
  char              *oauth_token;  /* the one access token XOAUTH2/OAUTHBEARER take */
  gsize              max_size;
  char             **caps[2];
  gboolean           caps_set[2];
  GBytes            *reply[MS_FAKE_N_STEPS];
  MsFakeAction       action[MS_FAKE_N_STEPS];
  guint              delay[MS_FAKE_N_STEPS];
  gboolean           verbose;
  gboolean           trickle;
  gboolean           require_auth;
  GHashTable        *rcpt_replies;   /* lower-case address -> reply */
  MsFakeMessageFunc  message_func;
  gpointer           message_data;

  /* Runtime. */
  gnutls_certificate_credentials_t creds;
  gnutls_priority_t  prio;
  int                listen_fd;
  int                stop_pipe[2];
  GThread           *accept_thread;
  gboolean           started;

  /* Guarded by mutex. */
  GMutex             mutex;
  GCond              cond;
  GPtrArray         *threads;
  GByteArray        *clear;
  GByteArray        *tls;
  guint              n_connections;
  guint              n_finished;
  guint              n_handshakes;
  guint              n_waits;
  guint              n_auth_ok;
  guint              n_oauth_refused;
  GHashTable        *commands;
  char              *sni;
  gboolean           saw_sni;
  char              *tls_version;
  GPtrArray         *messages;
};

typedef struct
{
  MsFakeServer     *server;
  int               fd;
  guint             id;
  gnutls_session_t  session;
  GByteArray       *in;
  char             *auth_user;
  char             *mail_from;
  GPtrArray        *rcpts;
  GByteArray       *bdat;
  gboolean          in_transaction;
} Conn;

static const char *default_caps[] = {
  "PIPELINING", "8BITMIME", "SIZE %" G_GSIZE_FORMAT, "AUTH PLAIN LOGIN",
  "ENHANCEDSTATUSCODES", NULL,
};

void
ms_fake_message_free (MsFakeMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->mail_from);
  g_strfreev (message->rcpt_to);
  g_clear_pointer (&message->data, g_bytes_unref);
  g_clear_pointer (&message->content, g_bytes_unref);
  g_free (message->auth_user);
  g_free (message);
}

static MsFakeMessage *
message_copy (const MsFakeMessage *message)
{
  MsFakeMessage *copy = g_new0 (MsFakeMessage, 1);

  copy->mail_from = g_strdup (message->mail_from);
  copy->rcpt_to = g_strdupv (message->rcpt_to);
  copy->data = g_bytes_ref (message->data);
  copy->content = g_bytes_ref (message->content);
  copy->bdat = message->bdat;
  copy->over_tls = message->over_tls;
  copy->auth_user = g_strdup (message->auth_user);
  return copy;
}

/**
 * ms_fake_server_new:
 * @mode: how the server speaks TLS
 *
 * Returns: (transfer full): a server, configured with the defaults and not
 *   started.
 */
MsFakeServer *
ms_fake_server_new (MsFakeMode mode)
{
  MsFakeServer *server = g_new0 (MsFakeServer, 1);

  server->mode = mode;
  server->priority = g_strdup ("NORMAL");
  server->address = g_strdup ("127.0.0.1");
  server->user = g_strdup (MS_FAKE_DEFAULT_USER);
  server->password = g_strdup (MS_FAKE_DEFAULT_PASSWORD);
  server->max_size = MS_FAKE_DEFAULT_MAX_SIZE;
  server->listen_fd = -1;
  server->stop_pipe[0] = server->stop_pipe[1] = -1;
  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->threads = g_ptr_array_new ();
  server->clear = g_byte_array_new ();
  server->tls = g_byte_array_new ();
  server->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_fake_message_free);
  server->rcpt_replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return server;
}

/**
 * ms_fake_server_free:
 * @server: (transfer full) (nullable): a server
 *
 * Stops @server if it runs, then frees it.
 */
void
ms_fake_server_free (MsFakeServer *server)
{
  if (server == NULL)
    return;

  ms_fake_server_stop (server);
  g_free (server->cert_file);
  g_free (server->key_file);
  g_free (server->priority);
  g_free (server->address);
  g_free (server->user);
  if (server->password != NULL)
    memset (server->password, 0, strlen (server->password));
  g_free (server->password);
  if (server->oauth_token != NULL)
    memset (server->oauth_token, 0, strlen (server->oauth_token));
  g_free (server->oauth_token);
  g_strfreev (server->caps[0]);
  g_strfreev (server->caps[1]);
  for (guint i = 0; i < MS_FAKE_N_STEPS; i++)
    g_clear_pointer (&server->reply[i], g_bytes_unref);
  g_ptr_array_unref (server->threads);
  g_byte_array_unref (server->clear);
  g_byte_array_unref (server->tls);
  g_hash_table_unref (server->commands);
  g_free (server->sni);
  g_free (server->tls_version);
  g_ptr_array_unref (server->messages);
  g_hash_table_unref (server->rcpt_replies);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

void
ms_fake_server_set_certificate (MsFakeServer *server,
                                const char   *cert_file,
                                const char   *key_file)
{
  g_return_if_fail (!server->started);
  g_free (server->cert_file);
  g_free (server->key_file);
  server->cert_file = g_strdup (cert_file);
  server->key_file = g_strdup (key_file);
}

void
ms_fake_server_set_priority (MsFakeServer *server,
                             const char   *priority)
{
  g_return_if_fail (!server->started);
  g_free (server->priority);
  server->priority = g_strdup (priority != NULL ? priority : "NORMAL");
}

void
ms_fake_server_set_address (MsFakeServer *server,
                            const char   *address)
{
  g_return_if_fail (!server->started);
  g_free (server->address);
  server->address = g_strdup (address);
}

void
ms_fake_server_set_port (MsFakeServer *server,
                         guint16       port)
{
  g_return_if_fail (!server->started);
  server->port = port;
}

void
ms_fake_server_set_credentials (MsFakeServer *server,
                                const char   *user,
                                const char   *password)
{
  g_return_if_fail (!server->started);
  g_free (server->user);
  if (server->password != NULL)
    memset (server->password, 0, strlen (server->password));
  g_free (server->password);
  server->user = g_strdup (user);
  server->password = g_strdup (password);
}

void
ms_fake_server_set_oauth_token (MsFakeServer *server,
                                const char   *token)
{
  g_return_if_fail (!server->started);
  if (server->oauth_token != NULL)
    memset (server->oauth_token, 0, strlen (server->oauth_token));
  g_free (server->oauth_token);
  server->oauth_token = g_strdup (token);
}

void
ms_fake_server_set_max_size (MsFakeServer *server,
                             gsize         max_size)
{
  g_return_if_fail (!server->started);
  server->max_size = max_size;
}

void
ms_fake_server_set_capabilities (MsFakeServer      *server,
                                 MsFakeStep         step,
                                 const char *const *capabilities)
{
  guint i;

  g_return_if_fail (!server->started);
  g_return_if_fail (step == MS_FAKE_STEP_EHLO || step == MS_FAKE_STEP_EHLO_TLS);

  i = step == MS_FAKE_STEP_EHLO ? 0 : 1;
  g_strfreev (server->caps[i]);
  server->caps[i] = g_strdupv ((char **) capabilities);
  server->caps_set[i] = capabilities != NULL;
}

void
ms_fake_server_set_reply (MsFakeServer *server,
                          MsFakeStep    step,
                          const char   *raw)
{
  ms_fake_server_set_reply_len (server, step, raw, raw != NULL ? strlen (raw) : 0);
}

void
ms_fake_server_set_reply_len (MsFakeServer *server,
                              MsFakeStep    step,
                              const char   *raw,
                              gsize         len)
{
  g_return_if_fail (!server->started);
  g_return_if_fail (step < MS_FAKE_N_STEPS);
  g_clear_pointer (&server->reply[step], g_bytes_unref);
  if (raw != NULL)
    server->reply[step] = g_bytes_new (raw, len);
}

void
ms_fake_server_set_trickle (MsFakeServer *server,
                            gboolean      trickle)
{
  g_return_if_fail (!server->started);
  server->trickle = trickle;
}

void
ms_fake_server_set_recipient_reply (MsFakeServer *server,
                                    const char   *address,
                                    const char   *raw)
{
  g_return_if_fail (!server->started);
  g_hash_table_replace (server->rcpt_replies, g_ascii_strdown (address, -1), g_strdup (raw));
}

void
ms_fake_server_set_require_auth (MsFakeServer *server,
                                 gboolean      require_auth)
{
  g_return_if_fail (!server->started);
  server->require_auth = require_auth;
}

void
ms_fake_server_set_action (MsFakeServer *server,
                           MsFakeStep    step,
                           MsFakeAction  action)
{
  g_return_if_fail (!server->started);
  g_return_if_fail (step < MS_FAKE_N_STEPS);
  server->action[step] = action;
}

void
ms_fake_server_set_delay (MsFakeServer *server,
                          MsFakeStep    step,
                          guint         delay_ms)
{
  g_return_if_fail (!server->started);
  g_return_if_fail (step < MS_FAKE_N_STEPS);
  server->delay[step] = delay_ms;
}

void
ms_fake_server_set_verbose (MsFakeServer *server,
                            gboolean      verbose)
{
  server->verbose = verbose;
}

void
ms_fake_server_set_message_func (MsFakeServer      *server,
                                 MsFakeMessageFunc  func,
                                 gpointer           user_data)
{
  g_return_if_fail (!server->started);
  server->message_func = func;
  server->message_data = user_data;
}

/* ---- low-level I/O ---- */

static gboolean
server_stopping (MsFakeServer *server)
{
  struct pollfd pfd = { server->stop_pipe[0], POLLIN, 0 };

  return poll (&pfd, 1, 0) > 0;
}

/* Waits until @fd has @events, the server stops, or @timeout_ms passes
 * (-1: forever). Returns 1 when ready, 0 on timeout, -1 when stopping. */
static int
wait_fd (MsFakeServer *server,
         int           fd,
         short         events,
         int           timeout_ms)
{
  struct pollfd pfds[2] = {
    { server->stop_pipe[0], POLLIN, 0 },
    { fd, events, 0 },
  };

  for (;;)
    {
      int n = poll (pfds, fd >= 0 ? 2 : 1, timeout_ms);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || pfds[0].revents != 0)
        return -1;
      if (n == 0)
        return 0;
      return 1;
    }
}

static void
sleep_ms (MsFakeServer *server,
          guint         ms)
{
  if (ms > 0)
    wait_fd (server, -1, 0, (int) ms);
}

static ssize_t
raw_push (gnutls_transport_ptr_t ptr,
          const void            *data,
          size_t                 len)
{
  Conn *conn = ptr;

  for (;;)
    {
      ssize_t n = send (conn->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
      if (wait_fd (conn->server, conn->fd, POLLOUT, -1) < 0)
        {
          errno = ECONNRESET;
          return -1;
        }
    }
}

static ssize_t
raw_pull (gnutls_transport_ptr_t ptr,
          void                  *data,
          size_t                 len)
{
  Conn *conn = ptr;

  for (;;)
    {
      ssize_t n;

      if (wait_fd (conn->server, conn->fd, POLLIN, -1) < 0)
        {
          errno = ECONNRESET;
          return -1;
        }
      n = recv (conn->fd, data, len, MSG_DONTWAIT);
      if (n >= 0)
        return n;
      if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
    }
}

static void
record (Conn         *conn,
        const guint8 *data,
        gsize         len)
{
  MsFakeServer *server = conn->server;

  g_mutex_lock (&server->mutex);
  g_byte_array_append (conn->session != NULL ? server->tls : server->clear, data, len);
  g_mutex_unlock (&server->mutex);
}

static void
count_wait (Conn *conn)
{
  g_mutex_lock (&conn->server->mutex);
  conn->server->n_waits++;
  g_mutex_unlock (&conn->server->mutex);
}

/* Reads more input into conn->in. FALSE on EOF, error or stop. */
static gboolean
conn_fill (Conn *conn)
{
  guint8 buf[READ_CHUNK];
  ssize_t n;

  if (conn->in->len == 0 &&
      (conn->session == NULL || gnutls_record_check_pending (conn->session) == 0) &&
      wait_fd (conn->server, conn->fd, POLLIN, 0) == 0)
    count_wait (conn);

  if (conn->session != NULL)
    {
      do
        n = gnutls_record_recv (conn->session, buf, sizeof buf);
      while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
    }
  else
    n = raw_pull (conn, buf, sizeof buf);

  if (n <= 0)
    return FALSE;

  record (conn, buf, (gsize) n);
  g_byte_array_append (conn->in, buf, (guint) n);
  return TRUE;
}

static gboolean
conn_write (Conn       *conn,
            const char *data,
            gsize       len)
{
  if (conn->server->verbose)
    g_printerr ("S: %.*s", (int) len, data);

  while (len > 0)
    {
      gsize chunk = conn->server->trickle ? 1 : len;
      ssize_t n;

      if (conn->session != NULL)
        {
          do
            n = gnutls_record_send (conn->session, data, chunk);
          while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
        }
      else
        n = raw_push (conn, data, chunk);

      if (n <= 0)
        return FALSE;
      if (conn->server->trickle && len > 1)
        sleep_ms (conn->server, 2);
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
conn_puts (Conn       *conn,
           const char *text)
{
  return conn_write (conn, text, strlen (text));
}

/* Reads one line, without its CR LF. NULL on EOF, stop, or a line past the
 * cap (then the connection is answered 500 and must close). */
static char *
conn_read_line (Conn *conn)
{
  for (;;)
    {
      guint8 *lf = conn->in->len > 0 ? memchr (conn->in->data, '\n', conn->in->len) : NULL;

      if (lf != NULL)
        {
          gsize len = (gsize) (lf - conn->in->data);
          char *line;

          if (len > 0 && conn->in->data[len - 1] == '\r')
            line = g_strndup ((char *) conn->in->data, len - 1);
          else
            line = g_strndup ((char *) conn->in->data, len);
          g_byte_array_remove_range (conn->in, 0, (guint) len + 1);
          return line;
        }
      if (conn->in->len > LINE_CAP)
        {
          conn_puts (conn, "500 5.5.6 Line too long\r\n");
          return NULL;
        }
      if (!conn_fill (conn))
        return NULL;
    }
}

/* Reads (and records) until the client closes or the server stops. */
static void
conn_stall (Conn *conn)
{
  g_byte_array_set_size (conn->in, 0);
  while (conn_fill (conn))
    g_byte_array_set_size (conn->in, 0);
}

/* Reads raw bytes (TLS records, not recorded) until EOF or stop. */
static void
conn_stall_raw (Conn *conn)
{
  guint8 buf[READ_CHUNK];

  while (raw_pull (conn, buf, sizeof buf) > 0)
    ;
}

/* Applies the script at @step: delay, override or @normal, action. */
static StepOutcome
conn_step (Conn       *conn,
           MsFakeStep  step,
           const char *normal)
{
  MsFakeServer *server = conn->server;

  sleep_ms (server, server->delay[step]);
  if (server_stopping (server))
    return STEP_STOP;

  if (server->reply[step] != NULL)
    {
      if (!conn_write (conn, g_bytes_get_data (server->reply[step], NULL),
                       g_bytes_get_size (server->reply[step])))
        return STEP_STOP;
    }
  else if (server->action[step] == MS_FAKE_ACTION_NORMAL && normal != NULL)
    {
      if (!conn_puts (conn, normal))
        return STEP_STOP;
    }

  switch (server->action[step])
    {
    case MS_FAKE_ACTION_CLOSE:
      return STEP_STOP;
    case MS_FAKE_ACTION_STALL:
      conn_stall (conn);
      return STEP_STOP;
    case MS_FAKE_ACTION_NORMAL:
    default:
      return STEP_CONTINUE;
    }
}

/* Whether the override at @step begins with @prefix. */
static gboolean
reply_has_prefix (MsFakeServer *server,
                  MsFakeStep    step,
                  const char   *prefix)
{
  gsize len = 0;
  const char *data;

  if (server->reply[step] == NULL)
    return FALSE;
  data = g_bytes_get_data (server->reply[step], &len);
  return len >= strlen (prefix) && memcmp (data, prefix, strlen (prefix)) == 0;
}

/* What the client saw at @step (its first octet matters): the override,
 * or @normal. */
static const char *
step_sent (Conn       *conn,
           MsFakeStep  step,
           const char *normal)
{
  if (conn->server->reply[step] != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (conn->server->reply[step], &len);

      if (len == 0)
        return "";
      if (reply_has_prefix (conn->server, step, "354"))
        return "354";
      return data[0] == '2' ? "2" : "x";
    }
  if (conn->server->action[step] == MS_FAKE_ACTION_NORMAL)
    return normal;
  return "";
}

/* ---- TLS ---- */

static void
note_handshake (Conn *conn)
{
  MsFakeServer *server = conn->server;
  char name[256];
  size_t size = sizeof name - 1;
  unsigned int type = 0;
  int ret;

  memset (name, 0, sizeof name);
  ret = gnutls_server_name_get (conn->session, name, &size, &type, 0);

  g_mutex_lock (&server->mutex);
  server->n_handshakes++;
  g_clear_pointer (&server->sni, g_free);
  if (ret == GNUTLS_E_SUCCESS && type == GNUTLS_NAME_DNS)
    {
      server->sni = g_strndup (name, size);
      server->saw_sni = TRUE;
    }
  g_free (server->tls_version);
  server->tls_version = g_strdup (gnutls_protocol_get_name (gnutls_protocol_get_version (conn->session)));
  g_mutex_unlock (&server->mutex);
}

static gboolean
conn_handshake (Conn *conn)
{
  MsFakeServer *server = conn->server;
  int ret;

  sleep_ms (server, server->delay[MS_FAKE_STEP_HANDSHAKE]);
  if (server->action[MS_FAKE_STEP_HANDSHAKE] == MS_FAKE_ACTION_STALL)
    {
      conn_stall_raw (conn);
      return FALSE;
    }
  if (server->action[MS_FAKE_STEP_HANDSHAKE] == MS_FAKE_ACTION_CLOSE)
    return FALSE;

  if (gnutls_init (&conn->session, GNUTLS_SERVER) < 0)
    return FALSE;
  gnutls_priority_set (conn->session, server->prio);
  gnutls_credentials_set (conn->session, GNUTLS_CRD_CERTIFICATE, server->creds);
  gnutls_certificate_server_set_request (conn->session, GNUTLS_CERT_IGNORE);
  gnutls_transport_set_ptr (conn->session, conn);
  gnutls_transport_set_push_function (conn->session, raw_push);
  gnutls_transport_set_pull_function (conn->session, raw_pull);

  do
    ret = gnutls_handshake (conn->session);
  while (ret < 0 && gnutls_error_is_fatal (ret) == 0);

  if (ret < 0)
    {
      if (server->verbose)
        g_printerr ("* TLS handshake failed: %s\n", gnutls_strerror (ret));
      gnutls_deinit (conn->session);
      conn->session = NULL;
      return FALSE;
    }

  note_handshake (conn);
  return TRUE;
}

/* ---- SMTP ---- */

static void
reset_transaction (Conn *conn)
{
  g_clear_pointer (&conn->mail_from, g_free);
  g_ptr_array_set_size (conn->rcpts, 0);
  g_byte_array_set_size (conn->bdat, 0);
  conn->in_transaction = FALSE;
}

static void
count_command (Conn       *conn,
               const char *line)
{
  MsFakeServer *server = conn->server;
  const char *space = strchr (line, ' ');
  g_autofree char *verb = g_ascii_strup (line, space != NULL ? space - line : -1);
  guint n;

  g_mutex_lock (&server->mutex);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (server->commands, verb));
  g_hash_table_replace (server->commands, g_steal_pointer (&verb), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&server->mutex);
}

static gboolean
verb_is (const char *line,
         const char *verb)
{
  gsize len = strlen (verb);

  return g_ascii_strncasecmp (line, verb, len) == 0 &&
         (line[len] == '\0' || line[len] == ' ');
}

static StepOutcome
do_ehlo (Conn *conn)
{
  MsFakeServer *server = conn->server;
  gboolean tls = conn->session != NULL;
  MsFakeStep step = tls ? MS_FAKE_STEP_EHLO_TLS : MS_FAKE_STEP_EHLO;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) reply = g_string_new (NULL);
  guint i = tls ? 1 : 0;

  if (server->caps_set[i])
    {
      for (guint j = 0; server->caps[i][j] != NULL; j++)
        g_ptr_array_add (lines, g_strdup (server->caps[i][j]));
    }
  else
    {
      if (!tls && server->mode == MS_FAKE_MODE_STARTTLS)
        g_ptr_array_add (lines, g_strdup ("STARTTLS"));
      for (guint j = 0; default_caps[j] != NULL; j++)
        {
          if (g_str_has_prefix (default_caps[j], "SIZE"))
            g_ptr_array_add (lines, g_strdup_printf ("SIZE %" G_GSIZE_FORMAT, server->max_size));
          else if (g_str_has_prefix (default_caps[j], "AUTH") && server->oauth_token != NULL)
            g_ptr_array_add (lines, g_strdup ("AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER"));
          else
            g_ptr_array_add (lines, g_strdup (default_caps[j]));
        }
    }

  g_string_append_printf (reply, "250%slocalhost\r\n", lines->len > 0 ? "-" : " ");
  for (guint j = 0; j < lines->len; j++)
    g_string_append_printf (reply, "250%c%s\r\n",
                            j + 1 < lines->len ? '-' : ' ',
                            (char *) lines->pdata[j]);

  reset_transaction (conn);
  return conn_step (conn, step, reply->str);
}

static StepOutcome
do_starttls (Conn *conn)
{
  MsFakeServer *server = conn->server;
  const char *normal;
  const char *sent;
  gboolean can_tls = server->creds != NULL && conn->session == NULL;

  if (conn->session != NULL)
    normal = "503 5.5.1 TLS already active\r\n";
  else if (server->mode != MS_FAKE_MODE_STARTTLS)
    normal = "502 5.5.1 STARTTLS not supported\r\n";
  else
    normal = "220 2.0.0 Ready to start TLS\r\n";

  if (conn_step (conn, MS_FAKE_STEP_STARTTLS, normal) == STEP_STOP)
    return STEP_STOP;

  sent = step_sent (conn, MS_FAKE_STEP_STARTTLS, normal);
  if (sent[0] != '2' || !can_tls)
    return STEP_CONTINUE;
  if (server->reply[MS_FAKE_STEP_STARTTLS] == NULL && server->mode != MS_FAKE_MODE_STARTTLS)
    return STEP_CONTINUE;

  /* RFC 3207: forget everything from before TLS, including anything the
   * client pipelined after STARTTLS (it is in the clear recording). */
  g_byte_array_set_size (conn->in, 0);
  reset_transaction (conn);
  g_clear_pointer (&conn->auth_user, g_free);

  return conn_handshake (conn) ? STEP_CONTINUE : STEP_STOP;
}

static gboolean
check_plain (Conn       *conn,
             const char *b64)
{
  MsFakeServer *server = conn->server;
  gsize len = 0;
  g_autofree guchar *raw = NULL;
  const char *authcid;
  const char *pass;
  gsize rest;
  gboolean ok;

  if (strcmp (b64, "=") == 0)
    return FALSE;
  raw = g_base64_decode (b64, &len);
  if (raw == NULL)
    return FALSE;

  authcid = memchr (raw, '\0', len);
  if (authcid == NULL)
    return FALSE;
  authcid++;
  rest = len - (gsize) ((const guchar *) authcid - raw);
  pass = memchr (authcid, '\0', rest);
  if (pass == NULL)
    return FALSE;
  pass++;

  ok = strcmp (authcid, server->user) == 0 &&
       (gsize) ((const guchar *) pass - raw) + strlen (server->password) == len &&
       memcmp (pass, server->password, strlen (server->password)) == 0;
  if (ok)
    {
      g_free (conn->auth_user);
      conn->auth_user = g_strdup (authcid);
    }
  memset (raw, 0, len);
  return ok;
}

static char *
decode_text (const char *b64)
{
  gsize len = 0;
  guchar *raw = g_base64_decode (b64, &len);
  char *text = g_strndup ((char *) raw, len);

  if (raw != NULL)
    memset (raw, 0, len);
  g_free (raw);
  return text;
}

static StepOutcome
auth_result (Conn     *conn,
             gboolean  ok)
{
  if (ok)
    {
      g_mutex_lock (&conn->server->mutex);
      conn->server->n_auth_ok++;
      g_mutex_unlock (&conn->server->mutex);
      return conn_puts (conn, "235 2.7.0 Authentication successful\r\n") ? STEP_CONTINUE : STEP_STOP;
    }
  return conn_puts (conn, "535 5.7.8 Authentication credentials invalid\r\n") ? STEP_CONTINUE : STEP_STOP;
}

/* Reads one continuation line; NULL on EOF. Sets *cancelled for "*". */
static char *
read_continuation (Conn     *conn,
                   gboolean *cancelled)
{
  char *line = conn_read_line (conn);

  *cancelled = line != NULL && strcmp (line, "*") == 0;
  if (conn->server->verbose && line != NULL)
    g_printerr ("C: %s\n", *cancelled ? "*" : "<auth data>");
  return line;
}

static StepOutcome
cancelled_reply (Conn *conn)
{
  return conn_puts (conn, "501 5.7.0 Authentication cancelled\r\n") ? STEP_CONTINUE : STEP_STOP;
}

static StepOutcome
do_auth_login (Conn       *conn,
               const char *initial)
{
  MsFakeServer *server = conn->server;
  g_autofree char *user = NULL;
  g_autofree char *line = NULL;
  g_autofree char *pass = NULL;
  gboolean cancelled = FALSE;
  gboolean ok;

  if (initial != NULL)
    {
      user = decode_text (initial);
      if (conn_step (conn, MS_FAKE_STEP_AUTH, "334 UGFzc3dvcmQ6\r\n") == STEP_STOP)
        return STEP_STOP;
    }
  else
    {
      if (conn_step (conn, MS_FAKE_STEP_AUTH, "334 VXNlcm5hbWU6\r\n") == STEP_STOP)
        return STEP_STOP;
      line = read_continuation (conn, &cancelled);
      if (line == NULL)
        return STEP_STOP;
      if (cancelled)
        return cancelled_reply (conn);
      user = decode_text (line);
      if (!conn_puts (conn, "334 UGFzc3dvcmQ6\r\n"))
        return STEP_STOP;
    }

  g_clear_pointer (&line, g_free);
  line = read_continuation (conn, &cancelled);
  if (line == NULL)
    return STEP_STOP;
  if (cancelled)
    return cancelled_reply (conn);
  pass = decode_text (line);
  ok = strcmp (user, server->user) == 0 && strcmp (pass, server->password) == 0;
  memset (pass, 0, strlen (pass));
  if (ok)
    {
      g_free (conn->auth_user);
      conn->auth_user = g_strdup (user);
    }
  return auth_result (conn, ok);
}

static StepOutcome
do_auth_plain (Conn       *conn,
               const char *initial)
{
  g_autofree char *line = NULL;
  gboolean cancelled = FALSE;

  if (initial != NULL)
    {
      gboolean ok = check_plain (conn, initial);

      if (conn->server->reply[MS_FAKE_STEP_AUTH] != NULL ||
          conn->server->action[MS_FAKE_STEP_AUTH] != MS_FAKE_ACTION_NORMAL)
        return conn_step (conn, MS_FAKE_STEP_AUTH, NULL);
      sleep_ms (conn->server, conn->server->delay[MS_FAKE_STEP_AUTH]);
      return auth_result (conn, ok);
    }

  if (conn_step (conn, MS_FAKE_STEP_AUTH, "334 \r\n") == STEP_STOP)
    return STEP_STOP;
  line = read_continuation (conn, &cancelled);
  if (line == NULL)
    return STEP_STOP;
  if (cancelled)
    return cancelled_reply (conn);
  return auth_result (conn, check_plain (conn, line));
}

/* XOAUTH2 ("user=U^Aauth=Bearer T^A^A") and OAUTHBEARER
 * ("n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A"): the user and the token. */
static gboolean
parse_oauth (const char  *raw,
             gboolean     bearer,
             char       **user,
             char       **token)
{
  g_auto(GStrv) fields = g_strsplit (raw, "\001", -1);

  *user = NULL;
  *token = NULL;
  if (g_strv_length (fields) < 3)
    return FALSE;
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *f = fields[i];

      if (i == 0 && bearer)
        {
          g_auto(GStrv) gs2 = g_strsplit (f, ",", -1);

          if (g_strv_length (gs2) < 2 || !g_str_has_prefix (gs2[1], "a="))
            return FALSE;
          *user = g_strdup (gs2[1] + 2);
        }
      else if (g_str_has_prefix (f, "user="))
        *user = g_strdup (f + 5);
      else if (g_str_has_prefix (f, "auth=Bearer "))
        *token = g_strdup (f + 12);
    }

  return *user != NULL && *token != NULL;
}

static StepOutcome
do_auth_oauth (Conn       *conn,
               const char *mechanism,
               const char *initial)
{
  MsFakeServer *server = conn->server;
  gboolean bearer = g_ascii_strcasecmp (mechanism, "OAUTHBEARER") == 0;
  g_autofree char *raw = NULL;
  g_autofree char *user = NULL;
  g_autofree char *token = NULL;
  g_autofree char *line = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *asked = NULL;
  gboolean cancelled = FALSE;
  const char *json;

  if (server->oauth_token == NULL)
    return conn_puts (conn, "504 5.5.4 Unrecognized authentication type\r\n") ? STEP_CONTINUE : STEP_STOP;
  /* Without an initial response (msmtp's way), an empty challenge asks for
   * it, as Gmail does (RFC 4954). */
  if (initial == NULL)
    {
      if (!conn_puts (conn, "334 \r\n"))
        return STEP_STOP;
      asked = read_continuation (conn, &cancelled);
      if (asked == NULL)
        return STEP_STOP;
      if (cancelled)
        return cancelled_reply (conn);
      initial = asked;
    }

  raw = decode_text (initial);
  if (parse_oauth (raw, bearer, &user, &token)
      && strcmp (user, server->user) == 0 && strcmp (token, server->oauth_token) == 0)
    {
      g_free (conn->auth_user);
      conn->auth_user = g_strdup (user);
      memset (raw, 0, strlen (raw));
      return auth_result (conn, TRUE);
    }
  memset (raw, 0, strlen (raw));

  g_mutex_lock (&server->mutex);
  server->n_oauth_refused++;
  g_mutex_unlock (&server->mutex);

  /* What Gmail and RFC 7628 answer: a base64 JSON error, then the client's
   * empty response, then the final reply. */
  json = bearer ? "{\"status\":\"invalid_token\",\"scope\":\"https://mail.google.com/\"}"
                : "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
  challenge = g_base64_encode ((const guchar *) json, strlen (json));
  line = g_strdup_printf ("334 %s\r\n", challenge);
  if (!conn_puts (conn, line))
    return STEP_STOP;
  g_clear_pointer (&line, g_free);
  line = read_continuation (conn, &cancelled);
  if (line == NULL)
    return STEP_STOP;
  if (*line != '\0')
    return conn_puts (conn, "501 5.5.2 Expected an empty response\r\n") ? STEP_CONTINUE : STEP_STOP;

  return conn_puts (conn, "535-5.7.8 Username and Password not accepted.\r\n"
                          "535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n")
         ? STEP_CONTINUE : STEP_STOP;
}

/* An AUTH override: the reply, then one continuation if it began "334". */
static StepOutcome
do_auth_override (Conn *conn)
{
  g_autofree char *line = NULL;
  gboolean cancelled = FALSE;

  if (conn_step (conn, MS_FAKE_STEP_AUTH, NULL) == STEP_STOP)
    return STEP_STOP;
  if (!reply_has_prefix (conn->server, MS_FAKE_STEP_AUTH, "334"))
    return STEP_CONTINUE;
  line = read_continuation (conn, &cancelled);
  if (line == NULL)
    return STEP_STOP;
  if (cancelled)
    return cancelled_reply (conn);
  return auth_result (conn, FALSE);
}

static StepOutcome
do_auth (Conn       *conn,
         const char *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", 0);
  guint n = g_strv_length (words);
  const char *initial = n >= 3 ? words[2] : NULL;

  if (n < 2)
    return conn_puts (conn, "501 5.5.4 Syntax: AUTH mechanism\r\n") ? STEP_CONTINUE : STEP_STOP;
  if (conn->auth_user != NULL)
    return conn_puts (conn, "503 5.5.1 Already authenticated\r\n") ? STEP_CONTINUE : STEP_STOP;

  if (conn->server->reply[MS_FAKE_STEP_AUTH] != NULL)
    {
      /* Still check an initial response, so a test can see what came. */
      if (g_ascii_strcasecmp (words[1], "PLAIN") == 0 && initial != NULL)
        check_plain (conn, initial);
      return do_auth_override (conn);
    }
  if (g_ascii_strcasecmp (words[1], "PLAIN") == 0)
    return do_auth_plain (conn, initial);
  if (g_ascii_strcasecmp (words[1], "LOGIN") == 0)
    return do_auth_login (conn, initial);
  if (g_ascii_strcasecmp (words[1], "XOAUTH2") == 0
      || g_ascii_strcasecmp (words[1], "OAUTHBEARER") == 0)
    return do_auth_oauth (conn, words[1], initial);
  return conn_puts (conn, "504 5.5.4 Unrecognized authentication type\r\n") ? STEP_CONTINUE : STEP_STOP;
}

/* The address between < and > after "MAIL FROM:" or "RCPT TO:". */
static char *
parse_path (const char *arg)
{
  const char *lt = strchr (arg, '<');
  const char *gt = lt != NULL ? strchr (lt, '>') : NULL;

  if (lt == NULL || gt == NULL)
    return NULL;
  return g_strndup (lt + 1, (gsize) (gt - lt - 1));
}

static StepOutcome
do_mail (Conn       *conn,
         const char *line)
{
  g_autofree char *path = NULL;
  const char *size;
  const char *normal = "250 2.1.0 Ok\r\n";

  if (g_ascii_strncasecmp (line, "MAIL FROM:", 10) != 0 ||
      (path = parse_path (line + 10)) == NULL)
    return conn_puts (conn, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n") ? STEP_CONTINUE : STEP_STOP;

  if (conn->server->require_auth && conn->auth_user == NULL)
    return conn_puts (conn, "530 5.7.0 Authentication required\r\n") ? STEP_CONTINUE : STEP_STOP;

  size = strstr (line, " SIZE=");
  if (size == NULL)
    size = strstr (line, " size=");
  if (size != NULL && g_ascii_strtoull (size + 6, NULL, 10) > conn->server->max_size)
    normal = "552 5.3.4 Message size exceeds fixed limit\r\n";

  reset_transaction (conn);
  conn->mail_from = g_steal_pointer (&path);
  conn->in_transaction = TRUE;
  return conn_step (conn, MS_FAKE_STEP_MAIL, normal);
}

static StepOutcome
do_rcpt (Conn       *conn,
         const char *line)
{
  char *path;
  g_autofree char *key = NULL;
  const char *own;

  if (g_ascii_strncasecmp (line, "RCPT TO:", 8) != 0 ||
      (path = parse_path (line + 8)) == NULL)
    return conn_puts (conn, "501 5.5.4 Syntax: RCPT TO:<address>\r\n") ? STEP_CONTINUE : STEP_STOP;
  if (conn->server->require_auth && !conn->in_transaction)
    {
      g_free (path);
      return conn_puts (conn, "503 5.5.1 MAIL needed first\r\n") ? STEP_CONTINUE : STEP_STOP;
    }

  key = g_ascii_strdown (path, -1);
  own = g_hash_table_lookup (conn->server->rcpt_replies, key);
  if (own != NULL)
    {
      /* Only an accepted recipient joins the transaction. */
      if (own[0] == '2')
        g_ptr_array_add (conn->rcpts, path);
      else
        g_free (path);
      return conn_puts (conn, own) ? STEP_CONTINUE : STEP_STOP;
    }

  g_ptr_array_add (conn->rcpts, path);
  return conn_step (conn, MS_FAKE_STEP_RCPT, "250 2.1.5 Ok\r\n");
}

static GBytes *
unstuff (GBytes *data)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  GByteArray *out = g_byte_array_sized_new ((guint) len);
  gboolean line_start = TRUE;

  for (gsize i = 0; i < len; i++)
    {
      if (!(line_start && p[i] == '.'))
        g_byte_array_append (out, &p[i], 1);
      line_start = p[i] == '\n';
    }
  return g_byte_array_free_to_bytes (out);
}

/* Answers the end of a message at MS_FAKE_STEP_DOT and records it when
 * the client was told 2xx. */
static StepOutcome
finish_message (Conn    *conn,
                GBytes  *data,
                gboolean bdat)
{
  MsFakeServer *server = conn->server;
  g_autofree char *normal = NULL;
  const char *sent;
  StepOutcome outcome;
  guint id;

  g_mutex_lock (&server->mutex);
  id = server->messages->len + 1;
  g_mutex_unlock (&server->mutex);

  if (g_bytes_get_size (data) > server->max_size)
    normal = g_strdup ("552 5.3.4 Message size exceeds fixed limit\r\n");
  else
    normal = g_strdup_printf ("250 2.0.0 Ok: queued as FAKE%u\r\n", id);

  sent = step_sent (conn, MS_FAKE_STEP_DOT, normal);
  if (sent[0] == '2' && conn->mail_from != NULL)
    {
      MsFakeMessage *message = g_new0 (MsFakeMessage, 1);

      g_ptr_array_add (conn->rcpts, NULL);
      message->mail_from = g_strdup (conn->mail_from);
      message->rcpt_to = g_strdupv ((char **) conn->rcpts->pdata);
      g_ptr_array_set_size (conn->rcpts, conn->rcpts->len - 1);
      message->data = g_bytes_ref (data);
      message->content = bdat ? g_bytes_ref (data) : unstuff (data);
      message->bdat = bdat;
      message->over_tls = conn->session != NULL;
      message->auth_user = g_strdup (conn->auth_user);
      if (server->message_func != NULL)
        server->message_func (message, server->message_data);
      g_mutex_lock (&server->mutex);
      g_ptr_array_add (server->messages, message);
      g_mutex_unlock (&server->mutex);
    }

  outcome = conn_step (conn, MS_FAKE_STEP_DOT, normal);
  reset_transaction (conn);
  return outcome;
}

/* Reads message data up to CRLF.CRLF; NULL on EOF or past the cap. */
static GBytes *
read_data (Conn *conn)
{
  gsize from = 0;
  gsize cap = conn->server->max_size * 2 + 1024 * 1024;

  for (;;)
    {
      const guint8 *p = conn->in->data;
      gsize len = conn->in->len;

      if (len >= 3 && memcmp (p, ".\r\n", 3) == 0)
        {
          g_byte_array_remove_range (conn->in, 0, 3);
          return g_bytes_new (NULL, 0);
        }
      if (len >= 5)
        {
          const guint8 *end = memmem (p + from, len - from, "\r\n.\r\n", 5);

          if (end != NULL)
            {
              gsize data_len = (gsize) (end - p) + 2;
              GBytes *data = g_bytes_new (p, data_len);

              g_byte_array_remove_range (conn->in, 0, (guint) data_len + 3);
              return data;
            }
          from = len - 4;
        }
      if (len > cap || !conn_fill (conn))
        return NULL;
    }
}

static StepOutcome
do_data (Conn *conn)
{
  const char *normal = "354 End data with <CR><LF>.<CR><LF>\r\n";
  g_autoptr(GBytes) data = NULL;

  if (conn->mail_from == NULL || conn->rcpts->len == 0)
    normal = "503 5.5.1 Error: need RCPT command\r\n";

  if (conn_step (conn, MS_FAKE_STEP_DATA, normal) == STEP_STOP)
    return STEP_STOP;
  if (!g_str_has_prefix (step_sent (conn, MS_FAKE_STEP_DATA, normal), "354"))
    return STEP_CONTINUE;

  data = read_data (conn);
  if (data == NULL)
    return STEP_STOP;
  return finish_message (conn, data, FALSE);
}

static StepOutcome
do_bdat (Conn       *conn,
         const char *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", 0);
  guint64 size;
  gboolean last;

  if (g_strv_length (words) < 2 || !g_ascii_string_to_unsigned (words[1], 10, 0, G_MAXUINT32, &size, NULL))
    return conn_puts (conn, "501 5.5.4 Syntax: BDAT size [LAST]\r\n") ? STEP_CONTINUE : STEP_STOP;
  last = words[2] != NULL && g_ascii_strcasecmp (words[2], "LAST") == 0;
  if (conn->server->require_auth && (conn->mail_from == NULL || conn->rcpts->len == 0))
    return conn_puts (conn, "503 5.5.1 No valid recipients\r\n") ? STEP_CONTINUE : STEP_STOP;

  while (conn->in->len < size)
    if (!conn_fill (conn))
      return STEP_STOP;
  g_byte_array_append (conn->bdat, conn->in->data, (guint) size);
  g_byte_array_remove_range (conn->in, 0, (guint) size);

  if (last)
    {
      g_autoptr(GBytes) data = g_bytes_new (conn->bdat->data, conn->bdat->len);

      return finish_message (conn, data, TRUE);
    }
  return conn_puts (conn, "250 2.0.0 Ok: chunk received\r\n") ? STEP_CONTINUE : STEP_STOP;
}

static StepOutcome
conn_command (Conn       *conn,
              const char *line)
{
  if (conn->server->verbose)
    g_printerr ("C: %s\n", verb_is (line, "AUTH") ? "AUTH <masked>" : line);
  count_command (conn, line);

  if (verb_is (line, "EHLO"))
    return do_ehlo (conn);
  if (verb_is (line, "HELO"))
    {
      reset_transaction (conn);
      return conn_puts (conn, "250 localhost\r\n") ? STEP_CONTINUE : STEP_STOP;
    }
  if (verb_is (line, "STARTTLS"))
    return do_starttls (conn);
  if (verb_is (line, "AUTH"))
    return do_auth (conn, line);
  if (verb_is (line, "MAIL"))
    return do_mail (conn, line);
  if (verb_is (line, "RCPT"))
    return do_rcpt (conn, line);
  if (verb_is (line, "DATA"))
    return do_data (conn);
  if (verb_is (line, "BDAT"))
    return do_bdat (conn, line);
  if (verb_is (line, "RSET"))
    {
      reset_transaction (conn);
      return conn_puts (conn, "250 2.0.0 Ok\r\n") ? STEP_CONTINUE : STEP_STOP;
    }
  if (verb_is (line, "NOOP"))
    return conn_puts (conn, "250 2.0.0 Ok\r\n") ? STEP_CONTINUE : STEP_STOP;
  if (verb_is (line, "QUIT"))
    {
      conn_step (conn, MS_FAKE_STEP_QUIT, "221 2.0.0 Bye\r\n");
      return STEP_STOP;
    }
  return conn_puts (conn, "500 5.5.2 Unknown command\r\n") ? STEP_CONTINUE : STEP_STOP;
}

static void
conn_run (Conn *conn)
{
  MsFakeServer *server = conn->server;

  if (server->mode == MS_FAKE_MODE_TLS && !conn_handshake (conn))
    return;

  if (conn_step (conn, MS_FAKE_STEP_GREETING, "220 localhost ESMTP fake\r\n") == STEP_STOP)
    return;

  for (;;)
    {
      g_autofree char *line = conn_read_line (conn);

      if (line == NULL || conn_command (conn, line) == STEP_STOP)
        return;
    }
}

static gpointer
conn_thread (gpointer data)
{
  Conn *conn = data;
  MsFakeServer *server = conn->server;

  conn_run (conn);

  if (conn->session != NULL)
    {
      gnutls_bye (conn->session, GNUTLS_SHUT_WR);
      gnutls_deinit (conn->session);
    }
  shutdown (conn->fd, SHUT_RDWR);
  close (conn->fd);
  g_byte_array_unref (conn->in);
  g_free (conn->auth_user);
  g_free (conn->mail_from);
  g_ptr_array_unref (conn->rcpts);
  g_byte_array_unref (conn->bdat);
  g_free (conn);

  g_mutex_lock (&server->mutex);
  server->n_finished++;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  MsFakeServer *server = data;

  for (;;)
    {
      Conn *conn;
      int fd;

      if (wait_fd (server, server->listen_fd, POLLIN, -1) < 0)
        return NULL;
      fd = accept (server->listen_fd, NULL, NULL);
      if (fd < 0)
        continue;
      /* Replies to a pipelined group go out one write each; without
       * NODELAY, Nagle holds each behind the client's delayed ACK (40 ms),
       * which real servers avoid by writing the group's replies at once. */
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof (int));

      conn = g_new0 (Conn, 1);
      conn->server = server;
      conn->fd = fd;
      conn->in = g_byte_array_new ();
      conn->rcpts = g_ptr_array_new_with_free_func (g_free);
      conn->bdat = g_byte_array_new ();

      g_mutex_lock (&server->mutex);
      conn->id = ++server->n_connections;
      g_ptr_array_add (server->threads, g_thread_new ("ms-fake-conn", conn_thread, conn));
      g_cond_broadcast (&server->cond);
      g_mutex_unlock (&server->mutex);
    }
}

static gboolean
setup_tls (MsFakeServer *server,
           GError      **error)
{
  const char *err_pos = NULL;
  int ret;

  if (server->mode == MS_FAKE_MODE_PLAIN && server->cert_file == NULL)
    return TRUE;
  if (server->cert_file == NULL || server->key_file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A TLS mode needs a certificate and a key");
      return FALSE;
    }

  gnutls_certificate_allocate_credentials (&server->creds);
  ret = gnutls_certificate_set_x509_key_file (server->creds, server->cert_file,
                                              server->key_file, GNUTLS_X509_FMT_PEM);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot load %s / %s: %s", server->cert_file, server->key_file,
                   gnutls_strerror (ret));
      return FALSE;
    }
  ret = gnutls_priority_init (&server->prio, server->priority, &err_pos);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Bad priority string at “%s”: %s", err_pos ? err_pos : "",
                   gnutls_strerror (ret));
      return FALSE;
    }
  return TRUE;
}

static gboolean
setup_socket (MsFakeServer *server,
              GError      **error)
{
  struct sockaddr_storage ss;
  socklen_t ss_len;
  gboolean v6 = g_strcmp0 (server->address, "::1") == 0;
  int one = 1;

  if (!v6 && g_strcmp0 (server->address, "127.0.0.1") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The fake server listens on 127.0.0.1 or ::1 only");
      return FALSE;
    }

  memset (&ss, 0, sizeof ss);
  if (v6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

      sin6->sin6_family = AF_INET6;
      sin6->sin6_addr = in6addr_loopback;
      sin6->sin6_port = htons (server->port);
      ss_len = sizeof *sin6;
    }
  else
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

      sin->sin_family = AF_INET;
      sin->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      sin->sin_port = htons (server->port);
      ss_len = sizeof *sin;
    }

  server->listen_fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server->listen_fd < 0 ||
      setsockopt (server->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind (server->listen_fd, (struct sockaddr *) &ss, ss_len) < 0 ||
      listen (server->listen_fd, 16) < 0 ||
      getsockname (server->listen_fd, (struct sockaddr *) &ss, &ss_len) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot listen on %s: %s", server->address, g_strerror (saved));
      return FALSE;
    }

  server->port = ntohs (v6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                           : ((struct sockaddr_in *) &ss)->sin_port);
  return TRUE;
}

/**
 * ms_fake_server_start:
 * @server: a server, not started
 * @error: return location for a #GError
 *
 * Loads the certificate, binds, listens and starts the accept thread.
 *
 * Returns: %TRUE when listening; %FALSE with @error set
 *   (%G_IO_ERROR_INVALID_ARGUMENT or the socket error).
 */
gboolean
ms_fake_server_start (MsFakeServer *server,
                      GError      **error)
{
  g_return_val_if_fail (!server->started, FALSE);

  if (pipe2 (server->stop_pipe, O_CLOEXEC) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s",
                   g_strerror (errno));
      return FALSE;
    }
  if (!setup_tls (server, error) || !setup_socket (server, error))
    return FALSE;

  server->started = TRUE;
  server->accept_thread = g_thread_new ("ms-fake-accept", accept_thread, server);
  return TRUE;
}

guint16
ms_fake_server_get_port (MsFakeServer *server)
{
  return server->port;
}

/**
 * ms_fake_server_stop:
 * @server: a server
 *
 * Closes the listener and every connection and joins every thread. Safe to
 * call twice or on a server that never started.
 */
void
ms_fake_server_stop (MsFakeServer *server)
{
  GPtrArray *threads;

  if (server->stop_pipe[1] >= 0)
    {
      if (write (server->stop_pipe[1], "x", 1) < 0)
        g_warning ("stop pipe: %s", g_strerror (errno));
    }
  if (server->accept_thread != NULL)
    g_thread_join (g_steal_pointer (&server->accept_thread));

  /* No new threads after the accept thread ended. */
  g_mutex_lock (&server->mutex);
  threads = g_steal_pointer (&server->threads);
  server->threads = g_ptr_array_new ();
  g_mutex_unlock (&server->mutex);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  g_ptr_array_unref (threads);

  if (server->listen_fd >= 0)
    close (server->listen_fd);
  server->listen_fd = -1;
  for (guint i = 0; i < 2; i++)
    {
      if (server->stop_pipe[i] >= 0)
        close (server->stop_pipe[i]);
      server->stop_pipe[i] = -1;
    }
  g_clear_pointer (&server->creds, gnutls_certificate_free_credentials);
  g_clear_pointer (&server->prio, gnutls_priority_deinit);
}

static GBytes *
dup_array (MsFakeServer *server,
           GByteArray   *array)
{
  GBytes *bytes;

  g_mutex_lock (&server->mutex);
  bytes = g_bytes_new (array->data, array->len);
  g_mutex_unlock (&server->mutex);
  return bytes;
}

GBytes *
ms_fake_server_dup_clear_bytes (MsFakeServer *server)
{
  return dup_array (server, server->clear);
}

GBytes *
ms_fake_server_dup_tls_bytes (MsFakeServer *server)
{
  return dup_array (server, server->tls);
}

static guint
get_counter (MsFakeServer *server,
             guint        *counter)
{
  guint value;

  g_mutex_lock (&server->mutex);
  value = *counter;
  g_mutex_unlock (&server->mutex);
  return value;
}

guint
ms_fake_server_get_n_connections (MsFakeServer *server)
{
  return get_counter (server, &server->n_connections);
}

guint
ms_fake_server_get_n_finished (MsFakeServer *server)
{
  return get_counter (server, &server->n_finished);
}

guint
ms_fake_server_get_n_handshakes (MsFakeServer *server)
{
  return get_counter (server, &server->n_handshakes);
}

guint
ms_fake_server_get_n_waits (MsFakeServer *server)
{
  return get_counter (server, &server->n_waits);
}

guint
ms_fake_server_get_n_oauth_refused (MsFakeServer *server)
{
  return get_counter (server, &server->n_oauth_refused);
}

guint
ms_fake_server_get_n_auth_ok (MsFakeServer *server)
{
  return get_counter (server, &server->n_auth_ok);
}

guint
ms_fake_server_get_n_messages (MsFakeServer *server)
{
  return get_counter (server, &server->messages->len);
}

guint
ms_fake_server_count_command (MsFakeServer *server,
                              const char   *verb)
{
  g_autofree char *up = g_ascii_strup (verb, -1);
  guint n;

  g_mutex_lock (&server->mutex);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (server->commands, up));
  g_mutex_unlock (&server->mutex);
  return n;
}

char *
ms_fake_server_dup_sni (MsFakeServer *server)
{
  char *sni;

  g_mutex_lock (&server->mutex);
  sni = g_strdup (server->sni);
  g_mutex_unlock (&server->mutex);
  return sni;
}

gboolean
ms_fake_server_saw_sni (MsFakeServer *server)
{
  gboolean saw;

  g_mutex_lock (&server->mutex);
  saw = server->saw_sni;
  g_mutex_unlock (&server->mutex);
  return saw;
}

char *
ms_fake_server_dup_tls_version (MsFakeServer *server)
{
  char *version;

  g_mutex_lock (&server->mutex);
  version = g_strdup (server->tls_version);
  g_mutex_unlock (&server->mutex);
  return version;
}

/**
 * ms_fake_server_dup_message:
 * @server: a server
 * @index: 0 for the first message accepted
 *
 * Returns: (transfer full) (nullable): a copy of the message, or %NULL
 *   when there is none at @index
 */
MsFakeMessage *
ms_fake_server_dup_message (MsFakeServer *server,
                            guint         index)
{
  MsFakeMessage *copy = NULL;

  g_mutex_lock (&server->mutex);
  if (index < server->messages->len)
    copy = message_copy (server->messages->pdata[index]);
  g_mutex_unlock (&server->mutex);
  return copy;
}

gboolean
ms_fake_server_wait_finished (MsFakeServer *server,
                              guint         n_connections,
                              guint         timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean done;

  g_mutex_lock (&server->mutex);
  for (;;)
    {
      done = server->n_connections >= n_connections &&
             server->n_finished == server->n_connections;
      if (done || !g_cond_wait_until (&server->cond, &server->mutex, end))
        break;
    }
  done = server->n_connections >= n_connections &&
         server->n_finished == server->n_connections;
  g_mutex_unlock (&server->mutex);
  return done;
}
