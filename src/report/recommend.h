/*
 * recommend: the one-sentence recommendation each rule stands for, as the
 * seed's Recommendations list words them ("Add database indexes on
 * frequently queried columns"). A finding may carry its own sentence; this
 * catalogue is the fallback, so every command's rules read alike.
 */
#ifndef PA_RECOMMEND_H
#define PA_RECOMMEND_H

/* The sentence for a rule id, or NULL for a rule without one. */
const char *recommend_for_rule(const char *rule);

#endif
