/** The error a call to the local endpoint was refused with, as the SDK raised it; throws if the call succeeded. */
export async function refusal(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  const err = await call.then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => e,
  );
  if (!err) throw new Error('the endpoint accepted the request');
  return { name: err.name, status: err.$metadata.httpStatusCode, message: err.message };
}
