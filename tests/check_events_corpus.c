/*
 * The event corpus (../shared/corpora/events: 80 pages with the events a
 * reference extractor found, expected.jsonl) through ev_extract_html().
 *
 * A page is right when the primary event (now_ms 0: page order) has the
 * expected name and start, the starts compared after normalising both
 * ("2016-04-21T20:00" equals "2016-04-21T20:00:00", "-0400" equals
 * "-04:00", ' ' equals 'T'); a page without an event is right when
 * nothing is found.  One exception follows the corpus's own note: the
 * plain-text twin of eg-0461 must give nothing from structured markup;
 * the text form finding its date there is what that form is for.  Rows
 * in tests/data/events/skip.tsv are left out, each with its reason.
 *
 * The pass rate is printed as a TAP comment ("# corpus: N/M right (P%)")
 * with every wrong page; the suite fails below 95 %.
 * EVENTS_CORPUS_VERBOSE=1 also prints the pages that are right.
 */
#include <check.h>
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "tests/testutil.h"

#define ROWS_MAX 256
#define GOAL 95.0

struct row {
	char file[256];
	bool has_event;
	long event_count;
	char name[EV_TEXT_MAX];
	char start[64];
	bool plain_text;  /* the notes say the event is only in plain text */
	const char *skip; /* reason, or NULL */
};

static struct row rows[ROWS_MAX];
static int nrows;
static char skip_file[ROWS_MAX][256];
static char skip_why[ROWS_MAX][512];
static int nskip;

static const char *
corpora(void)
{
	const char *dir = getenv("DRAFTBOT_CORPORA");

	return dir != NULL ? dir : "../shared/corpora";
}

static const char *
string_of(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static void
load_skips(void)
{
	const char *data = getenv("DRAFTBOT_TEST_DATA");
	char path[512], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/skip.tsv",
	    data != NULL ? data : "tests/data");
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL && nskip < ROWS_MAX) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || tab == NULL)
			continue;
		*tab = '\0';
		if (strlen(line) >= sizeof(skip_file[0]) ||
		    strlen(tab + 1) >= sizeof(skip_why[0]))
			continue; /* skips_are_honest does not find it */
		memcpy(skip_file[nskip], line, strlen(line) + 1);
		memcpy(skip_why[nskip], tab + 1, strlen(tab + 1) + 1);
		nskip++;
	}
	fclose(f);
}

static void
load(void)
{
	char path[512], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (nrows > 0)
		return;
	load_skips();
	snprintf(path, sizeof(path), "%s/events/expected.jsonl", corpora());
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (getline(&line, &cap, f) > 0 && nrows < ROWS_MAX) {
		json_object *o = json_tokener_parse(line), *v;
		struct row *r = &rows[nrows];

		ck_assert_msg(o != NULL, "bad line %d of %s", nrows + 1, path);
		snprintf(r->file, sizeof(r->file), "%s", string_of(o, "file"));
		r->has_event = json_object_object_get_ex(o, "has_event", &v) &&
		    json_object_get_boolean(v);
		r->event_count = json_object_object_get_ex(o, "event_count", &v)
		    ? (long)json_object_get_int64(v)
		    : -1;
		snprintf(r->name, sizeof(r->name), "%s", string_of(o, "name"));
		snprintf(r->start, sizeof(r->start), "%s",
		    string_of(o, "startDate"));
		r->plain_text = json_object_object_get_ex(o, "notes", &v) &&
		    strstr(json_object_to_json_string(v), "plain HTML text") !=
		        NULL;
		for (int k = 0; k < nskip; k++)
			if (strcmp(skip_file[k], r->file) == 0)
				r->skip = skip_why[k];
		json_object_put(o);
		nrows++;
	}
	free(line);
	fclose(f);
	ck_assert_int_gt(nrows, 0);
}

/* s with whitespace runs folded to one space and the ends trimmed. */
static void
fold(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	bool space = false;

	for (; *s != '\0' && k + 2 < cap; s++) {
		if (isspace((unsigned char)*s)) {
			space = k > 0;
			continue;
		}
		if (space)
			out[k++] = ' ';
		space = false;
		out[k++] = *s;
	}
	out[k] = '\0';
}

/*
 * A start in one form: "YYYY-MM-DD", then "THH:MM", ":SS" unless it is
 * ":00", fractions dropped, and the zone as "Z" or "±HH:MM".  Anything
 * unreadable is kept as it is.
 */
static void
norm_start(const char *in, char *out, size_t cap)
{
	char s[64], zone[8] = "";
	int y, mo, d, h = -1, mi = 0, sec = 0, n = 0;
	const char *p;

	fold(in, s, sizeof(s));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) {
		snprintf(out, cap, "%s", s);
		return;
	}
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int m = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2) {
			snprintf(out, cap, "%s", s);
			return;
		}
		p += 1 + m;
		if (sscanf(p, ":%2d%n", &sec, &m) == 1)
			p += m;
		if (*p == '.')
			while (isdigit((unsigned char)*++p))
				;
		if (*p == 'Z') {
			snprintf(zone, sizeof(zone), "Z");
		} else if (*p == '+' || *p == '-') {
			int zh = 0, zm = 0;

			if (sscanf(p + 1, "%2d:%2d", &zh, &zm) < 2)
				sscanf(p + 1, "%2d%2d", &zh, &zm);
			snprintf(zone, sizeof(zone), "%c%02d:%02d", *p, zh, zm);
		}
	}
	if (h < 0)
		snprintf(out, cap, "%04d-%02d-%02d", y, mo, d);
	else if (sec != 0)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d,
		    h, mi, sec, zone);
	else
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d%s", y, mo, d, h,
		    mi, zone);
}

