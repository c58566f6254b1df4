/** What Lambda reports when a function runs past its timeout. */
export class LambdaTimeout extends Error {
  constructor(requestId: string, seconds: number) {
    super(`${requestId} Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}
