/*
 * charset — pages in a legacy charset, read as UTF-8.
 *
 * gumbo reads UTF-8 only.  A page that is not valid UTF-8 and declares
 * another charset near its start (<meta charset=…>, or the http-equiv
 * content type) is converted with iconv; the labels that mean Latin-1
 * are read as windows-1252, as browsers do.  A page that is valid UTF-8
 * is left alone whatever it declares (such declarations are often
 * stale), and bytes that do not convert become U+FFFD.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events/ev_int.h"

#define SNIFF 1024 /* bytes searched for the declaration */

static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		else
			return false;
		if (i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* The charset label declared in the first SNIFF bytes into label. */
static bool
declared(const char *buf, size_t len, char *label, size_t cap)
{
	size_t n = len < SNIFF ? len : SNIFF;

	for (size_t i = 0; i + 7 < n; i++) {
		size_t j = i + 7, k = 0;

		if (strncasecmp(buf + i, "charset", 7) != 0)
			continue;
		while (j < n && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (j >= n || buf[j] != '=')
			continue;
		j++;
		while (
		    j < n && (buf[j] == ' ' || buf[j] == '"' || buf[j] == '\''))
			j++;
		while (j < n && k + 1 < cap &&
		    ((buf[j] >= 'a' && buf[j] <= 'z') ||
		        (buf[j] >= 'A' && buf[j] <= 'Z') ||
		        (buf[j] >= '0' && buf[j] <= '9') || buf[j] == '-' ||
		        buf[j] == '_' || buf[j] == '.' || buf[j] == ':'))
			label[k++] = buf[j++];
		label[k] = '\0';
		return k > 0;
	}
	return false;
}

/* The iconv name for a label; NULL for UTF-8 (nothing to do). */
static const char *
iconv_name(const char *label)
{
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1",
	    "iso88591", "iso_8859-1", "latin1", "l1", "cp819", "ibm819",
	    "us-ascii", "ascii", "cp1252", "x-cp1252", "windows-1252",
	    "csisolatin1", "iso-ir-100"};

	/* A page that says UTF-16 or UTF-32 in its own bytes is not;
	 * browsers read it as UTF-8 too. */
	if (strncasecmp(label, "utf", 3) == 0 ||
	    strcasecmp(label, "x-user-defined") == 0)
		return NULL;
	for (size_t k = 0; k < sizeof(latin1) / sizeof(latin1[0]); k++)
		if (strcasecmp(label, latin1[k]) == 0)
			return "WINDOWS-1252";
	return label;
}

int
ev_charset(const char *buf, size_t len, char **ret, size_t *ret_len)
{
	char label[48];
	const char *name;
	char *out, *in, *op;
	size_t cap, left, room;
	iconv_t cd;

	*ret = NULL;
	*ret_len = 0;
	if (len == 0 || valid_utf8((const unsigned char *)buf, len) ||
	    !declared(buf, len, label, sizeof(label)) ||
	    (name = iconv_name(label)) == NULL)
		return 0;
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return 0; /* unknown: gumbo replaces what is not UTF-8 */
	cap = len * 4 + 4;
	out = malloc(cap);
	if (out == NULL) {
		iconv_close(cd);
		return -ENOMEM;
	}
	in = (char *)buf; /* iconv's prototype; it does not write there */
	left = len;
	op = out;
	room = cap;
	while (left > 0) {
		if (iconv(cd, &in, &left, &op, &room) != (size_t)-1)
			break;
		if (errno == E2BIG || room < 3)
			break; /* no charset grows that much: drop the rest */
		/* An invalid or cut sequence: U+FFFD for its first byte. */
		memcpy(op, "\xef\xbf\xbd", 3);
		op += 3, room -= 3;
		in++, left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	*ret = out;
	*ret_len = (size_t)(op - out);
	return 0;
}
