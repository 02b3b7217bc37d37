/*
 * mf_int — what mf.c (h-event and vevent roots, their properties) and
 * mf_value.c (reading one property's value) share.
 */
#ifndef DRAFTBOT_MF_INT_H
#define DRAFTBOT_MF_INT_H

#include "events/ev_int.h"

enum ev_mf_vocab {
	EV_MF2, /* h-event, p-name, dt-start … */
	EV_MF1, /* vevent, summary, dtstart … (hCalendar) */
};

/* Does the class list name a root of vocabulary v (an "h-*" name, or a
 * classic root such as vcard or vevent)? */
bool ev_mf_is_root(enum ev_mf_vocab v, const char *cls);

/* el's text as a p-* property without the value class pattern: <abbr> and
 * <link> title, <data> and <input> value, <img> and <area> alt, else the
 * text content.  Added to b. */
void ev_mf_plain_text(struct ev_ctx *c, GumboNode *el, struct ev_buf *b);
/* A p-* value: the value class elements' texts joined, else as above. */
void ev_mf_text_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, struct ev_buf *b);
/* A u-* value: href or src where the element has one, else its text. */
void ev_mf_url_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, struct ev_buf *b);
/* One dt-* piece as written: datetime, title, value, alt, or text. */
void ev_mf_dt_piece(struct ev_ctx *c, GumboNode *el, struct ev_buf *b);
/* A dt-* value into out ("2009-06-26T19:30-06:00", or "22:00" for a time
 * alone); "" when there is no date or time in it. */
void ev_mf_dt_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, char *out, size_t cap);

#endif
