/* posix_image.c - what duet-board reads of a program built for the emulated board (an ELF
 * executable for this PC): the bytes it loads, and the core it was built for. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "posix_target.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The symbols duet-board build defines in a program (posix_core_flag). */
#define CORE_SYMBOL_M7 "duet_board_core_m7"
#define CORE_SYMBOL_M4 "duet_board_core_m4"

const char *posix_core_flag(bool m7)
{
    return m7 ? "-Wl,--defsym=" CORE_SYMBOL_M7 "=0" : "-Wl,--defsym=" CORE_SYMBOL_M4 "=0";
}

/* Reads the ELF header of fd: true if it is an executable for this PC. */
static bool read_header(int fd, Elf64_Ehdr *eh)
{
    return pread(fd, eh, sizeof *eh, 0) == (ssize_t)sizeof *eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
           eh->e_ident[EI_CLASS] == ELFCLASS64 && (eh->e_type == ET_EXEC || eh->e_type == ET_DYN) &&
           eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum != 0 && eh->e_phnum <= 256;
}

/* The bytes an image puts into memory: its loadable segments, as `size` counts code and
 * data. -1 with a sentence in why if it is no executable for this PC. */
long posix_image_size(const char *path, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    Elf64_Ehdr eh;
    long total = -1;
    if (!read_header(fd, &eh)) {
        /* One that duet-board build --target an521 or giga made: say where it runs. */
        Elf32_Ehdr arm;
        bool cortex_m = pread(fd, &arm, sizeof arm, 0) == (ssize_t)sizeof arm &&
                        memcmp(arm.e_ident, ELFMAG, SELFMAG) == 0 && arm.e_ident[EI_CLASS] == ELFCLASS32 &&
                        arm.e_machine == EM_ARM;
        if (cortex_m && arm.e_entry >> 24 == 0x10) /* ssram-0 of the AN521 */
            snprintf(why, cap, "%s is a program for the AN521 under QEMU (duet-board build --target an521), not for this "
                               "PC: run it with duet-board run --target an521, or build it again without --target",
                     path);
        else if (cortex_m)
            snprintf(why, cap, "%s is a program for a Cortex-M board (the GIGA R1 itself: duet-board build --target "
                               "giga), not for this PC: build it again without --target",
                     path);
        else
            snprintf(why, cap, "%s is not a program built for this PC (build it with duet-board build)", path);
        goto out;
    }
    total = 0;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) != (ssize_t)sizeof ph) {
            snprintf(why, cap, "%s is cut short: build it again with duet-board build", path);
            total = -1;
            goto out;
        }
        if (ph.p_type == PT_LOAD)
            total += (long)ph.p_filesz;
    }
out:
    close(fd);
    return total;
}

/* Whether the symbol table sh (its names in the section strtab) names one of the core
 * symbols: 7 (the M7's), 4 (the M4's) or 0. */
static int core_in_symbols(int fd, const Elf64_Shdr *sh, const Elf64_Shdr *strtab)
{
    if (sh->sh_entsize != sizeof(Elf64_Sym))
        return 0;
    uint64_t count = sh->sh_size / sizeof(Elf64_Sym);
    char name[sizeof CORE_SYMBOL_M7 + 1];
    for (uint64_t i = 0; i < count && i < (1u << 20); i++) {
        Elf64_Sym sym;
        if (pread(fd, &sym, sizeof sym, (off_t)(sh->sh_offset + i * sizeof sym)) != (ssize_t)sizeof sym)
            return 0;
        if (sym.st_name == 0 || sym.st_name >= strtab->sh_size || sym.st_shndx != SHN_ABS)
            continue;
        ssize_t n = pread(fd, name, sizeof name - 1, (off_t)(strtab->sh_offset + sym.st_name));
        if (n <= 0)
            continue;
        name[n] = '\0';
        if (strcmp(name, CORE_SYMBOL_M7) == 0)
            return 7;
        if (strcmp(name, CORE_SYMBOL_M4) == 0)
            return 4;
    }
    return 0;
}

int posix_image_core(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    Elf64_Ehdr eh;
    int core = 0;
    if (read_header(fd, &eh) && eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum <= 4096) {
        for (int i = 0; i < eh.e_shnum && !core; i++) {
            Elf64_Shdr sh, strtab;
            if (pread(fd, &sh, sizeof sh, (off_t)(eh.e_shoff + (uint64_t)i * sizeof sh)) != (ssize_t)sizeof sh)
                break;
            if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh.e_shnum ||
                pread(fd, &strtab, sizeof strtab, (off_t)(eh.e_shoff + (uint64_t)sh.sh_link * sizeof strtab)) !=
                    (ssize_t)sizeof strtab)
                continue;
            core = core_in_symbols(fd, &sh, &strtab);
        }
    }
    close(fd);
    return core;
}

int posix_other_core_fail(const board_args *a, const char *image, bool m7)
{
    const char *want = m7 ? "M7" : "M4", *built = m7 ? "M4" : "M7";
    return board_fail(a, "%s was built for the %s (duet-board build --core %s), not the %s: give the %s a program built "
                         "with --core %s",
                      image, built, m7 ? "m4" : "m7", want, want, m7 ? "m7" : "m4");
}
