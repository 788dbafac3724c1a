/* main.c - duet-rpc: call msgpack-RPC functions, or serve them, over a byte stream. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "duet/msgpack.h"
#include "duet/posix/bytes_fd.h"
#include "duet/rpc.h"
#include "duet/version.h"
#include "duet/rpc_plugin.h"
#include "endpoint.h"
#include "json_mp.h"
#include "serve.h"

/* Exit statuses. */
enum { EXIT_REMOTE = 1, EXIT_NO_ANSWER = 2, EXIT_LOCAL = 3 };

/* Whether everything written to stdout went out: flushed, and no write of it failed (a full
 * disk, a closed pipe: SIGPIPE is ignored). errno says why not. */
static bool stdout_written(void)
{
    return fflush(stdout) == 0 && !ferror(stdout);
}

/* The exit status of a verb that only printed on stdout (--help, --version): 0, or
 * EXIT_LOCAL with a sentence when that did not reach stdout. */
static int printed(const char *what)
{
    if (stdout_written())
        return 0;
    fprintf(stderr, "duet-rpc: %s could not be written to stdout: %s\n", what, strerror(errno));
    return EXIT_LOCAL;
}

static uint8_t args_buf[MAX_MESSAGE];
static uint8_t answer_buf[MAX_MESSAGE];

/* A TCP connection that sends nothing for this long is closed (--idle-timeout). */
#define DEFAULT_IDLE_MS 60000u
/* A TCP client whose responses wait unread this long is dropped (--write-timeout). */
#define DEFAULT_WRITE_TIMEOUT_MS 10000u

static serve_config T;

/* ------------------------------------------------------------ help */

static const char usage_text[] =
    "usage: duet-rpc call [--port DEVICE [--baud N] | --tcp HOST:PORT | --exec \"COMMAND\"]\n"
    "                     [--notify] [--timeout MS] [--trace] [--load LIB.so] METHOD [ARG...]\n"
    "       duet-rpc serve [--stdio | --tcp PORT | --port DEVICE [--baud N]]\n"
    "                     [--once] [--idle-timeout MS] [--write-timeout MS]\n"
    "                     [--timeout MS] [--trace] [--load LIB.so ...]\n"
    "       duet-rpc --help\n"
    "       duet-rpc --version\n";

