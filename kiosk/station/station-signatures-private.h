/* Kikan kiosk: the audit record of a signature import, the same for
 * `kikan signatures import` and the station's IT mode (KR-12, Admin F-1). */
#pragma once

#include <json-glib/json-glib.h>

#include "sig-store-private.h"

/* The payload of a "signature_import" record: the medium, "imported" or
 * "refused" with why, the sets, the signature count, the newest signed
 * build time and, when given, who imported (@by).  @res may be NULL for a
 * refusal.  Free with json_node_unref. */
JsonNode *kikan_signatures_import_payload (const char *medium, const KikanImportResult *res,
                                           const char *refused, const char *by);
