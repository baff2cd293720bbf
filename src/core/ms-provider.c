/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-provider"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include "ms-error.h"
#include "ms-provider.h"

#define PROVIDER_CONTEXT "provider"

/* ---- lookups ---- */

/**
 * ms_provider_lookup:
 * @id: a provider id ("gmail")
 *
 * Returns: (transfer none) (nullable): the provider
 */
const MsProvider *
ms_provider_lookup (const char *id)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i]->id, id))
      return all[i];
  return NULL;
}

static gboolean host_in_domain (const char *host,
                                const char *suffix);

/**
 * ms_provider_lookup_domain:
 * @domain: the domain of an address, in any case, without the "@"
 *
 * Returns: (transfer none) (nullable): the provider whose table lists
 *   @domain, else the one whose domain suffixes hold it (OCN's
 *   "xxx.ocn.ne.jp", au's "ab.auone-net.jp")
 */
const MsProvider *
ms_provider_lookup_domain (const char *domain)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (domain != NULL, NULL);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; all[i]->domains[j] != NULL; j++)
      if (g_ascii_strcasecmp (all[i]->domains[j], domain) == 0)
        return all[i];
  for (guint i = 0; i < n; i++)
    for (guint j = 0; all[i]->domain_suffixes[j] != NULL; j++)
      if (host_in_domain (domain, all[i]->domain_suffixes[j]))
        return all[i];
  return NULL;
}

static gboolean
host_in_domain (const char *host,
                const char *suffix)
{
  gsize host_len = strlen (host), suffix_len = strlen (suffix);

  if (host_len > 0 && host[host_len - 1] == '.')
    host_len--;
  if (host_len == suffix_len)
    return g_ascii_strncasecmp (host, suffix, host_len) == 0;
  return host_len > suffix_len && host[host_len - suffix_len - 1] == '.'
         && g_ascii_strncasecmp (host + host_len - suffix_len, suffix, suffix_len) == 0;
}

/**
 * ms_provider_lookup_mx:
 * @mx_host: the name of an MX host ("aspmx.l.google.com")
 *
 * Returns: (transfer none) (nullable): the provider that hosts mail whose
 *   MX is @mx_host (Google Workspace for "*.google.com")
 */
const MsProvider *
ms_provider_lookup_mx (const char *mx_host)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (mx_host != NULL, NULL);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; all[i]->mx_patterns[j] != NULL; j++)
      if (host_in_domain (mx_host, all[i]->mx_patterns[j]))
        return all[i];
  return NULL;
}

/**
 * ms_provider_lookup_host:
 * @smtp_host: an SMTP server name ("smtp.gmail.com")
 *
 * Returns: (transfer none) (nullable): the first provider whose SMTP server
 *   (or an alternative) is @smtp_host
 */
const MsProvider *
ms_provider_lookup_host (const char *smtp_host)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (smtp_host != NULL, NULL);

  for (guint i = 0; i < n; i++)
    {
      if (all[i]->smtp != NULL && g_ascii_strcasecmp (all[i]->smtp->host, smtp_host) == 0
          && !g_str_equal (all[i]->smtp->host, "127.0.0.1"))
        return all[i];
    }
  return NULL;
}

/* ---- display strings ---- */

static const char *
translate (const char *text)
{
  return text != NULL ? g_dpgettext2 (GETTEXT_PACKAGE, PROVIDER_CONTEXT, text) : NULL;
}

/**
 * ms_provider_get_name:
 * @provider: a provider
 *
 * Returns: (transfer none): the name in the user's language
 */
const char *
ms_provider_get_name (const MsProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return translate (provider->name);
}

const char *
ms_provider_get_short_name (const MsProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return translate (provider->short_name);
}

/**
 * ms_provider_get_note:
 * @provider: a provider
 * @index: which note
 *
 * Returns: (transfer none) (nullable): the note in the user's language, or
 *   %NULL past the last one
 */
const char *
ms_provider_get_note (const MsProvider *provider,
                      guint             index)
{
  g_return_val_if_fail (provider != NULL, NULL);

  if (index >= g_strv_length (provider->notes))
    return NULL;
  return translate (provider->notes[index]);
}

const char *
ms_provider_link_get_label (const MsProviderLink *link)
{
  g_return_val_if_fail (link != NULL, NULL);
  return translate (link->label);
}

