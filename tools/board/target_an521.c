/* target_an521.c - duet-board's target an521: the two Cortex-M33 of QEMU's mps2-an521
 * (ports/an521, docs/an521.md), CPU0 as the M7 and CPU1 as the M4. build cross-compiles a
 * program against the port's library; run starts QEMU with both images, the M7's UART on
 * stdout (C's stdout and the Serial) and the M4's on stderr. There is no flash to keep
 * images in between runs: run takes them with --m7 and --m4. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board_paths.h"
#include "board_util.h"
#include "qemu_stderr.h"
#include "sketch_cross.h"
#include "sketch_posix.h"
#include "target.h"

/* Set by CMake when the port is built (DUET_AN521=ON); board_paths.c finds its files. */
#ifdef DUET_BOARD_AN521_LIB

/* As ports/cortex_m/cortex_m.cmake: the SSE-200's CPU0 has no FPU, so both images are
 * soft-float (and without the DSP extension, which CPU0 lacks too). */
#define AN521_CPU_FLAGS "-mcpu=cortex-m33+nodsp+nofp", "-mthumb", "-mfloat-abi=soft"

#ifndef DUET_CORTEX_M_STDIO_WRAP
#error "DUET_CORTEX_M_STDIO_WRAP must be the linker option of C's printf and scanf families (ports/cortex_m/cortex_m.cmake)"
#endif

/* Fails with a sentence unless every option the user gave is one this target honours. */
static int refuse_unsupported(const board_args *a)
{
    if (a->board_dir || a->split)
        return board_usage_fail(a, "%s is not supported by --target an521 (it keeps no flash between runs: run takes "
                                   "the images, --m7 IMAGE --m4 IMAGE; see docs/an521.md)",
                                a->board_dir ? "--board" : "--split");
    const char *opt = a->vcd_file ? "--vcd" : a->trace ? "--trace" : a->analog_count ? "--analog" : a->web ? "--web"
                      : a->log_file ? "--log" : NULL;
    if (opt)
        return board_usage_fail(a, "%s is not supported by --target an521 (QEMU has no such part; see docs/an521.md)", opt);
    return 0;
}

/* The compiler's command line, built up in pieces. */
typedef struct an521_command {
    const char *argv[64 + 256];
    int n;
} an521_command;

/* Puts the image's path in out: --output, or the first source's name with the core's
 * (blink.c -> blink_m7.elf, in the current directory). */
static void image_path(const board_args *a, char *out, size_t size)
{
    if (a->output) {
        snprintf(out, size, "%s", a->output);
        return;
    }
    const char *source = sketch_output_source(a), *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    snprintf(out, size, "%.*s_%s.elf", (int)strcspn(base, "."), base, a->core);
}

/* The C compiler, its flags and the port's header directories, then the user's flags. The
 * CPU's flags and the header directories go to cross too (cross_count of them): a sketch's
 * sources get them. */
static void compile_flags(const board_args *a, const board_paths *p, bool m7, an521_command *c, const char **cross,
                          int *cross_count)
{
    const char *head[] = {
        "arm-none-eabi-gcc", "-std=gnu11", "-g", "-Os", "-Wall", "-Wextra", AN521_CPU_FLAGS,
        "-ffunction-sections", "-fdata-sections", m7 ? "-DCORE_CM7" : "-DCORE_CM4",
    };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        c->argv[c->n++] = head[i];
    static char include[4][PATH_MAX + 2];
    *cross_count = 3; /* AN521_CPU_FLAGS */
    for (int i = 0; i < 4 && p->an521_include[i]; i++) {
        snprintf(include[i], sizeof include[i], "-I%s", p->an521_include[i]);
        cross[(*cross_count)++] = include[i];
        c->argv[c->n++] = include[i];
    }
    for (int i = 0; i < a->cflag_count; i++)
        c->argv[c->n++] = a->cflags[i];
}

