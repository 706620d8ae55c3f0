import * as https from 'https';
import type { Put } from './cfn-response';

/** How long one PUT of the response may take before it counts as failed and is tried again. */
const PUT_TIMEOUT_MS = 10_000;

/**
 * PUTs the response to CloudFormation's presigned S3 URL. The content type is empty because the
 * URL is signed without one. The URL's own port is used when it has one.
 */
export const httpsPut: Put = (url, body) =>
  new Promise<void>((resolve, reject) => {
    const target = new URL(url);
    const request = https.request(
      {
        hostname: target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: `${target.pathname}${target.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: PUT_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`the response URL answered HTTP ${status}`));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`the response URL did not answer within ${PUT_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
