#include "err.h"
#include "opts.h"

int predictions_mode(const struct opts *o)
{
	(void)o;
	die(EXIT_USAGE, "--predictions is not available yet");
}
