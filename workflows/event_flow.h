/*
 * event_flow — an event draft's life inside a run (private to workflows/):
 * made from text or from a page, revised, confirmed into the local
 * calendar exactly once, undone; and the overlaps shown on it.  Events from
 * a link (event_url.c) have a step outside the transaction,
 * wf_url_prepare(), and one inside it, wf_url_draft().
 *
 * Audit actions: draft_created {"kind":"event"…}, draft_updated,
 * draft_confirmed, event_executed, event_undone, fetch_refused,
 * event_not_found, event_extracted.
 */
#ifndef DRAFTBOT_EVENT_FLOW_H
#define DRAFTBOT_EVENT_FLOW_H

#include <json-c/json.h>

#include "workflows/draft_event.h"
#include "workflows/wf_int.h"

#define WF_EVENT_DURATION_MS (3600 * 1000LL) /* without event_duration */

/* The length of an event whose end is not stated (event_duration). */
int64_t wf_event_duration(const struct wf_ctx *x);

/* Draft text as a new event (keyed by the command id) and show its card,
 * or ask the clarification question.  prefix: a line above the card. */
int wf_event_new(struct wf_ctx *x, const char *text, const char *prefix);

/*
 * Store event draft j (borrowed; its conflicts are filled in here) as the
 * sender's new draft, keyed by the command id (wf_draft_store_show: audit
 * draft_created {"kind":"event"}), and send its card under prefix (HTML,
 * NULL none) as a reply to the message.
 */
int wf_event_create(
    struct wf_ctx *x, struct json_object *j, const char *prefix);

/* Revise event draft d (the sender's, drafted) with text and edit its
 * card in place, or ask again when the correction is not understood. */
int wf_event_revise(struct wf_ctx *x, struct store_draft *d, const char *text);

/*
 * Put the confirmed events of owner that overlap draft j's time into j's
 * "conflicts" (removed when there are none): "Team sync 14:00–15:00".
 * A draft without a valid time has none.
 */
int wf_event_conflicts(struct wf_ctx *x, int64_t owner, struct json_object *j);

/*
 * Before an event draft d is confirmed anywhere: 1 when it may be (status
 * drafted, not saved before, draft_event_validate() passes); 0 when the
 * person was answered instead ("Already saved.", the draft is closed, what
 * is wrong with it); or a negative errno.
 */
int wf_event_confirm_check(struct wf_ctx *x, struct store_draft *d);

/*
 * Confirm checked event draft d into the local calendar, exactly once: the
 * effect "draft:<id>:event" commits with the event, so a second press or a
 * re-run finds it (wf_event_confirm_check) and writes nothing more.
 * Audits draft_confirmed and event_executed; the card offers Undo.
 */
int wf_event_confirm_local(struct wf_ctx *x, struct store_draft *d);

/* Undo confirmed event draft d (status executed, undo time not over) in
 * the local calendar: delete its event, audit event_undone. */
int wf_event_undo_local(struct wf_ctx *x, struct store_draft *d);

/*
 * Outside the transaction (prepare step): fetch url with the fetch_*
 * settings and extract its events into x->pre (url_tried, url_err,
 * url_msg, url, final_url, events).  Writes nothing; returns 0 whatever
 * the page did (its outcome is in x->pre), or -ENOMEM.
 */
int wf_url_prepare(struct wf_ctx *x, const char *url);

/*
 * Inside the transaction, after wf_url_prepare(): the refusal (audit
 * fetch_refused), "I couldn't find an event on that page." (audit
 * event_not_found), or an event draft from the page's primary event
 * (audit event_extracted) with a card saying where it came from.
 */
int wf_url_draft(struct wf_ctx *x);

#endif