static const char help_text[] =
    "\n"
    "msgpack-RPC over a byte stream (serial port, TCP, a child process's stdin/stdout), in\n"
    "the wire format of rpclib, the Arduino RPC library and MicroPython's msgpackrpc: every\n"
    "message is one MessagePack array ([0, id, method, params], [1, id, error, result],\n"
    "[2, method, params]) with no length prefix. Messages up to 1 MiB each way.\n"
    "\n"
    "An option that takes a value is given once (--load as often as needed).\n"
    "\n"
    "call: sends METHOD(ARG...), waits for the response and prints the result as JSON on\n"
    "stdout. While it waits it answers the other side's calls (the built-ins below).\n"
    "  --port DEVICE     a serial device or pty, set to raw 8N1 at --baud (default 115200)\n"
    "  --tcp HOST:PORT   a TCP connection ([::1]:PORT for IPv6)\n"
    "  --exec \"COMMAND\"  runs COMMAND with /bin/sh; its stdin and stdout are the stream\n"
    "  --notify          sends a notification: no response, nothing printed\n"
    "  --timeout MS      how long to wait for the response (default 5000)\n"
    "  --trace           prints every message that passes on stderr, one line each:\n"
    "                    direction, type, id, method, params or result as JSON (cut\n"
    "                    after 2000 characters)\n"
    "  --load LIB.so     binds a plugin's functions (see serve)\n"
    "  Exit status: 0 the result is on stdout; 1 the remote function failed or is unknown\n"
    "  there (its error text on stderr; as JSON when it is no plain string); 2 no answer:\n"
    "  timed out, link down, or the connection could not be made; 3 a usage or local error\n"
    "  (the result could not be written to stdout included).\n"
    "\n"
    "serve: answers calls. On stdio or a serial port it serves the one stream until the\n"
    "other side closes it (end of input), answers everything still in flight, then exits.\n"
    "Over TCP it serves any number of clients, one after another and at the same time (128\n"
    "at once: it says so on stderr when it reaches that; more wait to be accepted until one\n"
    "ends), in one poll loop (a handler that waits, for call_back or sleep_ms, lets the\n"
    "others run),\n"
    "until SIGINT or SIGTERM; then it serves no more requests (a sleep_ms or call_back\n"
    "still waiting ends with an error) but sends the responses still waiting for a\n"
    "client (a second signal drops them).\n"
    "  --stdio           stdin and stdout are the stream (the default); what plugins print\n"
    "                    on stdout goes to stderr\n"
    "  --tcp PORT        listens on 127.0.0.1:PORT (PORT 0: any free port); prints\n"
    "                    \"duet-rpc: listening on 127.0.0.1:PORT\" on stderr\n"
    "  --once            with --tcp: serves one connection, then exits with its status\n"
    "  --idle-timeout MS with --tcp: closes a connection that sent nothing for MS ms and\n"
    "                    has no call in flight (default 60000; 0: never)\n"
    "  --write-timeout MS with --tcp: drops a client whose responses wait unread for MS\n"
    "                    ms (default 10000; 0: never); until then its requests wait and\n"
    "                    the other clients are served\n"
    "  --port DEVICE     a serial device or pty (--baud N)\n"
    "  --timeout MS      timeout of the calls call_back makes (default 5000)\n"
    "  --trace           prints every message on stderr\n"
    "  --load LIB.so     dlopens LIB.so and calls its int duet_rpc_register(duet_rpc *rpc),\n"
    "                    which binds its functions (duet/rpc_plugin.h); repeatable; a name\n"
    "                    without a directory is a file of the current one, if there is one\n"
    "  Bad input is reported on stderr, never skipped in silence: bytes that are not\n"
    "  MessagePack, a message over the 1 MiB limit (a request gets an error response\n"
    "  naming the limit), a notification that failed.\n"
    "  Exit status: 0 the stream ended between messages and everything was answered; 4 the\n"
    "  input was broken (it ended inside a message, or a message declared a size too large\n"
    "  to skip); 3 a usage or local error; 2 the port could not be opened; 5 responses were\n"
    "  lost: (--once) its client was dropped by --write-timeout with responses unread, or\n"
    "  (stdio, a serial port) they could not be written (a reader gone, EPIPE, is an end: 0).\n"
    "  Built-in functions:\n"
    "    add(a, b)                 a + b, int64 (error if it overflows)\n"
    "    echo(...)                 its params array, as received\n"
    "    sleep_ms(n)               sleeps n ms, returns nil\n"
    "    call_back(method, ...)    calls method(...) on the caller (a nested call on the\n"
    "                              same stream) and returns its result or error\n"
    "    stats()                   the engine's and the link's counters, as a map\n"
    "\n"
    "JSON <-> MessagePack (arguments and results):\n"
    "  null, true, false               nil, bool\n"
    "  123, -5                         int, smallest encoding\n"
    "  {\"$uint\": \"18446744073709551615\"}  an unsigned integer past int64 (a bare big\n"
    "                                  integer argument works too; results print it bare)\n"
    "  1.5, 1e3                        float64 (a float32 result prints as its shortest\n"
    "                                  decimal; a float always prints with a . or an e)\n"
    "  {\"$float\": \"nan\"|\"inf\"|\"-inf\"}  floats JSON has no number for\n"
    "  \"text\"                          str (UTF-8)\n"
    "  {\"$str\": \"<base64>\"}            str whose bytes are not UTF-8\n"
    "  [...]                           array\n"
    "  {\"key\": value, ...}             map with str keys, in the order given\n"
    "  {\"$map\": [[key, value], ...]}   map with keys of any type\n"
    "  {\"$bin\": \"<base64>\"}            bin\n"
    "  {\"$ext\": TYPE, \"data\": \"<base64>\"}  ext of TYPE -128..127 (-1: timestamp)\n"
    "  An ARG that is not valid JSON is sent as a string: `duet-rpc call greet world`.\n"
    "  A number past 64 bits (1e400, an integer past 18446744073709551615) is refused.\n"
    "  Arrays and maps nest at most 30 deep in an argument (32 with the message's own).\n"
    "  Results print the same way; a map prints as {\"$map\": ...} when a key is not a\n"
    "  UTF-8 string, a key repeats or the map would read back as one of the $ forms.\n"
    "\n"
    "examples:\n"
    "  duet-rpc call --port /dev/ttyACM0 add 1 2\n"
    "  duet-rpc call --exec \"duet-rpc serve --stdio\" echo '[1, {\"a\": null}]' '{\"$bin\": \"AAEC\"}'\n"
    "  duet-rpc serve --tcp 5000 --load ./libled.so\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("duet-rpc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    fputs("Try 'duet-rpc --help'.\n", stderr);
    return EXIT_LOCAL;
}

