/*
 * guard_rules — what each tag does to gumbo's stack of open elements, as
 * the HTML tree construction rules say and gumbo 0.10 does them: which
 * open elements a start tag closes first (p, li, dd/dt, headings,
 * buttons, options, ruby parts, a and nobr), the table structure (the
 * implied tbody and tr, cells that close cells), select (where most tags
 * are ignored), SVG and MathML content (where tags nest as written but
 * for those that break out), and how end tags find what they close.
 *
 * Where gumbo's behaviour is not followed exactly, the rules keep more
 * elements open than gumbo, and take care that such an extra element
 * cannot later be what an end tag closes down to.
 */
#include <string.h>
#include <strings.h>

#include "events/guard_int.h"

enum { HANDLED, CUT, REPROCESS };

static void
pop_top(struct guard_tree *tr)
{
	ev_guard_pop_to(tr, tr->depth - 1);
}

static bool
push_known(struct guard_tree *tr, GumboTag id)
{
	struct guard_tag t = ev_guard_known(id);

	return ev_guard_push(tr, &t);
}

static bool
is_heading(GumboTag t)
{
	return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 ||
	    t == GUMBO_TAG_H4 || t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' ||
	    ch == '\r';
}

/* Does tag t have an attribute named name (lower case)? */
static bool
has_attr(
    const struct guard_tree *tr, const struct guard_tag *t, const char *name)
{
	const char *s = tr->buf + t->attr_off;
	size_t n = t->attr_len, i = 0, k = strlen(name);

	while (i < n) {
		size_t start;

		while (i < n && (blank(s[i]) || s[i] == '/'))
			i++;
		start = i;
		while (i < n && !blank(s[i]) && s[i] != '/' && s[i] != '=' &&
		    (i == start || s[i] != '>'))
			i++;
		if (i - start == k && strncasecmp(s + start, name, k) == 0)
			return true;
		while (i < n && blank(s[i]))
			i++;
		if (i >= n || s[i] != '=') {
			if (i == start)
				i++;
			continue;
		}
		i++;
		while (i < n && blank(s[i]))
			i++;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			char q = s[i++];

			while (i < n && s[i] != q)
				i++;
			i++;
		} else {
			while (i < n && !blank(s[i]))
				i++;
		}
	}
	return false;
}

/* Start tags that leave SVG and MathML content ("font" only with a
 * color, face or size attribute). */
static bool
breaks_out(const struct guard_tree *tr, const struct guard_tag *tag)
{
	GumboTag t = tag->id;
	static const GumboTag out[] = {GUMBO_TAG_B, GUMBO_TAG_BIG,
	    GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY, GUMBO_TAG_BR,
	    GUMBO_TAG_CENTER, GUMBO_TAG_CODE, GUMBO_TAG_DD, GUMBO_TAG_DIV,
	    GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_EM, GUMBO_TAG_EMBED,
	    GUMBO_TAG_HEAD, GUMBO_TAG_HR, GUMBO_TAG_I, GUMBO_TAG_IMG,
	    GUMBO_TAG_LI, GUMBO_TAG_LISTING, GUMBO_TAG_MENU, GUMBO_TAG_META,
	    GUMBO_TAG_NOBR, GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_PRE,
	    GUMBO_TAG_RUBY, GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_SPAN,
	    GUMBO_TAG_STRONG, GUMBO_TAG_STRIKE, GUMBO_TAG_SUB, GUMBO_TAG_SUP,
	    GUMBO_TAG_TABLE, GUMBO_TAG_TT, GUMBO_TAG_U, GUMBO_TAG_UL,
	    GUMBO_TAG_VAR};

	if (is_heading(t))
		return true;
	if (t == GUMBO_TAG_FONT)
		return has_attr(tr, tag, "color") ||
		    has_attr(tr, tag, "face") || has_attr(tr, tag, "size");
	for (size_t k = 0; k < sizeof(out) / sizeof(out[0]); k++)
		if (out[k] == t)
			return true;
	return false;
}

static bool
is_table_part(GumboTag t)
{
	return t == GUMBO_TAG_TD || t == GUMBO_TAG_TH || t == GUMBO_TAG_TR ||
	    t == GUMBO_TAG_TBODY || t == GUMBO_TAG_THEAD ||
	    t == GUMBO_TAG_TFOOT || t == GUMBO_TAG_CAPTION ||
	    t == GUMBO_TAG_COLGROUP || t == GUMBO_TAG_COL;
}

/* The topmost of the HTML elements a, b, c above index floor. */
static size_t
topmost_above(const struct guard_tree *tr, GumboTag a, GumboTag b, GumboTag c,
    size_t floor)
{
	for (size_t k = tr->depth; k-- > floor + 1;) {
		GumboTag o = tr->stack[k].tag;

		if (tr->stack[k].ns == GUARD_HTML &&
		    (o == a || o == b || o == c))
			return k;
	}
	return SIZE_MAX;
}

