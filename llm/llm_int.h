/*
 * llm_int.h — what the files of the LLM client share.
 *
 *   llm.c         options and presets, the request, the API's answer
 *   llm_schema.c  the JSON schema sent and the strict reading of the reply
 */
#ifndef DRAFTBOT_LLM_INT_H
#define DRAFTBOT_LLM_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "llm/llm.h"

#define LLM_TEXT_MAX 16384    /* the person's message, bytes */
#define LLM_CONTENT_MAX 65536 /* the model's JSON text, bytes */

/*
 * The JSON schema of a reading (response_format.json_schema.schema): every
 * field required, strings "" and numbers 0 when not stated.  closed adds
 * "additionalProperties": false, which OpenAI's strict mode requires and
 * some Gemini versions reject.  A new object the caller puts; NULL on
 * ENOMEM.
 */
struct json_object *llm_schema_new(bool closed);

/* The fields and what each holds, a line "\n- name: what" each, into buf: for
 * the prompt, since some providers (Ollama) constrain the output to the
 * schema without showing its descriptions to the model.  Returns the
 * length, or len when buf was too small. */
size_t llm_schema_describe(char *buf, size_t len);

/*
 * Read content (len bytes of the model's JSON text, not necessarily
 * NUL-terminated) into *ret, strictly: a JSON object and nothing after
 * it, every field present with its type, no other field, enums, formats,
 * real dates, lengths (see llm_read()).  0, or -EBADMSG with "field:
 * problem" in err (the text of the reply is never quoted), or -ENOMEM;
 * *ret is zeroed on failure.
 */
int llm_reading_parse(const char *content, size_t len, struct llm_reading *ret,
    char *err, size_t errlen);

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool llm_utf8_valid(const char *s, size_t len);

/* The length of s[0..len) cut to at most max bytes without splitting a
 * UTF-8 sequence. */
size_t llm_utf8_cut(const char *s, size_t len, size_t max);

/* Whether y-m-d is a day of the proleptic Gregorian calendar. */
bool llm_date_valid(int y, int m, int d);

#endif