/* ------------------------------------------------------------ set-up */

static int load_plugin(tool_options *t, const char *path)
{
    if (t->plugins == MAX_PLUGINS) {
        fprintf(stderr, "duet-rpc: at most %d --load\n", MAX_PLUGINS);
        return -1;
    }
    /* A name without a directory is dlopen's to look up in the library path; one that is a
     * file here is that file, as for every other file a command line names. */
    char here[4096];
    bool local = !strchr(path, '/') && access(path, F_OK) == 0 &&
                 (size_t)snprintf(here, sizeof here, "./%s", path) < sizeof here;
    void *h = dlopen(local ? here : path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "duet-rpc: --load %s: %s\n", path, dlerror());
        return -1;
    }
    void *sym = dlsym(h, "duet_rpc_register");
    if (!sym) {
        fprintf(stderr, "duet-rpc: --load %s: no function duet_rpc_register in it\n", path);
        return -1;
    }
    register_fn fn;
    memcpy(&fn, &sym, sizeof fn); /* ISO C has no cast from void * to a function pointer */
    t->plugin_path[t->plugins] = path;
    t->plugin_register[t->plugins] = fn;
    t->plugins++;
    return 0;
}

/* ------------------------------------------------------------ options */

/* --name VALUE or --name=VALUE at argv[*i]: the value (and *i moved past it), else NULL. */
static const char *opt(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* The options that take one value: given twice, the second would replace the first in
 * silence, so it is refused. (--load is repeatable; the flags say the same thing twice.) */
static const char *const single_options[] = {"--port",    "--tcp",          "--exec",         "--baud",
                                             "--timeout", "--idle-timeout", "--write-timeout"};
#define SINGLE_OPTIONS (sizeof single_options / sizeof single_options[0])

/* Where each of them was given first: its index in argv, 0 while not given. */
static int single_given_at[SINGLE_OPTIONS];

/* The value of the option at argv[i]: after its '=', else the next argument. */
static const char *value_at(int argc, char **argv, int i)
{
    const char *eq = strchr(argv[i], '=');
    if (eq)
        return eq + 1;
    return i + 1 < argc ? argv[i + 1] : "";
}

/* Whether argv[i] gives a single-value option a second time (then says so: a usage error). */
static bool option_repeated(int argc, char **argv, int i)
{
    size_t len = strcspn(argv[i], "=");
    for (size_t k = 0; k < SINGLE_OPTIONS; k++) {
        if (strlen(single_options[k]) != len || strncmp(argv[i], single_options[k], len) != 0)
            continue;
        if (!single_given_at[k]) {
            single_given_at[k] = i;
            return false;
        }
        char text[400];
        snprintf(text, sizeof text, "%s given twice ('%.150s', then '%.150s'): give it once", single_options[k],
                 value_at(argc, argv, single_given_at[k]), value_at(argc, argv, i));
        usage_error("%s", text);
        return true;
    }
    return false;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v > max)
        return false;
    *out = v;
    return true;
}

