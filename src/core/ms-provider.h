/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-config.h"
#include "ms-error.h"
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
  char       *label;    /* untranslated, nullable: names a regional server to choose */
} MsProviderServer;

typedef struct
{
  char *id;     /* "app-passwords", "two-step", ...: what steps and advice name */
  char *url;    /* always https */
  char *label;  /* untranslated; see ms_provider_link_get_label() */
} MsProviderLink;

typedef struct
{
  char *fact;       /* "smtp", "secret", "password", "domains", "notes", ... */
  char *url;
} MsProviderSource;

/* One numbered step of the wizard's password page. */
typedef struct
{
  char *text;       /* untranslated; see ms_provider_step_get_text() */
  char *link;       /* a link id of the same provider, or NULL */
} MsProviderStep;

/* What the wizard's password page says for this provider. Every string is
 * untranslated and may be NULL; the page then says the generic thing. */
typedef struct
{
  char       *title;          /* the page title: "Create an App Password" */
  char       *why_title;      /* the title over it: "Why an App Password?" */
  char       *why;            /* why this secret, in a sentence or two */
  GPtrArray  *steps;          /* MsProviderStep, maybe empty */
  char       *help_title;     /* an expander's title: "No App passwords page?" */
  char       *help;           /* its text */
  char       *help_link;      /* a link id shown under it, or NULL */
  char       *password_label; /* the entry's title: "App password" */
} MsProviderSignIn;

/* What the provider's words are for one contract code, or for one reply. */
/*
 * MsProviderOnline:
 * How the provider's mail can be had through GNOME Online Accounts
 * (docs/providers.md, "Online Accounts"): the GOA provider types whose
 * accounts carry its mail, and the wizard's own words for it. The words
 * are untranslated and may be NULL; the generic ones (MsOnlineWords) are
 * used then.
 */
typedef struct
{
  char **goa_providers;  /* GOA ProviderType values ("google"); empty: none */
  char  *why_title;      /* the address page's title over @why */
  char  *why;            /* why Online Accounts is the way (or the only way) */
  char  *missing;        /* what to do when GOA has no account for the address */
} MsProviderOnline;

/*
 * MsOnlineWords:
 * The wizard's words for signing in through GNOME Online Accounts, the
 * same for every provider (providers.json's top-level "online_accounts");
 * untranslated: show them through ms_provider_get_text().
 */
typedef struct
{
  char *choice;             /* "Use the account from Online Accounts (no app password)" */
  char *choice_detail;      /* what that means */
  char *alternative;        /* "Use an app password instead" */
  char *alternative_detail;
  char *missing_title;      /* over what to do when GOA has no account */
  char *missing;
  char *settings_button;    /* opens Settings → Online Accounts */
  char *check_again;        /* asks GOA again */
  char *no_settings;        /* GNOME Settings is not installed */
  char *server_label;       /* the server page: the settings came from GOA */
  char *done_note;          /* the done page: no password is stored, and why jobs may wait */
} MsOnlineWords;

typedef struct
{
  char *message;    /* untranslated, nullable */
  char *advice;     /* untranslated, nullable */
  char *link;       /* a link id, nullable */
} MsProviderWords;

/*
 * A reply the provider is known to send. It matches a reply whose basic
 * code is @code, whose enhanced code is @enhanced (when set) and whose text
 * holds one of @keywords (when any; ASCII case ignored). Rules with
 * keywords are tried before rules without, so Gmail's "?p=" keyword
 * decides over the enhanced code.
 */
typedef struct
{
  guint            code;
  char            *enhanced;  /* "5.7.9", or NULL */
  char           **keywords;  /* never NULL, maybe empty */
  MsErrorCode      error;     /* the contract code it means */
  MsProviderWords  words;     /* empty: the provider's words for @error */
} MsProviderReply;

