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

static int check_method(duet_rpc *rpc, const char *prefix, const duet_rpc_method *m)
{
    unsigned n;
    char r;
    if (!m->name || !m->name[0] || !m->fn)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind",
                                  duet_text_pick("a name and a function are required", "name and function required"));
    if (m->signature && !duet_rpc_sig_parse(m->signature, &n, &r))
        return duet_rpc_signature_error(rpc, m->name, m->signature);
    /* A plain name is looked up as it is, whatever its length; a group member's full name
     * is put together first. */
    const char *name = m->name;
    char full[DUET_RPC_ERROR_TEXT];
    duet_text t = {full, sizeof full, 0};
    if (prefix) {
        duet_rpc_add_name(&t, prefix, name);
        name = full;
    } else {
        t.len = duet_text_length(name);
    }
    if (duet_rpc_find_binding(rpc, name, t.len))
        return duet_rpc_set_error(rpc, DUET_ERR_EXISTS, m->name, "already bound");
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
        err = check_method(rpc, NULL, &m);
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
        err = check_method(rpc, prefix, &table[i]);
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
