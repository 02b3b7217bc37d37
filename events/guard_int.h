/*
 * guard_int — the parts of ev_guard(): the tokenizer (guard.c), the
 * rules for what each tag opens and closes (guard_rules.c), and the
 * machinery of gumbo's tree builder they drive (guard_tree.c).
 */
#ifndef DRAFTBOT_GUARD_INT_H
#define DRAFTBOT_GUARD_INT_H

#include "events/gumbox.h" /* <gumbo.h>, loaded at run time */
#include <stdbool.h>
#include <stddef.h>

#include "events/ev_int.h"

/* Entries of the list of active formatting elements kept; a page that
 * needs more is cut there. */
#define GUARD_FMT_MAX 256

/* What a tag is to the tree builder (bits of guard_tree.kind). */
enum {
	GUARD_SPECIAL = 1 << 0,
	GUARD_SCOPE = 1 << 1, /* ends an "in scope" search */
	GUARD_FORMATTING = 1 << 2,
	GUARD_CLOSES_P = 1 << 3,
	GUARD_VOID = 1 << 4,    /* never stays on the stack */
	GUARD_MARKER = 1 << 5,  /* puts a marker in the formatting list */
	GUARD_IMPLIED = 1 << 6, /* closed by "generate implied end tags" */
	GUARD_RAWTEXT = 1 << 7,
};

enum guard_scope {
	GUARD_S_DEFAULT,
	GUARD_S_BUTTON,
	GUARD_S_LIST,
	GUARD_S_TABLE,
};

enum guard_ns { GUARD_HTML, GUARD_SVG, GUARD_MATH };

/* A tag as the tokenizer read it. */
struct guard_tag {
	bool end, self_closing, complete;
	size_t attrs; /* how many attributes */
	size_t name_off, name_len;
	size_t attr_off, attr_len; /* the attributes as written */
	GumboTag id;               /* GUMBO_TAG_UNKNOWN for other names */
	size_t next;               /* just after '>' */
};

/* An element on the stack of open elements. */
struct guard_open {
	GumboTag tag;
	enum guard_ns ns;
	unsigned fmt; /* its formatting list entry's id, 0 when none */
};

/* An entry of the list of active formatting elements, or a marker. */
struct guard_fmt {
	GumboTag tag;
	size_t attr_off, attr_len; /* compared for the Noah's Ark clause */
	unsigned id;               /* of its element on the stack, 0: off it */
	bool marker;
};

struct guard_tree {
	const char *buf;
	unsigned char kind[GUMBO_TAG_LAST]; /* GUARD_* bits of each tag */
	struct guard_open stack[EV_DEPTH_MAX];
	size_t depth;
	struct guard_fmt list[GUARD_FMT_MAX];
	size_t nlist;
	unsigned next_id;
	bool quirks; /* the document is in quirks mode */
};

/* The rules (guard_rules.c).  A start tag and text return false when the
 * stack would grow past EV_DEPTH_MAX or the list past GUARD_FMT_MAX, or
 * at markup gumbo 0.10 is known to abort on: the input is cut there.
 * *raw says whether the element's content is text up to its end tag. */
bool ev_guard_start(
    struct guard_tree *tr, const struct guard_tag *t, bool *raw);
void ev_guard_end(struct guard_tree *tr, const struct guard_tag *t);
bool ev_guard_text(struct guard_tree *tr);

/* The machinery (guard_tree.c). */
void ev_guard_tree_init(struct guard_tree *tr, const char *buf, bool quirks);
bool ev_guard_is(const struct guard_tree *tr, GumboTag t, unsigned kind);
/* Is the open element o special, does it end scopes (its namespace
 * counts: an SVG "title" is special, an HTML "desc" is not)? */
bool ev_guard_special(const struct guard_tree *tr, const struct guard_open *o);
bool ev_guard_scoping(const struct guard_tree *tr, const struct guard_open *o);
/* A tag of a known name, for searches. */
struct guard_tag ev_guard_known(GumboTag id);
/* Does o have t's name (as gumbo 0.10 sees it: any two unknown names
 * are the same), whatever its namespace? */
bool ev_guard_same_name(const struct guard_tree *tr, const struct guard_open *o,
    const struct guard_tag *t);
/* Index of the topmost HTML element like t (of id) in scope s, or of
 * that element anywhere; SIZE_MAX when none. */
size_t ev_guard_in_scope(
    const struct guard_tree *tr, const struct guard_tag *t, enum guard_scope s);
size_t ev_guard_scope_of(
    const struct guard_tree *tr, GumboTag id, enum guard_scope s);
size_t ev_guard_topmost(const struct guard_tree *tr, GumboTag id);
bool ev_guard_top_is(const struct guard_tree *tr, GumboTag id);
/* Is the current node SVG or MathML content (not a point where HTML
 * comes back in)?  Is any SVG or MathML element open? */
bool ev_guard_in_foreign(const struct guard_tree *tr);
bool ev_guard_foreign_open(const struct guard_tree *tr);
/* Push t (in the namespace of its place; a formatting element also goes
 * into the list, a marker element puts a marker there); pop the elements
 * from k up; take the element at k alone out. */
bool ev_guard_push(struct guard_tree *tr, const struct guard_tag *t);
void ev_guard_pop_to(struct guard_tree *tr, size_t k);
void ev_guard_erase(struct guard_tree *tr, size_t k);
/* Reopen the formatting elements closed implicitly. */
bool ev_guard_reconstruct(struct guard_tree *tr);
/* End tags: "any other end tag", the adoption agency, and what a new a
 * does with an open one. */
void ev_guard_any_other_end(struct guard_tree *tr, const struct guard_tag *t);
void ev_guard_agency(struct guard_tree *tr, const struct guard_tag *t);
void ev_guard_close_a(struct guard_tree *tr);

#endif
