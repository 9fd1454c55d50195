// Twilio's own library as the judge of our wire format: creates what
// stdin asks ({account, token, base, resource, params}: resource "calls"
// or "messages", params named as twilio-node's create() takes them) at
// base, the suite's fake Twilio, instead of api.twilio.com, and prints the
// sid the fake answered.

'use strict';

const twilio = require('twilio');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
    const m = JSON.parse(input);
    const client = twilio(m.account, m.token);
    client.api.baseUrl = m.base;
    try {
        const made = await client[m.resource].create(m.params);
        process.stdout.write(JSON.stringify({ sid: made.sid }));
    } catch (e) {
        process.stdout.write(JSON.stringify({ error: String(e) }));
        process.exitCode = 1;
    }
});
