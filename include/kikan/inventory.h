/* Kikan: installed software and system posture read from a system disk.
 *
 * Issue #4 item 3 (JNSA-2.2, JNSA-2.4, Admin C-1, F-1, KR-16, KR-46): the
 * kiosk measures what is installed on a returned laptop's disk itself,
 * from the Windows registry hives (libhivex), the Debian package database
 * (/var/lib/dpkg/status), /etc/os-release and macOS Info.plist files
 * (libplist).  It never trusts the laptop to describe itself.
 *
 * The parsers run inside the sandboxed worker on hostile bytes; every
 * string they return is HOSTILE (control characters, invalid UTF-8 are
 * possible: invalid UTF-16 in a hive is replaced by U+FFFD) and must be
 * escaped before display.  Strings are bounded (KIKAN_INV_MAX_STRING
 * bytes, longer ones are cut and the item gets KIKAN_PROGRAM_FLAG_TRUNCATED
 * or a problem).  Counts are bounded too (KIKAN_INV_MAX_PROGRAMS per
 * source): what is cut is reported as a problem, never silently dropped.
 *
 * A parser never fails silently: whatever it cannot read becomes a
 * KikanInvProblem, which the posture evaluation turns into a finding
 * (posture unknown = HOLD, KR-19).  Plain C, no GLib.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KIKAN_INV_MAX_STRING   1024        /* bytes of UTF-8 per string */
#define KIKAN_INV_MAX_PROGRAMS 20000       /* per source (hive, status file) */
#define KIKAN_INV_MAX_HIVE     (512u << 20) /* a hive larger than this is not parsed */
#define KIKAN_INV_MAX_TEXT     (64u << 20)  /* dpkg status */
#define KIKAN_INV_MAX_SMALL    (1u << 20)   /* os-release, Info.plist */

/* Which OS a system record describes. */
typedef enum {
    KIKAN_OS_UNKNOWN = 0,
    KIKAN_OS_WINDOWS,
    KIKAN_OS_LINUX,
    KIKAN_OS_MACOS,
} KikanOsFamily;

const char *kikan_os_family_to_string (KikanOsFamily f);  /* "unknown","windows","linux","macos" */

/* One operating system found on the target (one SOFTWARE hive, one
 * os-release, one SystemVersion.plist).  Times are Unix seconds, 0 when
 * unknown.  Any string may be NULL (unknown). */
typedef struct {
    KikanOsFamily family;
    char *source;            /* where it was read, target-relative, e.g.
                              * "p2:/Windows/System32/config/SOFTWARE" (hostile) */
    char *product;           /* "Windows 10 Pro", "Debian GNU/Linux 12 (bookworm)", "macOS" */
    char *version;           /* "22H2" (DisplayVersion), VERSION_ID "12", ProductVersion "14.4" */
    char *build;             /* "19045.4291" (CurrentBuild.UBR), Linux: NULL, macOS: "23E214" */
    char *edition;           /* EditionID "Professional"; NULL elsewhere */
    int64_t installed;       /* Windows InstallDate */
    int64_t patched;         /* newest evidence of an OS update (see patched_source) */
    char *patched_source;    /* how @patched was found, e.g. "CBS RollupFix package",
                              * "WindowsUpdate LastSuccessTime", "dpkg status mtime" */
    /* Antivirus (Microsoft Defender on Windows): */
    char *av_product;        /* "Microsoft Defender"; NULL: no antivirus evidence found */
    char *av_version;        /* AVSignatureVersion "1.403.1234.0" */
    int64_t av_updated;      /* SignaturesLastUpdated / AVSignatureApplied */
    int av_disabled;         /* 1: DisableAntiSpyware or real-time monitoring disabled by policy */
} KikanSystem;

#define KIKAN_PROGRAM_FLAG_WOW64            0x1u  /* 32-bit entry (WOW6432Node) */
#define KIKAN_PROGRAM_FLAG_PER_USER         0x2u  /* from a user's NTUSER.DAT */
#define KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT 0x4u  /* SystemComponent = 1 */
#define KIKAN_PROGRAM_FLAG_UPDATE           0x8u  /* ParentKeyName set, or ReleaseType update/hotfix */
#define KIKAN_PROGRAM_FLAG_TRUNCATED        0x10u /* a string was cut at KIKAN_INV_MAX_STRING */

/* One installed program.  name is never NULL or empty (entries without a
 * DisplayName are skipped, as Windows' own list does); others may be NULL. */
typedef struct {
    char *name;              /* DisplayName / dpkg Package / CFBundleName */
    char *version;           /* DisplayVersion / Version / CFBundleShortVersionString */
    char *publisher;         /* Publisher / Maintainer / CFBundleIdentifier's owner (NULL) */
    char *install_date;      /* "YYYY-MM-DD" when the source gives one in a known form, else raw */
    char *key;               /* Uninstall subkey name, dpkg package name, bundle id */
    char *source;            /* target-relative path of the hive/status/plist (hostile) */
    char *user;              /* NTUSER.DAT owner as the path shows it ("alice"); else NULL */
    uint32_t flags;          /* KIKAN_PROGRAM_FLAG_* */
} KikanProgram;

/* Something that could not be read.  Turns into a HOLD finding. */
typedef struct {
    char *source;            /* target-relative path (hostile) */
    char *what;              /* plain English, e.g. "registry hive is corrupt: bad block at 0x2000",
                              * "dpkg status is truncated in the middle of a package record" */
} KikanInvProblem;

typedef struct {
    KikanSystem *systems;
    size_t n_systems;
    KikanProgram *programs;
    size_t n_programs;
    KikanInvProblem *problems;
    size_t n_problems;
} KikanInventory;

