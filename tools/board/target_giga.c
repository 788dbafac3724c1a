/* target_giga.c - duet-board's giga target: programs for the Arduino GIGA R1 itself.
 * build cross-compiles duet (core, ports/cortex_m, ports/stm32h747) and the program for one
 * core with arm-none-eabi-gcc and links it for a flash split (docs/giga.md); upload writes an
 * image to a board in bootloader mode with dfu-util, as the Arduino IDE does. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_paths.h"
#include "board_util.h"
#include "build_cache.h"
#include "sketch_cross.h"
#include "sketch_posix.h"
#include "target.h"

/* The repository, and duet's sources for the GIGA R1 (every file of the core, ports/cortex_m
 * and ports/stm32h747, separated by ';'): written at configure time by giga.cmake's
 * duet_giga_configure(duet-board). Until tools/board/CMakeLists.txt calls it, this file
 * compiles to nothing and targets.c does not list the target. */
#if __has_include("giga_sources.h")
#include "giga_sources.h"

#include "duet/giga.h"

#ifndef DUET_SOURCE_DIR
#error "DUET_SOURCE_DIR must name the duet source tree"
#endif
#ifndef DUET_GENERATED_INCLUDE
#error "DUET_GENERATED_INCLUDE must name the generated headers (duet/version.h)"
#endif
#ifndef DUET_GIGA_SOURCES
#error "DUET_GIGA_SOURCES must list duet's sources for the GIGA R1"
#endif
#ifndef DUET_GIGA_NO_LTO_SOURCES
#error "DUET_GIGA_NO_LTO_SOURCES must list the sources compiled without link-time optimisation"
#endif
#ifndef DUET_CORTEX_M_STDIO_WRAP
#error "DUET_CORTEX_M_STDIO_WRAP must be the linker option of C's printf and scanf families (ports/cortex_m/cortex_m.cmake)"
#endif

#define CROSS "arm-none-eabi-"
#define MAX_ARGS 512
#define PATH_CAP 4096

/* The bootloader's USB id in DFU mode (Arduino's boards.txt: giga.upload). */
#define GIGA_DFU_DEVICE "0x2341:0x0366"

static const char *const cpu_flags[2][4] = {
    {"-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"},
    {"-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"},
};

/* -flto: the program and duet are optimised together when linked (the small functions each
 * layer calls in the one below are inlined across files), which makes a firmware ~1 KiB
 * smaller (docs/giga.md); the library is archived by gcc-ar, whose index names what the
 * intermediate code defines. C is GNU C11, as on every other target (and in a sketch's .c
 * files): newlib then declares POSIX's and BSD's functions (usleep, strdup) beside C's. */
static const char *const c_flags[] = {
    "-std=gnu11", "-Os", "-g", "-flto", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections",
};

/* Where duet's sources and headers are: the source tree duet-board was built from, or the
 * copy an install keeps (board_paths.h: giga_root, the headers in the install's include). */
typedef struct giga_tree {
    const char *root;       /* src/, ports/cortex_m/, ports/stm32h747/ below it */
    const char *include[5]; /* the header directories as -I options (NULL after the last) */
} giga_tree;

static giga_tree tree;

/* Fills tree; 0, or 1 after saying that the sources are missing. */
static int find_tree(const board_args *args)
{
    const board_paths *p = board_paths_find(args);
    if (!p)
        return 1;
    if (!p->installed) {
        tree = (giga_tree){DUET_SOURCE_DIR,
                           {"-I" DUET_SOURCE_DIR "/include", "-I" DUET_GENERATED_INCLUDE,
                            "-I" DUET_SOURCE_DIR "/ports/cortex_m/include",
                            "-I" DUET_SOURCE_DIR "/ports/stm32h747/include"}};
        return 0;
    }
    if (!p->giga_root)
        return board_fail(args, "this install of duet has no sources for the GIGA R1 (share/duet/giga): install "
                                "duet again (make install PREFIX=...)");
    static char include[PATH_CAP];
    snprintf(include, sizeof include, "-I%s", p->include);
    tree = (giga_tree){p->giga_root, {include}};
    return 0;
}

/* An argument vector that grows one string at a time; strings are copied. */
typedef struct argv_buf {
    char *v[MAX_ARGS + 1];
    int n;
    bool full;          /* an argument was left out: */
    bool out_of_memory; /* ... as no copy of it could be made (else MAX_ARGS were there) */
} argv_buf;

