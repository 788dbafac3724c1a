/* text_add.c - internal: appending bytes to a duet_text (text.h), cut with "..." when they
 * do not fit. A file of its own because duet's formatter calls it: on the Cortex-M ports both
 * are machine code in an image linked with link-time optimisation (ports/cortex_m's
 * cortex_m.cmake says why), while the rest of text.c, which the rpc engine calls on its
 * path, stays intermediate code that the optimiser inlines. */
#include "text.h"

#include <string.h>

void duet_text_addn(duet_text *t, const char *s, size_t len)
{
    if (t->cap == 0)
        return;
    size_t room = t->cap - 1 - t->len;
    size_t n = len <= room ? len : room;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    if (n < len && t->cap >= 4) /* cut: it ends in "..." */
        memcpy(t->buf + t->cap - 4, "...", 3);
    t->buf[t->len] = '\0';
}
