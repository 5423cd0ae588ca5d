/* Kikan kiosk: undo what must not outlive `kikan`, even when it is stopped. */
#include "signal-guard-private.h"

#include "kikan/scand.h"

#include <errno.h>
#include <linux/fs.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_SLOTS 64

typedef enum {
    SLOT_FREE = 0,
    SLOT_BLKRO,
    SLOT_TERMIOS,
} SlotKind;

typedef struct {
    volatile sig_atomic_t kind;
    int fd;
    int previous;
    struct termios saved;
} Slot;

static Slot slots[MAX_SLOTS];
static gboolean installed;
/* kikan_signal_guard_defer(): the first signal asks the scan to stop. */
static volatile sig_atomic_t deferring;
static volatile sig_atomic_t caught;
static const int guarded_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Async-signal-safe: ioctl and tcsetattr are plain system calls. */
static void
undo_slot (Slot *s)
{
    switch ((SlotKind) s->kind) {
    case SLOT_BLKRO: {
        int prev = s->previous;

        (void) ioctl (s->fd, BLKROSET, &prev);
        break;
    }
    case SLOT_TERMIOS:
        (void) tcsetattr (s->fd, TCSAFLUSH, &s->saved);
        break;
    case SLOT_FREE:
        break;
    }
    s->kind = SLOT_FREE;
}

static gboolean
prompt_active (void)
{
    for (int i = 0; i < MAX_SLOTS; i++)
        if (slots[i].kind == SLOT_TERMIOS)
            return TRUE;
    return FALSE;
}

static void
on_signal (int sig)
{
    int saved_errno = errno;
    struct sigaction sa;

    /* A scan is running: stop it in order (the daemon removes its temp
     * dir) and let `kikan` report the interruption.  Not at a passphrase
     * prompt, which the default path below ends at once (the daemon then
     * sees its socket close and cleans up by itself), and not a second
     * time: a second Ctrl-C always ends `kikan` at once. */
    if (deferring && caught == 0 && !prompt_active ()) {
        caught = sig;
        kikan_scand_client_interrupt ();
        errno = saved_errno;
        return;
    }

    for (int i = MAX_SLOTS - 1; i >= 0; i--)
        undo_slot (&slots[i]);
    /* Then the signal does what it would have done without us. */
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset (&sa.sa_mask);
    (void) sigaction (sig, &sa, NULL);
    errno = saved_errno;
    (void) raise (sig);
}

static void
install (void)
{
    struct sigaction sa;

    if (installed)
        return;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset (&sa.sa_mask);
    for (gsize i = 0; i < G_N_ELEMENTS (guarded_signals); i++) {
        struct sigaction old;

        /* A signal someone chose to ignore stays ignored. */
        if (sigaction (guarded_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        (void) sigaction (guarded_signals[i], &sa, NULL);
    }
    installed = TRUE;
}

static int
add_slot (SlotKind kind, int fd, int previous, const struct termios *saved)
{
    install ();
    for (int i = 0; i < MAX_SLOTS; i++) {
        if (slots[i].kind != SLOT_FREE)
            continue;
        slots[i].fd = fd;
        slots[i].previous = previous;
        if (saved != NULL)
            slots[i].saved = *saved;
        /* Last, so that the handler never sees a half-filled slot. */
        slots[i].kind = kind;
        return i;
    }
    return -1;
}

int
kikan_signal_guard_add_blkro (int fd, int previous)
{
    return add_slot (SLOT_BLKRO, fd, previous, NULL);
}

int
kikan_signal_guard_add_termios (int fd, const struct termios *saved)
{
    return add_slot (SLOT_TERMIOS, fd, 0, saved);
}

void
kikan_signal_guard_undo (int slot)
{
    sigset_t all, old;

    if (slot < 0 || slot >= MAX_SLOTS)
        return;
    /* Not interrupted half-way by the handler undoing the same slot. */
    sigfillset (&all);
    sigprocmask (SIG_BLOCK, &all, &old);
    undo_slot (&slots[slot]);
    sigprocmask (SIG_SETMASK, &old, NULL);
}

void
kikan_signal_guard_defer (void)
{
    install ();
    deferring = 1;
}

int
kikan_signal_guard_get_caught (void)
{
    return caught;
}