typedef struct
{
  /*< public, read-only >*/
  char              *id;                /* "gmail", "google-workspace", ... */
  char              *name;              /* untranslated */
  char              *short_name;        /* untranslated */
  char             **domains;           /* lower case, maybe empty */
  char             **domain_suffixes;   /* subdomains of these are its too, maybe empty */
  char             **mx_patterns;       /* domain suffixes an MX host ends in */
  MsProviderServer  *smtp;              /* NULL when not known */
  GArray            *alternatives;      /* MsProviderServer */
  MsUsernameForm     username_form;
  MsSecretKind       secret_kind;
  char              *secret_link;       /* the link id of the page that makes the secret */
  GPtrArray         *links;             /* MsProviderLink */
  MsProviderSignIn   sign_in;
  char              *password_format;   /* regex, or NULL */
  char              *password_alphabet; /* regex, or NULL */
  guint              password_length;   /* 0 when not fixed */
  char              *password_strip;    /* characters the normaliser drops */
  char             **notes;             /* untranslated */
  char              *reply_signature;   /* a word that ends its replies ("gsmtp"), or NULL */
  GPtrArray         *replies;           /* MsProviderReply */
  MsProviderWords    advice[MS_ERROR_N_CODES]; /* its words per contract code */
  char             **unconfirmed;       /* facts not confirmed on the provider's own pages */
  GPtrArray         *sources;           /* MsProviderSource */
  MsProviderOnline   online;            /* GNOME Online Accounts' mail for it */
} MsProvider;

/* A translatable string of the table, for the catalogue (see
 * ms_provider_collect_strings()). */
typedef struct
{
  char *text;
  char *where;       /* "gmail: sign_in.steps[0].text" */
  char *translators; /* a note for translators, or NULL */
} MsProviderString;

void               ms_provider_string_free     (MsProviderString *string);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsProviderString, ms_provider_string_free)

const MsProvider  *ms_provider_lookup          (const char        *id);
const MsProvider  *ms_provider_lookup_domain   (const char        *domain);
const MsProvider  *ms_provider_lookup_mx       (const char        *mx_host);
const MsProvider  *ms_provider_lookup_host     (const char        *smtp_host);
const MsProvider  *ms_provider_lookup_reply    (const char        *reply_text);
const MsProvider *const *ms_provider_get_all   (guint             *n_providers);
gboolean           ms_provider_validate_data   (GBytes            *json,
                                                GError           **error);
GPtrArray         *ms_provider_collect_strings (GBytes            *json,
                                                GError           **error);

const char        *ms_provider_get_name        (const MsProvider  *provider);
const char        *ms_provider_get_short_name  (const MsProvider  *provider);
const char        *ms_provider_get_note        (const MsProvider  *provider,
                                                guint              index);
const char        *ms_provider_link_get_label  (const MsProviderLink *link);
const MsProviderLink *ms_provider_get_link     (const MsProvider  *provider,
                                                const char        *id);
const char        *ms_provider_get_link_url    (const MsProvider  *provider,
                                                const char        *id);
const char        *ms_provider_get_secret_url  (const MsProvider  *provider);
const char        *ms_provider_get_text        (const char        *text);
gboolean           ms_provider_is_confirmed    (const MsProvider  *provider,
                                                const char        *fact);
char              *ms_provider_expand_host     (const char        *host,
                                                const char        *domain,
                                                const char        *mx,
                                                const char        *mx_pattern);
char              *ms_provider_get_username    (const MsProvider  *provider,
                                                const char        *address);
const MsProviderReply *ms_provider_match_reply (const MsProvider  *provider,
                                                guint              code,
                                                const char        *enhanced,
                                                const char        *text);
const char        *ms_secret_kind_to_string    (MsSecretKind       kind);
const MsOnlineWords *ms_provider_get_online_words (void);
gboolean           ms_provider_has_online_accounts (const MsProvider *provider);

/* App-password checks (docs/ui.md, the password page). */
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

/* Detection (docs/ui.md, the address page; `mailsetup-cli detect`). */
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
  gboolean           confirmed;    /* FALSE: a guess, or what the provider usually
                                      uses but its own pages did not confirm */
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
