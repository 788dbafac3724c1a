/* rpc/bind.c - the table of bound methods: bind, unbind, find. */
#include "rpc/internal.h"
#include "rpc/signature.h"

bool duet_rpc_same_name(const char *bound, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (bound[i] != name[i] || !bound[i])
            return false;
    return bound[len] == '\0';
}

void duet_rpc_add_name(duet_text *t, const char *prefix, const char *name)
{
    if (prefix) {
        duet_text_add(t, prefix);
        duet_text_add(t, ".");
    }
    duet_text_add(t, name);
}

/* Does the binding answer to the full name (prefix "." name for a group member)? */
static bool binding_is(const duet_rpc_binding *b, const char *name, size_t len)
{
    const char *own = b->own.name;
    if (!own) {
        const char *p = b->member.prefix;
        for (; *p; p++, name++, len--)
            if (!len || *name != *p)
                return false;
        if (!len || *name != '.')
            return false;
        name++;
        len--;
        own = b->member.method->name;
    }
    return duet_rpc_same_name(own, name, len);
}

const duet_rpc_method *duet_rpc_find_binding(duet_rpc *rpc, const char *name, size_t len)
{
    const duet_rpc_binding *b = rpc->methods, *end = b + rpc->method_count;
    for (; b < end; b++) {
        const char *own = b->own.name;
        if (DUET_RPC_FOR_SIZE || !own) {
            if (binding_is(b, name, len))
                return own ? &b->own : b->member.method;
            continue;
        }
        /* A plain name, compared here byte by byte up to its NUL (names are short). */
        size_t i = 0;
        while (i < len && own[i] && own[i] == name[i])
            i++;
        if (i == len && !own[i])
            return &b->own;
    }
    return NULL;
}

/* A full name in its pieces: prefix "." name for a group member, name alone (prefix NULL)
 * for a plain binding; read a byte at a time, so that names of any length compare whole. */
typedef struct full_name {
    const char *at;   /* the piece being read */
    const char *then; /* the piece after the '.', once at is read (NULL: none) */
} full_name;

static full_name full_name_of(const char *prefix, const char *name)
{
    return prefix ? (full_name){prefix, name} : (full_name){name, NULL};
}

static char full_name_next(full_name *f)
{
    if (*f->at)
        return *f->at++;
    if (!f->then)
        return '\0';
    f->at = f->then;
    f->then = NULL;
    return '.';
}

static bool same_full_name(full_name x, full_name y)
{
    for (;;) {
        char c = full_name_next(&x);
        if (c != full_name_next(&y))
            return false;
        if (!c)
            return true;
    }
}

/* Is the group member prefix.name bound already (as a member or a plain name)? */
static bool member_bound(duet_rpc *rpc, const char *prefix, const char *name)
{
    for (unsigned i = 0; i < rpc->method_count; i++) {
        const duet_rpc_binding *b = &rpc->methods[i];
        full_name bound = b->own.name ? full_name_of(NULL, b->own.name)
                                      : full_name_of(b->member.prefix, b->member.method->name);
        if (same_full_name(bound, full_name_of(prefix, name)))
            return true;
    }
    return false;
}

/* The error of a method bound already. */
static int already_bound(duet_rpc *rpc, const duet_rpc_method *m)
{
    return duet_rpc_set_error(rpc, DUET_ERR_EXISTS, m->name, "already bound");
}

/* The error of a method without a name or function, with a bad signature or (plain: its
 * name alone) bound already, or DUET_OK. A plain name is looked up as it is. */
static int check_method(duet_rpc *rpc, const duet_rpc_method *m, bool plain)
{
    unsigned n;
    char r;
    if (!m->name || !m->name[0] || !m->fn)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind",
                                  duet_text_pick("a name and a function are required", "name and function required"));
    if (m->signature && !duet_rpc_sig_parse(m->signature, &n, &r))
        return duet_rpc_signature_error(rpc, m->name, m->signature);
    if (plain && duet_rpc_find_binding(rpc, m->name, duet_text_length(m->name)))
        return already_bound(rpc, m);
    return DUET_OK;
}