/* The table or template whose rules table parts follow (the topmost of
 * them), SIZE_MAX when neither is open. */
static size_t
table_context(const struct guard_tree *tr)
{
	size_t table = ev_guard_topmost(tr, GUMBO_TAG_TABLE);
	size_t tmpl = ev_guard_topmost(tr, GUMBO_TAG_TEMPLATE);

	if (table == SIZE_MAX)
		return tmpl;
	return tmpl != SIZE_MAX && tmpl > table ? tmpl : table;
}

/* A row, cell, row group, caption or column: the stack is cleared back to
 * the table's level needed (with the implied tbody and tr added), as in
 * the "in table", "in table body", "in row" and "in cell" modes. */
static bool
table_start(struct guard_tree *tr, const struct guard_tag *t)
{
	size_t ctx = table_context(tr), row, sect;
	GumboTag id = t->id;

	if (ctx == SIZE_MAX)
		return true; /* ignored outside a table */
	if (tr->stack[ctx].tag == GUMBO_TAG_TEMPLATE) {
		ev_guard_pop_to(tr, ctx + 1);
	} else if (id == GUMBO_TAG_TD || id == GUMBO_TAG_TH ||
	    id == GUMBO_TAG_TR) {
		row = id == GUMBO_TAG_TR ? SIZE_MAX
		                         : topmost_above(tr, GUMBO_TAG_TR,
		                               GUMBO_TAG_TR, GUMBO_TAG_TR, ctx);
		sect = topmost_above(
		    tr, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT, ctx);
		if (row != SIZE_MAX) {
			ev_guard_pop_to(tr, row + 1);
		} else {
			if (sect != SIZE_MAX) {
				ev_guard_pop_to(tr, sect + 1);
			} else {
				ev_guard_pop_to(tr, ctx + 1);
				if (!push_known(tr, GUMBO_TAG_TBODY))
					return false;
			}
			if (id != GUMBO_TAG_TR && !push_known(tr, GUMBO_TAG_TR))
				return false;
		}
	} else {
		ev_guard_pop_to(tr, ctx + 1);
	}
	if (id == GUMBO_TAG_COLGROUP || id == GUMBO_TAG_COL)
		return true; /* column groups hold only void cols */
	return ev_guard_push(tr, t);
}

/* A table start tag in a table closes it; not in a cell, nor (gumbo 0.10)
 * in a caption. */
static void
close_table(struct guard_tree *tr)
{
	size_t ctx = table_context(tr);

	if (ctx != SIZE_MAX && tr->stack[ctx].tag == GUMBO_TAG_TABLE &&
	    topmost_above(tr, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_CAPTION,
	        ctx) == SIZE_MAX)
		ev_guard_pop_to(tr, ctx);
}

/* Inside a select (with no template above it): its index, else
 * SIZE_MAX. */
static size_t
select_mode(const struct guard_tree *tr)
{
	size_t sel = ev_guard_topmost(tr, GUMBO_TAG_SELECT);
	size_t tmpl = ev_guard_topmost(tr, GUMBO_TAG_TEMPLATE);

	return sel != SIZE_MAX && (tmpl == SIZE_MAX || tmpl < sel) ? sel
	                                                           : SIZE_MAX;
}

static bool
select_closer(GumboTag t)
{
	return t == GUMBO_TAG_CAPTION || t == GUMBO_TAG_TABLE ||
	    t == GUMBO_TAG_TBODY || t == GUMBO_TAG_TFOOT ||
	    t == GUMBO_TAG_THEAD || t == GUMBO_TAG_TR || t == GUMBO_TAG_TD ||
	    t == GUMBO_TAG_TH;
}

/* A start tag in select: options, a select or form control that closes
 * it, a table tag that closes it inside a table; the rest is ignored. */
static int
select_start(
    struct guard_tree *tr, const struct guard_tag *t, size_t sel, bool *raw)
{
	size_t table = ev_guard_topmost(tr, GUMBO_TAG_TABLE);

	switch (t->id) {
	case GUMBO_TAG_OPTGROUP:
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTION))
			pop_top(tr);
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTGROUP))
			pop_top(tr);
		return ev_guard_push(tr, t) ? HANDLED : CUT;
	case GUMBO_TAG_OPTION:
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTION))
			pop_top(tr);
		return ev_guard_push(tr, t) ? HANDLED : CUT;
	case GUMBO_TAG_SELECT:
		ev_guard_pop_to(tr, sel);
		return HANDLED;
	case GUMBO_TAG_INPUT:
	case GUMBO_TAG_KEYGEN:
	case GUMBO_TAG_TEXTAREA:
		ev_guard_pop_to(tr, sel);
		return REPROCESS;
	case GUMBO_TAG_SCRIPT:
		*raw = true;
		return ev_guard_push(tr, t) ? HANDLED : CUT;
	case GUMBO_TAG_TEMPLATE:
		return ev_guard_push(tr, t) ? HANDLED : CUT;
	default:
		if (select_closer(t->id) && table != SIZE_MAX && table < sel) {
			ev_guard_pop_to(tr, sel);
			return REPROCESS;
		}
		return HANDLED; /* ignored */
	}
}

