/* Ownership helpers for KikanVolume (include/kikan/volume.h). */
#include <stdlib.h>
#include <string.h>

#include "kikan/errors.h"
#include "kikan/volume.h"

const char *
kikan_encryption_to_string (KikanEncryption e)
{
    switch (e) {
    case KIKAN_ENC_NONE: return "none";
    case KIKAN_ENC_BITLOCKER: return "bitlocker";
    case KIKAN_ENC_LUKS1: return "luks1";
    case KIKAN_ENC_LUKS2: return "luks2";
    case KIKAN_ENC_FILEVAULT2: return "filevault2";
    case KIKAN_ENC_APFS: return "apfs";
    case KIKAN_ENC_UNKNOWN:
    case KIKAN_ENC__COUNT: break;
    }
    return "unknown";  /* never "none" for a value we do not know */
}

void
kikan_volume_clear (KikanVolume *v)
{
    if (v == NULL)
        return;
    free (v->scheme);
    free (v->part_type);
    free (v->part_name);
    free (v->filesystem);
    free (v->fs_version);
    free (v->label);
    free (v->uuid);
    free (v->encryption_detail);
    free (v->os);
    free (v->os_evidence);
    free (v->problem);
    memset (v, 0, sizeof *v);
}

static int
dup_field (char **dst, const char *src)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    return (*dst = strdup (src)) == NULL ? -1 : 0;
}

int
kikan_volume_copy (KikanVolume *dst, const KikanVolume *src)
{
    int bad = 0;

    *dst = *src;
    bad |= dup_field (&dst->scheme, src->scheme);
    bad |= dup_field (&dst->part_type, src->part_type);
    bad |= dup_field (&dst->part_name, src->part_name);
    bad |= dup_field (&dst->filesystem, src->filesystem);
    bad |= dup_field (&dst->fs_version, src->fs_version);
    bad |= dup_field (&dst->label, src->label);
    bad |= dup_field (&dst->uuid, src->uuid);
    bad |= dup_field (&dst->encryption_detail, src->encryption_detail);
    bad |= dup_field (&dst->os, src->os);
    bad |= dup_field (&dst->os_evidence, src->os_evidence);
    bad |= dup_field (&dst->problem, src->problem);
    if (bad) {
        kikan_volume_clear (dst);
        return KIKAN_ENOMEM;
    }
    return 0;
}
