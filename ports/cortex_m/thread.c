/* thread.c - duet/board.h's threads on a Cortex-M core: a cooperative scheduler.
 *
 * Up to DUET_THREAD_MAX threads besides the program's main one, each on a fixed stack of
 * DUET_THREAD_STACK_SIZE bytes (duet/config.h). A thread runs until it waits: for the
 * doorbell or a deadline (the port's wait(), so delay() and a call waiting for its answer),
 * for a mutex, for another thread to end, or until it yields. The switch is a function
 * call that saves the callee-saved registers (r4-r11, and s16-s31 with an FPU) on the
 * thread's stack, so no interrupt is involved and the FPU's lazy stacking never sees it.
 * When no thread can run the core sleeps in WFI; an interrupt (the doorbell, the SysTick
 * millisecond) ends the sleep and the scheduler looks again. Nothing busy-waits.
 *
 * Interrupt handlers run on the stack of whichever thread was running (every thread runs on
 * the main stack pointer): each stack has room for them. A thread that overflows its stack
 * is caught at its next switch (a guard word at the bottom), and the core stops with a line
 * on the console.
 *
 * A program pays for this only once it starts a thread: the port's wait, lock, unlock and
 * thread_error (duet_port) reach the scheduler through pointers the first duet_thread_create
 * sets (threads_begin), so a program that never calls it links neither the scheduler nor
 * its tables, and its port has no lock (NULL: duet's transport then asks the other core not
 * to ring while it polls).
 */
#include "duet/board.h"

#include "duet/config.h"
#include "duet/cortex_m.h"
#include "duet/port.h"

#define SLOTS (1 + DUET_THREAD_MAX) /* slot 0: the program's main thread */
#define STACK_WORDS (DUET_THREAD_STACK_SIZE / 4)
#define GUARD 0x5354414bu /* "STAK" */

typedef enum {
    READY,      /* runs, or can (0: the main thread's state before threads_begin) */
    FREE,       /* no thread */
    WAIT_EVENT, /* until the event or the deadline */
    WAIT_MUTEX, /* until the mutex is free, or the deadline (trylock_for) */
    WAIT_JOIN,  /* until thread `join` has ended */
} thread_state;

typedef struct thread {
    uint32_t *sp;         /* saved stack pointer while it does not run */
    unsigned id;          /* duet_thread_self(): 0 for main */
    thread_state state;
    bool timed;           /* the wait has a deadline */
    uint32_t since, timeout_ms;
    const void *mutex;    /* WAIT_MUTEX: which */
    unsigned join;        /* WAIT_JOIN: which thread */
    void (*fn)(void *arg);
    void *arg;
    const uint32_t *guard; /* the bottom word of its stack (NULL for main) */
    duet_port_error *error; /* duet's last error in this thread (duet_port.thread_error);
                             * NULL for main, whose errors stay duet's own */
} thread;

/* What a duet_mutex holds on these ports. */
typedef struct cm_mutex {
    int owner;        /* the holder's id, -1 when free */
    unsigned depth;   /* how often the holder locked it */
} cm_mutex;

_Static_assert(sizeof(cm_mutex) <= sizeof(((duet_mutex *)0)->opaque), "duet_mutex holds a cm_mutex");

static thread threads[SLOTS]; /* slot 0, main, READY from the start; the rest FREE once begun */
static bool begun;               /* threads_begin has run */
static unsigned current;         /* the slot that runs */
static unsigned last_id;
static unsigned started; /* threads besides main that have not returned: none, main alone is looked at */
static uint32_t events; /* a bit per slot: the doorbell rang since its last wait (irq masked) */
/* Only duet_thread_create names the stacks and the other threads' error slots, so a program
 * that starts no thread links neither it nor them (--gc-sections): the scheduler then costs
 * no stack RAM. */
static uint32_t stacks[DUET_THREAD_MAX][STACK_WORDS] __attribute__((aligned(8)));
static duet_port_error errors[DUET_THREAD_MAX];

/* Saves this thread's callee-saved registers and stack pointer in *save, then continues the
 * thread whose stack pointer is next (where its own call of this function left it, or its
 * first frame, built by thread_start). */