/* A sketch (.ino, .cpp): compiled as C++ with the Arduino layer into objects in dir, then
 * linked by g++, which replaces the command line with its own. Returns 0 or the status. */
static int sketch_command(const board_args *a, bool m7, const char **cross, int cross_count, const char *dir,
                          an521_command *c)
{
    static sketch_objects objects;
    int rc = sketch_cross_compile(a, m7, cross, cross_count, dir, &objects);
    if (rc)
        return rc;
    c->n = 0;
    c->argv[c->n++] = SKETCH_CROSS_CXX;
    for (int i = 0; i < 3; i++)
        c->argv[c->n++] = cross[i]; /* AN521_CPU_FLAGS */
    for (int i = 0; sketch_cross_link_flags[i]; i++)
        c->argv[c->n++] = sketch_cross_link_flags[i];
    for (int i = 0; i < objects.count; i++)
        c->argv[c->n++] = objects.path[i];
    return 0;
}

/* CPU0's image at 0x10000000, CPU1's at 0x10200000 (ports/an521/cpu0.ld, cpu1.ld). The
 * port's library and newlib call each other (stdio's system calls, and the printf and scanf
 * families the port's library wraps: DUET_CORTEX_M_STDIO_WRAP): one group. The library's
 * objects carry intermediate code too (ports/an521/CMakeLists.txt): -fno-lto links their
 * machine code. */
static void link_flags(const board_paths *p, bool m7, const char *out, an521_command *c)
{
    static char ld_dir[PATH_MAX + 2], script[PATH_MAX + 16];
    snprintf(ld_dir, sizeof ld_dir, "-L%s", p->an521_ld);
    snprintf(script, sizeof script, "-T%s/%s", p->an521_ld, m7 ? "cpu0.ld" : "cpu1.ld");
    const char *tail[] = {
        "-fno-lto", "--specs=nano.specs", "-nostartfiles", "-Wl,--gc-sections", DUET_CORTEX_M_STDIO_WRAP, ld_dir, script,
        "-Wl,--undefined=duet_an521_vectors", "-Wl,--start-group", p->an521_lib, "-lc_nano",
        "-Wl,--end-group", "-o", out,
    };
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        c->argv[c->n++] = tail[i];
    c->argv[c->n] = NULL;
}

/* The port's files, and every source readable; NULL after a sentence on stderr. */
static const board_paths *build_inputs(const board_args *a)
{
    const board_paths *p = board_paths_find(a);
    if (!p)
        return NULL;
    if (!p->an521_lib) {
        board_fail(a, "this install of duet has no AN521 port (lib/duet/an521): install duet from a build "
                      "configured with -DDUET_AN521=ON (the default with the tests)");
        return NULL;
    }
    for (int i = 0; i < a->file_count; i++)
        if (access(a->files[i], R_OK) != 0) {
            board_fail(a, "%s: %s", a->files[i], strerror(errno));
            return NULL;
        }
    if (a->file_count + a->cflag_count > 256) {
        board_usage_fail(a, "at most 256 source files and compiler options");
        return NULL;
    }
    return p;
}

