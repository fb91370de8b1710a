/*
 * unicode.h - the little of Python's str that the runtime needs: decoding
 * UTF-8 into code points (filters match code points, as fnmatch does on a
 * str) and str.isspace() (Traceback.format() strips source lines).
 *
 * A file name is bytes, and Python turns bytes that are not UTF-8 into the
 * code points U+DC80..U+DCFF ("surrogateescape", os.fsdecode), one per
 * byte. tm_utf8_next() does the same, so such names still match and
 * compare the way Python sees them.
 */
#ifndef TM_UNICODE_H
#define TM_UNICODE_H

#include <stddef.h>
#include <stdint.h>

enum { TM_SURROGATE_ESCAPE = 0xDC00 };

static inline int tm_utf8_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

/* Length of the valid UTF-8 sequence at in[0..left), or 0 if it is not one
 * (bad lead byte, truncated, overlong, a surrogate, above U+10FFFF). */
static inline size_t tm_utf8_sequence(const unsigned char *in, size_t left,
                                      uint32_t *code_point) {
  unsigned char lead = in[0];
  size_t length = lead < 0x80   ? 1
                  : lead < 0xC2 ? 0
                  : lead < 0xE0 ? 2
                  : lead < 0xF0 ? 3
                  : lead < 0xF5 ? 4
                                : 0;
  if (length == 0 || length > left)
    return 0;
  uint32_t value = length == 1   ? lead
                   : length == 2 ? lead & 0x1Fu
                   : length == 3 ? lead & 0x0Fu
                                 : lead & 0x07u;
  for (size_t i = 1; i < length; i++) {
    if (!tm_utf8_continuation(in[i]))
      return 0;
    value = (value << 6) | (in[i] & 0x3Fu);
  }
  static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < smallest[length] || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF))
    return 0;
  *code_point = value;
  return length;
}

/* The next code point of in[*at..length), advancing *at; a byte that does
 * not start a valid sequence is one escaped code point. */
static inline uint32_t tm_utf8_next(const unsigned char *in, size_t length,
                                    size_t *at) {
  uint32_t code_point;
  size_t n = tm_utf8_sequence(in + *at, length - *at, &code_point);
  if (n == 0) {
    code_point = TM_SURROGATE_ESCAPE + in[*at];
    n = 1;
  }
  *at += n;
  return code_point;
}

/* Python's str.isspace() for one code point: the Unicode White_Space
 * characters plus the four ASCII separators U+001C..U+001F. */
static inline int tm_py_isspace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

#endif /* TM_UNICODE_H */