/* Options both commands take. @retval 1 taken, 0 not this, -1 error (printed). */
static int common_option(tool_options *t, int argc, char **argv, int *i)
{
    bool missing = false;
    const char *v;
    unsigned long n;
    if (strcmp(argv[*i], "--trace") == 0) {
        t->tracing = true;
        return 1;
    }
    if ((v = opt(argc, argv, i, "--timeout", &missing))) {
        if (!parse_uint(v, UINT32_MAX, &n) || n == 0)
            return usage_error("--timeout: expected milliseconds (1 or more), got '%s'", v), -1;
        t->timeout_ms = (uint32_t)n;
        return 1;
    }
    if ((v = opt(argc, argv, i, "--baud", &missing))) {
        if (!parse_uint(v, 4000000, &n) || n == 0)
            return usage_error("--baud: expected a baud rate (e.g. 115200), got '%s'", v), -1;
        t->baud = (unsigned)n;
        return 1;
    }
    if ((v = opt(argc, argv, i, "--load", &missing)))
        return load_plugin(t, v) == 0 ? 1 : -1;
    if (missing)
        return usage_error("%s needs a value", argv[*i]), -1;
    return 0;
}

/* ------------------------------------------------------------ call */

/* What the call command line says. */
typedef struct call_args {
    const char *port, *tcp, *exec_cmd;
    bool notify;
    const char *method;
    char **args;              /* the method's arguments, nargs of them */
    int nargs;
} call_args;

/* Parses call's options into a. @retval -1 go on, else the exit status (help or usage error). */
static int call_parse(int argc, char **argv, call_args *a)
{
    memset(a, 0, sizeof *a);
    int i = 2;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        bool missing = false;
        const char *v;
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break; /* METHOD: the rest are its arguments, even "-5" */
        if (option_repeated(argc, argv, i))
            return EXIT_LOCAL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            return printed("the help");
        }
        if (strcmp(arg, "--notify") == 0)
            a->notify = true;
        else if ((v = opt(argc, argv, &i, "--port", &missing)))
            a->port = v;
        else if ((v = opt(argc, argv, &i, "--tcp", &missing)))
            a->tcp = v;
        else if ((v = opt(argc, argv, &i, "--exec", &missing)))
            a->exec_cmd = v;
        else if (missing)
            return usage_error("%s needs a value", arg);
        else {
            int c = common_option(&T.tool, argc, argv, &i);
            if (c < 0)
                return EXIT_LOCAL;
            if (c == 0)
                return usage_error("call: unknown option '%s'", arg);
        }
    }
    if (i >= argc)
        return usage_error("call: no METHOD given%s", "");
    if ((a->port != NULL) + (a->tcp != NULL) + (a->exec_cmd != NULL) != 1)
        return usage_error("call: give one of --port, --tcp or --exec%s", "");
    a->method = argv[i++];
    a->args = argv + i;
    a->nargs = argc - i;
    return -1;
}

/* The arguments as MessagePack into aw (before anything is opened). false: said why. */
static bool call_encode(const call_args *a, duet_msgpack_writer *aw)
{
    duet_msgpack_writer_init(aw, args_buf, sizeof args_buf);
    for (int k = 0; k < a->nargs; k++) {
        bool note;
        char why[400] = "";
        json_t *j = jm_parse_arg(a->args[k], &note, why, sizeof why);
        if (!j) {
            fprintf(stderr, "duet-rpc: argument %d: %s\n", k + 1, why);
            return false;
        }
        if (note)
            fprintf(stderr, "duet-rpc: note: argument %d is not valid JSON (%s); sent as a string\n", k + 1, why);
        char err[200];
        bool ok = jm_write_json(aw, j, DUET_MSGPACK_MAX_DEPTH - 2, err, sizeof err);
        json_decref(j);
        if (!ok) {
            fprintf(stderr, "duet-rpc: argument %d: %s\n", k + 1, err);
            return false;
        }
    }
    if (duet_msgpack_writer_error(aw)) {
        fprintf(stderr, "duet-rpc: the arguments do not fit one message (%u bytes at most)\n", MAX_MESSAGE);
        return false;
    }
    return true;
}

