// Twilio's own library as the judge of callback signatures: for each case
// on stdin ({token, sign_url, url, body, signature?}), the signature
// twilio-node computes for sign_url and whether its validateRequest
// accepts the case's signature for the configured url.  The parameters
// are what Express's urlencoded parser hands it: a repeated name's values
// as an array.

'use strict';

const twilio = require('twilio');

function params(body) {
    const out = {};
    for (const [k, v] of new URLSearchParams(body)) {
        if (!(k in out)) {
            out[k] = v;
        } else if (Array.isArray(out[k])) {
            out[k].push(v);
        } else {
            out[k] = [out[k], v];
        }
    }
    return out;
}

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
    const cases = JSON.parse(input);
    const out = cases.map((c) => {
        const p = params(c.body);
        const signature = c.signature !== undefined ? c.signature
            : twilio.getExpectedTwilioSignature(c.token, c.sign_url, p);
        return {
            signature,
            valid: twilio.validateRequest(c.token, signature, c.url, p),
        };
    });
    process.stdout.write(JSON.stringify(out));
});
