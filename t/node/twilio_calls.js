// Twilio's own library as the judge of the Calls wire format: places the
// call on stdin ({account, token, base, params}, params named as
// twilio-node's calls.create takes them) to base (the suite's fake Twilio)
// instead of api.twilio.com, and prints the call sid the fake answered.

'use strict';

const twilio = require('twilio');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
    const m = JSON.parse(input);
    const client = twilio(m.account, m.token);
    client.api.baseUrl = m.base;
    try {
        const call = await client.calls.create(m.params);
        process.stdout.write(JSON.stringify({ sid: call.sid }));
    } catch (e) {
        process.stdout.write(JSON.stringify({ error: String(e) }));
        process.exitCode = 1;
    }
});
