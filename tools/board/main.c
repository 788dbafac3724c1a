/* main.c - duet-board: build, upload and run programs for the GIGA R1's two cores, on the
 * emulated board (--target posix, the default) or another target. Parses the command line
 * once and hands it to the target's verb (target.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "board_util.h"
#include "duet/version.h"
#include "sketch_posix.h"
#include "target.h"

static const char usage_text[] =
    "usage: duet-board VERB [--target NAME] [options]\n"
    "       duet-board --version\n"
    "\n"
    "  build  --core m7|m4 [-o IMAGE] [-IDIR] [-DNAME] SOURCE...\n"
    "                                             build a program (setup()/loop() or main()) for one core\n"
    "  upload --core m7|m4 [--split S] IMAGE      write it into the board's flash (kept between runs);\n"
    "                                             the M7's may be a Python script, SCRIPT.py\n"
    "  run    [--seconds N] [--m7 IMAGE [--m4 IMAGE] [--split S]]\n"
    "         [--log FILE | --quiet] [--vcd FILE] [--trace] [--analog A0=512|A0=sine:0:1023:1Hz]...\n"
    "         [--web [HOST:]PORT]\n"
    "                                             power the board: the M7 runs, its duet_begin() boots the M4\n"
    "  reset                                      power-on reset (the flash stays); on a board that run\n"
    "                                             runs, its reset button: both cores start again\n"
    "  status                                     what is uploaded where, with sizes\n"
    "\n"
    "  --board DIR    the board directory (default: $DUET_BOARD_HOME/TARGET, $XDG_STATE_HOME/duet-board/TARGET\n"
    "                 or ~/.local/state/duet-board/TARGET);\n"
    "                 not used by run --m7 IMAGE, which runs on a one-shot board of its own\n"
    "  --split S      the flash split: 100_0, 75_25 or 50_50 (arduino-cli's names); upload's default: the\n"
    "                 split of the M7's program already there, else 50_50 (75_25 for a script)\n"
    "  --web [HOST:]PORT  serve the board's page for a browser there (HOST 127.0.0.1 unless given; PORT 0:\n"
    "                 any free one); run then goes on until Ctrl-C or --seconds (docs/web.md)\n"
    "  -o, --output IMAGE  what build writes (default: the first source's name + _m7 or _m4; for .ino\n"
    "                 tabs, the main tab's: the one named after its folder, Blink/Blink.ino)\n"
    "  -q, --quiet    no event log (run)\n"
    "  -v, --verbose  print the commands duet-board runs\n"
    "\n"
    "A sketch's .ino tabs, given together (build --core m7 Blink/*.ino) or as its folder (build\n"
    "--core m7 Blink: its .ino, .cpp, .c and .S files, and those anywhere under its src/\n"
    "subfolder), are joined into one, as the Arduino IDE joins them: the main tab first,\n"
    "then the others by name.\n"
    "stdout is the Serial Monitor (the M7's USB Serial); the event log goes to stderr.\n";

static void print_usage(FILE *out)
{
    fputs(usage_text, out);
    fputs("\ntargets:\n", out);
    for (int i = 0; board_targets[i]; i++)
        fprintf(out, "  %-8s %s%s\n", board_targets[i]->name, board_targets[i]->summary, i == 0 ? " (default)" : "");
}

/* The value of an option that takes one; NULL (after saying so) if it is missing. */
static const char *value_of(board_args *a, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        board_usage_fail(a, "%s needs a value (duet-board --help lists the options)", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Parses argv into *a; returns 0, or the exit status of a wrong command line. */
static int parse(board_args *a, int argc, char **argv, const char **files, const char **analog, const char **cflags)
{
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--target") == 0)
            slot = &a->target;
        else if (strcmp(o, "--board") == 0)
            slot = &a->board_dir;
        else if (strcmp(o, "--core") == 0)
            slot = &a->core;
        else if (strcmp(o, "--split") == 0)
            slot = &a->split;
        else if (strcmp(o, "-o") == 0 || strcmp(o, "--output") == 0)
            slot = &a->output;
        else if (strcmp(o, "--m7") == 0)
            slot = &a->m7_image;
        else if (strcmp(o, "--m4") == 0)
            slot = &a->m4_image;
        else if (strcmp(o, "--log") == 0)
            slot = &a->log_file;
        else if (strcmp(o, "--vcd") == 0)
            slot = &a->vcd_file;
        else if (strcmp(o, "--web") == 0)
            slot = &a->web;
        if (slot) {
            if (!(*slot = value_of(a, argc, argv, &i)))
                return 2;
        } else if (strcmp(o, "--seconds") == 0) {
            const char *v = value_of(a, argc, argv, &i);
            if (!v)
                return 2;
            if (!board_decimal(v, &a->seconds) || !(a->seconds > 0) || a->seconds > 1e6)
                return board_usage_fail(a, "--seconds %s: give a decimal number of seconds above 0 and at most "
                                           "1000000 (11.6 days), e.g. --seconds 5", v);
        } else if (strcmp(o, "--analog") == 0) {
            const char *v = value_of(a, argc, argv, &i);
            if (!v)
                return 2;
            analog[a->analog_count++] = v;
        } else if ((o[0] == '-' && (o[1] == 'I' || o[1] == 'D')) && o[2]) {
            cflags[a->cflag_count++] = o;
        } else if (strcmp(o, "--trace") == 0) {
            a->trace = true;
        } else if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
            a->quiet = true;
        } else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0) {
            a->verbose = true;
        } else if (o[0] == '-' && o[1]) {
            return board_usage_fail(a, "unknown option %s (duet-board --help lists the options)", o);
        } else {
            files[a->file_count++] = o;
        }
    }
    return 0;
}