/* The process group of the command --exec runs (0: none), for on_call_signal. */
static volatile sig_atomic_t child_group;

/* SIGINT, SIGTERM or SIGHUP while call runs: the command --exec ran has a process group of
 * its own, which the terminal's Ctrl-C does not reach, so it is ended too (it would be left
 * running); then call ends by the signal, as it would without this. */
static void on_call_signal(int sig)
{
    if (child_group > 0)
        kill(-(pid_t)child_group, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The signals on_call_signal catches. */
static const int call_signal_list[] = {SIGINT, SIGTERM, SIGHUP};
#define CALL_SIGNALS (sizeof call_signal_list / sizeof call_signal_list[0])

/* Those signals, in set. */
static void call_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < CALL_SIGNALS; i++)
        sigaddset(set, call_signal_list[i]);
}

static void catch_call_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_call_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < CALL_SIGNALS; i++)
        sigaction(call_signal_list[i], &sa, NULL);
}

/* Opens the stream call talks over. false: said why. */
static bool call_open(const call_args *a, duet_posix_child *child, int *rfd, int *wfd)
{
    if (a->exec_cmd) {
        /* Held back from the fork until their handler knows the command's group: a signal
         * that came in between ended duet-rpc and left the command running (the child
         * starts with none blocked: duet_posix_spawn). */
        sigset_t stops, before;
        call_signals(&stops);
        sigprocmask(SIG_BLOCK, &stops, &before);
        bool spawned = duet_posix_spawn(a->exec_cmd, child) == 0;
        if (spawned) {
            child_group = (sig_atomic_t)child->pid;
            catch_call_signals();
        }
        sigprocmask(SIG_SETMASK, &before, NULL);
        if (!spawned) {
            fprintf(stderr, "duet-rpc: --exec: %s\n", duet_posix_error_text());
            return false;
        }
        *rfd = child->read_fd;
        *wfd = child->write_fd;
        return true;
    }
    unsigned baud = T.tool.baud ? T.tool.baud : 115200;
    *rfd = *wfd = a->port ? duet_posix_open_serial(a->port, baud) : duet_posix_tcp_connect(a->tcp);
    if (*rfd < 0)
        fprintf(stderr, "duet-rpc: %s\n", duet_posix_error_text());
    return *rfd >= 0;
}

/* The error of the response to call's own request as JSON, when the engine's text would not
 * say it: an error that is no str (a map, a number: its text is only its type), or a str
 * that does not print as it is (a NUL would cut it, an escape sequence work the terminal). */
typedef struct error_watch {
    uint32_t msgid;
    bool armed;     /* the request went out: msgid is its id */
    strbuf json;    /* empty: the engine's text says the error */
} error_watch;

/* The endpoint's watch: keeps w's response's error as JSON when it needs to be. */
static void watch_error(void *ctx, const uint8_t *msg, size_t len)
{
    error_watch *w = (error_watch *)ctx;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, msg, len);
    uint32_t n, type;
    duet_msgpack_token t;
    if (!w->armed || !duet_msgpack_read_array(&r, &n) || n != 4 || !duet_msgpack_read_u32(&r, &type) || type != 1 ||
        !duet_msgpack_read_token(&r, &t) || t.type != DUET_MSGPACK_UINT || t.v.u != w->msgid)
        return;
    duet_msgpack_reader e = r;
    if (!duet_msgpack_read_token(&e, &t) || t.type == DUET_MSGPACK_NIL ||
        (t.type == DUET_MSGPACK_STR && jm_plain_text(t.v.bytes.ptr, t.v.bytes.len)))
        return;
    sb_free(&w->json);
    sb_init(&w->json, TRACE_MAX_JSON);
    if (!jm_read_to_json(&r, &w->json) && !w->json.truncated)
        sb_free(&w->json); /* not a whole value: the engine's text it is */
    else if (w->json.truncated)
        sb_printf(&w->json, "...");
}

