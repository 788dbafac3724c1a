/* WString.h - Arduino's String: a growable text on the heap, as the Arduino core has it. */
#ifndef DUET_ARDUINO_WSTRING_H
#define DUET_ARDUINO_WSTRING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace arduino {

/* The bases Arduino's print and String take. */
#ifndef DEC
#define DEC 10
#define HEX 16
#define OCT 8
#define BIN 2
#endif

/*
 * A String owns a NUL-terminated buffer on the heap. As in Arduino, a String that could not
 * get memory, or was moved from, is "invalid": its c_str() is "" and operator bool is false,
 * and nothing else breaks; a copy of it is invalid too, and appending it fails. Numbers
 * convert as Arduino's do (String(255, HEX) is "ff"; a float is dtostrf's "%*.*f" with width
 * decimals + 2, at most 10 decimals: String(3.14159) is "3.14", String(3.14159, 4) is
 * "3.1416", String(5.0, 0) is " 5"). As in Arduino, the searches, comparisons and case
 * changes take the text as a C string (a NUL inside, from concat('\0') or a length, ends it).
 */
class String {
public:
    String(const char *cstr = "");
    String(const char *cstr, size_t length);
    String(const String &other);
    String(String &&other) noexcept;
    explicit String(char c);
    explicit String(unsigned char value, unsigned char base = 10);
    explicit String(int value, unsigned char base = 10);
    explicit String(unsigned int value, unsigned char base = 10);
    explicit String(long value, unsigned char base = 10);
    explicit String(unsigned long value, unsigned char base = 10);
    explicit String(long long value, unsigned char base = 10);
    explicit String(unsigned long long value, unsigned char base = 10);
    explicit String(float value, unsigned char decimals = 2);
    explicit String(double value, unsigned char decimals = 2);
    ~String();

    String &operator=(const String &rhs);
    String &operator=(String &&rhs) noexcept;
    String &operator=(const char *cstr);

    /* Makes room for size characters; false (and the String unchanged) if memory ran out. */
    bool reserve(size_t size);
    size_t length() const { return len_; }
    const char *c_str() const { return buf_ ? buf_ : ""; }
    explicit operator bool() const { return buf_ != nullptr; }

    /* Appending: each returns false if memory ran out (the String keeps what it had). */
    bool concat(const String &s);
    bool concat(const char *cstr);
    bool concat(const char *cstr, size_t length);
    bool concat(char c);
    bool concat(unsigned char n);
    bool concat(int n);
    bool concat(unsigned int n);
    bool concat(long n);
    bool concat(unsigned long n);
    bool concat(long long n);
    bool concat(unsigned long long n);
    bool concat(float n);
    bool concat(double n);
    template <typename T> String &operator+=(const T &rhs) { concat(rhs); return *this; }

    int compareTo(const String &s) const;
    bool equals(const String &s) const;
    bool equals(const char *cstr) const;
    bool equalsIgnoreCase(const String &s) const;
    bool operator==(const String &rhs) const { return equals(rhs); }
    bool operator==(const char *cstr) const { return equals(cstr); }
    bool operator!=(const String &rhs) const { return !equals(rhs); }
    bool operator!=(const char *cstr) const { return !equals(cstr); }
    bool operator<(const String &rhs) const { return compareTo(rhs) < 0; }
    bool operator>(const String &rhs) const { return compareTo(rhs) > 0; }
    bool operator<=(const String &rhs) const { return compareTo(rhs) <= 0; }
    bool operator>=(const String &rhs) const { return compareTo(rhs) >= 0; }
    bool startsWith(const String &prefix) const;
    bool startsWith(const String &prefix, size_t offset) const;
    bool endsWith(const String &suffix) const;

    char charAt(size_t index) const;
    void setCharAt(size_t index, char c);
    char operator[](size_t index) const { return charAt(index); }
    char &operator[](size_t index);
    void getBytes(unsigned char *buf, size_t bufsize, size_t index = 0) const;
    void toCharArray(char *buf, size_t bufsize, size_t index = 0) const
    {
        getBytes(reinterpret_cast<unsigned char *>(buf), bufsize, index);
    }
    const char *begin() const { return c_str(); }
    const char *end() const { return c_str() + len_; }

    /* Searching: the index found, or -1 (also from an index at or past the end). */
    int indexOf(char c, size_t from = 0) const;
    int indexOf(const String &s, size_t from = 0) const;
    int lastIndexOf(char c) const;
    int lastIndexOf(char c, size_t from) const;
    int lastIndexOf(const String &s) const;
    int lastIndexOf(const String &s, size_t from) const;
    String substring(size_t begin) const { return substring(begin, len_); }
    String substring(size_t begin, size_t end) const;

    /* Changing in place. replace(find, replace) that cannot get the memory a longer text
     * needs leaves the text as it was. */
    void replace(char find, char replace);
    void replace(const String &find, const String &replace);
    void remove(size_t index);
    void remove(size_t index, size_t count);
    void toLowerCase();
    void toUpperCase();
    void trim();

    /* Parsing, as Arduino: leading digits only, 0 if there are none. */
    long toInt() const;
    float toFloat() const;
    double toDouble() const;

private:
    char *buf_ = nullptr;
    size_t cap_ = 0;
    size_t len_ = 0;

    void invalidate();
    bool copy(const char *cstr, size_t length);
    void move(String &other);
    size_t count(const String &find) const;
    void write_replaced(char *out, const String &find, const String &with) const;
};

/* Concatenation: "Result is " + String(result), s + 5, s + 'c', ... */
String operator+(const String &lhs, const String &rhs);
String operator+(const String &lhs, const char *rhs);
String operator+(const char *lhs, const String &rhs);
String operator+(const String &lhs, char rhs);
String operator+(const String &lhs, int rhs);
String operator+(const String &lhs, unsigned int rhs);
String operator+(const String &lhs, long rhs);
String operator+(const String &lhs, unsigned long rhs);
String operator+(const String &lhs, float rhs);
String operator+(const String &lhs, double rhs);
inline bool operator==(const char *lhs, const String &rhs) { return rhs.equals(lhs); }
inline bool operator!=(const char *lhs, const String &rhs) { return !rhs.equals(lhs); }

} // namespace arduino

#endif