static int an521_build(const board_args *a)
{
    int rc = refuse_unsupported(a);
    if (rc)
        return rc;
    const board_paths *p = build_inputs(a);
    if (!p)
        return 1;
    bool m7 = strcmp(a->core, "m7") == 0;
    char out[4096];
    image_path(a, out, sizeof out);
    static an521_command c;
    c.n = 0;
    const char *cross[3 + 4] = {AN521_CPU_FLAGS};
    int cross_count;
    compile_flags(a, p, m7, &c, cross, &cross_count);
    char dir[] = "/tmp/duet-an521-sketch.XXXXXX";
    bool sketch = sketch_sources(a);
    if (sketch) {
        if (!mkdtemp(dir))
            return board_fail(a, "cannot make a directory in /tmp: %s", strerror(errno));
        rc = sketch_command(a, m7, cross, cross_count, dir, &c);
        if (rc) {
            board_remove_tree(dir);
            return rc;
        }
    } else {
        for (int i = 0; i < a->file_count; i++)
            c.argv[c.n++] = a->files[i];
    }
    link_flags(p, m7, out, &c);
    rc = sketch ? sketch_cross_link(a, (char *const *)c.argv) : board_run_command((char *const *)c.argv, a->verbose);
    if (sketch)
        board_remove_tree(dir);
    if (rc == 127)
        return board_fail(a, "could not run %s (install the cross compiler: apt-get install gcc-arm-none-eabi "
                             "libnewlib-arm-none-eabi)", c.argv[0]);
    if (rc != 0)
        return board_fail(a, "the compiler failed (its messages are above)");
    fprintf(stderr, "duet-board build: %s for the %s (CPU%d of the AN521, image at 0x%08x)\n", out,
            m7 ? "M7" : "M4", m7 ? 0 : 1, m7 ? 0x10000000u : 0x10200000u);
    return 0;
}

/* The QEMU the run waits for, which the handlers stop; the signal that stopped the run. */
static pid_t qemu_pid;
static volatile sig_atomic_t stop_signal;

/* The end of --seconds. */
static void on_alarm(int sig)
{
    (void)sig;
    kill(qemu_pid, SIGTERM);
}

/* Ctrl-C, SIGTERM, SIGHUP: QEMU stops first, and the run ends with it, as on the emulated
 * board (duet-board ending at once left QEMU running, with nobody to stop it). */
static void on_stop(int sig)
{
    stop_signal = sig;
    kill(qemu_pid, SIGTERM);
}

/* Passes QEMU's own messages (an image it cannot load, a bad option, a fault it reports)
 * from err_fd, the pipe of its stderr, to ours as QEMU writes them, until QEMU ends, less the
 * line QEMU prints when duet-board stops it at the end of --seconds or at a signal
 * (qemu_stderr.h), which would land in the Serial Monitor; closes err_fd. */
static void qemu_messages(int fd)
{
    qemu_stderr f;
    qemu_stderr_begin(&f, getpid());
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue; /* the end of --seconds or a stop signal: QEMU ends, the pipe with it */
        if (n <= 0)
            break;
        f.stopped = stop_signal != 0;
        qemu_stderr_feed(&f, buf, (size_t)n, STDERR_FILENO);
    }
    qemu_stderr_end(&f, STDERR_FILENO);
    close(fd);
}

/* Where each CPU's image lies (ports/an521/cpu0.ld, cpu1.ld): 2 MiB of ssram-0 each. */
#define AN521_M7_IMAGE 0x10000000u
#define AN521_M4_IMAGE 0x10200000u
#define AN521_IMAGE_SIZE 0x00200000u

/* The address an ELF image for a 32-bit Arm core loads its first bytes at (the lowest
 * physical address of a loadable segment with contents), or 0 when path is no such image;
 * why then says so. */
static uint32_t arm_image_address(const char *path, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return 0;
    }
    Elf32_Ehdr eh;
    uint32_t lowest = 0;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS32 && eh.e_machine == EM_ARM && eh.e_type == ET_EXEC &&
        eh.e_phentsize == sizeof(Elf32_Phdr) && eh.e_phnum <= 256) {
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf32_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)eh.e_phoff + (off_t)i * (off_t)sizeof ph) != (ssize_t)sizeof ph)
                break;
            if (ph.p_type == PT_LOAD && ph.p_filesz > 0 && (lowest == 0 || ph.p_paddr < lowest))
                lowest = ph.p_paddr;
        }
    }
    close(fd);
    if (lowest == 0)
        snprintf(why, cap, "%s is not a program for the AN521 (a Cortex-M ELF image): build it with duet-board build "
                           "--target an521", path);
    return lowest;
}

/* Fails with a sentence unless image is a program for the core's CPU: QEMU would start one
 * for the other CPU, or for this PC, and lock up with its registers on the terminal. */
