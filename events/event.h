/*
 * event — events found in a web page or an iCalendar file.
 *
 * ev_extract_html() parses HTML with gumbo and takes the events from, in
 * order of trust: schema.org Event (and subtypes) in JSON-LD (arrays,
 * @graph, events nested in other items), microdata, RDFa, h-event /
 * hCalendar microformats, OpenGraph-style meta tags and <time datetime>
 * elements near the title, and last the page title and text through the
 * natural-language parser.  ev_extract_ics() reads VEVENTs (libical).
 *
 * Dates are kept as written (start_raw) and normalised: start/end are
 * ISO 8601 "YYYY-MM-DDTHH:MM[:SS]" plus the offset when the page gave one
 * ("2025-10-31T19:30:00-04:00"; "-0400" becomes "-04:00"), or
 * "YYYY-MM-DD" for a date-only (all_day) event.  tz_kind says which.
 *
 * The list is ordered primary first: the first upcoming event (start at or
 * after opts->now_ms; events without a usable start last), ties in page
 * order; when none is upcoming, page order.
 */
#ifndef DRAFTBOT_EVENT_H
#define DRAFTBOT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EV_MAX_EVENTS 64       /* events kept from one page */
#define EV_TEXT_MAX 1024       /* name, location, description (bytes) */
#define EV_URL_MAX 2048
#define EV_TIME_MAX 40         /* "2025-10-31T19:30:00-04:00" */
#define EV_HTML_MAX (2u << 20) /* larger input: -EFBIG */

enum ev_tz_kind {
	EV_TZ_NONE,     /* no usable start */
	EV_TZ_OFFSET,   /* start carries an offset or Z */
	EV_TZ_FLOATING, /* a wall-clock time without zone: the reader's zone */
	EV_TZ_DATE,     /* date only: all day */
	EV_TZ_NAMED,    /* a wall-clock time in the IANA zone in timezone[] */
};

enum ev_source {
	EV_SRC_JSONLD,
	EV_SRC_MICRODATA,
	EV_SRC_RDFA,
	EV_SRC_MICROFORMAT, /* h-event or hCalendar vevent */
	EV_SRC_META,        /* OpenGraph / meta tags / <time> */
	EV_SRC_TEXT,        /* page title and text through nlp */
	EV_SRC_ICS,
};

struct ev_event {
	char name[EV_TEXT_MAX];
	char start[EV_TIME_MAX];     /* normalised, "" when unknown */
	char end[EV_TIME_MAX];       /* normalised, "" when none */
	char start_raw[EV_TIME_MAX]; /* as written (truncated) */
	enum ev_tz_kind tz_kind;
	char timezone[64];  /* "Z", "+02:00", "floating", "date-only", or an
			       IANA name (ics TZID) */
	bool all_day;
	char location[EV_TEXT_MAX]; /* place name, then address, ", "-joined */
	char url[EV_URL_MAX];       /* absolute when a base URL was given */
	char description[EV_TEXT_MAX];
	char status[32];  /* "", "cancelled", "postponed", "rescheduled",
			     "moved_online", "scheduled" */
	char rrule[256];  /* ics RRULE, "" when none */
	enum ev_source source;
};

struct ev_list {
	size_t n;
	size_t total; /* events found, may exceed n (EV_MAX_EVENTS) */
	struct ev_event ev[EV_MAX_EVENTS];
};

struct ev_opts {
	const char *base_url; /* resolves relative url values; NULL none */
	int64_t now_ms;       /* "upcoming" reference; 0: no reordering */
	const char *tz;       /* reader's IANA zone for text dates; NULL UTC */
};

/*
 * Extract the events of an HTML document (len bytes, need not be
 * NUL-terminated, any charset label; invalid UTF-8 is tolerated).  On 0,
 * *ret is a new list (caller frees with ev_list_free), possibly empty.
 * -EFBIG when len > EV_HTML_MAX, -ENOMEM.  Never reads outside buf.
 */
int ev_extract_html(const char *buf, size_t len, const struct ev_opts *o,
    struct ev_list **ret);

/*
 * Extract the VEVENTs of an iCalendar text (text/calendar).  On 0, *ret
 * is a new list (possibly empty).  -EBADMSG when the text is not
 * iCalendar, -EFBIG, -ENOMEM.
 */
int ev_extract_ics(const char *buf, size_t len, const struct ev_opts *o,
    struct ev_list **ret);

/*
 * ev_extract_ics() (ics true; a text that is not iCalendar is then read as
 * HTML) or ev_extract_html() in a child process that may use at most
 * timeout_ms and 1 GiB: a page that crashes or stalls the parser costs
 * the child, never the caller.  Same results; -EIO when the child died,
 * -ETIMEDOUT when it overran.  For pages from strangers.
 */
int ev_extract_isolated(const char *buf, size_t len, bool ics,
    const struct ev_opts *o, int timeout_ms, struct ev_list **ret);

/* Does this look like iCalendar ("BEGIN:VCALENDAR" after blanks/BOM)? */
bool ev_is_ics(const char *buf, size_t len);

void ev_list_free(struct ev_list *l); /* NULL is a no-op */

/* "json-ld", "microdata", "rdfa", "microformat", "meta", "text", "ics". */
const char *ev_source_name(enum ev_source s);

/*
 * The list as extract-event --json prints it: {"events": [{"name",
 * "start", "end", "timezone", "all_day", "location", "url",
 * "description", "status", "source"}]}; empty strings as null.  Caller
 * frees.  NULL on ENOMEM.
 */
char *ev_list_to_json(const struct ev_list *l);

#endif
