#!/usr/bin/env bash
# boxwright-ready [SECONDS]: waits (default 180 s) until this machine's site answers 200 through
# nginx, the app and the database; exit 0 then, 1 with the last status when the time is up.
# The lab's Vagrantfile runs it after `vagrant up`, so `up` returns with the site serving.
set -Euo pipefail
HOST={{hostname}}
PORT={{nginxPort}}
limit="${1:-180}"
[[ "$limit" =~ ^[0-9]+$ ]] || { echo "usage: boxwright-ready [SECONDS]" >&2; exit 2; }
deadline=$((SECONDS + limit))
code=none
while :; do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $HOST" "http://127.0.0.1:$PORT/" 2>/dev/null)" || true
  if [[ "$code" == 200 ]]; then
    echo "boxwright-ready: http://$HOST/ answers 200 after ${SECONDS} s"
    exit 0
  fi
  ((SECONDS < deadline)) || break
  sleep 1
done
echo "boxwright-ready: http://$HOST/ did not answer 200 within ${limit} s (last status: ${code:-none});" \
  "see: systemctl status nginx 'boxwright-app@*'" >&2
exit 1
