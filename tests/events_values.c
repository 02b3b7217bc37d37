/*
 * What the HTML event extractor makes of values: dates in their written
 * forms (offsets, Z, date-only, floating, words), relative URLs and
 * <base>, legacy charsets, the order of events against now_ms, the list's
 * bound, its JSON form, source names, and bad arguments.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "tests/events_fixture.h"

#define NOW_2026 1767225600000LL /* 2026-01-01T00:00:00Z */

static const struct {
	const char *raw, *start, *tz;
	enum ev_tz_kind kind;
} dates[] = {
    {"2016-04-21T20:00", "2016-04-21T20:00", "floating", EV_TZ_FLOATING},
    {"2016-04-21T20:00:05", "2016-04-21T20:00:05", "floating", EV_TZ_FLOATING},
    {"2020-07-24T16:00Z", "2020-07-24T16:00Z", "Z", EV_TZ_OFFSET},
    {"2017-06-10T19:30:00-0400", "2017-06-10T19:30:00-04:00", "-04:00",
        EV_TZ_OFFSET},
    {"2017-06-10T19:30:00.123+05:30", "2017-06-10T19:30:00+05:30", "+05:30",
        EV_TZ_OFFSET},
    {"2017-06-10T19:30+01", "2017-06-10T19:30+01:00", "+01:00", EV_TZ_OFFSET},
    {" 2009-06-26 19:00:00 ", "2009-06-26T19:00:00", "floating",
        EV_TZ_FLOATING},
    {"20160421T2000Z", "2016-04-21T20:00Z", "Z", EV_TZ_OFFSET},
    {"2012-10-10", "2012-10-10", "date-only", EV_TZ_DATE},
    {"2024-02-29", "2024-02-29", "date-only", EV_TZ_DATE},
    {"2023-02-29", "", "", EV_TZ_NONE},
    {"next tuesday", "", "", EV_TZ_NONE},
    {"20:00", "", "", EV_TZ_NONE},
    /* not ISO 8601: read as words, when they state a calendar date */
    {"Sat, 14 March 2026 8pm", "2026-03-14T20:00", "floating", EV_TZ_FLOATING},
    {"May 20, 2011", "2011-05-20", "date-only", EV_TZ_DATE},
    {"2016-04-21T20:00 junk", "2016-04-21T20:00", "floating", EV_TZ_FLOATING},
};

START_TEST(date_forms)
{
	char json[512];
	struct ev_list *l;
	const struct ev_event *e;

	snprintf(json, sizeof(json),
	    "{\"@type\": \"Event\", \"name\": \"x\", \"startDate\": \"%s\"}",
	    dates[_i].raw);
	l = evt_jsonld(json, &evt_no_opts);
	ck_assert_uint_eq(l->n, 1);
	e = &l->ev[0];
	ck_assert_str_eq(e->start, dates[_i].start);
	ck_assert_str_eq(e->timezone, dates[_i].tz);
	ck_assert_int_eq(e->tz_kind, dates[_i].kind);
	ck_assert(e->all_day == (dates[_i].kind == EV_TZ_DATE));
	ck_assert_ptr_nonnull(strstr(dates[_i].raw, e->start_raw));
	ev_list_free(l);
}
END_TEST

