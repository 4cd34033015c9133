/* Keeps the test helper library non-empty before any helper lands. */
int mtkbak_testlib_present(void);
int mtkbak_testlib_present(void)
{
	return 1;
}
