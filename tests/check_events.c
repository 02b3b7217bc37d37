/*
 * The HTML event extractor (events/event.h): each form of markup on a
 * small page of its own — JSON-LD (arrays, @graph, nesting, @type arrays,
 * sloppy scripts), microdata, RDFa, h-event, hCalendar with the value
 * class pattern, OpenGraph meta, a <time> beside the heading, the text
 * fallback, pages that describe something else; the values (dates, URLs,
 * charsets, order, JSON) are events_values.c's, hostile input
 * events_hostile.c's.  Pages are handed over without a terminating NUL
 * (events_fixture.c).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/event.h"
#include "tests/events_fixture.h"
#include "tests/testutil.h"

#define NOW_2026 1767225600000LL /* 2026-01-01T00:00:00Z */

START_TEST(jsonld_fields)
{
	struct ev_opts o = {.base_url = "https://example.com/shows/list.html"};
	struct ev_list *l = evt_jsonld(
	    "{\"@context\": \"https://schema.org\", \"@type\": \"MusicEvent\","
	    " \"name\": \"  Tove   Styrke \", "
	    "\"startDate\": \"2017-06-12T20:00:00+0100\","
	    " \"endDate\": \"2017-06-12T23:00:00+0100\","
	    " \"url\": \"../concerts/1?a=1&b=2\","
	    " \"description\": \"Live &amp; loud<br>all night\","
	    " \"eventStatus\": \"https://schema.org/EventCancelled\","
	    " \"location\": {\"@type\": \"Place\", \"name\": \"Hoxton Bar\","
	    "  \"address\": {\"@type\": \"PostalAddress\","
	    "   \"streetAddress\": \"2-4 Hoxton Square\","
	    "   \"addressLocality\": \"London\", \"postalCode\": \"N1 6NU\","
	    "   \"addressCountry\": {\"@type\": \"Country\", \"name\": "
	    "\"UK\"}}}}",
	    &o);
	const struct ev_event *e = &l->ev[0];

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(e->name, "Tove Styrke");
	ck_assert_str_eq(e->start, "2017-06-12T20:00:00+01:00");
	ck_assert_str_eq(e->start_raw, "2017-06-12T20:00:00+0100");
	ck_assert_str_eq(e->end, "2017-06-12T23:00:00+01:00");
	ck_assert_int_eq(e->tz_kind, EV_TZ_OFFSET);
	ck_assert_str_eq(e->timezone, "+01:00");
	ck_assert(!e->all_day);
	ck_assert_str_eq(e->url, "https://example.com/concerts/1?a=1&b=2");
	ck_assert_str_eq(e->description, "Live & loud all night");
	ck_assert_str_eq(e->status, "cancelled");
	ck_assert_str_eq(
	    e->location, "Hoxton Bar, 2-4 Hoxton Square, London, N1 6NU, UK");
	ck_assert_int_eq(e->source, EV_SRC_JSONLD);
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_array_and_graph)
{
	struct ev_list *l = evt_jsonld(
	    "[{\"@type\": \"Organization\", \"name\": \"Org\"},"
	    " {\"@type\": \"Event\", \"name\": \"A\", \"startDate\": "
	    "\"2026-05-01\"},"
	    " {\"@context\": \"https://schema.org\", \"@graph\": ["
	    "   {\"@type\": \"WebPage\", \"name\": \"page\"},"
	    "   {\"@type\": \"Festival\", \"name\": \"B\"},"
	    "   {\"@type\": \"Place\", \"name\": \"P\"}]}]",
	    &evt_no_opts);

	ck_assert_uint_eq(l->n, 2);
	ck_assert_uint_eq(l->total, 2);
	ck_assert_str_eq(l->ev[0].name, "A");
	ck_assert_str_eq(l->ev[0].start, "2026-05-01");
	ck_assert(l->ev[0].all_day);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_DATE);
	ck_assert_str_eq(l->ev[0].timezone, "date-only");
	ck_assert_str_eq(l->ev[1].name, "B");
	ck_assert_str_eq(l->ev[1].start, "");
	ck_assert_int_eq(l->ev[1].tz_kind, EV_TZ_NONE);
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_nested)
{
	struct ev_list *l = evt_jsonld(
	    "{\"@type\": \"MusicGroup\", \"name\": \"Band\","
	    " \"event\": [{\"@type\": \"Event\", \"name\": \"Gig 1\","
	    "   \"startDate\": \"2026-03-01T20:00\", \"location\": \"Memphis\","
	    "   \"subEvent\": {\"@type\": \"SportsEvent\", \"name\": \"Sub\"}},"
	    "  {\"@type\": \"Event\", \"name\": \"Gig 2\"}],"
	    " \"subjectOf\": {\"@type\": \"ItemList\", \"itemListElement\": ["
	    "   {\"@type\": \"ListItem\", \"item\": {\"@type\": "
	    "\"ScreeningEvent\", \"name\": \"Film\"}}]}}",
	    &evt_no_opts);

	ck_assert_uint_eq(l->n, 4);
	ck_assert_str_eq(l->ev[0].name, "Gig 1");
	ck_assert_str_eq(l->ev[0].location, "Memphis");
	ck_assert_str_eq(l->ev[0].start, "2026-03-01T20:00");
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_FLOATING);
	ck_assert_str_eq(l->ev[0].timezone, "floating");
	ck_assert_str_eq(l->ev[1].name, "Sub");
	ck_assert_str_eq(l->ev[2].name, "Gig 2");
	ck_assert_str_eq(l->ev[3].name, "Film");
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_type_forms)
{
	struct ev_list *l = evt_jsonld(
	    "[{\"@type\": [\"Thing\", \"schema:TheaterEvent\"], \"name\": "
	    "\"A\"},"
	    " {\"type\": \"http://schema.org/Hackathon\", \"name\": \"B\"},"
	    " {\"@type\": \"EventReservation\", \"reservationFor\":"
	    "  {\"@type\": \"Event\", \"name\": \"C\"}},"
	    " {\"@type\": \"Event\", \"name\": {\"@value\": \"D\", "
	    "\"@language\": \"en\"}}]",
	    &evt_no_opts);

	ck_assert_uint_eq(l->n, 4);
	ck_assert_str_eq(l->ev[0].name, "A");
	ck_assert_str_eq(l->ev[1].name, "B");
	ck_assert_str_eq(l->ev[2].name, "C");
	ck_assert_str_eq(l->ev[3].name, "D");
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_sloppy)
{
	static const char page[] =
	    "<html><head>"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": broken</script>"
	    "<script type=\"application/ld+json\">\n<!--\n{\"@type\": "
	    "\"Event\","
	    " \"name\": \"Commented\",}\n-->\n</script>"
	    "<script type=\"APPLICATION/LD+JSON; charset=utf-8\">//<![CDATA[\n"
	    "{\"@type\": \"Event\", \"name\": \"CDATA\"}\n//]]></script>"
	    "<script type=\"application/ld+json\">{&quot;@type&quot;: "
	    "&quot;Event&quot;, &quot;name&quot;: &quot;Encoded&quot;}"
	    "</script>"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"One\"}\n{\"@type\": \"Event\", \"name\": \"Two\"};"
	    "</script>"
	    "<script type=\"application/ld+json\">[{\"@type\": \"Event\", "
	    "\"name\": \"Six\"}] // a comment</script>"
	    "<script>{\"@type\": \"Event\", \"name\": \"not ld\"}</script>"
	    "</head><body></body></html>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 6);
	ck_assert_uint_eq(l->total, 6);
	ck_assert_str_eq(l->ev[5].name, "Six");
	ck_assert_str_eq(l->ev[0].name, "Commented");
	ck_assert_str_eq(l->ev[1].name, "CDATA");
	ck_assert_str_eq(l->ev[2].name, "Encoded");
	ck_assert_str_eq(l->ev[3].name, "One");
	ck_assert_str_eq(l->ev[4].name, "Two");
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_location_forms)
{
	struct ev_list *l = evt_jsonld(
	    "{\"@graph\": ["
	    " {\"@type\": \"Event\", \"name\": \"A\", \"location\": ["
	    "  {\"@type\": \"VirtualLocation\", \"url\": \"https://x.test/\"},"
	    "  {\"@type\": \"Place\", \"name\": \"Hall\", \"address\": "
	    "\"1 Main St\"}]},"
	    " {\"@type\": \"Event\", \"name\": \"B\", \"location\": {\"@id\": "
	    "\"#venue\"}},"
	    " {\"@type\": \"Place\", \"@id\": \"#venue\", \"name\": \"Venue\","
	    "  \"address\": {\"addressLocality\": \"Austin\", "
	    "\"addressRegion\": \"US\"}},"
	    " {\"@type\": \"Event\", \"name\": \"C\", \"location\": "
	    "{\"@type\": \"VirtualLocation\", \"url\": \"https://x.test/\"}}]}",
	    &evt_no_opts);

	ck_assert_uint_eq(l->n, 3);
	ck_assert_str_eq(l->ev[0].location, "Hall, 1 Main St");
	/* "US" is kept although "Austin" contains the letters */
	ck_assert_str_eq(l->ev[1].location, "Venue, Austin, US");
	ck_assert_str_eq(l->ev[2].location, "https://x.test/");
	ev_list_free(l);
}
END_TEST