void duet_cortex_m_thread_switch(uint32_t **save, uint32_t *next);
__attribute__((naked)) void duet_cortex_m_thread_switch(uint32_t **save, uint32_t *next)
{
    (void)save;
    (void)next;
    __asm__ volatile("push {r3-r11, lr}\n\t" /* r3: keeps the stack 8-byte aligned */
#if defined(__ARM_FP)
                     "vpush {s16-s31}\n\t"
#endif
                     "mov r2, sp\n\t"
                     "str r2, [r0]\n\t"
                     "mov sp, r1\n\t"
#if defined(__ARM_FP)
                     "vpop {s16-s31}\n\t"
#endif
                     "pop {r3-r11, pc}\n\t");
}

/* Where a new thread's first switch lands: its function and argument wait in r4 and r5,
 * duet_cortex_m_thread_main's address in r6 (a value the C code below stores, so that
 * link-time optimisation sees who uses the function). */
void duet_cortex_m_thread_main(void (*fn)(void *arg), void *arg) __attribute__((noreturn));
__attribute__((naked, noreturn)) static void thread_entry(void)
{
    __asm__ volatile("mov r0, r4\n\t"
                     "mov r1, r5\n\t"
                     "bx r6\n\t");
}

/* The board's error text is the port's (duet_board_error_text). */
static void fail(const char *what, const char *why)
{
    duet_cortex_m_port_board_fail(what, why);
}

/* The port's doorbell flag (its interrupt handler sets it), as the last wait named it. */
static volatile uint32_t *doorbell;

/* With interrupts masked: a doorbell that rang is an event for every thread. */
static void absorb_doorbell(void)
{
    if (doorbell && *doorbell) {
        *doorbell = 0;
        events = (1u << SLOTS) - 1u;
    }
}

/* Whether the event came for slot, clearing it. */
static bool take_event(unsigned slot)
{
    uint32_t mask = duet_cortex_m_irq_save();
    absorb_doorbell();
    bool came = (events & (1u << slot)) != 0;
    events &= ~(1u << slot);
    duet_cortex_m_irq_restore(mask);
    return came;
}

static bool deadline_passed(const thread *t)
{
    return t->timed && duet_cortex_m_millis() - t->since >= t->timeout_ms;
}

static bool id_running(unsigned id)
{
    for (unsigned i = 0; i < SLOTS; i++)
        if (threads[i].state != FREE && threads[i].id == id)
            return true;
    return false;
}

/* Whether the thread in slot can go on now. */
static bool can_run(unsigned slot)
{
    const thread *t = &threads[slot];
    switch (t->state) {
    case READY:
        return true;
    case WAIT_EVENT:
        return (events & (1u << slot)) || deadline_passed(t);
    case WAIT_MUTEX:
        return ((const cm_mutex *)t->mutex)->owner < 0 || deadline_passed(t);
    case WAIT_JOIN:
        return !id_running(t->join);
    case FREE:
        break;
    }
    return false;
}

/* Stops the core with a line on the console when a thread has overflowed its stack. */
static void check_guard(unsigned slot)
{
    const uint32_t *guard = threads[slot].guard;
    if (!guard || *guard == GUARD)
        return;
    static const char msg[] = "\r\nduet: a thread overflowed its stack (DUET_THREAD_STACK_SIZE, duet/config.h)\r\n";
    duet_cortex_m_port_console_write(msg, sizeof msg - 1);
    duet_cortex_m_port_exit(134);
}

/* The milliseconds until the soonest deadline of a waiting thread (UINT32_MAX: none). */
static uint32_t soonest_deadline(unsigned slots)
{
    uint32_t now = duet_cortex_m_millis(), soonest = UINT32_MAX;
    for (unsigned i = 0; i < slots; i++) {
        const thread *t = &threads[i];
        if (!t->timed || (t->state != WAIT_EVENT && t->state != WAIT_MUTEX))
            continue;
        uint32_t spent = now - t->since;
        uint32_t left = spent >= t->timeout_ms ? 0 : t->timeout_ms - spent;
        soonest = left < soonest ? left : soonest;
    }
    return soonest;
}

