"""The whole flow over HTTP, on SQLite and PostgreSQL: what an assessor and a risk owner do."""

from __future__ import annotations

import json
import time

from apiworld import OTHER, PASSWORD, SYSTEM, World, example

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict

WS = "/api/v1/workspaces/acme"
SYS = f"{WS}/systems/{SYSTEM}"


def evidence_bytes(verdict: Verdict = Verdict.FAIL) -> bytes:
    report = EvidenceReport(
        tool="aisec-scan",
        tool_version="test",
        generated_at="2026-12-01T00:00:00Z",
        subject="models/embedder.bin",
        findings=[
            Finding(
                tool="aisec-scan",
                rule_id="pickle.dangerous-global",
                verdict=verdict,
                severity=Severity.CRITICAL,
                location="embedder.bin",
                message="x",
                control_ids=["model-artifact-scanning"],
            )
        ],
    )
    return report.model_dump_json().encode()


def test_assessor_flow_revisions_reports_diff_and_trend(world: World) -> None:
    c, h = world.client, world.as_("assessor")
    text, assessment = example(SYSTEM)
    # update system: a new system revision and a re-run assessment revision
    r = c.put(
        SYS,
        json={
            "yaml": text.replace("name: HR", "name: HR v2", 1)
            if "name: HR" in text
            else text + "\n",
            "base_revision": 1,
            "message": "rename",
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["system_revision"] == 2
    # save the assessment with one control changed
    changed = assessment.replace(
        "sec-educate: {status: partial", "sec-educate: {status: implemented"
    )
    r = c.put(f"{SYS}/assessment", json={"yaml": changed, "base_revision": 2}, headers=h)
    assert r.status_code == 200, r.text
    head = r.json()["number"]
    # upload evidence that fails a control the assessment claims
    r = c.post(f"{SYS}/evidence", files={"file": ("scan.json", evidence_bytes())}, headers=h)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["size"] > 0 and len(ev["sha256"]) == 64 and ev["tool"] == "aisec-scan"
    assert ev["assessment_revision"] == head + 1
    got = c.get(f"{SYS}/evidence/{ev['id']}", headers=h)
    assert got.content == evidence_bytes() and got.headers["x-content-sha256"] == ev["sha256"]
    # revisions, diff (JSON + Markdown), trend
    revs = c.get(f"{SYS}/revisions", headers=h).json()
    assert [r["number"] for r in revs["assessment"]] == [1, 2, 3, 4]
    assert revs["assessment"][-1]["author"] == "assessor"
    diff = c.get(f"{SYS}/diff", params={"from": 2, "to": 3}, headers=h).json()
    assert {
        "control": "sec-educate",
        "name": diff["control_status_changes"][0]["name"],
        "status": ["partial", "implemented"],
    } in diff["control_status_changes"]
    diff = c.get(f"{SYS}/diff", params={"from": 3, "to": 4}, headers=h).json()
    assert diff["evidence_added"], diff
    md = c.get(f"{SYS}/diff", params={"from": 2, "to": 3, "format": "md"}, headers=h)
    assert "sec-educate: partial → implemented" in md.text
    trend = c.get(f"{SYS}/trend", headers=h).json()
    assert [p["revision"] for p in trend] == [1, 2, 3, 4]
    assert c.get(f"{WS}/trend", headers=h).json()[-1]["systems"] == 2
    # reports in every format from the stored revision
    for fmt, marker in (("json", '"system_id"'), ("md", "#"), ("csv", ","), ("html", "<html")):
        r = c.get(f"{SYS}/report", params={"format": fmt, "revision": 3}, headers=h)
        assert r.status_code == 200 and marker in r.text[:5000].lower() + r.text[:5000], fmt
    xlsx = c.get(f"{SYS}/report", params={"format": "xlsx"}, headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert json.loads(c.get(f"{SYS}/report", headers=h).text)["system_id"] == SYSTEM
    assert c.get(f"{SYS}/crosswalks", headers=h).status_code == 200
    assert c.get(f"{SYS}/threats", headers=h).json()
    # portfolio lists both systems with head figures
    rows = c.get(f"{WS}/systems", headers=h).json()
    assert {r["id"] for r in rows} == {SYSTEM, OTHER}


def test_stale_save_is_409_with_the_diff(world: World) -> None:
    c = world.client
    _, assessment = example(SYSTEM)
    first = assessment.replace(
        "data-minimize: {status: planned", "data-minimize: {status: implemented"
    )
    second = assessment.replace("sec-educate: {status: partial", "sec-educate: {status: verified")
    r1 = c.put(
        f"{SYS}/assessment", json={"yaml": first, "base_revision": 1}, headers=world.as_("assessor")
    )
    r2 = c.put(
        f"{SYS}/assessment", json={"yaml": second, "base_revision": 1}, headers=world.as_("wsadmin")
    )
    assert r1.status_code == 200 and r2.status_code == 409
    body = r2.json()
    assert body["head"] == 2
    assert [x["control"] for x in body["diff"]["control_status_changes"]] == ["data-minimize"]
    # nothing of the second save was stored
    assert c.get(SYS, headers=world.as_("assessor")).json()["assessment_yaml"] == first


def test_decision_takes_the_approver_from_the_session(world: World) -> None:
    c = world.client
    r = c.post("/api/v1/auth/login", json={"username": "riskowner", "password": PASSWORD})
    assert r.status_code == 200
    assert "httponly" in r.headers["set-cookie"].lower()
    assert "samesite=lax" in r.headers["set-cookie"].lower()
    csrf = r.json()["csrf_token"]
    risks = c.get(f"{SYS}/decisions").json()
    threat = next(r["risk"] for r in risks if r["decision"] is None).split("@")[0]  # unassigned
    body = {
        "threat": threat,
        "treatment": "accept",
        "justification": "cost of fix too high",
        "review_by": "2027-06-30",
    }
    assert c.post(f"{SYS}/decisions", json=body).status_code == 403  # no CSRF token
    r = c.post(f"{SYS}/decisions", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert "decided_by: riskowner" in r.json()["yaml"]
    # a hand-written decision naming someone else is refused
    forged = r.json()["yaml"].replace("decided_by: riskowner", "decided_by: the CEO")
    r = c.put(f"{SYS}/assessment", json={"yaml": forged + "\n"}, headers=world.as_("wsadmin"))
    assert r.status_code == 403 and "must be you" in r.text
    # an assessor may not record decisions
    r = c.post(f"{SYS}/decisions", json=body, headers=world.as_("assessor"))
    assert r.status_code == 403
    rows = c.get(f"{WS}/audit", headers=world.as_("auditor")).json()
    mine = [x for x in rows if x["action"] == "assessment.save" and x["actor"] == "riskowner"]
    assert mine and mine[0]["via"] == "session:password"


def test_contributor_changes_only_controls_of_its_role_on_shared_systems(world: World) -> None:
    c, h = world.client, world.as_("vendor")
    assert c.get(f"{WS}/systems/{OTHER}", headers=h).status_code == 404  # not shared
    assert [r["id"] for r in c.get(f"{WS}/systems", headers=h).json()] == [SYSTEM]
    _, assessment = example(SYSTEM)
    integrator_edit = assessment.replace(
        "monitor-use: {status: implemented", "monitor-use: {status: planned"
    )
    r = c.put(f"{SYS}/assessment", json={"yaml": integrator_edit}, headers=h)
    assert r.status_code == 403 and "role" in r.text
    r = c.post(
        f"{SYS}/evidence", files={"file": ("e.json", evidence_bytes(Verdict.PASS))}, headers=h
    )
    assert r.status_code == 201


def test_tokens_expire_revoke_and_scope(world: World) -> None:
    c = world.client
    assert c.get(f"{WS}/systems", headers=world.as_("expired")).status_code == 401
    assert (
        c.put(
            f"{SYS}/assessment",
            json={"yaml": "system: rag-assistant\n"},
            headers=world.as_("readonly"),
        ).status_code
        == 403
    )
    assert c.get(f"{WS}/systems", headers=world.as_("evidence")).status_code == 403
    r = c.post(
        f"{SYS}/evidence",
        files={"file": ("e.json", evidence_bytes())},
        headers=world.as_("evidence"),
    )
    assert r.status_code == 201
    new = c.post(
        "/api/v1/tokens",
        json={"name": "x", "scopes": ["read"], "days": 1},
        headers=world.as_("assessor"),
    ).json()
    auth = {"Authorization": f"Bearer {new['secret']}"}
    assert c.get("/api/v1/me", headers=auth).status_code == 200
    assert c.delete(f"/api/v1/tokens/{new['id']}", headers=world.as_("assessor")).status_code == 204
    assert c.get("/api/v1/me", headers=auth).status_code == 401
    listed = c.get("/api/v1/tokens", headers=world.as_("assessor")).json()
    assert all("secret" not in t or t["secret"] is None for t in listed)


def test_login_is_throttled(world: World) -> None:
    c = world.client
    for _ in range(5):
        assert (
            c.post(
                "/api/v1/auth/login", json={"username": "auditor", "password": "wrong"}
            ).status_code
            == 401
        )
    r = c.post("/api/v1/auth/login", json={"username": "auditor", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_reassess_job_reports_progress(world: World) -> None:
    c, h = world.client, world.as_("assessor")
    r = c.post(f"{WS}/jobs", json={"kind": "reassess"}, headers=h)
    assert r.status_code == 202, r.text
    job = r.json()
    deadline = time.monotonic() + 60
    while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = c.get(f"{WS}/jobs/{job['id']}", headers=h).json()
    assert job["status"] == "done" and job["done"] == job["total"] == 2, job
    revs = c.get(f"{SYS}/revisions", headers=h).json()["assessment"]
    assert revs[-1]["label"] == "re-assessment"


def test_risk_owner_decides_only_risks_assigned_to_them(world: World) -> None:
    c, me = world.client, world.as_("riskowner")
    # input-data-leak is assigned to the HR Director in the stored assessment
    taken = {"threat": "input-data-leak", "treatment": "mitigate", "justification": "fix it"}
    r = c.post(f"{SYS}/decisions", json=taken, headers=me)
    assert r.status_code == 403 and "assigned to 'HR Director'" in r.text
    # nor may a risk owner hand an unassigned risk to someone else
    free = {"threat": "agent-escape", "treatment": "accept", "risk_owner": "HR Director"}
    r = c.post(f"{SYS}/decisions", json=free, headers=me)
    assert r.status_code == 403 and "may not assign" in r.text
    # a workspace admin reassigns it; then it is the risk owner's to decide
    reassign = {**taken, "risk_owner": "riskowner"}
    assert (
        c.post(f"{SYS}/decisions", json=reassign, headers=world.as_("wsadmin")).status_code == 201
    )
    r = c.post(f"{SYS}/decisions", json=taken, headers=me)
    assert r.status_code == 201, r.text
    assert "risk_owner: riskowner" in r.json()["yaml"]
