/* draftbot migrate, draftbot config check */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bot/cli.h"

int
cli_migrate(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot migrate [--json]";
	struct queue *q = NULL;
	bool json = false;
	int code, r;

	code = cli_json_args(argc, argv, "migrate", usage, 0, &json);
	if (code >= 0)
		return code;
	/* Opening applies whatever migrations are pending. */
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	if (json) {
		/* json-c escapes the path; a quote in it must stay JSON. */
		struct json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "db", json_object_new_string(cfg_str(cli->cfg, "db")));
		json_object_object_add(o, "schema_version",
		    json_object_new_int(queue_schema_version(q)));
		json_object_object_add(
		    o, "latest", json_object_new_int(queue_schema_latest()));
		printf("%s\n",
		    json_object_to_json_string_ext(o,
		        JSON_C_TO_STRING_PLAIN |
		            JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else
		printf("%s: schema version %d (this draftbot knows up to %d)\n",
		    cfg_str(cli->cfg, "db"), queue_schema_version(q),
		    queue_schema_latest());
	queue_close(q);
	return 0;
}

/* Beyond what the table checks: the database's folder must exist. */
static int
check_db_path(const char *db)
{
	char copy[PATH_MAX];
	struct stat st;
	const char *dir;

	snprintf(copy, sizeof(copy), "%s", db);
	dir = dirname(copy);
	if (stat(dir, &st) < 0)
		return cli_error("db: folder %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_error("db: %s is not a folder", dir);
	if (stat(db, &st) == 0 && S_ISDIR(st.st_mode))
		return cli_error("db: %s is a directory, not a database file",
		    db);
	return 0;
}

static int
config_check(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot [--config FILE] config check "
				    "[--json]";
	bool json = false;
	int code;

	code = cli_json_args(argc, argv, "config check", usage, 0, &json);
	if (code >= 0)
		return code;
	/* Loading already refused unknown keys and bad values. */
	if (cfg_print(cli->cfg, stdout, json) < 0)
		return cli_error("config check: cannot write the output");
	return check_db_path(cfg_str(cli->cfg, "db"));
}

static const struct cli_cmd config_cmds[] = {
	{ "check", config_check,
	    "print the effective settings (secrets masked); fail on a bad one" },
	{ NULL, NULL, NULL },
};

int
cli_config(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, config_cmds, "draftbot config", argc - 1,
	    argv + 1);
}