/* How the command --exec ran ended when the link went down (duet_posix_child_close's status:
 * its exit status, 128 + n for signal n), or -1: not known, or no command. */
static int exec_status = -1;

/* How child ended, if it does by itself within ms (reaped then): its exit status, 128 + n for
 * signal n; else -1, and it is left to duet_posix_child_close. */
static int ended_status(duet_posix_child *child, uint32_t ms)
{
    for (uint32_t waited = 0; child->pid > 0; waited += 10) {
        int st;
        pid_t r = waitpid(child->pid, &st, WNOHANG);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == child->pid) {
            child->pid = -1; /* reaped: duet_posix_child_close only closes its pipes */
            return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
        }
        if (r < 0 || waited >= ms)
            break;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* Prints the outcome of the call (the result as JSON on stdout, or why not); the exit status. */
static int call_outcome(const call_args *a, endpoint *ep, error_watch *ew, int err, size_t len)
{
    duet_rpc *rpc = &ep->rpc;
    switch (err) {
    case DUET_OK: {
        if (a->notify)
            return 0;
        strbuf out;
        sb_init(&out, 0);
        bool ok = jm_value_to_json(answer_buf, len, &out);
        int status = ok ? 0 : EXIT_LOCAL;
        if (ok) {
            sb_add(&out, "\n");
            fwrite(sb_str(&out), 1, out.len, stdout);
            if (!stdout_written()) {
                fprintf(stderr, "duet-rpc: %s: the result (%zu bytes of JSON) could not be written to stdout: %s\n",
                        a->method, out.len, strerror(errno));
                status = EXIT_LOCAL;
            }
        } else {
            fprintf(stderr, "duet-rpc: %s: the result is no valid MessagePack value\n", a->method);
        }
        sb_free(&out);
        return status;
    }
    case DUET_ERR_REMOTE:
        fprintf(stderr, "duet-rpc: remote error: %s\n", ew->json.len ? sb_str(&ew->json) : duet_rpc_error_text(rpc));
        return EXIT_REMOTE;
    case DUET_ERR_TIMEOUT:
        fprintf(stderr, "duet-rpc: %s: timed out: no response within %" PRIu32 " ms\n", a->method, T.tool.timeout_ms);
        return EXIT_NO_ANSWER;
    case DUET_ERR_LINK_DOWN: {
        char ended[128] = "";
        if (exec_status > 128 && exec_status < 128 + NSIG)
            snprintf(ended, sizeof ended, " (the command ended with status %d: signal %d, %s)", exec_status,
                     exec_status - 128, strsignal(exec_status - 128));
        else if (exec_status >= 0)
            snprintf(ended, sizeof ended, " (the command exited with status %d)", exec_status);
        fprintf(stderr, "duet-rpc: %s: link down: the other side closed the stream%s%s%s%s\n", a->method,
                a->notify ? "" : " before answering", ep->fd.last_errno ? ": " : "",
                ep->fd.last_errno ? strerror(ep->fd.last_errno) : "", ended);
        return EXIT_NO_ANSWER;
    }
    case DUET_ERR_TOO_LARGE: /* the arguments fit, the request with its head did not */
        fprintf(stderr, "duet-rpc: %s: the request does not fit one message (%u bytes at most)\n", a->method,
                MAX_MESSAGE);
        return EXIT_LOCAL;
    default:
        fprintf(stderr, "duet-rpc: %s: %s\n", a->method, duet_rpc_error_text(rpc));
        return EXIT_LOCAL;
    }
}

/* Sends the request (or notification) and waits for its response. */
static int call_send(const call_args *a, endpoint *ep, const duet_msgpack_writer *aw, error_watch *ew, size_t *len)
{
    duet_rpc *rpc = &ep->rpc;
    duet_future f;
    duet_msgpack_writer *w = a->notify ? duet_rpc_begin_notify(rpc, a->method) : duet_rpc_begin_call(rpc, &f, a->method);
    if (!w)
        return duet_rpc_link_error(rpc) ? duet_rpc_link_error(rpc) : DUET_ERR_STATE;
    ew->armed = !a->notify;
    ew->msgid = ew->armed ? f.msgid : 0;
    duet_msgpack_write_array(w, (uint32_t)a->nargs);
    duet_msgpack_write_raw(w, args_buf, duet_msgpack_writer_size(aw));
    int err = duet_rpc_end(rpc, w);
    if (!err && !a->notify)
        err = duet_future_wait_raw(rpc, &f, T.tool.timeout_ms, answer_buf, sizeof answer_buf, len);
    return err;
}

static int cmd_call(int argc, char **argv)
{
    static endpoint ep;
    call_args a;
    int status = call_parse(argc, argv, &a);
    if (status >= 0)
        return status;
    duet_msgpack_writer aw;
    if (!call_encode(&a, &aw))
        return EXIT_LOCAL;
    duet_posix_child child = {-1, -1, -1};
    int rfd, wfd;
    if (!call_open(&a, &child, &rfd, &wfd))
        return EXIT_NO_ANSWER;
    status = EXIT_LOCAL;
    if (endpoint_open(&ep, &T.tool, rfd, wfd, "duet-rpc call", NULL) == 0) {
        error_watch ew = {0, false, {NULL, 0, 0, 0, false}};
        endpoint_watch(&ep, watch_error, &ew);
        size_t len = 0;
        int err = call_send(&a, &ep, &aw, &ew, &len);
        /* The command closed the stream: it has ended, or ends now (its pipes closed), and
         * how is the likeliest why (not found, a crash). */
        if (err == DUET_ERR_LINK_DOWN && a.exec_cmd)
            exec_status = ended_status(&child, 500);
        status = call_outcome(&a, &ep, &ew, err, len);
        sb_free(&ew.json);
        endpoint_free(&ep);
    }
    if (a.exec_cmd) {
        duet_posix_child_close(&child, 1000);
        child_group = 0; /* reaped: its group id may be another's now */
    } else {
        close(rfd);
    }
    return status;
}

/* ------------------------------------------------------------ serve */

/* What the serve command line says about the stream (the rest goes into T). */
typedef struct serve_args {
    const char *port, *tcp;
    bool stdio;
} serve_args;

/* Parses serve's options. @retval -1 go on, else the exit status (help or usage error). */
static int serve_parse(int argc, char **argv, serve_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool missing = false;
        const char *v;
        unsigned long ms;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            return printed("the help");
        }
        if (option_repeated(argc, argv, i))
            return EXIT_LOCAL;
        if (strcmp(arg, "--stdio") == 0)
            a->stdio = true;
        else if (strcmp(arg, "--once") == 0)
            T.once = true;
        else if ((v = opt(argc, argv, &i, "--port", &missing)))
            a->port = v;
        else if ((v = opt(argc, argv, &i, "--tcp", &missing)))
            a->tcp = v;
        else if ((v = opt(argc, argv, &i, "--idle-timeout", &missing))) {
            if (!parse_uint(v, UINT32_MAX, &ms))
                return usage_error("--idle-timeout: expected milliseconds (0: never), got '%s'", v);
            T.idle_ms = (uint32_t)ms;
        } else if ((v = opt(argc, argv, &i, "--write-timeout", &missing))) {
            if (!parse_uint(v, UINT32_MAX, &ms))
                return usage_error("--write-timeout: expected milliseconds (0: never), got '%s'", v);
            T.write_timeout_ms = (uint32_t)ms;
        } else if (missing) {
            return usage_error("%s needs a value", arg);
        } else {
            int c = common_option(&T.tool, argc, argv, &i);
            if (c < 0)
                return EXIT_LOCAL;
            if (c == 0)
                return usage_error("serve: unexpected '%s'", arg);
        }
    }
    if (a->stdio + (a->port != NULL) + (a->tcp != NULL) > 1)
        return usage_error("serve: give one of --stdio, --tcp or --port%s", "");
    if (T.once && !a->tcp)
        return usage_error("serve: --once is for --tcp (stdio and --port serve one stream anyway)%s", "");
    return -1;
}

