/* unit.h - the smallest test harness: CHECK counts, UNIT_END reports. */
#ifndef NOVO_UNIT_H
#define NOVO_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

/* Counts one check; prints where and what when it fails. */
#define CHECK(cond, msg)                                                     \
	do {                                                                 \
		if (cond) {                                                  \
			unit_passed++;                                       \
		} else {                                                     \
			unit_failed++;                                       \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, msg); \
			fflush(stdout);                                      \
		}                                                            \
	} while (0)

/* Two strings equal (NULL equals only NULL); prints both when not. */
#define CHECK_STR(a, b, msg)                                               \
	do {                                                               \
		const char *unit_a_ = (a), *unit_b_ = (b);                 \
		int unit_ok_ =                                             \
			unit_a_ == unit_b_ ||                              \
			(unit_a_ && unit_b_ && !strcmp(unit_a_, unit_b_)); \
		CHECK(unit_ok_, msg);                                      \
		if (!unit_ok_)                                             \
			printf("     got \"%s\", want \"%s\"\n",           \
			       unit_a_ ? unit_a_ : "(null)",               \
			       unit_b_ ? unit_b_ : "(null)");              \
	} while (0)

/* The last line of every unit test, and its exit status. */
#define UNIT_END()                                                   \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed), \
	 unit_failed ? 1 : 0)

#endif