/* Continues the next thread that can run (the others first, this one last, so a yield lets
 * each of them run once); while none can, sleeps until an interrupt. */
static void schedule(void)
{
    check_guard(current);
    unsigned slots = started ? SLOTS : 1;
    for (;;) {
        uint32_t mask = duet_cortex_m_irq_save();
        absorb_doorbell();
        for (unsigned k = 1; k <= slots; k++) {
            unsigned next = (current + k) % slots;
            if (!can_run(next))
                continue;
            duet_cortex_m_irq_restore(mask);
            threads[next].state = READY;
            if (next != current) {
                unsigned from = current;
                current = next;
                duet_cortex_m_thread_switch(&threads[from].sp, threads[next].sp);
            }
            return;
        }
        /* None can run: an interrupt that makes one able to (the doorbell's event, the
         * clock's at the soonest deadline) ends the WFI even with interrupts masked, and runs
         * once they are unmasked. */
        uint32_t ms = soonest_deadline(slots);
        if (ms != UINT32_MAX)
            duet_cortex_m_clock_alarm(ms);
        duet_cortex_m_wfi();
        duet_cortex_m_irq_restore(mask);
    }
}

/* Makes the current thread wait (state set by the caller), for timeout_ms if timed. */
static void wait_as(thread_state state, bool timed, uint32_t timeout_ms)
{
    thread *me = &threads[current];
    me->state = state;
    me->timed = timed;
    me->since = duet_cortex_m_millis();
    me->timeout_ms = timeout_ms;
    schedule();
}

/* The port's wait (duet_cortex_m_wait) once the program has threads. */
static bool thread_wait(volatile uint32_t *flag, uint32_t timeout_ms)
{
    doorbell = flag;
    if (take_event(current))
        return true;
    if (timeout_ms == 0) {
        duet_thread_yield();
        return take_event(current);
    }
    wait_as(WAIT_EVENT, true, timeout_ms);
    return take_event(current);
}

void duet_cortex_m_thread_main(void (*fn)(void *arg), void *arg)
{
    fn(arg);
    threads[current].state = FREE; /* its joiners can run; its stack is free for a new thread */
    started--;
    schedule();
    __builtin_unreachable(); /* never continued: a freed slot is only given a new first frame */
}

static void threads_begin(void);

int duet_thread_create(void (*fn)(void *arg), void *arg, unsigned *id)
{
    if (!fn) {
        fail("duet_thread_start", "no function given");
        return DUET_ERR_ARG;
    }
    threads_begin();
    unsigned slot = 1;
    while (slot < SLOTS && threads[slot].state != FREE)
        slot++;
    if (slot == SLOTS) {
        fail("duet_thread_start", "this core already runs DUET_THREAD_MAX threads, the most it can; "
                                  "start another when one has returned");
        return DUET_ERR_FULL;
    }
    uint32_t *stack = stacks[slot - 1];
    stack[0] = GUARD;
    /* The first frame, as duet_cortex_m_thread_switch pops it: s16-s31 (with an FPU), then
     * r3-r11 (r4: fn, r5: arg, r6: duet_cortex_m_thread_main) and the address it returns to. */
    uint32_t *sp = stack + STACK_WORDS - 10;
    for (int i = 0; i < 10; i++)
        sp[i] = 0;
    sp[1] = (uint32_t)(uintptr_t)fn;
    sp[2] = (uint32_t)(uintptr_t)arg;
    sp[3] = (uint32_t)(uintptr_t)duet_cortex_m_thread_main;
    sp[9] = (uint32_t)(uintptr_t)thread_entry;
#if defined(__ARM_FP)
    sp -= 16;
    for (int i = 0; i < 16; i++)
        sp[i] = 0;
#endif
    thread *t = &threads[slot];
    t->sp = sp;
    t->guard = stack;
    t->id = ++last_id;
    t->fn = fn;
    t->arg = arg;
    t->timed = false;
    take_event(slot); /* an event from before it started is not its own */
    errors[slot - 1] = (duet_port_error){0};
    t->error = &errors[slot - 1];
    t->state = READY;
    started++;
    if (id)
        *id = t->id;
    return DUET_OK;
}

