#!/usr/bin/python3
# t/116_tokens_interop.t drives Debian's python3-jwt (PyJWT) with this:
#   pyjwt_tool.py verify <jwks url | secret file> <token> <alg> <iss> <aud>
#     prints the token's sub, or "error: <exception>" and exits 1
#   pyjwt_tool.py sign <alg> <key file> <kid> <claims json> [typ]
#     prints a token
import json
import sys

import jwt


def key(alg, path):
    with open(path, "rb") as f:
        data = f.read()
    return data.strip() if alg == "HS256" else data


def main(cmd, *args):
    if cmd == "verify":
        where, token, alg, iss, aud = args
        if where.startswith("http"):
            k = jwt.PyJWKClient(where).get_signing_key_from_jwt(token).key
        else:
            k = key(alg, where)
        if jwt.get_unverified_header(token).get("typ") != "missedcall+jwt":
            raise jwt.InvalidTokenError("typ")
        claims = jwt.decode(token, k, algorithms=[alg], issuer=iss,
                            audience=aud)
        print(claims["sub"])
    elif cmd == "sign":
        alg, path, kid, claims = args[:4]
        typ = args[4] if len(args) > 4 else "missedcall+jwt"
        print(jwt.encode(json.loads(claims), key(alg, path), algorithm=alg,
                         headers={"kid": kid, "typ": typ}))
    else:
        raise SystemExit("usage: verify | sign")


try:
    main(*sys.argv[1:])
except (jwt.PyJWTError, ValueError, KeyError) as e:
    print("error: %s: %s" % (type(e).__name__, e))
    sys.exit(1)