/* An end tag in select; true when the HTML rules are to take it up. */
static bool
select_end(struct guard_tree *tr, const struct guard_tag *t, size_t sel)
{
	size_t table = ev_guard_topmost(tr, GUMBO_TAG_TABLE);

	switch (t->id) {
	case GUMBO_TAG_OPTGROUP:
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTION) && tr->depth >= 2 &&
		    tr->stack[tr->depth - 2].tag == GUMBO_TAG_OPTGROUP &&
		    tr->stack[tr->depth - 2].ns == GUARD_HTML)
			pop_top(tr);
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTGROUP))
			pop_top(tr);
		return false;
	case GUMBO_TAG_OPTION:
		if (ev_guard_top_is(tr, GUMBO_TAG_OPTION))
			pop_top(tr);
		return false;
	case GUMBO_TAG_SELECT:
		ev_guard_pop_to(tr, sel);
		return false;
	case GUMBO_TAG_TEMPLATE:
		return true;
	default:
		if (select_closer(t->id) && table != SIZE_MAX && table < sel &&
		    ev_guard_in_scope(tr, t, GUARD_S_TABLE) != SIZE_MAX) {
			ev_guard_pop_to(tr, sel);
			return true;
		}
		return false; /* ignored */
	}
}

/* A new li closes the open li, a dd or dt the open dd or dt, unless a
 * special element other than address, div or p is in between. */
static void
close_item(struct guard_tree *tr, GumboTag id)
{
	for (size_t k = tr->depth; k-- > 0;) {
		GumboTag o = tr->stack[k].tag;
		bool html = tr->stack[k].ns == GUARD_HTML;

		if (html &&
		    (id == GUMBO_TAG_LI
		            ? o == GUMBO_TAG_LI
		            : o == GUMBO_TAG_DD || o == GUMBO_TAG_DT)) {
			ev_guard_pop_to(tr, k);
			return;
		}
		if (ev_guard_special(tr, &tr->stack[k]) &&
		    !(html &&
		        (o == GUMBO_TAG_ADDRESS || o == GUMBO_TAG_DIV ||
		            o == GUMBO_TAG_P)))
			return;
	}
}

/* Start tags in HTML content outside select and tables. */
static bool
body_start(struct guard_tree *tr, const struct guard_tag *t, bool *raw)
{
	GumboTag id = t->id;
	size_t k;

	if ((ev_guard_is(tr, id, GUARD_CLOSES_P) ||
	        (id == GUMBO_TAG_TABLE && !tr->quirks)) &&
	    (k = ev_guard_scope_of(tr, GUMBO_TAG_P, GUARD_S_BUTTON)) !=
	        SIZE_MAX)
		ev_guard_pop_to(tr, k);
	if (id == GUMBO_TAG_LI || id == GUMBO_TAG_DD || id == GUMBO_TAG_DT)
		close_item(tr, id);
	if (is_heading(id) && tr->depth > 0 &&
	    tr->stack[tr->depth - 1].ns == GUARD_HTML &&
	    is_heading(tr->stack[tr->depth - 1].tag))
		pop_top(tr);
	if (id == GUMBO_TAG_BUTTON &&
	    (k = ev_guard_scope_of(tr, GUMBO_TAG_BUTTON, GUARD_S_DEFAULT)) !=
	        SIZE_MAX)
		ev_guard_pop_to(tr, k);
	if (id == GUMBO_TAG_A)
		ev_guard_close_a(tr);
	if (id == GUMBO_TAG_NOBR &&
	    ev_guard_scope_of(tr, GUMBO_TAG_NOBR, GUARD_S_DEFAULT) != SIZE_MAX)
		ev_guard_agency(tr, t);
	if ((id == GUMBO_TAG_OPTION || id == GUMBO_TAG_OPTGROUP) &&
	    ev_guard_top_is(tr, GUMBO_TAG_OPTION))
		pop_top(tr);
	if ((id == GUMBO_TAG_RB || id == GUMBO_TAG_RTC || id == GUMBO_TAG_RP ||
	        id == GUMBO_TAG_RT) &&
	    ev_guard_scope_of(tr, GUMBO_TAG_RUBY, GUARD_S_DEFAULT) != SIZE_MAX)
		while (tr->depth > 0 &&
		    tr->stack[tr->depth - 1].ns == GUARD_HTML &&
		    ev_guard_is(
		        tr, tr->stack[tr->depth - 1].tag, GUARD_IMPLIED) &&
		    !(ev_guard_top_is(tr, GUMBO_TAG_RTC) &&
		        (id == GUMBO_TAG_RT || id == GUMBO_TAG_RP)))
			pop_top(tr);
	/* gumbo does this for most start tags; for the rest, doing it
	 * early only opens them sooner. */
	if (!ev_guard_reconstruct(tr))
		return false;
	if (ev_guard_is(tr, id, GUARD_VOID))
		return true;
	/* Inside a template gumbo ignores some of these start tags and
	 * reads their content as markup: so does this, which can only count
	 * more. */
	*raw = ev_guard_is(tr, id, GUARD_RAWTEXT) &&
	    ev_guard_topmost(tr, GUMBO_TAG_TEMPLATE) == SIZE_MAX;
	return ev_guard_push(tr, t);
}

