/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-validate"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-validate.h"

#define MS_LOCAL_PART_MAX    64    /* RFC 5321 4.5.3.1.1 */
#define MS_DOMAIN_MAX        255   /* RFC 5321 4.5.3.1.2 */
#define MS_HOST_MAX          253   /* a DNS name in text form, no trailing dot */
#define MS_LABEL_MAX         63
#define MS_ACCOUNT_ID_MAX    64
#define MS_DISPLAY_NAME_MAX  200   /* characters */
#define MS_PIN_PREFIX        "sha256//"

static gboolean invalid (GError     **error,
                         const char  *format,
                         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT, message);

  return FALSE;
}

static gboolean
is_control (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
}

/**
 * ms_validate_no_control:
 * @field: the field's name, translated
 * @value: the value
 * @error: where to put an error
 *
 * Refuses invalid UTF-8 and control characters (CR, LF, tab, DEL, C1
 * controls...): what could end a protocol line or a header early. A NUL
 * cannot appear in a C string; callers that hold lengths check for it
 * before calling.
 *
 * Errors: %MS_ERROR_INVALID_INPUT
 *
 * Returns: %TRUE when @value is safe
 */
gboolean
ms_validate_no_control (const char  *field,
                        const char  *value,
                        GError     **error)
{
  g_return_val_if_fail (field != NULL, FALSE);

  if (value == NULL)
    /* Translators: %s is the name of a field, e.g. "Server" */
    return invalid (error, _("%s is missing."), field);

  if (!g_utf8_validate (value, -1, NULL))
    /* Translators: %s is the name of a field, e.g. "Server" */
    return invalid (error, _("%s is not valid UTF-8 text."), field);

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    if (is_control (g_utf8_get_char (p)))
      /* Translators: %s is the name of a field, e.g. "Server" */
      return invalid (error, _("%s contains a line break or another control character."), field);

  return TRUE;
}

/* RFC 5322 atext, plus any non-ASCII octet (RFC 6531 SMTPUTF8). */
static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
validate_local_part (const char  *field,
                     const char  *local,
                     gsize        length,
                     GError     **error)
{
  if (length == 0)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s needs a name before the @."), field);
  if (length > MS_LOCAL_PART_MAX)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s: the part before the @ is longer than 64 bytes."), field);
  if (local[0] == '"')
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s: quoted names before the @ are not supported."), field);
  if (local[0] == '.' || local[length - 1] == '.' || g_strstr_len (local, length, "..") != NULL)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s: dots before the @ must separate words."), field);

  for (gsize i = 0; i < length; i++)
    if (local[i] != '.' && !is_atext (local[i]))
      /* Translators: %s is the name of a field, e.g. "Email address" */
      return invalid (error, _("%s contains a character that is not allowed in an email address."), field);

  return TRUE;
}

/**
 * ms_validate_address:
 * @field: the field's name, translated ("Email address")
 * @address: a bare address, local@domain (no display name, no brackets)
 * @error: where to put an error
 *
 * Checks an address as it goes into MAIL FROM, RCPT TO and headers: a
 * dot-atom local part of at most 64 octets (UTF-8 allowed; quoted local
 * parts are refused), one @, and a domain of at most 255 octets that is a
 * valid host name (IDN allowed; address literals are refused). No spaces,
 * angle brackets or control characters.
 *
 * Errors: %MS_ERROR_INVALID_INPUT
 *
 * Returns: %TRUE when valid
 */
gboolean
ms_validate_address (const char  *field,
                     const char  *address,
                     GError     **error)
{
  const char *at;
  g_autofree char *host = NULL;
  gboolean literal = FALSE;

  g_return_val_if_fail (field != NULL, FALSE);

  if (!ms_validate_no_control (field, address, error))
    return FALSE;
  if (strpbrk (address, " <>") != NULL)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s must be a bare address like name@example.com, without spaces or < >."), field);

  at = strrchr (address, '@');
  if (at == NULL)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s needs an @, like name@example.com."), field);
  if (!validate_local_part (field, address, at - address, error))
    return FALSE;
  if (strlen (at + 1) > MS_DOMAIN_MAX)
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s: the part after the @ is longer than 255 bytes."), field);

  host = ms_validate_host (field, at + 1, &literal, error);
  if (host == NULL)
    return FALSE;
  if (literal || at[1] == '[')
    /* Translators: %s is the name of a field, e.g. "Email address" */
    return invalid (error, _("%s: the part after the @ must be a domain name, not an address."), field);

  return TRUE;
}

/**
 * ms_address_is_ascii:
 * @address: an address
 *
 * Returns: %TRUE when every octet is ASCII (no SMTPUTF8 needed)
 */