/* Checks what each verb needs; returns 0 or the exit status. */
static int check(const board_args *a)
{
    bool build = strcmp(a->verb, "build") == 0, upload = strcmp(a->verb, "upload") == 0;
    bool run = strcmp(a->verb, "run") == 0;
    if ((build || upload) && !a->core)
        return board_usage_fail(a, "say which core with --core m7 or --core m4");
    if (a->core && strcmp(a->core, "m7") != 0 && strcmp(a->core, "m4") != 0)
        return board_usage_fail(a, "--core %s: the GIGA R1's cores are m7 and m4", a->core);
    if (a->split && !board_split_find(a->split))
        return board_usage_fail(a, "--split %s: the flash splits are %s", a->split, board_split_names());
    if (build && a->file_count == 0)
        return board_usage_fail(a, "give the program's source files, e.g. duet-board build --core m7 blink.c");
    if (upload && a->file_count != 1)
        return board_usage_fail(a, "give one image to upload, e.g. duet-board upload --core m4 blink_m4");
    if (!build && !upload && a->file_count)
        return board_usage_fail(a, "%s takes no file arguments (%s)%s", a->verb, a->files[0],
                                run ? ": give images with --m7 IMAGE --m4 IMAGE" : "");
    if (!run && (a->m7_image || a->m4_image || a->seconds > 0 || a->log_file || a->vcd_file || a->trace ||
                 a->analog_count || a->web || a->quiet))
        return board_usage_fail(a, "--m7, --m4, --seconds, --log, --quiet, --vcd, --trace, --analog and --web "
                                   "are options of run");
    if (run && a->m4_image && !a->m7_image)
        return board_usage_fail(a, "--m4 needs --m7 too: the M7 boots the M4");
    if (run && a->split && !a->m7_image)
        return board_usage_fail(a, "--split with run goes with --m7/--m4 (a one-shot board); to change the "
                                   "split of the board, upload again with --split");
    if (!build && (a->output || a->cflag_count))
        return board_usage_fail(a, "-o, -I and -D are options of build");
    if (a->log_file && a->quiet)
        return board_usage_fail(a, "--log and --quiet contradict each other: give one");
    return 0;
}

