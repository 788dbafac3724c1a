/* empty.c - the program `make size` subtracts: the same start-up code and nothing else. */
int main(void)
{
    for (;;)
        __asm__ volatile("wfi");
}
