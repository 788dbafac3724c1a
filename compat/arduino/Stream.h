/* Stream.h - Arduino's Stream: Print plus reading, with a timeout for the reads that wait. */
#ifndef DUET_ARDUINO_STREAM_H
#define DUET_ARDUINO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "Print.h"
#include "WString.h"

namespace arduino {

/* How parseInt and parseFloat treat what comes before a number (Arduino's LookaheadMode). */
enum LookaheadMode {
    SKIP_ALL,       /* skip everything that cannot start a number */
    SKIP_NONE,      /* stop at the first character that is no digit */
    SKIP_WHITESPACE /* skip spaces, tabs and line ends only */
};
#define NO_IGNORE_CHAR '\x01'

/*
 * A class that can be read implements available(), read() and peek(). The reads below wait
 * up to the timeout (setTimeout, 1000 ms by default) for each byte; they wait with
 * waitForData(), which a stream overrides to sleep until its input may have arrived.
 */
class Stream : public Print {
public:
    virtual int available() = 0;
    virtual int read() = 0;
    virtual int peek() = 0;

    void setTimeout(unsigned long timeout) { timeout_ = timeout; }
    unsigned long getTimeout() { return timeout_; }

    /* Reads until the input read ends with target (true; an empty one at once) or the
     * timeout passed (false). */
    bool find(const char *target);
    bool find(const uint8_t *target) { return find(reinterpret_cast<const char *>(target)); }
    bool find(const char *target, size_t length);
    bool find(const uint8_t *target, size_t length) { return find(reinterpret_cast<const char *>(target), length); }
    bool find(char target) { return find(&target, 1); }
    /* Reads until target (true), terminator (false; an empty one at once) or the timeout. */
    bool findUntil(const char *target, const char *terminator);
    bool findUntil(const uint8_t *target, const char *terminator)
    {
        return findUntil(reinterpret_cast<const char *>(target), terminator);
    }
    bool findUntil(const char *target, size_t targetLen, const char *terminator, size_t termLen);
    bool findUntil(const uint8_t *target, size_t targetLen, const char *terminator, size_t termLen)
    {
        return findUntil(reinterpret_cast<const char *>(target), targetLen, terminator, termLen);
    }

    /* The next integer or decimal number in the input (0 if none came in time): what comes
     * before it is skipped as lookahead says, a '-' in it makes it negative, ignore (compared
     * as a char) is skipped inside it, and it ends at any other byte or the timeout. */
    long parseInt(LookaheadMode lookahead = SKIP_ALL, char ignore = NO_IGNORE_CHAR);
    float parseFloat(LookaheadMode lookahead = SKIP_ALL, char ignore = NO_IGNORE_CHAR);

    /* Reads up to length bytes (fewer if the timeout passed); returns how many. */
    size_t readBytes(char *buffer, size_t length);
    size_t readBytes(uint8_t *buffer, size_t length) { return readBytes(reinterpret_cast<char *>(buffer), length); }
    /* As readBytes, stopping before terminator (which is consumed, not stored). */
    size_t readBytesUntil(char terminator, char *buffer, size_t length);
    size_t readBytesUntil(char terminator, uint8_t *buffer, size_t length)
    {
        return readBytesUntil(terminator, reinterpret_cast<char *>(buffer), length);
    }
    /* Everything that comes until the timeout passes without a byte; an invalid String when
     * memory ran out (what came is read all the same). */
    String readString();
    /* Everything up to terminator (consumed, not kept) or the timeout; invalid as readString. */
    String readStringUntil(char terminator);

protected:
    /* Sleeps until input may have arrived or ms passed (may return early). */
    virtual void waitForData(unsigned long ms);
    /* A millisecond clock for the timeout. */
    virtual unsigned long streamMillis();

    int timedRead();
    int timedPeek();

    /* As Arduino's protected overloads, for classes derived from Stream. */
    long parseInt(char ignore) { return parseInt(SKIP_ALL, ignore); }
    float parseFloat(char ignore) { return parseFloat(SKIP_ALL, ignore); }

    /* One of findMulti's targets: its text, length, and how much of it the input ends with. */
    struct MultiTarget {
        const char *str;
        size_t len;
        size_t index;
    };
    /* Reads until the input ends with one of the targets: its index (an empty one's at once,
     * the first in the array when two end together), or -1 at the timeout. */
    int findMulti(struct MultiTarget *targets, int tCount);

private:
    unsigned long timeout_ = 1000;

    int timed(int (Stream::*next)());
    int peekNextDigit(LookaheadMode lookahead, bool detect_decimal);
    String read_string(int terminator);
};

} // namespace arduino

#endif
