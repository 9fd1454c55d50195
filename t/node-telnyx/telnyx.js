// Telnyx's official Node library, as the tests drive it:
//   node telnyx.js dial BASE_URL API_KEY JSON      places a call
//   node telnyx.js hangup BASE_URL API_KEY ID      hangs it up
//   node telnyx.js verify PUBLIC_KEY_B64 TS SIG BODY_FILE
// prints "ok", or the library's error.
'use strict';

const fs = require('fs');
const { Telnyx } = require('telnyx');
const { TelnyxWebhook } = require('telnyx/lib/webhooks');

async function main() {
    const [cmd, ...a] = process.argv.slice(2);

    if (cmd === 'dial' || cmd === 'hangup') {
        const client = new Telnyx({ apiKey: a[1], baseURL: a[0],
                                    maxRetries: 0, timeout: 5000 });
        if (cmd === 'dial') {
            await client.calls.dial(JSON.parse(a[2]));
        } else {
            await client.calls.actions.hangup(a[2], {});
        }
    } else if (cmd === 'verify') {
        const body = fs.readFileSync(a[3], 'utf8');
        await new TelnyxWebhook(a[0]).verify(body, {
            'telnyx-timestamp': a[1], 'telnyx-signature-ed25519': a[2] });
    } else {
        throw new Error('unknown command ' + cmd);
    }
    console.log('ok');
}

main().catch((e) => { console.log('error: ' + e.message); process.exit(1); });
