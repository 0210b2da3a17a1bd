/* Exact binomial draws, for multinomial resamples of a confusion matrix. */
#ifndef MLEVAL_BINOMIAL_H
#define MLEVAL_BINOMIAL_H

#include <stdint.h>

/* A Binomial(n, p) draw given u uniform in [0, 1). */
uint64_t binomial_draw(uint64_t n, double p, double u);

#endif
