/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * MsSmtpClient:
 * One SMTP submission session, run with blocking calls in a worker thread:
 * greeting, EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA or BDAT, QUIT. Every step
 * goes into the #MsResult it was given (timings, replies, TLS details,
 * transcript); a failing call leaves result->error set with a contract code
 * and returns %FALSE.
 */
#define MS_TYPE_SMTP_CLIENT (ms_smtp_client_get_type ())

G_DECLARE_FINAL_TYPE (MsSmtpClient, ms_smtp_client, MS, SMTP_CLIENT, GObject)

typedef enum
{
  MS_SMTP_NEEDS_NOTHING  = 0,
  MS_SMTP_NEEDS_AUTH     = 1 << 0,
  MS_SMTP_NEEDS_SENDER   = 1 << 1,
  MS_SMTP_NEEDS_MESSAGE  = 1 << 2,
} MsSmtpNeeds;

MsSmtpClient *ms_smtp_client_new            (const MsRequest *request,
                                             MsResult        *result,
                                             const char      *transcript_prefix,
                                             GCancellable    *cancellable);
gboolean      ms_smtp_client_check_config   (MsSmtpClient    *self,
                                             MsSmtpNeeds      needs);
gboolean      ms_smtp_client_open           (MsSmtpClient    *self);
gboolean      ms_smtp_client_has_extension  (MsSmtpClient    *self,
                                             const char      *keyword);
gboolean      ms_smtp_client_authenticate   (MsSmtpClient    *self);
gboolean      ms_smtp_client_send_message   (MsSmtpClient    *self,
                                             const char      *from,
                                             const char * const *recipients,
                                             GBytes          *message,
                                             gboolean         authenticate);
gboolean      ms_smtp_client_send_stream    (MsSmtpClient    *self,
                                             const char      *from,
                                             const char * const *recipients,
                                             GInputStream    *message,
                                             gboolean         authenticate);
void          ms_smtp_client_set_result     (MsSmtpClient    *self,
                                             MsResult        *result);
void          ms_smtp_client_set_envelope_options (MsSmtpClient *self,
                                                   const char   *dsn_notify,
                                                   const char   *dsn_ret,
                                                   const char   *dsn_envid,
                                                   gboolean      body_8bitmime);
gboolean      ms_smtp_client_can_continue   (MsSmtpClient    *self);
void          ms_smtp_client_set_pipeline_messages (MsSmtpClient *self,
                                                    gboolean      pipeline);
void          ms_smtp_client_complete_pending      (MsSmtpClient *self);
const char   *ms_smtp_client_get_host       (MsSmtpClient    *self);
void          ms_smtp_client_finish         (MsSmtpClient    *self);

G_END_DECLS
