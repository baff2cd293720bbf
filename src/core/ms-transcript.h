/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ms-request.h"
#include "ms-result.h"
#include "ms-smtp-reply.h"

G_BEGIN_DECLS

/*
 * MsTranscript:
 * The wire log of one connection. Lines go into the result's transcript and
 * to the request's transcript function as they happen. Secrets are never
 * written: the callers that hold one use ms_transcript_client_redacted(),
 * which writes a placeholder in its place.
 */
typedef struct _MsTranscript MsTranscript;

MsTranscript *ms_transcript_new             (MsResult          *result,
                                             MsTranscriptFunc   func,
                                             gpointer           func_data,
                                             const char        *prefix);
void          ms_transcript_free            (MsTranscript      *transcript);
void          ms_transcript_set_result      (MsTranscript      *transcript,
                                             MsResult          *result);
void          ms_transcript_client          (MsTranscript      *transcript,
                                             const char        *line);
void          ms_transcript_client_redacted (MsTranscript      *transcript,
                                             const char        *visible);
void          ms_transcript_client_data     (MsTranscript      *transcript,
                                             gsize              octets);
void          ms_transcript_server_reply    (MsTranscript      *transcript,
                                             const MsSmtpReply *reply);
void          ms_transcript_event           (MsTranscript      *transcript,
                                             const char        *format,
                                             ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTranscript, ms_transcript_free)

G_END_DECLS
