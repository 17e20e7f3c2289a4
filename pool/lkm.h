/* lkm.h - novod's side of novo.ko: register, upload whitelists, bind, count. */
#ifndef NOVO_LKM_H
#define NOVO_LKM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"

enum lkm_state { LKM_STATE_OFF, LKM_STATE_ABSENT, LKM_STATE_ACTIVE };

/*
 * Called once at start in novod's main thread. mode off: does nothing.
 * auto: registers novod as the watched parent when the module is loaded,
 * else logs why not and goes on. require: returns -1 with a reason in err
 * when it cannot register. Returns 0 otherwise.
 */
int lkm_start(enum lkm_mode mode, char *err, size_t errlen);

enum lkm_state lkm_state(void); /* checks the module is still there */
const char *lkm_state_name(enum lkm_state s); /* "active" "absent" "off" */

/* At config load/reload: the whitelist of each function (ids are stable
 * per name for the life of novod). Returns 0 or -1 (logged). */
int lkm_upload(const struct fn_config *fn);

/* Before the child execs: bind pid (as novod sees it) to function name. */
int lkm_bind(pid_t pid, const char *fn_name);

/* Appends ,"lkm_counters":{...} style JSON members for one function
 * (may write nothing). */
void lkm_status_json(FILE *out, const char *fn_name);

/*
 * Learn mode of one function (novod only): while on, the module lets the
 * function's processes make any call and records each syscall they use.
 * Returns 0, or -1 (logged).
 */
int lkm_set_learn(const char *fn_name, bool on);

/*
 * The syscalls a function used in learn mode, as sorted native numbers
 * (*nr malloc'ed, free it). Works from any root process (novoctl): it
 * reads the module's counters. Returns 0, or -1 with errno set.
 */
int lkm_learned(const char *fn_name, int **nr, size_t *n);

/* Ends the watch (novod's clean exit; its death does the same). */
void lkm_stop(void);

#endif
