/* build_cache.c - see build_cache.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "build_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "board_util.h"

/* The cache's directory into out; false without one. */
static bool cache_dir(char *out, size_t cap)
{
    const char *dir = getenv("DUET_BOARD_CACHE");
    int n;
    if (dir && dir[0])
        n = snprintf(out, cap, "%s", dir);
    else if ((dir = getenv("XDG_CACHE_HOME")) && dir[0])
        n = snprintf(out, cap, "%s/duet-board", dir);
    else if ((dir = getenv("HOME")) && dir[0])
        n = snprintf(out, cap, "%s/.cache/duet-board", dir);
    else
        return false;
    return n > 0 && (size_t)n < cap;
}

/* The cached file's path for key: the key's FNV-1a hash names it. */
static bool cache_path(const char *key, char *out, size_t cap)
{
    char dir[PATH_MAX];
    if (!cache_dir(dir, sizeof dir))
        return false;
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    int n = snprintf(out, cap, "%s/%016llx.a", dir, (unsigned long long)h);
    return n > 0 && (size_t)n < cap;
}

static bool newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* Whether any file under dir (depth levels deep) changed after *than. */
static bool changed_after(const char *dir, int depth, const struct timespec *than)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool changed = false;
    for (struct dirent *e; !changed && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path || stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            changed = depth > 0 && changed_after(path, depth - 1, than);
        else
            changed = !newer(than, &st.st_mtim);
    }
    closedir(d);
    return changed;
}

/* Copies from to to (through a temporary name, so that a reader never sees half a file). */
static bool copy_file(const char *from, const char *to)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", to, (long)getpid()) >= (int)sizeof tmp)
        return false;
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(tmp, "wb") : NULL;
    bool ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = false;
    if (ok && rename(tmp, to) != 0)
        ok = false;
    if (!ok)
        unlink(tmp);
    return ok;
}

bool build_cache_get(const char *key, const char *const *sources, const char *path)
{
    char cached[PATH_MAX];
    struct stat st;
    if (!cache_path(key, cached, sizeof cached) || stat(cached, &st) != 0)
        return false;
    for (int i = 0; sources[i]; i++)
        if (changed_after(sources[i], 2, &st.st_mtim))
            return false;
    return copy_file(cached, path);
}

void build_cache_put(const char *key, const char *path)
{
    char cached[PATH_MAX], dir[PATH_MAX];
    if (!cache_path(key, cached, sizeof cached) || !cache_dir(dir, sizeof dir) || board_mkdirs(dir) != 0)
        return;
    copy_file(path, cached);
}
