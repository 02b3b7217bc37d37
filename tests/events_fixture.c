/*
 * events_fixture — what the event extractor suites share: pages handed
 * over in buffers of exactly their length (no terminating NUL, so that a
 * read past the end shows under ASan), and a UTF-8 check.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/events_fixture.h"

const struct ev_opts evt_no_opts;

/* Extract from len bytes of page copied to a buffer of that size. */
struct ev_list *
evt_extract_n(const char *page, size_t len, const struct ev_opts *o)
{
	char *copy = malloc(len > 0 ? len : 1);
	struct ev_list *l = NULL;
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, page, len);
	r = ev_extract_html(copy, len, o, &l);
	free(copy);
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_le(l->n, EV_MAX_EVENTS);
	ck_assert_uint_le(l->n, l->total);
	return l;
}

struct ev_list *
evt_extract(const char *page, const struct ev_opts *o)
{
	return evt_extract_n(page, strlen(page), o);
}

/* A page with one JSON-LD script. */
struct ev_list *
evt_jsonld(const char *json, const struct ev_opts *o)
{
	char page[8192];

	snprintf(page, sizeof(page),
	    "<!doctype html><html><head><title>T</title>"
	    "<script type=\"application/ld+json\">%s</script></head>"
	    "<body><p>x</p></body></html>",
	    json);
	return evt_extract(page, o);
}

bool
evt_valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u != '\0') {
		int k = *u < 0x80     ? 1
		    : (*u >> 5) == 6  ? 2
		    : (*u >> 4) == 14 ? 3
		    : (*u >> 3) == 30 ? 4
		                      : 0;

		if (k == 0)
			return false;
		for (int i = 1; i < k; i++)
			if ((u[i] & 0xc0) != 0x80)
				return false;
		u += k;
	}
	return true;
}
