/* Kikan: what kind of program a file is, judged by its content.
 *
 * Issue #4 item 2 (JNSA-2.4, Admin B-3, KR-17): every file and archive
 * member a scan reaches is classified by its bytes, not by its extension,
 * so that a program renamed to "photo.jpg" is still a program.  The name
 * is examined separately for tricks that make a program look like a
 * document: a right-to-left override or other bidirectional control
 * character, a double extension ("report.pdf.exe"), or an extension that
 * contradicts the content.
 *
 * Plain C, no allocation, no I/O: called from libclamav's file-inspection
 * callback inside the sandboxed worker on hostile bytes, and from a fuzz
 * harness (tests/fuzz/fuzz-filetype.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum {
    KIKAN_FILETYPE_OTHER = 0,              /* nothing a policy needs to look at */
    KIKAN_FILETYPE_PE_EXE,                 /* "pe_exe": Windows executable (MZ + PE, not a DLL) */
    KIKAN_FILETYPE_PE_DLL,                 /* "pe_dll": PE with IMAGE_FILE_DLL */
    KIKAN_FILETYPE_MSI,                    /* "msi": Windows Installer package (OLE2, MSI CLSID) */
    KIKAN_FILETYPE_ELF,                    /* "elf" */
    KIKAN_FILETYPE_MACHO,                  /* "macho": thin or universal (fat) Mach-O */
    KIKAN_FILETYPE_SCRIPT_POWERSHELL,      /* "script_powershell" */
    KIKAN_FILETYPE_SCRIPT_BATCH,           /* "script_batch": .bat/.cmd */
    KIKAN_FILETYPE_SCRIPT_VBS,             /* "script_vbs": VBScript, .vbe, .wsf */
    KIKAN_FILETYPE_SCRIPT_JS,              /* "script_js": JScript/JavaScript run by wscript, .jse */
    KIKAN_FILETYPE_SCRIPT_SHELL,           /* "script_shell": "#!" interpreter line */
    KIKAN_FILETYPE_INSTALLER_NSIS,         /* "installer_nsis": PE carrying a Nullsoft installer */
    KIKAN_FILETYPE_INSTALLER_INNO,         /* "installer_inno": PE carrying an Inno Setup installer */
    KIKAN_FILETYPE_INSTALLER_INSTALLSHIELD,/* "installer_installshield" */
    KIKAN_FILETYPE_APK,                    /* "apk": ZIP holding AndroidManifest.xml */
    KIKAN_FILETYPE_DMG,                    /* "dmg": Apple disk image ("koly" trailer) */
    KIKAN_FILETYPE_DISK_IMAGE,             /* "disk_image": ISO 9660/UDF, VHD, VHDX, VMDK, QCOW, raw MBR/GPT disk */
    KIKAN_FILETYPE_LNK,                    /* "lnk": Windows shell link (shortcut) */
    KIKAN_FILETYPE_AUTORUN,                /* "autorun": autorun.inf (judged by name: it is plain text) */
    KIKAN_FILETYPE__COUNT
} KikanFileType;

/* Stable machine-readable name (the strings above); "other" for OTHER and
 * for out-of-range values. */
const char *kikan_filetype_to_string (KikanFileType t);

/* Parses a name from kikan_filetype_to_string(); returns -1 if unknown. */
int kikan_filetype_from_string (const char *s, KikanFileType *out);

/* Short human label, e.g. "Windows program", "Windows installer package",
 * "shortcut", "AutoRun file".  Never NULL. */
const char *kikan_filetype_label (KikanFileType t);

/* Classifies content.  @data holds the first @len bytes of a file whose
 * full size is @size (len <= size; pass the whole file when available:
 * trailers such as a DMG's "koly" block or a VHD footer are only seen
 * then).  @name is the file's own name or path (hostile bytes, may be
 * NULL or not UTF-8); only its last component is used, and only where the
 * content alone cannot decide (text scripts, autorun.inf).  Never reads
 * outside data[0, len).  Bounded work: installer markers are searched in
 * at most the first 64 MiB. */
KikanFileType kikan_filetype_classify (const char *name, const void *data, size_t len,
                                       uint64_t size);

/* Flags about a name (KikanFile*.name_flags). */
#define KIKAN_NAME_FLAG_EXT_MISMATCH 0x1u  /* content is a program/script/shortcut/installer but
                                            * the extension is a document, image, audio, video,
                                            * text or archive one (e.g. "invoice.jpg" that is a PE) */
#define KIKAN_NAME_FLAG_BIDI         0x2u  /* holds U+202A..U+202E, U+2066..U+2069, U+200E, U+200F
                                            * or U+061C (right-to-left override tricks) */
#define KIKAN_NAME_FLAG_DOUBLE_EXT   0x4u  /* a document/media extension followed by a program
                                            * extension: "report.pdf.exe", "photo.jpg .scr" */

/* The KIKAN_NAME_FLAG_* that apply to @name (last component only) given
 * the type its content was classified as.  0 for NULL. */
uint32_t kikan_filetype_name_flags (const char *name, KikanFileType content);
