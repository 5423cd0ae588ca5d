/* Kikan: what a probe says about one volume of a medium (issue #3;
 * KR-07, KR-10, KR-13, Admin E-7/E-8).
 *
 * Plain C, fully owned (strings are heap copies freed by
 * kikan_volume_clear), encoded over IPC.  Labels, names and UUID strings
 * come from the medium and are HOSTILE.
 */
#pragma once

#include <stdint.h>

typedef enum {
    KIKAN_ENC_NONE = 0,      /* a recognised plain file system */
    KIKAN_ENC_BITLOCKER,     /* BitLocker, incl. BitLocker To Go */
    KIKAN_ENC_LUKS1,
    KIKAN_ENC_LUKS2,
    KIKAN_ENC_FILEVAULT2,    /* Core Storage (FileVault 2) */
    KIKAN_ENC_APFS,          /* an APFS volume with encryption on */
    KIKAN_ENC_UNKNOWN,       /* nothing recognised: high entropy (VeraCrypt/TrueCrypt
                              * leave no header) or undeterminable: never "plain" */
    KIKAN_ENC__COUNT
} KikanEncryption;

/* "none", "bitlocker", "luks1", "luks2", "filevault2", "apfs", "unknown". */
const char *kikan_encryption_to_string (KikanEncryption e);

typedef struct {
    uint32_t index;          /* 1-based, stable: paths are "p<index>:/..." */
    uint64_t offset;         /* bytes from the start of the medium */
    uint64_t size;
    char *scheme;            /* "mbr", "gpt", "none" (superfloppy / single volume) */
    char *part_type;         /* e.g. "0x0c" (MBR) or a GPT type GUID; NULL for "none" */
    char *part_name;         /* GPT partition name; NULL if none (hostile) */
    char *filesystem;        /* "vfat", "exfat", "ntfs", "ext2/3/4", "iso9660", "udf",
                              * "hfsplus", "apfs", ... or NULL when none recognised */
    char *fs_version;        /* e.g. "FAT16", "FAT32"; NULL if unknown */
    char *label;             /* hostile; NULL if none */
    char *uuid;              /* hostile; NULL if none */
    KikanEncryption encryption;
    char *encryption_detail; /* e.g. "BitLocker To Go", "entropy 7.998 bits/byte" */
    double entropy;          /* sampled bits/byte; negative when not measured */
    int unlocked;            /* 1: decrypted in user space with a passphrase/key */
    int readable;            /* 1: its file system was walked (after unlocking if needed) */
    char *os;                /* "windows", "linux", "macos", or NULL */
    char *os_evidence;       /* the path that showed it, e.g. "Windows/System32/config/SOFTWARE" */
    char *problem;           /* what is wrong, for people: why it was not readable, or
                              * why a readable one was not read in full (truncated,
                              * partition past the end); NULL when nothing is */
} KikanVolume;

void kikan_volume_clear (KikanVolume *v);                      /* accepts NULL */
int kikan_volume_copy (KikanVolume *dst, const KikanVolume *src);  /* 0 or KIKAN_ENOMEM */
