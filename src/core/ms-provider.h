/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-config.h"
#include "ms-password.h"

G_BEGIN_DECLS

/*
 * The built-in provider table (providers.json in the core GResource), the
 * detection of a provider and its server from an address (domain table, MX,
 * SRV, guess), and the app-password checks.
 *
 * Providers are loaded once and live as long as the process: every
 * `const MsProvider *` stays valid. The strings in the struct are the
 * untranslated data; use the ms_provider_get_*() functions for display.
 */

typedef enum
{
  MS_SECRET_APP_PASSWORD,
  MS_SECRET_ACCOUNT_PASSWORD,
  MS_SECRET_OAUTH_ONLY,
  MS_SECRET_BRIDGE_PASSWORD,
} MsSecretKind;

typedef enum
{
  MS_USERNAME_ADDRESS,     /* the full address */
  MS_USERNAME_LOCAL_PART,  /* the part before the @ */
} MsUsernameForm;

typedef struct
{
  char       *host;
  guint16     port;
  MsSecurity  security;
} MsProviderServer;

typedef struct
{
  char *url;    /* always https */
  char *label;  /* untranslated; see ms_provider_link_get_label() */
} MsProviderLink;

typedef struct
{
  char *fact;   /* "smtp", "secret", "password", "domains", "notes", ... */
  char *url;
} MsProviderSource;

typedef struct
{
  /*< public, read-only >*/
  char              *id;                /* "gmail", "google-workspace", ... */
  char              *name;              /* untranslated */
  char              *short_name;        /* untranslated */
  char             **domains;           /* lower case, maybe empty */
  char             **mx_patterns;       /* domain suffixes an MX host ends in */
  MsProviderServer  *smtp;              /* NULL when not known */
  GArray            *alternatives;      /* MsProviderServer */
  MsUsernameForm     username_form;
  MsSecretKind       secret_kind;
  GPtrArray         *secret_pages;      /* MsProviderLink */
  char              *password_format;   /* regex, or NULL */
  char              *password_alphabet; /* regex, or NULL */
  guint              password_length;   /* 0 when not fixed */
  char              *password_strip;    /* characters the normaliser drops */
  char             **notes;             /* untranslated */
  GPtrArray         *sources;           /* MsProviderSource */
} MsProvider;

const MsProvider  *ms_provider_lookup          (const char        *id);
const MsProvider  *ms_provider_lookup_domain   (const char        *domain);
const MsProvider  *ms_provider_lookup_mx       (const char        *mx_host);
const MsProvider  *ms_provider_lookup_host     (const char        *smtp_host);
const MsProvider *const *ms_provider_get_all   (guint             *n_providers);
gboolean           ms_provider_validate_data   (GBytes            *json,
                                                GError           **error);

const char        *ms_provider_get_name        (const MsProvider  *provider);
const char        *ms_provider_get_short_name  (const MsProvider  *provider);
const char        *ms_provider_get_note        (const MsProvider  *provider,
                                                guint              index);
const char        *ms_provider_link_get_label  (const MsProviderLink *link);
const char        *ms_provider_get_secret_url  (const MsProvider  *provider);
const char        *ms_secret_kind_to_string    (MsSecretKind       kind);
const char *const *ms_provider_translatable_strings (guint        *n_strings);

/* App-password checks (UX.md page 2). */
typedef enum
{
  MS_PASSWORD_OK,
  MS_PASSWORD_EMPTY,
  MS_PASSWORD_TOO_SHORT,
  MS_PASSWORD_TOO_LONG,
  MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD,
  MS_PASSWORD_BAD_CHARACTERS,
} MsPasswordVerdict;

MsPasswordVerdict  ms_provider_check_password  (const MsProvider  *provider,
                                                const char        *text,
                                                guint             *length_out,
                                                MsPassword       **normalised_out);
char              *ms_provider_password_message (const MsProvider *provider,
                                                 MsPasswordVerdict verdict,
                                                 guint             length);

/* Detection (UX.md page 1; `mailsetup-cli detect`). */
typedef enum
{
  MS_DETECTION_SOURCE_TABLE,
  MS_DETECTION_SOURCE_MX,
  MS_DETECTION_SOURCE_SRV,
  MS_DETECTION_SOURCE_GUESS,
} MsDetectionSource;

typedef struct
{
  const MsProvider  *provider;     /* NULL: an unknown provider */
  char              *domain;       /* ASCII (IDN converted), lower case */
  char              *host;         /* NULL only for a known provider without SMTP data */
  guint16            port;
  MsSecurity         security;
  MsDetectionSource  source;       /* where host/port/security came from */
  MsDetectionSource  provider_source; /* where the provider came from */
  char             **mx_hosts;     /* MX hosts seen, by preference */
  char             **srv_records;  /* "_submissions._tcp.example.org 0 1 465 smtp.example.org" */
  char              *label;        /* translated: where the settings came from */
} MsDetection;

#define MS_TYPE_DETECTION (ms_detection_get_type ())

GType         ms_detection_get_type        (void) G_GNUC_CONST;
MsDetection  *ms_detection_copy            (const MsDetection *detection);
void          ms_detection_free            (MsDetection       *detection);
const char   *ms_detection_source_to_string (MsDetectionSource source);
char         *ms_detection_describe        (const MsDetection *detection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsDetection, ms_detection_free)

MsDetection  *ms_provider_detect_sync      (const char          *address,
                                            GResolver           *resolver,
                                            GCancellable        *cancellable,
                                            GError             **error);
void          ms_provider_detect_async     (const char          *address,
                                            GResolver           *resolver,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
MsDetection  *ms_provider_detect_finish    (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