static int check_image(const board_args *a, const char *image, bool m7)
{
    char why[4300];
    uint32_t at = arm_image_address(image, why, sizeof why);
    if (at == 0)
        return board_fail(a, "%s", why);
    uint32_t own = m7 ? AN521_M7_IMAGE : AN521_M4_IMAGE, other = m7 ? AN521_M4_IMAGE : AN521_M7_IMAGE;
    if (at - own < AN521_IMAGE_SIZE)
        return 0;
    const char *want = m7 ? "M7" : "M4", *core = m7 ? "m7" : "m4";
    if (at - other < AN521_IMAGE_SIZE)
        return board_fail(a, "%s was built for the %s (duet-board build --target an521 --core %s), not the %s: give the "
                             "%s a program built with --core %s",
                          image, m7 ? "M4" : "M7", m7 ? "m4" : "m7", want, want, core);
    return board_fail(a, "%s lies at 0x%08x, not in the AN521's image of the %s (0x%08x): build it with duet-board "
                         "build --target an521 --core %s",
                      image, (unsigned)at, want, (unsigned)own, core);
}

/* A regular file as stderr (2>FILE) is written at the end only: QEMU writes the M4's UART
 * there through a description of its own (/dev/fd/N, append=on), and duet-board's own
 * sentences, written at stderr's offset, went over what the M4 had printed. */
static void stderr_appends(void)
{
    struct stat st;
    int flags = fcntl(STDERR_FILENO, F_GETFL);
    if (flags >= 0 && !(flags & O_APPEND) && fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode))
        fcntl(STDERR_FILENO, F_SETFL, flags | O_APPEND);
}

/* The images to run, readable; 0 or the status after a sentence on stderr. */
static int run_inputs(const board_args *a)
{
    int rc = refuse_unsupported(a);
    if (rc)
        return rc;
    if (!a->m7_image)
        return board_usage_fail(a, "give the images to run: duet-board run --target an521 --m7 IMAGE [--m4 IMAGE] "
                                   "(the an521 keeps no flash between runs)");
    const char *images[] = {a->m7_image, a->m4_image};
    for (int i = 0; i < 2; i++)
        if (images[i] && (rc = check_image(a, images[i], i == 0)) != 0)
            return rc;
    return 0;
}

/* Starts QEMU with the images: the M7's UART on our stdout, the M4's on m4_fd (our stderr),
 * QEMU's own messages to err_fd. Returns its pid, or -1 after a sentence on stderr. */
