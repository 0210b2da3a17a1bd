/* Row orders by value, for ranks (ROC AUC) and class lists. */
#ifndef MLEVAL_ORDER_H
#define MLEVAL_ORDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The indices 0..n-1 sorted by v ascending (stable). v holds no NaN and no
 * -0. When tied is not NULL, tied[i] is set to 1 when the i-th value in
 * order equals the one before it.
 */
uint32_t *order_by_value(const double *v, size_t n, uint8_t *tied);



/*
 * ROC AUC of scores v against 0/1 labels y, ties counting one half, or NaN
 * with one class. Sorts in place: v holds sort keys afterwards, not scores.
 * Needs 10 bytes a row beside v, where order_by_value needs 24.
 */
double auc_sorting_scores(double *v, const uint8_t *y, size_t n);
#endif
