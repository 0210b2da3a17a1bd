/* mlpromote's parsed command line, shared by the subcommands. */
#ifndef MLPROMOTE_OPTS_H
#define MLPROMOTE_OPTS_H

struct opts {
	const char *registry;         /* --registry or MLGATE_REGISTRY */
	const char *model;
	const char *version;
	const char *stage;            /* NULL: "current" where one is needed */
	const char *run;
	const char *chdir;            /* -C */
	const char *verdict;
	const char *approved_by;
	const char *reason;
	const char *to;
	const char *format;
	const char *max_age;
	const char *output;
	const char *pubkey;           /* --pubkey / -p */
	const char *seckey;           /* --sign / -s */
	const char *require_approval;
	long long expect;             /* -1 when not given */
	int force;
	int pretty;
	char **args;                  /* operands */
	int nargs;
};

#define DEFAULT_STAGE "current"

int cmd_init(struct opts *o);
int cmd_publish(struct opts *o);
int cmd_promote(struct opts *o);
int cmd_rollback(struct opts *o);
int cmd_status(struct opts *o);
int cmd_history(struct opts *o);
int cmd_pull(struct opts *o);
int cmd_verify(struct opts *o);
int cmd_keygen(struct opts *o);

/* --help: the synopsis on stdout, exit 0 (3 when stdout cannot be written). */
_Noreturn void usage(void);

#endif
