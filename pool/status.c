/* status.c - counters of every function as one JSON document. */
#include "status.h"

#include <stdlib.h>
#include <unistd.h>

#include "lkm.h"
#include "pool.h"

struct status_walk {
	FILE *out;
	int n;
};

static void status_fn(struct pool *p, void *arg)
{
	struct status_walk *w = arg;
	struct fn_stats *s = p->stats;
	double p50, p99;
	unsigned idle, busy, queued;

	pthread_mutex_lock(&p->lock);
	idle = p->n_idle;
	busy = p->busy;
	queued = p->queued;
	pthread_mutex_unlock(&p->lock);
	stats_percentiles(s, &p50, &p99);
	/* "warm" is the idle children; pool.target the configured warm.
	 * Names are [A-Za-z0-9_-]: no JSON escaping needed. */
	fprintf(w->out,
		"%s\n  \"%s\": {\"requests\": %llu, \"responses\": {\"2xx\": %llu, "
		"\"3xx\": %llu, \"4xx\": %llu, \"5xx\": %llu}, \"timeouts\": %llu, "
		"\"violations\": %llu, \"warm\": %u, \"busy\": %u, \"queued\": %u, "
		"\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"pool\": {\"target\": %u, "
		"\"spawned\": %llu, \"spawn_failures\": %llu, \"busy_polled\": %llu}",
		w->n++ ? "," : "", s->name, (unsigned long long)s->requests,
		(unsigned long long)s->r2xx, (unsigned long long)s->r3xx,
		(unsigned long long)s->r4xx, (unsigned long long)s->r5xx,
		(unsigned long long)s->timeouts,
		(unsigned long long)s->violations, idle, busy, queued, p50, p99,
		p->fn->warm, (unsigned long long)s->spawned,
		(unsigned long long)s->spawn_failures,
		(unsigned long long)s->busy_polled);
	lkm_status_json(w->out, s->name);
	fputc('}', w->out);
}

char *status_json(size_t *len)
{
	char *buf = NULL;
	struct status_walk w = { 0 };

	w.out = open_memstream(&buf, len);
	if (w.out == NULL)
		return NULL;
	fprintf(w.out, "{\"pid\": %d, \"lkm\": \"%s\", \"functions\": {",
		(int)getpid(), lkm_state_name(lkm_state()));
	table_foreach(status_fn, &w);
	fprintf(w.out, "\n}}\n");
	fclose(w.out);
	return buf;
}

size_t status_respond(FCGX_Request *rq, const char *req_id)
{
	size_t len = 0;
	char *json = status_json(&len);

	if (json == NULL) {
		FCGX_FPrintF(rq->out,
			     "Status: 500 Internal Server Error\r\n"
			     "Content-Type: text/plain\r\n"
			     "X-Request-Id: %s\r\n\r\nout of memory\n",
			     req_id);
		return 0;
	}
	FCGX_FPrintF(
		rq->out,
		"Content-Type: application/json\r\nCache-Control: no-store\r\n"
		"X-Request-Id: %s\r\n\r\n",
		req_id);
	FCGX_PutStr(json, (int)len, rq->out);
	free(json);
	return len;
}
