// A module importing a function kernelkit does not provide is refused (status 126).
__attribute__((import_module("env"), import_name("no_such_function"))) int no_such_function(int);
int main(void) { return no_such_function(1); }
