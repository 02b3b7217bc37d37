/*
 * prepare — the message route's step before its transaction: decide
 * whether the message needs a page fetched (a link) or the LLM asked (the
 * rules are not sure), and do it, writing nothing.
 */
#include <stdlib.h>

#include "workflows/wf_int.h"

int
wf_message_prepare(struct wf_ctx *x)
{
	(void)x;
	return 0;
}

void
wf_pre_free(struct wf_pre *p)
{
	(void)p;
}