static void arg(argv_buf *a, const char *s)
{
    if (a->n >= MAX_ARGS || !(a->v[a->n] = strdup(s))) {
        a->out_of_memory |= a->n < MAX_ARGS;
        a->full = true;
        return;
    }
    a->n++;
    a->v[a->n] = NULL;
}

static void arg_fmt(argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void arg_fmt(argv_buf *a, const char *fmt, ...)
{
    char buf[PATH_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    arg(a, buf);
}

static void args_free(argv_buf *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
    a->full = a->out_of_memory = false;
}

static void common_flags(argv_buf *a, int core)
{
    for (size_t i = 0; i < 4; i++)
        arg(a, cpu_flags[core][i]);
    /* the core a program is built for, as Arduino's GIGA core says it: duet then links only
     * that core's RPMsg role (duet/config.h, DUET_RPMSG_ROLES) */
    arg(a, core == 0 ? "-DCORE_CM7" : "-DCORE_CM4");
    for (size_t i = 0; i < sizeof c_flags / sizeof c_flags[0]; i++)
        arg(a, c_flags[i]);
    for (size_t i = 0; tree.include[i]; i++)
        arg(a, tree.include[i]);
}

/* Runs a and frees it; a failure is reported with what the command was for. sketch_link: a is
 * the link of a sketch (sketch_cross_link: a note when the sketch left sources out). */
static int run(const board_args *args, argv_buf *a, const char *what, bool sketch_link)
{
    if (a->full) {
        bool memory = a->out_of_memory;
        args_free(a);
        if (memory)
            return board_fail(args, "%s: out of memory", what);
        return board_fail(args, "%s: too many files for one command (at most %d)", what, MAX_ARGS);
    }
    int rc = sketch_link ? sketch_cross_link(args, a->v) : board_run_command(a->v, args->verbose);
    char tool[PATH_CAP];
    snprintf(tool, sizeof tool, "%s", a->v[0]);
    args_free(a);
    if (rc == 127)
        return board_fail(args, "%s: cannot run %s (install the cross compiler: scripts/deps.sh size, "
                                "or apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)",
                          what, tool);
    if (rc != 0)
        return board_fail(args, "%s failed (%s's messages above)", what, tool);
    return 0;
}

/* The ELF path and the .bin path next to it (IMAGE.elf -> IMAGE.bin, IMAGE -> IMAGE.bin).
 * Returns false if a path does not fit PATH_CAP. */
static bool image_paths(const board_args *args, char *elf, char *bin)
{
    int n;
    if (args->output) {
        n = snprintf(elf, PATH_CAP, "%s", args->output);
    } else {
        const char *source = sketch_output_source(args), *base = strrchr(source, '/');
        base = base ? base + 1 : source;
        const char *dot = strrchr(base, '.');
        int len = dot ? (int)(dot - base) : (int)strlen(base);
        n = snprintf(elf, PATH_CAP, "%.*s_%s.elf", len, base, args->core);
    }
    if (n < 0 || n >= PATH_CAP)
        return false;
    if (n > 4 && strcmp(elf + n - 4, ".elf") == 0)
        n = snprintf(bin, PATH_CAP, "%.*s.bin", n - 4, elf);
    else
        n = snprintf(bin, PATH_CAP, "%s.bin", elf);
    return n >= 0 && n < PATH_CAP;
}

/* Compiles duet's sources for one core into dir/libduet_giga.a: an archive, so that the
 * port's main() for setup()/loop() programs and the timers' handlers are only linked when
 * the program needs them. */
static int build_library_now(const board_args *args, int core, const char *dir);

/* Whether src (a path of DUET_GIGA_SOURCES) is one of DUET_GIGA_NO_LTO_SOURCES: newlib's
 * system calls stay machine code (ports/cortex_m/cortex_m.cmake), as newlib calls them and
 * the linker finds them only after the link-time optimiser has run. */
static bool compiled_without_lto(const char *src)
{
    static const char list[] = DUET_GIGA_NO_LTO_SOURCES;
    size_t n = strlen(src);
    for (const char *p = list; (p = strstr(p, src)) != NULL; p += n)
        if ((p == list || p[-1] == ';') && (p[n] == ';' || p[n] == '\0'))
            return true;
    return false;
}

/* build_library_now, or the library from duet-board's cache (build_cache.h) when it holds one
 * built for this core from the same files. */
static int build_library(const board_args *args, int core, const char *dir)
{
    /* The files it is built from: the sources' directories and the headers'. */
    char dirs[3][PATH_CAP];
    const char *sources[3 + 5] = {dirs[0], dirs[1], dirs[2]};
    snprintf(dirs[0], sizeof dirs[0], "%s/src", tree.root);
    snprintf(dirs[1], sizeof dirs[1], "%s/ports/cortex_m", tree.root);
    snprintf(dirs[2], sizeof dirs[2], "%s/ports/stm32h747", tree.root);
    for (int i = 0; tree.include[i]; i++)
        sources[3 + i] = tree.include[i] + 2; /* after "-I" */
    char key[sizeof DUET_GIGA_SOURCES + 4096], lib[PATH_CAP];
    size_t len = (size_t)snprintf(key, sizeof key, "giga %s %s %s %s %s", cpu_flags[core][0], cpu_flags[core][3],
                                  core == 0 ? "-DCORE_CM7" : "-DCORE_CM4", tree.root, DUET_GIGA_SOURCES);
    for (size_t i = 0; i < sizeof c_flags / sizeof c_flags[0] && len < sizeof key; i++)
        len += (size_t)snprintf(key + len, sizeof key - len, " %s", c_flags[i]);
    for (size_t i = 0; tree.include[i] && len < sizeof key; i++)
        len += (size_t)snprintf(key + len, sizeof key - len, " %s", tree.include[i]);
    if (len < sizeof key)
        len += (size_t)snprintf(key + len, sizeof key - len, " -fno-lto:%s", DUET_GIGA_NO_LTO_SOURCES);
    snprintf(lib, sizeof lib, "%s/libduet_giga.a", dir);
    if (build_cache_get(key, sources, lib))
        return 0;
    int rc = build_library_now(args, core, dir);
    if (!rc)
        build_cache_put(key, lib);
    return rc;
}

static int build_library_now(const board_args *args, int core, const char *dir)
{
    char list[] = DUET_GIGA_SOURCES;
    char obj[PATH_CAP];
    argv_buf ar = {0};
    arg(&ar, CROSS "gcc-ar");
    arg(&ar, "rcs");
    arg_fmt(&ar, "%s/libduet_giga.a", dir);
    int n = 0;
    for (char *save = NULL, *src = strtok_r(list, ";", &save); src; src = strtok_r(NULL, ";", &save)) {
        argv_buf cc = {0};
        arg(&cc, CROSS "gcc");
        common_flags(&cc, core);
        arg(&cc, "-Werror");
        arg_fmt(&cc, "-I%s/src", tree.root); /* the core's own headers */
        if (compiled_without_lto(src))
            arg(&cc, "-fno-lto");
        arg(&cc, "-c");
        /* The list names the source tree's files; an install keeps them below tree.root. */
        size_t tree_len = strlen(DUET_SOURCE_DIR);
        if (strncmp(src, DUET_SOURCE_DIR "/", tree_len + 1) == 0)
            arg_fmt(&cc, "%s%s", tree.root, src + tree_len);
        else
            arg(&cc, src);
        arg(&cc, "-o");
        snprintf(obj, sizeof obj, "%s/%d.o", dir, n++);
        arg(&cc, obj);
        int rc = run(args, &cc, "compiling duet for the GIGA R1", false);
        if (rc) {
            args_free(&ar);
            return rc;
        }
        arg(&ar, obj);
    }
    return run(args, &ar, "archiving duet for the GIGA R1", false);
}

/* Links the program (its C sources, or a sketch's objects) against the library for the
 * split; writes elf and bin. */
static int link_image(const board_args *args, int core, const board_split *split, const char *dir,
                      const sketch_objects *sketch, const char *elf, const char *bin)
{
    argv_buf cc = {0};
    arg(&cc, sketch ? SKETCH_CROSS_CXX : CROSS "gcc");
    common_flags(&cc, core);
    for (int i = 0; !sketch && i < args->file_count; i++)
        arg(&cc, args->files[i]);
    for (int i = 0; sketch && i < sketch->count; i++)
        arg(&cc, sketch->path[i]);
    for (int i = 0; sketch && sketch_cross_link_flags[i]; i++)
        arg(&cc, sketch_cross_link_flags[i]);
    arg(&cc, "-Wl,--start-group");
    arg_fmt(&cc, "%s/libduet_giga.a", dir);
    arg(&cc, "-lc_nano");
    arg(&cc, "-lgcc");
    arg(&cc, "-Wl,--end-group");
    arg(&cc, "--specs=nano.specs");
    arg(&cc, "-nostartfiles");
    arg(&cc, "-Wl,--gc-sections");
    arg(&cc, DUET_CORTEX_M_STDIO_WRAP);
    arg_fmt(&cc, "-L%s/ports/stm32h747/ld", tree.root);
    if (core == 0) {
        arg(&cc, "-Tgiga_m7.ld");
        arg_fmt(&cc, "-Wl,--defsym=DUET_M7_FLASH_END=0x%08lx",
                (unsigned long)(split->m7_address + split->m7_size));
        arg_fmt(&cc, "-Wl,--defsym=DUET_M4_BOOT=0x%08lx", (unsigned long)split->m4_address);
    } else {
        arg(&cc, "-Tgiga_m4.ld");
        arg_fmt(&cc, "-Wl,--defsym=DUET_M4_IMAGE=0x%08lx", (unsigned long)split->m4_address);
        arg_fmt(&cc, "-Wl,--defsym=DUET_M4_IMAGE_SIZE=0x%08lx", (unsigned long)split->m4_size);
    }
    arg(&cc, "-o");
    arg(&cc, elf);
    int rc = run(args, &cc, "building the program", sketch != NULL);
    if (rc)
        return rc;
    argv_buf oc = {0};
    arg(&oc, CROSS "objcopy");
    arg(&oc, "-O");
    arg(&oc, "binary");
    arg(&oc, elf);
    arg(&oc, bin);
    return run(args, &oc, "writing the flash image", false);
}

static int giga_build(const board_args *args)
{
    if (find_tree(args))
        return 1;
    int core = strcmp(args->core, "m7") == 0 ? 0 : 1;
    const board_split *split = args->split ? board_split_find(args->split) : board_split_default();
    char elf[PATH_CAP], bin[PATH_CAP];
    if (!image_paths(args, elf, bin))
        return board_usage_fail(args, "the image's path is longer than %d bytes: give a shorter -o", PATH_CAP - 5);

    char dir[] = "/tmp/duet-giga.XXXXXX";
    if (!mkdtemp(dir))
        return board_fail(args, "cannot make a directory in /tmp: %s", strerror(errno));
    int rc = build_library(args, core, dir);
    /* A sketch (.ino, .cpp): compiled as C++ with the Arduino layer, linked by g++. */
    static sketch_objects objects;
    bool sketch = sketch_sources(args);
    if (!rc && sketch) {
        /* The sketch and the Arduino layer are optimised with duet when linked (c_flags). */
        const char *cross[5 + 5] = {cpu_flags[core][0], cpu_flags[core][1], cpu_flags[core][2], cpu_flags[core][3],
                                    "-flto"};
        int count = 5;
        for (int i = 0; tree.include[i]; i++)
            cross[count++] = tree.include[i];
        rc = sketch_cross_compile(args, core == 0, cross, count, dir, &objects);
    }
    if (!rc)
        rc = link_image(args, core, split, dir, sketch ? &objects : NULL, elf, bin);
    board_remove_tree(dir);
    if (rc)
        return rc;

    struct stat st;
    uint32_t at = core == 0 ? split->m7_address : split->m4_address;
    uint32_t room = core == 0 ? split->m7_size : split->m4_size;
    if (stat(bin, &st) != 0)
        return board_fail(args, "%s was not written: %s", bin, strerror(errno));
    char used[32], total[32];
    board_format_size((uint64_t)st.st_size, used, sizeof used);
    board_format_size(room, total, sizeof total);
    /* On stderr, as the other targets' build says what it wrote: stdout is the Serial's. */
    fprintf(stderr, "duet-board build: %s and %s for the %s (split %s, %s): %s of %s at 0x%08lx\n", elf, bin,
            core == 0 ? "M7" : "M4", split->name, split->label, used, total, (unsigned long)at);
    if (at >= 0x60000000u)
        fprintf(stderr, "duet-board build: the M4 runs from SDRAM: the M7 program copies %s to 0x%08lx with "
                "duet_giga_m4_to_sdram() before duet_begin() (duet/giga.h, docs/giga.md)\n", bin, (unsigned long)at);
    else
        fprintf(stderr, "duet-board build: to upload it, double-press RESET, then duet-board upload --target giga --core "
                "%s --split %s %s\n", args->core, split->name, bin);
    return 0;
}

/* Where a .bin of size bytes whose reset handler is reset was built to lie: the start of the
 * partition whose image holds that handler (the vector table opens the image), its core in
 * *m4 and its split in *split (any for the M7's, which starts at the same address in every
 * split); 0 if none. */
static uint32_t bin_built_at(uint32_t reset, uint64_t size, bool *m4, const board_split **split)
{
    const board_split *s;
    for (size_t i = 0; (s = board_split_nth(i)); i++) {
        const uint32_t starts[2] = {s->m7_address, s->m4_address};
        for (int c = 0; c < 2; c++)
            if (reset >= starts[c] && reset - starts[c] < size) {
                *m4 = c == 1;
                *split = s;
                return starts[c];
            }
    }
    return 0;
}

/* The first words of a .bin that upload reads: the vector table's stack pointer and reset
 * handler, and the M7 image's boot record in reserved entries (duet/giga.h): its mark, then
 * the address it boots the M4 from. */
#define HEAD_RESET 1
#define HEAD_RECORD_MARK DUET_GIGA_BOOT_RECORD_ENTRY
#define HEAD_RECORD_M4_BOOT (DUET_GIGA_BOOT_RECORD_ENTRY + 1)
#define HEAD_WORDS (HEAD_RECORD_M4_BOOT + 1)

/* Reads image's first HEAD_WORDS words (little-endian) into w, zeros past its end; the number
 * of whole words read, or -1 (errno set) if image cannot be opened. */
static int read_head(const char *image, uint32_t w[HEAD_WORDS])
{
    FILE *f = fopen(image, "rb");
    if (!f)
        return -1;
    uint8_t b[HEAD_WORDS * 4] = {0};
    size_t got = fread(b, 1, sizeof b, f);
    fclose(f);
    for (int i = 0; i < HEAD_WORDS; i++) {
        const uint8_t *p = b + 4 * i;
        w[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    return (int)(got / 4);
}

/* Whether image (a .bin of size bytes that build wrote, whose reset handler is reset, 0 if
 * it has none) was built for the partition at at: its reset handler lies inside the image
 * placed there. 0, or the exit status after saying where it was built to lie. */
static int check_bin_place(const board_args *args, const char *image, uint64_t size, uint32_t reset, bool m7,
                           const board_split *split, uint32_t at)
{
    reset &= ~1u; /* without its Thumb bit */
    if (reset >= at && reset - at < size)
        return 0;
    bool m4 = false;
    const board_split *built_split = NULL;
    uint32_t built = bin_built_at(reset, size, &m4, &built_split);
    if (!built)
        return board_fail(args, "%s is no image duet-board build made for the GIGA R1 (its reset vector, 0x%08lx, "
                                "lies in no partition)", image, (unsigned long)reset);
    char where[64];
    snprintf(where, sizeof where, m4 ? "the M4's partition with --split %s" : "the M7's partition", built_split->name);
    return board_fail(args, "%s was built to lie at 0x%08lx (%s), not at 0x%08lx (the %s's with --split %s): upload "
                            "it with the --core and --split it was built with, or build it again",
                      image, (unsigned long)built, where, (unsigned long)at, m7 ? "M7" : "M4", split->name);
}

/* Whether the M7 image image, whose first words are w (words of them read), boots the M4 from
 * split's M4 partition: its boot record names that address. 0, or the exit status after
 * saying the split it was built for, or that it has no record. */
static int check_m4_boot(const board_args *args, const char *image, const uint32_t w[HEAD_WORDS], int words,
                         const board_split *split)
{
    if (words < HEAD_WORDS || w[HEAD_RECORD_MARK] != DUET_GIGA_BOOT_RECORD_MARK)
        return board_fail(args, "%s does not say where it boots the M4 from (its vector table has no boot record: "
                                "it was built by an older duet-board or by another tool): build it again with "
                                "duet-board build --target giga --core m7 --split %s", image, split->name);
    uint32_t boot = w[HEAD_RECORD_M4_BOOT];
    if (boot == split->m4_address)
        return 0;
    const board_split *built = board_split_at(boot);
    if (!built)
        return board_fail(args, "%s boots the M4 from 0x%08lx, which is no split's M4 partition: build it again with "
                                "duet-board build --target giga --core m7 --split %s", image, (unsigned long)boot,
                          split->name);
    return board_fail(args, "%s boots the M4 from 0x%08lx (--split %s), not 0x%08lx (--split %s): upload it with "
                            "--split %s (and an M4 image built for %s), or build it again with --split %s",
                      image, (unsigned long)boot, built->name, (unsigned long)split->m4_address, split->name,
                      built->name, built->name, split->name);
}

/* Whether image, of size bytes, may be written to core's partition at at in split: built for
 * that partition, and an M7 image booting the M4 from that split's. 0, or the exit status
 * after saying why not. */
static int check_bin(const board_args *args, const char *image, uint64_t size, int core, const board_split *split,
                     uint32_t at)
{
    uint32_t w[HEAD_WORDS];
    int words = read_head(image, w);
    if (words < 0)
        return board_fail(args, "%s: %s", image, strerror(errno));
    int rc = check_bin_place(args, image, size, words > HEAD_RESET ? w[HEAD_RESET] : 0, core == 0, split, at);
    if (!rc && core == 0)
        rc = check_m4_boot(args, image, w, words, split);
    return rc;
}

/* dfu-util to the bootloader, at the address of the image's partition. */
static int giga_upload(const board_args *args)
{
    int core = strcmp(args->core, "m7") == 0 ? 0 : 1;
    const board_split *split = args->split ? board_split_find(args->split) : board_split_default();
    const char *image = args->files[0];
    size_t n = strlen(image);
    if (n >= 4 && strcmp(image + n - 4, ".elf") == 0)
        return board_usage_fail(args, "upload %.*s.bin, the .bin that build wrote next to %s, not the ELF file",
                                (int)(n - 4), image, image);
    if (n < 4 || strcmp(image + n - 4, ".bin") != 0)
        return board_usage_fail(args, "upload the .bin that build wrote next to the ELF file, not %s", image);
    uint32_t at = core == 0 ? split->m7_address : split->m4_address;
    if (at >= 0x60000000u)
        return board_usage_fail(args, "with --split %s the M4 runs from SDRAM, which keeps nothing: the M7 "
                                      "program copies the image there with duet_giga_m4_to_sdram() (docs/giga.md)", split->name);
    struct stat st;
    if (stat(image, &st) != 0)
        return board_fail(args, "%s: %s", image, strerror(errno));
    uint32_t room = core == 0 ? split->m7_size : split->m4_size;
    if ((uint64_t)st.st_size > room)
        return board_fail(args, "%s has %lld bytes; the %s's partition in split %s holds %lu", image,
                          (long long)st.st_size, core == 0 ? "M7" : "M4", split->name, (unsigned long)room);
    int refused = check_bin(args, image, (uint64_t)st.st_size, core, split, at);
    if (refused)
        return refused;
    argv_buf a = {0};
    arg(&a, "dfu-util");
    arg(&a, "--device");
    arg(&a, GIGA_DFU_DEVICE);
    arg(&a, "-a");
    arg(&a, "0");
    arg_fmt(&a, "--dfuse-address=0x%08lx:leave", (unsigned long)at);
    arg(&a, "-D");
    arg(&a, image);
    int rc = board_run_command(a.v, args->verbose);
    args_free(&a);
    if (rc == 127)
        return board_fail(args, "cannot run dfu-util: install it (apt-get install dfu-util)");
    if (rc != 0)
        return board_fail(args, "dfu-util failed: is the board in bootloader mode (double-press RESET, the "
                                "green LED fades in and out) and connected by USB?");
    return 0;
}

const board_target board_target_giga = {
    "giga", "the Arduino GIGA R1 itself (arm-none-eabi-gcc; upload with dfu-util)",
    giga_build, giga_upload, NULL, NULL, NULL,
    "the board runs what upload wrote from its reset (its RESET button), and its Serial is USART1 on D0/D1 "
    "at 115200 8N1, through a 3.3 V USB-serial adapter (docs/giga.md)",
};

#endif /* giga_sources.h */