/* What plugins print on stdout goes out unbuffered, as stderr does, whatever the stream
 * (with --stdio stdout is stderr then): else (stdout is a pipe or a file) it would wait for
 * 4 KiB or the exit, out of order with the server's own lines. */
static void unbuffer_plugin_output(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

static int cmd_serve(int argc, char **argv)
{
    serve_args a;
    int status = serve_parse(argc, argv, &a);
    if (status >= 0)
        return status;
    unbuffer_plugin_output();
    if (a.tcp) {
        unsigned long n;
        if (!parse_uint(a.tcp, 65535, &n))
            return usage_error("serve --tcp: expected a port number, got '%s'", a.tcp);
        uint16_t bound = 0;
        int lfd = duet_posix_tcp_listen((uint16_t)n, &bound);
        if (lfd < 0 && errno == EADDRINUSE) {
            fprintf(stderr,
                    "duet-rpc serve: --tcp %s: cannot listen there (%s): another program listens on that port; "
                    "give another port, or 0 for any free one\n",
                    a.tcp, strerror(EADDRINUSE));
            return EXIT_NO_ANSWER;
        }
        if (lfd < 0) {
            fprintf(stderr, "duet-rpc: %s\n", duet_posix_error_text());
            return EXIT_NO_ANSWER;
        }
        fprintf(stderr, "duet-rpc: listening on 127.0.0.1:%u\n", (unsigned)bound);
        fflush(stderr);
        return serve_tcp(&T, lfd);
    }
    int rfd, wfd;
    if (a.port) {
        rfd = wfd = duet_posix_open_serial(a.port, T.tool.baud ? T.tool.baud : 115200);
        if (rfd < 0) {
            fprintf(stderr, "duet-rpc: %s\n", duet_posix_error_text());
            return EXIT_NO_ANSWER;
        }
    } else {
        /* The stream keeps its own copy of stdout; stdout itself goes to stderr, so that
         * a plugin's printf cannot corrupt the stream. */
        rfd = 0;
        wfd = dup(1);
        if (wfd < 0 || dup2(2, 1) < 0) {
            perror("duet-rpc: dup");
            return EXIT_LOCAL;
        }
    }
    return serve_stream(&T, rfd, wfd);
}

int main(int argc, char **argv)
{
    duet_posix_ignore_sigpipe();
    T.tool.timeout_ms = DUET_RPC_DEFAULT_TIMEOUT_MS;
    T.idle_ms = DEFAULT_IDLE_MS;
    T.write_timeout_ms = DEFAULT_WRITE_TIMEOUT_MS;
    if (argc < 2)
        return usage_error("no command given%s", "");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        fputs(help_text, stdout);
        return printed("the help");
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("duet-rpc %s\n", duet_version_string());
        return printed("the version");
    }
    if (strcmp(cmd, "call") == 0) {
        return cmd_call(argc, argv);
    }
    if (strcmp(cmd, "serve") == 0) {
        return cmd_serve(argc, argv);
    }
    return usage_error("unknown command '%s' (call or serve)", cmd);
}