START_TEST(jsonld_duration)
{
	struct ev_list *l = evt_jsonld(
	    "[{\"@type\": \"Event\", \"name\": \"A\", \"startDate\": "
	    "\"2026-12-31T23:30-05:00\", \"duration\": \"PT1H45M\"},"
	    " {\"@type\": \"Event\", \"name\": \"B\", \"startDate\": "
	    "\"2026-02-27\", \"duration\": \"P3D\"},"
	    " {\"@type\": \"Event\", \"name\": \"C\", \"startDate\": "
	    "\"2026-02-27T10:00\", \"endDate\": \"2026-02-27T11:00\", "
	    "\"duration\": \"PT5H\"},"
	    " {\"@type\": \"Event\", \"name\": \"D\", \"startDate\": "
	    "\"2026-02-27T10:00\", \"duration\": \"PT\"}]",
	    &evt_no_opts);

	ck_assert_uint_eq(l->n, 4);
	ck_assert_str_eq(l->ev[0].end, "2027-01-01T01:15-05:00");
	ck_assert_str_eq(l->ev[1].end, "2026-03-02");
	ck_assert_str_eq(l->ev[2].end, "2026-02-27T11:00");
	ck_assert_str_eq(l->ev[3].end, "");
	ev_list_free(l);
}
END_TEST

