// clang: the C compiler (clang and lld from @yowasp/clang, compiled to WASI) as a
// kernelkit program. The driver (user/wasi/clang-driver.ts) runs each compile and link
// job as a fresh instance of /usr/bin/llvm.wasm; share the staged tree with
//   kernelkit run --mount build/clang-root/usr:/usr -- 'clang -O2 hello.c -o hello.wasm'
export { main } from '../wasi/clang-driver.js';