int duet_thread_start(void (*fn)(void *arg), void *arg)
{
    return duet_thread_create(fn, arg, NULL);
}

int duet_thread_join(unsigned id)
{
    if (id == threads[current].id) {
        fail("duet_thread_join", "a thread cannot wait for itself to end");
        return DUET_ERR_STATE;
    }
    if (id == 0 || id > last_id) {
        fail("duet_thread_join", "no thread of this core has that number");
        return DUET_ERR_ARG;
    }
    if (id_running(id)) {
        threads[current].join = id;
        wait_as(WAIT_JOIN, false, 0);
    }
    return DUET_OK;
}

void duet_thread_yield(void)
{
    schedule();
}

unsigned duet_thread_self(void)
{
    return threads[current].id;
}

/* ------------------------------------------------------------ mutexes */

static cm_mutex *cm_mutex_of(duet_mutex *m)
{
    return (cm_mutex *)(void *)m->opaque.bytes;
}

void duet_mutex_init(duet_mutex *m)
{
    cm_mutex *c = cm_mutex_of(m);
    c->owner = -1;
    c->depth = 0;
}

/* Takes c, waiting (timed: up to ms) while another thread holds it. */
static bool mutex_take(cm_mutex *c, bool timed, uint32_t ms)
{
    int me = (int)threads[current].id;
    uint32_t since = duet_cortex_m_millis();
    while (c->owner >= 0 && c->owner != me) {
        uint32_t spent = duet_cortex_m_millis() - since;
        if (timed && spent >= ms)
            return false;
        threads[current].mutex = c;
        wait_as(WAIT_MUTEX, timed, ms - spent);
    }
    c->owner = me;
    c->depth++;
    return true;
}

void duet_mutex_lock(duet_mutex *m)
{
    mutex_take(cm_mutex_of(m), false, 0);
}

bool duet_mutex_trylock_for(duet_mutex *m, uint32_t ms)
{
    return mutex_take(cm_mutex_of(m), true, ms);
}

int duet_mutex_unlock(duet_mutex *m)
{
    cm_mutex *c = cm_mutex_of(m);
    if (c->owner != (int)threads[current].id || c->depth == 0) {
        fail("duet_mutex_unlock", "this thread does not hold the mutex (unlock only what you locked)");
        return DUET_ERR_STATE;
    }
    if (--c->depth == 0)
        c->owner = -1; /* a thread waiting for it can run at the next switch */
    return DUET_OK;
}

int duet_mutex_owner(duet_mutex *m)
{
    return cm_mutex_of(m)->owner;
}

void duet_mutex_destroy(duet_mutex *m)
{
    (void)m;
}

/* ------------------------------------------------------------ the port's hooks */

/* duet_port.thread_error: each thread's own place for duet's last error (main: duet's). */
static duet_port_error *port_thread_error(duet_port *port)
{
    (void)port;
    return threads[current].error;
}

/* duet_port.lock/unlock: one recursive lock for the core's threads. */
static duet_mutex port_mutex;

static void port_lock(duet_port *port)
{
    (void)port;
    duet_mutex_lock(&port_mutex);
}

static void port_unlock(duet_port *port)
{
    (void)port;
    /* duet's lock taken before the first thread started did nothing: main, which took it
     * (in a bound function that started the thread), releases nothing. */
    if (cm_mutex_of(&port_mutex)->owner == (int)threads[current].id)
        duet_mutex_unlock(&port_mutex);
}

/* At the first duet_thread_create: the other slots are free, and the port's wait, lock,
 * unlock and thread_error become the scheduler's. */
static void threads_begin(void)
{
    if (begun)
        return;
    begun = true;
    for (unsigned i = 1; i < SLOTS; i++)
        threads[i].state = FREE;
    duet_mutex_init(&port_mutex);
    duet_cortex_m_wait_by(thread_wait);
    duet_port *port = duet_port_default(); /* SysTick, for the deadlines */
    port->lock = port_lock;
    port->unlock = port_unlock;
    port->thread_error = port_thread_error;
}
