/*
 * nlp — the drafting workflows' view of the parser: the first date/time
 * expression of a text, read as an assistant should (nlp_opts.ahead), and
 * the reasoning shown on a draft ("'next friday' → Fri 27 Nov").  The
 * parser itself is nlp_parse() (nlp_parse.c and the files it names).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/nlp.h"
#include "workflows/nlp_int.h"

#define QUOTE_MAX 96 /* bytes of the user's words quoted in reasoning */

/* Does w's wall time fall in a spring-forward gap?  Then *h:*m is the
 * wall time it becomes. */
static bool
gap_at(const struct nlp_when *w, const struct nlp_ref *ref, int *h, int *m)
{
	int64_t ms;

	if (nlp_instant(ref->tz, w->year, w->month, w->day, w->hour, w->minute,
	        &ms) < 0 ||
	    nlp_local(ref->tz, ms, NULL, NULL, NULL, h, m, NULL) < 0)
		return false;
	return *h != w->hour || *m != w->minute;
}

void
nlp_explain(struct nlp_when *w, const char *text, const struct nlp_ref *ref)
{
	char quote[QUOTE_MAX + 8], day[32];
	size_t q = 0, n, tlen = strlen(text);
	int ry = 0, gh, gm;

	w->reasoning[0] = '\0';
	for (int k = 0; k < w->nspans; k++) {
		size_t st = w->spans[k].start;

		n = w->spans[k].len;

		if (st > tlen || n > tlen - st)
			continue;
		if (q > 0 && q < QUOTE_MAX)
			quote[q++] = ' ';
		if (q + n > QUOTE_MAX) {
			n = QUOTE_MAX - q;
			/* do not split a UTF-8 sequence */
			while (n > 0 &&
			    ((unsigned char)text[st + n] & 0xc0) == 0x80)
				n--;
			memcpy(quote + q, text + st, n);
			memcpy(quote + q + n, "\xe2\x80\xa6", 3);
			q += n + 3;
			break;
		}
		memcpy(quote + q, text + st, n);
		q += n;
	}
	quote[q] = '\0';
	(void)nlp_local(
	    ref->tz, ref->now_ms, &ry, NULL, NULL, NULL, NULL, NULL);
	if (nlp_format_day(
	        w->year, w->month, w->day, w->year != ry, day, sizeof(day)) < 0)
		return;
	if (w->has_time && gap_at(w, ref, &gh, &gm)) {
		/* a wall time the clocks skip: say what it becomes */
		char tmp[sizeof(quote) + 96];

		snprintf(tmp, sizeof(tmp),
		    "'%s' \xe2\x86\x92 %s %02d:%02d (clocks go forward: "
		    "%02d:%02d)",
		    quote, day, w->hour, w->minute, gh, gm);
		n = strlen(tmp);
		if (n >= sizeof(w->reasoning)) {
			n = sizeof(w->reasoning) - 1;
			while (n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(w->reasoning, tmp, n);
		w->reasoning[n] = '\0';
	} else if (w->has_time)
		snprintf(w->reasoning, sizeof(w->reasoning),
		    "'%s' \xe2\x86\x92 %s %02d:%02d", quote, day, w->hour,
		    w->minute);
	else
		snprintf(w->reasoning, sizeof(w->reasoning),
		    "'%s' \xe2\x86\x92 %s", quote, day);
}

/* The first match that a draft can use (years 1–9999) into *ret. */
static bool
from_match(const char *text, const struct nlp_match *m,
    const struct nlp_ref *ref, struct nlp_when *ret)
{
	if (!nlp_date_valid(m->start.year, m->start.month, m->start.day))
		return false;
	ret->has_date = true;
	ret->has_time = (m->start.known & NLP_HOUR) != 0;
	ret->date_implied =
	    (m->start.known & (NLP_YEAR | NLP_MONTH | NLP_DAY | NLP_WEEKDAY)) ==
	        0 &&
	    m->rrule[0] == '\0';
	ret->year = m->start.year;
	ret->month = m->start.month;
	ret->day = m->start.day;
	if (ret->has_time) {
		ret->hour = m->start.hour;
		ret->minute = m->start.minute;
	}
	for (int k = 0; k < m->npieces && k < NLP_SPANS_MAX; k++) {
		ret->spans[k].start = m->pieces[k].start;
		ret->spans[k].len = m->pieces[k].len;
		ret->nspans++;
	}
	if (m->has_end &&
	    nlp_date_valid(m->end.year, m->end.month, m->end.day)) {
		ret->has_end = true;
		ret->end_has_time = (m->end.known & NLP_HOUR) != 0;
		ret->end_year = m->end.year;
		ret->end_month = m->end.month;
		ret->end_day = m->end.day;
		ret->end_hour = m->end.hour;
		ret->end_minute = m->end.minute;
	}
	snprintf(ret->rrule, sizeof(ret->rrule), "%s", m->rrule);
	nlp_explain(ret, text, ref);
	return true;
}

int
nlp_when(const char *text, const struct nlp_ref *ref, struct nlp_when *ret)
{
	static const struct nlp_opts ahead = {
	    .forward_date = true, .ahead = true};
	struct nlp_result *res;
	int r;

	if (ret != NULL)
		memset(ret, 0, sizeof(*ret));
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	res = malloc(sizeof(*res));
	if (res == NULL)
		return -ENOMEM;
	r = nlp_parse(text, ref, &ahead, res);
	if (r > 0) {
		r = 0;
		for (int k = 0; k < res->nmatches && r == 0; k++)
			if (from_match(text, &res->matches[k], ref, ret))
				r = 1;
	}
	if (r <= 0)
		memset(ret, 0, sizeof(*ret));
	free(res);
	return r;
}