static const struct {
	const char *base, *ref, *want;
} urls[] = {
    {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "/g", "http://a/g"},
    {"http://a/b/c/d;p?q", "//g", "http://g"},
    {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"},
    {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y"},
    {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"},
    {"http://a/b/c/d;p?q", "..", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/./g", "http://a/g"},
    {"http://a/b/c/d;p?q", "g;x=1/../y", "http://a/b/c/y"},
    {"http://a/b/c/d;p?q", "https://other.test/x", "https://other.test/x"},
    {"http://a", "x", "http://a/x"},
    {"http://a/b", " \n spaced.html ", "http://a/spaced.html"},
    {"http://a/b", "javascript:alert(1)", ""},
    {NULL, "relative.html", "relative.html"},
};

START_TEST(url_forms)
{
	char json[512];
	struct ev_opts o = {.base_url = urls[_i].base};
	struct ev_list *l;

	snprintf(json, sizeof(json),
	    "{\"@type\": \"Event\", \"name\": \"x\", \"url\": \"%s\"}",
	    urls[_i].ref);
	/* JSON strings cannot hold a raw newline: write it escaped */
	for (char *p = json; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	l = evt_jsonld(json, &o);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].url, urls[_i].want);
	ev_list_free(l);
}
END_TEST

START_TEST(base_element)
{
	static const char page[] =
	    "<html><head><base href=\"/sub/dir/\">"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"x\", \"url\": \"page.html\"}</script></head></html>";
	struct ev_opts o = {.base_url = "https://site.test/index.html"};
	struct ev_list *l = evt_extract(page, &o);

	ck_assert_str_eq(l->ev[0].url, "https://site.test/sub/dir/page.html");
	ev_list_free(l);
}
END_TEST

START_TEST(charsets)
{
	static const struct {
		const char *page, *name;
	} cases[] = {
	    {"<meta charset=\"iso-8859-1\"><div class=h-event><span "
	     "class=p-name>Caf\xe9 \x80 5</span></div>",
	        "Caf\xc3\xa9 \xe2\x82\xac 5"},
	    {"<meta http-equiv=\"Content-Type\" content=\"text/html; "
	     "charset=Shift_JIS\"><div class=h-event><span class=p-name>"
	     "\x93\xfa\x96\x7b</span></div>",
	        "\xe6\x97\xa5\xe6\x9c\xac"},
	    /* valid UTF-8 stays as it is whatever the page says */
	    {"<meta charset=latin1><div class=h-event><span class=p-name>"
	     "Caf\xc3\xa9</span></div>",
	        "Caf\xc3\xa9"},
	    /* an unknown charset: the bytes that are not UTF-8 are replaced */
	    {"<meta charset=x-nonsense><div class=h-event><span class=p-name>"
	     "A\xe9</span></div>",
	        "A\xef\xbf\xbd"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ev_list *l = evt_extract(cases[i].page, &evt_no_opts);

		ck_assert_uint_eq(l->n, 1);
		ck_assert_str_eq(l->ev[0].name, cases[i].name);
		ev_list_free(l);
	}
}
END_TEST

START_TEST(order_upcoming_first)
{
	struct ev_opts o = {.now_ms = NOW_2026, .tz = "UTC"};
	const char *json =
	    "[{\"@type\": \"Event\", \"name\": \"past\", \"startDate\": "
	    "\"2025-06-01T10:00Z\"},"
	    " {\"@type\": \"Event\", \"name\": \"no start\"},"
	    " {\"@type\": \"Event\", \"name\": \"later\", \"startDate\": "
	    "\"2026-09-01\"},"
	    " {\"@type\": \"Event\", \"name\": \"soon\", \"startDate\": "
	    "\"2026-01-02T09:00:00+09:00\"},"
	    " {\"@type\": \"Event\", \"name\": \"today all day\", "
	    "\"startDate\": \"2026-01-01\"}]";
	static const char *const want[] = {
	    "today all day", "soon", "later", "past", "no start"};
	struct ev_list *l = evt_jsonld(json, &o);

	ck_assert_uint_eq(l->n, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(l->ev[i].name, want[i]);
	ev_list_free(l);
	/* now 0: page order */
	l = evt_jsonld(json, &evt_no_opts);
	ck_assert_str_eq(l->ev[0].name, "past");
	ck_assert_str_eq(l->ev[4].name, "today all day");
	ev_list_free(l);
	/* nothing upcoming: page order */
	o.now_ms = 1893456000000LL; /* 2030 */
	l = evt_jsonld(json, &o);
	ck_assert_str_eq(l->ev[0].name, "past");
	ev_list_free(l);
}
END_TEST

START_TEST(list_limit)
{
	char *json = malloc(100 * 80 + 16), *p = json;
	struct ev_list *l;
	char *page;
	size_t len;

	ck_assert_ptr_nonnull(json);
	p += sprintf(p, "[");
	for (int i = 0; i < 100; i++)
		p += sprintf(p, "%s{\"@type\": \"Event\", \"name\": \"e%d\"}",
		    i ? "," : "", i);
	sprintf(p, "]");
	len = strlen(json) + 100;
	page = malloc(len);
	ck_assert_ptr_nonnull(page);
	snprintf(
	    page, len, "<script type=application/ld+json>%s</script>", json);
	l = evt_extract(page, &evt_no_opts);
	ck_assert_uint_eq(l->n, EV_MAX_EVENTS);
	ck_assert_uint_eq(l->total, 100);
	ck_assert_str_eq(l->ev[EV_MAX_EVENTS - 1].name, "e63");
	ev_list_free(l);
	free(page);
	free(json);
}
END_TEST

START_TEST(to_json)
{
	struct ev_list *l = evt_jsonld(
	    "[{\"@type\": \"Event\", \"name\": \"A \\\"q\\\"\", \"startDate\": "
	    "\"2026-05-01\", \"url\": \"https://x.test/a/b\"},"
	    " {\"@type\": \"Event\", \"name\": \"B\"}]",
	    &evt_no_opts);
	char *s = ev_list_to_json(l);
	json_object *root, *arr, *e, *v;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "\\/")); /* slashes as they are */
	root = json_tokener_parse(s);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_object_object_get_ex(root, "events", &arr));
	ck_assert_int_eq(json_object_array_length(arr), 2);
	e = json_object_array_get_idx(arr, 0);
	ck_assert(json_object_object_get_ex(e, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "A \"q\"");
	ck_assert(json_object_object_get_ex(e, "start", &v));
	ck_assert_str_eq(json_object_get_string(v), "2026-05-01");
	ck_assert(json_object_object_get_ex(e, "all_day", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(e, "timezone", &v));
	ck_assert_str_eq(json_object_get_string(v), "date-only");
	ck_assert(json_object_object_get_ex(e, "source", &v));
	ck_assert_str_eq(json_object_get_string(v), "json-ld");
	e = json_object_array_get_idx(arr, 1);
	ck_assert(json_object_object_get_ex(e, "end", &v));
	ck_assert_ptr_null(v);
	ck_assert(json_object_object_get_ex(e, "status", &v));
	ck_assert_ptr_null(v);
	json_object_put(root);
	free(s);
	ev_list_free(l);
	ev_list_free(NULL);

	l = calloc(1, sizeof(*l));
	s = ev_list_to_json(l);
	ck_assert_str_eq(s, "{\"events\":[]}");
	free(s);
	free(l);
}
END_TEST

START_TEST(source_names)
{
	ck_assert_str_eq(ev_source_name(EV_SRC_JSONLD), "json-ld");
	ck_assert_str_eq(ev_source_name(EV_SRC_MICRODATA), "microdata");
	ck_assert_str_eq(ev_source_name(EV_SRC_RDFA), "rdfa");
	ck_assert_str_eq(ev_source_name(EV_SRC_MICROFORMAT), "microformat");
	ck_assert_str_eq(ev_source_name(EV_SRC_META), "meta");
	ck_assert_str_eq(ev_source_name(EV_SRC_TEXT), "text");
	ck_assert_str_eq(ev_source_name(EV_SRC_ICS), "ics");
	ck_assert_str_eq(ev_source_name((enum ev_source)99), "unknown");
}
END_TEST

START_TEST(bad_arguments)
{
	struct ev_list *l = (struct ev_list *)&l;
	char one = '<';

	ck_assert_int_eq(
	    ev_extract_html(&one, (size_t)EV_HTML_MAX + 1, &evt_no_opts, &l),
	    -EFBIG);
	ck_assert_ptr_eq(l, (struct ev_list *)&l); /* untouched */
	ck_assert_int_eq(ev_extract_html(NULL, 5, &evt_no_opts, &l), -EINVAL);
	ck_assert_int_eq(ev_extract_html(&one, 1, &evt_no_opts, NULL), -EINVAL);
	ck_assert_int_eq(ev_extract_html(NULL, 0, NULL, &l), 0);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);
}
END_TEST

TCase *
evt_values_tcase(void)
{
	TCase *values = tcase_create("values");

	tcase_add_loop_test(
	    values, date_forms, 0, sizeof(dates) / sizeof(dates[0]));
	tcase_add_loop_test(
	    values, url_forms, 0, sizeof(urls) / sizeof(urls[0]));
	tcase_add_test(values, base_element);
	tcase_add_test(values, charsets);
	tcase_add_test(values, order_upcoming_first);
	tcase_add_test(values, list_limit);
	tcase_add_test(values, to_json);
	tcase_add_test(values, source_names);
	tcase_add_test(values, bad_arguments);
	return values;
}