/* Whether the file at path begins as an ELF file does. */
static bool is_elf(const char *path)
{
    char magic[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == sizeof magic && memcmp(magic, "\x7f" "ELF", 4) == 0;
}

/* build of C (no sketch among the files, which sketch_posix.c and sketch_cross.c check): each
 * file one the compiler takes by its extension, or one that is not there (the target says so).
 * A text file went to the linker as a linker script, a built program as an object, with the
 * linker's puzzling messages. Returns 0 or the exit status. */
static int check_c_sources(const board_args *a)
{
    static const char *const taken[] = {".c", ".S", ".s", ".o", ".a", ".so"};
    if (strcmp(a->verb, "build") != 0 || sketch_sources(a))
        return 0;
    for (int i = 0; i < a->file_count; i++) {
        const char *f = a->files[i], *e = sketch_extension(f);
        bool ok = access(f, F_OK) != 0;
        for (size_t k = 0; k < sizeof taken / sizeof taken[0] && !ok; k++)
            ok = strcmp(e, taken[k]) == 0;
        if (ok)
            continue;
        if (is_elf(f))
            return board_usage_fail(a, "%s is a program built already, not a source: give build the program's "
                                       "source files, or run it with duet-board run", f);
        return board_usage_fail(a, "%s: not a file build takes: give C sources (.c), assembly (.S, .s), objects "
                                   "and libraries (.o, .a, .so), or an Arduino sketch (.ino, .cpp)", f);
    }
    return 0;
}

/* build -o IMAGE where IMAGE is one of the sources (the same file by any path): the link would
 * write the program over it. Returns 0 or the exit status. */
static int check_output(const board_args *a)
{
    struct stat out, src;
    if (strcmp(a->verb, "build") != 0 || !a->output || stat(a->output, &out) != 0)
        return 0;
    for (int i = 0; i < a->file_count; i++)
        if (stat(a->files[i], &src) == 0 && src.st_dev == out.st_dev && src.st_ino == out.st_ino)
            return board_usage_fail(a, "-o %s is one of the sources: give the program another name, or leave -o "
                                       "out (the image is then named after the first source)", a->output);
    return 0;
}

/* build: headers among the files (a sketch's .h tab, all of Blink given) are compiled where
 * the sources include them, not on their own: they are taken out of the list. Returns 0 or
 * the exit status. */
static int drop_headers(board_args *a)
{
    static const char *const headers[] = {".h", ".hh", ".hpp", ".hxx"};
    if (strcmp(a->verb, "build") != 0)
        return 0;
    const char **kept = malloc(sizeof *kept * (size_t)a->file_count);
    if (!kept)
        return board_fail(a, "out of memory");
    int n = 0;
    for (int i = 0; i < a->file_count; i++) {
        bool header = false;
        for (size_t k = 0; k < sizeof headers / sizeof headers[0] && !header; k++)
            header = strcmp(sketch_extension(a->files[i]), headers[k]) == 0;
        if (!header)
            kept[n++] = a->files[i];
    }
    if (n == 0) {
        free(kept);
        return board_usage_fail(a, "%s is a header: give build the sources that include it", a->files[0]);
    }
    a->files = kept; /* the process's to the end, as the folder's list */
    a->file_count = n;
    return 0;
}

/* build of a sketch folder (its only file argument): its sources in its place. Returns 0 or
 * the exit status. */
static int expand_folder(board_args *a)
{
    struct stat st;
    bool folder = false;
    for (int i = 0; i < a->file_count && strcmp(a->verb, "build") == 0; i++)
        if (stat(a->files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (a->file_count > 1)
                return board_usage_fail(a, "%s is a folder: give a sketch folder alone, or its files", a->files[i]);
            folder = true;
        }
    if (!folder)
        return 0;
    const char **files = NULL;
    int count = 0, rc = sketch_folder_sources(a, a->files[0], &files, &count);
    if (rc == 0) {
        a->files = files;
        a->file_count = count;
    }
    return rc;
}

/* An option where the verb goes (duet-board --target an521 build ...): says that the verb comes
 * first, with the command as it should be when a verb follows the options. Returns 2. */
static int options_first(const board_args *a, int argc, char **argv, const char *const *verbs, size_t verb_count)
{
    int at = 0;
    for (int i = 2; i < argc && !at; i++)
        for (size_t k = 0; k < verb_count && !at; k++)
            at = strcmp(argv[i], verbs[k]) == 0 ? i : 0;
    if (!at)
        return board_usage_fail(a, "the verb comes first, then the options: duet-board VERB [--target NAME] "
                                   "[options], VERB one of build, upload, run, reset or status (duet-board --help)");
    char example[256];
    int n = snprintf(example, sizeof example, "duet-board %s", argv[at]);
    for (int i = 1; i < at && n > 0 && (size_t)n < sizeof example; i++)
        n += snprintf(example + n, sizeof example - (size_t)n, " %s", argv[i]);
    return board_usage_fail(a, "the verb comes first, then the options: duet-board VERB [--target NAME] [options], "
                               "e.g. %s (duet-board --help)", example);
}

/* args: argv with each --NAME=VALUE after the verb as --NAME and VALUE (the '=' ends the
 * option's name in its own string); args has room for 2 * argc. Returns their count. */
static int split_equals(int argc, char **argv, char **args)
{
    int count = 0;
    for (int i = 0; i < argc; i++) {
        char *eq = i >= 2 && strncmp(argv[i], "--", 2) == 0 ? strchr(argv[i], '=') : NULL;
        args[count++] = argv[i];
        if (eq) {
            *eq = '\0';
            args[count++] = eq + 1;
        }
    }
    return count;
}

static int board_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("duet-board %s\n", duet_version_string());
        return 0;
    }
    const char *files[2 * argc];
    const char *analog[2 * argc];
    const char *cflags[2 * argc];
    board_args a = {.verb = argv[1], .target = board_targets[0]->name, .files = files, .analog = analog,
                    .cflags = cflags};
    static const char *const verbs[] = {"build", "upload", "run", "reset", "status"};
    bool known = false;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        known = known || strcmp(a.verb, verbs[i]) == 0;
    if (!known) {
        a.verb = NULL;
        if (argv[1][0] == '-')
            return options_first(&a, argc, argv, verbs, sizeof verbs / sizeof verbs[0]);
        return board_usage_fail(&a, "unknown verb '%s': build, upload, run, reset or status (duet-board --help)",
                                argv[1]);
    }
    char *args[2 * argc];
    int rc = parse(&a, split_equals(argc, argv, args), args, files, analog, cflags);
    if (rc)
        return rc;
    const board_target *t = board_target_find(a.target);
    if (!t) {
        char names[256] = "";
        for (int i = 0; board_targets[i]; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", board_targets[i]->name);
        return board_usage_fail(&a, "--target %s: no such target (there are: %s)", a.target, names);
    }
    rc = check(&a);
    if (rc == 0)
        rc = expand_folder(&a);
    if (rc == 0)
        rc = check_output(&a);
    if (rc == 0)
        rc = drop_headers(&a);
    if (rc == 0)
        rc = check_c_sources(&a);
    if (rc)
        return rc;
    int (*verb)(const board_args *) = strcmp(a.verb, "build") == 0    ? t->build
                                      : strcmp(a.verb, "upload") == 0 ? t->upload
                                      : strcmp(a.verb, "run") == 0    ? t->run
                                      : strcmp(a.verb, "reset") == 0  ? t->reset
                                                                      : t->status;
    if (!verb)
        return board_usage_fail(&a, "target %s has no %s%s%s", t->name, a.verb, t->instead ? ": " : "",
                                t->instead ? t->instead : "");
    return verb(&a);
}

int main(int argc, char **argv)
{
    /* Buffered, unlike the port's programs (ports/posix/board.c makes C's stdout unbuffered
     * in all that link it, this tool too): what status and --help print goes out at the end,
     * whose failure below then says why, not a later call's errno. */
    static char out[65536]; /* a buffer of its own: glibc keeps its 1-byte one after _IONBF */
    setvbuf(stdout, out, _IOFBF, sizeof out);
    int rc = board_main(argc, argv);
    /* What went to stdout (status, --help, --version) and could not be written there (a
     * full disk, a closed pipe) is a failure, said as one: it exited 0 with nothing printed. */
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    int e = errno;
    const char *verb = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    fprintf(stderr, "duet-board%s%s: what it printed could not be written to stdout: %s\n", verb ? " " : "",
            verb ? verb : "", strerror(e));
    return rc ? rc : 1;
}
