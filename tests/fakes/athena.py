"""A scripted Amazon Athena for lakescope's tests (stdlib only): the four
calls lakescope makes, over the JSON protocol the AWS SDK speaks.

    python3 athena.py SCENARIO.json PORT_FILE LOG_FILE

SCENARIO: {"states": ["QUEUED", "RUNNING", "SUCCEEDED"] (one per poll, the
last repeated), "columns": [...], "rows": [[...], ...], "page_size": 2,
"scanned": bytes, "reason": "why it failed"}. The port it listens on is
written to PORT_FILE; every request (target and body) is appended to
LOG_FILE as one JSON line.

With "answers": [{"match": "text", "columns": [...], "rows": [...]}, ...]
each started query is answered by the first whose "match" is in its SQL
(else by the top-level columns and rows), with its own id (q-1, q-2, …)
and its own polls.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

scenario = json.load(open(sys.argv[1]))
log_path = sys.argv[3]
queries = {}  # id -> {"polls": n, "answer": {...}}
stopped = False


def answer_for(sql):
    for answer in scenario.get("answers", []):
        if answer["match"] in sql:
            return answer
    return scenario


class Athena(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global stopped
        target = self.headers.get("X-Amz-Target", "").split(".")[-1]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with open(log_path, "a") as log:
            log.write(json.dumps({"target": target, "body": body, "auth": self.headers.get("Authorization", "")}) + "\n")
        if target == "StartQueryExecution":
            query_id = f"q-{len(queries) + 1}"
            queries[query_id] = {"polls": 0, "answer": answer_for(body.get("QueryString", ""))}
            return self.reply({"QueryExecutionId": query_id})
        if target == "StopQueryExecution":
            stopped = True
            return self.reply({})
        query = queries.get(body.get("QueryExecutionId"), {"polls": 0, "answer": scenario})
        if target == "GetQueryExecution":
            states = scenario["states"]
            state = "CANCELLED" if stopped else states[min(query["polls"], len(states) - 1)]
            query["polls"] += 1
            status = {"State": state}
            if state == "FAILED":
                status["StateChangeReason"] = scenario.get("reason", "")
                status["AthenaError"] = {"ErrorMessage": scenario.get("reason", "")}
            return self.reply({
                "QueryExecution": {
                    "QueryExecutionId": body.get("QueryExecutionId"),
                    "Status": status,
                    "Statistics": {"DataScannedInBytes": scenario.get("scanned", 0), "EngineExecutionTimeInMillis": 42},
                }
            })
        if target == "GetQueryResults":
            size = scenario.get("page_size", 1000)
            start = int(body.get("NextToken") or 0)
            answer = query["answer"]
            rows = answer["rows"][start:start + size]
            page = [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows]
            if start == 0:
                page.insert(0, {"Data": [{"VarCharValue": c} for c in answer["columns"]]})
            out = {
                "ResultSet": {
                    "Rows": page,
                    "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Type": "varchar"} for c in answer["columns"]]},
                }
            }
            if start + size < len(answer["rows"]):
                out["NextToken"] = str(start + size)
            return self.reply(out)
        self.send_response(400)
        self.end_headers()


server = HTTPServer(("127.0.0.1", 0), Athena)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
