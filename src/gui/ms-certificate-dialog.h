/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ms-result.h"

G_BEGIN_DECLS

#define MS_TYPE_CERTIFICATE_DIALOG (ms_certificate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (MsCertificateDialog, ms_certificate_dialog, MS, CERTIFICATE_DIALOG, AdwWindow)

MsCertificateDialog *ms_certificate_dialog_new (GtkWindow       *parent,
                                                const MsTlsInfo *tls,
                                                const char      *problem,
                                                gboolean         can_trust);

G_END_DECLS
