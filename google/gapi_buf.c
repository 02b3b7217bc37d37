/* gapi_buf — bounded strings for URLs and form bodies, percent-encoded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "google/gapi_int.h"

void
gapi_buf_init(struct gapi_buf *b, size_t cap, char sep)
{
	memset(b, 0, sizeof(*b));
	b->sep = sep;
	b->p = calloc(1, cap);
	if (b->p == NULL) {
		b->err = -ENOMEM;
		return;
	}
	b->cap = cap;
}

static void
put(struct gapi_buf *b, const char *s, size_t n)
{
	if (b->err < 0)
		return;
	if (n >= b->cap - b->len) {
		b->err = -E2BIG;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
gapi_buf_puts(struct gapi_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
gapi_buf_pct(struct gapi_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3] = {'%', 0, 0};

	for (; *s != '\0' && b->err == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c)) {
			put(b, s, 1);
			continue;
		}
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		put(b, esc, 3);
	}
	explicit_bzero(esc, sizeof(esc));
}

void
gapi_buf_kv(struct gapi_buf *b, const char *name, const char *value)
{
	if (b->sep != 0)
		put(b, &b->sep, 1);
	b->sep = '&';
	gapi_buf_puts(b, name);
	put(b, "=", 1);
	gapi_buf_pct(b, value);
}

void
gapi_buf_wipe(struct gapi_buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}