gboolean
ms_address_is_ascii (const char *address)
{
  g_return_val_if_fail (address != NULL, FALSE);

  for (const char *p = address; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/**
 * ms_address_get_domain:
 * @address: an address
 *
 * Returns: (transfer full) (nullable): what follows the last @, as written,
 *   or %NULL when there is no @ or nothing after it
 */
char *
ms_address_get_domain (const char *address)
{
  const char *at;

  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (at == NULL || at[1] == '\0')
    return NULL;

  return g_strdup (at + 1);
}

static char *
validate_ip_literal (const char  *field,
                     const char  *text,
                     gboolean     need_v6,
                     GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (text);

  if (inet == NULL || (need_v6 && g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6))
    {
      /* Translators: %s is the name of a field, e.g. "Server" */
      invalid (error, _("%s is not a valid IP address."), field);
      return NULL;
    }

  return g_inet_address_to_string (inet);
}

static gboolean
validate_label (const char *label)
{
  gsize len = strlen (label);

  if (len == 0 || len > MS_LABEL_MAX)
    return FALSE;
  if (label[0] == '-' || label[len - 1] == '-')
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-')
      return FALSE;

  return TRUE;
}

static gboolean
all_digits (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;

  return TRUE;
}

/* An ASCII, lower-case name: LDH labels of 1-63, at most 253 in all, and a
 * last label that is not all digits (so "1.2.3.999" or "127.1" can never
 * reach a resolver that reads them as an address). */
static gboolean
validate_host_name (const char  *field,
                    const char  *ascii,
                    GError     **error)
{
  g_auto(GStrv) labels = NULL;
  guint n;

  if (strlen (ascii) > MS_HOST_MAX)
    /* Translators: %s is the name of a field, e.g. "Server" */
    return invalid (error, _("%s is longer than 253 characters."), field);

  labels = g_strsplit (ascii, ".", -1);
  n = g_strv_length (labels);
  if (n == 0)
    /* Translators: %s is the name of a field, e.g. "Server" */
    return invalid (error, _("%s is not a valid server name."), field);
  for (guint i = 0; i < n; i++)
    if (!validate_label (labels[i]))
      /* Translators: %s is the name of a field, e.g. "Server" */
      return invalid (error, _("%s is not a valid server name."), field);

  if (all_digits (labels[n - 1]))
    /* Translators: %s is the name of a field, e.g. "Server" */
    return invalid (error, _("%s is not a valid server name or IP address."), field);

  return TRUE;
}

static char *
normalise_host_name (const char  *field,
                     const char  *host,
                     GError     **error)
{
  g_autofree char *trimmed = g_strdup (host);
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  gsize len = strlen (trimmed);

  if (len > 1 && trimmed[len - 1] == '.')
    trimmed[len - 1] = '\0';

  /* IDNA maps some characters (a soft hyphen, U+034F) to nothing, so a
   * name made only of them comes back empty. */
  ascii = g_hostname_to_ascii (trimmed);
  if (ascii == NULL || *ascii == '\0')
    {
      /* Translators: %s is the name of a field, e.g. "Server" */
      invalid (error, _("%s is not a valid server name."), field);
      return NULL;
    }

  lower = g_ascii_strdown (ascii, -1);
  if (!validate_host_name (field, lower, error))
    return NULL;

  return g_steal_pointer (&lower);
}

/* "smtp.gmail.com:587" or "[::1]:25": one colon after a name, or a colon
 * after the closing bracket, then digits. */
static gboolean
looks_like_host_and_port (const char *host)
{
  const char *colon = strrchr (host, ':');

  if (colon == NULL || colon[1] == '\0' || !all_digits (colon + 1))
    return FALSE;
  if (host[0] == '[')
    return colon > host && colon[-1] == ']';

  return strchr (host, ':') == colon;
}

/**
 * ms_validate_host:
 * @field: the field's name, translated ("Server")
 * @host: a host name (IDN allowed), an IPv4 address, or an IPv6 address
 *   bare or in brackets
 * @is_address_literal: (out) (optional): set to whether @host is an address
 * @error: where to put an error
 *
 * Normalises a host once, so that DNS, SNI and the certificate check all use
 * the same name (docs/security.md, V4): a trailing dot dropped, upper case
 * folded, IDN converted to ASCII (punycode), an IP address in its canonical
 * text form without brackets.
 *
 * Errors: %MS_ERROR_INVALID_INPUT
 *
 * Returns: (transfer full) (nullable): the normalised host, or %NULL
 */
char *
ms_validate_host (const char  *field,
                  const char  *host,
                  gboolean    *is_address_literal,
                  GError     **error)
{
  gsize len;

  g_return_val_if_fail (field != NULL, NULL);

  if (is_address_literal != NULL)
    *is_address_literal = FALSE;
  if (!ms_validate_no_control (field, host, error))
    return NULL;

  len = strlen (host);
  if (len == 0)
    {
      /* Translators: %s is the name of a field, e.g. "Server" */
      invalid (error, _("%s is empty."), field);
      return NULL;
    }

  if (looks_like_host_and_port (host))
    {
      /* Translators: %s is the name of a field, e.g. "Server" */
      invalid (error, _("%s: give the port in its own field, not after a colon."), field);
      return NULL;
    }

  if (host[0] == '[' || strchr (host, ':') != NULL || g_hostname_is_ip_address (host))
    {
      g_autofree char *inner = NULL;
      gboolean bracketed = host[0] == '[';

      if (bracketed && (len < 3 || host[len - 1] != ']'))
        {
          /* Translators: %s is the name of a field, e.g. "Server" */
          invalid (error, _("%s is not a valid IP address."), field);
          return NULL;
        }
      inner = bracketed ? g_strndup (host + 1, len - 2) : g_strdup (host);
      if (is_address_literal != NULL)
        *is_address_literal = TRUE;
      return validate_ip_literal (field, inner, bracketed, error);
    }

  return normalise_host_name (field, host, error);
}

/**
 * ms_validate_port:
 * @field: the field's name, translated ("Port")
 * @text: decimal digits only
 * @port: (out) (optional): the port
 * @error: where to put an error
 *
 * Errors: %MS_ERROR_INVALID_INPUT unless @text is 1 to 65535 in decimal
 * (no sign, no spaces, no hex).
 *
 * Returns: %TRUE when valid
 */
gboolean
ms_validate_port (const char  *field,
                  const char  *text,
                  guint16     *port,
                  GError     **error)
{
  guint64 value = 0;

  g_return_val_if_fail (field != NULL, FALSE);

  if (text == NULL || text[0] == '\0' || strlen (text) > 5 || !all_digits (text)
      || !g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    /* Translators: %s is the name of a field, e.g. "Port" */
    return invalid (error, _("%s must be a number from 1 to 65535."), field);

  if (port != NULL)
    *port = (guint16) value;

  return TRUE;
}

/**
 * ms_validate_account_id:
 * @id: an account id
 * @error: where to put an error
 *
 * Errors: %MS_ERROR_INVALID_INPUT unless @id matches
 * `[a-z0-9][a-z0-9._-]{0,63}` (docs/contract.md).
 *
 * Returns: %TRUE when valid
 */
gboolean
ms_validate_account_id (const char  *id,
                        GError     **error)
{
  gsize len = id != NULL ? strlen (id) : 0;
  gboolean ok = len >= 1 && len <= MS_ACCOUNT_ID_MAX;

  for (gsize i = 0; ok && i < len; i++)
    {
      char c = id[i];

      ok = g_ascii_isdigit (c) || (c >= 'a' && c <= 'z')
           || (i > 0 && (c == '.' || c == '_' || c == '-'));
    }

  if (!ok)
    return invalid (error,
                    /* Translators: %s is "Account name"; keep the character list as is */
                    _("%s must be 1 to 64 characters: a-z, 0-9, and . _ - after the first."),
                    _("Account name"));

  return TRUE;
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/**
 * ms_validate_pin:
 * @pin: a pin, "sha256//" and the base64 of 32 bytes
 * @error: where to put an error
 *
 * Errors: %MS_ERROR_INVALID_INPUT unless @pin is in curl's form: the
 * prefix, then exactly 43 base64 characters and one "=".
 *
 * Returns: %TRUE when valid
 */
gboolean
ms_validate_pin (const char  *pin,
                 GError     **error)
{
  const char *b64;
  gboolean ok;

  ok = pin != NULL && g_str_has_prefix (pin, MS_PIN_PREFIX);
  b64 = ok ? pin + strlen (MS_PIN_PREFIX) : NULL;
  ok = ok && strlen (b64) == 44 && b64[43] == '=';

  for (guint i = 0; ok && i < 43; i++)
    ok = is_base64_char (b64[i]);

  if (!ok)
    return invalid (error,
                    /* Translators: %s is "Pin"; keep sha256// as is */
                    _("%s must be sha256// followed by the base64 SHA-256 of the server key."),
                    _("Pin"));

  return TRUE;
}

/**
 * ms_validate_display_name:
 * @name: a display name; empty is allowed
 * @error: where to put an error
 *
 * Errors: %MS_ERROR_INVALID_INPUT for control characters, invalid UTF-8 or
 * more than 200 characters.
 *
 * Returns: %TRUE when valid
 */
gboolean
ms_validate_display_name (const char  *name,
                          GError     **error)
{
  const char *field = _("Display name");

  if (!ms_validate_no_control (field, name, error))
    return FALSE;
  if (g_utf8_strlen (name, -1) > MS_DISPLAY_NAME_MAX)
    /* Translators: %s is "Display name" */
    return invalid (error, _("%s is longer than 200 characters."), field);

  return TRUE;
}
