// Returning from main is exiting with that status.
int main(void) { return 7; }
