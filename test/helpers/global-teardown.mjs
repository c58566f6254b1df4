export default async function globalTeardown() {
  await globalThis.__ORDERFLOW_STAND_INS__?.stop();
}
