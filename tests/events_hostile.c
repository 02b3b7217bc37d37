/*
 * Hostile input to the HTML event extractor: tags cut by the end of the
 * input, a megabyte attribute, 2 MiB of nesting in the shapes that make
 * gumbo's tree building slow, attribute floods, deep JSON, invalid UTF-8,
 * NUL bytes, itemref loops, and every byte value in every position.
 * Nothing may crash, hang or read outside the page (run under ASan).
 */
#include <check.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/ev_int.h" /* white box: ev_guard() */
#include "tests/events_fixture.h"
#include "tests/testutil.h"

START_TEST(truncated_tags)
{
	static const char *const pages[] = {
	    "<div itemscope itemtype=\"http://schema.org/Event\"><span "
	    "itemprop=\"name\">Cut</sp",
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"x\"",
	    "<div class=\"h-event\"><span class=\"p-name\">A</span><time "
	    "class=\"dt-start\" datetime=\"2020-01-0",
	    "<",
	    "<!--",
	    "<a href=\"",
	    "<div class='vevent'><abbr title=",
	    "&#x",
	    "<![CDATA[",
	    "</",
	    "<meta property=og:title content=",
	};

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		ev_list_free(evt_extract(pages[i], &evt_no_opts));
	{
		struct ev_list *l = evt_extract(pages[0], &evt_no_opts);

		ck_assert_uint_eq(l->n, 1);
		ck_assert_str_eq(l->ev[0].name, "Cut");
		ev_list_free(l);
	}
}
END_TEST

