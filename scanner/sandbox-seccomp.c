/* Kikan: the seccomp (+ Landlock) sandbox backend.
 *
 * Applied by the worker child after its common hardening and before it
 * reads one byte of the target:
 *
 *  1. Landlock, when the kernel has it: the file system is read-only beneath
 *     the target directory (for a file target not even that: only the
 *     descriptor already open), read/write beneath the private temp dir, and
 *     nothing anywhere else.  Newer ABIs also deny TCP and signals or
 *     abstract sockets outside the worker.
 *  2. seccomp: an allow-list (default EPERM), with the calls that only an
 *     attacker would make killing the whole process.
 *
 * The allow-list was measured by running the real worker under strace -f
 * over the test fixtures and /usr/share/clamav-testfiles, with and without
 * ASan (docs/ipc.md, "Sandbox"), and again over media images (FAT, exFAT,
 * NTFS, ext4, MBR, GPT, LUKS1/2 unlocked, BitLocker, FileVault 2, random
 * and damaged images) for The Sleuth Kit, libblkid, libcryptsetup and
 * libbde.  Anything libclamav, libarchive, libunarr, OpenSSL or a media
 * library needs that is missing here shows up as EPERM, which the engine
 * turns into NOT_INSPECTED: a too-tight list fails closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "sandbox-private.h"

/* ---- Landlock ---- */

/* The bookworm kernel headers stop at Landlock ABI 2; the kernel the kiosk
 * runs may be newer.  The later bits are part of the stable kernel ABI, so
 * they are spelled out here and used only when the kernel reports them. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define KIKAN_LANDLOCK_NET_BIND_TCP          (1ULL << 0)
#define KIKAN_LANDLOCK_NET_CONNECT_TCP       (1ULL << 1)
#define KIKAN_LANDLOCK_SCOPE_ABSTRACT_UNIX   (1ULL << 0)
#define KIKAN_LANDLOCK_SCOPE_SIGNAL          (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the size passed to the kernel
 * says how much of it the running kernel is asked to read. */
typedef struct {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
} KikanLandlockAttr;

#define LANDLOCK_FS_ABI1                                                                     \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE \
     | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR                           \
     | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR                         \
     | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG                             \
     | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO                           \
     | LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

static int
landlock_add_beneath (int ruleset, int dirfd, uint64_t access)
{
    struct landlock_path_beneath_attr pb;

    memset (&pb, 0, sizeof pb);
    pb.allowed_access = access;
    pb.parent_fd = dirfd;
    return (int) syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

/* Returns 1 when Landlock is in force, 0 when this kernel has none (then
 * seccomp alone confines the worker, and the name says so), or
 * KIKAN_ESANDBOX when Landlock exists but could not be applied. */
static int
apply_landlock (const KikanSandboxPaths *p, char *err, size_t errlen)
{
    KikanLandlockAttr attr;
    size_t attr_size;
    uint64_t read_access, tmp_access;
    long abi;
    int ruleset = -1, r = KIKAN_ESANDBOX;

    abi = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP)
            return 0;
        snprintf (err, errlen, "Landlock ABI query failed: %s", strerror (errno));
        return KIKAN_ESANDBOX;
    }
    memset (&attr, 0, sizeof attr);
    attr.handled_access_fs = LANDLOCK_FS_ABI1;
    if (abi >= 2)
        attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    attr_size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        attr.handled_access_net = KIKAN_LANDLOCK_NET_BIND_TCP | KIKAN_LANDLOCK_NET_CONNECT_TCP;
        attr_size += sizeof attr.handled_access_net;
    }
    if (abi >= 6) {
        /* The worker may then signal only itself: never the daemon. */
        attr.scoped = KIKAN_LANDLOCK_SCOPE_ABSTRACT_UNIX | KIKAN_LANDLOCK_SCOPE_SIGNAL;
        attr_size += sizeof attr.scoped;
    }
    ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) {
        snprintf (err, errlen, "Landlock ruleset (ABI %ld) refused: %s", abi, strerror (errno));
        goto out;
    }
    read_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
    if (p->target_is_dir && landlock_add_beneath (ruleset, p->target_fd, read_access) != 0) {
        snprintf (err, errlen, "Landlock rule for the target refused: %s", strerror (errno));
        goto out;
    }
    /* libclamav and the fallback extractors create, write, read back and
     * delete temporary files and directories here. */
    tmp_access = read_access | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR
                 | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR
                 | LANDLOCK_ACCESS_FS_MAKE_REG;
    if (abi >= 3)
        tmp_access |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (landlock_add_beneath (ruleset, p->tmpdir_fd, tmp_access) != 0) {
        snprintf (err, errlen, "Landlock rule for the temp dir refused: %s", strerror (errno));
        goto out;
    }