START_TEST(microdata_nested)
{
	static const char page[] =
	    "<html><body>"
	    "<div itemscope itemtype=\"http://schema.org/Event\" "
	    "itemref=\"more\">"
	    " <a itemprop=\"url\" href=\"/e/1\"><span itemprop=\"name\">"
	    "  Typhoon   &amp; Friends</span></a>"
	    " <time itemprop=\"startDate\" datetime=\"2013-09-14T21:30\">"
	    "Sat Sep 14</time>"
	    " <div itemprop=\"location\" itemscope "
	    "itemtype=\"http://schema.org/Place\">"
	    "  <span itemprop=\"name\">The Hi-Dive</span>"
	    "  <div itemprop=\"address\" itemscope "
	    "itemtype=\"http://schema.org/PostalAddress\">"
	    "   <span itemprop=\"streetAddress\">7 S. Broadway</span>"
	    "   <span itemprop=\"addressLocality\">Denver</span></div></div>"
	    " <div itemprop=\"performer\" itemscope "
	    "itemtype=\"http://schema.org/Person\">"
	    "  <span itemprop=\"name\">Not the name</span></div>"
	    " <div itemprop=\"subEvent\" itemscope "
	    "itemtype=\"https://schema.org/Event\">"
	    "  <span itemprop=\"name\">Inner</span></div>"
	    "</div>"
	    "<p id=\"more\"><meta itemprop=\"endDate\" "
	    "content=\"2013-09-14T23:00\">"
	    "<link itemprop=\"eventStatus\" "
	    "href=\"https://schema.org/EventPostponed\"></p>"
	    "</body></html>";
	struct ev_opts o = {.base_url = "http://example.com/a/b"};
	struct ev_list *l = evt_extract(page, &o);
	const struct ev_event *e = &l->ev[0];

	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(e->name, "Typhoon & Friends");
	ck_assert_str_eq(e->start, "2013-09-14T21:30");
	ck_assert_str_eq(e->end, "2013-09-14T23:00");
	ck_assert_str_eq(e->url, "http://example.com/e/1");
	ck_assert_str_eq(e->location, "The Hi-Dive, 7 S. Broadway, Denver");
	ck_assert_str_eq(e->status, "postponed");
	ck_assert_int_eq(e->source, EV_SRC_MICRODATA);
	ck_assert_str_eq(l->ev[1].name, "Inner");
	ev_list_free(l);
}
END_TEST