START_TEST(huge_attribute)
{
	size_t n = 1u << 20;
	char *page = malloc(n + 200);
	struct ev_list *l;
	size_t k;

	ck_assert_ptr_nonnull(page);
	k = (size_t)sprintf(page, "<div class=\"h-event\" title=\"");
	memset(page + k, 'a', n);
	k += n;
	k += (size_t)sprintf(
	    page + k, "\"><span class=\"p-name\">Big</span></div>");
	l = evt_extract_n(page, k, &evt_no_opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Big");
	ev_list_free(l);
	/* and a huge JSON-LD name, cut at a character boundary */
	k = (size_t)sprintf(page,
	    "<script "
	    "type=application/ld+json>{\"@type\":\"Event\",\"name\":\"");
	for (size_t i = 0; i < 4000; i++)
		k += (size_t)sprintf(page + k, "\xc3\xa9");
	k += (size_t)sprintf(page + k, "\"}</script>");
	l = evt_extract_n(page, k, &evt_no_opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_uint_lt(strlen(l->ev[0].name), EV_TEXT_MAX);
	ck_assert_uint_gt(strlen(l->ev[0].name), EV_TEXT_MAX - 4);
	ck_assert(evt_valid_utf8(l->ev[0].name));
	ev_list_free(l);
	free(page);
}
END_TEST

/* A page of unit repeated to about 2 MiB after head. */
static void
repeated(const char *head, const char *unit, double max_seconds)
{
	size_t cap = EV_HTML_MAX, k = strlen(head), u = strlen(unit);
	char *page = malloc(cap);
	struct timespec t0;
	struct ev_list *l;

	ck_assert_ptr_nonnull(page);
	memcpy(page, head, k);
	while (k + u <= cap) {
		memcpy(page + k, unit, u);
		k += u;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	l = evt_extract_n(page, k, &evt_no_opts);
	ck_assert_msg(tu_ms_since(&t0) < max_seconds * 1000,
	    "'%s' took %lld ms", unit, (long long)tu_ms_since(&t0));
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Deep");
	ev_list_free(l);
	free(page);
}

#define LD_HEAD                                                                \
	"<html><head><script type=application/ld+json>{\"@type\":\"Event\","   \
	"\"name\":\"Deep\"}</script></head><body>"

/* Units that, repeated, nest gumbo's tree ever deeper (each found to
 * take minutes without the guard, or to slip past an earlier guard). */
static const char *const units[] = {"<div>", "<b>", "<i><b>",
    "<span><div></span>", "<ul><li>", "<svg><g>", "<table><tr><td>",
    "<b><div></b>", "<x-a><div></x-a>", "<div/>", "<p><span>", "<select><div>",
    "<a><p>", "<p><b></p>x", "<p><b class=a></p>x", "<li><ul></li>",
    "<form><div></form>", "<rb>", "<rt>", "<option><div>", "<svg></p>",
    "<th><div>", "<td><ul>", "<p><button></p>",
    "</b></table><td></template><rt><svg>",
    "<svg></b></td></title><title><font class=x>",
    "<p><template></td><col><strong><iframe>",
    "<i><i><i><i><i></i></i></i><rt></i></i>",
    "<button><button></button><sup><center><center></button>",
    "<p><frameset><p><frameset>", "<foreignObject><article></foreignObject>",
    "<table><table></table><figure><article></table>", "<table><caption><tt>"};

START_TEST(deep_nesting)
{
	/* Unsanitised these take well under a second each; the bound is
	 * for sanitizer builds. */
	repeated(LD_HEAD, units[_i], 30);
}
END_TEST

/* gumbo 0.10 fails an assertion (abort) on this markup. */
START_TEST(gumbo_abort)
{
	static const char page[] =
	    "<html><head><script type=application/ld+json>{\"@type\":\"Event\","
	    "\"name\":\"Before\"}</script></head><body>"
	    "<table><select><select><math><select><mi><select><table>"
	    "<p>after</p></body></html>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Before");
	ev_list_free(l);
}
END_TEST

START_TEST(many_attributes)
{
	repeated(LD_HEAD "<div", " a", 30);
}
END_TEST

START_TEST(deep_json)
{
	size_t n = 200000;
	char *page = malloc(2 * n + 200);
	size_t k;
	struct ev_list *l;

	ck_assert_ptr_nonnull(page);
	k = (size_t)sprintf(page, "<script type=application/ld+json>");
	memset(page + k, '[', n);
	k += n;
	memset(page + k, ']', n);
	k += n;
	k += (size_t)sprintf(page + k, "</script>");
	l = evt_extract_n(page, k, &evt_no_opts);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);
	free(page);
}
END_TEST

START_TEST(invalid_utf8)
{
	static const char page[] =
	    "<html><head><title>\xff\xfe T\xc3</title>"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"Bad \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 ok "
	    "\xe2\x82\","
	    " \"location\": \"caf\xe9\", \"startDate\": \"2026-01-01\"}"
	    "</script></head><body><div class=\"h-event\"><span "
	    "class=\"p-name\">\x80\x81</span></div></body></html>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert(evt_valid_utf8(l->ev[0].name));
	ck_assert(evt_valid_utf8(l->ev[0].location));
	ck_assert_ptr_nonnull(strstr(l->ev[0].name, "ok"));
	ev_list_free(l);
}
END_TEST

START_TEST(bytes_after_nul)
{
	static const char page[] =
	    "<html><head><title>A\0B</title></head><body>\0\0"
	    "<div itemscope itemtype=\"https://schema.org/Event\">"
	    "<span itemprop=\"name\">After\0NUL</span>"
	    "<meta itemprop=\"startDate\" content=\"2026-02-03\"></div>"
	    "</body></html>";
	struct ev_list *l = evt_extract_n(page, sizeof(page) - 1, &evt_no_opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_ptr_nonnull(strstr(l->ev[0].name, "After"));
	ck_assert_str_eq(l->ev[0].start, "2026-02-03");
	ev_list_free(l);
}
END_TEST

START_TEST(itemref_loops)
{
	static const char page[] =
	    "<div id=\"a\" itemscope itemtype=\"http://schema.org/Event\" "
	    "itemref=\"a b b c missing\">"
	    "<span itemprop=\"name\">Loop</span>"
	    "<div id=\"c\" itemprop=\"location\" itemscope itemref=\"a c\">"
	    "<span itemprop=\"name\">Here</span></div></div>"
	    "<p id=\"b\" itemscope itemref=\"a\"><meta itemprop=\"startDate\" "
	    "content=\"2026-01-05\"></p>"
	    "<div class=\"vevent\" id=\"v\" itemref=\"v\"><span "
	    "class=\"summary\">V</span></div>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Loop");
	ck_assert_str_eq(l->ev[0].location, "Here");
	ev_list_free(l);
}
END_TEST

START_TEST(every_byte)
{
	/* Every byte value in every position of a small page: nothing may
	 * crash or read outside (run under ASan). */
	static const char page[] =
	    "<script type=application/ld+json>{\"@type\":\"Event\","
	    "\"startDate\":\"2026-01-01T10:00+01:00\"}</script>"
	    "<div class=vevent><abbr class=dtstart title=2020-01-01>x</abbr>"
	    "</div>";
	char buf[sizeof(page)];

	for (size_t pos = 0; pos < sizeof(page) - 1; pos += 7) {
		for (int b = 0; b < 256; b += 17) {
			memcpy(buf, page, sizeof(page) - 1);
			buf[pos] = (char)b;
			ev_list_free(evt_extract_n(
			    buf, sizeof(page) - 1 - pos % 3, &evt_no_opts));
		}
	}
}
END_TEST

static int
max_depth(const GumboNode *n, int depth)
{
	const GumboVector *kids;
	int deepest = depth;

	if (n->type == GUMBO_NODE_DOCUMENT)
		kids = &n->v.document.children;
	else if (n->type == GUMBO_NODE_ELEMENT ||
	    n->type == GUMBO_NODE_TEMPLATE)
		kids = &n->v.element.children;
	else
		return depth;
	for (unsigned i = 0; i < kids->length && depth < 100000; i++) {
		int d = max_depth(kids->data[i], depth + 1);

		if (d > deepest)
			deepest = d;
	}
	return deepest;
}

/*
 * Random tag soups from a few tokens each (fixed seed): what ev_guard()
 * lets through must not make gumbo's tree much deeper than EV_DEPTH_MAX
 * (formatting elements reopened and foster parenting add some).  This is
 * how the units above were found.
 */
START_TEST(guard_soups)
{
	static const char *const voc[] = {"<div>", "</div>", "<p>", "</p>",
	    "<b>", "</b>", "<i>", "</i>", "<a>", "</a>", "<span>", "</span>",
	    "<li>", "</li>", "<ul>", "<table>", "</table>", "<tr>", "<td>",
	    "</td>", "<th>", "<form>", "</form>", "<button>", "</button>",
	    "<option>", "<select>", "</select>", "<svg>", "</svg>", "<math>",
	    "<rb>", "<rt>", "<ruby>", "<nobr>", "x", " ", "<h1>", "</h1>",
	    "<h2>", "<dd>", "<dt>", "<object>", "</object>", "<template>",
	    "</template>", "<caption>", "<frameset>", "<b class=@>", "<x-y>",
	    "</x-y>", "<title>", "</title>", "<textarea>", "<!-->", "<br>",
	    "</br>", "<col>", "<colgroup>", "<tbody>", "</tr>", "<mi>",
	    "<foreignObject>", "</foreignObject>", "<desc>", "<iframe>",
	    "<style>", "<script>", "<plaintext>", "<g/>", "<u class=@>",
	    "<font color=red>", "<figure>", "<article>", "<center>", "<sup>"};
	const size_t nv = sizeof(voc) / sizeof(voc[0]), cap = 40000;
	GumboOptions opts = kGumboDefaultOptions;
	char *page = malloc(cap);
	unsigned seed = 20251122, uniq = 0;

	ck_assert_ptr_nonnull(page);
	opts.max_errors = 0;
	for (int it = 0; it < 150; it++) {
		size_t sub[8], ns = 2 + (size_t)rand_r(&seed) % 7, k = 0;
		GumboOutput *g;
		int depth;

		for (size_t j = 0; j < ns; j++)
			sub[j] = (size_t)rand_r(&seed) % nv;
		for (;;) {
			const char *v = voc[sub[(size_t)rand_r(&seed) % ns]];
			char tmp[48];
			const char *at = strchr(v, '@');
			size_t len;

			if (at != NULL) {
				snprintf(tmp, sizeof(tmp), "%.*s%u%s",
				    (int)(at - v), v, uniq++, at + 1);
				v = tmp;
			}
			len = strlen(v);
			if (k + len > cap)
				break;
			memcpy(page + k, v, len);
			k += len;
		}
		g = gumbo_parse_with_options(&opts, page, ev_guard(page, k));
		ck_assert_ptr_nonnull(g);
		depth = max_depth(g->document, 0);
		gumbo_destroy_output(&opts, g);
		ck_assert_msg(depth < 2 * EV_DEPTH_MAX + 128,
		    "soup %d: depth %d", it, depth);
	}
	free(page);
}
END_TEST

TCase *
evt_hostile_tcase(void)
{
	TCase *hostile = tcase_create("hostile");

	tcase_add_test(hostile, truncated_tags);
	tcase_add_test(hostile, huge_attribute);
	tcase_add_loop_test(
	    hostile, deep_nesting, 0, sizeof(units) / sizeof(units[0]));
	tcase_add_test(hostile, gumbo_abort);
	tcase_add_test(hostile, guard_soups);
	tcase_add_test(hostile, many_attributes);
	tcase_add_test(hostile, deep_json);
	tcase_add_test(hostile, invalid_utf8);
	tcase_add_test(hostile, bytes_after_nul);
	tcase_add_test(hostile, itemref_loops);
	tcase_add_test(hostile, every_byte);
	tcase_set_timeout(hostile, 120);
	return hostile;
}
