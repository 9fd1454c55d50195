// Twilio's own library as the judge of the Messages wire format: sends
// the message on stdin ({account, token, base, to, from | service, body})
// as twilio-node does, to base (the suite's fake Twilio) instead of
// api.twilio.com, and prints the message sid the fake answered.

'use strict';

const twilio = require('twilio');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
    const m = JSON.parse(input);
    const client = twilio(m.account, m.token);
    client.api.baseUrl = m.base;
    const params = { to: m.to, body: m.body };
    if (m.service) {
        params.messagingServiceSid = m.service;
    } else {
        params.from = m.from;
    }
    try {
        const msg = await client.messages.create(params);
        process.stdout.write(JSON.stringify({ sid: msg.sid }));
    } catch (e) {
        process.stdout.write(JSON.stringify({ error: String(e) }));
        process.exitCode = 1;
    }
});