static pid_t qemu_start(const board_args *a, int m4_fd, int err_fd)
{
    char loader[4200];
    snprintf(loader, sizeof loader, "loader,file=%s", a->m4_image ? a->m4_image : "");
    char m4_chardev[64];
    snprintf(m4_chardev, sizeof m4_chardev, "file,id=m4,path=/dev/fd/%d,append=on", m4_fd);
    /* QEMU's default accelerator: the cores run in parallel on the host's time, so delay(1000)
     * is a second for a person watching (the tests use -icount instead: scripts/an521-qemu.sh).
     * The board's Ethernet chip gets an isolated user-mode network (no host, no outside): with
     * no network behind it at all, QEMU warns "nic lan9118.0 has no peer" on every run. It
     * has no IPv6, whose router advertisements would go to a chip that takes none, each with
     * a warning "Slirp: Failed to send packet". */
    const char *argv[] = {
        "qemu-system-arm", "-M", "mps2-an521", "-display", "none", "-monitor", "none", "-nodefaults",
        "-nic", "user,restrict=on,ipv6=off", "-semihosting-config", "enable=on,target=native", "-serial", "stdio",
        "-chardev", m4_chardev, "-serial", "chardev:m4", "-kernel", a->m7_image, a->m4_image ? "-device" : NULL, loader, NULL,
    };
    if (a->verbose)
        board_print_command((char *const *)argv);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        board_fail(a, "cannot start QEMU: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        dup2(err_fd, STDERR_FILENO);
        execvp(argv[0], (char *const *)argv);
        dprintf(m4_fd, "duet-board run: could not run qemu-system-arm: %s (install it: apt-get install "
                       "qemu-system-arm)\n",
                strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Waits for QEMU, stopping it after --seconds or at a signal that stops the run (QEMU is
 * not left running behind it); shows its messages (err_fd) and returns the run's status,
 * with a sentence on stderr for a failure. */
static int qemu_finish(const board_args *a, pid_t pid, int err_fd)
{
    qemu_pid = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (a->seconds > 0) { /* to the microsecond, as on the emulated board (alarm() took whole seconds) */
        time_t whole = (time_t)a->seconds;
        struct itimerval t = {{0, 0}, {whole, (suseconds_t)((a->seconds - (double)whole) * 1e6)}};
        if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0)
            t.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &t, NULL);
    }
    qemu_messages(err_fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return board_fail(a, "waiting for QEMU: %s", strerror(errno));
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    if (stop_signal)
        return 128 + stop_signal;
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGTERM ? 0 : board_fail(a, "QEMU stopped: %s", board_signal_name(WTERMSIG(status)));
    int code = WEXITSTATUS(status);
    if (code == 127)
        return 1; /* it could not start, and said why */
    /* Either core ends QEMU with its status: the M7's program when it returns, the M4's when
     * it fails (ports/an521/board_io.c), and a fault on either (128 + the exception's number,
     * after a line on that core's UART that names the core and the fault's pc). */
    if (code > 128)
        return board_fail(a, "a core faulted (status %d: 128 + exception %d); its line above names it (on the M7 or "
                             "the M4) and the pc (0x%03xxxxxx is in the M7's image, 0x%03xxxxxx in the M4's)",
                          code, code - 128, AN521_M7_IMAGE >> 20, AN521_M4_IMAGE >> 20);
    if (code != 0)
        return board_fail(a, "the M7 program returned %d, or the M4's did (an M4 program that fails ends the emulator "
                             "too)",
                          code);
    return 0;
}

static int an521_run(const board_args *a)
{
    int rc = run_inputs(a);
    if (rc)
        return rc;
    /* The M4's UART goes to our stderr through a descriptor of its own; QEMU's own stderr
     * through a pipe, passed on as it comes (see qemu_messages). */
    stderr_appends();
    int m4_fd = dup(STDERR_FILENO);
    int err[2] = {-1, -1};
    if (m4_fd < 0 || pipe(err) != 0) {
        int e = errno;
        if (m4_fd >= 0)
            close(m4_fd);
        return board_fail(a, "cannot make a pipe for QEMU's messages: %s", strerror(e));
    }
    fcntl(err[0], F_SETFD, FD_CLOEXEC);
    pid_t pid = qemu_start(a, m4_fd, err[1]);
    close(m4_fd);
    close(err[1]);
    if (pid < 0) {
        close(err[0]);
        return 1;
    }
    return qemu_finish(a, pid, err[0]);
}

const board_target board_target_an521 = {
    "an521", "two Cortex-M33 under QEMU (mps2-an521): CPU0 as the M7, CPU1 as the M4",
    an521_build, NULL, an521_run, NULL, NULL,
    "it keeps no flash between runs (give run the images: duet-board run --target an521 --m7 IMAGE [--m4 IMAGE])",
};

#else /* built without the AN521 port */

static int an521_missing(const board_args *a)
{
    return board_fail(a, "this duet-board was built without the AN521 port: configure duet with -DDUET_AN521=ON "
                         "(it needs arm-none-eabi-gcc, newlib and qemu-system-arm: scripts/deps.sh test)");
}

const board_target board_target_an521 = {
    "an521", "two Cortex-M33 under QEMU (not built: configure with -DDUET_AN521=ON)",
    an521_missing, NULL, an521_missing, NULL, NULL,
    "it keeps no flash between runs, and this duet-board was built without it (-DDUET_AN521=ON)",
};

#endif
