/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-error"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "ms-error.h"

G_DEFINE_QUARK (ms-error-quark, ms_error)

typedef struct
{
  const char *name;
  int         exit_status;
} MsErrorInfo;

/* Exit statuses are the sysexits values of docs/contract.md. */
static const MsErrorInfo error_info[MS_ERROR_N_CODES] = {
  [MS_ERROR_INVALID_INPUT] = { "invalid-input", 65 },
  [MS_ERROR_USAGE] = { "usage", 64 },
  [MS_ERROR_UNKNOWN_ACCOUNT] = { "unknown-account", 67 },
  [MS_ERROR_DNS_FAILED] = { "dns-failed", 68 },
  [MS_ERROR_CONNECT_REFUSED] = { "connect-refused", 69 },
  [MS_ERROR_CONNECT_TIMEOUT] = { "connect-timeout", 75 },
  [MS_ERROR_TIMEOUT] = { "timeout", 75 },
  [MS_ERROR_WRONG_SECURITY_MODE] = { "wrong-security-mode", 76 },
  [MS_ERROR_TLS_HANDSHAKE_FAILED] = { "tls-handshake-failed", 76 },
  [MS_ERROR_CERTIFICATE_UNTRUSTED] = { "certificate-untrusted", 76 },
  [MS_ERROR_CERTIFICATE_EXPIRED] = { "certificate-expired", 76 },
  [MS_ERROR_CERTIFICATE_NOT_YET_VALID] = { "certificate-not-yet-valid", 76 },
  [MS_ERROR_CERTIFICATE_NAME_MISMATCH] = { "certificate-name-mismatch", 76 },
  [MS_ERROR_PIN_MISMATCH] = { "pin-mismatch", 76 },
  [MS_ERROR_STARTTLS_UNAVAILABLE] = { "starttls-unavailable", 69 },
  [MS_ERROR_STARTTLS_INJECTION] = { "starttls-injection", 76 },
  [MS_ERROR_PROTOCOL_ERROR] = { "protocol-error", 76 },
  [MS_ERROR_GREETING_REJECTED] = { "greeting-rejected", 69 },
  [MS_ERROR_AUTH_UNSUPPORTED] = { "auth-unsupported", 77 },
  [MS_ERROR_AUTH_FAILED] = { "auth-failed", 77 },
  [MS_ERROR_APP_PASSWORD_REQUIRED] = { "app-password-required", 77 },
  [MS_ERROR_WEB_LOGIN_REQUIRED] = { "web-login-required", 77 },
  [MS_ERROR_SENDER_REJECTED] = { "sender-rejected", 65 },
  [MS_ERROR_RECIPIENT_REJECTED] = { "recipient-rejected", 65 },
  [MS_ERROR_MESSAGE_REJECTED] = { "message-rejected", 65 },
  [MS_ERROR_MESSAGE_TOO_LARGE] = { "message-too-large", 65 },
  [MS_ERROR_QUOTA_EXCEEDED] = { "quota-exceeded", 75 },
  [MS_ERROR_TEMPORARY_FAILURE] = { "temporary-failure", 75 },
  [MS_ERROR_CONNECTION_LOST] = { "connection-lost", 74 },
  [MS_ERROR_DELIVERY_UNKNOWN] = { "delivery-unknown", 75 },
  [MS_ERROR_KEYRING_UNAVAILABLE] = { "keyring-unavailable", 78 },
  [MS_ERROR_KEYRING_LOCKED] = { "keyring-locked", 78 },
  [MS_ERROR_SECRET_MISSING] = { "secret-missing", 78 },
  [MS_ERROR_CREDENTIAL_UNAVAILABLE] = { "credential-unavailable", 78 },
  [MS_ERROR_CONFIG_INVALID] = { "config-invalid", 78 },
  [MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE] = { "online-account-unavailable", 78 },
  [MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION] = { "online-account-needs-attention", 78 },
  [MS_ERROR_CANCELLED] = { "cancelled", 70 },
  [MS_ERROR_INTERNAL] = { "internal", 70 },
};

/**
 * ms_error_code_to_string:
 * @code: an #MsErrorCode
 *
 * Returns: (transfer none): the contract's name for @code, such as
 *   "auth-failed"
 */
const char *
ms_error_code_to_string (MsErrorCode code)
{
  g_return_val_if_fail (code < MS_ERROR_N_CODES, "internal");

  return error_info[code].name;
}

/**
 * ms_error_code_from_string:
 * @name: a contract error name
 * @code: (out): the matching code
 *
 * Returns: %TRUE when @name is one of the contract's codes
 */
gboolean
ms_error_code_from_string (const char  *name,
                           MsErrorCode *code)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  for (guint i = 0; i < MS_ERROR_N_CODES; i++)
    {
      if (g_str_equal (name, error_info[i].name))
        {
          *code = i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ms_error_code_exit_status:
 * @code: an #MsErrorCode
 *
 * Returns: the process exit status the contract gives @code
 */
int
ms_error_code_exit_status (MsErrorCode code)
{
  g_return_val_if_fail (code < MS_ERROR_N_CODES, 70);

  return error_info[code].exit_status;
}

/**
 * ms_error_get_code:
 * @error: (nullable): a #GError
 *
 * Maps any error to a contract code: %MS_ERROR errors keep theirs, a
 * cancellation becomes %MS_ERROR_CANCELLED and anything else is
 * %MS_ERROR_INTERNAL, since it means a case the core did not translate.
 *
 * Returns: the contract code for @error
 */
MsErrorCode
ms_error_get_code (const GError *error)
{
  if (error == NULL)
    return MS_ERROR_INTERNAL;
  if (error->domain == MS_ERROR && (guint) error->code < MS_ERROR_N_CODES)
    return error->code;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MS_ERROR_CANCELLED;
  return MS_ERROR_INTERNAL;
}
