// t/116_tokens_interop.t drives Node's jose with this:
//   node jwt.mjs verify <jwks url | secret file> <token> <alg> <iss> <aud>
//     prints the token's sub, or "error: <code>" and exits 1
//   node jwt.mjs sign <alg> <key file> <kid> <claims json> [typ]
//     prints a token
import { readFileSync } from "node:fs";
import * as jose from "jose";

const [cmd, ...args] = process.argv.slice(2);

async function key(alg, file) {
    const text = readFileSync(file, "utf8");
    if (alg === "HS256") {
        return new TextEncoder().encode(text.trim());
    }
    return text.includes("PUBLIC KEY") ? jose.importSPKI(text, alg)
                                        : jose.importPKCS8(text, alg);
}

try {
    if (cmd === "verify") {
        const [where, token, alg, iss, aud] = args;
        const k = where.startsWith("http")
            ? jose.createRemoteJWKSet(new URL(where))
            : await key(alg, where);
        const { payload } = await jose.jwtVerify(token, k, {
            algorithms: [alg], typ: "missedcall+jwt", issuer: iss,
            audience: aud });
        console.log(payload.sub);
    } else if (cmd === "sign") {
        const [alg, file, kid, claims, typ] = args;
        const token = await new jose.SignJWT(JSON.parse(claims))
            .setProtectedHeader({ alg, kid, typ: typ || "missedcall+jwt" })
            .sign(await key(alg, file));
        console.log(token);
    } else {
        throw new Error("usage: verify | sign");
    }
} catch (e) {
    console.log("error: " + (e.code || e.message));
    process.exit(1);
}
