/* crash - dies of SIGSEGV before writing anything. */
int main(void)
{
	*(volatile int *)0 = 1;
	return 0;
}
