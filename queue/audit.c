/* The audit log's front: checks, then the back end. */
#include <errno.h>
#include <string.h>

#include "queue/audit.h"
#include "queue/queue_int.h"

int
audit_add(struct queue *q, const struct audit_entry *e)
{
	if (e->action == NULL || e->action[0] == '\0')
		return queue_set_error(q, -EINVAL, "the audit action is empty");
	if (strlen(e->action) > AUDIT_ACTION_MAX)
		return queue_set_error(q, -EINVAL,
		    "the audit action is longer than %d bytes",
		    AUDIT_ACTION_MAX);
	/* Strict: "{} junk" would be stored as details nobody can parse. */
	if (e->details != NULL &&
	    (strlen(e->details) > AUDIT_DETAILS_MAX ||
	        !queue_is_json_object(e->details, strlen(e->details))))
		return queue_set_error(q, -EINVAL,
		    "audit details must be a JSON object of at most %d bytes",
		    AUDIT_DETAILS_MAX);
	return q->be->audit_add(q, e);
}

int
audit_query(struct queue *q, const struct audit_filter *f,
    int (*fn)(const struct audit_entry *e, void *arg), void *arg,
    int64_t *ret_last_id)
{
	return q->be->audit_query(q, f, fn, arg, ret_last_id);
}

int
audit_wait(struct queue *q, int timeout_ms)
{
	return q->be->wait_change(q, timeout_ms);
}
