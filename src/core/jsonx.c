/*
 * jsonx: UTF-8 repair for strings headed into JSON, and tolerant lookups.
 */
#include "jsonx.h"
#include "buf.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is invalid. */
size_t jsonx_utf8_seq(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return c ? 1 : 0; /* NUL is refused by jansson: repair it too */
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

json_t *jsonx_stringn(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = jsonx_utf8_seq(p + i, n - i);
		if (k) {
			buf_put(&b, p + i, k);
			i += k;
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	j = json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	if (!j)
		die_oom();
	return j;
}

json_t *jsonx_string(const char *s)
{
	return jsonx_stringn(s, strlen(s));
}

double jsonx_number(const json_t *obj, const char *key, int *ok)
{
	json_t *v = json_object_get(obj, key);
	if (v && json_is_number(v)) {
		if (ok)
			*ok = 1;
		return json_number_value(v);
	}
	if (ok)
		*ok = 0;
	return 0;
}
