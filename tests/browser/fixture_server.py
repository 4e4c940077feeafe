#!/usr/bin/env python3
"""Serves the dashboard (web/) and canned answers of the driftd JSON API on loopback, so that
the page can be looked at and tested without a daemon.

    python3 tests/browser/fixture_server.py --port 8099 [--token T] [--empty] [--refusal-delay-ms N]

The API answers need `Authorization: Bearer T` (401 with the driftd error shape otherwise).
--empty answers as a fresh install would: no devices, no baselines, no evaluations, no runs.
--refusal-delay-ms N answers a refused token at once on /api/v1/devices and N ms late on every
other route, as a loaded server might: the page must not let a late refusal of an old token
throw away the token typed in the meantime.
The data are synthetic and deterministic: fourteen drift features evaluated every 30 minutes
for 7 days, three of which start to drift during the last day.
"""

import argparse
import json
import math
import os
import sys
import time
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

WEB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web")
FEATURES = [f"mfcc_{i}" for i in range(13)] + ["rms_dbfs"]
DRIFTING = {"mfcc_1": 0.42, "mfcc_2": 0.27, "rms_dbfs": 0.18}
PSI_WARN, PSI_ALARM = 0.1, 0.25
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def rfc3339(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_of(psi):
    return "alarm" if psi >= PSI_ALARM else "warn" if psi >= PSI_WARN else "ok"


def evaluation(at_ms, now_ms, model_version="12", device_id=None):
    hours_before_now = (now_ms - at_ms) / 3_600_000
    ramp = max(0.0, min(1.0, (24 - hours_before_now) / 18))  # drift grows over the last day
    features = []
    for i, name in enumerate(FEATURES):
        wobble = 0.012 + 0.01 * math.sin(at_ms / 5_400_000 + i * 1.7) ** 2
        psi = round(wobble + DRIFTING.get(name, 0.0) * ramp, 4)
        features.append({"name": name, "psi": psi, "kl": round(psi * 0.52, 4),
                         "js": round(min(1.0, psi * 0.18), 4), "status": status_of(psi)})
    worst = max(features, key=lambda f: f["psi"])["status"]
    return {
        "model_version": model_version, "device_id": device_id, "evaluated_at": rfc3339(at_ms),
        "window": {"from": rfc3339(at_ms - 86_400_000), "to": rfc3339(at_ms)},
        "reference_windows": 4200, "current_windows": 812 + int(hours_before_now) % 50,
        "status": worst, "features": features,
        "predictions": {"label_psi": round(0.01 + 0.09 * ramp, 4),
                        "mean_confidence": round(0.93 - 0.12 * ramp, 3),
                        "reference_mean_confidence": 0.95},
        "thresholds": {"psi_warn": PSI_WARN, "psi_alarm": PSI_ALARM},
    }


def retrain_runs(now_ms):
    def run(run_id, state, age_h, trigger, dry_run, accuracy, error, steps):
        created = now_ms - int(age_h * 3_600_000)
        return {
            "id": run_id, "state": state, "trigger": trigger, "dry_run": dry_run,
            "created": rfc3339(created), "updated": rfc3339(created + 1_800_000),
            "model_version": "12" if age_h < 100 else "11", "clips_uploaded": 200,
            "job_id": 81234 if state != "pending" else None,
            "test_job_id": 81240 if accuracy is not None else None,
            "test_accuracy": accuracy,
            "test_per_class": {"crying": 0.93, "sleeping": 0.88, "noise": 0.9} if accuracy else None,
            "error": error,
            "steps": [{"at": rfc3339(created + k * 300_000), "step": s, "detail": d}
                      for k, (s, d) in enumerate(steps)],
        }
    return [
        run("r-7f3a9c", "training", 2, "drift", False, None, None,
            [("pending", "drift episode started: 3 alarms in a row on model 12"),
             ("uploading", "200 clips uploaded (label policy: predicted)"),
             ("training", "retrain job 81234 started")]),
        run("r-51be02", "rejected", 60, "manual", False, 0.71,
            "test accuracy 0.71 is below min_test_accuracy 0.80; nothing dispatched",
            [("pending", "manual trigger by admin"), ("uploading", "184 clips uploaded"),
             ("training", "retrain job 80110 finished"), ("testing", "accuracy 0.71 (good 142, bad 58)"),
             ("rejected", "below the quality gate")]),
        run("r-0c11d4", "succeeded", 200, "drift", False, 0.91, None,
            [("pending", "drift episode started"), ("uploading", "200 clips uploaded"),
             ("training", "retrain job 77001 finished"), ("testing", "accuracy 0.91"),
             ("dispatching", "repository_dispatch edge-impulse-retrained sent"),
             ("succeeded", "done")]),
    ]


class Handler(SimpleHTTPRequestHandler):
    token = "test-viewer-token"
    empty = False
    refusal_delay_ms = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=WEB_DIR, **kwargs)

    def end_headers(self):
        # The headers driftd sends with the dashboard: the page must work under this policy.
        if not self.path.startswith("/api/"):
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("FIXTURE_VERBOSE"):
            super().log_message(fmt, *args)

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.send_json(status, {"error": {"code": code, "message": message}})

    def do_GET(self):
        url = urlparse(self.path)
        if not url.path.startswith("/api/"):
            return super().do_GET()
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            if url.path != "/api/v1/devices":
                time.sleep(self.refusal_delay_ms / 1000)
            return self.error(401, "unauthorized", "A valid bearer token is required.")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        now = int(time.time() * 1000)
        path = url.path
        if path == "/api/v1/drift":
            if self.empty:
                return self.send_json(200, dict(evaluation(now, now), status="no_reference",
                                                features=[], reference_windows=0, current_windows=0))
            return self.send_json(200, evaluation(now - 120_000, now, query.get("model_version") or "12",
                                                  query.get("device_id")))
        if path == "/api/v1/drift/history":
            if self.empty:
                return self.send_json(200, {"evaluations": []})
            since = query.get("since")
            since_ms = (int(datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp() * 1000)
                        if since else now - 7 * 86_400_000)
            step = 1_800_000
            times = range(now - 120_000, since_ms, -step)
            return self.send_json(200, {"evaluations": [evaluation(t, now, query.get("model_version") or "12",
                                                                   query.get("device_id")) for t in times]})
        if path == "/api/v1/devices":
            if self.empty:
                return self.send_json(200, {"devices": []})
            devices = []
            for i in range(1, 13):
                silent = i in (7, 11)
                devices.append({"device_id": f"nursery-{i:02d}",
                                "last_seen": rfc3339(now - (i * 47_000 if not silent else 3 * 86_400_000)),
                                "model_version": "12" if i != 5 else "11",
                                "results": 1500 * i + 17, "clips": 40 * i + 3,
                                "status": "silent" if silent else "active"})
            return self.send_json(200, {"devices": devices})
        if path == "/api/v1/baselines":
            if self.empty:
                return self.send_json(200, {"baselines": []})
            return self.send_json(200, {"baselines": [
                {"model_version": "12", "windows": 4200, "clips": 700,
                 "created": rfc3339(now - 20 * 86_400_000), "source": "edge_impulse"},
                {"model_version": "11", "windows": 3900, "clips": 650,
                 "created": rfc3339(now - 60 * 86_400_000), "source": "import"}]})
        if path == "/api/v1/retrains":
            return self.send_json(200, {"retrains": [] if self.empty else retrain_runs(now)})
        if path.startswith("/api/v1/retrains/"):
            run_id = path.rsplit("/", 1)[1]
            for run in retrain_runs(now):
                if run["id"] == run_id:
                    return self.send_json(200, run)
            return self.error(404, "not_found", f"No retrain run {run_id}.")
        return self.error(404, "not_found", "No such route.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--token", default=Handler.token)
    parser.add_argument("--empty", action="store_true")
    parser.add_argument("--refusal-delay-ms", type=int, default=0)
    args = parser.parse_args()
    Handler.token = args.token
    Handler.empty = args.empty
    Handler.refusal_delay_ms = args.refusal_delay_ms
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"serving http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