static struct ev_list *
extract_file(const char *file)
{
	char path[768];
	struct ev_opts o = {0};
	struct ev_list *l = NULL;
	char *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/html/%s", corpora(), file);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ck_assert_int_ge(len, 0);
	buf = malloc(len > 0 ? (size_t)len : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_int_eq(ev_extract_html(buf, (size_t)len, &o, &l), 0);
	free(buf);
	return l;
}

/* Is row r right?  why says what differs (or what was allowed). */
static bool
score(const struct row *r, const struct ev_list *l, char *why, size_t len)
{
	char got_name[EV_TEXT_MAX], want_name[EV_TEXT_MAX];
	char got_start[64], want_start[64];

	why[0] = '\0';
	if (!r->has_event) {
		if (l->n == 0)
			return true;
		if (r->plain_text && l->ev[0].source == EV_SRC_TEXT &&
		    l->total == 1) {
			snprintf(why, len, "text form found '%s' (allowed)",
			    l->ev[0].start_raw);
			return true;
		}
		snprintf(why, len, "found %zu event(s), first '%s' %s from %s",
		    l->total, l->ev[0].name, l->ev[0].start,
		    ev_source_name(l->ev[0].source));
		return false;
	}
	if (l->n == 0) {
		snprintf(why, len, "no event");
		return false;
	}
	fold(l->ev[0].name, got_name, sizeof(got_name));
	fold(r->name, want_name, sizeof(want_name));
	norm_start(l->ev[0].start, got_start, sizeof(got_start));
	norm_start(r->start, want_start, sizeof(want_start));
	if (strcmp(got_name, want_name) != 0 ||
	    strcmp(got_start, want_start) != 0) {
		snprintf(why, len, "got '%s' %s, want '%s' %s", got_name,
		    got_start, want_name, want_start);
		return false;
	}
	if (r->event_count >= 0 && (long)l->total != r->event_count)
		snprintf(why, len, "right; %zu events, corpus says %ld",
		    l->total, r->event_count);
	return true;
}

START_TEST(corpus)
{
	bool verbose = getenv("EVENTS_CORPUS_VERBOSE") != NULL;
	int right = 0, counted = 0, skipped = 0;
	char why[2600];

	load();
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		struct ev_list *l;
		bool ok;

		if (r->skip != NULL) {
			skipped++;
			printf("# skipped %s: %s\n", r->file, r->skip);
			continue;
		}
		l = extract_file(r->file);
		ok = score(r, l, why, sizeof(why));
		counted++;
		right += ok;
		if (!ok)
			printf("# wrong %s: %s\n", r->file, why);
		else if (verbose || why[0] != '\0')
			printf("# right %s%s%s\n", r->file,
			    why[0] != '\0' ? ": " : "", why);
		ev_list_free(l);
	}
	printf("# corpus: %d/%d right (%.1f%%), %d skipped\n", right, counted,
	    counted ? 100.0 * right / counted : 0.0, skipped);
	fflush(stdout);
	ck_assert_int_gt(counted, 0);
	ck_assert_msg(100.0 * right >= GOAL * counted,
	    "%d of %d right, below %.0f%%", right, counted, GOAL);
}
END_TEST

/* Every skip names a corpus file and says why. */
START_TEST(skips_are_honest)
{
	load();
	for (int k = 0; k < nskip; k++) {
		bool found = false;

		for (int i = 0; i < nrows; i++)
			found |= strcmp(rows[i].file, skip_file[k]) == 0;
		ck_assert_msg(found, "skip.tsv names %s, not in the corpus",
		    skip_file[k]);
		ck_assert_msg(
		    strlen(skip_why[k]) > 20, "%s: say why", skip_file[k]);
	}
	ck_assert_int_le(nskip, nrows / 20); /* few */
}
END_TEST

/* Every page, also the skipped ones, parses without error, and twice
 * gives the same list. */
START_TEST(stable)
{
	load();
	for (int i = 0; i < nrows; i++) {
		struct ev_list *a = extract_file(rows[i].file);
		struct ev_list *b = extract_file(rows[i].file);

		ck_assert_uint_eq(a->n, b->n);
		ck_assert_int_eq(
		    memcmp(a->ev, b->ev, a->n * sizeof(a->ev[0])), 0);
		ev_list_free(a);
		ev_list_free(b);
	}
}
END_TEST

static Suite *
corpus_suite(void)
{
	Suite *s = suite_create("events_corpus");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, skips_are_honest);
	tcase_add_test(tc, stable);
	tcase_add_test(tc, corpus);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(corpus_suite());
}