void kikan_inventory_clear (KikanInventory *inv);  /* frees everything, zeroes; accepts NULL */
/* Free the strings of one element (not the element itself). */
void kikan_system_clear (KikanSystem *s);
void kikan_program_clear (KikanProgram *p);

/* Which inventory source a target-relative path is, judged by its path
 * (case-insensitive, '/'-separated, with or without a leading volume
 * prefix "pN:"):
 *   Windows/System32/config/SOFTWARE             -> KIKAN_INV_SOURCE_HIVE
 *   Users/<u>/NTUSER.DAT, Documents and Settings/<u>/NTUSER.DAT -> KIKAN_INV_SOURCE_HIVE
 *   var/lib/dpkg/status                          -> KIKAN_INV_SOURCE_DPKG_STATUS
 *   etc/os-release, usr/lib/os-release           -> KIKAN_INV_SOURCE_OS_RELEASE
 *   Applications/<x>.app/Contents/Info.plist, System/Applications/<x>.app/... -> KIKAN_INV_SOURCE_APP_PLIST
 *   System/Library/CoreServices/SystemVersion.plist -> KIKAN_INV_SOURCE_SYSTEM_PLIST
 * The match is anchored at the volume root (or the directory target's
 * root): "backup/Windows/System32/config/SOFTWARE" is not a source. */
typedef enum {
    KIKAN_INV_SOURCE_NONE = 0,
    KIKAN_INV_SOURCE_HIVE,
    KIKAN_INV_SOURCE_DPKG_STATUS,
    KIKAN_INV_SOURCE_OS_RELEASE,
    KIKAN_INV_SOURCE_APP_PLIST,
    KIKAN_INV_SOURCE_SYSTEM_PLIST,
    /* Not parsed: their presence says an OS lives on this volume, so that a
     * missing or unreadable SOFTWARE hive / os-release is UPD-UNKNOWN rather
     * than "no system here":
     *   Windows/System32/config/SYSTEM, Windows/explorer.exe,
     *   Windows/System32/ntoskrnl.exe            -> MARKER_WINDOWS
     *   etc/passwd, etc/fstab (with usr/bin/ present is not required) -> MARKER_LINUX
     *   System/Library/CoreServices/boot.efi     -> MARKER_MACOS */
    KIKAN_INV_SOURCE_MARKER_WINDOWS,
    KIKAN_INV_SOURCE_MARKER_LINUX,
    KIKAN_INV_SOURCE_MARKER_MACOS,
} KikanInvSource;

KikanInvSource kikan_inventory_source_of_path (const char *path);

/* Largest file accepted for @s (KIKAN_INV_MAX_*); a larger one becomes a
 * problem without being read. */
uint64_t kikan_inventory_source_max (KikanInvSource s);

/* Each parser appends what it finds (systems, programs, problems) to @inv.
 * @source is the target-relative path recorded in every item.  Returns 0,
 * or KIKAN_ENOMEM (only then is @inv left with a partial result and the
 * caller must treat the target as not inspected).  Malformed input is
 * never an error return: it is a problem in @inv. */

/* A registry hive given as a file path (libhivex opens files only; the
 * worker writes the bytes to its private temp dir first).  Decides by
 * content whether it is a SOFTWARE hive (has Microsoft\Windows NT\
 * CurrentVersion or Microsoft\Windows\CurrentVersion\Uninstall) or a
 * user's NTUSER.DAT (has Software\Microsoft\...\Uninstall) and reads:
 *   SOFTWARE: Microsoft\Windows\CurrentVersion\Uninstall\*,
 *             WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*,
 *             Microsoft\Windows NT\CurrentVersion (ProductName,
 *             DisplayVersion|ReleaseId, CurrentBuild|CurrentBuildNumber, UBR,
 *             EditionID, InstallDate), OS patch evidence, and
 *             Microsoft\Windows Defender (Signature Updates, policy switches)
 *             -> one KikanSystem plus programs;
 *   NTUSER.DAT: Software\Microsoft\Windows\CurrentVersion\Uninstall\*
 *             -> programs with KIKAN_PROGRAM_FLAG_PER_USER and @user.
 * @user: the user the path names (NULL for SOFTWARE or unknown). */
int kikan_inventory_add_hive_file (KikanInventory *inv, const char *hive_path, const char *source,
                                   const char *user);

/* /var/lib/dpkg/status: packages whose Status is "install ok installed"
 * (name, version, Maintainer as publisher).  @mtime (Unix seconds, 0 if
 * unknown) is recorded as the Linux system's patch evidence. */
int kikan_inventory_add_dpkg_status (KikanInventory *inv, const void *buf, size_t len,
                                     const char *source, int64_t mtime);

/* os-release (NAME, PRETTY_NAME, VERSION_ID): one Linux KikanSystem,
 * merged with the system the dpkg status of the same volume made. */
int kikan_inventory_add_os_release (KikanInventory *inv, const void *buf, size_t len,
                                    const char *source);

/* An application's Info.plist (XML or binary) -> one program;
 * SystemVersion.plist -> one macOS system. */
int kikan_inventory_add_plist (KikanInventory *inv, KikanInvSource kind, const void *buf,
                               size_t len, const char *source);

/* Records that an OS of @family lives on the volume of @source (a marker
 * path): a KikanSystem with only family and source set, unless the volume
 * already has a system of that family.  Systems are merged per volume
 * (the "pN:" prefix, or the whole target): the parsers above fill in the
 * marker's system rather than add a second one. */
int kikan_inventory_add_marker (KikanInventory *inv, KikanOsFamily family, const char *source);

/* Appends a problem (copies both strings).  0 or KIKAN_ENOMEM. */
int kikan_inventory_add_problem (KikanInventory *inv, const char *source, const char *what);
