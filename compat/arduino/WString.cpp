/* WString.cpp - Arduino's String. */
#include "WString.h"

#include <ctype.h>
#include <stdlib.h>

#include <type_traits>

#include "number_text.h"

namespace arduino {

/* ------------------------------------------------------------ memory */

void String::invalidate()
{
    free(buf_);
    buf_ = nullptr;
    cap_ = len_ = 0;
}

bool String::reserve(size_t size)
{
    if (buf_ && cap_ >= size)
        return true;
    if (size == SIZE_MAX)
        return false; /* no room for the NUL after it (realloc(p, 0) would free p) */
    char *p = static_cast<char *>(realloc(buf_, size + 1));
    if (!p)
        return false;
    if (!buf_)
        p[0] = '\0';
    buf_ = p;
    cap_ = size;
    return true;
}

bool String::copy(const char *cstr, size_t length)
{
    if (!reserve(length)) {
        invalidate();
        return false;
    }
    memmove(buf_, cstr, length);
    buf_[length] = '\0';
    len_ = length;
    return true;
}

void String::move(String &other)
{
    free(buf_);
    buf_ = other.buf_;
    cap_ = other.cap_;
    len_ = other.len_;
    other.buf_ = nullptr;
    other.cap_ = other.len_ = 0;
}

/* ------------------------------------------------------------ construction */

String::String(const char *cstr)
{
    if (cstr)
        copy(cstr, strlen(cstr));
}

String::String(const char *cstr, size_t length)
{
    if (cstr)
        copy(cstr, length);
}

/* A copy of an invalid String is invalid, as in Arduino. */
String::String(const String &other)
{
    if (other.buf_)
        copy(other.buf_, other.len_);
}
String::String(String &&other) noexcept { move(other); }
/* As Arduino: the char as a C string, so String('\0') is "". */
String::String(char c) { copy(&c, c ? 1 : 0); }

/* Integers: base 10 keeps the sign; other bases show the bits of the value's own type (U),
 * as Arduino's itoa family does. Writes v into text; its length. */
template <typename S, typename U> static size_t integer_text(S v, unsigned base, char *text)
{
    if (base != 10)
        return detail::format_unsigned((U)v, base, text, false);
    return std::is_signed<S>::value ? detail::format_signed((int64_t)v, 10, text)
                                    : detail::format_unsigned((uint64_t)v, 10, text, false);
}

template <typename S, typename U> static void set_integer(String &s, S v, unsigned base)
{
    char text[detail::number_text_size];
    integer_text<S, U>(v, base, text);
    s = text;
}

/* As Arduino's dtostrf(v, decimals + 2, decimals): "%*.*f", at most 10 decimals, every
 * digit before the point (print's "ovf" is print's only). Writes v into text; its length. */
static size_t fixed_text(double v, unsigned decimals, char *text)
{
    unsigned d = decimals > detail::fixed_digits_max ? detail::fixed_digits_max : decimals;
    return detail::format_fixed(v, d, d + 2, text);
}

String::String(unsigned char v, unsigned char base) { set_integer<unsigned, unsigned>(*this, v, base); }
String::String(int v, unsigned char base) { set_integer<int, unsigned>(*this, v, base); }
String::String(unsigned int v, unsigned char base) { set_integer<unsigned, unsigned>(*this, v, base); }
String::String(long v, unsigned char base) { set_integer<long, unsigned long>(*this, v, base); }
String::String(unsigned long v, unsigned char base) { set_integer<unsigned long, unsigned long>(*this, v, base); }
String::String(long long v, unsigned char base) { set_integer<long long, unsigned long long>(*this, v, base); }
String::String(unsigned long long v, unsigned char base)
{
    set_integer<unsigned long long, unsigned long long>(*this, v, base);
}
String::String(float v, unsigned char decimals) : String((double)v, decimals) {}
String::String(double v, unsigned char decimals)
{
    char text[detail::fixed_text_size];
    fixed_text(v, decimals, text);
    *this = text;
}

String::~String() { free(buf_); }

/* Assigning an invalid String makes this one invalid, as in Arduino. */
String &String::operator=(const String &rhs)
{
    if (this == &rhs)
        return *this;
    if (rhs.buf_)
        copy(rhs.buf_, rhs.len_);
    else
        invalidate();
    return *this;
}

String &String::operator=(String &&rhs) noexcept
{
    if (this != &rhs)
        move(rhs);
    return *this;
}

String &String::operator=(const char *cstr)
{
    if (cstr)
        copy(cstr, strlen(cstr));
    else
        invalidate();
    return *this;
}

/* ------------------------------------------------------------ appending */

bool String::concat(const char *cstr, size_t length)
{
    if (!cstr)
        return false;
    if (length == 0)
        return true; /* as Arduino: nothing to add, an invalid String stays invalid */
    if (length >= SIZE_MAX - len_ - 1)
        return false; /* no length of memory holds both and the NUL */
    /* cstr may lie inside this String's own buffer, which reserve may move. */
    size_t offset = (buf_ && cstr >= buf_ && cstr < buf_ + cap_ + 1) ? (size_t)(cstr - buf_) : SIZE_MAX;
    size_t want = len_ + length;
    if (cap_ < want && !reserve(want > 2 * cap_ ? want : 2 * cap_))
        return false;
    memmove(buf_ + len_, offset != SIZE_MAX ? buf_ + offset : cstr, length);
    len_ = want;
    buf_[len_] = '\0';
    return true;
}

/* An invalid String cannot be appended (false), as in Arduino. */
bool String::concat(const String &s) { return concat(s.buf_, s.len_); }
bool String::concat(const char *cstr) { return cstr && concat(cstr, strlen(cstr)); }
bool String::concat(char c) { return concat(&c, 1); }
/* A number is appended as String(n) writes it, from a buffer on the stack (as Arduino's
 * does): the only allocation is the text's own growth. */
template <typename N> static bool append_decimal(String &s, N n)
{
    char text[detail::number_text_size];
    return s.concat(text, integer_text<N, typename std::make_unsigned<N>::type>(n, 10, text));
}

bool String::concat(unsigned char n) { return append_decimal(*this, n); }
bool String::concat(int n) { return append_decimal(*this, n); }
bool String::concat(unsigned int n) { return append_decimal(*this, n); }
bool String::concat(long n) { return append_decimal(*this, n); }
bool String::concat(unsigned long n) { return append_decimal(*this, n); }
bool String::concat(long long n) { return append_decimal(*this, n); }
bool String::concat(unsigned long long n) { return append_decimal(*this, n); }
bool String::concat(float n) { return concat((double)n); }
bool String::concat(double n) /* two decimals, as String(n) */
{
    char text[detail::fixed_text_size];
    return concat(text, fixed_text(n, 2, text));
}

/* lhs with rhs appended. As in Arduino the sum is invalid when the append fails (rhs is
 * nullptr or an invalid String, or memory ran out), and an invalid left side gives the right
 * side's text. When the copy of a valid left side could not get memory the sum is invalid
 * too, never the right side alone. */
template <typename T> static String sum(const String &lhs, const T &rhs)
{
    String s(lhs);
    if ((lhs && !s) || !s.concat(rhs))
        s = static_cast<const char *>(nullptr);
    return s;
}

String operator+(const String &lhs, const String &rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, const char *rhs) { return sum(lhs, rhs); }
String operator+(const char *lhs, const String &rhs)
{
    String s(lhs);
    if ((lhs && !s) || !s.concat(rhs))
        s = static_cast<const char *>(nullptr);
    return s;
}
String operator+(const String &lhs, char rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, int rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, unsigned int rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, long rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, unsigned long rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, float rhs) { return sum(lhs, rhs); }
String operator+(const String &lhs, double rhs) { return sum(lhs, rhs); }

/* ------------------------------------------------------------ comparing */

/* As Arduino, the comparisons take the texts as C strings (strcmp: a NUL inside ends them),
 * and equals also wants the lengths equal. */
int String::compareTo(const String &s) const { return strcmp(c_str(), s.c_str()); }

bool String::equals(const String &s) const { return len_ == s.len_ && compareTo(s) == 0; }

bool String::equals(const char *cstr) const { return strcmp(c_str(), cstr ? cstr : "") == 0; }

bool String::equalsIgnoreCase(const String &s) const
{
    if (len_ != s.len_)
        return false;
    const char *a = c_str(), *b = s.c_str();
    for (size_t i = 0; a[i]; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

/* False for an invalid String on either side, as in Arduino. */
bool String::startsWith(const String &prefix, size_t offset) const
{
    return buf_ && prefix.buf_ && prefix.len_ <= len_ && offset <= len_ - prefix.len_ &&
           strncmp(buf_ + offset, prefix.buf_, prefix.len_) == 0;
}

bool String::startsWith(const String &prefix) const { return startsWith(prefix, 0); }

bool String::endsWith(const String &suffix) const
{
    return buf_ && suffix.buf_ && suffix.len_ <= len_ && strcmp(buf_ + len_ - suffix.len_, suffix.buf_) == 0;
}

/* ------------------------------------------------------------ characters */

char String::charAt(size_t index) const { return index < len_ ? buf_[index] : '\0'; }

void String::setCharAt(size_t index, char c)
{
    if (index < len_)
        buf_[index] = c;
}

char &String::operator[](size_t index)
{
    static char dummy;
    if (index >= len_) {
        dummy = '\0';
        return dummy;
    }
    return buf_[index];
}

void String::getBytes(unsigned char *buf, size_t bufsize, size_t index) const
{
    if (!buf || bufsize == 0)
        return;
    if (index >= len_) {
        buf[0] = 0;
        return;
    }
    size_t n = len_ - index;
    if (n > bufsize - 1)
        n = bufsize - 1;
    /* As Arduino (strncpy): bytes after a NUL inside the text are written as NULs. */
    strncpy(reinterpret_cast<char *>(buf), c_str() + index, n);
    buf[n] = 0;
}

/* ------------------------------------------------------------ searching */

/* As Arduino, the searches take the text as a C string (strchr, strstr: a NUL inside ends
 * it, and a NUL char finds the end), and find nothing from an index at or past the end. */
int String::indexOf(char c, size_t from) const
{
    if (from >= len_)
        return -1;
    const char *p = strchr(buf_ + from, c);
    return p ? (int)(p - buf_) : -1;
}

int String::indexOf(const String &s, size_t from) const
{
    if (from >= len_)
        return -1;
    const char *p = strstr(buf_ + from, s.c_str());
    return p ? (int)(p - buf_) : -1;
}

int String::lastIndexOf(char c) const { return lastIndexOf(c, len_ - 1); }

/* The last c at or before from in the text's first from + 1 bytes taken as a C string (c
 * a NUL: where that C string ends). */
int String::lastIndexOf(char c, size_t from) const
{
    if (from >= len_)
        return -1;
    const char *nul = static_cast<const char *>(memchr(buf_, '\0', from + 1));
    size_t end = nul ? (size_t)(nul - buf_) : from + 1;
    if (c == '\0')
        return (int)end;
    for (size_t i = end; i-- > 0;)
        if (buf_[i] == c)
            return (int)i;
    return -1;
}

int String::lastIndexOf(const String &s) const { return lastIndexOf(s, len_ - s.len_); }

/* The last place at or before from (clipped to the end) where s, as a C string, is in the
 * text as a C string; an empty s is never found, as in Arduino. */
int String::lastIndexOf(const String &s, size_t from) const
{
    if (s.len_ == 0 || len_ == 0 || s.len_ > len_)
        return -1;
    if (from >= len_)
        from = len_ - 1;
    size_t slen = strlen(s.buf_), text = strlen(buf_);
    if (slen == 0)
        return (int)from;
    for (size_t i = from + 1; i-- > 0;)
        if (i + slen <= text && memcmp(buf_ + i, s.buf_, slen) == 0)
            return (int)i;
    return -1;
}

String String::substring(size_t begin, size_t end) const
{
    if (begin > end) {
        size_t t = begin;
        begin = end;
        end = t;
    }
    if (begin >= len_)
        return String();
    if (end > len_)
        end = len_;
    return String(c_str() + begin, end - begin);
}

/* ------------------------------------------------------------ changing */

/* As Arduino: up to the first NUL in the text. */
void String::replace(char find, char replace)
{
    for (size_t i = 0, n = strlen(c_str()); i < n; i++)
        if (buf_[i] == find)
            buf_[i] = replace;
}

/* How many times find is in the text, left to right and not overlapping, as replace finds
 * it; 0 for an empty find. */
size_t String::count(const String &find) const
{
    size_t n = 0;
    if (find.len_ == 0)
        return 0;
    for (int at = indexOf(find, 0); at >= 0; at = indexOf(find, (size_t)at + find.len_))
        n++;
    return n;
}

/* Writes the text with each find replaced by with to out, which may be this String's own
 * buffer when with is no longer than find, or when the text was moved to the buffer's end
 * (replace's growing in place): out never passes what is still to be read. find and with are
 * not that buffer then. */
void String::write_replaced(char *out, const String &find, const String &with) const
{
    size_t i = 0, o = 0;
    for (int at; i < len_ && (at = indexOf(find, i)) >= 0; i = (size_t)at + find.len_) {
        memmove(out + o, buf_ + i, (size_t)at - i);
        o += (size_t)at - i;
        memmove(out + o, with.c_str(), with.len_);
        o += with.len_;
    }
    memmove(out + o, buf_ + i, len_ - i);
    out[o + len_ - i] = '\0';
}

/* As Arduino's: the new length is known first, a text that fits the memory it has is changed
 * in place, and one that does not gets its memory once, so when there is none the text stays
 * as it was. find or replace may be this String itself (then the new text is built apart). */
void String::replace(const String &find, const String &replace)
{
    if (len_ == 0 || find.len_ == 0)
        return;
    size_t n = count(find);
    if (n == 0)
        return;
    if (replace.len_ > find.len_ && (replace.len_ - find.len_) > (SIZE_MAX - 1 - len_) / n)
        return; /* longer than any memory */
    size_t length = len_ - n * find.len_ + n * replace.len_;
    if (length <= cap_ && &find != this && &replace != this) {
        /* Growing: the text moves to the end of the buffer first and is read from there, n
         * times the growth ahead of where it is written, which the replacements so far take
         * up at most. */
        char *start = buf_;
        if (length > len_) {
            memmove(start + (length - len_), start, len_ + 1);
            buf_ = start + (length - len_);
        }
        write_replaced(start, find, replace);
        buf_ = start;
        len_ = length;
        return;
    }
    char *out = static_cast<char *>(malloc(length + 1));
    if (!out)
        return;
    write_replaced(out, find, replace);
    free(buf_);
    buf_ = out;
    cap_ = len_ = length;
}

void String::remove(size_t index) { remove(index, len_); }

void String::remove(size_t index, size_t count)
{
    if (index >= len_ || count == 0)
        return;
    if (count > len_ - index)
        count = len_ - index;
    memmove(buf_ + index, buf_ + index + count, len_ - index - count + 1);
    len_ -= count;
}

/* As Arduino, the case changes stop at the first NUL in the text. */
void String::toLowerCase()
{
    for (size_t i = 0, n = strlen(c_str()); i < n; i++)
        buf_[i] = (char)tolower((unsigned char)buf_[i]);
}

void String::toUpperCase()
{
    for (size_t i = 0, n = strlen(c_str()); i < n; i++)
        buf_[i] = (char)toupper((unsigned char)buf_[i]);
}

void String::trim()
{
    size_t b = 0, e = len_;
    while (b < e && isspace((unsigned char)buf_[b]))
        b++;
    while (e > b && isspace((unsigned char)buf_[e - 1]))
        e--;
    if (b || e != len_) {
        memmove(buf_, buf_ + b, e - b);
        len_ = e - b;
        buf_[len_] = '\0';
    }
}

/* ------------------------------------------------------------ parsing */

long String::toInt() const { return buf_ ? atol(buf_) : 0; }
float String::toFloat() const { return (float)toDouble(); }
double String::toDouble() const { return buf_ ? atof(buf_) : 0.0; }

} // namespace arduino