#ifdef KIKAN_COVERAGE_DIR
    {
        int cov = open (KIKAN_COVERAGE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (cov < 0 || landlock_add_beneath (ruleset, cov, tmp_access) != 0) {
            snprintf (err, errlen, "Landlock rule for the coverage counters refused: %s",
                      strerror (errno));
            if (cov >= 0)
                close (cov);
            goto out;
        }
        close (cov);
    }
#endif
    if (syscall (SYS_landlock_restrict_self, ruleset, 0) != 0) {
        snprintf (err, errlen, "Landlock restrict_self failed: %s", strerror (errno));
        goto out;
    }
    r = 1;
out:
    if (ruleset >= 0)
        close (ruleset);
    return r;
}

/* ---- seccomp ---- */

/* Plain allow-list: calls allowed with any arguments.  Measured with
 * strace -f on the worker (docs/ipc.md "Sandbox"); "(m)" marks calls seen
 * in the measurement, the others are self-local calls that glibc makes on
 * paths the fixtures did not happen to take. */
static const char *const allowed_syscalls[] = {
    /* Memory: malloc, libclamav's fmap, thread stacks (m); ASan's
     * allocator uses the same calls, madvise far more often. */
    "brk", "munmap", "mremap", "madvise",
    /* Key material of an unlocked volume stays out of swap: unlock.c
     * refuses to unlock without mlock() of its key pages (m), and unlocks
     * them before unmapping (munlock).  Bounded by RLIMIT_MEMLOCK, since
     * the worker holds no CAP_IPC_LOCK. */
    "mlock", "munlock",
    /* Descriptors already held or just opened (m: read, write, pread64,
     * lseek, close, newfstatat, getdents64).  pwrite64/readv/writev/
     * ftruncate/fstat/dup: temp-file writers and older glibc paths. */
    "read", "write", "pread64", "pwrite64", "readv", "writev", "lseek", "close",
    "newfstatat", "fstat", "getdents64", "ftruncate", "dup",
    /* Paths (m: openat, mkdir, rmdir, unlink): the walk (openat beneath the
     * target), libclamav's per-scan temp dirs and files; unlinkat/mkdirat
     * are the same rights in *at form.  Landlock confines them to the
     * target (read) and the private temp dir (read/write). */
    "openat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
    /* A symbolic link's text, reported and never followed (issue #8):
     * readlinkat on the directory descriptor of the walk. */
    "readlinkat",
    /* Results to the daemon over the inherited socketpair (m). */
    "sendmsg",
    /* Threads of the scanning pool (m: futex, set_robust_list, rseq,
     * rt_sigaction for glibc's SIGSETXID handler, rt_sigprocmask, exit,
     * getpid, exit_group; gettid, sched_getaffinity and sigaltstack come
     * from ASan's thread start).  rt_sigreturn and restart_syscall let a
     * handled or stopped-and-continued thread resume. */
    "futex", "set_robust_list", "rseq", "gettid", "getpid", "sched_getaffinity",
    "sched_yield", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
    "restart_syscall", "exit", "exit_group",
    /* Time (CPU-time clocks are real syscalls, not vDSO), sleeping, and
     * randomness for temp names and OpenSSL (m: getrandom).  sysinfo:
     * glibc's qsort asks for the physical memory size. */
    "clock_gettime", "nanosleep", "clock_nanosleep", "getrandom", "sysinfo",
};

/* Calls that no scan ever makes: only code that has taken over the worker
 * would try them, so the whole process dies at once. */
static const char *const killed_syscalls[] = {
    "execve", "execveat", "ptrace", "socket", "connect", "bind", "listen", "accept",
    "accept4", "mount", "umount2", "chroot", "pivot_root", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
    "process_vm_writev", "process_vm_readv", "keyctl", "add_key", "request_key", "unshare",
    "setns", "personality", "fork", "vfork", "socketpair", "open_by_handle_at",
    "userfaultfd", "io_uring_setup", "fsopen", "fsmount", "move_mount", "open_tree",
    "pidfd_getfd",
};

#define KIKAN_CLONE_NS_FLAGS                                                                 \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET \
     | CLONE_NEWCGROUP)

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
          const struct scmp_arg_cmp *cmp, char *err, size_t errlen)
{
    int nr = seccomp_syscall_resolve_name (name);
    int rc;

    /* A call this architecture does not have needs no rule. */
    if (nr == __NR_SCMP_ERROR)
        return 0;
    rc = seccomp_rule_add_array (ctx, action, nr, n, cmp);
    if (rc != 0) {
        snprintf (err, errlen, "seccomp rule for %s refused: %s", name, strerror (-rc));
        return KIKAN_ESANDBOX;
    }
    return 0;
}

