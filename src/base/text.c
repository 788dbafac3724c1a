/* text.c - internal: short messages into a fixed buffer, without stdio. */
#include "text.h"

bool duet_bytes_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

void duet_text_add(duet_text *t, const char *s)
{
    duet_text_addn(t, s, duet_text_length(s));
}

void duet_text_add_uint(duet_text *t, uint32_t v)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    duet_text_addn(t, digits + sizeof digits - n, n);
}

bool duet_text_contains(const char *s, const char *part)
{
    size_t n = duet_text_length(part), len = duet_text_length(s);
    for (size_t i = 0; i + n <= len; i++)
        if (duet_bytes_equal(s + i, part, n))
            return true;
    return false;
}

const char *duet_text_nth(const char *list, size_t size, unsigned n)
{
    const char *end = list + size;
    for (; n > 0 && list < end; n--)
        list += duet_text_length(list) + 1;
    return list < end ? list : NULL;
}
