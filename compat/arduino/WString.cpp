/* WString.cpp - Arduino's String. */
#include "WString.h"

#include <ctype.h>
#include <stdlib.h>

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

String::String(const String &other) { copy(other.c_str(), other.len_); }
String::String(String &&other) noexcept { move(other); }
String::String(char c) { copy(&c, 1); }

/* Integers: base 10 keeps the sign; other bases show the bits of the value's own type, as
 * Arduino's itoa family does. */
template <typename S, typename U> static void set_integer(String &s, S v, unsigned base)
{
    char text[detail::number_text_size];
    if (base == 10)
        detail::format_signed((int64_t)v, 10, text);
    else
        detail::format_unsigned((U)v, base, text, false);
    s = text;
}

String::String(unsigned char v, unsigned char base) { set_integer<unsigned, unsigned>(*this, v, base); }
String::String(int v, unsigned char base) { set_integer<int, unsigned>(*this, v, base); }
String::String(unsigned int v, unsigned char base) { set_integer<unsigned, unsigned>(*this, v, base); }
String::String(long v, unsigned char base) { set_integer<long, unsigned long>(*this, v, base); }
String::String(unsigned long v, unsigned char base)
{
    char text[detail::number_text_size];
    detail::format_unsigned(v, base, text, false);
    *this = text;
}
String::String(long long v, unsigned char base) { set_integer<long long, unsigned long long>(*this, v, base); }
String::String(unsigned long long v, unsigned char base)
{
    char text[detail::number_text_size];
    detail::format_unsigned(v, base, text, false);
    *this = text;
}
String::String(float v, unsigned char decimals) : String((double)v, decimals) {}
/* As Arduino's dtostrf(v, decimals + 2, decimals): "%*.*f", at most 10 decimals, every
 * digit before the point (print's "ovf" is print's only). */
String::String(double v, unsigned char decimals)
{
    char text[detail::fixed_text_size];
    unsigned d = decimals > detail::fixed_digits_max ? detail::fixed_digits_max : decimals;
    detail::format_fixed(v, d, d + 2, text);
    *this = text;
}

String::~String() { free(buf_); }

String &String::operator=(const String &rhs)
{
    if (this != &rhs)
        copy(rhs.c_str(), rhs.len_);
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
        return reserve(len_);
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

bool String::concat(const String &s) { return concat(s.c_str(), s.len_); }
bool String::concat(const char *cstr) { return cstr && concat(cstr, strlen(cstr)); }
bool String::concat(char c) { return concat(&c, 1); }
bool String::concat(unsigned char n) { return concat(String(n)); }
bool String::concat(int n) { return concat(String(n)); }
bool String::concat(unsigned int n) { return concat(String(n)); }
bool String::concat(long n) { return concat(String(n)); }
bool String::concat(unsigned long n) { return concat(String(n)); }
bool String::concat(long long n) { return concat(String(n)); }
bool String::concat(unsigned long long n) { return concat(String(n)); }
bool String::concat(float n) { return concat(String(n)); }
bool String::concat(double n) { return concat(String(n)); }

String operator+(const String &lhs, const String &rhs)
{
    String s(lhs);
    s.concat(rhs);
    return s;
}
String operator+(const String &lhs, const char *rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const char *lhs, const String &rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, char rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, int rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, unsigned int rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, long rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, unsigned long rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, float rhs) { String s(lhs); s.concat(rhs); return s; }
String operator+(const String &lhs, double rhs) { String s(lhs); s.concat(rhs); return s; }

/* ------------------------------------------------------------ comparing */

int String::compareTo(const String &s) const
{
    size_t n = len_ < s.len_ ? len_ : s.len_;
    int c = memcmp(c_str(), s.c_str(), n);
    if (c)
        return c;
    return len_ < s.len_ ? -1 : len_ > s.len_ ? 1 : 0;
}

bool String::equals(const String &s) const { return len_ == s.len_ && compareTo(s) == 0; }

bool String::equals(const char *cstr) const
{
    return cstr ? strlen(cstr) == len_ && memcmp(c_str(), cstr, len_) == 0 : len_ == 0;
}

bool String::equalsIgnoreCase(const String &s) const
{
    if (len_ != s.len_)
        return false;
    for (size_t i = 0; i < len_; i++)
        if (tolower((unsigned char)buf_[i]) != tolower((unsigned char)s.buf_[i]))
            return false;
    return true;
}

bool String::startsWith(const String &prefix, size_t offset) const
{
    return offset <= len_ && prefix.len_ <= len_ - offset &&
           memcmp(c_str() + offset, prefix.c_str(), prefix.len_) == 0;
}

bool String::startsWith(const String &prefix) const { return startsWith(prefix, 0); }

bool String::endsWith(const String &suffix) const
{
    return suffix.len_ <= len_ && memcmp(c_str() + len_ - suffix.len_, suffix.c_str(), suffix.len_) == 0;
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
    memcpy(buf, c_str() + index, n);
    buf[n] = 0;
}

/* ------------------------------------------------------------ searching */

int String::indexOf(char c, size_t from) const
{
    for (size_t i = from; i < len_; i++)
        if (buf_[i] == c)
            return (int)i;
    return -1;
}

int String::indexOf(const String &s, size_t from) const
{
    if (s.len_ > len_)
        return -1;
    for (size_t i = from; i + s.len_ <= len_; i++)
        if (memcmp(buf_ + i, s.c_str(), s.len_) == 0)
            return (int)i;
    return -1;
}

int String::lastIndexOf(char c) const { return len_ ? lastIndexOf(c, len_ - 1) : -1; }

int String::lastIndexOf(char c, size_t from) const
{
    if (len_ == 0)
        return -1;
    for (size_t i = (from < len_ ? from : len_ - 1) + 1; i-- > 0;)
        if (buf_[i] == c)
            return (int)i;
    return -1;
}

int String::lastIndexOf(const String &s) const
{
    return s.len_ > len_ ? -1 : lastIndexOf(s, len_ - s.len_);
}

int String::lastIndexOf(const String &s, size_t from) const
{
    if (s.len_ > len_)
        return -1;
    if (from > len_ - s.len_)
        from = len_ - s.len_;
    for (size_t i = from + 1; i-- > 0;)
        if (memcmp(c_str() + i, s.c_str(), s.len_) == 0)
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

void String::replace(char find, char replace)
{
    for (size_t i = 0; i < len_; i++)
        if (buf_[i] == find)
            buf_[i] = replace;
}

void String::replace(const String &find, const String &replace)
{
    if (len_ == 0 || find.len_ == 0)
        return;
    String out;
    size_t i = 0;
    while (i < len_) {
        int at = indexOf(find, i);
        if (at < 0)
            break;
        out.concat(c_str() + i, (size_t)at - i);
        out.concat(replace);
        i = (size_t)at + find.len_;
    }
    out.concat(c_str() + i, len_ - i);
    *this = static_cast<String &&>(out);
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

void String::toLowerCase()
{
    for (size_t i = 0; i < len_; i++)
        buf_[i] = (char)tolower((unsigned char)buf_[i]);
}

void String::toUpperCase()
{
    for (size_t i = 0; i < len_; i++)
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