START_TEST(rdfa_event)
{
	static const char page[] =
	    "<html><body vocab=\"https://schema.org/\">"
	    "<div typeof=\"Restaurant\"><span property=\"name\">Food</span>"
	    "</div>"
	    "<div typeof=\"TheaterEvent\">"
	    " <h1 property=\"name\">Julius Caesar</h1>"
	    " <span property=\"startDate\" content=\"2014-10-01T19:30\">"
	    "Wed 1 Oct</span>"
	    " <div property=\"location\" typeof=\"PerformingArtsTheater\">"
	    "  <meta property=\"name\" content=\"The Globe\">"
	    "  <meta property=\"address\" content=\"London, UK\"></div>"
	    "</div>"
	    "<div prefix=\"schema: http://schema.org/\" "
	    "typeof=\"schema:Event\">"
	    " <span property=\"schema:name\">Prefixed</span>"
	    " <time property=\"schema:startDate\" "
	    "datetime=\"2020-01-02\">2 Jan</time></div>"
	    "</body></html>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "Julius Caesar");
	ck_assert_str_eq(l->ev[0].start, "2014-10-01T19:30");
	ck_assert_str_eq(l->ev[0].location, "The Globe, London, UK");
	ck_assert_int_eq(l->ev[0].source, EV_SRC_RDFA);
	ck_assert_str_eq(l->ev[1].name, "Prefixed");
	ck_assert_str_eq(l->ev[1].start, "2020-01-02");
	ev_list_free(l);
}
END_TEST

START_TEST(h_event)
{
	static const char page[] =
	    "<div class=\"h-event\">"
	    " <a class=\"p-name u-url\" href=\"http://indiewebcamp.com/2012\">"
	    "  IndieWebCamp 2012</a>"
	    " from <time class=\"dt-start\">2012-06-30</time>"
	    " to <time class=\"dt-end\">2012-07-01</time> at"
	    " <span class=\"p-location h-card\">"
	    "  <a class=\"p-name p-org u-url\" href=\"http://geoloqi.com/\">"
	    "Geoloqi</a>,"
	    "  <span class=\"p-locality\">Portland</span>,"
	    "  <abbr class=\"p-region\" title=\"Oregon\">OR</abbr></span>"
	    " <p class=\"p-description\">Bring a laptop.</p>"
	    "</div>"
	    "<a class=\"h-event\" href=\"/2013\">IndieWebCamp 2013</a>";
	struct ev_opts o = {.base_url = "http://indiewebcamp.com/"};
	struct ev_list *l = evt_extract(page, &o);

	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "IndieWebCamp 2012");
	ck_assert_str_eq(l->ev[0].start, "2012-06-30");
	ck_assert_str_eq(l->ev[0].end, "2012-07-01");
	ck_assert_str_eq(l->ev[0].url, "http://indiewebcamp.com/2012");
	ck_assert_str_eq(l->ev[0].location, "Geoloqi, Portland, Oregon");
	ck_assert_str_eq(l->ev[0].description, "Bring a laptop.");
	ck_assert_int_eq(l->ev[0].source, EV_SRC_MICROFORMAT);
	/* the implied name and url of a bare link */
	ck_assert_str_eq(l->ev[1].name, "IndieWebCamp 2013");
	ck_assert_str_eq(l->ev[1].url, "http://indiewebcamp.com/2013");
	ev_list_free(l);
}
END_TEST

START_TEST(hcalendar_value_class)
{
	static const char page[] =
	    "<div class=\"vevent\">"
	    " <span class=\"summary\">The 4th Microformat party</span> on"
	    " <span class=\"dtstart\">"
	    "  <abbr class=\"value\" title=\"2009-06-26\">26 July</abbr>, from"
	    "  <span class=\"value\">7:30pm</span>"
	    "  <span class=\"value\">-06:00</span></span> to"
	    " <span class=\"dtend\"><span class=\"value\">10 p.m.</span></span>"
	    " <span class=\"location\">Some Bar</span>"
	    "</div>"
	    "<div class=\"vevent\"><abbr class=\"dtstart\" "
	    "title=\"2010-01-02T10:00:00Z\">Jan 2</abbr>"
	    "<span class=\"summary\">Second</span></div>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "The 4th Microformat party");
	ck_assert_str_eq(l->ev[0].start, "2009-06-26T19:30-06:00");
	ck_assert_str_eq(l->ev[0].end, "2009-06-26T22:00");
	ck_assert_str_eq(l->ev[0].location, "Some Bar");
	ck_assert_str_eq(l->ev[1].name, "Second");
	ck_assert_str_eq(l->ev[1].start, "2010-01-02T10:00:00Z");
	ck_assert_str_eq(l->ev[1].timezone, "Z");
	ev_list_free(l);
}
END_TEST