/**
 * ms_provider_get_text:
 * @text: (nullable): a human string of the table (a step, a reply's advice)
 *
 * Returns: (transfer none) (nullable): @text in the user's language
 */
const char *
ms_provider_get_text (const char *text)
{
  return translate (text);
}

/**
 * ms_provider_get_link:
 * @provider: a provider
 * @id: a link id ("app-passwords")
 *
 * Returns: (transfer none) (nullable): the provider's link with that id
 */
const MsProviderLink *
ms_provider_get_link (const MsProvider *provider,
                      const char       *id)
{
  g_return_val_if_fail (provider != NULL, NULL);

  if (id == NULL || provider->links == NULL)
    return NULL;
  for (guint i = 0; i < provider->links->len; i++)
    {
      const MsProviderLink *link = g_ptr_array_index (provider->links, i);

      if (g_str_equal (link->id, id))
        return link;
    }
  return NULL;
}

/**
 * ms_provider_get_link_url:
 * @provider: a provider
 * @id: (nullable): a link id
 *
 * Returns: (transfer none) (nullable): its https URL
 */
const char *
ms_provider_get_link_url (const MsProvider *provider,
                          const char       *id)
{
  const MsProviderLink *link = ms_provider_get_link (provider, id);

  return link != NULL ? link->url : NULL;
}

/**
 * ms_provider_get_secret_url:
 * @provider: a provider
 *
 * Returns: (transfer none) (nullable): the page where the secret is made
 *   (Gmail: App passwords)
 */
const char *
ms_provider_get_secret_url (const MsProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);

  return ms_provider_get_link_url (provider, provider->secret_link);
}

/**
 * ms_provider_is_confirmed:
 * @provider: a provider
 * @fact: a fact of the table ("smtp", "username", ...)
 *
 * Whether @fact was confirmed on the provider's own pages. When it was
 * not, the table still carries it (from other mail programs' data) and the
 * wizard says it is what the provider *usually* uses.
 *
 * Returns: %FALSE when the table lists @fact as unconfirmed
 */
gboolean
ms_provider_is_confirmed (const MsProvider *provider,
                          const char       *fact)
{
  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (fact != NULL, FALSE);

  return !g_strv_contains ((const char *const *) provider->unconfirmed, fact);
}

static gboolean
text_has (const char *text,
          const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_autofree char *lower_needle = g_ascii_strdown (needle, -1);

  return strstr (lower, lower_needle) != NULL;
}

static gboolean
reply_matches (const MsProviderReply *reply,
               guint                  code,
               const char            *enhanced,
               const char            *text)
{
  gboolean keyword = reply->keywords[0] == NULL;

  if (reply->code != code)
    return FALSE;
  if (reply->enhanced != NULL && g_strcmp0 (reply->enhanced, enhanced) != 0)
    return FALSE;
  for (guint i = 0; reply->keywords[i] != NULL && !keyword; i++)
    keyword = text_has (text, reply->keywords[i]);
  return keyword;
}

/**
 * ms_provider_match_reply:
 * @provider: a provider
 * @code: a reply's basic code (534)
 * @enhanced: (nullable): its enhanced code ("5.7.9")
 * @text: (nullable): its text, all lines
 *
 * The provider's rule for a reply. Rules with keywords come first: Gmail's
 * "?p=WebLoginRequired" decides over the 5.7.9 that comes with it.
 *
 * Returns: (transfer none) (nullable): the rule, or %NULL
 */
const MsProviderReply *
ms_provider_match_reply (const MsProvider *provider,
                         guint             code,
                         const char       *enhanced,
                         const char       *text)
{
  g_return_val_if_fail (provider != NULL, NULL);

  if (text == NULL)
    text = "";
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < provider->replies->len; i++)
      {
        const MsProviderReply *reply = g_ptr_array_index (provider->replies, i);
        gboolean has_keywords = reply->keywords[0] != NULL;

        if (has_keywords == (pass == 0) && reply_matches (reply, code, enhanced, text))
          return reply;
      }
  return NULL;
}

/**
 * ms_provider_lookup_reply:
 * @reply_text: (nullable): a server's reply text
 *
 * Returns: (transfer none) (nullable): the provider whose signature ends
 *   @reply_text (Gmail ends every error with "gsmtp"), so that it is known
 *   behind an alias host name or a local relay too
 */
