/* bpf - creates a BPF map: the door to loading programs into the kernel. */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "hostile.h"

int main(void)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		result(0, "bpf(BPF_MAP_CREATE): %s", ename(errno));
	result(1, "bpf(BPF_MAP_CREATE): map fd %ld", fd);
}