START_TEST(opengraph)
{
	static const char page[] =
	    "<html><head><title>Site | Launch party</title>"
	    "<meta property=\"og:title\" content=\"Launch party\">"
	    "<meta property=\"og:url\" content=\"/events/launch\">"
	    "<meta property=\"og:type\" content=\"event\">"
	    "<meta property=\"event:start_time\" "
	    "content=\"2026-04-01T18:00:00-0700\">"
	    "<meta property=\"event:location\" content=\"HQ\">"
	    "</head><body><h1>Launch</h1></body></html>";
	struct ev_opts o = {.base_url = "https://corp.test/x"};
	struct ev_list *l = evt_extract(page, &o);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Launch party");
	ck_assert_str_eq(l->ev[0].start, "2026-04-01T18:00:00-07:00");
	ck_assert_str_eq(l->ev[0].url, "https://corp.test/events/launch");
	ck_assert_str_eq(l->ev[0].location, "HQ");
	ck_assert_int_eq(l->ev[0].source, EV_SRC_META);
	ev_list_free(l);
}
END_TEST

START_TEST(og_url_merged)
{
	static const char page[] =
	    "<html><head><meta property=\"og:title\" content=\"Gig\">"
	    "<meta property=\"og:url\" content=\"https://x.test/gig\">"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"Gig\"}</script>"
	    "<script type=\"application/ld+json\">{\"@type\": \"Event\", "
	    "\"name\": \"Gig\"}</script></head></html>";
	struct ev_list *l = evt_extract(page, &evt_no_opts);

	/* the same event twice is one event */
	ck_assert_uint_eq(l->n, 1);
	ck_assert_uint_eq(l->total, 1);
	ck_assert_str_eq(l->ev[0].url, "https://x.test/gig");
	ev_list_free(l);
}
END_TEST

START_TEST(time_near_title)
{
	static const char event_page[] =
	    "<html><head><title>Venue</title></head><body>"
	    "<section><h1>Quiz night</h1>"
	    "<p>Doors at <time datetime=\"2026-02-12T19:00\">7pm</time></p>"
	    "</section></body></html>";
	static const char blog_page[] =
	    "<html><head><title>Blog</title></head><body>"
	    "<article><h1>My post</h1>"
	    "<time class=\"entry-published\" datetime=\"2026-02-12T19:00\">"
	    "Feb 12</time><p>Words.</p></article></body></html>";
	struct ev_list *l = evt_extract(event_page, &evt_no_opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Quiz night");
	ck_assert_str_eq(l->ev[0].start, "2026-02-12T19:00");
	ck_assert_int_eq(l->ev[0].source, EV_SRC_META);
	ev_list_free(l);
	l = evt_extract(blog_page, &evt_no_opts);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);
}
END_TEST

START_TEST(text_fallback)
{
	static const char page[] =
	    "<html><head><title>Spring concert</title>"
	    "<style>.x { content: '1 March 2020' }</style></head>"
	    "<body><h1>Spring concert</h1><p>Join us on Saturday, 14 March "
	    "2026 at 7pm in the town hall.</p>"
	    "<script>var d = '2 April 2019';</script></body></html>";
	struct ev_opts o = {.now_ms = NOW_2026,
	    .tz = "Europe/Berlin",
	    .base_url = "https://town.test/concert"};
	struct ev_list *l = evt_extract(page, &o);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Spring concert");
	ck_assert_str_eq(l->ev[0].start, "2026-03-14T19:00");
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_FLOATING);
	ck_assert_int_eq(l->ev[0].source, EV_SRC_TEXT);
	ck_assert_str_eq(l->ev[0].url, "https://town.test/concert");
	ev_list_free(l);
}
END_TEST

