#!/bin/sh
# Conformance of `enquiry serve` to its own OpenAPI document, checked by schemathesis.
#
# usage: crates/mock/tests/schemathesis.sh PYTHON ENQUIRY_BIN
#   PYTHON       a Python with schemathesis installed (pip install schemathesis)
#   ENQUIRY_BIN  the `enquiry` binary to test
#
# Starts `enquiry serve --addr 127.0.0.1:0` (loopback only), runs schemathesis against
# /openapi.json with the token (bounded: at most 60 examples per operation per round, 60 seconds of fuzzing),
# checks that no response violates the document and that the server answered no 5xx (no
# faults are injected in this run, so none is expected), then stops the server with SIGTERM
# and requires a clean exit. The subscription PATCH is left out: schemathesis would make the
# server perform the challenge handshake against whatever URL it generates, off loopback.
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: $0 PYTHON ENQUIRY_BIN" >&2
    exit 2
fi
PYTHON=$1
ENQUIRY=$2
TOKEN=schemathesis-token
APP=conformance-app
WORK=$(mktemp -d)
SERVER_PID=

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT INT TERM

"$ENQUIRY" serve --addr 127.0.0.1:0 --app "$APP" --token "$TOKEN" --seed 1 --records 2000 \
    --rate-limit 1000000/min >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!

URL=
tries=0
while [ -z "$URL" ]; do
    URL=$(head -n 1 "$WORK/stdout" 2>/dev/null || true)
    tries=$((tries + 1))
    if [ -z "$URL" ] && [ "$tries" -gt 100 ]; then
        echo "enquiry serve did not print its address within 10 s:" >&2
        cat "$WORK/stderr" >&2
        exit 1
    fi
    [ -n "$URL" ] || sleep 0.1
done
case "$URL" in
http://127.0.0.1:*) ;;
*)
    echo "unexpected first line from enquiry serve: $URL" >&2
    exit 1
    ;;
esac

cat >"$WORK/schemathesis.toml" <<EOF
[parameters]
"path.appID" = "$APP"
EOF

status=0
"$PYTHON" -m schemathesis.cli --config-file "$WORK/schemathesis.toml" run "$URL/openapi.json" \
    --url "$URL" \
    --header "Authorization: Bearer $TOKEN" \
    --exclude-operation-id updateInquiryEventSubscription \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples 60 --max-time 60 --seed 1 --workers 2 \
    --request-timeout 10 --no-color || status=$?

# The server's own log: no 5xx at all (no fault was injected).
curl_python='import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_mock/requests"))
errors = [entry for entry in log if entry["status"] >= 500]
pages = [e for e in log if e["path"].endswith("/enquiry-detail") and e["status"] == 200]
print(f"server log: {len(log)} requests, {len(pages)} pages served, {len(errors)} with a 5xx status")
sys.exit(1 if errors or not pages else 0)'
"$PYTHON" -c "$curl_python" "$URL" || status=1

stop_server
if [ "$status" -ne 0 ]; then
    echo "conformance FAILED" >&2
    exit 1
fi
echo "conformance OK"
