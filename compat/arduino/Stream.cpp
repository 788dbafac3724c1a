/* Stream.cpp - Arduino's Stream reads that wait, with a timeout. */
#include "Stream.h"

#include "duet/board.h"

namespace arduino {

/* A stream that cannot say when its input comes looks again every millisecond (delay()
 * serves the other core meanwhile). */
void Stream::waitForData(unsigned long ms) { delay(ms > 1 ? 1 : ms); }

unsigned long Stream::streamMillis() { return millis(); }

/* The next byte as next() gives it (read or peek), waiting up to the timeout for one. */
int Stream::timed(int (Stream::*next)())
{
    unsigned long start = streamMillis();
    for (;;) {
        int c = (this->*next)();
        if (c >= 0)
            return c;
        unsigned long spent = streamMillis() - start;
        if (spent >= timeout_)
            return -1;
        waitForData(timeout_ - spent);
    }
}

int Stream::timedRead() { return timed(&Stream::read); }
int Stream::timedPeek() { return timed(&Stream::peek); }

bool Stream::find(const char *target) { return target ? findUntil(target, strlen(target), nullptr, 0) : true; }
bool Stream::find(const char *target, size_t length) { return target ? findUntil(target, length, nullptr, 0) : true; }

bool Stream::findUntil(const char *target, const char *terminator)
{
    if (!target)
        return true;
    return findUntil(target, strlen(target), terminator, terminator ? strlen(terminator) : 0);
}

/* As Arduino: true once the input read ends with target (an empty one: at once), false once
 * it ends with the terminator (an empty one: at once; none when it is NULL) or at the timeout. */
bool Stream::findUntil(const char *target, size_t targetLen, const char *terminator, size_t termLen)
{
    MultiTarget t[2] = {{target, targetLen, 0}, {terminator, termLen, 0}};
    return findMulti(t, terminator ? 2 : 1) == 0;
}

/* After matched bytes of t were matched and c came: how many of t's first bytes the input
 * now ends with (the longest), so that a repeated prefix is found too ("aab" in "aaab"). */
static size_t match_more(const char *t, size_t matched, char c)
{
    for (size_t k = matched + 1; k > 0; k--)
        if (t[k - 1] == c && memcmp(t, t + matched + 1 - k, k - 1) == 0)
            return k;
    return 0;
}

int Stream::findMulti(struct MultiTarget *targets, int tCount)
{
    for (int i = 0; i < tCount; i++)
        if (targets[i].len == 0)
            return i;
    for (;;) {
        int c = timedRead();
        if (c < 0)
            return -1;
        for (int i = 0; i < tCount; i++) {
            MultiTarget &t = targets[i];
            t.index = match_more(t.str, t.index, (char)c);
            if (t.index == t.len)
                return i;
        }
    }
}

/* Skips what the mode says may come before a number; returns the next byte there or -1. */
int Stream::peekNextDigit(LookaheadMode lookahead, bool detect_decimal)
{
    for (;;) {
        int c = timedPeek();
        if (c < 0 || c == '-' || (c >= '0' && c <= '9') || (detect_decimal && c == '.'))
            return c;
        if (lookahead == SKIP_NONE)
            return -1;
        if (lookahead == SKIP_WHITESPACE && c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return -1;
        read();
    }
}

/* Whether c is a byte equal to ignore (compared as chars, so a byte >= 0x80 matches too; the
 * timeout never does). */
static bool ignored(int c, char ignore) { return c >= 0 && (char)c == ignore; }

/* The value wraps as a long does on the board when there are too many digits (in unsigned
 * arithmetic: no undefined overflow). */
long Stream::parseInt(LookaheadMode lookahead, char ignore)
{
    int c = peekNextDigit(lookahead, false);
    if (c < 0)
        return 0;
    bool negative = false;
    unsigned long value = 0;
    do {
        if (ignored(c, ignore)) {
        } else if (c == '-') {
            negative = true;
        } else if (c >= '0' && c <= '9') {
            value = value * 10 + (unsigned long)(c - '0');
        }
        read();
        c = timedPeek();
    } while ((c >= '0' && c <= '9') || ignored(c, ignore));
    return (long)(negative ? 0 - value : value);
}

float Stream::parseFloat(LookaheadMode lookahead, char ignore)
{
    int c = peekNextDigit(lookahead, true);
    if (c < 0)
        return 0;
    bool negative = false, fraction = false;
    double value = 0, tenth = 1;
    do {
        if (ignored(c, ignore)) {
        } else if (c == '-') {
            negative = true;
        } else if (c == '.') {
            fraction = true;
        } else if (c >= '0' && c <= '9' && fraction) {
            tenth *= 0.1; /* as Arduino: each digit after the point adds its tenth's share */
            value += tenth * (c - '0');
        } else if (c >= '0' && c <= '9') {
            value = value * 10 + c - '0';
        }
        read();
        c = timedPeek();
    } while ((c >= '0' && c <= '9') || (c == '.' && !fraction) || ignored(c, ignore));
    return (float)(negative ? -value : value);
}

size_t Stream::readBytes(char *buffer, size_t length)
{
    size_t n = 0;
    while (n < length) {
        int c = timedRead();
        if (c < 0)
            break;
        buffer[n++] = (char)c;
    }
    return n;
}

size_t Stream::readBytesUntil(char terminator, char *buffer, size_t length)
{
    size_t n = 0;
    while (n < length) {
        int c = timedRead();
        if (c < 0 || (char)c == terminator)
            break;
        buffer[n++] = (char)c;
    }
    return n;
}

/* The bytes up to the terminator (not kept; terminator -1: none) or the timeout, read as
 * Arduino's readString reads them. When memory runs out on the way the rest is still read and
 * the String is invalid, never a text with bytes left out. */
String Stream::read_string(int terminator)
{
    String s;
    bool whole = (bool)s;
    for (int c = timedRead(); c >= 0 && (terminator < 0 || (char)c != (char)terminator); c = timedRead())
        whole = whole && s.concat((char)c);
    if (!whole)
        s = static_cast<const char *>(nullptr);
    return s;
}

String Stream::readString() { return read_string(-1); }

String Stream::readStringUntil(char terminator) { return read_string((unsigned char)terminator); }

} // namespace arduino
