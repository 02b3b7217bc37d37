/* effect — writes to Google after Confirm (in progress). */
#include <errno.h>

#include "workflows/wf_int.h"

int
wf_effect(struct wf_ctx *x)
{
	(void)x;
	return -ENOTSUP;
}

int
wf_oauth_exchange(struct wf_ctx *x)
{
	(void)x;
	return -ENOTSUP;
}