START_TEST(negative_pages)
{
	static const char *const pages[] = {
	    /* no date at all */
	    "<html><head><title>About us</title></head><body><p>We sell "
	    "bikes. Open 9 to 5.</p></body></html>",
	    /* a time that is not a date */
	    "<html><head><title>example eg-0007</title></head><body>"
	    "<p>Call 555-0100 at 10:30</p></body></html>",
	    /* a product page with a review date in its text */
	    "<html><body><div itemscope "
	    "itemtype=\"https://schema.org/Product\">"
	    "<span itemprop=\"name\">Kettle</span> reviewed April 1, 2011"
	    "</div></body></html>",
	    /* JSON-LD that is a recipe */
	    "<html><head><script type=\"application/ld+json\">{\"@type\": "
	    "\"Recipe\", \"datePublished\": \"2009-05-08\"}</script></head>"
	    "<body>Banana bread, May 8, 2009</body></html>",
	    /* an h-entry with its publication date */
	    "<article class=\"h-entry\"><h1 class=\"p-name\">Post</h1>"
	    "<time class=\"dt-published\" datetime=\"2013-06-13 12:00:00\">"
	    "13 June 2013</time></article>",
	    /* OpenGraph without an event time */
	    "<html><head><meta property=\"og:title\" content=\"Shop\">"
	    "<meta property=\"og:type\" content=\"website\"></head></html>",
	    "",
	};

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct ev_opts o = {.now_ms = NOW_2026};
		struct ev_list *l = evt_extract(pages[i], &o);

		ck_assert_msg(l->n == 0 && l->total == 0,
		    "page %zu gave '%s' %s", i, l->ev[0].name, l->ev[0].start);
		ev_list_free(l);
	}
}
END_TEST

/* The isolated extraction gives what the in-process one gives, for an
 * HTML page and a calendar (also one labelled a calendar that is HTML),
 * and refuses what it must. */
START_TEST(isolated_same_results)
{
	static const char html[] =
	    "<script type=\"application/ld+json\">{\"@context\":"
	    "\"https://schema.org\",\"@type\":\"MusicEvent\",\"name\":"
	    "\"Gig\",\"startDate\":\"2026-12-01T20:00:00+01:00\"}</script>";
	static const char ics[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
	    "SUMMARY:Talk\r\nDTSTART:20261201T180000Z\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n";
	struct ev_opts o = {.base_url = "https://example.org/x"};
	struct ev_list *a = NULL, *b = NULL;
	char *ja, *jb;

	ck_assert_int_eq(ev_extract_html(html, strlen(html), &o, &a), 0);
	ck_assert_int_eq(
	    ev_extract_isolated(html, strlen(html), false, &o, 10000, &b), 0);
	ja = ev_list_to_json(a);
	jb = ev_list_to_json(b);
	ck_assert_str_eq(ja, jb);
	ck_assert_ptr_nonnull(strstr(jb, "Gig"));
	free(ja);
	free(jb);
	ev_list_free(a);
	ev_list_free(b);
	ck_assert_int_eq(
	    ev_extract_isolated(ics, strlen(ics), true, &o, 10000, &b), 0);
	ck_assert_uint_eq(b->n, 1);
	ck_assert_str_eq(b->ev[0].name, "Talk");
	ev_list_free(b);
	/* labelled a calendar, but HTML: read as HTML */
	ck_assert_int_eq(
	    ev_extract_isolated(html, strlen(html), true, &o, 10000, &b), 0);
	ck_assert_uint_eq(b->n, 1);
	ev_list_free(b);
	ck_assert_int_eq(
	    ev_extract_isolated(html, EV_HTML_MAX + 1, false, &o, 10000, &b),
	    -EFBIG);
	ck_assert_int_eq(
	    ev_extract_isolated(html, strlen(html), false, &o, 0, &b), -EINVAL);
}
END_TEST

static Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *forms = tcase_create("forms");

	tcase_add_test(forms, jsonld_fields);
	tcase_add_test(forms, jsonld_array_and_graph);
	tcase_add_test(forms, jsonld_nested);
	tcase_add_test(forms, jsonld_type_forms);
	tcase_add_test(forms, jsonld_sloppy);
	tcase_add_test(forms, jsonld_location_forms);
	tcase_add_test(forms, jsonld_duration);
	tcase_add_test(forms, microdata_nested);
	tcase_add_test(forms, rdfa_event);
	tcase_add_test(forms, h_event);
	tcase_add_test(forms, hcalendar_value_class);
	tcase_add_test(forms, opengraph);
	tcase_add_test(forms, og_url_merged);
	tcase_add_test(forms, time_near_title);
	tcase_add_test(forms, text_fallback);
	tcase_add_test(forms, negative_pages);
	suite_add_tcase(s, forms);

	suite_add_tcase(s, evt_values_tcase());

	suite_add_tcase(s, evt_hostile_tcase());
	{
		TCase *iso = tcase_create("isolated");

		tcase_add_test(iso, isolated_same_results);
		suite_add_tcase(s, iso);
	}
	return s;
}

int
main(void)
{
	return tu_run_suite(events_suite());
}
