/*
 * services — the clients workflows call out through (Google, the LLM) and
 * the key that seals tokens, made from the settings on first use and kept
 * for the life of the worker (their connections stay open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "google/gapi.h"
#include "llm/llm.h"
#include "workflows/wf_int.h"

struct wf_services {
	bool gapi_tried, llm_tried, key_tried;
	int gapi_err, llm_err, key_err;
	struct gapi *gapi;
	struct llm *llm;
	struct secret_key key;
	char key_msg[256];
};

static struct wf_services *
svc(struct wf_env *env)
{
	if (env->svc == NULL)
		env->svc = calloc(1, sizeof(*env->svc));
	return env->svc;
}

void
wf_env_close(struct wf_env *env)
{
	struct wf_services *s = env->svc;

	if (s == NULL)
		return;
	gapi_close(s->gapi);
	llm_close(s->llm);
	secret_key_wipe(&s->key);
	free(s);
	env->svc = NULL;
}

void
wf_gapi_opts(const struct cfg *c, struct gapi_opts *o)
{
	*o = (struct gapi_opts){.auth_url = cfg_str(c, "google_auth_url"),
	    .token_url = cfg_str(c, "google_token_url"),
	    .revoke_url = cfg_str(c, "google_revoke_url"),
	    .tasks_url = cfg_str(c, "google_tasks_url"),
	    .calendar_url = cfg_str(c, "google_calendar_url"),
	    .client_id = cfg_str(c, "google_client_id"),
	    .client_secret = cfg_str(c, "google_client_secret"),
	    .timeout_ms = (long)cfg_int(c, "google_timeout")};
}

void
wf_llm_opts(const struct cfg *c, struct llm_opts *o)
{
	*o = (struct llm_opts){.provider = cfg_str(c, "llm_provider"),
	    .url = cfg_str(c, "llm_url"),
	    .key = cfg_str(c, "llm_key"),
	    .model = cfg_str(c, "llm_model"),
	    .timeout_ms = (long)cfg_int(c, "llm_timeout")};
}

bool
wf_google_configured(const struct wf_ctx *x)
{
	const struct cfg *c = x->env->cfg;

	return cfg_str(c, "google_client_id") != NULL &&
	    cfg_str(c, "google_client_secret") != NULL;
}

int
wf_svc_gapi(struct wf_ctx *x, struct gapi **ret)
{
	struct wf_services *s = svc(x->env);
	const struct cfg *c = x->env->cfg;
	struct gapi_opts o;

	if (s == NULL)
		return -ENOMEM;
	if (!s->gapi_tried) {
		s->gapi_tried = true;
		if (!wf_google_configured(x)) {
			s->gapi_err = -ENOENT;
		} else {
			wf_gapi_opts(c, &o);
			s->gapi_err = gapi_open(&o, &s->gapi);
		}
	}
	*ret = s->gapi;
	return s->gapi_err;
}

int
wf_svc_llm(struct wf_ctx *x, struct llm **ret)
{
	struct wf_services *s = svc(x->env);
	const struct cfg *c = x->env->cfg;
	struct llm_opts o;

	if (s == NULL)
		return -ENOMEM;
	if (!s->llm_tried) {
		s->llm_tried = true;
		wf_llm_opts(c, &o);
		s->llm_err = llm_open(&o, &s->llm);
	}
	*ret = s->llm;
	return s->llm_err;
}

int
wf_svc_key(struct wf_ctx *x, const struct secret_key **ret, const char **why)
{
	struct wf_services *s = svc(x->env);

	if (s == NULL)
		return -ENOMEM;
	if (!s->key_tried) {
		s->key_tried = true;
		s->key_err = secret_key_load(cfg_str(x->env->cfg,
		                                 "secret_key_file"),
		    1, &s->key, s->key_msg, sizeof(s->key_msg));
	}
	*ret = &s->key;
	if (why != NULL)
		*why = s->key_msg;
	return s->key_err;
}