const MsProvider *
ms_provider_lookup_reply (const char *reply_text)
{
  g_autofree char *trimmed = NULL;
  const char *last_word;
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  if (reply_text == NULL)
    return NULL;
  trimmed = g_strstrip (g_strdup (reply_text));
  last_word = strrchr (trimmed, ' ');
  last_word = last_word != NULL ? last_word + 1 : trimmed;
  for (guint i = 0; i < n; i++)
    if (all[i]->reply_signature != NULL && g_str_equal (all[i]->reply_signature, last_word))
      return all[i];
  return NULL;
}

/**
 * ms_provider_expand_host:
 * @host: a server name from the table, maybe with "{domain}" (the
 *   address's domain: au's "msa.{domain}"), "{mx}" (the MX host that led to
 *   the provider: a hosting service's own server) or "{mx_pattern}" (the
 *   pattern it matched: Zoho's "smtppro.{mx_pattern}" for its regions)
 * @domain: the address's domain
 * @mx: (nullable): the MX host
 * @mx_pattern: (nullable): the pattern it matched
 *
 * Returns: (transfer full) (nullable): the server name, or %NULL when
 *   @host needs an MX host that is not known
 */
char *
ms_provider_expand_host (const char *host,
                         const char *domain,
                         const char *mx,
                         const char *mx_pattern)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (domain != NULL, NULL);

  if ((strstr (host, "{mx}") != NULL && mx == NULL)
      || (strstr (host, "{mx_pattern}") != NULL && mx_pattern == NULL))
    return NULL;
  out = g_string_new (host);
  g_string_replace (out, "{domain}", domain, 0);
  if (mx != NULL)
    g_string_replace (out, "{mx}", mx, 0);
  if (mx_pattern != NULL)
    g_string_replace (out, "{mx_pattern}", mx_pattern, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * ms_provider_get_username:
 * @provider: (nullable): a provider, or %NULL for an unknown one
 * @address: the account's address
 *
 * Returns: (transfer full): the user name the provider expects for
 *   @address: the address itself, or the part before the @ (Yahoo! BB)
 */
char *
ms_provider_get_username (const MsProvider *provider,
                          const char       *address)
{
  const char *at;

  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (provider == NULL || provider->username_form != MS_USERNAME_LOCAL_PART || at == NULL)
    return g_strdup (address);
  return g_strndup (address, at - address);
}

/* ---- app-password checks ---- */

static char *
normalise (const MsProvider *provider,
           const char       *text,
           gsize            *length)
{
  const char *strip = provider != NULL && provider->password_strip != NULL
                      ? provider->password_strip : "";
  gsize in_len = strlen (text), out = 0;
  char *buffer = g_malloc (in_len + 1);

  for (gsize i = 0; i < in_len; i++)
    if (*strip == '\0' || strchr (strip, text[i]) == NULL)
      buffer[out++] = text[i];
  buffer[out] = '\0';
  *length = out;
  return buffer;
}

static gboolean
has_bad_characters (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static MsPasswordVerdict
classify_password (const MsProvider *provider,
                   const char       *text,
                   guint             length)
{
  if (length == 0)
    return MS_PASSWORD_EMPTY;
  if (has_bad_characters (text))
    return MS_PASSWORD_BAD_CHARACTERS;
  if (provider == NULL || provider->password_format == NULL)
    return MS_PASSWORD_OK;
  if (g_regex_match_simple (provider->password_format, text, G_REGEX_DEFAULT,
                            G_REGEX_MATCH_DEFAULT))
    return MS_PASSWORD_OK;
  if (provider->password_alphabet != NULL
      && g_regex_match_simple (provider->password_alphabet, text, G_REGEX_DEFAULT,
                               G_REGEX_MATCH_DEFAULT))
    {
      if (length < provider->password_length)
        return MS_PASSWORD_TOO_SHORT;
      if (length > provider->password_length)
        return MS_PASSWORD_TOO_LONG;
    }
  return MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD;
}

/**
 * ms_provider_check_password:
 * @provider: (nullable): the provider, or %NULL for an unknown one
 * @text: what the user typed or pasted
 * @length_out: (out) (optional): the length in characters after normalising
 * @normalised_out: (out) (optional) (transfer full): the secret to use:
 *   @text without the characters the provider's display adds (Gmail's
 *   spaces), in locked memory
 *
 * Checks a password against the provider's format as the user types it.
 * Nothing is logged and every temporary copy is wiped.
 *
 * Returns: the verdict; ms_provider_password_message() words it
 */
MsPasswordVerdict
ms_provider_check_password (const MsProvider  *provider,
                            const char        *text,
                            guint             *length_out,
                            MsPassword       **normalised_out)
{
  MsPasswordVerdict verdict;
  gsize size, original = 0;
  char *buffer;
  guint length;

  g_return_val_if_fail (text != NULL, MS_PASSWORD_EMPTY);

  original = strlen (text);
  buffer = normalise (provider, text, &size);
  length = g_utf8_validate (buffer, (gssize) size, NULL)
           ? (guint) g_utf8_strlen (buffer, (gssize) size) : (guint) size;
  verdict = classify_password (provider, buffer, length);
  if (length_out != NULL)
    *length_out = length;
  if (normalised_out != NULL)
    *normalised_out = ms_password_new (buffer, size);
  ms_wipe (buffer, original + 1);
  g_free (buffer);
  return verdict;
}

/**
 * ms_provider_password_message:
 * @provider: (nullable): the provider
 * @verdict: what ms_provider_check_password() said
 * @length: the length it reported
 *
 * The live check line under the password row (docs/ui.md, the password page).
 *
 * Returns: (transfer full) (nullable): the line in the user's language, or
 *   %NULL when there is nothing to say
 */
char *
ms_provider_password_message (const MsProvider  *provider,
                              MsPasswordVerdict  verdict,
                              guint              length)
{
  guint expected = provider != NULL ? provider->password_length : 0;

  switch (verdict)
    {
    case MS_PASSWORD_OK:
      if (expected == 0)
        return NULL;
      /* Translators: shown when a pasted app password has the right length,
       * beside a tick icon (so no tick in the text: it would be read twice). */
      return g_strdup_printf (ngettext ("%u letter", "%u letters", length), length);
    case MS_PASSWORD_EMPTY:
      if (provider != NULL && provider->secret_kind == MS_SECRET_APP_PASSWORD)
        return g_strdup (_("Paste the app password here."));
      return NULL;
    case MS_PASSWORD_TOO_SHORT:
    case MS_PASSWORD_TOO_LONG:
      /* Translators: the first %u is the right length (16), the second what was typed. */
      return g_strdup_printf (ngettext ("An app password has %u letters; this has %u",
                                        "An app password has %u letters; this has %u",
                                        length),
                              expected, length);
    case MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD:
      /* Translators: %s is a provider name, for example "Gmail". */
      return g_strdup_printf (_("This looks like a normal password. %s needs an app password."),
                              provider != NULL ? ms_provider_get_short_name (provider) : "");
    case MS_PASSWORD_BAD_CHARACTERS:
      return g_strdup (_("This has characters a password never has, such as a line break. "
                         "Copy the password again."));
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- detection ---- */

G_DEFINE_BOXED_TYPE (MsDetection, ms_detection, ms_detection_copy, ms_detection_free)

/**
 * ms_detection_copy:
 * @detection: a detection
 *
 * Returns: (transfer full): a copy
 */
MsDetection *
ms_detection_copy (const MsDetection *detection)
{
  MsDetection *copy = g_new0 (MsDetection, 1);

  g_return_val_if_fail (detection != NULL, NULL);

  *copy = *detection;
  copy->domain = g_strdup (detection->domain);
  copy->host = g_strdup (detection->host);
  copy->mx_hosts = g_strdupv (detection->mx_hosts);
  copy->srv_records = g_strdupv (detection->srv_records);
  copy->label = g_strdup (detection->label);
  return copy;
}

void
ms_detection_free (MsDetection *detection)
{
  if (detection == NULL)
    return;
  g_free (detection->domain);
  g_free (detection->host);
  g_strfreev (detection->mx_hosts);
  g_strfreev (detection->srv_records);
  g_free (detection->label);
  g_free (detection);
}

const char *
ms_detection_source_to_string (MsDetectionSource source)
{
  static const char *const names[] = { "table", "mx", "srv", "guess" };

  g_return_val_if_fail (source < G_N_ELEMENTS (names), NULL);
  return names[source];
}

/**
 * ms_detection_describe:
 * @detection: a detection
 *
 * Returns: (transfer full): the row text of the wizard's first page: the
 *   provider's name, or that the user will enter the server
 */
char *
ms_detection_describe (const MsDetection *detection)
{
  g_return_val_if_fail (detection != NULL, NULL);

  if (detection->provider != NULL)
    return g_strdup (ms_provider_get_name (detection->provider));
  return g_strdup (_("Other provider: you will enter the server"));
}

static char *
detection_label (MsDetectionSource source,
                 gboolean          confirmed)
{
  if (!confirmed && source != MS_DETECTION_SOURCE_GUESS)
    return g_strdup (_("what this provider usually uses: not confirmed on its own pages, so check it there"));
  switch (source)
    {
    case MS_DETECTION_SOURCE_TABLE:
      return g_strdup (_("known to Mail Setup"));
    case MS_DETECTION_SOURCE_MX:
      return g_strdup (_("found from the domain's mail servers"));
    case MS_DETECTION_SOURCE_SRV:
      return g_strdup (_("found from the domain's mail settings in DNS"));
    case MS_DETECTION_SOURCE_GUESS:
    default:
      return g_strdup (_("a guess from the domain name: check it with your provider"));
    }
}

static gboolean
is_ldh_domain (const char *domain)
{
  gsize label = 0;

  if (*domain == '\0' || strlen (domain) > 253)
    return FALSE;
  for (const char *p = domain; *p; p++)
    {
      if (*p == '.')
        {
          if (label == 0 || p[-1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-')
        return FALSE;
      if ((*p == '-' && label == 0) || ++label > 63)
        return FALSE;
    }
  return label > 0;
}

static char *
address_domain (const char *address,
                GError    **error)
{
  const char *at = strrchr (address, '@');
  g_autofree char *trimmed = NULL;
  g_autofree char *ascii = NULL;

  if (at == NULL || at == address || at[1] == '\0')
    goto invalid;
  trimmed = g_strdup (at + 1);
  if (g_str_has_suffix (trimmed, "."))
    trimmed[strlen (trimmed) - 1] = '\0';
  ascii = g_hostname_to_ascii (trimmed);
  if (ascii == NULL || !is_ldh_domain (ascii))
    goto invalid;
  return g_ascii_strdown (ascii, -1);

invalid:
  g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
               _("This is not an email address: it needs a name, an @ and a domain, "
                 "like name@example.org."));
  return NULL;
}

typedef struct
{
  guint16  priority;
  guint16  weight;
  guint16  port;
  char    *target;
} SrvRecord;

static gint
compare_mx (gconstpointer a,
            gconstpointer b)
{
  guint16 pa, pb;

  g_variant_get ((GVariant *) a, "(q&s)", &pa, NULL);
  g_variant_get ((GVariant *) b, "(q&s)", &pb, NULL);
  return (gint) pa - (gint) pb;
}

static char *
clean_host (const char *host)
{
  char *copy = g_ascii_strdown (host, -1);
  gsize len = strlen (copy);

  if (len > 0 && copy[len - 1] == '.')
    copy[len - 1] = '\0';
  return copy;
}

/* Records of @type, or NULL; only a cancellation is an error. */
static GList *
lookup_records (GResolver          *resolver,
                const char         *name,
                GResolverRecordType type,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *records;

  records = g_resolver_lookup_records (resolver, name, type, cancellable, &local_error);
  if (records == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, _("The operation was cancelled."));
  else if (records == NULL && local_error != NULL)
    g_debug ("No %s records: %s", name, local_error->message);
  return records;
}

static gboolean
detect_mx (MsDetection  *detection,
           GResolver    *resolver,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr(GStrvBuilder) seen = g_strv_builder_new ();
  const MsProvider *provider = NULL;
  GList *records;

  records = lookup_records (resolver, detection->domain, G_RESOLVER_RECORD_MX,
                            cancellable, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  records = g_list_sort (records, compare_mx);
  for (GList *l = records; l != NULL; l = l->next)
    {
      const char *host = NULL;
      g_autofree char *clean = NULL;

      g_variant_get (l->data, "(q&s)", NULL, &host);
      clean = clean_host (host);
      g_strv_builder_add (seen, clean);
      if (provider == NULL)
        provider = ms_provider_lookup_mx (clean);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  detection->mx_hosts = g_strv_builder_end (seen);
  if (provider != NULL && detection->provider == NULL)
    {
      detection->provider = provider;
      detection->provider_source = MS_DETECTION_SOURCE_MX;
    }
  return TRUE;
}

static gint
compare_srv (gconstpointer a,
             gconstpointer b)
{
  const SrvRecord *ra = a, *rb = b;

  if (ra->priority != rb->priority)
    return (gint) ra->priority - (gint) rb->priority;
  return (gint) rb->weight - (gint) ra->weight;
}

static void
srv_record_clear (SrvRecord *record)
{
  g_free (record->target);
}

/* The best usable record of one SRV name, appending what was seen. */
static gboolean
detect_srv_name (MsDetection  *detection,
                 GResolver    *resolver,
                 const char   *service,
                 GStrvBuilder *seen,
                 SrvRecord    *best,
                 GCancellable *cancellable,
                 GError      **error)
{
  g_autofree char *name = g_strconcat (service, ".", detection->domain, NULL);
  g_autoptr(GArray) usable = g_array_new (FALSE, TRUE, sizeof (SrvRecord));
  GList *records;

  g_array_set_clear_func (usable, (GDestroyNotify) srv_record_clear);
  records = lookup_records (resolver, name, G_RESOLVER_RECORD_SRV, cancellable, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  for (GList *l = records; l != NULL; l = l->next)
    {
      SrvRecord record = { 0, };
      const char *target = NULL;
      g_autofree char *text = NULL;

      g_variant_get (l->data, "(qqq&s)", &record.priority, &record.weight, &record.port, &target);
      text = g_strdup_printf ("%s %u %u %u %s", name, record.priority, record.weight,
                              record.port, target);
      g_strv_builder_add (seen, text);
      record.target = clean_host (target);
      /* RFC 6186: a target of "." says the service is not offered. */
      if (*record.target == '\0' || record.port == 0)
        srv_record_clear (&record);
      else
        g_array_append_val (usable, record);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  if (usable->len == 0)
    return FALSE;
  g_array_sort (usable, compare_srv);
  *best = g_array_index (usable, SrvRecord, 0);
  g_array_index (usable, SrvRecord, 0).target = NULL;
  return TRUE;
}

static gboolean
detect_srv (MsDetection  *detection,
            GResolver    *resolver,
            GCancellable *cancellable,
            GError      **error)
{
  static const struct { const char *service; MsSecurity security; } services[] = {
    { "_submissions._tcp", MS_SECURITY_TLS },      /* RFC 8314 */
    { "_submission._tcp", MS_SECURITY_STARTTLS },  /* RFC 6186 */
  };
  g_autoptr(GStrvBuilder) seen = g_strv_builder_new ();
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (services) && !found; i++)
    {
      SrvRecord best = { 0, };

      found = detect_srv_name (detection, resolver, services[i].service, seen, &best,
                               cancellable, error);
      if (error != NULL && *error != NULL)
        return FALSE;
      if (found)
        {
          detection->host = best.target;
          detection->port = best.port;
          detection->security = services[i].security;
          detection->source = MS_DETECTION_SOURCE_SRV;
        }
    }
  detection->srv_records = g_strv_builder_end (seen);
  return TRUE;
}

/* The MX host that led to the provider, and the pattern it matched. */
static const char *
matched_mx (const MsDetection *detection,
            const char       **pattern)
{
  const MsProvider *provider = detection->provider;

  for (guint i = 0; detection->mx_hosts != NULL && detection->mx_hosts[i] != NULL; i++)
    for (guint j = 0; provider->mx_patterns[j] != NULL; j++)
      if (host_in_domain (detection->mx_hosts[i], provider->mx_patterns[j]))
        {
          *pattern = provider->mx_patterns[j];
          return detection->mx_hosts[i];
        }
  return NULL;
}

static void
use_provider_server (MsDetection *detection)
{
  const MsProviderServer *smtp = detection->provider->smtp;
  const char *pattern = NULL;
  const char *mx = matched_mx (detection, &pattern);

  detection->host = ms_provider_expand_host (smtp->host, detection->domain, mx, pattern);
  if (detection->host == NULL)
    return;
  detection->port = smtp->port;
  detection->security = smtp->security;
  detection->source = detection->provider_source;
}

static void
use_guess (MsDetection *detection)
{
  detection->host = g_strconcat ("smtp.", detection->domain, NULL);
  detection->port = ms_security_default_port (MS_SECURITY_TLS);
  detection->security = MS_SECURITY_TLS;
  detection->source = MS_DETECTION_SOURCE_GUESS;
}

static gboolean
detect_from_dns (MsDetection  *detection,
                 GResolver    *resolver,
                 GCancellable *cancellable,
                 GError      **error)
{
  if (detection->provider == NULL && !detect_mx (detection, resolver, cancellable, error))
    return FALSE;
  if (detection->provider != NULL && detection->provider->smtp != NULL)
    use_provider_server (detection);
  if (detection->host != NULL)
    return TRUE;
  if (!detect_srv (detection, resolver, cancellable, error))
    return FALSE;
  if (detection->host == NULL)
    use_guess (detection);
  return TRUE;
}

/**
 * ms_provider_detect_sync:
 * @address: an email address
 * @resolver: (nullable): the resolver for MX and SRV records, or %NULL for
 *   the default one
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Which provider and SMTP server @address leads to, and where that came
 * from: the built-in table, the domain's MX hosts (Google Workspace and
 * other hosted domains), its SRV records (`_submissions._tcp`, then
 * `_submission._tcp`), or a guess (`smtp.DOMAIN`, port 465, SSL/TLS).
 * Only DNS is asked; nothing is sent to any SMTP server. Blocks: call it
 * from a worker thread, or use ms_provider_detect_async().
 *
 * Returns: (transfer full) (nullable): the detection, or %NULL with
 *   @error set to `invalid-input` (not an address) or `cancelled`
 */
MsDetection *
ms_provider_detect_sync (const char    *address,
                         GResolver     *resolver,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(MsDetection) detection = g_new0 (MsDetection, 1);
  g_autoptr(GResolver) default_resolver = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  detection->domain = address_domain (address, error);
  if (detection->domain == NULL)
    return NULL;
  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  detection->provider = ms_provider_lookup_domain (detection->domain);
  detection->provider_source = MS_DETECTION_SOURCE_TABLE;
  if (!detect_from_dns (detection, resolver, cancellable, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (detection->mx_hosts == NULL)
    detection->mx_hosts = g_new0 (char *, 1);
  if (detection->srv_records == NULL)
    detection->srv_records = g_new0 (char *, 1);
  detection->confirmed = detection->source != MS_DETECTION_SOURCE_GUESS
                        && (detection->provider == NULL
                            || detection->source != detection->provider_source
                            || ms_provider_is_confirmed (detection->provider, "smtp"));
  detection->label = detection_label (detection->source, detection->confirmed);
  return g_steal_pointer (&detection);
}

typedef struct
{
  char      *address;
  GResolver *resolver;
} DetectData;

static void
detect_data_free (DetectData *data)
{
  g_free (data->address);
  g_clear_object (&data->resolver);
  g_free (data);
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DetectData *data = task_data;
  GError *error = NULL;
  MsDetection *detection;

  detection = ms_provider_detect_sync (data->address, data->resolver, cancellable, &error);
  if (detection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, detection, (GDestroyNotify) ms_detection_free);
}

/**
 * ms_provider_detect_async:
 * @address: an email address
 * @resolver: (nullable): the resolver, or %NULL for the default one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: data for @callback
 *
 * ms_provider_detect_sync() in a worker thread.
 */
void
ms_provider_detect_async (const char          *address,
                          GResolver           *resolver,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DetectData *data = g_new0 (DetectData, 1);

  g_return_if_fail (address != NULL);

  data->address = g_strdup (address);
  data->resolver = resolver != NULL ? g_object_ref (resolver) : g_resolver_get_default ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_provider_detect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) detect_data_free);
  g_task_run_in_thread (task, detect_thread);
}

/**
 * ms_provider_detect_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the detection; errors as
 *   ms_provider_detect_sync()
 */
MsDetection *
ms_provider_detect_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_provider_detect_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
