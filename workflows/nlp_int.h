/*
 * nlp_int — calendar arithmetic shared by nlp.c and nlp_time.c: the
 * proleptic Gregorian calendar, no time zone, days counted from
 * 1970-01-01.
 */
#ifndef DRAFTBOT_NLP_INT_H
#define DRAFTBOT_NLP_INT_H

#include <stdbool.h>
#include <stdint.h>

int nlp_days_in_month(int y, int m);
bool nlp_date_valid(int y, int m, int d); /* years 1–9999 */
int64_t nlp_days_from_civil(int y, int m, int d);
void nlp_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