bool
ev_guard_start(struct guard_tree *tr, const struct guard_tag *t, bool *raw)
{
	size_t sel;

	*raw = false;
	if (ev_guard_in_foreign(tr)) {
		if (!breaks_out(tr, t))
			return t->self_closing || ev_guard_push(tr, t);
		while (ev_guard_in_foreign(tr))
			pop_top(tr);
	}
	/* gumbo 0.10 aborts (a failed assertion) when resetting its
	 * insertion mode finds SVG or MathML around a select in a table:
	 * such a page is not read past the select.  A frameset page, where
	 * whether the frameset counts depends on what came before it, holds
	 * only frames: it is not read past the frameset. */
	if ((t->id == GUMBO_TAG_SELECT && ev_guard_foreign_open(tr)) ||
	    t->id == GUMBO_TAG_FRAMESET)
		return false;
	if ((sel = select_mode(tr)) != SIZE_MAX) {
		int r = select_start(tr, t, sel, raw);

		if (r != REPROCESS)
			return r == HANDLED;
	}
	if (is_table_part(t->id))
		return table_start(tr, t);
	if (t->id == GUMBO_TAG_TABLE)
		close_table(tr);
	return body_start(tr, t, raw);
}

void
ev_guard_end(struct guard_tree *tr, const struct guard_tag *t)
{
	enum guard_scope s = GUARD_S_DEFAULT;
	size_t k, sel;

	if (ev_guard_in_foreign(tr)) {
		/* The nearest foreign element of that name closes; at the
		 * first HTML element, the HTML rules apply.  (gumbo 0.10 has
		 * no special case for </p> and </br> here.) */
		for (k = tr->depth; k-- > 0;) {
			if (tr->stack[k].ns == GUARD_HTML)
				break;
			if (ev_guard_same_name(tr, &tr->stack[k], t)) {
				ev_guard_pop_to(tr, k);
				return;
			}
		}
	}
	if ((sel = select_mode(tr)) != SIZE_MAX && !select_end(tr, t, sel))
		return;
	if (ev_guard_is(tr, t->id, GUARD_FORMATTING)) {
		ev_guard_agency(tr, t);
		return;
	}
	if (is_heading(t->id)) {
		/* Any heading closes the open one. */
		for (k = tr->depth; k-- > 0;) {
			if (tr->stack[k].ns == GUARD_HTML &&
			    is_heading(tr->stack[k].tag)) {
				ev_guard_pop_to(tr, k);
				return;
			}
			if (ev_guard_scoping(tr, &tr->stack[k]))
				return;
		}
		return;
	}
	switch (t->id) {
	case GUMBO_TAG_BODY:
	case GUMBO_TAG_HTML:
	case GUMBO_TAG_BR:
	case GUMBO_TAG_COLGROUP:
	case GUMBO_TAG_COL:
		return;
	case GUMBO_TAG_FORM:
		/* The form element alone leaves the stack. */
		if ((k = ev_guard_in_scope(tr, t, s)) != SIZE_MAX)
			ev_guard_erase(tr, k);
		return;
	case GUMBO_TAG_P:
		s = GUARD_S_BUTTON;
		break;
	case GUMBO_TAG_LI:
		s = GUARD_S_LIST;
		break;
	default:
		if (is_table_part(t->id) || t->id == GUMBO_TAG_TABLE)
			s = GUARD_S_TABLE;
		else if (!ev_guard_is(tr, t->id, GUARD_SPECIAL)) {
			ev_guard_any_other_end(tr, t);
			return;
		}
	}
	if ((k = ev_guard_in_scope(tr, t, s)) != SIZE_MAX)
		ev_guard_pop_to(tr, k);
}

bool
ev_guard_text(struct guard_tree *tr)
{
	if (ev_guard_in_foreign(tr) || select_mode(tr) != SIZE_MAX)
		return true;
	return ev_guard_reconstruct(tr);
}