static int
apply_seccomp (char *err, size_t errlen)
{
    scmp_filter_ctx ctx;
    struct scmp_arg_cmp cmp[2];
    int rc, r = KIKAN_ESANDBOX;

    if ((ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM))) == NULL) {
        snprintf (err, errlen, "seccomp: cannot create a filter");
        return KIKAN_ESANDBOX;
    }
    /* No thread exists yet, but should one ever be started earlier, it
     * must not escape the filter. */
    if ((rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0) {
        snprintf (err, errlen, "seccomp: TSYNC unsupported: %s", strerror (-rc));
        goto out;
    }
    for (size_t i = 0; i < sizeof allowed_syscalls / sizeof allowed_syscalls[0]; i++)
        if (add_rule (ctx, SCMP_ACT_ALLOW, allowed_syscalls[i], 0, NULL, err, errlen) != 0)
            goto out;
    for (size_t i = 0; i < sizeof killed_syscalls / sizeof killed_syscalls[0]; i++)
        if (add_rule (ctx, SCMP_ACT_KILL_PROCESS, killed_syscalls[i], 0, NULL, err, errlen)
            != 0)
            goto out;

    /* Threads yes, new processes no: clone() is allowed only with
     * CLONE_THREAD and no namespace flag; without CLONE_THREAD (fork-like)
     * the process is killed, and anything else is EPERM. */
    cmp[0] = SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_THREAD | KIKAN_CLONE_NS_FLAGS, CLONE_THREAD);
    if (add_rule (ctx, SCMP_ACT_ALLOW, "clone", 1, cmp, err, errlen) != 0)
        goto out;
    cmp[0] = SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
    if (add_rule (ctx, SCMP_ACT_KILL_PROCESS, "clone", 1, cmp, err, errlen) != 0)
        goto out;
    /* clone3 passes its flags in memory, which seccomp cannot inspect;
     * ENOSYS makes glibc fall back to clone(), which it can. */
    if (add_rule (ctx, SCMP_ACT_ERRNO (ENOSYS), "clone3", 0, NULL, err, errlen) != 0)
        goto out;

    /* No new executable memory: nothing is loaded after the sandbox is up,
     * so a request for PROT_EXEC can only come from an exploit. */
    cmp[0] = SCMP_A2 (SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    if (add_rule (ctx, SCMP_ACT_ALLOW, "mmap", 1, cmp, err, errlen) != 0
        || add_rule (ctx, SCMP_ACT_ALLOW, "mprotect", 1, cmp, err, errlen) != 0)
        goto out;

    /* fcntl: descriptor flags and duplicates (m: F_DUPFD_CLOEXEC, F_GETFL,
     * F_SETFD), never F_SETOWN/F_SETSIG or leases that make the kernel
     * signal someone. */
    {
        static const int fcntl_ok[] = {
            F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC,
#ifdef KIKAN_COVERAGE_DIR
            /* gcov locks its counter files (scanner/coverage-private.h). */
            F_SETLKW, F_SETLK, F_GETLK,
#endif
        };

        for (size_t i = 0; i < sizeof fcntl_ok / sizeof fcntl_ok[0]; i++) {
            cmp[0] = SCMP_A1 (SCMP_CMP_EQ, (scmp_datum_t) fcntl_ok[i]);
            if (add_rule (ctx, SCMP_ACT_ALLOW, "fcntl", 1, cmp, err, errlen) != 0)
                goto out;
        }
    }

    /* Signals only to ourselves: raise()/abort() and sanitizer reports use
     * tgkill on their own process. */
    cmp[0] = SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) getpid ());
    if (add_rule (ctx, SCMP_ACT_ALLOW, "tgkill", 1, cmp, err, errlen) != 0)
        goto out;

    if ((rc = seccomp_load (ctx)) != 0) {
        snprintf (err, errlen, "seccomp filter could not be loaded: %s", strerror (-rc));
        goto out;
    }
    r = 0;
out:
    seccomp_release (ctx);
    return r;
}

static int
seccomp_apply (const KikanSandboxPaths *paths, const char **applied, char *err,
               size_t errlen)
{
    int ll;

    /* Landlock first: its own syscalls are not on the seccomp allow-list. */
    if ((ll = apply_landlock (paths, err, errlen)) < 0)
        return KIKAN_ESANDBOX;
    if (apply_seccomp (err, errlen) != 0)
        return KIKAN_ESANDBOX;
    *applied = ll ? "seccomp+landlock" : "seccomp";
    return 0;
}

const KikanSandboxBackend kikan_sandbox_seccomp = {
    "seccomp",
    seccomp_apply,
};