/* The error of a table that has no room for count more bindings, or DUET_OK. */
static int check_room(duet_rpc *rpc, size_t count)
{
    if (count > (size_t)(DUET_RPC_MAX_METHODS - rpc->method_count))
        return duet_rpc_set_error(rpc, DUET_ERR_FULL, "bind",
                                  duet_text_pick("method table full (DUET_RPC_MAX_METHODS)", "table full"));
    rpc->serve_bound = duet_rpc_serve_bound; /* what serves them, once one is bound */
    return DUET_OK;
}

int duet_rpc_bind(duet_rpc *rpc, const char *name, const char *signature, duet_rpc_handler fn, void *user)
{
    duet_rpc_method m = {name, signature, fn, user};
    duet_rpc_lock(rpc);
    int err = check_room(rpc, 1);
    if (!err)
        err = check_method(rpc, &m, true);
    if (!err)
        rpc->methods[rpc->method_count++].own = m;
    duet_rpc_unlock(rpc);
    return err;
}

/* Binds every entry of table as prefix.name, all or none. */
static int bind_many(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    if (!prefix || !prefix[0] || !table)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind_group",
                                  prefix ? "a prefix and a table are required" : "a prefix is required");
    int err = check_room(rpc, count);
    for (size_t i = 0; !err && i < count; i++) {
        err = check_method(rpc, &table[i], false);
        if (!err && member_bound(rpc, prefix, table[i].name))
            err = already_bound(rpc, &table[i]);
        for (size_t j = 0; !err && j < i; j++)
            if (duet_rpc_same_name(table[j].name, table[i].name, duet_text_length(table[i].name)))
                err = duet_rpc_set_error(rpc, DUET_ERR_EXISTS, table[i].name, "listed twice in the table");
    }
    for (size_t i = 0; !err && i < count; i++) {
        duet_rpc_binding *b = &rpc->methods[rpc->method_count++];
        b->member.none = NULL;
        b->member.method = &table[i];
        b->member.prefix = prefix;
    }
    return err;
}

int duet_rpc_bind_group(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    duet_rpc_lock(rpc);
    int err = bind_many(rpc, prefix, table, count);
    duet_rpc_unlock(rpc);
    return err;
}

/* Says why nothing answered to name (a group's prefix, with group set). */
static void unbind_error(duet_rpc *rpc, const char *name, bool group)
{
    if (!name)
        duet_rpc_set_error(rpc, DUET_ERR_NOT_FOUND, group ? "unbind_group" : "unbind",
                           group ? duet_text_pick("no prefix (NULL)", "no prefix") : duet_rpc_text_no_method);
    else
        duet_rpc_set_error(rpc, DUET_ERR_NOT_FOUND, name,
                           group ? duet_text_pick("no group bound under this prefix", "no such group") : "not bound");
}

/* Removes every binding that answers to name (one at most), or, with group set, every
 * member of the group whose prefix is name. */
static int unbind(duet_rpc *rpc, const char *name, bool group)
{
    duet_rpc_lock(rpc);
    int err = DUET_ERR_NOT_FOUND;
    size_t len = name ? duet_text_length(name) : 0;
    unsigned kept = 0;
    for (unsigned i = 0; name && i < rpc->method_count; i++) {
        const duet_rpc_binding *b = &rpc->methods[i];
        bool gone = group ? !b->own.name && duet_rpc_same_name(b->member.prefix, name, len)
                          : err && binding_is(b, name, len);
        if (gone)
            err = DUET_OK;
        else
            rpc->methods[kept++] = *b;
    }
    if (name)
        rpc->method_count = kept;
    if (err)
        unbind_error(rpc, name, group);
    duet_rpc_unlock(rpc);
    return err;
}

int duet_rpc_unbind(duet_rpc *rpc, const char *name)
{
    return unbind(rpc, name, false);
}

int duet_rpc_unbind_group(duet_rpc *rpc, const char *prefix)
{
    return unbind(rpc, prefix, true);
}
