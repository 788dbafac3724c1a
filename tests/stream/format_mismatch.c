/* format_mismatch.c - must not compile with -Werror=format: duet's printf-like functions are
 * format-checked as printf is (tests/stream/CMakeLists.txt, stream_printf_is_format_checked),
 * so a conversion given an argument of another type is caught where it is written. */
#include "duet/duet.h"
#include "duet/format.h"

void mismatched(duet_stream *s, char *buf, size_t cap);
void mismatched(duet_stream *s, char *buf, size_t cap)
{
    duet_printf("%d\n", 1.5);                 /* MISMATCH_PRINTF */
    duet_stream_printf(s, "%s\n", 42);        /* MISMATCH_STREAM */
    duet_format_text_nofloat(buf, cap, "%u", "text"); /* MISMATCH_NOFLOAT */
}
