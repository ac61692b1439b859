// false: does nothing, unsuccessfully.
export function main(): number {
  return 1;
}
