/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-password"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>

#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-password.h"

/* Longest secret we accept; app passwords are 16 letters, generated
 * passwords rarely pass 128 octets. */
#define MS_PASSWORD_MAX 4096

struct _MsPassword
{
  gatomicrefcount  ref_count;
  gsize            length;
  gsize            capacity;
  char            *text;
};

G_DEFINE_BOXED_TYPE (MsPassword, ms_password, ms_password_ref, ms_password_unref)

static gint live_passwords;
static int  saved_dumpable = -1;
G_LOCK_DEFINE_STATIC (dumpable);

/**
 * ms_wipe:
 * @data: memory to clear
 * @length: its size
 *
 * Clears memory in a way the compiler may not optimise away.
 */
void
ms_wipe (gpointer data,
         gsize    length)
{
  if (data != NULL && length > 0)
    explicit_bzero (data, length);
}

/* No core dump may hold a secret (docs/security.md, L4): the process stays
 * undumpable while any password is alive. */
static void
hold_secret (void)
{
  G_LOCK (dumpable);
  if (live_passwords++ == 0)
    {
      saved_dumpable = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
  G_UNLOCK (dumpable);
}

static void
release_secret (void)
{
  G_LOCK (dumpable);
  if (--live_passwords == 0 && saved_dumpable > 0)
    prctl (PR_SET_DUMPABLE, saved_dumpable, 0, 0, 0);
  G_UNLOCK (dumpable);
}

static MsPassword *
ms_password_alloc (gsize capacity)
{
  MsPassword *password = g_new0 (MsPassword, 1);

  g_atomic_ref_count_init (&password->ref_count);
  password->capacity = capacity;
  password->text = g_malloc0 (capacity);
  /* Best effort: an unprivileged process may have a small RLIMIT_MEMLOCK. */
  (void) mlock (password->text, capacity);
  hold_secret ();

  return password;
}

/**
 * ms_password_new:
 * @text: the secret, not necessarily nul-terminated
 * @length: its length in bytes
 *
 * Copies @text into locked memory. The caller stays responsible for wiping
 * its own copy.
 *
 * Returns: (transfer full): a new #MsPassword
 */
MsPassword *
ms_password_new (const char *text,
                 gsize       length)
{
  MsPassword *password;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  password = ms_password_alloc (length + 1);
  memcpy (password->text, text, length);
  password->length = length;

  return password;
}

/**
 * ms_password_read_line:
 * @fd: a file descriptor, usually 0
 * @error: return location for an error
 *
 * Reads one line from @fd a byte at a time (so nothing after the line is
 * consumed) straight into locked memory, and drops the trailing CR/LF.
 *
 * Returns: (transfer full): the password, or %NULL with
 *   %MS_ERROR_INVALID_INPUT when the input is empty or too long
 */
/* A person typing at a terminal must not see the password echoed. */
static gboolean
echo_off (int             fd,
          struct termios *saved)
{
  struct termios quiet;

  if (!isatty (fd) || tcgetattr (fd, saved) != 0)
    return FALSE;

  quiet = *saved;
  quiet.c_lflag &= ~(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (tcsetattr (fd, TCSAFLUSH, &quiet) != 0)
    return FALSE;

  /* Translators: the prompt when mailsetup-cli reads a password from a terminal */
  g_printerr ("%s", _("Password (not shown): "));
  return TRUE;
}

MsPassword *
ms_password_read_line (int      fd,
                       GError **error)
{
  g_autoptr(MsPassword) password = ms_password_alloc (MS_PASSWORD_MAX + 1);
  gboolean seen_newline = FALSE;
  struct termios saved;
  gboolean restore = echo_off (fd, &saved);

  while (password->length < MS_PASSWORD_MAX)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (c == '\n')
        {
          seen_newline = TRUE;
          break;
        }
      password->text[password->length++] = c;
      c = 0;
    }

  if (restore)
    {
      tcsetattr (fd, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (!seen_newline && password->length == MS_PASSWORD_MAX)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("The password on standard input is longer than %d bytes."),
                   MS_PASSWORD_MAX);
      return NULL;
    }

  if (password->length > 0 && password->text[password->length - 1] == '\r')
    password->text[--password->length] = '\0';

  if (password->length == 0)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("No password was given on standard input."));
      return NULL;
    }

  return g_steal_pointer (&password);
}

/**
 * ms_password_read_all:
 * @fd: a file descriptor, usually a pipe from another program
 * @error: return location for an error
 *
 * Reads everything from @fd up to its end straight into locked memory, as
 * it comes (nothing is dropped): a secret that another program prints.
 *
 * Returns: (transfer full): the password, or %NULL with
 *   %MS_ERROR_INVALID_INPUT when @fd gave nothing, more than the longest
 *   password, or a read error
 */
MsPassword *
ms_password_read_all (int      fd,
                      GError **error)
{
  g_autoptr(MsPassword) password = ms_password_alloc (MS_PASSWORD_MAX + 1);

  for (;;)
    {
      ssize_t n = read (fd, password->text + password->length,
                        MS_PASSWORD_MAX + 1 - password->length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s", g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      password->length += n;
      if (password->length > MS_PASSWORD_MAX)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       _("The password is longer than %d bytes."), MS_PASSWORD_MAX);
          return NULL;
        }
    }

  if (password->length == 0)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT, _("The password is empty."));
      return NULL;
    }

  password->text[password->length] = '\0';
  return g_steal_pointer (&password);
}

MsPassword *
ms_password_ref (MsPassword *password)
{
  g_return_val_if_fail (password != NULL, NULL);

  g_atomic_ref_count_inc (&password->ref_count);

  return password;
}

void
ms_password_unref (MsPassword *password)
{
  g_return_if_fail (password != NULL);

  if (!g_atomic_ref_count_dec (&password->ref_count))
    return;

  ms_wipe (password->text, password->capacity);
  munlock (password->text, password->capacity);
  g_free (password->text);
  g_free (password);
  release_secret ();
}

/**
 * ms_password_get_text:
 * @password: an #MsPassword
 *
 * Returns: (transfer none): the nul-terminated secret; do not copy it into
 *   memory that is not wiped
 */
const char *
ms_password_get_text (MsPassword *password)
{
  g_return_val_if_fail (password != NULL, NULL);

  return password->text;
}

gsize
ms_password_get_length (MsPassword *password)
{
  g_return_val_if_fail (password != NULL, 0);

  return password->length;
}
