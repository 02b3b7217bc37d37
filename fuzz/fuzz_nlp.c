/*
 * fuzz_nlp — libFuzzer target for the date parser (scripts/fuzz-nlp).
 *
 * The first byte picks the options and the zone, the next four the
 * reference (seconds around 2026), the rest is the text.  Beyond what the
 * sanitizers catch, every match must lie inside the text, every moment be
 * a real date and time, and the title fit its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/nlp.h"

static const char *const zones[] = {"UTC", "Europe/Berlin", "America/New_York",
    "+05:30", "Australia/Lord_Howe", "Asia/Tokyo", "-09:30", "Pacific/Chatham"};

static void
check_moment(const struct nlp_moment *m)
{
	if (m->month < 1 || m->month > 12 || m->day < 1 || m->day > 31 ||
	    m->hour < 0 || m->hour > 23 || m->minute < 0 || m->minute > 59 ||
	    m->second < 0 || m->second > 59 || m->weekday < 0 || m->weekday > 6)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nlp_result res;
	struct nlp_opts opts = {0};
	struct nlp_ref ref = {0};
	struct nlp_when w;
	char *text;
	size_t n;
	uint32_t secs;

	if (size < 5)
		return 0;
	opts.forward_date = data[0] & 1;
	opts.ahead = (data[0] >> 1) & 1;
	ref.day_first = (data[0] >> 2) & 1;
	ref.tz = zones[(data[0] >> 3) % (sizeof(zones) / sizeof(zones[0]))];
	memcpy(&secs, data + 1, 4);
	/* 2026-01-01 plus up to two years */
	ref.now_ms = (1767225600LL + secs % (2 * 366 * 86400LL)) * 1000;
	n = size - 5;
	text = malloc(n + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 5, n);
	text[n] = '\0';
	n = strlen(text);
	if (nlp_parse(text, &ref, &opts, &res) < 0)
		abort();
	for (int k = 0; k < res.nmatches; k++) {
		const struct nlp_match *m = &res.matches[k];

		if (m->index > n || m->len > n - m->index || m->len == 0)
			abort();
		for (int p = 0; p < m->npieces; p++)
			if (m->pieces[p].start > n ||
			    m->pieces[p].len > n - m->pieces[p].start)
				abort();
		check_moment(&m->start);
		if (m->has_end)
			check_moment(&m->end);
	}
	if (strlen(res.title) >= NLP_TITLE_MAX)
		abort();
	if (nlp_when(text, &ref, &w) == 1) {
		if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 ||
		    w.hour < 0 || w.hour > 23 || w.minute < 0 ||
		    w.minute > 59 || strlen(w.reasoning) >= sizeof(w.reasoning))
			abort();
	}
	free(text);
	return 0;
}
